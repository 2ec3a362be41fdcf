"""The house's walls: lrbook's imports all run down its floors, and the chapters use
only its public modules (../shared/DESIGN.md, "The house").

Floors, lowest first: the base utilities; ``schedules`` and the explorer engine;
``gd``, ``torch_bridge``, ``train`` and the explorer recipes; ``explore.topics``,
``exercises`` and the ``lrbook.explore`` face; the package face ``lrbook``. A module may
import its own floor and the floors below, never a floor above (lazy imports inside
functions count too).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "lrbook"

BASE, SCHEDULES, MIDDLE, TOPICS, FACE = range(5)
FLOOR_NAMES = ("base", "schedules", "gd/torch_bridge/train", "topics/exercises", "face")
#: Module (or package) -> floor; a module takes the floor of its longest prefix here.
FLOORS = {
    "lrbook": FACE,
    "lrbook._checks": BASE,
    "lrbook._env": BASE,
    "lrbook.numerics": BASE,
    "lrbook.plotting": BASE,
    "lrbook.data": BASE,
    "lrbook.verdicts": BASE,
    "lrbook.schedules": SCHEDULES,
    # the explorer engine: drawing, no schedule, no training
    "lrbook.explore.controls": SCHEDULES,
    "lrbook.explore.core": SCHEDULES,
    "lrbook.explore.panels": SCHEDULES,
    "lrbook.explore.live": SCHEDULES,
    "lrbook.explore.web": SCHEDULES,
    "lrbook.explore.payload": SCHEDULES,
    "lrbook.explore.tex": SCHEDULES,
    "lrbook.gd": MIDDLE,
    "lrbook.torch_bridge": MIDDLE,
    "lrbook.train": MIDDLE,
    "lrbook.explore.recipes": MIDDLE,
    "lrbook.explore.topics": TOPICS,
    "lrbook.exercises": TOPICS,
    "lrbook.explore": TOPICS,  # the face of explore: it imports the topics
}


def floor(module: str) -> tuple[int, str]:
    """The floor of a module and the entry of FLOORS that placed it there."""
    best = max(
        (p for p in FLOORS if module == p or module.startswith(p + ".")), key=len
    )
    return FLOORS[best], best


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _exists(module: str) -> bool:
    base = ROOT.joinpath(*module.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def lrbook_imports(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every lrbook module ``path`` imports, lazily or not."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append((node.lineno, sub if _exists(sub) else base))
    return [(line, m) for line, m in found if m == "lrbook" or m.startswith("lrbook.")]


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_floor():
    unplaced = [
        module_name(p)
        for p in MODULES
        if p.name != "__init__.py" and floor(module_name(p))[1] == "lrbook"
    ]
    assert not unplaced, f"place these modules on a floor of FLOORS: {unplaced}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_run_down(path):
    here, _ = floor(module_name(path))
    upward = sorted(
        {
            f"{path.relative_to(ROOT)}:{line} imports {target} "
            f"({FLOOR_NAMES[floor(target)[0]]} floor, above {FLOOR_NAMES[here]})"
            for line, target in lrbook_imports(path)
            if floor(target)[0] > here
        }
    )
    assert not upward, "\n".join(upward)


def test_the_import_walker_sees_an_upward_arrow(tmp_path, monkeypatch):
    """The check itself: a lazy import of a topic from train is caught."""
    fake = ROOT / "lrbook" / "train" / "comparison.py"
    source = "def f():\n    from ..explore.topics.cosine import cosine\n"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source)
    assert lrbook_imports(fake) == [(2, "lrbook.explore.topics.cosine")]
    assert floor("lrbook.explore.topics.cosine")[0] > floor("lrbook.train.x")[0]
    source_face = "from .. import ReduceLROnPlateau\nfrom .. import _checks as c\n"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source_face)
    assert lrbook_imports(fake) == [(1, "lrbook"), (2, "lrbook._checks")]


# ------------------------------------------------------------------- the chapters

#: Modules that are lrbook's inside: a chapter calls the public names built on them.
PRIVATE = (
    "lrbook.train.context",
    "lrbook.train.loop",
    "lrbook.train.models",
    "lrbook.train.driver",
    "lrbook.train.plots",
    "lrbook.train.parallel",
    "lrbook.exercises.engine",
)
FENCE = re.compile(r"^(`{3,}|~{3,})\{code-cell\}")


def code_cells(text: str) -> list[tuple[int, str]]:
    """``(first line, source)`` of every code cell of a MyST notebook."""
    cells, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start, body, i = i + 2, [], i + 1
        while i < len(lines) and lines[i].strip() != m[1]:
            body.append(lines[i])
            i += 1
        code = ["" if re.match(r"^(:\w[\w-]*:|---\s*$|[%!])", b) else b for b in body]
        cells.append((start, "\n".join(code)))
    return cells


def private_imports(source: str) -> list[tuple[int, str]]:
    """``(line in the cell, name)`` of every private lrbook import of a cell."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # an exercise's blank to fill in: read the import lines only
        lines = [
            ln.strip()
            for ln in source.split("\n")
            if re.match(r"\s*(from|import) ", ln)
        ]
        tree = ast.parse("\n".join(lines))
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            pairs = [(a.name, None) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            pairs = [(node.module, a.name) for a in node.names]
        else:
            continue
        for module, name in pairs:
            if not module.split(".")[0] == "lrbook":
                continue
            full = f"{module}.{name}" if name else module
            private = any(p.startswith("_") for p in full.split(".")) or any(
                full == p or full.startswith(p + ".") or module == p for p in PRIVATE
            )
            if private:
                bad.append((node.lineno, full))
    return bad


CHAPTERS = sorted((ROOT / "book").glob("*.md"))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapters_import_only_public_modules(path):
    found = [
        f"{path.name}:{start + line - 1}: {name}"
        for start, source in code_cells(path.read_text(encoding="utf-8"))
        for line, name in private_imports(source)
    ]
    assert not found, "a chapter imports lrbook's inside:\n" + "\n".join(found)


def test_the_chapter_check_sees_a_private_import():
    text = (
        "```{code-cell} ipython3\n:tags: [remove-cell]\nimport numpy as np\n"
        "from lrbook.train.context import prepare\n```\n\nfrom lrbook.train.loop "
        "import evaluate (prose)\n\n````{solution-start} x\n```{code-cell} ipython3\n"
        "from lrbook.data import _load_subset\nanswer = ...\n```\n````\n"
        "```{code-cell} ipython3\nx = None  # your answer\nif x = 1:\n"
        "import lrbook.train.models\n```\n"
    )
    bad = [n for _, s in code_cells(text) for _, n in private_imports(s)]
    assert bad == [
        "lrbook.train.context.prepare",
        "lrbook.data._load_subset",
        "lrbook.train.models",
    ]
    assert private_imports("from lrbook.train import evaluate, initial_model") == []
