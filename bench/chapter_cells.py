"""Benchmark: where a chapter's Run All spends its time, cell by cell.

Executes each chapter given (its MyST source, ``book/<chapter>.md``) in one fresh
kernel, as a learner's Run All does, and prints every code cell that took at least
``--min`` seconds, with its share of the run and the number of cores the whole machine
kept busy meanwhile (Linux), then the run's total. lrbook's
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


Cell = tuple[float, float | None, int, str]
# seconds, cores busy on average (None where /proc/stat is missing), index, first line


def cpu_seconds() -> tuple[float, float] | None:
    """(busy, all) CPU seconds of the whole machine since boot, from Linux's
    /proc/stat; None elsewhere. A cell's busy seconds over its wall time is the number
    of cores it kept busy (2.0 on this 2-core machine: compute-bound; near 1: one core
    waits)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    ticks = [int(x) for x in fields]
    hz = os.sysconf("SC_CLK_TCK")
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
    return (sum(ticks) - idle) / hz, sum(ticks) / hz


def profile(path: Path, timeout: int = 900) -> tuple[list[Cell], float]:
    """Execute ``path`` in a fresh kernel; return (seconds, cores busy, cell index,
    first line) of every code cell, and the run's total from the first cell to the
    last."""
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
            before, busy_before = time.perf_counter(), cpu_seconds()
            client.execute_cell(cell, index)
            seconds, busy_after = time.perf_counter() - before, cpu_seconds()
            cores = None
            if busy_before is not None and busy_after is not None and seconds > 0:
                cores = (busy_after[0] - busy_before[0]) / seconds
            first = next((x for x in cell.source.splitlines() if x.strip()), "")
            cells.append((seconds, cores, index, first))
        total = time.perf_counter() - start
    return cells, total


def busy(cores: float | None) -> str:
    return " n/a" if cores is None else f"{cores:4.2f}"


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
        for seconds, cores, index, first in cells:
            if seconds >= args.min:
                shown += seconds
                print(
                    f"  {seconds:6.2f} s  share of the run {seconds / total:5.1%}"
                    f"  cores busy {busy(cores)}  cell {index:3d}: {first[:52]}"
                )
        rest = total - shown
        print(f"  {rest:6.2f} s  share of the run {rest / total:5.1%}  the other cells")
        print(f"  Run All, first cell to last: {total:.1f} s (goal <= 30 s alone)")
        measured = [(s, c) for s, c, _, _ in cells if c is not None]
        if measured:
            cpu = sum(s * c for s, c in measured)
            print(
                f"  CPU time of the whole machine during the run: {cpu:.1f} s "
                f"(on average {cpu / total:.2f} of {os.cpu_count()} cores busy)"
            )


if __name__ == "__main__":
    main()
