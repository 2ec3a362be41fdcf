r"""Automatic checks for the book's exercises: immediate feedback, never the solution.

Each exercise has an id such as ``"ch01-ex-stability"``. In a notebook, a student calls
:func:`check` with the id and an answer, and gets a green or red box saying whether
the answer is correct, with a hint when it is not (and a specific explanation when the
answer is a classic mistake, e.g. :math:`1/L` instead of :math:`2/L`):

    >>> from lrbook.exercises import check
    >>> r = check("ch01-ex-stability", 0.2)
    ✓ ch01-ex-stability: correct.
    >>> r.ok
    True
    >>> r = check("ch01-ex-stability", 0.1)  # doctest: +ELLIPSIS
    ✗ ch01-ex-stability: not correct. That is 1/L, ...

Answers come in four kinds:

* ``"number"``: a real number, compared with a relative and an absolute tolerance;
* ``"numbers"``: a list, tuple or array of numbers, compared element by element;
* ``"function"``: a function of the step ``t`` (any callable ``t -> lr``, e.g. an
  lrbook schedule), compared with the reference on a grid of steps;
* ``"choice"``: one string among a few options (case and spaces do not matter).

The expected answers are computed with :mod:`lrbook` itself wherever possible, so the
exercises always agree with the code the chapters show. New exercises are added with
:func:`register`; :func:`exercise_ids` lists them and :func:`get` returns one, whose
``params`` the statement on the page quotes (the book's build fills ``{{name}}`` in
an exercise's text with them: the numbers exist once, in the answer key).

The package holds the marking engine (:mod:`lrbook.exercises.engine`) and one answer
key per chapter (:mod:`lrbook.exercises.ch01`, ``ch02``, ...), each imported the first
time one of its exercises is used.
"""

from .engine import (
    KINDS,
    Exercise,
    Result,
    check,
    exercise_ids,
    get,
    register,
    unregister,
)

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
