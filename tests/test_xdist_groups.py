"""xdist_group marks keep a group on one worker (tests/xdist_groups.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent

GROUPED = '''
import os, pytest
pytestmark = [pytest.mark.xdist_group("together")]

@pytest.fixture(scope="session")
def expensive(tmp_path_factory):
    (tmp_path_factory.getbasetemp().parent / f"setup-{os.getpid()}").touch()

@pytest.mark.parametrize("k", range(8))
def test_grouped(expensive, k):
    pass
'''

SPREAD = '''
import pytest

@pytest.mark.parametrize("k", range(8))
def test_spread(k):
    pass
'''


def test_a_group_runs_on_one_worker_and_sets_up_its_fixture_once(tmp_path):
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    (tmp_path / "test_spread.py").write_text(SPREAD)
    base = tmp_path / "base"
    env = dict(os.environ, PYTHONPATH=str(TESTS))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v",
         "-p", "xdist_groups",
         "-p", "no:cacheprovider", "--basetemp", str(base),
         "-o", "addopts=", str(tmp_path / "test_grouped.py"),
         str(tmp_path / "test_spread.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    workers = {
        line.split()[0]
        for line in done.stdout.splitlines()
        if "test_grouped" in line and line.startswith("[gw")
    }
    assert len(workers) == 1, done.stdout[-3000:]
    assert len(list(base.glob("setup-*"))) == 1, sorted(base.iterdir())
