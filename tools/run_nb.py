"""Execute notebooks in place for saving, skipping what `nbdev_test` skips: cells marked `#| eval: false`
and cells flagged with a test flag from settings.ini (`#| cuda`) unless that flag is passed.

    python tools/run_nb.py nbs/08_experiments.ipynb [--flags cuda] [--engine execnb]

Then `nbdev_clean --fname NB`. (Plain `jupyter nbconvert --execute` runs `#| eval: false` cells too,
which in chapter 08 means the 20-minute full experiments.) Two engines: a Jupyter kernel through
nbclient (the default where nbclient and ipykernel are installed), or execnb's in-process shell, which
is what `nbdev_test` uses and all that the GPU kit brings. A notebook whose run fails is not written."""
import argparse, configparser, importlib.util, os, re, sys
from pathlib import Path

def directives(src):
    "The `#|` directive names of a cell's source"
    return {m.group(1) for m in re.finditer(r'^#\|\s*([\w-]+)', src, re.M)}

def skipped(src, skip_flags):
    "Whether `nbdev_test` would skip a cell with source `src`"
    return bool(re.search(r'^#\|\s*eval:\s*false', src, re.M | re.I)) or bool(directives(src) & skip_flags)

def run_nbclient(fn, skip_flags, timeout):
    import nbformat
    from nbclient import NotebookClient
    class Client(NotebookClient):
        async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
            if cell.cell_type == 'code' and skipped(cell.source, skip_flags):
                cell.outputs = []; return cell
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
    nb = nbformat.read(fn, as_version=4)
    Client(nb, timeout=timeout, kernel_name='python3', resources={'metadata': {'path': str(Path(fn).parent)}}).execute()
    nbformat.write(nb, fn)

def run_execnb(fn, skip_flags, timeout):
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    nb, here = read_nb(fn), os.getcwd()
    def pre(cell):
        if cell.cell_type == 'code' and skipped(cell.source, skip_flags): cell.outputs = []; return True
        return False
    os.chdir(Path(fn).parent)
    try:
        shell = CaptureShell(path=Path(fn).resolve())
        shell.run_all(nb, exc_stop=True, preproc=pre)
    finally: os.chdir(here)
    write_nb(nb, fn)

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('notebooks', nargs='+')
    p.add_argument('--flags', default='', help='test flags to run, e.g. cuda')
    p.add_argument('--timeout', type=int, default=1200, help='seconds per cell (nbclient)')
    p.add_argument('--engine', choices=('auto', 'nbclient', 'execnb'), default='auto')
    a = p.parse_args(argv)
    os.environ.setdefault('BN_NBDEV_PROGRESS', '0')   # saved outputs carry no progress bars (bn_nbdev.nn.fit reads this)
    cfg = configparser.ConfigParser(); cfg.read(Path(__file__).resolve().parents[1] / 'settings.ini')
    skip_flags = set(cfg['DEFAULT'].get('tst_flags', '').split()) - set(a.flags.split())
    engine = a.engine
    if engine == 'auto':
        have = all(importlib.util.find_spec(m) for m in ('nbclient', 'ipykernel'))
        engine = 'nbclient' if have else 'execnb'
    for fn in a.notebooks:
        (run_nbclient if engine == 'nbclient' else run_execnb)(fn, skip_flags, a.timeout)
        print(f'executed {fn} ({engine})')

if __name__ == '__main__': main()
