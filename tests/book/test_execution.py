"""The order in which the build executes the book's notebooks (booktools.execution).

Two kernels at a time: the build ends when the last one does, so the longest notebooks
go first. A clean clone (CI, a contributor's first build) knows no run times, and then
the size of the page stands in for them.
"""

from __future__ import annotations

from pathlib import Path

from booktools import execution

ROOT = Path(__file__).resolve().parents[2]


def test_known_run_times_order_longest_first(tmp_path):
    a, b, c = (tmp_path / f"{n}.md" for n in "abc")
    for path in (a, b, c):
        path.write_text("x")
    assert execution.run_order([a, b, c], {a: 5.0, b: 40.0, c: 9.0}) == [b, c, a]


def test_notebooks_never_run_go_first_the_largest_first(tmp_path):
    small, large, known = (tmp_path / f"{n}.md" for n in ("small", "large", "known"))
    small.write_text("x" * 10)
    large.write_text("x" * 1000)
    known.write_text("x" * 100_000)
    order = execution.run_order([small, known, large], {known: 300.0})
    assert order == [large, small, known]


def test_in_a_clean_clone_the_mnist_chapters_start_first():
    """The premise of the fallback, for this book: every MNIST chapter (ch01-ch07,
    seconds to a minute each) is a larger page than every other notebook (seconds)."""
    order = [p.stem for p in execution.run_order(execution.book_notebooks(ROOT), {})]
    chapters = [s for s in order if s[:2] == "ch"]
    assert len(chapters) == 7
    assert order[: len(chapters)] == chapters, order
