"""Benchmark: where a chapter's Run All spends its time, cell by cell.

Executes each chapter given (its MyST source, ``book/<chapter>.md``) in one fresh
kernel, as a learner's Run All does, and prints every code cell that took at least
``--min`` seconds, with its share of the run, then the run's total. lrbook's
comparisons use their default workers (one per core), unless ``--jobs`` sets
``LRBOOK_JOBS``. The issue's goal is a Run All of at most 30 s on a 2-core machine,
with the chapter running alone: run it on a quiet machine, and more than once.

Usage::

    .venv/bin/python bench/chapter_cells.py ch07-choosing-a-schedule [--min 0.5]
    .venv/bin/python bench/chapter_cells.py ch02-step-decay ch07-choosing-a-schedule \\
        --jobs 1
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"


def chapter_path(name: str) -> Path:
    """``book/<name>.md``; ``name`` may also be a path or carry the ``.md``."""
    path = Path(name)
    if path.suffix != ".md":
        path = BOOK / f"{path.name}.md"
    if not path.is_file():
        known = sorted(p.stem for p in BOOK.glob("*.md"))
        raise SystemExit(f"no chapter {name!r}: expected one of {known}")
    return path


Cell = tuple[float, int, str]  # seconds, index in the notebook, first line


def profile(path: Path, timeout: int = 900) -> tuple[list[Cell], float]:
    """Execute ``path`` in a fresh kernel; return (seconds, cell index, first line) of
    every code cell, and the run's total from the first cell to the last."""
    import jupytext
    from nbclient import NotebookClient

    nb = jupytext.read(path)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    cells: list[Cell] = []
    with client.setup_kernel():
        start = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            before = time.perf_counter()
            client.execute_cell(cell, index)
            first = next((x for x in cell.source.splitlines() if x.strip()), "")
            cells.append((time.perf_counter() - before, index, first))
        total = time.perf_counter() - start
    return cells, total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="+", help="e.g. ch07-choosing-a-schedule")
    parser.add_argument("--min", type=float, default=0.5, help="seconds to show a cell")
    parser.add_argument("--jobs", type=int, default=None, help="LRBOOK_JOBS")
    args = parser.parse_args(argv)
    if args.min < 0:
        parser.error(f"--min must be >= 0 seconds, got {args.min}")
    if args.jobs is not None and args.jobs < 1:
        parser.error(f"--jobs must be >= 1, got {args.jobs}")
    paths = [chapter_path(name) for name in args.chapters]
    if args.jobs is not None:
        os.environ["LRBOOK_JOBS"] = str(args.jobs)
    os.environ.pop("MPLBACKEND", None)  # the kernel picks matplotlib's inline backend
    workers = os.environ.get("LRBOOK_JOBS", f"one per core ({os.cpu_count()} cores)")
    for path in paths:
        cells, total = profile(path)
        print(f"{path.relative_to(ROOT)}: {len(cells)} code cells, workers: {workers}")
        shown = 0.0
        for seconds, index, first in cells:
            if seconds >= args.min:
                shown += seconds
                print(
                    f"  {seconds:6.2f} s  share of the run {seconds / total:5.1%}"
                    f"  cell {index:3d}: {first[:60]}"
                )
        rest = total - shown
        print(f"  {rest:6.2f} s  share of the run {rest / total:5.1%}  the other cells")
        print(f"  Run All, first cell to last: {total:.1f} s (goal <= 30 s alone)")


if __name__ == "__main__":
    main()
