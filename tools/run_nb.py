"""Execute notebooks in place for saving, skipping what `nbdev_test` skips: cells marked `#| eval: false`
and cells flagged with a test flag from settings.ini (`#| cuda`) unless that flag is passed.

    python tools/run_nb.py nbs/08_experiments.ipynb [--flags cuda]

Then `nbdev_clean --fname NB`. (Plain `jupyter nbconvert --execute` runs `#| eval: false` cells too,
which in chapter 08 means the 20-minute full experiments.)"""
import argparse, configparser, re
from pathlib import Path
import nbformat
from nbclient import NotebookClient

def directives(src):
    "The `#|` directive names of a cell's source"
    return {m.group(1) for m in re.finditer(r'^#\|\s*([\w-]+)', src, re.M)}

def skipped(src, skip_flags):
    "Whether `nbdev_test` would skip a cell with source `src`"
    return bool(re.search(r'^#\|\s*eval:\s*false', src, re.M | re.I)) or bool(directives(src) & skip_flags)

class _Client(NotebookClient):
    skip_flags = set()
    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type == 'code' and skipped(cell.source, self.skip_flags):
            cell.outputs = []; return cell
        return await super().async_execute_cell(cell, cell_index, execution_count, store_history)

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('notebooks', nargs='+')
    p.add_argument('--flags', default='', help='test flags to run, e.g. cuda')
    p.add_argument('--timeout', type=int, default=1200, help='seconds per cell')
    a = p.parse_args(argv)
    cfg = configparser.ConfigParser(); cfg.read(Path(__file__).resolve().parents[1] / 'settings.ini')
    _Client.skip_flags = set(cfg['DEFAULT'].get('tst_flags', '').split()) - set(a.flags.split())
    for fn in a.notebooks:
        nb = nbformat.read(fn, as_version=4)
        _Client(nb, timeout=a.timeout, kernel_name='python3', resources={'metadata': {'path': str(Path(fn).parent)}}).execute()
        nbformat.write(nb, fn)
        print('executed', fn)

if __name__ == '__main__': main()
