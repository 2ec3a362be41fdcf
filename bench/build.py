"""Book build times: clean build, no-change rebuild, prose-only rebuild, per notebook.

    .venv/bin/python bench/build.py                 # the working tree as it is now
    .venv/bin/python bench/build.py --ref HEAD      # a committed tree instead
    .venv/bin/python bench/build.py --lrbook-change # also: rebuild after an lrbook edit

The tree is first copied to a temporary folder (other people may be editing this one),
and every build there runs as ``tools/book.sh`` does: ``_build/html``,
``_build/jupyter_execute`` and ``_build/.doctrees`` removed, then
``jupyter-book build . -W -n --keep-going``, with the notebooks executed in parallel
into the lrbook-keyed cache (``booktools.execution``). The copy's ``lrbook`` is the
one the kernels import (``PYTHONPATH``).

Prints each time against its goal (ratio = value / goal; <= 1 meets it):

* clean build (no ``_build`` at all: every notebook executed), goal <= 180 s (the
  3 minutes of issue 25);
* rebuild with nothing changed (every notebook from the cache);
* rebuild after a prose-only change to a chapter, goal <= 60 s;
* optionally, rebuild after a comment is added to ``lrbook`` (everything re-executed);
* each notebook's execution time in the clean build (its "Run all" in a fresh kernel,
  kernel start included), goal <= 60 s.

Not a test: nothing is asserted, but a build that fails or warns is reported.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
GOAL_CLEAN, GOAL_PROSE, GOAL_NOTEBOOK = 180.0, 60.0, 60.0
PROBLEM = re.compile(r"(^|: )(WARNING|ERROR|CRITICAL|SEVERE): ", re.M)
EXECUTED = re.compile(r"lrbook: executed (\S+) in ([\d.]+) s")


def line(what: str, value: float, goal: float | None = None) -> None:
    text = f"{what:<58} {value:8.1f} s"
    if goal is not None:
        text += f"  (goal <= {goal:g} s, ratio {value / goal:.2f})"
    print(text, flush=True)


def snapshot(dest: Path, ref: str | None) -> None:
    """Copy the book's files (tracked and untracked, not ignored) or a commit."""
    if ref:
        data = subprocess.run(
            ["git", "archive", ref], cwd=ROOT, capture_output=True, check=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(dest, filter="data")
        return
    names = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, names):
        src = ROOT / name.decode()
        if src.is_file():
            target = dest / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)


def build(tree: Path, what: str) -> tuple[float, dict[str, float]]:
    """One build as tools/book.sh makes it; (wall seconds, {notebook: seconds run})."""
    for sub in ("html", "jupyter_execute", ".doctrees"):
        shutil.rmtree(tree / "_build" / sub, ignore_errors=True)
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    env["PYTHONPATH"] = str(tree)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    cmd = [str(VENV_BIN / "jupyter-book"), "build", ".", "-W", "-n", "--keep-going"]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    log = proc.stdout + proc.stderr
    (tree / f"build-{what.split()[0]}.log").write_text(log, encoding="utf-8")
    problems = [x for x in log.splitlines() if PROBLEM.search(x)]
    if proc.returncode or problems:
        print(f"{what}: the build FAILED or warned (exit {proc.returncode}):")
        print("\n".join((problems or log.splitlines())[-15:]))
    if "Executing notebook using" in log:
        print(f"{what}: MyST-NB executed a notebook itself (a cache miss)")
    return seconds, {m[1]: float(m[2]) for m in EXECUTED.finditer(log)}


def prose_edit(tree: Path) -> str:
    """Change one word of prose in the first chapter; no code cell changes."""
    chapter = sorted((tree / "book").glob("ch0*.md"))[0]
    text = chapter.read_text(encoding="utf-8")
    marker = "\n## "
    head, sep, tail = text.partition(marker)
    chapter.write_text(
        head + "\nA sentence added by bench/build.py.\n" + sep + tail, encoding="utf-8"
    )
    return chapter.relative_to(tree).as_posix()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", help="benchmark this commit instead of the tree")
    parser.add_argument(
        "--lrbook-change",
        action="store_true",
        help="also rebuild after a comment is added to lrbook (re-executes all)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the copy")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="lrbook-bench-build-"))
    try:
        snapshot(tmp, args.ref)
        what = args.ref or "the working tree"
        print(f"copy of {what} in {tmp}; {os.cpu_count()} CPUs")
        clean, runs = build(tmp, "clean build")
        line("clean build (every notebook executed)", clean, GOAL_CLEAN)
        same, rerun = build(tmp, "no-change rebuild")
        line("rebuild, nothing changed", same)
        if rerun:
            print(f"  (re-executed: {', '.join(rerun)})")
        edited = prose_edit(tmp)
        prose, rerun = build(tmp, "prose-only rebuild")
        line(f"rebuild after a prose-only change ({edited})", prose, GOAL_PROSE)
        if rerun:
            print(f"  (re-executed: {', '.join(rerun)})")
        if args.lrbook_change:
            init = tmp / "lrbook" / "__init__.py"
            init.write_text(init.read_text() + "\n# bench/build.py\n")
            changed, rerun = build(tmp, "lrbook-change rebuild")
            line("rebuild after an lrbook change (all re-executed)", changed)
            print(f"  (re-executed {len(rerun)} notebook(s))")
        for name, seconds in sorted(runs.items(), key=lambda kv: -kv[1]):
            line(f"  run all: {name}", seconds, GOAL_NOTEBOOK)
        times = tmp / "_build" / ".jupyter_cache" / "times.json"
        if times.exists() and not runs:
            print(json.loads(times.read_text()))
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
