#!/usr/bin/env python
"""Write `README.md` from the readme notebook (`nbs/index.ipynb`) without Quarto, as `nbdev_readme` would.

Markdown cells are copied as they are, except that links to other notebooks point at their pages
on the published docs (`doc_host` + `doc_baseurl`). A code cell becomes a ```python block without
its `#|` lines; its stdout and plain-text results follow in plain ``` blocks and its Markdown
displays as Markdown (pictures and stderr are left out). Cells with `#| hide`, `#| include: false`
or an export directive (`export`, `exporti`, `default_exp`) are left out; `#| echo: false` keeps
only the output and `#| output: false` only the code. The result depends on the notebook alone,
so a second run changes nothing.

Usage: `python tools/make_readme.py` to write it, `--check` to exit 1 when it is out of date.
"""
import argparse
import configparser
import json
import re
import sys
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parent.parent
DIRECTIVE = re.compile(r"^\s*#\s*\|\s?(.*)$")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
SKIP = {"hide", "export", "exporti", "default_exp"}
NB_LINK = re.compile(r"\]\((?![a-z]+:|/|#)([^)\s#]+)\.ipynb(#[^)\s]*)?\)")


def text(v):
    "Join a notebook field that may be stored as a list of lines."
    return "".join(v) if isinstance(v, list) else v


def directives(src):
    "Split a code cell into its `#|` directives, as {name: value}, and the code after them."
    lines, opts = src.split("\n"), {}
    while lines and DIRECTIVE.match(lines[0]):
        d = DIRECTIVE.match(lines.pop(0)).group(1).strip()
        name, _, value = d.partition(":") if ":" in d.split(" ")[0] else d.partition(" ")
        opts[name.strip()] = value.strip().lower()
    return opts, "\n".join(lines).strip("\n")


def fence(body, lang=""):
    "A fenced block that its body cannot close."
    ticks = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", body)), default=0))
    return f"{ticks}{lang}\n{body}\n{ticks}"


def outputs(cell):
    "The cell's text outputs, as Markdown: Markdown displays as they are, other text in plain blocks."
    out = []
    for o in cell.get("outputs", []):
        data = o.get("data", {})
        if o.get("output_type") == "stream":
            if o.get("name") == "stderr":  # warnings and progress bars
                continue
            body = text(o.get("text", ""))
        elif any(k.startswith("image/") for k in data):
            continue
        elif "text/markdown" in data:
            out.append(text(data["text/markdown"]).strip("\n"))
            continue
        else:
            body = text(data.get("text/plain", ""))
        body = ANSI.sub("", body).rstrip()
        if body:
            out.append(fence(body))
    return out


def readme(nb, docs):
    "The README's Markdown for a notebook, its links to notebooks pointing at their pages under the URL `docs`."
    parts = []
    for cell in nb["cells"]:
        src = text(cell.get("source", ""))
        if cell["cell_type"] == "markdown":
            parts.append(NB_LINK.sub(lambda m: f"]({docs}{m.group(1)}.html{m.group(2) or ''})", src.strip("\n")))
        elif cell["cell_type"] == "code":
            opts, code = directives(src)
            if SKIP & opts.keys() or opts.get("include") == "false":
                continue
            if code and opts.get("echo") != "false":
                parts.append(fence(code, "python"))
            if opts.get("output") != "false":
                parts += outputs(cell)
    return "\n\n".join(p for p in parts if p) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--root", type=Path, default=ROOT, help="the project folder, with settings.ini (default: this checkout)")
    p.add_argument("--check", action="store_true", help="write nothing; exit 1 when README.md is not what the notebook makes")
    args = p.parse_args(argv)
    cfg = configparser.ConfigParser(delimiters=["="])
    cfg.read(args.root / "settings.ini", encoding="utf-8")
    d = cfg["DEFAULT"]
    nb_path = args.root / d.get("nbs_path", "nbs") / d.get("readme_nb", "index.ipynb")
    if not nb_path.exists():
        print(f"error: {nb_path} does not exist", file=sys.stderr)
        return 1
    docs = urljoin(d.get("doc_host", "") + "/", d.get("doc_baseurl", "")).rstrip("/") + "/"
    new = readme(json.loads(nb_path.read_text(encoding="utf-8")), docs)
    dest = args.root / "README.md"
    old = dest.read_text(encoding="utf-8") if dest.exists() else None
    if args.check:
        if old != new:
            print(f"README.md is out of date with {nb_path.name}: run python tools/make_readme.py", file=sys.stderr)
            return 1
        print("README.md is up to date")
        return 0
    if old != new:
        dest.write_text(new, encoding="utf-8")
    print(f"{'wrote' if old != new else 'unchanged:'} {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
