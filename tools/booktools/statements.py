r"""Exercise statements that quote their answer key: ``{{name}}`` filled at build time.

An exercise's numbers exist once, in its answer key (:mod:`lrbook.exercises`,
``params=``). The statement on the page quotes them by name::

    ```{exercise} Choose $\gamma$
    :label: ch03-ex-gamma

    An `ExponentialLR` must take the learning rate from $\alpha_0 = {{lr}}$ to ...
    ```

:func:`fill` replaces every ``{{name}}`` (or ``{{name:spec}}``, a Python format spec)
inside an ``{exercise}`` block with the parameter ``name`` of the answer key whose id
is the block's ``:label:``. It works on the MyST source, so a parameter can sit in
math, in inline code or in prose alike. It runs on the Sphinx ``source-read`` event
(:func:`setup`), before MyST parses the page, so the website and the notebooks the
build writes from the resolved page (:mod:`booktools.notebooks`: the learners' twins,
the assignments) quote the same numbers. A placeholder that names no parameter, or an
exercise without an answer key, is an error, never a blank.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["StatementError", "fill", "quote", "placeholders", "exercise_blocks"]

#: ``{{name}}`` or ``{{name:spec}}``.
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*(?::([^{}]*?))?\s*\}\}")
_OPEN = re.compile(r"^(`{3,}|:{3,})\{exercise\}.*$", re.M)
_LABEL = re.compile(r"^\s*:label:\s*(\S+)\s*$", re.M)


class StatementError(ValueError):
    """A statement's placeholder cannot be filled from its answer key."""


def exercise_blocks(text: str) -> list[tuple[int, int, str | None]]:
    """``(start, end, label)`` of every ``{exercise}`` block of a MyST text: ``start``
    and ``end`` are character offsets (the fences included)."""
    blocks = []
    for m in _OPEN.finditer(text):
        fence = m[1]
        close = re.compile(rf"^{re.escape(fence)}\s*$", re.M)
        end = close.search(text, m.end())
        stop = end.end() if end else len(text)
        found = _LABEL.search(text, m.end(), end.start() if end else len(text))
        blocks.append((m.start(), stop, found[1] if found else None))
    return blocks


def quote(value: object, spec: str = "") -> str:
    """The text of a parameter in a statement: numbers with ``format(value, spec)``
    (``spec`` defaults to ``"g"`` for floats), lists as ``"a, b, c"``, strings as they
    are.

    Examples:
        >>> quote(0.001), quote(100), quote([30, 80]), quote(0.904382, ".3f")
        ('0.001', '100', '30, 80', '0.904')
    """
    if isinstance(value, bool) or value is None:
        raise StatementError(
            f"cannot quote {value!r}: expected a number, string or list"
        )
    if isinstance(value, str):
        return format(value, spec)
    if isinstance(value, int):
        return format(value, spec or "d")
    if isinstance(value, float):
        return format(value, spec or "g")
    if isinstance(value, (list, tuple)):
        return ", ".join(quote(v, spec) for v in value)
    try:  # numpy scalars
        return quote(value.item(), spec)  # type: ignore[attr-defined]
    except AttributeError:
        raise StatementError(
            f"cannot quote {value!r} ({type(value).__name__}): expected a number, a"
            " string or a list of them"
        ) from None


def _params(label: str) -> Mapping[str, object]:
    from lrbook.exercises import exercise_ids, get

    if label not in exercise_ids(label.split("-")[0] + "-"):
        raise StatementError(
            f"the exercise {label!r} quotes an answer key ({{{{...}}}}) but no answer"
            " key has this id (lrbook.exercises)"
        )
    return get(label).params


def placeholders(text: str) -> dict[str, list[str]]:
    """``{label: [parameter names]}`` of the placeholders of each exercise block."""
    out: dict[str, list[str]] = {}
    for start, end, label in exercise_blocks(text):
        names = [m[1] for m in PLACEHOLDER.finditer(text, start, end)]
        if names:
            out.setdefault(label or "", []).extend(names)
    return out


def fill(text: str, where: str = "") -> str:
    """``text`` (MyST) with the placeholders of its exercise blocks filled in.

    Args:
        text: a chapter's MyST source.
        where: the file, for error messages.

    Raises:
        StatementError: a placeholder in a block without a label or without an answer
            key, or naming a parameter the key does not have.
    """
    pieces, last = [], 0
    for start, end, label in exercise_blocks(text):
        block = text[start:end]
        if not PLACEHOLDER.search(block):
            continue
        if label is None:
            raise StatementError(
                f"{where}: an exercise without :label: has placeholders"
            )
        params = _params(label)

        def one(m: re.Match, label=label, params=params) -> str:
            name, spec = m[1], (m[2] or "").strip()
            if name not in params:
                raise StatementError(
                    f"{where}: exercise {label!r} quotes {{{{{name}}}}}, but its answer"
                    f" key has no parameter {name!r};"
                    f" it has: {', '.join(params) or '-'}"
                )
            try:
                return quote(params[name], spec)
            except (ValueError, TypeError) as exc:
                raise StatementError(
                    f"{where}: exercise {label!r}, {{{{{name}:{spec}}}}}: {exc}"
                ) from None

        pieces += [text[last:start], PLACEHOLDER.sub(one, block)]
        last = end
    return "".join(pieces) + text[last:]


def _source_read(app, docname: str, source: list[str]) -> None:
    if "{{" in source[0]:
        source[0] = fill(source[0], app.env.doc2path(docname))


def setup(app):
    """Sphinx extension: fill the exercises' placeholders before MyST parses a page."""
    app.connect("source-read", _source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
