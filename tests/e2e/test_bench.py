"""Every benchmark in bench/ runs, on its smallest setting, and prints its ratios.

Nothing here checks the figures (machines are shared and noisy): the benchmarks must not
rot. ``bench/build.py`` builds the whole book twice in a copy of the repository
(minutes), so only its command line is checked here; the suite's own build covers the
rest. ``bench/chapter_cells.py`` profiles the shortest page.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e  # every bench/ script, run in a subprocess
ROOT = Path(__file__).resolve().parents[2]

CASES = {
    "compare.py": (["--quick", "--jobs", "2"], ["serial/parallel ratio", "Dask"]),
    "train.py": (
        ["--rounds", "1", "--epochs", "1", "--threads", "1"],
        ["fit/tight-loop throughput ratio"],
    ),
    "schedules.py": (["--steps", "20000", "--repeats", "1"], ["x"]),
    "numerics.py": (["--small", "--rounds", "1"], ["ratio"]),
    "explorers.py": ([], ["ratio"]),
    "build.py": (["--help"], ["--lrbook-change"]),
    "chapter_cells.py": (
        ["schedules-at-a-glance", "--min", "0"],
        ["share of the run", "cores busy", "Run All, first cell to last", "CPU time"],
    ),
}


def _run_bench(script: str, *args: str) -> subprocess.CompletedProcess:
    """``bench/<script> args`` in a fresh interpreter (Agg, no progress bars, lrbook's
    default number of workers), its output captured."""
    env = dict(os.environ, MPLBACKEND="Agg", LRBOOK_PROGRESS="0")
    env.pop("LRBOOK_JOBS", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )


def test_every_bench_script_is_covered():
    covered = [*CASES, "site_weight.py"]  # (below: it needs the built site)
    assert sorted(covered) == sorted(p.name for p in (ROOT / "bench").glob("*.py"))


def test_site_weight_weighs_pages_of_the_built_site(built_site):
    """bench/site_weight.py on the suite's own build, given twice (before = after),
    on two pages (the script weighs every page by default)."""
    done = _run_bench(
        "site_weight.py", str(built_site), str(built_site),
        "--pages", "book/intro.html,book/ch06-cyclic-one-cycle.html",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "ratio second/first: mean 1.00" in done.stdout, done.stdout[-3000:]
    assert "book/ch06-cyclic-one-cycle.html" in done.stdout


@pytest.mark.parametrize("script", sorted(CASES))
def test_bench_script_runs_and_prints_its_ratios(script):
    args, expected = CASES[script]
    done = _run_bench(script, *args)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    for text in expected:
        assert text in done.stdout, done.stdout[-3000:]
