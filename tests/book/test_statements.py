"""Each exercise is declared once: its answer key (``lrbook.exercises``, id = the page's
label) holds the numbers, and the statement quotes them (``{{name}}``, filled in by
``booktools.statements``). These tests fail when a statement, its key, the learners' twin
and the student notebook of the course assignment disagree, for every chapter."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from booktools import assign, statements, twins
from booktools.statements import PLACEHOLDER, StatementError, exercise_blocks, fill
from lrbook.exercises import exercise_ids, get

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted(p for p in twins.toc_files(ROOT) if re.match(r"ch\d\d-", p.stem))
CHECK = re.compile(r"""check\(\s*["']([^"']+)["']""")
FENCE = re.compile(r"^(`{3,}|:{3,})\{([\w-]+)\}", re.M)


def _blocks(md: Path) -> dict[str, str]:
    """``{label: raw statement}`` of the chapter's exercises."""
    text = md.read_text(encoding="utf-8")
    return {label: text[a:b] for a, b, label in exercise_blocks(text) if label}


def _answer_ids(md: Path) -> dict[str, set[str]]:
    """``{label: ids passed to check()}`` in the code between an exercise and the next
    exercise or solution (its answer cell)."""
    text = md.read_text(encoding="utf-8")
    out: dict[str, set[str]] = {}
    blocks = exercise_blocks(text)
    for i, (_, end, label) in enumerate(blocks):
        stop = blocks[i + 1][0] if i + 1 < len(blocks) else len(text)
        solution = text.find("{solution-start}", end, stop)
        region = text[end : solution if solution >= 0 else stop]
        out[label] = set(CHECK.findall(region))
    return out


def _quoted(params) -> dict[str, object]:
    """The parameters a statement must quote: numbers and short lists of numbers
    (names starting with ``_`` are data for code cells, not for the text)."""

    def numeric(v) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    return {
        k: v
        for k, v in params.items()
        if not k.startswith("_")
        and (
            numeric(v)
            or (
                isinstance(v, (list, tuple))
                and 0 < len(v) <= 6
                and all(map(numeric, v))
            )
        )
    }


@pytest.fixture(scope="module")
def keys() -> dict[str, object]:
    return {i: get(i) for i in exercise_ids()}


def test_every_answer_key_has_its_exercise_on_a_page_and_back(keys):
    labels = {label: md for md in CHAPTERS for label in _blocks(md)}
    missing = sorted(set(keys) - set(labels))
    assert not missing, (
        f"answer keys whose id is no exercise label on a page: {missing}"
    )
    for md in CHAPTERS:
        for label, ids in _answer_ids(md).items():
            if not ids:
                continue  # an exercise the engine does not mark (worked solution only)
            assert ids == {label}, (
                f"{md.name}: the answer cell of exercise {label!r} checks {sorted(ids)};"
                f" it must check its own id {label!r}"
            )
            assert label in keys, f"{md.name}: {label!r} is checked but has no key"


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem[:4])
def test_statements_quote_every_number_of_their_key(md, keys):
    blocks = _blocks(md)
    problems = []
    for label, block in blocks.items():
        if label not in keys:
            assert not PLACEHOLDER.search(block), f"{label}: placeholders but no key"
            continue
        names = {m[1] for m in PLACEHOLDER.finditer(block)}
        ex = keys[label]
        for name, value in _quoted(ex.params).items():
            if value == ex.expected or (
                isinstance(ex.expected, tuple) and tuple(value) == ex.expected
                if isinstance(value, (list, tuple))
                else False
            ):
                continue  # the answer itself is never quoted
            if name not in names:
                problems.append(f"{label}: does not quote {{{{{name}}}}} ({value!r})")
        # A number of the key typed into the text instead of quoted: the two can drift.
        text = PLACEHOLDER.sub(" ", block)
        text = re.sub(r":label:.*", "", text)
        for name, value in _quoted(ex.params).items():
            values = value if isinstance(value, (list, tuple)) else [value]
            for v in values:
                shown = statements.quote(v)
                if len(shown.lstrip("-").replace(".", "")) < 2:
                    continue  # single digits (2, 5 ...) are words as often as values
                typed = rf"(?<![\w.]){re.escape(shown)}(?![\w]|\.\d)"
                if re.search(typed, text):
                    problems.append(
                        f"{label}: {shown} ({name}) is typed in the statement;"
                        f" quote it as {{{{{name}}}}}"
                    )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem[:4])
def test_the_filled_statement_shows_the_keys_numbers(md, keys):
    text = md.read_text(encoding="utf-8")
    filled = fill(text, md.name)
    for a, b, label in exercise_blocks(filled):
        block = filled[a:b]
        assert "{{" not in block, f"{label}: a placeholder is left"
        if label in keys:
            for m in PLACEHOLDER.finditer(_blocks(md)[label]):
                shown = statements.quote(keys[label].params[m[1]], (m[2] or "").strip())
                assert shown in block, f"{label}: {shown} is not in the filled text"


@pytest.mark.e2e
@pytest.mark.parametrize("md", CHAPTERS, ids=lambda p: p.stem[:4])
def test_the_twin_and_the_student_notebook_quote_the_key(md, keys, built_site):
    """The learners' twin and the assignment's master notebook show the key's numbers
    where the page does, and no placeholder."""
    raw = _blocks(md)
    nb = assign.master(md)
    twin = twins.twin_text(md)
    for where, text in (
        ("master", "\n".join(c.source for c in nb.cells)),
        ("twin", twin),
    ):
        assert "{{" not in text or not PLACEHOLDER.search(text), f"{md.name} {where}"
        for label, block in raw.items():
            for m in PLACEHOLDER.finditer(block):
                shown = statements.quote(keys[label].params[m[1]], (m[2] or "").strip())
                assert shown in text, f"{md.name} {where}: {label} lacks {shown}"


# ------------------------------------------------------------------------ fill itself
KEYED = """\
```{exercise} Choose $\\gamma$
:label: ch03-ex-gamma

From $\\alpha_0 = {{lr}}$ to $\\alpha_{ {{steps}} } = {{ final_lr }}$, `gamma_for({{lr}})`,
{{lr:.3f}}.
```

{{ not_an_exercise }}
"""


def test_fill_quotes_the_key_in_math_code_and_prose_and_nothing_outside():
    out = fill(KEYED)
    assert "$\\alpha_0 = 0.1$" in out and "$\\alpha_{ 100 } = 0.001$" in out
    assert "`gamma_for(0.1)`" in out and "0.100." in out
    assert out.endswith("{{ not_an_exercise }}\n")  # MyST's own substitutions


def test_fill_refuses_what_it_cannot_quote():
    with pytest.raises(StatementError, match="no parameter 'gama'.*it has: lr"):
        fill(KEYED.replace("{{lr:.3f}}", "{{gama}}"), "x.md")
    with pytest.raises(StatementError, match="'ch03-ex-nope'.*no answer key"):
        fill(KEYED.replace("ch03-ex-gamma", "ch03-ex-nope"))
    with pytest.raises(StatementError, match="without :label:"):
        fill(KEYED.replace(":label: ch03-ex-gamma\n", ""))
    with pytest.raises(StatementError, match="expected a number"):
        statements.quote(None)
    assert fill("no exercise here {{x}}") == "no exercise here {{x}}"
