"""The answer keys as the sandbox sees them: everything but the answers.

The student's notebook imports :mod:`lrbook.exercises`: its cells call ``check`` and
read exercises' parameters (``get(id).params``, e.g. the range-test curve of chapter
6). Inside the sandbox, :func:`write` replaces the package's folder with a public
edition: the same engine, and per chapter a module that registers every exercise with
its hint, tolerances, steps, choices and parameters, but with a stand-in for
the expected answer (``0.0``, ``(0.0,)``, the zero function, ``"withheld"``), no
classic mistakes, and without any parameter equal to the answer. ``check`` inside the
sandbox therefore says nothing true; the grade is computed outside, from the real keys.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

WITHHELD = "withheld"
_HEADER = '''"""An answer key's public edition, for the grading sandbox (no answers)."""

from . import engine


def _zero(t):
    return 0.0


def register() -> None:
'''


def literal(value) -> str:
    """Python source for a parameter value: numbers, strings, lists, tuples, dicts.

    Examples:
        >>> literal({"a": (1, 2.5), "b": [None, "x"]})
        "{'a': (1, 2.5), 'b': [None, 'x']}"
    """
    if value is None or isinstance(value, (bool, str, int)):
        return repr(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f"float({str(value)!r})"
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        return literal(value.item())
    if hasattr(value, "tolist"):
        return literal(value.tolist())
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items())
            + "}"
        )
    raise TypeError(
        f"an exercise parameter must be a number, string, list, tuple or dict, got"
        f" {value!r}"
    )


def _same(a, b) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:  # e.g. arrays
        return False


def _register_call(ex) -> str:
    standin = {
        "number": "0.0",
        "numbers": "(0.0,)",
        "function": "_zero",
        "choice": repr(WITHHELD),
    }[ex.kind]
    params = {k: v for k, v in ex.params.items() if not _same(v, ex.expected)}
    args = [
        repr(ex.id),
        repr(ex.kind),
        standin,
        f"hint={ex.hint!r}",
        f"rtol={ex.rtol!r}",
        f"atol={ex.atol!r}",
        f"params={literal(params)}",
        "replace=True",
    ]
    if ex.kind == "function":
        args.append(f"steps={literal(tuple(ex.steps))}")
    if ex.kind == "choice":
        args.append(f"choices={literal((*ex.choices, WITHHELD))}")
    return "    engine.register(\n        " + ",\n        ".join(args) + ",\n    )\n"


def write(folder: Path) -> Path:
    """Write the public edition of ``lrbook.exercises`` into ``folder`` (made here)."""
    from lrbook import exercises
    from lrbook.exercises import engine, exercise_ids, get

    source = Path(exercises.__file__).resolve().parent
    folder.mkdir(mode=0o755)
    for name in ("__init__.py", "engine.py"):
        shutil.copy(source / name, folder / name)
    modules = engine._chapter_modules()  # {"ch1.": "lrbook.exercises.ch01", ...}
    for prefix, module in modules.items():
        body = "".join(_register_call(get(i)) for i in exercise_ids(prefix))
        text = _HEADER + (body or "    pass\n")
        (folder / f"{module.rsplit('.', 1)[1]}.py").write_text(text, encoding="utf-8")
    for path in folder.iterdir():
        path.chmod(0o644)
    return folder
