"""The explorers' live widgets under ipywidgets 8 (.venv) and ipywidgets 7 (Colab's).

``tests/widget_path.py`` builds each kind of explorer's ``ipywidgets`` view without a
kernel, moves every control and checks that the figure changes. It runs here in .venv
(ipywidgets 8, as JupyterLab and Notebook 7 use) and in ``.venv-ipyw7``, a second
environment made by this test on first use (and again when its pins change): ipywidgets
7.8 with numpy, matplotlib, Pillow and tqdm at the lock's versions, and lrbook from this
tree (``PYTHONPATH``). No torch: the explorers tested do not need it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e  # makes a second venv (ipywidgets 7), runs scripts
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "widget_path.py"
VENV7 = ROOT / ".venv-ipyw7"
# ipywidgets 7 and the front-end packages of its era, without their dependencies
# (widgetsnbextension 3 would pull the classic notebook): only the Python side runs.
NO_DEPS = [
    "ipywidgets==7.8.5",
    "ipython-genutils==0.2.0",
    "jupyterlab_widgets==1.1.11",
    "widgetsnbextension==3.6.10",
]
# Installed with the lock's versions (requirements.txt as constraints).
WITH_DEPS = ["comm", "traitlets", "ipython", "ipykernel", "numpy", "matplotlib"]
WITH_DEPS += ["pillow", "tqdm"]
WIDGET_PINS = ("ipywidgets", "widgetsnbextension", "jupyterlab_widgets")


def _run(python: Path | str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    proc = subprocess.run(
        [str(python), str(SCRIPT)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _constraints() -> str:
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    keep = [
        x
        for x in lines
        if x.strip() and not x.startswith(("#", "-")) and not x.startswith(WIDGET_PINS)
    ]
    return "\n".join(keep) + "\n"


def _ipywidgets7() -> Path:
    """``.venv-ipyw7/bin/python``, made (or remade) if missing or stale."""
    constraints = _constraints()
    want = hashlib.sha256(
        "\n".join([*NO_DEPS, *WITH_DEPS, constraints, sys.version]).encode()
    ).hexdigest()
    python = VENV7 / "bin" / "python"
    stamp = VENV7 / ".lrbook-stamp"
    if python.exists() and stamp.exists() and stamp.read_text() == want:
        return python
    shutil.rmtree(VENV7, ignore_errors=True)
    base = getattr(sys, "_base_executable", None) or shutil.which("python3")
    subprocess.run([base, "-m", "venv", str(VENV7)], check=True)
    (VENV7 / "constraints.txt").write_text(constraints)
    uv = ROOT / ".venv" / "uv-tool" / "bin" / "uv"  # tools/env.sh's, when it has one
    if uv.exists():  # the same packages, about 4 times faster (README, Getting started)
        sources = subprocess.run(
            [sys.executable, str(ROOT / "tools" / "booktools" / "pip_sources.py")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        pip = [str(uv), "pip", "install", "--quiet", "--python", str(python)]
        pip += ["--compile-bytecode", "--index-strategy", "unsafe-best-match", *sources]
    else:
        pip = [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ]
    try:
        subprocess.run([*pip, "--no-deps", *NO_DEPS], check=True, timeout=900)
        subprocess.run(
            [*pip, *WITH_DEPS, "-c", str(VENV7 / "constraints.txt")],
            check=True,
            timeout=900,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(VENV7, ignore_errors=True)
        if os.environ.get("CI"):
            pytest.fail(f"could not make {VENV7.name}: {exc}", pytrace=False)
        pytest.skip(f"could not make {VENV7.name} (no package index?): {exc}")
    stamp.write_text(want)
    return python


def _check(report: dict, major: str) -> None:
    assert report["ipywidgets"].split(".")[0] == major, report["ipywidgets"]
    assert len(report["explorers"]) >= 4, report
    kinds = " ".join(" ".join(v) for v in report["explorers"].values())
    for kind in ("SelectionSlider", "Dropdown", "Checkbox"):
        assert kind in kinds, f"no {kind} was moved: {report}"


def test_widget_path_ipywidgets8():
    _check(_run(sys.executable), "8")


def test_widget_path_ipywidgets7():
    report = _run(_ipywidgets7())
    _check(report, "7")
    labels = " ".join(" ".join(v) for v in report["explorers"].values())
    assert "<" not in labels, f"ipywidgets 7 shows HTML in labels as text: {labels}"
