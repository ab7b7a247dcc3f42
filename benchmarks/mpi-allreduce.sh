#!/usr/bin/env bash
# All-reduce bandwidth through Open MPI: Crossbar's MPI process group (benchmarks/mpi/MpiAllReduceBenchmark.java, through
# Spmd under mpirun) against the same MPI calls from C (benchmarks/mpi/mpi_allreduce.c, built here with mpicc), float
# sums of 4 KB, 256 KB, 4 MB and 64 MB on MPI_BENCH_PROCESSES processes (default 2) of this machine, in one run.
# Both sides take the best of 5 timed loops; the script alternates them twice (once with BENCH_QUICK=1, as
# compare.sh --quick sets it) and keeps each side's best. MPI_BENCH_CLASSPATH, when set (compare.sh passes the
# classpath it built), is the Crossbar classpath, and the script builds nothing. Prints a table, then one line per size:
#   speedup mpi_allreduce_<size> c-mpi <C time / Crossbar time>
# (1.0 = as fast as C; the goal is >= 0.9 at 4 MB and above). Runs standalone or from benchmarks/compare.sh.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

for tool in mpirun mpicc; do
  command -v "$tool" >/dev/null || { echo "mpi-allreduce: $tool not found; install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev)" >&2; exit 1; }
done
jdk=$(.mvn/find-jdk 25) || exit 1
processes=${MPI_BENCH_PROCESSES:-2}
out=target/mpi-bench
mkdir -p "$out"

# The runtime and the cpu backend, compiled in this checkout (nothing is installed), and their class path.
if [[ -n ${MPI_BENCH_CLASSPATH:-} ]]; then
  classpath=$MPI_BENCH_CLASSPATH
else
  maven=(./mvnw -q -pl runtime -am package -DskipTests dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/classpath.txt)
  "${maven[@]}" -o >/dev/null 2>&1 || "${maven[@]}" >/dev/null
  classpath=runtime/target/classes:$(cat runtime/target/classpath.txt)
fi
rounds=2
[[ ${BENCH_QUICK:-0} == 1 ]] && rounds=1
mpicc -O2 -o "$out/mpi_allreduce" benchmarks/mpi/mpi_allreduce.c

mpirun=(mpirun)
[[ $(id -u) -eq 0 ]] && mpirun+=(--allow-run-as-root)
((processes > $(nproc))) && mpirun+=(--oversubscribe)
mpirun+=(--bind-to none -n "$processes")
sizes=(4096 262144 4194304 67108864)
names=(4KB 256KB 4MB 64MB)

declare -A best
record() {  # record SIDE: reads "<side> <bytes> <seconds>" lines, keeps the lowest time per side and size
  while read -r side bytes seconds; do
    [[ $side == "$1" ]] || continue
    if [[ -z ${best[$side,$bytes]:-} ]] || awk -v a="$seconds" -v b="${best[$side,$bytes]}" 'BEGIN { exit !(a < b) }'; then
      best[$side,$bytes]=$seconds
    fi
  done
}
for ((round = 1; round <= rounds; round++)); do
  record c < <("${mpirun[@]}" "$out/mpi_allreduce" "${sizes[@]}")
  record crossbar < <("${mpirun[@]}" "$jdk/bin/java" --enable-native-access=ALL-UNNAMED -Xmx512m -cp "$classpath" \
    benchmarks/mpi/MpiAllReduceBenchmark.java "${sizes[@]}" 2>"$out/java.err")
done

printf '%-8s %14s %14s %12s %12s\n' size "crossbar us" "c-mpi us" "crossbar GB/s" "c-mpi GB/s"
for i in "${!sizes[@]}"; do
  bytes=${sizes[$i]}
  j=${best[crossbar,$bytes]:?no Crossbar result for $bytes bytes; see $out/java.err}
  c=${best[c,$bytes]:?no C result for $bytes bytes}
  awk -v n="${names[$i]}" -v b="$bytes" -v j="$j" -v c="$c" \
    'BEGIN { printf "%-8s %14.1f %14.1f %12.2f %12.2f\n", n, j * 1e6, c * 1e6, b / j / 1e9, b / c / 1e9 }'
done
for i in "${!sizes[@]}"; do
  bytes=${sizes[$i]}
  awk -v n="${names[$i]}" -v j="${best[crossbar,$bytes]}" -v c="${best[c,$bytes]}" 'BEGIN { printf "speedup mpi_allreduce_%s c-mpi %.2f\n", n, c / j }'
done
