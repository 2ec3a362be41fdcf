"""Binder's environment (binder/) and the launch buttons of _config.yml.

Binder builds binder/requirements.txt, then runs binder/postBuild; both are generated
from the lock by booktools.binder, so that the notebooks run on Binder with the versions
the book is built with, and PyTorch's CPU build.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from booktools import binder

ROOT = Path(__file__).resolve().parents[2]

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def _pins(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("#", "-")):
            name, version = line.split("==")
            out[name.lower().replace("_", "-")] = version
    return out


def test_binder_files_are_generated_from_the_lock():
    assert binder.main(["--check"]) == 0, "run: .venv/bin/python -m booktools.binder"


def test_binder_installs_the_cpu_build_of_torch_and_the_book_pins():
    text = (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8")
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in text
    mine, lock = (
        _pins(ROOT / "binder" / "requirements.txt"),
        _pins(ROOT / "requirements.txt"),
    )
    assert mine["torch"] == lock["torch"] + "+cpu"
    for name in (
        "numpy",
        "matplotlib",
        "ipywidgets",
        "jupyterlab",
        "notebook",
        "scipy",
    ):
        assert mine[name] == lock[name], name
    assert all(lock.get(n) == v for n, v in mine.items() if n != "torch")
    for tool in ("sphinx", "pytest", "playwright", "jupyter-book", "nvidia-cudnn-cu12"):
        assert tool not in mine, f"Binder does not need {tool}"


def test_postbuild_installs_lrbook_and_glue():
    post = ROOT / "binder" / "postBuild"
    assert os.access(post, os.X_OK), "binder/postBuild must be executable"
    text = post.read_text(encoding="utf-8")
    assert "pip install --no-cache-dir --no-deps ." in text
    assert "myst-nb==" in text and "--no-deps" in text


def test_launch_buttons():
    buttons = CONFIG["launch_buttons"]
    assert buttons["binderhub_url"] == "https://mybinder.org"
    assert buttons["colab_url"] == "https://colab.research.google.com"
    assert buttons["notebook_interface"] == "jupyterlab"
