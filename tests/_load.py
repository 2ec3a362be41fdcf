"""Load a Python file of the repository that is not an importable module (a tool, a
test module) by its path, for the tests that reuse it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load(relative_path: str, name: str):
    """The module at ``relative_path``, imported once under ``name`` (registered in
    ``sys.modules`` first, as an import would: dataclasses look their module up)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / relative_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
