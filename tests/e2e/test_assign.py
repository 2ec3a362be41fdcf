"""Course assignments (booktools.assign, booktools.grading): the fast tests.

No notebook is executed here: the master notebooks of every chapter, the marking of
exported answers against every answer key (exact partial credit), the defensive
reading of the sandbox's result, the collection of submissions, the command's errors,
the atomic CSV, a failed build leaving nothing, and the sandbox's isolation probed
with one Python command (no kernel). Building and grading, honest and hostile
submissions, are in ``tests/e2e/test_assign_hostile.py`` (marker ``e2e``).
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import socket
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booktools import assign
from booktools.grading import keys, marking, runner
from booktools.grading.sandbox import HOME, RUNNER, Limits, Sandbox, SandboxError
from lrbook.exercises import exercise_ids, get

ROOT = Path(__file__).resolve().parents[2]


CI = bool(os.environ.get("CI"))
MARKERS = re.compile(
    r"BEGIN QUESTION|END QUESTION|BEGIN SOLUTION|END SOLUTION|BEGIN TESTS|"
    r"BEGIN PROMPT|TEST CONFIG|ASSIGNMENT CONFIG|solution-start|solution-end"
)
EVERY = assign.chapters(["all"])
IDS = exercise_ids()


def _questions(nb) -> list[dict]:
    """The question configs of a master notebook, with their test cells."""
    out, current, in_tests, statement = [], None, False, False
    for cell in nb.cells:
        text = cell.source
        if cell.cell_type == "raw" and text.startswith("# BEGIN QUESTION"):
            current = {"config": text, "tests": [], "answer": None, "statement": []}
            out.append(current)
            statement = True
        elif cell.cell_type == "raw" and text == "# BEGIN TESTS":
            in_tests = True
        elif cell.cell_type == "raw" and text == "# END TESTS":
            in_tests = False
        elif cell.cell_type == "raw" and text == "# BEGIN SOLUTION":
            statement = False
        elif in_tests:
            current["tests"].append(text)
        elif current and cell.cell_type == "code" and "# BEGIN PROMPT" in text:
            current["answer"] = text
        elif statement:
            current["statement"].append(cell)
    return out


# ------------------------------------------------------------- the master notebooks
@pytest.mark.parametrize("md", EVERY, ids=lambda p: p.stem)
def test_every_exercise_is_a_question_with_its_own_variable(md, built_site):
    nb = assign.master(md)
    labels = re.findall(r"^:label: (ch\d\d-ex-\S+)", md.read_text(), re.M)
    qs = _questions(nb)
    assert len(qs) == len(labels) >= 5
    assert nbformat.validate(nb) is None
    variables = []
    for q, label in zip(qs, labels, strict=True):
        assert f"name: {label.replace('-', '_')}" in q["config"]
        if "manual: true" in q["config"]:
            assert q["answer"] is None and not q["tests"]
            continue
        m = re.search(r'check\("([^"]+)", (\w+)\)\s*$', q["answer"])
        variables.append(m[2])
        assert f"{m[2]} = ..." in q["answer"] or f"def {m[2]}(" in q["answer"]
        # one test only, public: the marking happens outside the student's session
        assert len(q["tests"]) == 1 and "hidden: false" in q["tests"][0]
        assert "lrbook" not in q["tests"][0]
    assert len(set(variables)) == len(variables), "one answer variable per exercise"


@pytest.mark.parametrize("md", EVERY, ids=lambda p: p.stem)
def test_no_cell_of_an_assignment_reads_an_answer(md, built_site):
    removed = []
    nb = assign.master(md, removed)
    for cell in nb.cells:
        assert not assign.KEY_READ.search(cell.source), cell.source
    if md.stem.startswith("ch01"):  # its checks cell asserted Exercise 1.6's answer
        assert any("rosenbrock" in line for line in removed)


def test_chapter_6_keeps_the_curve_before_the_answer_that_reads_it(built_site):
    nb = assign.master(assign.chapters(["ch06"])[0])
    q = next(q for q in _questions(nb) if "ch06_ex_range_read" in q["config"])
    assert any("curve = " in c.source for c in q["statement"] if c.cell_type == "code")


@pytest.mark.parametrize("md", EVERY, ids=lambda p: p.stem)
def test_the_chapters_and_their_twins_carry_no_otter_marker(md):
    twin = md.with_suffix(".ipynb")
    if twin.exists():  # a missing twin is tests/book/test_twins.py's business
        assert not MARKERS.search(twin.read_text(encoding="utf-8"))
    assert not re.search(r"BEGIN (QUESTION|SOLUTION|TESTS)", md.read_text())


def test_chapter_names_and_bad_names():
    assert assign.chapters(["ch01"]) == [ROOT / "book" / "ch01-gradient-descent.md"]
    with pytest.raises(SystemExit, match="expected one of"):
        assign.chapters(["ch99"])


# ------------------------------------------------------------- marking
def _export(value, steps=()) -> dict:
    """What the sandbox's export cell makes of ``value`` (run here, no kernel)."""
    space: dict = {}
    exec(runner.EXPORT, space)  # defines _lrbook_export in ``space``
    shown = []
    import IPython.display

    original = IPython.display.display
    IPython.display.display = lambda data, raw=False: shown.append(data)
    try:
        space["answer"] = value
        q = {"name": "q", "variable": "answer", "steps": list(steps)}
        space["_lrbook_export"]([q], runner.MIME)
    finally:
        IPython.display.display = original
    # through JSON, as the result file
    return json.loads(json.dumps(shown[0][runner.MIME]))["q"]


def _spec(eid: str) -> dict:
    ex = get(eid)
    return {"name": "q", "exercise": eid, "kind": ex.kind, "steps": list(ex.steps)}


def _mark(eid: str, value) -> Fraction:
    ex = get(eid)
    return marking.points(eid, marking.answer(_export(value, ex.steps), _spec(eid)))


@pytest.mark.parametrize("eid", IDS)
def test_the_expected_answer_exported_and_marked_scores_full_marks(eid):
    assert _mark(eid, get(eid).expected) == marking.POINTS


@pytest.mark.parametrize("eid", IDS)
def test_each_classic_mistake_scores_as_documented(eid):
    """1 for the right kind, no checker points, and the share of the other mistakes:
    also for a list of another length (ch04-ex-cuts: [11])."""
    ex = get(eid)
    m = len(ex.mistakes)
    for wrong, _ in ex.mistakes:
        if ex.kind == "choice" and not isinstance(wrong, str):
            continue
        assert _mark(eid, wrong) == 1 + Fraction(m - 1, m), wrong


def test_the_list_mistake_of_another_length_keeps_its_partial_credit():
    assert _mark("ch04-ex-cuts", [11]) == 1 + Fraction(2, 3)


@pytest.mark.parametrize("eid", IDS)
def test_no_answer_or_the_wrong_kind_scores_zero(eid):
    ex = get(eid)
    wrong_kind = {"number": "0.2", "numbers": 3.0, "function": [1.0], "choice": 0.5}
    for value in (None, ..., wrong_kind[ex.kind], {"a": 1}, True):
        assert _mark(eid, value) == 0, value


@settings(max_examples=60, deadline=None)
@given(
    eid=st.sampled_from([i for i in IDS if get(i).kind in ("number", "numbers")]),
    x=st.floats(allow_nan=True, allow_infinity=True),
    n=st.integers(1, 6),
)
def test_numerical_answers_score_zero_one_plus_a_share_or_full(eid, x, n):
    ex = get(eid)
    value = x if ex.kind == "number" else [x] * n
    got = _mark(eid, value)
    m = len(ex.mistakes)
    allowed = {Fraction(0), Fraction(marking.POINTS)}
    allowed |= {1 + Fraction(k, m) for k in range(m + 1)} if m else {Fraction(1)}
    assert got in allowed
    assert (got == 0) == (not math.isfinite(x))


def test_a_function_answer_is_marked_on_its_sampled_values():
    ex = get("ch03-ex-exp-function")
    assert _mark("ch03-ex-exp-function", ex.expected) == marking.POINTS
    assert _mark("ch03-ex-exp-function", lambda t: 1 / 0) == 0  # raises at every step
    half = _mark("ch03-ex-exp-function", lambda t: ex.expected(t) if t < 100 else 1 / 0)
    assert 1 <= half < marking.POINTS
    with pytest.raises(ValueError, match="no number at t=100"):
        marking.answer(
            _export(lambda t: 0.1 if t < 100 else "x", ex.steps),
            _spec("ch03-ex-exp-function"),
        )(100)


@pytest.mark.parametrize(
    "item",
    [
        None,
        [],
        {"type": "number", "value": "1"},
        {"type": "number", "value": True},
        {"type": "numbers", "values": [1, "x"]},
        {"type": "numbers", "values": "1,2"},
        {"type": "function", "values": [0.1]},  # not one value per step
        {"type": "string", "value": 3},
        {"type": "eval", "value": "__import__('os')"},
    ],
)
def test_a_malformed_export_is_a_wrong_answer_never_an_error(item):
    for eid in (
        "ch01-ex-stability",
        "ch01-ex-best-step",
        "ch03-ex-exp-function",
        "ch01-ex-regime",
    ):
        assert marking.points(eid, marking.answer(item, _spec(eid))) == 0


# ------------------------------------------------------------- the sandbox's result
def test_read_result_refuses_links_folders_junk_and_huge_files(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"answers": {}, "cells": 3, "errors": [], "x": 1}))
    assert marking.read_result(good)["cells"] == 3
    secret = tmp_path / "secret"
    secret.write_text('{"answers": {}}')
    link = tmp_path / "link.json"
    link.symlink_to(secret)
    folder = tmp_path / "folder.json"
    folder.mkdir()
    junk = tmp_path / "junk.json"
    junk.write_text("[" * 100000)
    listing = tmp_path / "list.json"
    listing.write_text("[1, 2]")
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for path, why in (
        (tmp_path / "none.json", "no result"),
        (link, "unreadable"),
        (folder, "not a regular file"),
        (fifo, "not a regular file"),
        (junk, "not valid JSON"),
        (listing, "not a JSON object"),
    ):
        with pytest.raises(marking.BadResult, match=why):
            marking.read_result(path)
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(marking.MAX_RESULT + 1)
    with pytest.raises(marking.BadResult, match="larger than"):
        marking.read_result(big)
    odd = tmp_path / "odd.json"
    odd.write_text(
        json.dumps(
            {
                "answers": None,
                "cells": "9",
                "errors": [5, {"cell": "x", "ename": "E\n" * 300}],
                "timeout": "no",
                "error": ["x"],
            }
        )
    )
    data = marking.read_result(odd)
    assert data["cells"] == 0 and data["timeout"] == -1 and data["error"] == "['x']"
    assert data["errors"] == [{"cell": -1, "ename": ("E " * 50), "evalue": "None"}]


# ------------------------------------------------------------- the public keys
def test_the_sandbox_keys_keep_parameters_and_withhold_answers(tmp_path):
    folder = keys.write(tmp_path / "keys")
    text = "".join(p.read_text() for p in folder.glob("ch*.py"))
    assert "mistakes=" not in text
    assert "'answer': " not in text  # ch02-ex-find-bugs' parameter equal to its answer
    assert "'_lrs': [" in text  # the curve chapter 6 plots
    code = (
        "import sys, importlib, types\n"
        "import lrbook\n"
        f"lrbook.exercises.__path__[:] = [{str(folder)!r}]\n"
        "for m in [m for m in sys.modules if m.startswith('lrbook.exercises.')]:\n"
        "    del sys.modules[m]\n"
        "from lrbook.exercises import engine\n"
        "engine._REGISTRY.clear(); engine._LOADED.clear()\n"
        "engine._chapter_modules.cache_clear()\n"
        "import lrbook.exercises as ex\n"
        "print(ex.get('ch01-ex-rosenbrock').expected, ex.get('ch01-ex-stability').expected,\n"
        "      dict(ex.get('ch01-ex-regime').params), len(ex.exercise_ids()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[:2] == ["withheld", "0.0"]
    assert out.stdout.split()[-1] == str(len(IDS))


def test_keys_literal_refuses_objects():
    with pytest.raises(TypeError, match="number, string, list, tuple or dict"):
        keys.literal(object())
    assert eval(keys.literal({"a": (1,), "b": [float("inf")]})) == {
        "a": (1,),
        "b": [math.inf],
    }


# ------------------------------------------------------------- collecting, errors
def test_collect_lists_every_notebook_and_every_skipped_file(tmp_path):
    (tmp_path / "carol").mkdir()
    (tmp_path / ".ipynb_checkpoints").mkdir()
    for name in (
        "a.ipynb",
        "B.IPYNB",
        "carol/c.ipynb",
        "e.zip",
        "notes.txt",
        ".hidden.ipynb",
        ".ipynb_checkpoints/a-checkpoint.ipynb",
    ):
        (tmp_path / name).write_text("{}")
    (tmp_path / "link.ipynb").symlink_to(tmp_path / "a.ipynb")
    found, skipped = assign.collect(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "B.IPYNB",
        "a.ipynb",
        "carol/c.ipynb",
    ]
    reasons = {p.relative_to(tmp_path).as_posix(): why for p, why in skipped}
    assert set(reasons) == {
        "e.zip",
        "notes.txt",
        ".hidden.ipynb",
        ".ipynb_checkpoints",
        "link.ipynb",
    }
    assert "unpack" in reasons["e.zip"]


@pytest.fixture
def fake_dist(tmp_path, built_site):
    """A dist/ with ch01's grading.json only (no notebook needed to refuse)."""
    md = assign.chapters(["ch01"])[0]
    _, qs = assign._master(md)
    folder = tmp_path / "dist" / md.stem / "autograder"
    folder.mkdir(parents=True)
    spec = {
        "chapter": md.stem,
        "notebook": f"{md.stem}.ipynb",
        "questions": [marking.spec(q) for q in qs.values() if not q.manual],
    }
    (folder / "grading.json").write_text(json.dumps(spec))
    return tmp_path / "dist"


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True, "2"])
def test_grade_refuses_a_bad_number_of_jobs(jobs, tmp_path):
    md = assign.chapters(["ch01"])[0]
    with pytest.raises(ValueError, match=r"jobs must be an integer >= 1, got"):
        assign.grade(md, tmp_path, tmp_path / "scores.csv", dist=tmp_path, jobs=jobs)


@pytest.mark.parametrize("timeout", [0, -5, float("nan"), "60", True])
def test_grade_refuses_a_bad_timeout(timeout, tmp_path):
    md = assign.chapters(["ch01"])[0]
    with pytest.raises(ValueError, match=r"timeout must be a number of seconds > 0"):
        assign.grade(md, tmp_path, tmp_path / "s.csv", timeout=timeout, dist=tmp_path)


def test_grade_exits_non_zero_and_says_why(tmp_path, fake_dist, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.ipynb").write_text("{}")
    (tmp_path / "zips").mkdir()
    (tmp_path / "zips" / "all.zip").write_text("")
    cases = {
        "missing": "does not exist",
        "file.ipynb": "is a file, not a folder",
        "empty": "no notebook",
        "zips": "no notebook",
    }
    for folder, message in cases.items():
        rc = assign.main(["grade", "ch01", folder, "--dist", str(fake_dist)])
        err = capsys.readouterr().err
        assert rc == 2 and message in err, (folder, err)
        assert str(tmp_path / folder) in err  # the absolute path
    assert "skipped all.zip: a zip archive" in err
    rc = assign.main(["grade", "ch01", "empty", "--dist", str(tmp_path / "nothing")])
    assert (
        rc == 2
        and "run 'python -m booktools.assign build ch01' first"
        in capsys.readouterr().err
    )
    assert not (tmp_path / "scores.csv").exists()


def test_grade_refuses_to_run_without_bwrap_unless_unsafe(
    tmp_path, fake_dist, monkeypatch, capsys
):
    import booktools.grading.sandbox

    monkeypatch.setattr(booktools.grading.sandbox, "bwrap", lambda: None)
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "a.ipynb").write_text("{}")
    rc = assign.main(
        [
            "grade",
            "ch01",
            str(tmp_path / "subs"),
            "--dist",
            str(fake_dist),
            "--out",
            str(tmp_path / "s.csv"),
        ]
    )
    err = capsys.readouterr().err
    assert rc == 2 and "bubblewrap" in err and "--unsafe" in err
    assert not (tmp_path / "s.csv").exists()
    with pytest.raises(SandboxError, match="--unsafe"):
        Sandbox(None)


def test_the_csv_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    out = tmp_path / "scores.csv"
    out.write_text("the previous run\n")
    spec = {"questions": [{"name": "q1"}, {"name": "q2"}]}
    rows = [
        {
            "submission": "a.ipynb",
            "q1": 4.0,
            "q2": 1.6667,
            "total": 5.6667,
            "status": "ok",
            "failed_cells": 0,
            "sha256": "ab",
            "errors": [],
        }
    ]

    def broken(self, rows):
        raise OSError("disk full")

    monkeypatch.setattr(csv.DictWriter, "writerows", broken)
    with pytest.raises(OSError, match="disk full"):
        assign.write_csv(out, spec, rows)
    assert out.read_text() == "the previous run\n"
    assert [p.name for p in tmp_path.iterdir()] == ["scores.csv"]
    monkeypatch.undo()
    assign.write_csv(out, spec, rows)
    with open(out, newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["q2"] == "1.6667" and row["total"] == "5.6667" and "errors" not in row


def test_a_failed_build_leaves_no_dist(tmp_path, monkeypatch, built_site):
    md = assign.chapters(["ch01"])[0]
    dist = tmp_path / "dist"

    def failing_otter(*args, **kwargs):
        return subprocess.CompletedProcess(args, 1, "", "Some autograder tests failed")

    monkeypatch.setattr(assign.subprocess, "run", failing_otter)
    with pytest.raises(assign.BuildError, match="otter assign failed"):
        assign.build(md, dist)
    assert not dist.exists()
    (dist / md.stem / "student").mkdir(parents=True)  # a stale earlier build
    (dist / "other").mkdir()
    with pytest.raises(assign.BuildError):
        assign.build(md, dist)
    assert sorted(p.name for p in dist.iterdir()) == ["other"]


def _verify_with(monkeypatch, tmp_path, rows):
    """assign.verify with a stand-in Grader that returns ``rows`` by notebook."""
    spec = {
        "chapter": "chXX",
        "notebook": "chXX.ipynb",
        "questions": [{"name": "q1"}, {"name": "q2"}],
    }

    class StandIn:
        def __init__(self, spec, jobs=1, *, unsafe=False, limits=None):
            pass

        def grade(self, data, name, timeout):
            return rows[data.decode()]

        def close(self):
            pass

    for which in ("autograder", "student"):
        (tmp_path / which).mkdir(exist_ok=True)
    (tmp_path / "autograder" / "chXX.ipynb").write_bytes(b"reference")
    (tmp_path / "student" / "chXX.ipynb").write_bytes(b"student")
    monkeypatch.setattr(assign, "Grader", StandIn)
    assign.verify(tmp_path, spec, unsafe=True)


def _row(q1, q2, status="ok", errors=()):
    return {
        "q1": q1,
        "q2": q2,
        "total": q1 + q2,
        "status": status,
        "errors": list(errors),
    }


def test_the_build_check_passes_full_reference_and_empty_student(
    tmp_path, monkeypatch, capsys
):
    full = assign.POINTS
    _verify_with(
        monkeypatch, tmp_path, {"reference": _row(full, full), "student": _row(0, 0)}
    )
    out = capsys.readouterr().out
    assert (
        out == f"chXX: reference {2 * full}/{2 * full}, untouched student "
        "notebook 0, no cell raised\n"
    )


@pytest.mark.parametrize(
    ("reference", "student", "message"),
    [
        (_row(assign.POINTS, 0.5 * assign.POINTS), _row(0, 0), "scores .*/.* on q2"),
        (
            _row(assign.POINTS, assign.POINTS),
            _row(1, 0),
            "untouched student notebook scores 1",
        ),
        (
            _row(assign.POINTS, assign.POINTS, "timeout: cell 3"),
            _row(0, 0),
            "reference notebook did not run: timeout",
        ),
        (
            _row(
                assign.POINTS,
                assign.POINTS,
                errors=[{"cell": 4, "ename": "NameError", "evalue": "x"}],
            ),
            _row(0, 0),
            "reference notebook's cell 4 raised NameError",
        ),
    ],
)
def test_the_build_check_refuses_what_a_teacher_must_not_hand_out(
    tmp_path, monkeypatch, reference, student, message
):
    with pytest.raises(assign.BuildError, match=message):
        _verify_with(
            monkeypatch, tmp_path, {"reference": reference, "student": student}
        )


def test_limits_refuse_nonsense():
    with pytest.raises(ValueError, match="memory_mb must be an integer >= 1, got 0"):
        Limits(memory_mb=0)
    assert "--nproc=256" in Limits().prlimit()


# ------------------------------------------------------------- the sandbox, probed
PROBE = r"""
import json, os, socket, sys
out = {"uid": os.getuid(), "euid": os.geteuid()}
out["caps"] = [l.split()[1] for l in open("/proc/self/status") if l.startswith("Cap")]
out["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
out["env"] = sorted(os.environ)
out["interfaces"] = [n for _, n in socket.if_nameindex()]
def connect(address, family=socket.AF_INET):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(5)
    try:
        s.connect(address)
        return "connected"
    except OSError as e:
        return type(e).__name__
    finally:
        s.close()
out["tcp"] = connect(("127.0.0.1", int(sys.argv[1])))
out["internet"] = connect(("8.8.8.8", 53))
out["unix"] = connect(sys.argv[2], socket.AF_UNIX)
def writable(path):
    try:
        with open(path, "a"):
            pass
        return True
    except OSError:
        return False
out["writes"] = {p: writable(p) for p in sys.argv[3:]}
out["home"] = writable(os.path.join(os.environ["HOME"], "x"))
out["seen"] = {p: os.path.exists(p) for p in sys.argv[3:]}
print(json.dumps(out))
"""


def test_the_sandbox_isolates_a_process(tmp_path, monkeypatch):
    if Sandbox.missing() and not CI:
        pytest.skip("bwrap is not installed here (tools/test.sh installs it)")
    monkeypatch.setenv("LRBOOK_TEACHER_CANARY", "secret")
    server = socket.create_server(("127.0.0.1", 0))
    unix_path = tempfile.mktemp(prefix="lrbook-test-", suffix=".sock", dir="/tmp")
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(unix_path)
    unix.listen()
    import lrbook

    key = Path(lrbook.__file__).parent / "exercises" / "ch01.py"
    before = key.read_bytes()
    targets = [
        str(key),
        str(ROOT / "tools" / "booktools" / "assign.py"),
        "/etc/passwd",
        str(Path(sys.prefix) / "bin" / "python"),
    ]
    sandbox = Sandbox(keys.write(tmp_path / "keys"))
    folder = tmp_path / "f"
    sandbox.prepare(folder, 0)
    command = sandbox.command(
        folder,
        0,
        [
            str(sandbox.python),
            "-c",
            PROBE,
            str(server.getsockname()[1]),
            unix_path,
            *targets,
        ],
    )
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=120)
    finally:
        server.close()
        unix.close()
        os.unlink(unix_path)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout)
    assert seen["uid"] != 0 and seen["euid"] != 0
    assert all(int(c, 16) == 0 for c in seen["caps"]), seen["caps"]
    assert len(seen["pids"]) <= 3, seen["pids"]  # its own process namespace
    assert "LRBOOK_TEACHER_CANARY" not in seen["env"]
    assert seen["interfaces"] == ["lo"]
    assert seen["tcp"] == "ConnectionRefusedError"
    assert seen["internet"] in ("OSError", "ConnectionRefusedError")
    assert seen["unix"] == "FileNotFoundError"
    assert not any(seen["writes"].values()), seen["writes"]
    assert seen["home"]
    assert not seen["seen"][str(ROOT / "tools" / "booktools" / "assign.py")]
    assert key.read_bytes() == before
    assert HOME.startswith("/home/") and RUNNER.startswith("/opt/")


# ------------------------------------------------------------- the website
@pytest.mark.e2e  # in CI it builds the site (request.getfixturevalue)
def test_the_built_site_shows_no_otter_marker(request):
    html = ROOT / "_build" / "html"
    if CI:
        html = request.getfixturevalue("built_site")
    elif not (html / "index.html").exists():
        pytest.skip("no built site in _build/html (CI builds it)")
    pages = sorted((html / "book").glob("ch*.html"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not MARKERS.search(text), page.name
        # The answer boxes' self-study note names the "Otter assignments" on purpose;
        # nothing else of Otter (its API, its cells) belongs on a page.
        prose = text.lower().replace("otter assignments", "")
        assert "otter" not in prose, page.name
