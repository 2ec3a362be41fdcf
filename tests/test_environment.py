"""The development environment: pip's package sources handed to uv
(``booktools.pip_sources``, used by ``tools/env.sh``), and a .venv that is the lock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from booktools.pip_sources import sources

ROOT = Path(__file__).resolve().parent.parent

# ``pip config list`` on a machine like this one: a find-links folder given twice (a
# PIP_* variable and the global file), two local indexes, a constraints file, and
# settings that are not sources.
CONFIG = """\
:env:.cert='/etc/ssl/certs/ca-certificates.crt'
:env:.default-timeout='180'
:env:.find-links='/opt/wheels'
global.constraint='/etc/xdg/pip/constraints.txt'
global.extra-index-url='file:///opt/pypi/simple file:///opt/pypi-more/simple'
global.find-links='/opt/wheels'
install.index-url='https://mirror.example.org/simple'
"""


def test_pip_sources_become_uv_options_each_once():
    assert sources(CONFIG) == [
        "--find-links", "/opt/wheels",
        "--constraint", "/etc/xdg/pip/constraints.txt",
        "--extra-index-url", "file:///opt/pypi/simple",
        "--extra-index-url", "file:///opt/pypi-more/simple",
        "--index-url", "https://mirror.example.org/simple",
    ]  # fmt: skip


def test_no_sources_and_other_settings_give_no_option():
    assert sources("") == []
    assert sources("global.timeout='60'\nglobal.cert='/x.crt'\nnot a setting\n") == []


def test_the_script_prints_nothing_when_pip_has_no_source(tmp_path):
    """Not even an empty line: env.sh would hand uv an empty argument."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(
        PIP_CONFIG_FILE=os.devnull, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path)
    )
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "booktools" / "pip_sources.py")],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    assert done.stdout == ""


def test_the_script_prints_this_machines_sources():
    """One option or value per line, as env.sh reads them (mapfile)."""
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "booktools" / "pip_sources.py")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.splitlines() == sources(listed)


def test_the_environment_is_the_lock():
    """.venv holds exactly requirements.txt (whether uv or pip installed it)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "lock.py"), "--check"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
