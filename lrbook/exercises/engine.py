r"""The marking engine of :mod:`lrbook.exercises`: registry, markers, feedback.

:func:`register` adds an exercise, :func:`check` marks an answer with one of the
markers (one per kind of answer, :data:`KINDS`), :func:`get` and :func:`exercise_ids`
look exercises up. The answer keys of the book live next to this module, one module
per chapter (``ch01.py``, ``ch02.py``, ...), each with a ``register()`` function. A
chapter's module is imported the first time one of its ids is used: module ``chNN``
holds the ids that start with ``"chNN-"``, and :func:`exercise_ids` without a prefix
loads them all. An id is the label of the exercise on its page (``"ch01-ex-stability"``
is the exercise ``:label: ch01-ex-stability`` of chapter 1), so the page, the answer key
and the assignments name an exercise the same way. A new chapter's answer key is a new
module ``chNN.py``; nothing else changes.
"""

from __future__ import annotations

import difflib
import html
import importlib
import math
import numbers
import pkgutil
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import numpy as np

from .. import _checks as _check
from .. import _env

__all__ = [
    "KINDS",
    "Exercise",
    "Result",
    "check",
    "register",
    "unregister",
    "get",
    "exercise_ids",
]

#: The kinds of answer an exercise can expect.
KINDS = ("number", "numbers", "function", "choice")

_REGISTRY: dict[str, Exercise] = {}
_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


@dataclass(frozen=True)
class Exercise:
    """One registered exercise; made by :func:`register`.

    Attributes:
        id: the exercise id, e.g. ``"ch01-ex-stability"``.
        kind: one of :data:`KINDS`.
        expected: the reference answer: a number, a tuple of numbers, a function of
            the step, or a string.
        hint: what :func:`check` says after a wrong answer.
        rtol: the relative tolerance of numerical answers.
        atol: the absolute tolerance of numerical answers.
        steps: the steps at which a ``"function"`` answer is compared.
        choices: the allowed strings of a ``"choice"`` exercise.
        mistakes: ``(wrong answer, explanation)`` pairs for classic mistakes.
        params: the exercise's parameters (read-only), e.g. ``{"a": 10.0}``.
    """

    id: str
    kind: str
    expected: object
    hint: str = ""
    rtol: float = 1e-6
    atol: float = 0.0
    steps: tuple[int, ...] = ()
    choices: tuple[str, ...] = ()
    mistakes: tuple[tuple[object, str], ...] = ()
    params: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def __repr__(self) -> str:
        return f"Exercise({self.id!r}, kind={self.kind!r})"


@dataclass(frozen=True)
class Result:
    """The outcome of :func:`check`: ``ok`` and a message (a hint when not ok).

    In a notebook it shows as a green (correct) or red (not correct) box; ``bool(r)``
    is ``r.ok``.

    Attributes:
        exercise: the exercise id.
        ok: whether the answer is correct.
        message: ``"correct."`` or ``"not correct. ..."`` with the reason and a hint.
    """

    exercise: str
    ok: bool
    message: str
    pending: bool = False

    def __bool__(self) -> bool:
        return self.ok

    @property
    def text(self) -> str:
        """The one-line feedback, as printed by :func:`check`."""
        mark = "✓" if self.ok else ("…" if self.pending else "✗")
        return f"{mark} {self.exercise}: {self.message}"

    def __repr__(self) -> str:
        return f"<Result {self.text}>"

    def _repr_html_(self) -> str:
        # Translucent fills and inherited text colour: readable in light and dark
        # themes; both border colours have a contrast of at least 4:1 on either.
        if self.ok:
            colour, fill, title = "#1f8a3b", "rgba(31, 138, 59, 0.12)", "✓ Correct"
        elif self.pending:
            colour, fill, title = "#3b73b9", "rgba(59, 115, 185, 0.12)", "Your turn"
        else:
            colour, fill, title = "#d64545", "rgba(214, 69, 69, 0.12)", "✗ Not correct"
        body = self.message
        for prefix in ("not correct. ", "not correct: ", "correct."):
            if body.startswith(prefix):
                body = body[len(prefix) :]
                break
        return (
            f'<div class="lrbook-check lrbook-check-{self._state}"'
            f' role="status" style="border-left: 4px solid {colour};'
            f" background: {fill}; padding: 0.5em 0.8em; margin: 0.5em 0;"
            f' border-radius: 4px;"><strong>{title}</strong>'
            f" <code>{html.escape(self.exercise)}</code>"
            f"{'' if not body else ' — ' + html.escape(body)}</div>"
        )

    @property
    def _state(self) -> str:
        return "ok" if self.ok else ("pending" if self.pending else "wrong")

    def _ipython_display_(self) -> None:
        # check() has already shown this result in the current cell; do not show it a
        # second time when it is also the cell's value.
        shell = _env.ipython_shell()
        count = getattr(shell, "execution_count", None)
        if getattr(self, "_shown_at", object()) == count:
            return
        object.__setattr__(self, "_shown_at", count)
        from IPython.display import display

        display({"text/plain": self.text, "text/html": self._repr_html_()}, raw=True)


def _show(result: Result) -> None:
    if _env.ipython_shell() is not None:
        result._ipython_display_()
    else:
        print(result.text)


# ---------------------------------------------------------------------------- registry
def register(
    exercise_id: str,
    kind: str,
    expected,
    *,
    hint: str = "",
    rtol: float = 1e-6,
    atol: float = 0.0,
    steps: Iterable[int] | None = None,
    choices: Sequence[str] | None = None,
    mistakes: Sequence[tuple[object, str]] = (),
    params: dict | None = None,
    replace: bool = False,
) -> Exercise:
    r"""Register an exercise so that :func:`check` can mark answers to it.

    A numerical answer :math:`y` is correct when :math:`|y - y^\ast| \le
    \mathrm{atol} + \mathrm{rtol}\,|y^\ast|` (every element, for ``"numbers"`` and
    ``"function"``).

    Args:
        exercise_id: a unique id such as ``"ch04-ex-warmup-length"`` (letters, digits,
            ``_``, ``.``, ``-``).
        kind: ``"number"``, ``"numbers"``, ``"function"`` or ``"choice"``.
        expected: the reference answer: a finite number; a sequence of numbers; a
            function of the step (e.g. an lrbook schedule); or a string.
        hint: the hint given after a wrong answer. It must not give the answer away.
        rtol: the relative tolerance (>= 0).
        atol: the absolute tolerance (>= 0).
        steps: for ``"function"``: the integer steps >= 0 where answers are compared
            (default ``0, 1, ..., 200``).
        choices: for ``"choice"``: the allowed answers (must include ``expected``).
        mistakes: ``(wrong answer, explanation)`` pairs: when an answer matches a
            classic mistake (with the same tolerance), :func:`check` explains it.
        params: the exercise's parameters (numbers, strings, lists of them): the
            statement on the page quotes them (``{{name}}`` in the exercise's text,
            filled in by the book's build), so the numbers exist once.
        replace: allow replacing an exercise already registered under this id.

    Returns:
        The :class:`Exercise`.

    Examples:
        >>> ex = register("demo.sqrt2", "number", math.sqrt(2), rtol=1e-3,
        ...               hint="Which positive number squares to 2?")
        >>> check("demo.sqrt2", 1.4142).ok
        ✓ demo.sqrt2: correct.
        True
        >>> check("demo.sqrt2", 1.5).ok
        ✗ demo.sqrt2: not correct. Hint: Which positive number squares to 2?
        False
        >>> unregister("demo.sqrt2")
    """
    if not isinstance(exercise_id, str) or not _ID.match(exercise_id):
        raise ValueError(
            "exercise_id must be a non-empty string of letters, digits, '_', '.' and"
            f" '-', got {exercise_id!r}"
        )
    kind = _check.choice("kind", kind, KINDS)
    rtol = _check.finite("rtol", rtol, minimum=0.0)
    atol = _check.finite("atol", atol, minimum=0.0)
    if not isinstance(hint, str):
        raise TypeError(f"hint must be a string, got {hint!r}")
    _load_chapters(exercise_id)
    if exercise_id in _REGISTRY and not replace:
        raise ValueError(
            f"exercise_id {exercise_id!r} is already registered; pass replace=True to"
            " replace it"
        )
    expected, grid, opts = _reference(kind, expected, steps, choices)
    pairs = _mistake_pairs(mistakes)
    exercise = Exercise(
        id=exercise_id,
        kind=kind,
        expected=expected,
        hint=hint,
        rtol=rtol,
        atol=atol,
        steps=grid,
        choices=opts,
        mistakes=pairs,
        params=MappingProxyType(dict(params or {})),
    )
    _REGISTRY[exercise_id] = exercise
    return exercise


def unregister(exercise_id: str) -> None:
    """Remove a registered exercise (unknown ids raise ``ValueError``)."""
    get(exercise_id)
    del _REGISTRY[exercise_id]


def exercise_ids(prefix: str = "") -> tuple[str, ...]:
    """The registered exercise ids that start with ``prefix``, sorted.

    Examples:
        >>> exercise_ids("ch03-")
        ('ch03-ex-exp-function', 'ch03-ex-exp-sum', 'ch03-ex-gamma',
         'ch03-ex-half-life', 'ch03-ex-staircase')
    """
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a string such as 'ch03-', got {prefix!r}")
    _load_chapters(prefix)
    return tuple(sorted(i for i in _REGISTRY if i.startswith(prefix)))


def get(exercise_id: str) -> Exercise:
    """The registered :class:`Exercise` with this id.

    Raises:
        ValueError: for an unknown id, listing the closest registered ids.

    Examples:
        >>> get("ch01-ex-contraction").params["a"]
        4.0
        >>> get("ch01-ex-stabilty")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: exercise_id 'ch01-ex-stabilty' is not registered; did you mean ...?
    """
    if not isinstance(exercise_id, str):
        raise TypeError(
            f"exercise_id must be a string such as 'ch01-ex-stability', got {exercise_id!r}"
            f" ({type(exercise_id).__name__})"
        )
    _load_chapters(exercise_id)
    if exercise_id in _REGISTRY:
        return _REGISTRY[exercise_id]
    _load_chapters("")  # suggest ids from every chapter
    close = difflib.get_close_matches(exercise_id, list(_REGISTRY), n=3, cutoff=0.6)
    if close:
        tail = "did you mean " + " or ".join(repr(c) for c in close) + "?"
    else:
        chapter = exercise_id.split("-")[0] + "-"
        known = exercise_ids(chapter) or exercise_ids()
        tail = "registered ids: " + ", ".join(repr(k) for k in known)
    raise ValueError(f"exercise_id {exercise_id!r} is not registered; {tail}")


def _reference(kind: str, expected, steps, choices):
    """The checked reference answer of an exercise, its grid of steps and choices."""
    grid: tuple[int, ...] = ()
    opts: tuple[str, ...] = ()
    if kind == "number":
        expected = _check.finite("expected", expected)
    elif kind == "numbers":
        values, error = _as_numbers(expected)
        if error or not np.isfinite(values).all():
            raise ValueError(
                f"expected must be a sequence of finite numbers for kind 'numbers',"
                f" got {expected!r}"
            )
        expected = tuple(float(v) for v in values)
    elif kind == "function":
        if not callable(expected):
            raise TypeError(
                "expected must be a function of the step t for kind 'function', got"
                f" {expected!r}"
            )
        grid = tuple(range(201)) if steps is None else tuple(steps)
        if not grid:
            raise ValueError("steps must hold at least one step, got ()")
        for i, t in enumerate(grid):
            _check.integer(f"steps[{i}]", t, minimum=0)
        grid = tuple(int(t) for t in grid)
        values, error = _evaluate(expected, grid)
        if error:
            raise ValueError(f"expected is not a valid function of t: {error}")
    else:
        if not isinstance(expected, str):
            raise TypeError(
                f"expected must be a string for kind 'choice', got {expected!r}"
            )
        opts = (expected,) if choices is None else tuple(choices)
        if not all(isinstance(c, str) for c in opts):
            raise TypeError(f"choices must be strings, got {choices!r}")
        if _norm(expected) not in {_norm(c) for c in opts}:
            raise ValueError(f"choices must include expected {expected!r}, got {opts}")
    return expected, grid, opts


def _mistake_pairs(mistakes) -> tuple[tuple[object, str], ...]:
    """The ``(wrong answer, explanation)`` pairs, checked."""
    pairs = []
    for i, item in enumerate(mistakes):
        if not (
            isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], str)
        ):
            raise TypeError(
                f"mistakes[{i}] must be a (wrong answer, explanation) pair,"
                f" got {item!r}"
            )
        pairs.append(item)
    return tuple(pairs)


# ------------------------------------------------------------------ the answer keys
_KEY_MODULE = re.compile(r"^ch(\d+)$")
_LOADED: set[str] = set()


@lru_cache(maxsize=1)
def _chapter_modules() -> dict[str, str]:
    """Id prefix -> answer-key module, e.g. ``{"ch01-": "lrbook.exercises.ch01"}``.

    Found by name: every module ``chNN`` of this package is a chapter's answer key.
    """
    here = str(Path(__file__).resolve().parent)
    table = {}
    for info in pkgutil.iter_modules([here]):
        match = _KEY_MODULE.match(info.name)
        if match and not info.ispkg:
            table[f"ch{int(match.group(1)):02d}-"] = f"{__package__}.{info.name}"
    return dict(sorted(table.items(), key=lambda item: int(item[0][2:-1])))


def _load_chapters(prefix: str) -> None:
    """Register the answer keys that may hold ids starting with ``prefix``, once each.

    ``""`` loads every chapter, ``"ch2."`` or ``"ch02-ex-step-rate"`` chapter 2 only.
    """
    for chapter, name in _chapter_modules().items():
        if name in _LOADED or not (
            chapter.startswith(prefix) or prefix.startswith(chapter)
        ):
            continue
        _LOADED.add(name)  # before register(): its own register calls come back here
        before = set(_REGISTRY)
        try:
            importlib.import_module(name).register()
        except BaseException:
            for exercise_id in set(_REGISTRY) - before:
                del _REGISTRY[exercise_id]
            _LOADED.discard(name)
            raise


# ---------------------------------------------------------------------------- marking
_PENDING = "no answer yet: replace the placeholder with your answer and run the cell."


def _capital(text: str) -> str:
    """Capitalise a sentence that starts with an English word: not one that starts
    with a symbol ("γ = ...") or a code name ("total_steps", "exp_range")."""
    first = text.split(" ", 1)[0].rstrip(",.:;")
    return text[:1].upper() + text[1:] if first.isascii() and first.isalpha() else text


def _describe(value: object) -> str:
    if value is None:
        return "None (replace the placeholder with your answer)"
    if value is Ellipsis:
        return "... (replace the placeholder with your answer)"
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(value).__name__} ({text})"


def _as_number(value) -> float | None:
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        return float(value)
    return None


def _as_numbers(value) -> tuple[np.ndarray, str]:
    """A 1-d float array from a sequence of real numbers, or an error message."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "iuf" or value.ndim != 1:
            return np.empty(0), (
                "expected a 1-d sequence of numbers, got an array of shape"
                f" {value.shape} and dtype {value.dtype}"
            )
        return value.astype(np.float64), ""
    if isinstance(value, (list, tuple, range)):
        out = []
        for i, v in enumerate(value):
            x = _as_number(v)
            if x is None:
                return np.empty(0), (
                    f"expected a sequence of numbers, but element {i} is {_describe(v)}"
                )
            out.append(x)
        return np.asarray(out, dtype=np.float64), ""
    return np.empty(0), f"expected a list or tuple of numbers, got {_describe(value)}"


def _evaluate(fn: Callable, steps: Sequence[int]) -> tuple[np.ndarray, str]:
    """``fn(t)`` at each step (Python ints), or an error message."""
    out = np.empty(len(steps))
    for i, t in enumerate(steps):
        try:
            value = fn(t)
        except Exception as exc:  # a student's function may raise anything
            return out, f"your function raised {type(exc).__name__} at t={t}: {exc}"
        x = _as_number(value)
        if x is None:
            return out, (
                f"at t={t} your function returned {_describe(value)}, expected a number"
            )
        out[i] = x
    return out, ""


def _placeholder_function(ex: Exercise, answer) -> bool:
    """Whether ``answer`` is a function exercise's placeholder: a function that
    returns ``None`` (or ``...``) at every step, such as ``def f(t): return None``."""
    if ex.kind != "function" or not callable(answer):
        return False
    for t in ex.steps:
        try:
            value = answer(t)
        except Exception:  # a student's function may raise anything
            return False
        if value is not None and value is not Ellipsis:
            return False
    return True


def _close(a, b, ex: Exercise, scale: float = 1.0) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.all(np.abs(a - b) <= scale * (ex.atol + ex.rtol * np.abs(b))))


def _mistake(ex: Exercise, values, convert) -> str:
    for wrong, why in ex.mistakes:
        if _close(values, convert(wrong), ex):
            return why
    return ""


def _tolerance(ex: Exercise) -> str:
    parts = []
    if ex.rtol:
        parts.append(f"relative {ex.rtol:g}")
    if ex.atol:
        parts.append(f"absolute {ex.atol:g}")
    return " and ".join(parts) or "exact"


def _mark_number(ex: Exercise, answer) -> tuple[bool, str]:
    x = _as_number(answer)
    if x is None:
        if isinstance(answer, (list, tuple, np.ndarray)):
            return False, f"expected a single number, got {_describe(answer)}."
        return False, f"expected a number, got {_describe(answer)}."
    if not math.isfinite(x):
        return False, f"your answer is {x}, expected a finite number."
    if _close(x, ex.expected, ex):
        return True, ""
    why = _mistake(ex, x, float)
    if why:
        return False, why
    if _close(x, ex.expected, ex, scale=10.0):
        return False, (
            f"close, but not within the tolerance ({_tolerance(ex)}): keep more digits."
        )
    return False, ""


def _mark_numbers(ex: Exercise, answer) -> tuple[bool, str]:
    values, error = _as_numbers(answer)
    if error:
        return False, error + "."
    n = len(ex.expected)
    if values.size != n:
        why = _mistake(ex, values, lambda w: np.asarray(w, dtype=np.float64))
        if why:
            return False, why
        return False, f"expected {n} number{'s' * (n != 1)}, got {values.size}."
    if not np.isfinite(values).all():
        return False, "your answer contains a value that is not finite."
    if _close(values, ex.expected, ex):
        return True, ""
    why = _mistake(ex, values, lambda w: np.asarray(w, dtype=np.float64))
    if why:
        return False, why
    wrong = np.flatnonzero(~np.isclose(values, ex.expected, rtol=ex.rtol, atol=ex.atol))
    k = len(wrong)
    return False, (
        f"{k} of the {n} numbers {'is' if k == 1 else 'are'} not right"
        f" (the first wrong one is element {int(wrong[0])})."
    )


def _mark_function(ex: Exercise, answer) -> tuple[bool, str]:
    if not callable(answer):
        return False, f"expected a function of the step t, got {_describe(answer)}."
    mine, error = _evaluate(answer, ex.steps)
    if error:
        return False, error + "."
    if not np.isfinite(mine).all():
        t = ex.steps[int(np.flatnonzero(~np.isfinite(mine))[0])]
        return False, f"your function is not finite at t={t}."
    reference, _ = _evaluate(ex.expected, ex.steps)
    if _close(mine, reference, ex):
        return True, ""
    for wrong, why in ex.mistakes:
        values, err = _evaluate(wrong, ex.steps)
        if not err and _close(mine, values, ex):
            return False, why
    bad = ~np.isclose(mine, reference, rtol=ex.rtol, atol=ex.atol)
    i = int(np.flatnonzero(bad)[0])
    return False, (
        f"your function first differs from the reference at t={ex.steps[i]}"
        f" (it returns {mine[i]:.6g} there)."
    )


def _norm(text: str) -> str:
    return re.sub(r"\s+|\(\)$", "", text.strip().casefold())


def _mark_choice(ex: Exercise, answer) -> tuple[bool, str]:
    options = ", ".join(repr(c) for c in ex.choices)
    if not isinstance(answer, str):
        return False, f"expected one of {options}, got {_describe(answer)}."
    given = _norm(answer)
    if given == _norm(ex.expected):
        return True, ""
    if given not in {_norm(c) for c in ex.choices}:
        return False, f"expected one of {options}, got {answer!r}."
    for wrong, why in ex.mistakes:
        if isinstance(wrong, str) and given == _norm(wrong):
            return False, why
    return False, ""


_MARKERS = {
    "number": _mark_number,
    "numbers": _mark_numbers,
    "function": _mark_function,
    "choice": _mark_choice,
}


# ---------------------------------------------------------------------------- checking
def check(exercise_id: str, answer, *, show: bool = True) -> Result:
    """Check an answer to an exercise and give immediate feedback.

    The feedback says whether the answer is correct and, when it is not, why (a wrong
    kind of answer, a classic mistake, close but outside the tolerance) and a hint. It
    never shows the expected answer. A wrong kind of answer (e.g. a string where a
    number is expected) gives a "not correct" result, not an exception.

    Args:
        exercise_id: the id of a registered exercise, e.g. ``"ch01-ex-stability"``.
        answer: the answer: a number, a sequence of numbers, a function of the step
            ``t`` or a string, depending on the exercise.
        show: whether to show the feedback now: a coloured box in a notebook, a
            printed line elsewhere.

    Returns:
        A :class:`Result` with ``.ok`` and ``.message``.

    Raises:
        ValueError: if ``exercise_id`` is not registered (the message lists the
            closest ids).

    Examples:
        >>> check("ch01-ex-stability", "0.2", show=False).message
        "not correct: expected a number, got str ('0.2')."
        >>> import lrbook
        >>> check("ch03-ex-exp-function", lrbook.exponential_decay(0.1, gamma=0.95)).ok
        ✓ ch03-ex-exp-function: correct.
        True
    """
    exercise = get(exercise_id)
    if answer is None or answer is Ellipsis or _placeholder_function(exercise, answer):
        # The placeholder of an exercise cell: not a wrong answer, just no answer yet
        # (this is what a reader of the website sees).
        result = Result(exercise.id, False, _PENDING, pending=True)
        if show:
            _show(result)
        return result
    ok, reason = _MARKERS[exercise.kind](exercise, answer)
    if ok:
        message = "correct."
    elif reason.startswith("expected"):  # the wrong kind of answer: say so, only
        message = f"not correct: {reason}"
    else:
        hint = f"Hint: {_capital(exercise.hint)}" if exercise.hint else ""
        message = " ".join(p for p in ("not correct.", _capital(reason), hint) if p)
    result = Result(exercise.id, ok, message)
    if show:
        _show(result)
    return result
