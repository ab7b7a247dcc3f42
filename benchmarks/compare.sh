#!/usr/bin/env bash
# Runs Crossbar and its peers on this machine in one run and compares them:
#   benchmarks/compare.sh [--quick]
# Peers (Debian packages; a missing one is reported and skipped, nothing is installed):
#   OpenBLAS cblas_sgemm (libopenblas-dev), oneDNN matmul (libdnnl-dev), PyTorch CPU (python3-torch, run with
#   /usr/bin/python3, OMP_WAIT_POLICY=PASSIVE), memcpy bandwidth (gcc). benchmarks/mpi-allreduce.sh is called when present.
# Prints "speedup <name> <peer> <value>" (peer time / Crossbar time; above 1: Crossbar is faster) and
# "bandwidth <name> memcpy <fraction>" lines, then a Markdown table, also written to benchmarks/RESULTS.md.
# Warm-up: every side (the Crossbar driver, the C peers, PyTorch) runs each workload in windows until two consecutive windows
# agree within 5% (the Crossbar driver also compares heap allocation per operation, so its timed runs execute C2 code),
# after a minimum and up to a cap; a capped warm-up prints a "note" line and marks its figure "unsettled".
# --quick: windows of 0.5 s, warm-up at least 1 s and at most 30 s, 2 s of timing per workload (instead of 1 s windows,
# 5 s, 120 s and 10 s) and no JMH run, each Crossbar JVM capped at 90 s (900 s); aims at under 5 minutes on 2 cores
# when the host is quiet (on a loaded host warm-ups run to their cap and the run takes longer).
# Environment: BENCH_THREADS (2) threads for every side; CROSSBAR_MATMUL (auto) the crossbar.cpu.matmul path of the
# main Crossbar run (a second run forces crossbar.cpu.matmul=java for the F32 matmuls).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
cd "$root"

quick=false
case ${1:-} in
  --quick) quick=true ;;
  "") ;;
  *) echo "usage: benchmarks/compare.sh [--quick]" >&2; exit 2 ;;
esac
threads=${BENCH_THREADS:-2}
matmul_path=${CROSSBAR_MATMUL:-auto}
if $quick; then
  # The same budgets as CompareDriver's Warmup.QUICK / Warmup.FULL, for the peers.
  export BENCH_WARMUP_SECONDS=1 BENCH_WINDOW_SECONDS=0.5 BENCH_WARMUP_CAP_SECONDS=30 BENCH_MEASURE_SECONDS=2
  driver_budget=(--quick)
else
  export BENCH_WARMUP_SECONDS=5 BENCH_WINDOW_SECONDS=1 BENCH_WARMUP_CAP_SECONDS=120 BENCH_MEASURE_SECONDS=10
  driver_budget=()
fi
started=$(date +%s)
out=benchmarks/target/compare
mkdir -p "$out"
log=$out/run.log
: > "$log"
record() { tee -a "$log"; }
meta() { echo "meta $1 $2" >> "$log"; }
missing() { echo "missing $1 $2" | record; }

meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta command "benchmarks/compare.sh $*"
meta machine "$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
meta cores "$(nproc) online ($(lscpu | sed -n 's/^Thread(s) per core: *//p') thread(s) per core)"
meta threads "$threads for every side (Crossbar: -XX:ActiveProcessorCount=$threads)"
meta load_before "$(uptime | sed 's/.*load average: //') (1, 5, 15 min; $(nproc) cores; other jobs share this host when above 0)"

# Crossbar: the benchmarks module and what it depends on.
jdk=$(.mvn/find-jdk 25) || exit 1
meta jdk "$("$jdk/bin/java" -version 2>&1 | head -1)"
echo "compare.sh: building benchmarks (./mvnw -q -pl benchmarks -am package -DskipTests)" >&2
./mvnw -q -pl benchmarks -am package -DskipTests >&2
classpath=benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)
java=("$jdk/bin/java" -XX:ActiveProcessorCount="$threads" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED
      -Dguice_bytecode_gen_option=DISABLED -Xmx6g -cp "$classpath")

# C peers, compiled from benchmarks/peers.
peers=benchmarks/peers
have_gcc=true
command -v gcc > /dev/null || { have_gcc=false; missing memcpy "gcc not found (Debian: gcc)"; }
compile() { # name, extra flags...
  local name=$1; shift
  gcc -O2 -Wall -o "$out/$name" "$peers/$name.c" "$@" 2> "$out/$name.gcc.log"
}

if $have_gcc && compile memcpy_bandwidth -pthread; then
  THREADS=$threads "$out/memcpy_bandwidth" | record
elif $have_gcc; then
  missing memcpy "memcpy_bandwidth.c did not compile: $(head -c 300 "$out/memcpy_bandwidth.gcc.log")"
fi

openblas_env=(OPENBLAS_NUM_THREADS="$threads")
if ! $have_gcc; then
  missing openblas "gcc not found (Debian: gcc)"
elif [[ ! -r /usr/include/x86_64-linux-gnu/cblas.h && ! -r /usr/include/cblas.h ]] || ! compile openblas_sgemm -lopenblas; then
  missing openblas "cblas.h or libopenblas not found (Debian: libopenblas-dev libopenblas0-pthread)"
else
  core=$(env "${openblas_env[@]}" "$out/openblas_sgemm" | sed -n 's/.*core=\([^ ]*\).*/\1/p')
  # OpenBLAS 0.3.21 falls back to a generic core on CPUs it does not know (Prescott on this KVM Sapphire Rapids);
  # comparing against that would flatter Crossbar, so the peer runs with the AVX-512 kernels the CPU has.
  if grep -qw avx512f /proc/cpuinfo && [[ ${OPENBLAS_CORETYPE:-} == "" && $core != SkylakeX && $core != CooperLake && $core != SapphireRapids ]]; then
    openblas_env+=(OPENBLAS_CORETYPE=SkylakeX)
    meta note "OpenBLAS detected core '$core' on an AVX-512 CPU; the OpenBLAS peer, PyTorch (which calls OpenBLAS) and the Crossbar JVMs ran with OPENBLAS_CORETYPE=SkylakeX"
  fi
  env "${openblas_env[@]}" "$out/openblas_sgemm" 1024 2048 4096 4096x768x3072 | record
fi

if ! $have_gcc; then
  missing onednn "gcc not found (Debian: gcc)"
elif [[ ! -r /usr/include/dnnl.h && ! -r /usr/include/oneapi/dnnl/dnnl.h ]] || ! compile onednn_matmul -ldnnl; then
  missing onednn "dnnl.h or libdnnl not found (Debian: libdnnl-dev)"
else
  OMP_NUM_THREADS=$threads "$out/onednn_matmul" f32:1024 f32:2048 f32:4096 f32:4096x768x3072 bf16:2048 | record
fi

if [[ ! -x /usr/bin/python3 ]]; then
  missing torch "/usr/bin/python3 not found (Debian: python3 python3-torch)"
elif ! /usr/bin/python3 -c 'import torch' 2> /dev/null; then
  missing torch "Debian's python3 cannot import torch (Debian: python3-torch)"
else
  env "${openblas_env[@]}" OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS="$threads" BENCH_THREADS="$threads" \
    /usr/bin/python3 "$peers/torch_peer.py" | record || missing torch "torch_peer.py failed (exit status $?)"
fi

# Crossbar: every workload with the requested matmul path, then the F32 matmuls on the pure-Java path. Each workload
# runs in its own JVM (warmed up there) under a time cap, so that one far too slow workload cannot stall the run.
cap=$($quick && echo 90 || echo 900)
run_crossbar() { # source, matmul path, names...
  local source=$1 path=$2 name status
  shift 2
  for name in "$@"; do
    if env "${openblas_env[@]}" timeout --kill-after=10 "$cap" "${java[@]}" -Dcrossbar.cpu.matmul="$path" dev.crossbar.benchmarks.CompareDriver \
        "${driver_budget[@]}" --source "$source" --only "$name" > "$out/driver.out" 2>> "$out/driver.err"; then
      status=0
    else
      status=$?
    fi
    record < "$out/driver.out"
    if (( status == 124 || status == 137 )); then
      echo "failed $source $name did not finish within the cap of $cap s (warm-up and timed runs; one operation may take longer)" | record
    elif (( status != 0 )); then
      echo "failed $source $name the driver exited with status $status; see $out/driver.err" | record
    fi
  done
}
: > "$out/driver.err"
mapfile -t workloads < <("${java[@]}" dev.crossbar.benchmarks.CompareDriver --list)
run_crossbar crossbar "$matmul_path" "${workloads[@]}"
run_crossbar crossbar-java java mm_f32_1024 mm_f32_2048 mm_f32_4096 mm_f32_4096x768x3072

# JMH with its GC profiler on training steps: the garbage per step as JMH reports it, beside the driver's own figure.
# Not in --quick, which has the driver's allocation per step and must stay within its 5 minutes.
jmh_json=$out/jmh.json
rm -f "$jmh_json"
if ! $quick; then
  jmh=(-p name=train_transformer_f32,train_transformer_bf16,train_mlp_f32 -f 1 -wi 2 -w 5s -i 3 -r 5s)
  echo "compare.sh: JMH -prof gc ${jmh[*]}" >&2
  env "${openblas_env[@]}" "${java[@]}" -Dcrossbar.cpu.matmul="$matmul_path" org.openjdk.jmh.Main TrainingStepBenchmark "${jmh[@]}" -prof gc -rf json -rff "$jmh_json" \
    > "$out/jmh.log" 2>&1 || echo "failed jmh TrainingStepBenchmark exit status $?; see $out/jmh.log" | record
fi

if [[ -x benchmarks/mpi-allreduce.sh ]]; then
  # Called without arguments; BENCH_QUICK=1 (one round instead of two) tells it which kind of run this is, and it runs
  # on the classpath built above instead of building its own.
  BENCH_QUICK=$($quick && echo 1 || echo 0) MPI_BENCH_CLASSPATH="$classpath" benchmarks/mpi-allreduce.sh 2> "$out/mpi.err" | grep '^speedup ' | record \
    || missing mpi "benchmarks/mpi-allreduce.sh failed; see $out/mpi.err"
fi

meta load_after "$(uptime | sed 's/.*load average: //')"
meta openblas "$(sed -n 's/^info openblas \(OpenBLAS [0-9.]*\).*core=\([^ ]*\).*/\1, core \2/p' "$log" | head -1)"
meta onednn "$(sed -n 's/^info onednn \([0-9][0-9.]*\)$/\1/p' "$log" | head -1) ($(sed -n 's/^info onednn mm_bf16_2048 implementation=//p' "$log" | head -1) for BF16)"
meta torch "$(sed -n 's/^info torch \([^ ]*\) .*/\1/p' "$log" | head -1)"
meta duration "$(( $(date +%s) - started )) s"
echo
/usr/bin/python3 benchmarks/report.py "$log" benchmarks/RESULTS.md "$jmh_json"
echo
echo "compare.sh: $(( $(date +%s) - started )) s; table written to benchmarks/RESULTS.md"
