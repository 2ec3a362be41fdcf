"""A Sphinx extension: an answer box under every auto-checked exercise of the website.

Listed in ``_config.yml`` (``sphinx.extra_extensions``) as ``booktools.answers``.

Under each exercise whose label is an id of :mod:`lrbook.exercises` (``:label:
ch03-ex-gamma`` is the exercise ``"ch03-ex-gamma"``), the HTML pages get a small form
in which the reader types an answer; ``_static/lrbook-answers.js`` checks it in the
browser with the rules of :func:`lrbook.exercises.check` (tolerances, classic mistakes,
hints, the same messages). The data the box needs (:func:`key`) are exported from the
one declaration of the exercise, ``lrbook/exercises/chNN.py``, at build time: there is
no second copy of an answer. ``tests/exercises/test_answers_js.py`` runs the checker in
Node on cases generated from every declaration and compares it with the engine.

* ``"number"``, ``"numbers"``: a text field (numbers separated by commas).
* ``"choice"``: one radio button per allowed answer.
* ``"function"``: the reader types the function's values at a few steps of the key's
  grid (:func:`probes`: the first and last step, the middle one, and wherever needed to
  tell the reference from each classic mistake); the box says that the notebook checks
  every step.

Only the HTML builder adds the boxes, in ``doctree-resolved``: the twins
(``book/*.ipynb``) and the assignments' student notebooks read the chapters' sources and
never see them. The answers travel with the page, so the box says that it is for
self-study; graded work uses the Otter assignments.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from collections.abc import Sequence

import numpy as np

SCRIPT = "lrbook-answers.js"
#: The most steps a "function" box asks for.
MAX_PROBES = 6


def probes(exercise) -> tuple[int, ...]:
    """The steps at which the box of a ``"function"`` exercise asks for values.

    The first, middle and last step of the key's grid, then, for the reference and each
    classic mistake (and each pair of mistakes) that agree at those steps within the
    exercise's tolerance, the first step of the grid where they differ.
    """
    from lrbook.exercises import engine

    grid = tuple(exercise.steps)
    if not grid:
        raise ValueError(
            f"exercise {exercise.id!r} has no steps (kind {exercise.kind!r})"
        )
    reference, _ = engine._evaluate(exercise.expected, grid)
    curves = [reference]
    for wrong, _why in exercise.mistakes:
        values, error = engine._evaluate(wrong, grid)
        if not error:
            curves.append(values)
    chosen = {grid[0], grid[len(grid) // 2], grid[-1]}
    index = {t: i for i, t in enumerate(grid)}
    for j in range(1, len(curves)):
        for i in range(j):
            a, b = curves[j], curves[i]
            with np.errstate(invalid="ignore", over="ignore"):
                differ = ~(np.abs(a - b) <= exercise.atol + exercise.rtol * np.abs(b))
            if not differ.any():
                continue  # the same curve on the whole grid: the engine cannot tell
            if not any(differ[index[t]] for t in chosen):
                chosen.add(grid[int(np.flatnonzero(differ)[0])])
    if len(chosen) > MAX_PROBES:
        raise ValueError(
            f"exercise {exercise.id!r}: its box would ask for {len(chosen)} values"
            f" (at most {MAX_PROBES}); its classic mistakes differ from the reference"
            " at too many different steps"
        )
    return tuple(sorted(chosen))


def _number(x) -> float | str:
    """A float for JSON; the non-finite ones as strings (JSON has no inf)."""
    x = float(x)
    return x if math.isfinite(x) else repr(x)


def key(exercise_id: str) -> dict:
    """What the page's checker needs to mark answers to one exercise, from its key."""
    from lrbook.exercises import engine, get

    ex = get(exercise_id)
    out: dict = {
        "id": ex.id,
        "kind": ex.kind,
        "rtol": ex.rtol,
        "atol": ex.atol,
        "hint": ex.hint,
    }
    mistakes: list = []
    if ex.kind == "number":
        out["expected"] = _number(ex.expected)
        for wrong, why in ex.mistakes:
            try:
                mistakes.append([_number(wrong), why])
            except (TypeError, ValueError):
                continue  # never matches a number (the engine would fail on it)
    elif ex.kind == "numbers":
        out["expected"] = [_number(v) for v in ex.expected]
        for wrong, why in ex.mistakes:
            values = np.asarray(wrong, dtype=np.float64)
            if values.ndim == 1:  # another shape never matches a list of numbers
                mistakes.append([[_number(v) for v in values], why])
    elif ex.kind == "function":
        steps = probes(ex)
        reference, _ = engine._evaluate(ex.expected, steps)
        out["steps"] = list(steps)
        out["expected"] = [_number(v) for v in reference]
        out["grid"] = _grid_text(ex.steps)
        for wrong, why in ex.mistakes:
            values, error = engine._evaluate(wrong, steps)
            if not error:  # the engine skips a mistake that fails
                mistakes.append([[_number(v) for v in values], why])
    else:
        out["expected"] = ex.expected
        out["choices"] = list(ex.choices)
        mistakes = [[w, why] for w, why in ex.mistakes if isinstance(w, str)]
    out["mistakes"] = mistakes
    return out


def _grid_text(grid: Sequence[int]) -> str:
    """``"t = 0, 1, …, 200"`` for a range, else ``"150 steps from t = 0 to 298"``."""
    grid = list(grid)
    if grid == list(range(grid[0], grid[-1] + 1)):
        if len(grid) <= 3:
            return "t = " + ", ".join(str(t) for t in grid)
        return f"t = {grid[0]}, {grid[1]}, …, {grid[-1]}"
    return f"{len(grid)} steps from t = {grid[0]} to {grid[-1]}"


# ------------------------------------------------------------------------------ HTML
def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def box_html(exercise_key: dict, *, first: bool) -> str:
    """The answer box of one exercise (an HTML form; ``lrbook-answers.js`` runs it)."""
    eid = exercise_key["id"]
    kind = exercise_key["kind"]
    uid = f"lrbook-answer-{eid}"
    data = json.dumps(exercise_key, ensure_ascii=False, separators=(",", ":"))
    parts = [
        f'<form class="lrbook-answer" id="{_attr(uid)}"'
        f' data-lrbook-answer="{_attr(eid)}"'
        f' data-lrbook-key="{_attr(data)}" aria-labelledby="{_attr(uid)}-title"'
        ' novalidate autocomplete="off">',
        f'<p class="lrbook-answer-title" id="{_attr(uid)}-title">Check your answer'
        ' <span class="lrbook-answer-where">here, in your browser</span></p>',
    ]
    if kind == "number":
        parts.append(
            f'<div class="lrbook-answer-row"><label for="{_attr(uid)}-in">Your answer'
            " (a number)</label>"
            f'<input type="text" id="{_attr(uid)}-in" name="answer" inputmode="decimal"'
            ' spellcheck="false" autocomplete="off"></div>'
        )
    elif kind == "numbers":
        n = len(exercise_key["expected"])
        parts.append(
            f'<div class="lrbook-answer-row"><label for="{_attr(uid)}-in">Your answer'
            f" ({n} number{'s' * (n != 1)}, separated by commas)</label>"
            f'<input type="text" id="{_attr(uid)}-in" name="answer"'
            ' spellcheck="false" autocomplete="off"></div>'
        )
    elif kind == "function":
        steps = exercise_key["steps"]
        shown = ", ".join(str(t) for t in steps)
        parts.append(
            '<fieldset class="lrbook-answer-steps"><legend>Your function’s values at'
            f" t = {html.escape(shown)}</legend>"
            f'<p class="lrbook-answer-note">The notebook checks the function itself, at'
            f" {html.escape(exercise_key['grid'])}; here, type the values it returns at"
            " these steps.</p>"
        )
        for i, t in enumerate(steps):
            parts.append(
                f'<div class="lrbook-answer-step"><label for="{_attr(uid)}-t{i}">'
                f"value at t = {t}</label>"
                f'<input type="text" id="{_attr(uid)}-t{i}" name="t{i}"'
                ' inputmode="decimal" spellcheck="false" autocomplete="off"></div>'
            )
        parts.append("</fieldset>")
    else:
        parts.append(
            '<fieldset class="lrbook-answer-choices"><legend>Your answer</legend>'
        )
        for i, choice in enumerate(exercise_key["choices"]):
            parts.append(
                f'<div class="lrbook-answer-choice"><input type="radio"'
                f' id="{_attr(uid)}-c{i}" name="{_attr(uid)}-choice"'
                f' value="{_attr(choice)}"><label for="{_attr(uid)}-c{i}">'
                f"<code>{html.escape(choice)}</code></label></div>"
            )
        parts.append("</fieldset>")
    parts.append(
        '<div class="lrbook-answer-actions"><button type="submit"'
        ' class="lrbook-answer-check">Check</button>'
        '<button type="button" class="lrbook-answer-reset">Reset this chapter’s'
        " answers</button></div>"
        '<p class="lrbook-answer-result" role="status" aria-live="polite"></p>'
    )
    if first:
        parts.append(
            '<p class="lrbook-answer-note lrbook-answer-honesty">These boxes are for'
            " self-study: they check your answer in your browser, so the answers travel"
            " with this page. Graded work uses the course’s Otter assignments, whose"
            " hidden tests stay with the teacher. Your answers are kept in this browser"
            " only (per chapter) until you reset them.</p>"
        )
    parts.append("</form>")
    return "".join(parts)


# ---------------------------------------------------------------------- Sphinx hooks
def _exercise_nodes(doctree):
    from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node

    return [
        n
        for n in doctree.findall(
            lambda n: isinstance(n, (exercise_node, exercise_enumerable_node))
        )
    ]


def _doctree_resolved(app, doctree, docname) -> None:
    if app.builder.format != "html":
        return
    from docutils import nodes

    from lrbook.exercises import exercise_ids

    known = set(exercise_ids())
    first = True
    for node in _exercise_nodes(doctree):
        label = node.get("label", "")
        if label not in known:
            continue  # an exercise without an automatic check: no box
        raw = nodes.raw("", box_html(key(label), first=first), format="html")
        node.parent.insert(node.parent.index(node) + 1, raw)
        first = False


def _page_context(app, pagename, templatename, context, doctree) -> None:
    if doctree is None or app.builder.format != "html":
        return
    from docutils import nodes

    for raw in doctree.findall(nodes.raw):
        if 'class="lrbook-answer"' in raw.astext():
            app.add_js_file(SCRIPT, loading_method="defer")
            return


def fingerprint() -> str:
    """A hash of every exercise's exported key and parameters (which the statements
    quote, booktools.statements): a change to an answer key changes it."""
    from lrbook.exercises import exercise_ids, get

    data = json.dumps(
        [[key(i), dict(get(i).params)] for i in exercise_ids()],
        sort_keys=True,
        default=repr,
    )
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


CHAPTER = re.compile(r"(?:^|/)ch\d\d-[^/]*$")


def _env_get_outdated(app, env, added, changed, removed) -> list[str]:
    """After a change to an answer key (and not to the page), the chapters' pages are
    read and written again: their boxes carry the keys, their statements quote the
    keys' parameters."""
    now = fingerprint()
    before = getattr(env, "lrbook_answer_keys", None)
    env.lrbook_answer_keys = now
    if before == now:
        return []
    return sorted(
        d for d in env.found_docs if CHAPTER.search(d) and d not in added | changed
    )


def setup(app):
    """Sphinx extension: answer boxes under the auto-checked exercises (HTML only)."""
    app.connect("doctree-resolved", _doctree_resolved)
    app.connect("env-get-outdated", _env_get_outdated)
    app.connect("html-page-context", _page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
