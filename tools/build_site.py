#!/usr/bin/env python
"""Build the book into `_docs/` without Quarto and without the network.

1. nbdev processes the notebooks into `_proc/`, as `nbdev_proc_nbs` does: `show_doc` output,
   `#|` directives, and backtick links to the API (run `nbdev_export` first, so that
   `bn_nbdev/_modidx.py` is current).
2. smalldocs builds HTML from `_proc/` with the project's `_quarto.yml`; sidebar and navbar
   entries for notebooks that do not exist yet are left out, with a warning.
3. Each page is finished: KaTeX (pinned in `tools/package.json`, run by node) renders the maths
   to HTML, in the table of contents too, and is served from `_docs/katex/`; nbdev's absolute links
   to the published docs (in prose, and as Markdown in signature comments) become relative links to
   the pages built here; external scripts, stylesheets and fonts are removed; and under its title,
   each page made from a notebook links to that notebook in the repository and opens it in Colab
   (both made from settings.ini's `git_url` and `branch`).

Usage: `python tools/build_site.py`, then `python -m http.server -d _docs` (search needs http).
"""
import argparse
import html
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin

import yaml

TOOLS = Path(__file__).resolve().parent
PAGE_EXTS = (".ipynb", ".qmd", ".md")
# Warnings that follow from this pipeline: nbdev writes `output-file` (links are rewritten
# instead), and maths is rendered here, whatever `html-math-method` says.
EXPECTED = ("output-file is not read", "html-math-method is ignored")
MATH = re.compile(r'<span class="math (inline|display)">\\[(\[](.*?)\\[)\]]</span>', re.S)
EXTERNAL = r'(?:https?:)?//'
TOC_LINK = re.compile(r'(<a href="#([^"]+)" id="toc-[^"]*" class="nav-link"[^>]*>)(.*?)(</a>)', re.S)
COMMENT = re.compile(r'<span class="co">(.*?)</span>', re.S)
MD_LINK = re.compile(r'\[(`[^`<]+`(?:\(\))?)\]\(([^)\s<"]+)\)')
HEADING = re.compile(r'<h([1-6])\b[^>]*\bdata-anchor-id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
LOADING_RELS = {"stylesheet", "preload", "modulepreload", "prefetch", "preconnect", "dns-prefetch", "icon"}
KATEX_JS = """
const katex = require("katex");
let s = "";
process.stdin.on("data", d => s += d).on("end", () => {
  const out = JSON.parse(s).map(([tex, display]) => {
    const o = {displayMode: display, strict: "ignore"};
    try { return {html: katex.renderToString(tex, {...o, throwOnError: true})}; }
    catch (e) { return {html: katex.renderToString(tex, {...o, throwOnError: false}), error: e.message}; }
  });
  process.stdout.write(JSON.stringify(out));
});
"""
WARNINGS = []


def warn(msg):
    "Print a warning and keep it, for `--strict`."
    WARNINGS.append(msg)
    print(f"warning: {msg}", file=sys.stderr)


def ensure_katex():
    "Install the KaTeX pinned in `tools/package.json` when `tools/node_modules` lacks it (`npm ci` when there is a lock)."
    pinned = json.loads((TOOLS / "package.json").read_text())["dependencies"]["katex"]
    installed = TOOLS / "node_modules/katex/package.json"
    if installed.exists() and json.loads(installed.read_text())["version"] == pinned:
        return
    if not shutil.which("npm"):
        sys.exit("error: KaTeX is not installed in tools/node_modules and npm is not on PATH")
    cmd = ["npm", "ci" if (TOOLS / "package-lock.json").exists() else "install", "--no-audit", "--no-fund"]
    print(f"installing KaTeX {pinned}: {' '.join(cmd)} (in tools/)", flush=True)
    subprocess.run(cmd, cwd=TOOLS, check=True)


def process_notebooks(root):
    "Run nbdev's notebook processors over `nbs/` into `_proc/`, importing this checkout's package."
    os.environ["PYTHONPATH"] = os.pathsep.join([str(root), *filter(None, [os.environ.get("PYTHONPATH")])])
    sys.path.insert(0, str(root))
    import nbdev.processors as procs
    from nbdev.config import get_config
    from nbdev.serve import proc_nbs

    # Cells flagged with a test flag (`#| cuda`) need hardware this machine may lack: the doc build
    # must not run them, just as `nbdev_test` without `--flags` does not. The patch lives in this
    # process, so the notebooks are processed here, one after another (nbdev's workers are spawned).
    flags, do_eval = set(get_config().tst_flags.split()), procs._do_eval
    procs._do_eval = lambda cell: None if flags & set(cell.directives_ or {}) else do_eval(cell)
    return Path(proc_nbs(n_workers=0, force=True))


def prune(items, nbs, missing):
    "Drop the entries of a sidebar or navbar list whose page is not in `nbs`, and sections left empty."
    out = []
    for it in items:
        if isinstance(it, dict) and "contents" in it:
            contents = prune(it["contents"] or [], nbs, missing)
            if contents:
                out.append({**it, "contents": contents})
            continue
        href = it.get("href") or it.get("file") if isinstance(it, dict) else it
        if isinstance(href, str) and href.endswith(PAGE_EXTS) and not (nbs / href).is_file():
            missing.append(href)
            continue
        out.append(it)
    return out


def write_config(root, nbs, proc):
    "Write the project's `_quarto.yml` into `_proc/`, without entries for pages that do not exist yet."
    cfg = yaml.safe_load((root / "_quarto.yml").read_text(encoding="utf-8"))
    web, missing = cfg.get("website") or {}, []
    bars = web.get("sidebar")
    for bar in bars if isinstance(bars, list) else [bars] if isinstance(bars, dict) else []:
        bar["contents"] = prune(bar.get("contents") or [], nbs, missing)
    nav = web.get("navbar")
    if isinstance(nav, dict):
        for side in ("left", "right"):
            if nav.get(side):
                nav[side] = prune(nav[side], nbs, missing)
    for m in missing:
        warn(f"_quarto.yml lists {m}, which does not exist yet: left out of the navigation")
    if not any((nbs / f"index{ext}").is_file() for ext in PAGE_EXTS):
        warn("there is no index.ipynb: the site has no front page, so the links to it are broken")
    (proc / "_quarto.yml").unlink(missing_ok=True)  # nbdev copies the symlink's target; replace it
    (proc / "_quarto.yml").write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True), encoding="utf-8")


def doc_targets(nbs):
    "Map the page names in nbdev's doc links (`_modidx.py`: `scale_shift.html`, or the `default_exp` module) to built pages."
    from execnb.nbio import read_nb
    from nbdev.doclinks import _nbpath2html
    from nbdev.processors import _default_exp

    targets = {}
    for nb in sorted(nbs.rglob("*.ipynb")):
        rel = nb.relative_to(nbs)
        if any(p.startswith(("_", ".")) for p in rel.parts):
            continue
        page = rel.with_suffix(".html").as_posix()
        targets[_nbpath2html(rel).as_posix()] = page
        exp = _default_exp(read_nb(nb))
        if exp:
            targets.setdefault(exp.replace(".", "/") + ".html", page)
    return targets


def katex(maths):
    "Render `[(tex, display), ...]` with the pinned KaTeX in one node process; return the HTML of each and its error."
    if not maths:
        return []
    r = subprocess.run(["node", "-e", KATEX_JS], input=json.dumps(maths), cwd=TOOLS, capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"error: KaTeX failed:\n{r.stderr}")
    return json.loads(r.stdout)


def relink(text, page, base, targets, ids, unresolved):
    "Turn links to `base` (the published docs) into relative links to the built pages, keeping anchors that exist."
    def sub(m):
        path = m.group(1) or "index.html"
        target = targets.get(path) or (path if path in ids else None)
        if target is None:
            unresolved[path] += 1
            return m.group(0)
        anchor = m.group(2)[1:] if m.group(2) else ""
        if anchor and anchor not in ids[target]:  # a method that has no show_doc: link to its class, else the page
            anchor = anchor.split(".")[0] if anchor.split(".")[0] in ids[target] else ""
        href = posixpath.relpath(target, posixpath.dirname(page) or ".")
        return f'href="{href}{"#" + anchor if anchor else ""}"'

    return re.sub(rf'href="{re.escape(base)}([^"#]*)(#[^"]*)?"', sub, text)


def toc_math(text):
    "Give the table of contents the maths of the headings, where smalldocs writes their TeX as text."
    heads = {m.group(2): re.sub(r"</?a\b[^>]*>", "", m.group(3)) for m in HEADING.finditer(text) if 'class="math' in m.group(3)}
    return TOC_LINK.sub(lambda m: m.group(1) + heads[m.group(2)] + m.group(4) if m.group(2) in heads else m.group(0), text)


SHOW_DOC_HEAD = re.compile(r'font-size:smaller">source</a></p>\s*<h[2-6] id="([^"]+)"')
TOC_NAV = re.compile(r'(<nav id="TOC"[^>]*>)(.*?)(</nav>)', re.S)


def toc_sections(text):
    "Drop from the page's table of contents the entries of `show_doc` headings (a function's or class's name, under its source link): the contents list the sections"
    names = set(SHOW_DOC_HEAD.findall(text))
    if not names:
        return text

    def prune(toc):
        out, pos, depth_skip = [], 0, 0
        for m in re.finditer(r'<li>|</li>', toc):
            if depth_skip:
                depth_skip += 1 if m.group(0) == "<li>" else -1
                pos = m.end()
                continue
            out.append(toc[pos:m.start()])
            pos = m.start()
            if m.group(0) == "<li>":
                link = re.match(r'<li><a href="#([^"]+)"', toc[m.start():])
                if link and link.group(1) in names:
                    depth_skip, pos = 1, m.end()
        out.append(toc[pos:])
        return re.sub(r"<ul>\s*</ul>", "", "".join(out))

    return TOC_NAV.sub(lambda m: m.group(1) + prune(m.group(2)) + m.group(3), text)


def comment_links(text):
    "Make the Markdown links that nbdev writes into the comments of `show_doc` signatures (docments) HTML links."
    return COMMENT.sub(lambda m: '<span class="co">' + MD_LINK.sub(r'<a href="\2">\1</a>', m.group(1)) + "</span>", text)


def strip_external(text, removed):
    "Remove scripts and stylesheets that load from another host, counting each URL."
    def script(m):
        removed[m.group(1)] += 1
        return ""

    def link(m):
        rel = re.search(r'\brel="([^"]*)"', m.group(0))
        if rel and set(rel.group(1).split()) & LOADING_RELS:
            removed[m.group(1)] += 1
            return ""
        return m.group(0)

    text = re.sub(rf'<script\b[^>]*\bsrc="({EXTERNAL}[^"]*)"[^>]*>\s*</script>', script, text)
    return re.sub(rf'<link\b[^>]*\bhref="({EXTERNAL}[^"]*)"[^>]*>', link, text)


def notebook_links(name, nbs, git_url, branch, root):
    "The paragraph under the title of page `name` that links to its notebook and opens it in Colab, or '' for pages not made from a notebook"
    nb = nbs / (name.removesuffix(".html") + ".ipynb")
    if name == "index.html" or not nb.exists():
        return ""
    path = nb.relative_to(root).as_posix()
    repo = git_url.rstrip("/").removesuffix(".git").split("github.com/")[-1]
    return (f'<p class="notebook-links"><a href="{git_url.rstrip("/")}/blob/{branch}/{path}">The notebook</a> · '
            f'<a href="https://colab.research.google.com/github/{repo}/blob/{branch}/{path}">Open in Colab</a> '
            '(its first cell installs the package where it is missing; Colab has a GPU runtime)</p>')


def finish_pages(out, nbs, base, links=lambda name: ""):
    "Render the maths, rewrite doc links, remove external resources and add `links(name)` under the title of every page of `out`; return the number of maths."
    pages = {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.html"))}
    ids = {k: set(re.findall(r'\bid="([^"]+)"', v)) for k, v in pages.items()}
    targets = doc_targets(nbs)
    where = {}  # (tex, display) -> the pages it is on
    for name in pages:
        pages[name] = text = toc_sections(toc_math(pages[name]))
        for kind, tex in MATH.findall(text):
            where.setdefault((html.unescape(tex), kind == "display"), []).append(name)
    rendered = dict(zip(where, katex(list(where))))
    for key, r in rendered.items():
        if "error" in r:
            warn(f"KaTeX cannot render `{key[0]}` on {', '.join(sorted(set(where[key])))}: {r['error']}")
    unresolved, removed = Counter(), Counter()
    for name, text in pages.items():
        has_math = bool(MATH.search(text))
        text = MATH.sub(lambda m: f'<span class="math {m.group(1)}">{rendered[html.unescape(m.group(2)), m.group(1) == "display"]["html"]}</span>', text)
        text = strip_external(relink(comment_links(text), name, base, targets, ids, unresolved), removed)
        if extra := links(name):
            text = re.sub(r'(<h1 class="title">.*?</h1>)', lambda m: m.group(1) + extra, text, count=1, flags=re.S)
        if has_math:
            css = posixpath.relpath("katex/katex.min.css", posixpath.dirname(name) or ".")
            text = text.replace("</head>", f'<link rel="stylesheet" href="{css}"></head>', 1)
        for url in re.findall(rf'\bsrc="({EXTERNAL}[^"]*)"', text):
            warn(f"{name} loads {url} from another host: put the file in the project instead")
        (out / name).write_text(text, encoding="utf-8")
    for url, n in sorted(removed.items()):
        print(f"removed {url} from {n} page(s)")
    for page, n in sorted(unresolved.items()):
        warn(f"{n} doc link(s) to {base}{page}: no page of this site builds it; left pointing at the published docs")
    return sum(map(len, where.values()))


def finish_css(out):
    "Drop `@import`s of stylesheets on other hosts (the theme's web fonts), and warn about other external URLs."
    for css in out.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        new = re.sub(rf'@import\s+(?:url\(\s*["\']?{EXTERNAL}[^)]*\)|["\']{EXTERNAL}[^"\']*["\'])[^;]*;', "", text)
        if new != text:
            css.write_text(new, encoding="utf-8")
        if re.search(rf'url\(\s*["\']?{EXTERNAL}', new):
            warn(f"{css.relative_to(out)} still refers to a file on another host")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--root", type=Path, default=TOOLS.parent, help="the project folder, with settings.ini (default: this checkout)")
    p.add_argument("--strict", action="store_true", help="exit 1 when there is any warning")
    args = p.parse_args(argv)
    start, cwd = time.perf_counter(), Path.cwd()
    root = args.root.resolve()
    os.chdir(root)
    from nbdev.config import get_config
    from smalldocs.config import BuildError
    from smalldocs.site import build

    cfg = get_config()
    nbs, out = cfg.nbs_path, cfg.doc_path
    ensure_katex()
    try:
        proc = process_notebooks(root)
    except Exception as e:  # a notebook whose exported, show_doc or import cells fail (nbdev runs those cells)
        c = e.__cause__
        cause = f"{type(c).__name__}: {c}" if c else ""
        print(f"error: nbdev could not process the notebooks: {e}\n{cause}\n(to build the docs nbdev runs only the cells that export, "
              "call show_doc or import, skipping the rest: keep imports in cells of their own)", file=sys.stderr)
        return 1
    write_config(root, nbs, proc)
    try:
        site = build(proc, quiet=True)
    except BuildError as e:
        print(f"error: smalldocs: {e}", file=sys.stderr)
        return 1
    for w in site.warnings:
        if not any(e in w for e in EXPECTED):
            warn(w)
    shutil.rmtree(out, ignore_errors=True)
    shutil.move(site.out, out)
    dist = TOOLS / "node_modules/katex/dist"
    shutil.copytree(dist / "fonts", out / "katex/fonts")
    shutil.copy(dist / "katex.min.css", out / "katex")
    base = urljoin(cfg.doc_host + "/", cfg.doc_baseurl).rstrip("/") + "/"  # as nbdev writes its doc links
    n_math = finish_pages(out, nbs, base, lambda name: notebook_links(name, nbs, cfg.git_url, cfg.branch, root))
    finish_css(out)
    print(f"site: {out}\npages: {len(site.pages)} ({n_math} maths rendered by KaTeX)\nbuild time: {time.perf_counter() - start:.1f} s")
    print(f"serve it (search needs http, not file://): python -m http.server -d {out.relative_to(cwd) if cwd in out.parents else out}  then open http://localhost:8000/")
    return 1 if args.strict and WARNINGS else 0


if __name__ == "__main__":
    sys.exit(main())
