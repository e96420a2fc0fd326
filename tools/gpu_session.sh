#!/usr/bin/env bash
# A GPU session in one device call, sized for a lease of 15 minutes of device time (1-2 of them the
# machine's start), one command of at most 600 s, and at most 8 files coming back from $OUT:
#   here:       ../shared/gpu/stage.sh                     (stages the kit, nbdev and mpiexec, in .gpu/)
#   on the GPU: bash .gpu/on_device.sh bash tools/gpu_session.sh
#               (a device run with carry: [".gpu"] and timeout_s: 560: the budget of 480 s, the kit's install
#               and a margin; with the machine's start that is about 11 of the lease's 15 minutes, so a run
#               that broke off early can be rerun, with a budget that fits what is left:
#               GPU_BUDGET_S=180 bash .gpu/on_device.sh bash tools/gpu_session.sh, timeout_s 240)
#   back here:  bash tools/gpu_session.sh --collect FILES_AT       (FILES_AT: where the run's $OUT files landed)
#
# On the GPU it runs these steps, most valuable first, each in its own process under
# `timeout --kill-after=10`, for at most its cap and at most what is left of the budget (GPU_BUDGET_S,
# default 480 s, counted from the script's start, less the 10 s of the kill-after); a step that would get
# less than 20 s is skipped for budget, and a failing step does not stop the ones after it:
#   smoke           python -m bn_nbdev.smoke: the GPU checks, in smoke.json          (cap 90 s)
#   bench           python -m bn_nbdev.bench --device gpu, in gpu.json               (cap 120 s)
#   10e_gpu_engine  chapter 10's engine page with its #| cuda cells: the checks against NumPy and
#                   cuDNN, and the speed (tools/run_nb.py, execnb)                 (cap 150 s)
#   variants        every kernel variant of chapter 10 timed in one run (--variants all), in
#                   gpu_variants.json: the run chapter 10's choose_defaults reads    (cap 120 s)
#   10b_gpu_kernels (the driver's occupancy against ptxas), 11_pytorch, 12_distributed, 91_nn,
#                   08_experiments: the other notebooks with #| cuda cells, each
#                   under what is left                                               (no cap)
# The notebook steps need a GPU that CuPy sees (checked first); without one they are skipped. A notebook
# is executed in place, copied into the scratch folder when its run passed (a failed run writes nothing),
# and put back as it was.
#
# $OUT gets at most 6 files, all at its top level: status.txt (the GPU CuPy found, then a line per step:
# name, state ok, failed, timeout, skipped, killed or pending, rc, seconds, note; then the total), smoke.json, gpu.json and gpu_variants.json
# (each when its step wrote one), and logs.tar.gz (every step's log, nvidia-smi's output and the executed
# notebooks, kept in a scratch folder outside $OUT). status.txt is written at the start and all of
# them after every step, so a run killed at its limit still brings back what it did.
#
# --collect DIR takes whatever came back: it copies smoke.json to bench_results/gpu_smoke.json and gpu.json,
# gpu_variants.json to bench_results/ when they hold GPU results, merges the #| cuda outputs of each executed
# notebook in the archive into nbs/ (tools/merge_outputs.py), re-executes chapter 13 when a new gpu.json came
# (its GPU table and roofline figure come from it), runs nbdev_clean on the notebooks it changed, and prints
# what it took and what was missing. It exits 0 unless a file of the repository could not be updated.
#
# Without CuPy or a GPU the run takes seconds: smoke and bench fail cleanly, the notebook steps are skipped.
set -u
cd "$(dirname "$0")/.." || exit 1
export PYTHONUNBUFFERED=1
# Notebooks with #| cuda cells whose outputs the book shows, after chapter 10's engine page (step 10e_gpu_engine), in the order
# they run: most #| cuda cells first, chapter 8's long experiments last. Add a name when a chapter gains some.
CUDA_NBS="10b_gpu_kernels 11_pytorch 12_distributed 91_nn 08_experiments"
JSONS="smoke.json gpu.json gpu_variants.json"

# ---------------------------------------------------------------------------------------------- collect
if [ "${1:-}" = "--collect" ]; then
  src=${2:?usage: tools/gpu_session.sh --collect DIR}
  took=() missing=() skipped=() failed=() changed=()
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/gpu_collect.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  [ -d "$src" ] || missing+=("the folder $src")
  if [ -f "$src/status.txt" ]; then cat "$src/status.txt"; else missing+=(status.txt); fi
  logs=""
  if [ -f "$src/logs.tar.gz" ]; then
    mkdir -p "$tmp/logs"
    if tar -xzf "$src/logs.tar.gz" -C "$tmp/logs"; then logs="$tmp/logs"; else failed+=("logs.tar.gz does not extract"); fi
  else missing+=("logs.tar.gz (the logs and the executed notebooks)")
  fi
  # What counts as GPU results. smoke.json: bn_nbdev.smoke sets `gpu` to the device it found, null without
  # one. gpu.json, gpu_variants.json: bench.py writes {meta, results}; meta.device is 'gpu' only when
  # get_device('gpu') found CuPy, a CUDA device and CUDA PyTorch, and a record has `ours_ms` only when its
  # case was checked and timed (a failed case holds `error` instead); a variant record also names its
  # `variant`. So: meta.device 'gpu' and at least one timed record (fewer than all cases when the step hit
  # its limit: the summary gives the count).
  gpu_results() { # kind (smoke, gpu, gpu_variants), file: prints what it holds; exit 0 when GPU results
    python3 - "$1" "$2" <<'EOF'
import json, sys
kind, path = sys.argv[1:]
try: d = json.load(open(path))
except Exception as e: print(f'unreadable ({type(e).__name__}: {e})'); sys.exit(1)
if kind == 'smoke':
    gpu, steps = d.get('gpu'), d.get('steps') or []
    passed = sum(bool(s.get('ok')) for s in steps)
    print(f"gpu {gpu.get('name', gpu) if isinstance(gpu, dict) else gpu}, {passed} of {len(steps)} steps passed, "
          f"ok {d.get('ok')}, finished {d.get('finished')}")
    sys.exit(0 if gpu else 1)
meta, recs = d.get('meta') or {}, d.get('results') or []
timed = [r for r in recs if 'ours_ms' in r and (kind != 'gpu_variants' or 'variant' in r)]
print(f"device {meta.get('device')} ({meta.get('device_name')}), {len(timed)} of {len(recs)} records timed, "
      f"{sum(bool(r.get('ok')) for r in timed)} agreeing with PyTorch")
sys.exit(0 if meta.get('device') == 'gpu' and timed else 1)
EOF
  }
  new_gpu_json=0
  for j in $JSONS; do
    f="$src/$j"
    [ -f "$f" ] || f="${logs:-$tmp/none}/$j"   # the archive holds a copy too
    if [ ! -f "$f" ]; then missing+=("$j"); continue; fi
    kind=${j%.json} dst="bench_results/$j"
    [ "$kind" = smoke ] && dst=bench_results/gpu_smoke.json
    if what=$(gpu_results "$kind" "$f"); then
      if cp "$f" "$dst"; then took+=("$j -> $dst: $what"); [ "$kind" = gpu ] && new_gpu_json=1
      else failed+=("cp $f $dst"); fi
    else skipped+=("$j, no GPU results: $what")
    fi
  done
  for nb in 10e_gpu_engine $CUDA_NBS; do
    [ -n "$logs" ] || break
    if [ ! -f "$logs/$nb.ipynb" ]; then missing+=("$nb.ipynb"); continue; fi
    [ -f "nbs/$nb.ipynb" ] || { skipped+=("$nb.ipynb: no nbs/$nb.ipynb here"); continue; }
    if python3 tools/merge_outputs.py "$logs/$nb.ipynb" "nbs/$nb.ipynb" --flag cuda; then
      took+=("$nb.ipynb: its #| cuda outputs -> nbs/$nb.ipynb"); changed+=("nbs/$nb.ipynb")
    else failed+=("merge_outputs.py $nb.ipynb (see above)")
    fi
  done
  if [ "$new_gpu_json" = 1 ]; then
    if python3 tools/run_nb.py nbs/13_benchmarks.ipynb; then took+=("nbs/13_benchmarks.ipynb re-executed with the new gpu.json")
    else failed+=("python3 tools/run_nb.py nbs/13_benchmarks.ipynb"); fi
    changed+=(nbs/13_benchmarks.ipynb)
  fi
  for f in "${changed[@]}"; do nbdev_clean --fname "$f" || failed+=("nbdev_clean --fname $f"); done
  echo "== collected from $src"
  for s in "${took[@]}"; do echo "took: $s"; done
  for s in "${skipped[@]}"; do echo "not taken: $s"; done
  for s in "${missing[@]}"; do echo "missing: $s"; done
  for s in "${failed[@]}"; do echo "FAILED: $s"; done
  [ ${#took[@]} -gt 0 ] || echo "took nothing"
  [ ${#failed[@]} -eq 0 ]
  exit
fi

# ---------------------------------------------------------------------------------------------- the run
out=${OUT:-/tmp/gpu_session}
mkdir -p "$out" || exit 1
budget=${GPU_BUDGET_S:-480}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gpu_session.XXXXXX") || exit 1
work="$tmp/work"; mkdir -p "$work" "$tmp/orig"     # work/ becomes logs.tar.gz; orig/ holds notebooks to put back
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
now() { echo $(( $(date +%s) - start )); }
names=(smoke bench 10e_gpu_engine variants)
for nb in $CUDA_NBS; do names+=("$nb"); done
declare -A state rc secs note
for n in "${names[@]}"; do state[$n]=pending; rc[$n]=-; secs[$n]=0; note[$n]=""; done
gpu_name=unknown finished=no

write_status() { # file
  local n
  { echo "tools/gpu_session.sh: GPU ${gpu_name}; budget ${budget}s"
    for n in "${names[@]}"; do
      printf '%-15s %-8s rc=%-4s %4ss  %s\n' "$n" "${state[$n]}" "${rc[$n]}" "${secs[$n]}" "${note[$n]}"
    done
    echo "total $(now)s of ${budget}s; finished: $finished"
  } > "$1"
}
save() { # status, the JSON files and the archive into $OUT, each replaced whole (written beside it, then moved)
  local j
  write_status "$work/status.txt"; cp "$work/status.txt" "$out/.status.txt" && mv -f "$out/.status.txt" "$out/status.txt"
  for j in $JSONS; do
    [ -f "$work/$j" ] && cp "$work/$j" "$out/.$j" && mv -f "$out/.$j" "$out/$j"
  done
  tar -czf "$out/.logs.tar.gz" -C "$work" . 2>/dev/null && mv -f "$out/.logs.tar.gz" "$out/logs.tar.gz"
}
put_back() { # notebook name: nbs/NAME.ipynb as it was before its step
  [ -f "$tmp/orig/$1.ipynb" ] || return 0
  cmp -s "nbs/$1.ipynb" "$tmp/orig/$1.ipynb" || cp -p "$tmp/orig/$1.ipynb" "nbs/$1.ipynb"
}
current="" pid=""
on_kill() { # killed from outside (TERM, INT): save what there is, stop the step, put its notebook back, save again
  echo "== killed during ${current:-the set-up} ($(now)s)"
  [ -n "$current" ] && state[$current]=killed secs[$current]=$(( $(date +%s) - t0 ))
  save
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid"
  [ -n "$current" ] && put_back "$current" && save
  exit 143
}
trap on_kill TERM INT

run_step() { # name, cap in seconds, command...: run it under the smaller of cap and what the budget leaves
  local n=$1 cap=$2 t0 left limit; shift 2
  left=$(( budget - $(now) )); limit=$(( left - 10 )); [ "$limit" -lt "$cap" ] || limit=$cap
  if [ "$limit" -lt 20 ]; then
    state[$n]=skipped note[$n]="budget: ${left}s left"; echo "== $n skipped: ${left}s of the budget left"; save; return 1
  fi
  echo "== $n, at most ${limit}s ($(now)s): $*"
  current=$n t0=$(date +%s)
  timeout --kill-after=10 "$limit" "$@" > "$work/$n.log" 2>&1 &   # waited on, so that the trap runs at once
  pid=$!; wait "$pid"
  rc[$n]=$? secs[$n]=$(( $(date +%s) - t0 )) current="" pid=""
  if [ "${rc[$n]}" -eq 0 ]; then state[$n]=ok
  elif [ "${rc[$n]}" -eq 124 ] || { [ "${rc[$n]}" -eq 137 ] && [ "${secs[$n]}" -ge "$limit" ]; }; then state[$n]=timeout note[$n]="limit ${limit}s"
  else state[$n]=failed
  fi
  tail -n 25 "$work/$n.log" | cut -c1-300     # the whole log is in the archive
  echo "-- $n: ${state[$n]} (rc ${rc[$n]}, ${secs[$n]}s)"
  save
  [ "${state[$n]}" = ok ]
}

nb_step() { # notebook name, cap: executes nbs/NAME.ipynb with its #| cuda cells, keeps the result in work/
  local nb=$1 cap=$2 f="nbs/$1.ipynb"
  if [ ! -f "$f" ]; then state[$nb]=skipped note[$nb]="no $f"; echo "== $nb skipped: no $f"; save; return; fi
  if [ "$gpu_name" = none ]; then state[$nb]=skipped note[$nb]="no GPU"; echo "== $nb skipped: no GPU"; save; return; fi
  cp -p "$f" "$tmp/orig/$nb.ipynb"
  run_step "$nb" "$cap" python3 tools/run_nb.py --engine execnb --flags cuda "$f" && cp "$f" "$work/$nb.ipynb" && save
  put_back "$nb"
}

save
{ timeout 20 nvidia-smi; timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv; } > "$work/nvidia-smi.txt" 2>&1
gpu_name=$(timeout --kill-after=5 60 python3 -c "import cupy; assert cupy.cuda.runtime.getDeviceCount() > 0; print(cupy.cuda.runtime.getDeviceProperties(0)['name'].decode())" 2> "$work/gpu_probe.log") || gpu_name=none
[ -n "$gpu_name" ] || gpu_name=none
echo "== GPU: $gpu_name ($(now)s); budget ${budget}s"
run_step smoke 90 python3 -m bn_nbdev.smoke "$work/smoke.json"
run_step bench 120 python3 -m bn_nbdev.bench --device gpu --json "$work/gpu.json"
nb_step 10e_gpu_engine 150
run_step variants 120 python3 -m bn_nbdev.bench --device gpu --variants all --repeats 20 --json "$work/gpu_variants.json"
for nb in $CUDA_NBS; do nb_step "$nb" "$budget"; done
finished=yes
save
echo "== done ($(now)s): $(cd "$out" && echo *)"
cat "$out/status.txt"
