#!/usr/bin/env python
"""Open every page of the built book in headless Chromium and list what is broken.

The site (`_docs/` by default) is served on a loopback port; Chromium is driven over the Chrome
DevTools Protocol (PyPI `websocket-client`). A page fails where it shows raw TeX (`$...$`, `\\frac`,
`\\(` outside `.katex` elements and code) or a KaTeX error, where an image does not load
(`naturalWidth == 0`), where a link inside the site points at a missing file or `#anchor`, where a
file of the site fails to load, where the theme's stylesheet does not apply, or where anything is
requested from another host. Search is tried once, on the first page. Every public function and
class in the package's `_modidx.py` must have its `show_doc` anchor on the page nbdev links it to
(the site is taken to be the `_docs/` of its project). Exit status 1 when there is any problem.

Usage: `python tools/check_site.py [_docs] [--screenshot DIR]`
"""
import argparse
import base64
import configparser
import functools
import http.server
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

try:
    import websocket
except ImportError:
    sys.exit("error: check_site needs the PyPI package websocket-client: pip install websocket-client==1.9.2")

from build_site import doc_targets

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-proxy-server", "--remote-debugging-port=0", "--window-size=1280,900"]
# Runs in each page once it has loaded: what the page shows, as the reader sees it.
PAGE_JS = r"""(async () => {
  for (const img of document.images) img.loading = "eager";
  await Promise.all([...document.images].map(i => i.decode().catch(() => {})));
  await document.fonts.ready;
  const raw = [], skip = "script,style,code,pre,textarea,.katex,.katex-error";
  const tex = /(^|[^\\$])\$(?!\s)[^$]+?(?<![\s\\])\$(?!\d)|\\(?:[()\[\]]|(?:frac|dfrac|sqrt|sum|prod|hat|bar|tilde|mathbf|mathrm|mathcal|operatorname|left|right|begin|end|partial|nabla|cdot|times|alpha|beta|gamma|mu|sigma|epsilon|varepsilon|theta|lambda)(?![a-zA-Z]))/;
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walk.nextNode());) {
    if (!n.parentElement.closest(skip) && tex.test(n.textContent)) raw.push(n.textContent.trim().slice(0, 80));
  }
  return {
    themed: getComputedStyle(document.documentElement).getPropertyValue("--bs-body-font-family") !== "",
    math: document.querySelectorAll(".katex").length,
    mathUnstyled: [...document.querySelectorAll(".katex-mathml")].filter(e => getComputedStyle(e).position !== "absolute").length,
    mathErrors: [...document.querySelectorAll(".katex-error")].map(e => e.title || e.textContent),
    raw,
    images: document.images.length,
    brokenImages: [...document.images].filter(i => !i.naturalWidth).map(i => i.src.slice(0, 80)),
    links: [...document.querySelectorAll("a[href]")].map(a => a.href),
    ids: [...document.querySelectorAll("[id], a[name]")].map(e => e.id || e.name),
  };
})()"""
SEARCH_JS = r"""(async (word) => {
  const input = document.querySelector(".smalldocs-search input");
  if (!input) return [];
  input.value = word;
  input.dispatchEvent(new Event("input"));
  for (let i = 0; i < 50; i++) {
    await new Promise(r => setTimeout(r, 100));
    const hits = [...document.querySelectorAll(".smalldocs-search-results a.search-result")];
    if (hits.length) return hits.map(a => a.href);
  }
  return [];
})"""


class CDP:
    "A small Chrome DevTools Protocol client for one page: commands, and the events that arrive meanwhile."

    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self.n, self.events = 0, []

    def __call__(self, method, **params):
        "Send a command and return its result, keeping the events that come before it."
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.n:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error'].get('message')}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait(self, method):
        "Wait for an event (it may already have come)."
        while not any(e.get("method") == method for e in self.events):
            self.events.append(json.loads(self.ws.recv()))

    def goto(self, url):
        "Load a page and wait for its load event; the events kept are this page's."
        self.events = []
        self("Page.navigate", url=url)
        self.wait("Page.loadEventFired")

    def evaluate(self, expr):
        "Evaluate JavaScript in the page, awaiting a promise, and return its value."
        r = self("Runtime.evaluate", expression=expr, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(r["exceptionDetails"].get("exception", {}).get("description", "script error"))
        return r["result"].get("value")


def find_chromium():
    "Find Chromium (or Chrome) on PATH; without one, stop with a message that says how to install it."
    found = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"))), None)
    if not found:
        sys.exit("error: check_site needs Chromium or Chrome on PATH and found neither. Install Debian's package:\n"
                 "    sudo apt-get update && sudo apt-get install -y chromium\n"
                 "(bash .ci/run does this itself; GitHub's ubuntu-latest runners have Chrome already.)")
    return found


def serve(site):
    "Serve `site` on a free loopback port in a thread; return the server."
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def launch(chrome, profile):
    "Start headless Chromium with a fresh profile; return the process and a client for its page."
    proc = subprocess.Popen([chrome, *FLAGS, f"--user-data-dir={profile}", "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = Path(profile) / "DevToolsActivePort"
    for _ in range(300):
        if port_file.exists() and port_file.read_text().strip():
            break
        if proc.poll() is not None:
            sys.exit(f"error: Chromium exited with code {proc.returncode}")
        time.sleep(0.1)
    else:
        proc.kill()
        sys.exit("error: Chromium did not open its DevTools port within 30 s")
    port = port_file.read_text().split()[0]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as r:
        page = next(t for t in json.load(r) if t["type"] == "page")
    return proc, CDP(page["webSocketDebuggerUrl"])


def network_problems(events, origin):
    "Read the requests of a page load: the ones to other hosts, and the site's files that failed."
    urls, out = {}, []
    for e in events:
        m, p = e.get("method"), e.get("params", {})
        if m == "Network.requestWillBeSent":
            urls[p["requestId"]] = p["request"]["url"]
        url = urls.get(p.get("requestId"), "")
        if url == origin + "favicon.ico":  # the browser asks for it by itself
            continue
        if m == "Network.requestWillBeSent" and not url.startswith((origin, "data:", "blob:", "about:")):
            out.append(f"requests {url} from another host")
        elif m == "Network.responseReceived" and url and p["response"]["status"] >= 400:
            out.append(f"{url}: HTTP {p['response']['status']}")
        elif m == "Network.loadingFailed" and url.startswith(origin):
            out.append(f"{url}: {p['errorText']}")
    return out


def link_problems(link, origin, site, ids):
    "Check a link inside the site: its file, and its anchor on a page of the site."
    if not link.startswith(origin):
        return None
    parts = urlsplit(link)
    path = unquote(parts.path).lstrip("/")
    if not path or path.endswith("/"):
        path += "index.html"
    if not (site / path).is_file():
        return f"broken link /{link[len(origin):]}: no file {path}"
    anchor = unquote(parts.fragment)
    if anchor and path in ids and anchor not in ids[path]:
        return f"broken link /{link[len(origin):]}: {path} has no #{anchor}"
    return None


def check(site, screenshots):
    "Check every page of `site`; return the problems by page, the totals, and the number of pages."
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.relative_to(site).parts[0] not in ("site_libs", "katex"))
    if not pages:
        sys.exit(f"error: no pages in {site}; build it first: python tools/build_site.py")
    server = serve(site)
    origin = f"http://127.0.0.1:{server.server_address[1]}/"
    problems, ids, links, totals = {}, {}, {}, dict(math=0, images=0, internal=0, external=0, api=0)
    profile = tempfile.mkdtemp(prefix="check_site-")
    chrome, cdp = launch(find_chromium(), profile)
    try:
        for domain in ("Page", "Network", "Runtime"):
            cdp(f"{domain}.enable")
        cdp("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
        for page in pages:
            cdp.goto(origin + page)
            r = cdp.evaluate(PAGE_JS)
            probs = [f"raw TeX: {t!r}" for t in r["raw"]] + [f"KaTeX error: {t}" for t in r["mathErrors"]]
            probs += [f"image does not load: {s}" for s in r["brokenImages"]] + network_problems(cdp.events, origin)
            probs += [] if r["themed"] else ["the theme's stylesheet does not apply (no Bootstrap variables)"]
            probs += [f"KaTeX's stylesheet does not apply to {r['mathUnstyled']} maths"] if r["mathUnstyled"] else []
            made_from_nb = page != "index.html" and (site.parent / "nbs" / page.replace(".html", ".ipynb")).exists()
            probs += ["no links to its notebook and to Colab under the title"] if made_from_nb and 'class="notebook-links"' not in (site / page).read_text(encoding="utf-8") else []
            problems[page], ids[page], links[page] = probs, set(r["ids"]), r["links"]
            totals["math"] += r["math"]
            totals["images"] += r["images"]
            if screenshots:
                height = min(cdp("Page.getLayoutMetrics")["cssContentSize"]["height"], 8000)
                shot = cdp("Page.captureScreenshot", format="png", captureBeyondViewport=True, clip=dict(x=0, y=0, width=1280, height=height, scale=1))
                dest = screenshots / (page.removesuffix(".html").replace("/", "__") + ".png")
                dest.write_bytes(base64.b64decode(shot["data"]))
            print(f"{page}: {r['math']} maths, {r['images']} images, {len(r['links'])} links, {len(probs)} problems")
        links["search"] = search_hits(cdp, site, origin, pages)
        problems["search"] = [] if links["search"] else ["search finds nothing (is search.json there, and is the site served over http?)"]
    finally:
        chrome.terminate()
        chrome.wait()
        server.shutdown()
        shutil.rmtree(profile, ignore_errors=True)
    for page, hrefs in links.items():
        for link in hrefs:
            totals["internal" if link.startswith(origin) else "external"] += 1
            p = link_problems(link, origin, site, ids)
            if p:
                problems[page].append(p)
    problems["API docs"], totals["api"] = api_problems(site.parent, ids)
    return problems, totals, len(pages)


def api_problems(root, ids):
    "Find the public functions and classes of `_modidx.py` whose `show_doc` anchor is not on their page; count the rest."
    cfg = configparser.ConfigParser(delimiters=["="])
    cfg.read(root / "settings.ini", encoding="utf-8")
    lib = cfg["DEFAULT"].get("lib_path")
    idx = root / (lib or "<lib_path>") / "_modidx.py"
    if not idx.is_file():
        print(f"API docs: not checked, no {idx} (nbdev_export writes it)")
        return [], 0
    ns = {}
    exec(idx.read_text(encoding="utf-8"), ns)
    targets, out, n = doc_targets(root / cfg["DEFAULT"].get("nbs_path", "nbs")), [], 0
    for mod, syms in ns["d"]["syms"].items():
        for sym, (loc, _) in syms.items():
            name = sym[len(mod) + 1:]
            if "." in name or name.startswith("_"):
                continue
            doc, _, anchor = loc.partition("#")
            page = targets.get(doc)
            if page is None:
                out.append(f"{sym}: no page of the site is its notebook ({doc})")
            elif anchor not in ids.get(page, ()):
                out.append(f"{sym}: no API docs (show_doc) at {page}#{anchor}")
            n += 1
    return out, n - len(out)


def search_hits(cdp, site, origin, pages):
    "Type a word from the search index into the first page's search box; return the links it finds."
    entries = json.loads((site / "search.json").read_text(encoding="utf-8")) if (site / "search.json").exists() else []
    word = next((w for e in entries for w in (e["title"] + " " + e["text"]).split() if len(w) >= 5 and w.isalpha()), None)
    if word is None:
        return []
    start = "index.html" if "index.html" in pages else pages[0]
    cdp.goto(origin + start)
    hits = cdp.evaluate(f"{SEARCH_JS}({json.dumps(word)})")
    print(f"search for {word!r} on {start}: {len(hits)} results")
    return hits


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("site", nargs="?", type=Path, default=Path(__file__).resolve().parent.parent / "_docs", help="the built site (default: _docs of this checkout)")
    p.add_argument("--screenshot", type=Path, metavar="DIR", help="save a PNG screenshot of each page in DIR")
    args = p.parse_args(argv)
    if args.screenshot:
        args.screenshot.mkdir(parents=True, exist_ok=True)
    problems, totals, n = check(args.site.resolve(), args.screenshot)
    bad = {k: v for k, v in problems.items() if v}
    for page, probs in bad.items():
        for prob in probs:
            print(f"FAIL {page}: {prob}")
    print(f"pages checked: {n}; math elements: {totals['math']}; images: {totals['images']}; "
          f"links: {totals['internal']} internal checked, {totals['external']} external not followed; "
          f"API symbols documented: {totals['api']}; problems: {sum(map(len, bad.values()))}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
