#!/usr/bin/env bash
# Everything a GPU session does on the device machine, in one run (device time is scarce):
#   here:       ../shared/gpu/stage.sh
#   on the GPU: bash .gpu/on_device.sh bash tools/gpu_session.sh      (device run with carry: [".gpu"])
#   back here:  bash tools/gpu_session.sh --collect FILES_AT          (FILES_AT: where the run's $OUT files landed)
# On the GPU it runs, continuing past failures so that one run says everything:
#   1. nbdev_test --flags cuda (every notebook, with the GPU cells);
#   2. python -m bn_nbdev.bench --device gpu, saved as gpu.json;
#   3. chapter 10 executed with its #| cuda cells (tools/run_nb.py, execnb engine).
# and writes logs, gpu.json and the executed notebook to $OUT. --collect copies gpu.json to
# bench_results/, merges the #| cuda outputs into nbs/10_gpu.ipynb, re-executes chapter 13 (its GPU
# table and roofline figure come from gpu.json) and cleans both notebooks.
set -u
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--collect" ]; then
  src=${2:?usage: tools/gpu_session.sh --collect DIR}
  set -e
  cat "$src"/status.txt
  [ -f "$src/gpu.json" ] && cp "$src/gpu.json" bench_results/gpu.json
  [ -f "$src/10_gpu.ipynb" ] && python3 tools/merge_outputs.py "$src/10_gpu.ipynb" nbs/10_gpu.ipynb --flag cuda
  python3 tools/run_nb.py nbs/13_benchmarks.ipynb
  nbdev_clean --fname nbs/10_gpu.ipynb && nbdev_clean --fname nbs/13_benchmarks.ipynb
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
echo "== chapter 10 with its GPU cells ($(t))"
python3 tools/run_nb.py --engine execnb --flags cuda nbs/10_gpu.ipynb > "$out/nb10.log" 2>&1; nb_rc=$?
tail -40 "$out/nb10.log"
[ "$nb_rc" -eq 0 ] && cp nbs/10_gpu.ipynb "$out/10_gpu.ipynb"     # a failed run is not written (run_nb.py)
echo "nbdev_test rc=$test_rc bench rc=$bench_rc chapter9 rc=$nb_rc ($(t))" | tee "$out/status.txt"
