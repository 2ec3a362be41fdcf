"""The website's answer boxes agree with the marking engine, on every exercise.

``book/_static/lrbook-answers.js`` checks a reader's answer in the browser with the
engine's rules, from the data ``booktools.answers.key`` exports from each exercise's one
declaration. This test generates cases from every declaration (the reference answer,
each classic mistake, close and far wrong answers, malformed and empty input), runs the
page's checker on them in Node, and compares ``ok``, ``pending`` and the message with
``lrbook.exercises.check(id, answer, show=False)``, where ``answer`` is what the typed
text means in Python (:func:`typed`, the page's reading of input: a decimal number is a
float, anything else a string).

A ``"function"`` box asks for the function's values at a few steps
(``booktools.answers.probes``); the engine's verdict is then the engine's rule on those
steps: :func:`check` of the same declaration registered with ``steps=probes``. That
the probes are enough is checked too: the reference's and each mistake's values at the
probes get the same verdict as the function itself on the key's whole grid.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from booktools import answers
from lrbook.exercises import check, engine, exercise_ids, get, register, unregister

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "book" / "_static" / "lrbook-answers.js"
NODE = shutil.which("node")
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
GARBAGE = [
    "abc",
    "1,5",
    "0.2.3",
    "1e999",
    "-1e999",
    "it's",
    'say "x"',
    "½",
    "0x10",
    "nan",
]
RUNNER = r"""
const checker = require(process.argv[1]);
let text = "";
process.stdin.on("data", (d) => (text += d));
process.stdin.on("end", () => {
  const out = JSON.parse(text).map((c) => checker.check(c.key, c.input));
  process.stdout.write(JSON.stringify(out));
});
"""

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


# ---------------------------------------------------------- what typed text means
def _scalar(text: str):
    t = text.strip()
    n = t.replace("\u2212", "-")
    return float(n) if NUMBER.fullmatch(n) else t


def _list(text: str) -> list:
    t = text.strip()
    if len(t) >= 2 and (t[0], t[-1]) in (("[", "]"), ("(", ")")):
        t = t[1:-1].strip()
    if not t:
        return []
    if "," in t:
        parts = t.split(",")
        if len(parts) > 1 and not parts[-1].strip():
            parts = parts[:-1]
    else:
        parts = re.split(r"\s+", t)
    return [_scalar(p) for p in parts]


def typed(kind: str, text):
    """The Python value of what a reader typed in a box (None: nothing typed)."""
    if kind == "function":
        if any(not t.strip() for t in text):
            return None
        return [_scalar(t) for t in text]
    if not text.strip():
        return None
    if kind == "choice":
        return text
    if kind == "numbers":
        return _list(text)
    return _scalar(text)


def engine_result(exercise_id: str, kind: str, text) -> dict:
    """What the engine says of the typed answer (a function: on the box's steps)."""
    answer = typed(kind, text)
    if kind != "function" or answer is None:
        r = check(exercise_id, answer, show=False)
    else:
        ex = get(exercise_id)
        steps = answers.probes(ex)
        probe_id = f"answers-probe.{exercise_id}"
        register(
            probe_id,
            "function",
            ex.expected,
            hint=ex.hint,
            rtol=ex.rtol,
            atol=ex.atol,
            steps=steps,
            mistakes=ex.mistakes,
            replace=True,
        )
        try:
            r = check(probe_id, lambda t: answer[steps.index(t)], show=False)
        finally:
            unregister(probe_id)
    return {"ok": r.ok, "pending": r.pending, "message": r.message}


# ------------------------------------------------------------------ the cases
def _text(x) -> str:
    return repr(float(x))


def cases_for(exercise_id: str) -> list:
    """(typed input, label) pairs for one exercise, from its declaration."""
    ex = get(exercise_id)
    out = []
    if ex.kind == "number":
        y = float(ex.expected)
        out.append((_text(y), "reference"))
        out.append((f"  {_text(y)} ", "reference with spaces"))
        out.append((_text(y).replace("-", "\u2212"), "reference, typographic minus"))
        for i, (wrong, _) in enumerate(ex.mistakes):
            out.append((_text(wrong), f"mistake {i}"))
        scale = max(ex.rtol * abs(y), ex.atol)
        if scale:
            out.append((_text(y + 3 * scale), "close, outside the tolerance"))
        out.append((_text(y * 1.7 + 1), "far"))
        out.append((_text(-y - 1), "negative"))
        out += [(g, f"garbage {g!r}") for g in GARBAGE]
        out += [("[1, 2]", "a list"), ("", "empty"), ("   ", "blank")]
    elif ex.kind == "numbers":
        ys = [float(v) for v in ex.expected]
        out.append((", ".join(_text(v) for v in ys), "reference"))
        out.append(
            ("[" + ", ".join(_text(v) for v in ys) + "]", "reference in brackets")
        )
        out.append((" ".join(_text(v) for v in ys), "reference with spaces"))
        out.append((", ".join(_text(v) for v in ys) + ",", "trailing comma"))
        for i, (wrong, _) in enumerate(ex.mistakes):
            out.append((", ".join(_text(v) for v in wrong), f"mistake {i}"))
        out.append((", ".join(_text(v) for v in ys[:-1]), "one too few"))
        out.append((", ".join(_text(v) for v in ys + [1.0]), "one too many"))
        out.append((", ".join(_text(v * 1.5 + 1) for v in ys), "all wrong"))
        last = ys[:-1] + [ys[-1] * 1.5 + 1]
        out.append((", ".join(_text(v) for v in last), "last wrong"))
        out.append((", ".join(["1e999"] + [_text(v) for v in ys[1:]]), "not finite"))
        out.append(
            (", ".join([_text(ys[0]), "x"] + [_text(v) for v in ys[2:]]), "a word")
        )
        out.append(
            (", ".join(_text(v) for v in ys).replace(", ", ",, ", 1), "empty element")
        )
        out += [(g, f"garbage {g!r}") for g in GARBAGE]
        out += [("[]", "empty list"), ("", "empty")]
    elif ex.kind == "function":
        steps = answers.probes(ex)
        ref, _ = engine._evaluate(ex.expected, steps)
        out.append(([_text(v) for v in ref], "reference"))
        for i, (wrong, _) in enumerate(ex.mistakes):
            values, error = engine._evaluate(wrong, steps)
            if not error:
                out.append(([_text(v) for v in values], f"mistake {i}"))
        for j in range(len(steps)):
            bent = [_text(v) for v in ref]
            bent[j] = _text(ref[j] * 1.37 + 0.001)
            out.append((bent, f"wrong at t={steps[j]}"))
        for g in ("abc", "1e999", "1,5"):
            bad = [_text(v) for v in ref]
            bad[-1] = g
            out.append((bad, f"garbage {g!r} at the last step"))
        out.append(([""] * len(steps), "empty"))
        out.append(([_text(ref[0])] + [""] * (len(steps) - 1), "partly empty"))
    else:
        for c in ex.choices:
            out.append((c, f"choice {c!r}"))
            out.append((f" {c.upper()}() ", f"choice {c!r}, shouted with ()"))
        out += [(g, f"garbage {g!r}") for g in ("maybe", "it's", "1", "")]
    return out


def _run_node(payload: list) -> list:
    proc = subprocess.run(
        [NODE, "-e", RUNNER, str(SCRIPT)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def compared():
    """Every case of every exercise: (id, label, input, engine, page)."""
    rows, payload = [], []
    for eid in exercise_ids():
        key = answers.key(eid)
        kind = key["kind"]
        for text, label in cases_for(eid):
            rows.append((eid, label, text, engine_result(eid, kind, text)))
            payload.append({"key": key, "input": text})
    page = _run_node(payload)
    assert len(page) == len(rows)
    return [(*row, got) for row, got in zip(rows, page, strict=True)]


def test_page_and_engine_agree_on_every_case(compared):
    ids = {row[0] for row in compared}
    assert ids == set(exercise_ids()) and len(ids) >= 40
    bad = []
    for eid, label, text, want, got in compared:
        same = want["ok"] == got["ok"] and want["pending"] == got["pending"]
        if same and not want["pending"]:
            same = want["message"] == got["message"]
        if not same:
            bad.append(f"{eid} [{label}] {text!r}:\n  engine {want}\n  page   {got}")
    assert not bad, f"{len(bad)} of {len(compared)} cases differ:\n" + "\n".join(
        bad[:20]
    )


def test_the_cases_cover_every_path(compared):
    """The cases reach what they must: each reference is correct, each classic
    mistake gets its own explanation, garbage gets 'expected ...', empty is pending."""
    for eid, label, _, want, got in compared:
        ex = get(eid)
        if label == "reference":
            assert want["ok"] and got["ok"], (eid, want)
        elif label.startswith("mistake "):
            why = ex.mistakes[int(label.split()[1])][1]
            assert not got["ok"] and engine._capital(why) in got["message"], (eid, got)
        elif label in ("empty", "partly empty", "blank"):
            assert got["pending"] and not got["ok"], (eid, got)
            assert "no answer yet" in got["message"]
    messages = [got["message"] for *_, got in compared]
    assert any("expected a number, got str ('abc')." in m for m in messages)
    assert any("Your answer is inf, expected a finite number." in m for m in messages)
    assert any("Close, but not within the tolerance" in m for m in messages)
    assert any(
        "Your function first differs from the reference at t=" in m for m in messages
    )
    assert any("but element 1 is str ('x')" in m for m in messages)
    assert any("Hint: " in m for m in messages)
    assert len(compared) >= 500


def test_probes_decide_like_the_whole_grid():
    """On a function box's steps, the reference and each classic mistake get the
    verdict the engine gives the function itself on the key's whole grid."""
    for eid in exercise_ids():
        ex = get(eid)
        if ex.kind != "function":
            continue
        steps = answers.probes(ex)
        assert len(steps) <= answers.MAX_PROBES
        functions = [("reference", ex.expected)] + [
            (f"mistake {i}", w) for i, (w, _) in enumerate(ex.mistakes)
        ]
        for label, fn in functions:
            values, error = engine._evaluate(fn, steps)
            if error:
                continue
            whole = check(eid, fn, show=False)
            part = engine_result(eid, "function", [_text(v) for v in values])
            assert (whole.ok, whole.message) == (part["ok"], part["message"]), (
                eid,
                label,
                whole,
                part,
            )


def test_keys_hold_no_callable_and_are_json():
    for eid in exercise_ids():
        key = answers.key(eid)
        text = json.dumps(key, allow_nan=False)
        assert json.loads(text) == key
        assert key["id"] == eid
        if key["kind"] == "function":
            assert len(key["steps"]) == len(key["expected"])
            assert all(math.isfinite(v) for v in key["expected"])


def test_the_checker_fails_on_a_broken_rule(tmp_path):
    """The comparison can fail: a checker with a looser tolerance disagrees."""
    broken = tmp_path / "broken.js"
    broken.write_text(
        SCRIPT.read_text(encoding="utf-8").replace(
            "scale * (key.atol + key.rtol * Math.abs(y))",
            "scale * (key.atol + 10 * key.rtol * Math.abs(y))",
        ),
        encoding="utf-8",
    )
    eid = "ch03-ex-gamma"
    key = answers.key(eid)
    y = float(get(eid).expected)
    text = _text(y + 3 * get(eid).rtol * abs(y))
    proc = subprocess.run(
        [NODE, "-e", RUNNER, str(broken)],
        input=json.dumps([{"key": key, "input": text}]),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    got = json.loads(proc.stdout)[0]
    want = engine_result(eid, "number", text)
    assert got["ok"] != want["ok"]


# ------------------------------------------------ the notebooks never get the boxes
MARKERS = ("lrbook-answer", "data-lrbook-key", "lrbook-answers.js")


def test_the_twins_carry_no_answer_box():
    twins = sorted((ROOT / "book").glob("*.ipynb"))
    assert twins
    for path in twins:
        text = path.read_text(encoding="utf-8")
        assert not any(m in text for m in MARKERS), path.name


@pytest.mark.e2e  # makes an assignment's master notebook (about 10 s)
def test_a_student_notebook_carries_no_answer_box():
    """The assignments' notebooks are made from the chapter's source, never through
    the HTML builder (the only place the boxes are added)."""
    import nbformat

    from booktools import assign

    text = nbformat.writes(assign.master(ROOT / "book" / "ch03-exponential-decay.md"))
    assert "check(" in text  # the notebook's own checks are there
    assert not any(m in text for m in MARKERS)


def test_only_the_html_builder_adds_boxes():
    from types import SimpleNamespace

    from docutils.frontend import get_default_settings
    from docutils.parsers.rst import Parser
    from docutils.utils import new_document
    from sphinx_exercise.nodes import exercise_enumerable_node

    def doctree():
        doc = new_document("x", get_default_settings(Parser))
        node = exercise_enumerable_node()
        node["label"] = "ch03-ex-gamma"
        doc += node
        return doc

    for fmt, boxes in (("html", 1), ("latex", 0), ("", 0)):
        doc = doctree()
        app = SimpleNamespace(builder=SimpleNamespace(format=fmt))
        answers._doctree_resolved(app, doc, "book/ch03-exponential-decay")
        html = [n.astext() for n in doc.findall(lambda n: n.tagname == "raw")]
        assert len(html) == boxes, fmt
        if boxes:
            assert 'data-lrbook-answer="ch03-ex-gamma"' in html[0]


def test_a_changed_key_makes_the_chapter_pages_outdated(monkeypatch):
    """An answer key changes, its page does not: the pages are built again (their
    boxes carry the keys); unchanged keys rebuild nothing."""
    from types import SimpleNamespace

    docs = {"book/intro", "book/ch01-gradient-descent", "book/ch03-exponential-decay"}
    env = SimpleNamespace(found_docs=docs)
    first = answers._env_get_outdated(None, env, set(), set(), set())
    assert first == ["book/ch01-gradient-descent", "book/ch03-exponential-decay"]
    assert answers._env_get_outdated(None, env, set(), set(), set()) == []
    monkeypatch.setattr(answers, "fingerprint", lambda: "another key")
    changed = {"book/ch01-gradient-descent"}
    assert answers._env_get_outdated(None, env, set(), changed, set()) == [
        "book/ch03-exponential-decay"
    ]
