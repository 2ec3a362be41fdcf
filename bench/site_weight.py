"""Bytes per page of the built website: what a reader's browser downloads.

Each page of the table of contents is loaded in headless Chromium (1,280 px, cold cache,
network cut: only the site itself answers), and the bodies of every response are summed:
the HTML, every script, stylesheet, font and image it loads, MathJax's included. Prints
the mean and the largest page, and with two sites the ratios (second / first)::

    .venv/bin/python bench/site_weight.py                      # _build/html
    .venv/bin/python bench/site_weight.py OLD_HTML _build/html  # before / after
    .venv/bin/python bench/site_weight.py --pages book/intro.html,book/ch06-cyclic-one-cycle.html

(A build of the same sources with ``LRBOOK_SITE_ASSETS=all`` set, or of an older
commit, gives the "before"; see booktools.site_assets.) Times are not measured.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import statistics
import sys
import threading
from pathlib import Path

from booktools import twins as TWINS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


PAGES = [
    p.relative_to(ROOT).with_suffix(".html").as_posix() for p in TWINS.toc_files(ROOT)
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def weigh(site: Path, pages: list[str] = PAGES) -> dict[str, int]:
    """Bytes each page makes the browser download, by page."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    out = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox"]
            )
            for page_path in pages:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                sizes = {}

                def route(r):
                    if r.request.url.startswith((base, "data:", "blob:")):
                        r.continue_()
                    else:
                        r.abort()

                def seen(response, sizes=sizes):
                    try:
                        sizes[response.url] = len(response.body())
                    except Exception:  # noqa: BLE001 (a redirect or aborted request)
                        pass

                page.route("**/*", route)
                page.on("response", seen)
                page.goto(base + page_path, wait_until="load")
                page.evaluate(
                    "async () => { if (window.MathJax && MathJax.startup)"
                    " await MathJax.startup.promise; }"
                )
                page.wait_for_load_state("networkidle")
                out[page_path] = sum(sizes.values())
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sites", nargs="*", type=Path, help="built sites (_build/html)")
    parser.add_argument(
        "--pages",
        help="comma-separated pages to weigh (default: every page of the contents)",
    )
    args = parser.parse_args(argv)
    sites = args.sites or [ROOT / "_build" / "html"]
    pages = PAGES
    if args.pages:
        pages = [p.strip() for p in args.pages.split(",") if p.strip()]
        unknown = [p for p in pages if p not in PAGES]
        if unknown or not pages:
            parser.error(
                f"--pages: {unknown or args.pages!r} not in the contents; "
                f"choose among {', '.join(PAGES)}"
            )
    results = []
    weighed: dict[Path, dict[str, int]] = {}  # a site given twice is weighed once
    for site in sites:
        if site.resolve() not in weighed:
            weighed[site.resolve()] = weigh(site, pages)
        sizes = weighed[site.resolve()]
        mean, top = statistics.mean(sizes.values()), max(sizes.values())
        results.append((mean, top))
        print(f"{site}: mean {mean / 1e3:,.0f} KB, max {top / 1e3:,.0f} KB per page")
        for page_path, size in sizes.items():
            print(f"    {page_path:45s} {size / 1e3:9,.0f} KB")
    if len(results) == 2:
        (m0, t0), (m1, t1) = results
        print(f"ratio second/first: mean {m1 / m0:.2f}, max {t1 / t0:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
