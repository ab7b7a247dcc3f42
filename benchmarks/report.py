"""Turns the log of one compare.sh run into its comparison lines and the Markdown table of benchmarks/RESULTS.md.

Usage: report.py LOG RESULTS_MD [JMH_JSON]. LOG holds the lines the Crossbar driver and the peers print:
  measure <source> <name> <median seconds per operation> runs=<n> [alloc_bytes_per_op=<bytes>] [bytes_moved=<bytes>]
          [warmup_seconds=<s> warmup_windows=<n>] [unsettled] [cold]
  info <source> <text>          failed <source> <name> <reason>          missing <peer> <reason>
  note <source> <name> <text>   (a warm-up that stopped at its cap)
  meta <key> <value>            speedup <name> <peer> <value>   (passed through, e.g. from mpi-allreduce.sh)
Prints "speedup <name> <peer> <value>" (peer time / Crossbar time: above 1 means Crossbar is faster) and
"bandwidth <name> memcpy <fraction>" (bytes the op must move per second over memcpy's), then the table.
"""
import json
import os
import re
import sys

MATMUL_SHAPES = {"1024": (1024, 1024, 1024), "2048": (2048, 2048, 2048), "4096": (4096, 4096, 4096),
                 "4096x768x3072": (4096, 768, 3072)}


class Run:
    def __init__(self, lines):
        self.times, self.runs, self.alloc, self.bytes_moved, self.cold = {}, {}, {}, {}, set()
        self.warmup, self.unsettled, self.notes = {}, set(), []
        self.info, self.failed, self.missing, self.meta, self.passthrough = [], {}, {}, {}, []
        for line in lines:
            words = line.split()
            if not words:
                continue
            kind = words[0]
            if kind == "measure" and len(words) >= 4:
                key = (words[1], words[2])
                self.times[key] = float(words[3])
                for word in words[4:]:
                    if word.startswith("runs="):
                        self.runs[key] = int(word[5:])
                    elif word.startswith("alloc_bytes_per_op="):
                        self.alloc[key] = int(word[len("alloc_bytes_per_op="):])
                    elif word.startswith("bytes_moved="):
                        self.bytes_moved[key] = int(word[len("bytes_moved="):])
                    elif word.startswith("warmup_seconds="):
                        self.warmup[key] = float(word[len("warmup_seconds="):])
                    elif word == "unsettled":
                        self.unsettled.add(key)
                    elif word == "cold":
                        self.cold.add(key)
            elif kind == "note":
                self.notes.append(" ".join(words[1:]))
            elif kind == "info":
                text = " ".join(words[1:])
                # The copy peer states the bytes one copy reads and writes: "info memcpy copy_16M bytes=<n> ...".
                if len(words) >= 4 and words[3].startswith("bytes="):
                    self.bytes_moved[(words[1], words[2])] = int(words[3][len("bytes="):])
                if text not in self.info:
                    self.info.append(text)
            elif kind == "failed" and len(words) >= 3:
                self.failed[(words[1], words[2])] = " ".join(words[3:])
            elif kind == "missing" and len(words) >= 2:
                self.missing[words[1]] = " ".join(words[2:])
            elif kind == "meta" and len(words) >= 2:
                self.meta[words[1]] = " ".join(words[2:])
            elif kind == "speedup":
                self.passthrough.append(line.strip())

    def time(self, source, name):
        return self.times.get((source, name))

    def why_absent(self, source, name):
        if (source, name) in self.failed:
            return f"{source} failed: {self.failed[(source, name)]}"
        peer = source.split("-")[0]
        if peer in self.missing:
            return f"{peer} missing: {self.missing[peer]}"
        return f"no {source} figure for {name}"

    def matmul_libraries(self, source):
        """What the backend reports about its matmul paths (info lines "matmul=...", "matmul.<path>=..."), in order."""
        return [text[len(source) + 1:] for text in self.info if text.startswith(source + " matmul")]

    def native_matmul(self, source):
        """The native library the backend's matmul uses for large F32 products, as far as its reports tell, or None."""
        requested = self.requested_path(source)
        if requested in ("openblas", "onednn"):
            return requested
        if requested != "auto":
            return None
        reports = dict(text.partition("=")[::2] for text in self.matmul_libraries(source))
        # auto prefers OpenBLAS when it recognised the CPU, then oneDNN, for F32 products that are not tiny (backend-cpu's
        # MatmulPath.AUTO); the backend's report of OpenBLAS says when it did not.
        openblas, onednn = reports.get("matmul.openblas", ""), reports.get("matmul.onednn", "")
        if openblas and not openblas.startswith("absent") and "did not recognise" not in openblas:
            return "openblas"
        if onednn and not onednn.startswith("absent"):
            return "onednn"
        return None

    def requested_path(self, source):
        for text in self.info:
            if text.startswith(source + " crossbar.cpu.matmul="):
                return text.split("=", 1)[1]
        return "(unset)"


def rate(run, key, seconds):
    """A human-readable throughput for a measurement."""
    name = key[1]
    if seconds is None:
        return ""
    match = re.match(r"mm_(f32|bf16)_(.*)", name)
    if match and match.group(2) in MATMUL_SHAPES:
        m, k, n = MATMUL_SHAPES[match.group(2)]
        return f"({2 * m * k * n / seconds / 1e9:.3g} GFLOP/s)"
    # A peer doing the same op moves the bytes the Crossbar driver states for it.
    moved = run.bytes_moved.get(key, run.bytes_moved.get(("crossbar", name)))
    if moved is not None:
        return f"({moved / seconds / 1e9:.3g} GB/s)"
    if name.startswith("train_") or name.startswith("fsdp_"):
        return f"({1 / seconds:.3g} steps/s)"
    return ""


def cold_mark(run, key):
    return " (1 cold run)" if key in run.cold else " (warm-up unsettled)" if key in run.unsettled else ""


def duration(seconds):
    if seconds is None:
        return "-"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.2f} us"


def comparisons(run):
    """(line kind, name, peer label, crossbar key, peer seconds, peer description, target, note) for every comparison."""
    rows = []

    def peer_of(source, name):
        return run.time(source, name), (source, name)

    for shape in MATMUL_SHAPES:
        name = f"mm_f32_{shape}"
        for source, suffix in (("crossbar", ""), ("crossbar-java", "_java")):
            if source == "crossbar-java" and not any(key[0] == source for key in run.times) and not any(key[0] == source for key in run.failed):
                continue
            native = run.native_matmul(source)
            target = 0.98 if native else 0.90
            reported = "; ".join(run.matmul_libraries(source)) or "nothing (this backend does not report its matmul paths)"
            note = (f"crossbar.cpu.matmul={run.requested_path(source)}: {'native path ' + native if native else 'pure-Java path'}"
                    f" (backend reports: {reported})")
            rows.append(("speedup", name + suffix, "openblas", (source, name), *peer_of("openblas", name), target, note))
        rows.append(("speedup", name, "onednn", ("crossbar", name), *peer_of("onednn", name), None, "oneDNN F32"))
        rows.append(("speedup", name, "torch", ("crossbar", name), *peer_of("torch", name), None, ""))
    rows.append(("speedup", "mm_bf16_2048", "openblas-f32", ("crossbar", "mm_bf16_2048"), *peer_of("openblas", "mm_f32_2048"), 3.0,
                 "Crossbar BF16 (F32 accumulation) against OpenBLAS F32 sgemm, n = 2048"))
    rows.append(("speedup", "mm_bf16_2048", "onednn-bf16", ("crossbar", "mm_bf16_2048"), *peer_of("onednn", "mm_bf16_2048"), None,
                 "the physical-limit reference (AMX when oneDNN picks it)"))
    rows.append(("speedup", "mm_bf16_2048", "torch", ("crossbar", "mm_bf16_2048"), *peer_of("torch", "mm_bf16_2048"), None, ""))
    for op in ("add", "mul", "gelu", "sum", "max"):
        name = f"{op}_16M"
        rows.append(("bandwidth", name, "memcpy", ("crossbar", name), *peer_of("memcpy", "copy_16M"), 0.8,
                     "bytes the op must read and write, per second, against memcpy's"))
        rows.append(("speedup", name, "torch", ("crossbar", name), *peer_of("torch", name), None, ""))
    rows.append(("speedup", "add_4", "torch", ("crossbar", "add_4"), *peer_of("torch", "add_4"), 3.0, "per-op overhead, 4-element add"))
    rows.append(("speedup", "train_transformer_f32", "torch", ("crossbar", "train_transformer_f32"), *peer_of("torch", "train_transformer_f32"), 1.25,
                 "char transformer step, F32"))
    torch_f32, torch_bf16 = run.time("torch", "train_transformer_f32"), run.time("torch", "train_transformer_bf16")
    best = min((t, n) for t, n in ((torch_f32, "train_transformer_f32"), (torch_bf16, "train_transformer_bf16")) if t is not None) \
        if torch_f32 is not None or torch_bf16 is not None else (None, "train_transformer_f32")
    rows.append(("speedup", "train_transformer_bf16", "torch-best", ("crossbar", "train_transformer_bf16"), best[0], ("torch", best[1]), 2.0,
                 f"BF16 mixed precision against PyTorch's faster of F32 and autocast BF16 ({best[1].split('_')[-1]})"))
    rows.append(("speedup", "train_mlp_f32", "torch", ("crossbar", "train_mlp_f32"), *peer_of("torch", "train_mlp_f32"), 1.25, "MLP 784-256-10 step"))
    rows.append(("speedup", "fsdp_transformer_4dev", "crossbar-1dev", ("crossbar", "fsdp_transformer_4dev"), *peer_of("crossbar", "train_transformer_f32"),
                 0.8, "FSDP on 4 virtual devices against one device, same global batch (target: at most 1.25x the step time)"))
    rows.append(("bandwidth", "allreduce_4MB_4ranks", "memcpy", ("crossbar", "allreduce_4MB_4ranks"), *peer_of("memcpy", "copy_16M"), None,
                 "in-process all-reduce: 4 ranks x (4 MiB read + 4 MiB written) per op against memcpy"))
    return rows


def jmh_results(path):
    if path is None or not os.path.exists(path):  # compare.sh --quick runs no JMH
        return []
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        return [("(JMH results unreadable)", str(e), "", "")]
    rows = []
    for result in data:
        name = result.get("params", {}).get("name", result["benchmark"])
        score = result["primaryMetric"]["score"]
        unit = result["primaryMetric"]["scoreUnit"]
        alloc = result.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        rows.append((name, result["benchmark"].rsplit(".", 2)[-2], f"{score:.3f} {unit}", "-" if alloc is None else f"{alloc:,.0f} B/op"))
    return rows


def main(log_path, results_path, jmh_path=None):
    with open(log_path) as f:
        lines = f.read().splitlines()
    run = Run(lines)
    out_lines, table = [], []
    for kind, name, peer, crossbar_key, peer_seconds, peer_key, target, note in comparisons(run):
        mine = run.times.get(crossbar_key)
        if mine is None or peer_seconds is None:
            reason = run.why_absent(*crossbar_key) if mine is None else run.why_absent(*peer_key)
            out_lines.append(f"skipped {name} {peer} ({reason})")
            table.append(f"| `{name}` vs {peer} | {duration(mine)} | {duration(peer_seconds)} | skipped: {reason} | {'-' if target is None else target} | |")
            continue
        if kind == "bandwidth":
            if crossbar_key not in run.bytes_moved or peer_key not in run.bytes_moved:
                reason = f"the log does not state the bytes moved by {crossbar_key[1]} or {peer_key[1]}"
                out_lines.append(f"skipped {name} {peer} ({reason})")
                table.append(f"| `{name}` vs {peer} | {duration(mine)} | {duration(peer_seconds)} | skipped: {reason} | {target or '-'} | |")
                continue
            value = (run.bytes_moved[crossbar_key] / mine) / (run.bytes_moved[peer_key] / peer_seconds)
        else:
            value = peer_seconds / mine
        out_lines.append(f"{kind} {name} {peer} {value:.3f}")
        status = "" if target is None else ("met" if value >= target else f"**missed** ({value / target:.2f} of the target)")
        if crossbar_key in run.cold or peer_key in run.cold:
            status += " (a side is one cold run, JIT warm-up included: not a steady-state figure)"
        elif crossbar_key in run.unsettled or peer_key in run.unsettled:
            status += " (a side's warm-up stopped at its cap before its windows agreed: maybe not a steady-state figure)"
        if crossbar_key[1].startswith(("train_", "fsdp_")) and crossbar_key in run.alloc:
            note = f"{note}; Crossbar allocated {run.alloc[crossbar_key]:,} B per step".lstrip("; ")
        table.append(f"| `{name}` vs {peer} | {duration(mine)} {rate(run, crossbar_key, mine)}{cold_mark(run, crossbar_key)}"
                     f" | {duration(peer_seconds)} {rate(run, peer_key, peer_seconds)}{cold_mark(run, peer_key)}"
                     f" | **{value:.3f}** | {'-' if target is None else target} | {status} {note} |")
    out_lines.extend(run.passthrough)
    for line in out_lines:
        print(line)

    md = ["# Benchmarks: Crossbar side by side with its peers", "",
          "Generated by `benchmarks/compare.sh` (do not edit by hand); every figure below comes from the one run described here.", "",
          "## Run", ""]
    for key in ("date", "command", "machine", "cores", "threads", "load_before", "load_after", "jdk", "openblas", "onednn", "torch", "duration", "note"):
        if key in run.meta:
            md.append(f"- {key.replace('_', ' ')}: {run.meta[key]}")
    busiest = max((float(run.meta[key].split(",")[0]) for key in ("load_before", "load_after") if key in run.meta), default=0.0)
    cores = int(run.meta.get("cores", "0").split()[0] or 0)
    if cores and busiest > cores:
        md.append(f"- **the host was shared**: a 1-minute load of {busiest:g} on {cores} cores; every side competed with other jobs,"
                  " so absolute figures are low and ratios noisy, and JIT compilation may lag behind (Crossbar's warm-up)")
    md += ["", "## Comparisons", "",
           "`speedup` = peer time / Crossbar time (above 1: Crossbar is faster). `bandwidth` = bytes the op must move per second"
           " / memcpy's bytes read and written per second, same thread count. Times are medians of the timed runs.", "",
           "| comparison | Crossbar | peer | value | target | |", "|---|---|---|---|---|---|"] + table
    if run.passthrough:
        md += ["", "## MPI all-reduce (benchmarks/mpi-allreduce.sh)", "", "```"] + run.passthrough + ["```"]
    if run.notes:
        md += ["", "## Warm-ups stopped by their cap", ""] + [f"- {note}" for note in run.notes]
    md += ["", "## Garbage per operation", "",
           "Heap bytes allocated per operation (per step for training) over the timed runs, all threads (the driver reads"
           " `ThreadMXBean.getTotalThreadAllocatedBytes`, the quantity JMH's `-prof gc` reports as `gc.alloc.rate.norm`),"
           " after a warm-up that ran until two consecutive windows agreed within 5% in time and allocation.", "",
           "| workload | time | allocated per op | warm-up |", "|---|---|---|---|"]
    for (source, name), seconds in run.times.items():
        if source.startswith("crossbar"):
            warm = run.warmup.get((source, name))
            md.append(f"| `{name}` ({source}) | {duration(seconds)}{cold_mark(run, (source, name))} | {run.alloc.get((source, name), 0):,} B"
                      f" | {'-' if warm is None else f'{warm:.1f} s'} |")
    jmh = jmh_results(jmh_path)
    if jmh:
        md += ["", "JMH with `-prof gc` in the same run:", "", "| workload | benchmark | score | gc.alloc.rate.norm |", "|---|---|---|---|"]
        md += [f"| `{a}` | {b} | {c} | {d} |" for a, b, c, d in jmh]
    md += ["", "## Every line of the run", "", "```"] + lines + ["```", ""]
    with open(results_path, "w") as f:
        f.write("\n".join(md))
    print()
    print("\n".join(md[md.index("## Comparisons"):md.index("## Every line of the run")]))


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: report.py LOG RESULTS_MD [JMH_JSON]")
    main(*sys.argv[1:])
