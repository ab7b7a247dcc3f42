"""PyTorch CPU peer of compare.sh: the same shapes and models as the Crossbar workloads (benchmarks/src/main/java,
Catalog.java), timed like them, printed as "measure torch <name> <median seconds per operation> runs=<n>
warmup_seconds=<s> warmup_windows=<n> [unsettled]". Warm-up follows the Crossbar driver's rule (Warmup.java) on time:
windows of at least BENCH_WINDOW_SECONDS and two runs until two consecutive medians agree within 5%, after at least
BENCH_WARMUP_SECONDS, capped at BENCH_WARMUP_CAP_SECONDS (a "note" line says when the cap stopped it).

Run with Debian's /usr/bin/python3 and OMP_WAIT_POLICY=PASSIVE (its best setting on 2 shared cores); the thread
count comes from BENCH_THREADS (default 2). Usage: torch_peer.py [name ...] (default: every name below).
"""
import math
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

WARMUP = float(os.environ.get("BENCH_WARMUP_SECONDS", "1"))
WINDOW = float(os.environ.get("BENCH_WINDOW_SECONDS", "0.5"))
WARMUP_CAP = float(os.environ.get("BENCH_WARMUP_CAP_SECONDS", "30"))
TOLERANCE = 0.05
BUDGET = float(os.environ.get("BENCH_MEASURE_SECONDS", "2"))
ELEMENTS = 1 << 24
ADDS_PER_RUN = 1000


def window(run, operations_per_run):
    """Runs for at least WINDOW seconds and two runs; returns the median time per operation."""
    times = []
    start = time.perf_counter()
    while len(times) < 2 or time.perf_counter() - start < WINDOW:
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) / operations_per_run)
    return statistics.median(times)


def measure(name, run, operations_per_run=1):
    start = time.perf_counter()
    previous, last, windows = None, window(run, operations_per_run), 1
    while True:
        warmed = time.perf_counter() - start
        settled = previous is not None and abs(last - previous) <= TOLERANCE * previous
        if settled and warmed >= WARMUP:
            break
        if warmed >= WARMUP_CAP:
            settled = False
            print(f"note torch {name} warm-up stopped at its cap of {WARMUP_CAP:.1f} s before two consecutive windows agreed within"
                  f" {100 * TOLERANCE:.0f}% (last two: {'-' if previous is None else f'{previous:.4g}'} s/op, then {last:.4g} s/op)", flush=True)
            break
        previous, last, windows = last, window(run, operations_per_run), windows + 1
    times = []
    measure_start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        run()
        t1 = time.perf_counter()
        times.append((t1 - t0) / operations_per_run)
        elapsed = t1 - measure_start
        if not (elapsed < BUDGET or (len(times) < 3 and elapsed < 3 * BUDGET)):
            break
    print(f"measure torch {name} {statistics.median(times):.6e} runs={len(times)} warmup_seconds={warmed:.1f}"
          f" warmup_windows={windows}{'' if settled else ' unsettled'}", flush=True)


def matmul(m, k, n, dtype):
    a = torch.randn(m, k).to(dtype)
    b = torch.randn(k, n).to(dtype)
    return lambda: torch.mm(a, b)


def elementwise(op):
    x = torch.randn(ELEMENTS)
    y = torch.randn(ELEMENTS)
    ops = {
        "add": lambda: torch.add(x, y),
        "mul": lambda: torch.mul(x, y),
        "gelu": lambda: F.gelu(x),  # exact (erf) form, as Crossbar's GeluApproximation.NONE
        "sum": lambda: torch.sum(x),
        "max": lambda: torch.max(x),
    }
    return ops[op]


def dispatch():
    a = torch.tensor([1.0, 2.0, 3.0, 4.0])
    b = torch.tensor([5.0, 6.0, 7.0, 8.0])

    def run():
        for _ in range(ADDS_PER_RUN):
            torch.add(a, b)
    return run


class Block(nn.Module):
    """Crossbar's TransformerBlock: pre-norm, fused qkv projection, causal attention, 4x MLP with tanh GELU."""

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(width, eps=1e-5)
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.ln2 = nn.LayerNorm(width, eps=1e-5)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(approximate="tanh"), nn.Linear(4 * width, width))

    def forward(self, x):
        batch, time_, width = x.shape
        head_width = width // self.heads
        q, k, v = self.qkv(self.ln1(x)).view(batch, time_, 3, self.heads, head_width).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-2, -1) / math.sqrt(head_width)
        mask = torch.ones(time_, time_, dtype=torch.bool).tril()
        scores = scores.masked_fill(~mask, float("-inf"))
        attended = (F.softmax(scores, dim=-1) @ v).permute(0, 2, 1, 3).reshape(batch, time_, width)
        x = x + self.proj(attended)
        return x + self.mlp(self.ln2(x))


class Gpt(nn.Module):
    """Crossbar's Gpt: token and position embeddings, blocks, final layer norm, linear head without bias."""

    def __init__(self, vocabulary, context, layers, heads, width):
        super().__init__()
        self.tok = nn.Embedding(vocabulary, width)
        self.pos = nn.Embedding(context, width)
        self.blocks = nn.Sequential(*[Block(width, heads) for _ in range(layers)])
        self.lnf = nn.LayerNorm(width, eps=1e-5)
        self.head = nn.Linear(width, vocabulary, bias=False)

    def forward(self, ids):
        steps = torch.arange(ids.shape[1])
        return self.head(self.lnf(self.blocks(self.tok(ids) + self.pos(steps))))


def training_step(model, inputs, targets, classes, learning_rate, autocast):
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)

    def run():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            logits = model(inputs)
        loss = F.cross_entropy(logits.float().reshape(-1, classes), targets.reshape(-1))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    return run


def transformer(autocast):
    torch.manual_seed(7)
    vocabulary, context = 65, 64
    model = Gpt(vocabulary, context, 2, 4, 128)
    data = torch.randint(0, vocabulary, (32, context + 1))
    print(f"info torch transformer_parameters {sum(p.numel() for p in model.parameters())}", flush=True)
    return training_step(model, data[:, :-1], data[:, 1:], vocabulary, 3e-4, autocast)


def mlp():
    torch.manual_seed(7)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    inputs = torch.randn(256, 784)
    targets = torch.arange(256) * 7 % 10
    return training_step(model, inputs, targets, 10, 1e-3, False)


WORKLOADS = {
    "mm_f32_1024": lambda: matmul(1024, 1024, 1024, torch.float32),
    "mm_f32_2048": lambda: matmul(2048, 2048, 2048, torch.float32),
    "mm_f32_4096": lambda: matmul(4096, 4096, 4096, torch.float32),
    "mm_f32_4096x768x3072": lambda: matmul(4096, 768, 3072, torch.float32),
    "mm_bf16_2048": lambda: matmul(2048, 2048, 2048, torch.bfloat16),
    "add_16M": lambda: elementwise("add"),
    "mul_16M": lambda: elementwise("mul"),
    "gelu_16M": lambda: elementwise("gelu"),
    "sum_16M": lambda: elementwise("sum"),
    "max_16M": lambda: elementwise("max"),
    "add_4": dispatch,
    "train_transformer_f32": lambda: transformer(False),
    "train_transformer_bf16": lambda: transformer(True),
    "train_mlp_f32": mlp,
}


def main(names):
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "2")))
    print(f"info torch {torch.__version__} threads={torch.get_num_threads()} "
          f"omp_wait_policy={os.environ.get('OMP_WAIT_POLICY', '(unset)')}", flush=True)
    for name in names or WORKLOADS:
        if name not in WORKLOADS:
            sys.exit(f"torch_peer.py: unknown workload '{name}'; known: {', '.join(WORKLOADS)}")
        run = WORKLOADS[name]()
        measure(name, run, ADDS_PER_RUN if name == "add_4" else 1)


if __name__ == "__main__":
    main(sys.argv[1:])
