"""Execute the book's notebooks in parallel, into a cache that ``lrbook`` invalidates.

MyST-NB's ``execute_notebooks: cache`` reuses a notebook's outputs while its code cells
are unchanged (prose edits do not count), but it cannot know that the outputs also
depend on ``lrbook/`` and on the pinned requirements, and it executes one notebook at a
time. This module fixes both:

* the jupyter-cache project lives in ``_build/.jupyter_cache/<key>``, where ``key`` is a
  hash of every ``lrbook/**.py|js|css|json`` file, ``requirements.txt``,
  ``pyproject.toml``, the Python version and the ``LRBOOK_*`` environment variables: a
  change to any of them starts a new, empty project, so everything is executed again;
* before Sphinx reads any page, the notebooks with no cached run are executed in
  parallel (one kernel per core, the longest first: by their last known run time, or
  by size for a notebook never run here) and put into that project; MyST-NB then only
  reads the cache.

It is a Sphinx extension, named in ``_config.yml`` (``sphinx: local_extensions``), so a
plain ``jupyter-book build .`` uses it; ``tools/book.sh``, the test suite's build and
``bench/build.py`` all go through it. As a script it only executes (no site)::

    .venv/bin/python -m booktools.execution           # execute what is not cached
    .venv/bin/python -m booktools.execution --status  # the cache key, each notebook

``LRBOOK_BUILD_JOBS`` sets the number of kernels run at once (default: the CPU count);
each kernel's comparisons get ``LRBOOK_JOBS`` = cores // kernels worker processes
(unless ``LRBOOK_JOBS`` is set), so the build never runs more trainings than cores.
A notebook that fails here is left uncached: MyST-NB executes it again and reports the
error with its traceback, which fails the ``-W`` build.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE_ROOT = ROOT / "_build" / ".jupyter_cache"
KEEP = 4  # cache projects kept (the current one and the most recently used others)
TIMEOUT = 600  # seconds per cell, as execute: timeout in _config.yml


def key_files(root: Path = ROOT) -> list[Path]:
    """The files, besides each notebook's own code, that executed outputs depend on."""
    files = [root / "requirements.txt", root / "pyproject.toml"]
    for path in sorted((root / "lrbook").rglob("*")):
        if (
            path.is_file()
            and path.suffix in {".py", ".js", ".css", ".json"}
            and "__pycache__" not in path.parts
        ):
            files.append(path)
    return [f for f in files if f.exists()]


#: Variables that change how fast notebooks run, not what they print: the parallel
#: runs of lrbook.train are bit-identical to the serial ones.
_NOT_IN_KEY = {"LRBOOK_BUILD_JOBS", "LRBOOK_JOBS"}


def cache_key(root: Path = ROOT) -> str:
    """Hash of ``key_files``, the Python version and the ``LRBOOK_*`` variables."""
    h = hashlib.sha256()
    for path in key_files(root):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    h.update(sys.version.encode())
    for name in sorted(os.environ):
        if name.startswith("LRBOOK_") and name not in _NOT_IN_KEY:
            h.update(f"{name}={os.environ[name]}\0".encode())
    return h.hexdigest()[:16]


def cache_path(root: Path = ROOT) -> Path:
    return root / "_build" / ".jupyter_cache" / cache_key(root)


def book_notebooks(root: Path = ROOT) -> list[Path]:
    """The MyST notebooks of the table of contents (found by ``booktools.twins``)."""
    from . import twins

    return twins.notebooks(root)


def read_notebook(path: Path):
    """The notebook as MyST-NB reads it for Sphinx (same code cells, same hash)."""
    from myst_nb.core.read import read_myst_markdown_notebook

    return read_myst_markdown_notebook(
        path.read_text(encoding="utf-8"), add_source_map=True, path=str(path)
    )


def _execute_one(path: str, timeout: int) -> tuple[str, str | None, float, str | None]:
    """Run one notebook in a fresh kernel, in its own folder (a worker process)."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    nb = read_notebook(Path(path))
    result = single_nb_execution(
        nb, cwd=str(Path(path).parent), timeout=timeout, allow_errors=False
    )
    if result.err is not None:
        return path, None, result.time, result.exc_string
    return path, nbformat.writes(result.nb), result.time, None


def _prune(current: Path) -> None:
    """Keep the ``KEEP`` most recently used cache projects (``current`` among them)."""
    others = [p for p in current.parent.iterdir() if p.is_dir() and p != current]
    others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in others[KEEP - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def status(root: Path = ROOT, cache_dir: Path | None = None) -> list[dict]:
    """Per notebook: its path, whether a cached run matches it, and that run's time."""
    from jupyter_cache import get_cache

    cache_dir = cache_dir or cache_path(root)
    cache = get_cache(str(cache_dir))
    out = []
    for path in book_notebooks(root):
        try:
            record = cache.match_cache_notebook(read_notebook(path))
        except KeyError:
            record = None
        out.append(
            {
                "path": path,
                "cached": record is not None,
                "seconds": None
                if record is None
                else record.data.get("execution_seconds"),
            }
        )
    return out


def executed(path: Path, root: Path = ROOT, cache_dir: Path | None = None):
    """The book build's run of notebook ``path``: the notebook with the outputs of its
    matching cached run (``None`` when the cache has no run of this code)."""
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_dir or cache_path(root)))
    try:
        _, nb = cache.merge_match_into_notebook(read_notebook(path))
    except KeyError:
        return None
    return nb


def _last_times(root: Path) -> dict[str, float]:
    """The last known run time of each notebook (any cache project), for ordering."""
    times: dict[str, float] = {}
    log = root / "_build" / ".jupyter_cache" / "times.json"
    if log.exists():
        try:
            times = json.loads(log.read_text(encoding="utf-8"))
        except ValueError:
            times = {}
    return times


def run_order(paths: list[Path], seconds: dict[Path, float]) -> list[Path]:
    """``paths`` longest first, so that the last kernels to finish finish together.

    A notebook's length is its last known run time (``seconds``). Notebooks never run
    here (a clean clone, a new page) come first, the largest file first: in this book
    a page's size follows its run time (the MNIST chapters are the longest pages).

    Examples:
        >>> a, b, c = Path("a.md"), Path("b.md"), Path("c.md")
        >>> [p.name for p in run_order([a, b, c], {a: 5.0, b: 40.0, c: 9.0})]
        ['b.md', 'c.md', 'a.md']
    """

    def key(path: Path) -> tuple[bool, float]:
        if path in seconds:
            return False, seconds[path]
        return True, float(path.stat().st_size)

    return sorted(paths, key=key, reverse=True)


def execute(
    root: Path = ROOT,
    jobs: int | None = None,
    log=print,
    cache_dir: Path | None = None,
) -> dict[str, float]:
    """Execute, in parallel, every notebook of the book with no matching cached run.

    Returns ``{relative path: seconds}`` for the notebooks executed here (failures
    included). Cached runs are left alone.
    """
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache_dir = cache_dir or cache_path(root)
    cache_dir.mkdir(parents=True, exist_ok=True)
    os.utime(cache_dir)
    _prune(cache_dir)
    cache = get_cache(str(cache_dir))
    todo = [s["path"] for s in status(root, cache_dir) if not s["cached"]]
    if not todo:
        log(f"lrbook: every notebook has a cached run in {cache_dir.relative_to(root)}")
        return {}
    known = _last_times(root)
    rel = {p: p.relative_to(root).as_posix() for p in todo}
    todo = run_order(todo, {p: known[rel[p]] for p in todo if rel[p] in known})
    jobs = jobs or int(os.environ.get("LRBOOK_BUILD_JOBS", 0)) or os.cpu_count() or 1
    jobs = max(1, min(jobs, len(todo)))
    log(
        f"lrbook: executing {len(todo)} notebook(s), {jobs} at a time, into "
        f"{cache_dir.relative_to(root)}"
    )
    env_backend = os.environ.pop("MPLBACKEND", None)  # kernels must pick 'inline'
    # The kernels share the cores: each one's compare/tournament gets its share of
    # worker processes (lrbook.train.parallel), so the build does not oversubscribe.
    env_jobs = os.environ.get("LRBOOK_JOBS")
    if env_jobs is None:
        os.environ["LRBOOK_JOBS"] = str(max(1, (os.cpu_count() or 1) // jobs))
    times: dict[str, float] = {}
    start = time.perf_counter()
    try:
        with ProcessPoolExecutor(jobs, mp_context=get_context("spawn")) as pool:
            futures = {pool.submit(_execute_one, str(p), TIMEOUT): p for p in todo}
            for future in as_completed(futures):
                try:
                    path, text, seconds, error = future.result()
                except Exception as exc:  # noqa: BLE001 (the worker itself failed)
                    # Not cached: MyST-NB executes it itself, or reports its error.
                    log(
                        f"lrbook: {rel[futures[future]]} could not be executed here "
                        f"({type(exc).__name__}: {exc!r}); MyST-NB will try"
                    )
                    continue
                name = Path(path).relative_to(root).as_posix()
                times[name] = seconds
                if error is not None:
                    log(f"lrbook: {name} FAILED after {seconds:.1f} s (not cached)")
                    continue
                cache.cache_notebook_bundle(
                    CacheBundleIn(
                        nbformat.reads(text, as_version=4),
                        path,
                        data={"execution_seconds": seconds},
                    ),
                    check_validity=False,
                    overwrite=True,
                )
                log(f"lrbook: executed {name} in {seconds:.1f} s")
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
        if env_jobs is None:
            os.environ.pop("LRBOOK_JOBS", None)
    log(f"lrbook: executed in {time.perf_counter() - start:.1f} s (wall clock)")
    known.update(times)
    (root / "_build" / ".jupyter_cache" / "times.json").write_text(
        json.dumps(known, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return times


def execution_times(root: Path = ROOT, cache_dir: Path | None = None) -> dict:
    """``{notebook stem: seconds}``: how long the build's cached run of each notebook of
    the book took to execute (notebooks without a matching cached run are left out)."""
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_dir or cache_path(root)))
    times = {}
    for path in book_notebooks(root):
        try:
            record = cache.match_cache_notebook(read_notebook(path))
        except KeyError:
            continue
        seconds = (record.data or {}).get("execution_seconds")
        if seconds is not None:
            times[path.stem] = float(seconds)
    return times


def time_substitutions(times: dict) -> dict:
    """MyST substitutions for the measured times: ``time_ch01`` (chapters, by their
    two-digit number) or ``time_<stem>`` (other notebooks, ``-`` as ``_``), each a text
    like ``"17 s"``.

    Examples:
        >>> time_substitutions({"ch01-gradient-descent": 16.6, "notation": 4.2})
        {'time_ch01': '17 s', 'time_notation': '4 s'}
    """
    out = {}
    for stem, seconds in sorted(times.items()):
        key = stem[:4] if stem[:2] == "ch" and stem[2:4].isdigit() else stem
        out["time_" + key.replace("-", "_")] = f"{seconds:.0f} s"
    return out


# -- Sphinx extension ------------------------------------------------------------
def _config_inited(app, config) -> None:
    """Point MyST-NB at the lrbook-keyed cache, execute what it lacks (in parallel),
    and offer each notebook's measured execution time as a MyST substitution
    (``{{ time_ch01 }}``): the intro quotes the times the build measured."""
    if config.nb_execution_mode != "cache":
        return
    from sphinx.util import logging

    root = Path(app.confdir)
    config.nb_execution_cache_path = str(cache_path(root))
    cache_dir = Path(config.nb_execution_cache_path)
    execute(root, log=logging.getLogger(__name__).info, cache_dir=cache_dir)
    substitutions = dict(config.myst_substitutions or {})
    substitutions.update(time_substitutions(execution_times(root, cache_dir)))
    config.myst_substitutions = substitutions


def setup(app):
    app.connect("config-inited", _config_inited, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None, help="kernels at once")
    parser.add_argument("--status", action="store_true", help="only report")
    args = parser.parse_args(argv)
    print(f"cache: {cache_path().relative_to(ROOT)}")
    if not args.status:
        execute(jobs=args.jobs)
    for s in status():
        state = "cached" if s["cached"] else "NOT cached"
        seconds = "" if s["seconds"] is None else f" ({s['seconds']:.1f} s)"
        print(f"{s['path'].relative_to(ROOT)}: {state}{seconds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
