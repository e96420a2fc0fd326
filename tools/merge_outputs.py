"""Copy the outputs of flagged cells (`#| cuda`) from a notebook executed elsewhere (on a GPU machine) into
the same notebook here, leaving every other cell's output as it is; cells are matched by their source.

    python tools/merge_outputs.py gpu_out/10e_gpu_engine.ipynb nbs/10e_gpu_engine.ipynb --flag cuda

Then `nbdev_clean --fname nbs/10e_gpu_engine.ipynb`."""
import argparse, re
import nbformat

def flagged(src, flag): return bool(re.search(rf'^#\|\s*{re.escape(flag)}\s*$', src, re.M))

def merge(src_nb, dst_nb, flag):
    "Copy outputs of `flag`ged code cells from `src_nb` into `dst_nb` (in place); returns how many cells"
    by_source = {c.source: c for c in src_nb.cells if c.cell_type == 'code' and flagged(c.source, flag)}
    n, missing = 0, []
    for c in dst_nb.cells:
        if c.cell_type != 'code' or not flagged(c.source, flag): continue
        if c.source not in by_source: missing.append(c.source.splitlines()[1][:60] if '\n' in c.source else c.source); continue
        c.outputs = by_source[c.source].outputs; n += 1
    if missing: raise SystemExit(f'{len(missing)} flagged cells differ from the executed notebook, e.g. {missing[0]!r}: rerun it')
    return n

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('src'); p.add_argument('dst'); p.add_argument('--flag', default='cuda')
    a = p.parse_args(argv)
    dst = nbformat.read(a.dst, as_version=4)
    n = merge(nbformat.read(a.src, as_version=4), dst, a.flag)
    nbformat.write(dst, a.dst)
    print(f'copied the outputs of {n} #| {a.flag} cells into {a.dst}')

if __name__ == '__main__': main()
