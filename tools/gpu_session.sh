#!/usr/bin/env bash
# Everything a GPU session does on the device machine, in one run (device time is scarce):
#   here:       ../shared/gpu/stage.sh
#   on the GPU: bash .gpu/on_device.sh bash tools/gpu_session.sh      (device run with carry: [".gpu"])
#   back here:  bash tools/gpu_session.sh --collect FILES_AT          (FILES_AT: where the run's $OUT files landed)
# On the GPU it runs, continuing past failures so that one run says everything:
#   1. nbdev_test --flags cuda (every notebook, with the GPU cells);
#   2. python -m bn_nbdev.bench --device gpu, saved as gpu.json, then every kernel variant of chapter 10 timed in
#      one run (--variants all), saved as gpu_variants.json: the run chapter 10's use_defaults picks defaults from;
#   3. each notebook of CUDA_NBS that exists, executed with its #| cuda cells (tools/run_nb.py, execnb engine).
# and writes logs, gpu.json and the executed notebooks to $OUT. --collect copies gpu.json to
# bench_results/, merges the #| cuda outputs of each executed notebook into nbs/, re-executes
# chapter 13 (its GPU table and roofline figure come from gpu.json) and cleans those notebooks.
# Without CuPy or a GPU every step fails cleanly and status.txt says so.
set -u
cd "$(dirname "$0")/.."
# Notebooks with #| cuda cells whose outputs the book shows; add a name here when a chapter gains some.
CUDA_NBS="08_experiments 10_gpu 11_pytorch 12_distributed 91_nn"
if [ "${1:-}" = "--collect" ]; then
  src=${2:?usage: tools/gpu_session.sh --collect DIR}
  set -e
  cat "$src"/status.txt
  [ -f "$src/gpu.json" ] && cp "$src/gpu.json" bench_results/gpu.json
  [ -f "$src/gpu_variants.json" ] && cp "$src/gpu_variants.json" bench_results/gpu_variants.json
  cleaned="nbs/13_benchmarks.ipynb"
  for nb in $CUDA_NBS; do
    if [ -f "$src/$nb.ipynb" ] && [ -f "nbs/$nb.ipynb" ]; then
      python3 tools/merge_outputs.py "$src/$nb.ipynb" "nbs/$nb.ipynb" --flag cuda
      cleaned="$cleaned nbs/$nb.ipynb"
    fi
  done
  python3 tools/run_nb.py nbs/13_benchmarks.ipynb
  for f in $cleaned; do nbdev_clean --fname "$f"; done
  exit 0
fi
out=${OUT:-/tmp/gpu_session}; mkdir -p "$out"
start=$(date +%s); t() { echo "$(( $(date +%s) - start ))s"; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$out/nvidia-smi.txt" 2>&1 || true
echo "== nbdev_test --flags cuda ($(t))"
nbdev_test --flags cuda --n_workers 8 > "$out/nbdev_test.log" 2>&1; test_rc=$?
tail -30 "$out/nbdev_test.log"
echo "== benchmark ($(t))"
python3 -m bn_nbdev.bench --device gpu --json "$out/gpu.json" > "$out/bench.log" 2>&1; bench_rc=$?
cat "$out/bench.log"
echo "== kernel variants ($(t))"
python3 -m bn_nbdev.bench --device gpu --variants all --repeats 20 --json "$out/gpu_variants.json" > "$out/bench_variants.log" 2>&1; var_rc=$?
tail -60 "$out/bench_variants.log"
status="nbdev_test rc=$test_rc bench rc=$bench_rc variants rc=$var_rc"
for nb in $CUDA_NBS; do
  [ -f "nbs/$nb.ipynb" ] || continue
  echo "== $nb with its GPU cells ($(t))"
  python3 tools/run_nb.py --engine execnb --flags cuda "nbs/$nb.ipynb" > "$out/$nb.log" 2>&1; rc=$?
  tail -40 "$out/$nb.log"
  [ "$rc" -eq 0 ] && cp "nbs/$nb.ipynb" "$out/$nb.ipynb"     # a failed run is not written (run_nb.py)
  status="$status $nb rc=$rc"
done
echo "$status ($(t))" | tee "$out/status.txt"
