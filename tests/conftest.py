"""Shared fixtures: the built website, a local server for it, and headless Chromium.

The site is built once per test session with ``jupyter-book build . -W -n --keep-going``
(warnings are errors), unless a build made by this fixture is newer than every source
(chapters, configuration, and the ``lrbook`` package whose output the chapters show).
The notebooks are executed through the lrbook-keyed jupyter-cache of
``booktools.execution`` (in parallel; a notebook whose code, ``lrbook`` and
requirements did not change is not executed again), so a rebuild after a prose change
is quick and a change to ``lrbook`` still re-executes everything.

Every test that uses one of these fixtures is marked ``e2e`` here
(``pytest_collection_modifyitems``), whether or not its module says so, so that
``-m "not e2e"`` (the fast inner loop) never builds the site or starts Chromium.
"""

from __future__ import annotations

import fcntl
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

# --dist loadgroup under pytest 9 (see tests/xdist_groups.py)
pytest_plugins = ["xdist_groups"]

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
HTML = BUILD / "html"
STAMP = BUILD / ".lrbook-site-build"  # written after a clean, warning-free build
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Sphinx reports "path:line: WARNING: ..." / "ERROR: ..." (with a space after the
# colon). Kernels' own stderr ("[IPKernelApp] WARNING | ...", "ERROR:tornado...:" while
# shutting down) is not a Sphinx warning and does not fail -W.
SPHINX_PROBLEM = re.compile(r"(^|: )(WARNING|ERROR|CRITICAL|SEVERE): ", re.M)

#: A test that uses any of these fixtures is end-to-end: it builds the book or drives
#: Chromium. It gets the ``e2e`` marker even if its module forgets it.
E2E_FIXTURES = frozenset({"built_site", "site_url", "browser"})


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if E2E_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


def site_sources() -> list[Path]:
    """Every file whose change can change the built site (the .ipynb twins too: the
    download buttons serve them; tools/booktools holds the book's Sphinx extensions)."""
    files = [ROOT / "_config.yml", ROOT / "_toc.yml", ROOT / "pyproject.toml"]
    files += [ROOT / "requirements.txt", *sorted((ROOT / "tools").rglob("*.py"))]
    for path in (ROOT / "book").rglob("*"):
        if (
            path.is_file()
            and "_build" not in path.parts
            and ".ipynb_checkpoints" not in path.parts
        ):
            files.append(path)
    for path in (ROOT / "lrbook").rglob("*"):
        if path.is_file() and path.suffix in {".py", ".js", ".css", ".json"}:
            files.append(path)
    return [f for f in files if f.exists()]


def site_is_fresh() -> bool:
    if not STAMP.exists() or not (HTML / "index.html").exists():
        return False
    newest = max(p.stat().st_mtime for p in site_sources())
    return STAMP.stat().st_mtime > newest


def build_site() -> str:
    """Build the book from scratch, warning-free; return the build's output."""
    for sub in ("html", "jupyter_execute", ".doctrees"):
        shutil.rmtree(BUILD / sub, ignore_errors=True)
    STAMP.unlink(missing_ok=True)
    env = dict(os.environ)
    # A kernel inherits MPLBACKEND: with "Agg" the chapters' matplotlib figures would
    # silently vanish from the pages (ipykernel only selects its inline backend when
    # MPLBACKEND is unset).
    env.pop("MPLBACKEND", None)
    exe = Path(sys.executable).with_name("jupyter-book")
    cmd = [
        str(exe) if exe.exists() else "jupyter-book",
        "build",
        ".",
        "-W",
        "-n",
        "--keep-going",
    ]
    proc = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800
    )
    log = proc.stdout + proc.stderr
    (BUILD / "site-build.log").write_text(log, encoding="utf-8")
    problems = [line for line in log.splitlines() if SPHINX_PROBLEM.search(line)]
    if proc.returncode != 0 or problems:
        pytest.fail(
            "the book build is not clean (jupyter-book build . -W -n "
            f"--keep-going exited {proc.returncode}):\n"
            + "\n".join(problems or log.splitlines()[-40:]),
            pytrace=False,
        )
    STAMP.write_text(time.strftime("%Y-%m-%d %H:%M:%S\n"), encoding="utf-8")
    return log


@pytest.fixture(scope="session")
def built_site() -> Path:
    """``_build/html``, built (warning-free) unless a fresh clean build exists."""
    BUILD.mkdir(exist_ok=True)
    with open(BUILD / ".lrbook-site-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time (pytest-xdist workers)
        try:
            if not site_is_fresh():
                build_site()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return HTML


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def site_url(built_site: Path):
    """Base URL (``http://127.0.0.1:<port>/``) of a threaded server for the site."""
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (never ``playwright install``).

    Skipped when /usr/bin/chromium is missing, except in CI (env ``CI`` set), where the
    browser test must run: there it fails instead.
    """
    if not CHROMIUM.exists():
        message = (
            f"{CHROMIUM} is missing: install Debian's chromium "
            "(apt-get install -y chromium) for the browser test"
        )
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
