"""Marking, in the trusted parent process: exported answers against the answer keys.

The sandbox exports each answer as plain data (see :mod:`grading.runner`). This module
reads that data as untrusted input (:func:`read_result`: a regular file, size-capped,
every field checked), turns it back into an answer (:func:`answer`: a number, a list of
numbers, a string, or a function that returns the exported values at the exercise's
steps) and marks it with :func:`lrbook.exercises.check` and the classic mistakes of the
answer key (:func:`points`). Points are exact fractions; the CSV rounds them once.

Every auto-graded question is worth :data:`POINTS`:

* 1 point: an answer of the right kind (a finite number; a non-empty list of finite
  numbers, of any length; a function of the step whose value at the first step is a
  finite number; one of the choices);
* 2 points: ``check`` accepts it (3 when the key knows no classic mistake);
* 1 point shared between the key's classic mistakes: an answer of the right kind that
  is not that mistake.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from fractions import Fraction
from pathlib import Path

POINTS = 4
MAX_RESULT = 32 << 20  # bytes of result.json read at most
MAX_ITEMS = 100_000
TYPES = ("missing", "none", "number", "numbers", "string", "function", "other")


class BadResult(ValueError):
    """The sandbox's result file is missing or malformed."""


def spec(question) -> dict:
    """What the sandbox needs to export one question's answer (no key in it)."""
    from lrbook.exercises import get

    ex = get(question.exercise_id)
    return {
        "name": question.name,
        "exercise": ex.id,
        "variable": question.variable,
        "kind": ex.kind,
        "steps": list(ex.steps),
    }


def check_spec(questions: list[dict]) -> None:
    """Raise ``ValueError`` if the keys changed since the build wrote ``questions``."""
    from lrbook.exercises import get

    for q in questions:
        ex = get(q["exercise"])
        if ex.kind != q["kind"] or list(ex.steps) != list(q["steps"]):
            raise ValueError(
                f"the answer key of {q['exercise']} changed since the assignment was"
                " built (its kind or steps differ): build it again"
            )


def read_result(path: Path) -> dict:
    """The sandbox's ``result.json``, checked: never follows a link, never more than
    :data:`MAX_RESULT` bytes, every field of the expected type."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise BadResult("the notebook's run produced no result") from None
    except OSError as exc:
        raise BadResult(f"unreadable result ({exc.strerror})") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise BadResult("the result is not a regular file")
    with os.fdopen(fd, "rb") as f:
        raw = f.read(MAX_RESULT + 1)
    if len(raw) > MAX_RESULT:
        raise BadResult(f"the result is larger than {MAX_RESULT >> 20} MiB")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadResult("the result is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadResult("the result is not a JSON object")
    out = {
        "answers": data.get("answers"),
        "cells": data.get("cells"),
        "errors": data.get("errors"),
        "timeout": data.get("timeout"),
        "error": data.get("error"),
    }
    if out["answers"] is not None and not isinstance(out["answers"], dict):
        raise BadResult("the answers are not a JSON object")
    if not isinstance(out["cells"], int) or isinstance(out["cells"], bool):
        out["cells"] = 0
    errors = out["errors"] if isinstance(out["errors"], list) else []
    out["errors"] = [
        {
            "cell": e.get("cell") if isinstance(e.get("cell"), int) else -1,
            "ename": _text(e.get("ename"), 100),
            "evalue": _text(e.get("evalue"), 200),
        }
        for e in errors[:20]
        if isinstance(e, dict)
    ]
    if not (out["timeout"] is None or type(out["timeout"]) is int):
        out["timeout"] = -1
    out["error"] = None if out["error"] is None else _text(out["error"], 300)
    return out


def _text(value, limit: int) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = re.sub(r"[\x00-\x1f\x7f]", " ", text)
    return text[:limit]


def _number(value) -> float | None:
    """A JSON number (not a boolean), as a float; ``None`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


class Sampled:
    """A function answer, rebuilt from its values at the exercise's steps.

    Calling it at a step where the student's function raised, or returned something
    that is not a number, raises ``ValueError``; so does any other step.
    """

    def __init__(self, steps, values):
        self.table = dict(zip(steps, values, strict=True))

    def __call__(self, t):
        value = self.table.get(t)
        if value is None:
            raise ValueError(f"no number at t={t}")
        return value

    def __repr__(self) -> str:
        return "<the submitted function, sampled>"


class Other:
    """An answer of a kind no exercise accepts (e.g. a dict); marked as wrong."""

    def __init__(self, what: str):
        self.what = what

    def __repr__(self) -> str:
        return f"<{self.what}>"


def answer(item, question: dict):
    """The answer of one question from its exported ``item`` (``None``: no answer)."""
    if not isinstance(item, dict) or item.get("type") not in TYPES:
        return Other("malformed export")
    kind = item["type"]
    if kind in ("missing", "none"):
        return None
    if kind == "number":
        x = _number(item.get("value"))
        return Other("malformed number") if x is None else x
    if kind == "string":
        value = item.get("value")
        return value[:10000] if isinstance(value, str) else Other("malformed string")
    if kind in ("numbers", "function"):
        values = item.get("values")
        if not isinstance(values, list) or len(values) > MAX_ITEMS:
            return Other(f"malformed {kind}")
        xs = [_number(v) for v in values]
        if kind == "numbers":
            if any(x is None for x in xs):
                return Other("malformed numbers")
            return xs
        steps = question["steps"]
        if len(xs) != len(steps):
            return Other("malformed function")
        return Sampled(steps, xs)
    return Other(_text(item.get("what"), 100))


def right_kind(ex, value) -> bool:
    """The public test: an answer is given and is of the exercise's kind."""
    if ex.kind == "number":
        return isinstance(value, float) and math.isfinite(value)
    if ex.kind == "numbers":
        return (
            isinstance(value, list)
            and len(value) >= 1
            and all(math.isfinite(v) for v in value)
        )
    if ex.kind == "function":
        first = value.table.get(ex.steps[0]) if isinstance(value, Sampled) else None
        return first is not None and math.isfinite(first)
    return isinstance(value, str) and _norm(value) in {_norm(c) for c in ex.choices}


def _norm(text: str) -> str:
    return re.sub(r"\s+|\(\)$", "", text.strip().casefold())


def points(exercise_id: str, value) -> Fraction:
    """The points of one answer (see the module docstring), exactly."""
    from lrbook.exercises import check, get

    ex = get(exercise_id)
    if value is None or not right_kind(ex, value):
        return Fraction(0)
    if check(exercise_id, value, show=False).ok:
        return Fraction(POINTS)
    m = len(ex.mistakes)
    avoided = sum(1 for wrong, _ in ex.mistakes if not is_mistake(ex, value, wrong))
    return Fraction(1) + (Fraction(avoided, m) if m else Fraction(0))


def is_mistake(ex, value, wrong) -> bool:
    """Whether an answer (of the right kind) is the classic mistake ``wrong``, with the
    exercise's tolerances, as :func:`lrbook.exercises.check` compares them. Two
    mistakes with the same explanation are told apart by their values."""
    if ex.kind == "choice":
        return isinstance(wrong, str) and _norm(value) == _norm(wrong)
    if ex.kind == "function":
        mine = [value.table.get(t) for t in ex.steps]
        try:
            theirs = [float(wrong(t)) for t in ex.steps]
        except Exception:
            return False
        if any(x is None for x in mine):
            return False
    else:
        mine = [value] if ex.kind == "number" else list(value)
        try:
            wrongs = [wrong] if ex.kind == "number" else list(wrong)
            theirs = [float(w) for w in wrongs]
        except (TypeError, ValueError):
            return False
    if len(mine) != len(theirs):
        return False
    return all(
        abs(a - b) <= ex.atol + ex.rtol * abs(b)
        for a, b in zip(mine, theirs, strict=True)
    )
