"""Course assignments through Otter-Grader (tools/assign.py).

The fast tests read the master notebooks of every chapter (no execution). The slow ones
build one chapter with ``otter assign`` (which executes it and checks that the
reference solutions pass every test) and grade submissions with ``otter run``, each
isolated from the network and with a time limit: the reference under another name, the
untouched student notebook, one small notebook per classic mistake, a notebook that
loops forever and one that opens network connections.

CI builds and grades :data:`CHAPTER` only (each run executes the whole chapter, MNIST
included); ``LRBOOK_ASSIGN_ALL=1`` builds and grades every chapter of the toc (slow).
"""

from __future__ import annotations

import csv
import json
import os
import re
import socket
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import assign  # noqa: E402

from lrbook.exercises import get  # noqa: E402

# One worker of pytest-xdist runs this module: its Otter fixtures are built once.
pytestmark = pytest.mark.xdist_group("assign")

CHAPTER = "ch01"  # the cheapest full execution of the numbered chapters, see README
ALL = os.environ.get("LRBOOK_ASSIGN_ALL") == "1"
CI = bool(os.environ.get("CI"))
MARKERS = re.compile(
    r"BEGIN QUESTION|END QUESTION|BEGIN SOLUTION|END SOLUTION|BEGIN TESTS|"
    r"BEGIN PROMPT|TEST CONFIG|ASSIGNMENT CONFIG|solution-start|solution-end"
)
EVERY = assign.chapters(["all"])
GRADED = EVERY if ALL else assign.chapters([CHAPTER])


def _questions(nb) -> list[dict]:
    """The question configs of a master notebook, with their test cells."""
    out, current, in_tests = [], None, False
    for cell in nb.cells:
        text = cell.source
        if cell.cell_type == "raw" and text.startswith("# BEGIN QUESTION"):
            current = {"config": text, "tests": [], "answer": None}
            out.append(current)
        elif cell.cell_type == "raw" and text == "# BEGIN TESTS":
            in_tests = True
        elif cell.cell_type == "raw" and text == "# END TESTS":
            in_tests = False
        elif in_tests:
            current["tests"].append(text)
        elif current and cell.cell_type == "code" and "# BEGIN PROMPT" in text:
            current["answer"] = text
    return out


# ------------------------------------------------------------- fast: the master
@pytest.mark.parametrize("md", EVERY, ids=lambda p: p.stem)
def test_every_exercise_is_a_question_with_its_own_variable(md):
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
        exercise, variable = get(m[1]), m[2]
        variables.append(variable)
        assert f"{variable} = ..." in q["answer"] or f"def {variable}(" in q["answer"]
        # one public kind test, the checker, one test per classic mistake
        assert len(q["tests"]) == 2 + len(exercise.mistakes)
        assert "hidden: false" in q["tests"][0]
        assert all("hidden: true" in t for t in q["tests"][1:])
        points = [float(re.search(r"points: (\S+)", t)[1]) for t in q["tests"]]
        assert sum(points) == pytest.approx(assign.POINTS)
    assert len(set(variables)) == len(variables), "one answer variable per exercise"


@pytest.mark.parametrize("md", EVERY, ids=lambda p: p.stem)
def test_the_chapters_and_their_twins_carry_no_otter_marker(md):
    twin = md.with_suffix(".ipynb")
    if twin.exists():  # a missing twin is tests/test_twins.py's business
        assert not MARKERS.search(twin.read_text(encoding="utf-8"))
    assert not re.search(r"BEGIN (QUESTION|SOLUTION|TESTS)", md.read_text())


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True, "2"])
def test_grade_refuses_a_bad_number_of_jobs(jobs, tmp_path):
    md = assign.chapters(["ch01"])[0]
    with pytest.raises(ValueError, match=r"jobs must be an integer >= 1, got"):
        assign.grade(md, tmp_path, tmp_path / "scores.csv", dist=tmp_path, jobs=jobs)


def test_chapter_names_and_bad_names():
    assert assign.chapters(["ch01"]) == [ROOT / "book" / "ch01-gradient-descent.md"]
    with pytest.raises(SystemExit, match="expected one of"):
        assign.chapters(["ch99"])


def test_the_isolation_cuts_the_network(tmp_path):
    if assign.unshare_command() is None and not CI:
        pytest.skip("no network namespace here (unshare -n / -r -n)")
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    probe = (
        "import socket\n"
        f"for host, port in (('127.0.0.1', {port}), ('8.8.8.8', 53)):\n"
        "    try:\n"
        "        socket.create_connection((host, port), timeout=30).close()\n"
        "        print(host, 'connected')\n"
        "    except OSError as e:\n"
        "        print(host, 'blocked', e.errno)\n"
    )
    import subprocess

    out = subprocess.run(
        assign.isolated([sys.executable, "-c", probe]),
        capture_output=True,
        text=True,
        timeout=120,
    )
    server.close()
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("blocked") == 2, out.stdout


# ------------------------------------------------------------- slow: otter itself
# Session-scoped, not module-scoped: under pytest-xdist a worker may leave this module
# for another test and come back, and a module fixture would then run Otter again.
@pytest.fixture(scope="session", params=GRADED, ids=lambda p: p.stem)
def built(request, tmp_path_factory):
    if assign.unshare_command() is None and not CI:
        pytest.skip("no network namespace here (unshare -n / -r -n)")
    dist = tmp_path_factory.mktemp("dist")
    folder = assign.build(request.param, dist)  # fails unless references pass
    return request.param, dist, folder


def _small(student, cells: list[str]):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata = student.metadata
    return nb


@pytest.fixture(scope="session")
def graded(built, tmp_path_factory):
    """CSV rows by submission: the full notebooks, then the small ones."""
    md, dist, folder = built
    student = nbformat.read(folder / "student" / f"{md.stem}.ipynb", 4)
    qs = questions_of(folder)
    full = tmp_path_factory.mktemp("full")
    ref = folder / "autograder" / f"{md.stem}.ipynb"
    (full / "renamed-reference.ipynb").write_bytes(ref.read_bytes())
    (full / "untouched.ipynb").write_bytes(
        (folder / "student" / f"{md.stem}.ipynb").read_bytes()
    )
    small = tmp_path_factory.mktemp("small")
    most = max(len(get(eid).mistakes) for eid, _ in qs.values())
    for k in range(most):
        lines = ["from lrbook.exercises import get"]
        for eid, var in qs.values():
            if k < len(get(eid).mistakes):
                lines.append(f"{var} = get({eid!r}).mistakes[{k}][0]")
        nbformat.write(_small(student, ["\n".join(lines)]), small / f"mistake{k}.ipynb")
    name, (eid, var) = next(iter(qs.items()))
    answer = f"from lrbook.exercises import get\n{var} = get({eid!r}).expected"
    nbformat.write(
        _small(student, [answer, "while True:\n    pass"]), small / "loops.ipynb"
    )
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    other_name, (other_eid, other_var) = list(qs.items())[1]
    probe = (
        "import socket\nfrom lrbook.exercises import get\n"
        f"for address in (('127.0.0.1', {port}), ('8.8.8.8', 53)):\n"
        "    try:\n"
        "        socket.create_connection(address, timeout=600).close()\n"
        f"        {other_var} = get({other_eid!r}).expected\n"
        "    except OSError as e:\n"
        "        print(address, e)\n"
    )
    nbformat.write(_small(student, [answer, probe]), small / "network.ipynb")
    rows = {}
    for sub, timeout in ((full, 1800), (small, 90)):
        out = sub / "scores.csv"
        assign.grade(md, sub, out, timeout=timeout, dist=dist, jobs=2)
        with open(out, newline="") as f:
            rows.update({r["submission"]: r for r in csv.DictReader(f)})
    server.close()
    return rows, qs, name, other_name


def questions_of(folder: Path) -> dict[str, tuple[str, str]]:
    """Auto-graded question name -> (exercise id, variable), from the master."""
    nb = nbformat.read(next((folder / "master").glob("*.ipynb")), 4)
    out = {}
    for q in _questions(nb):
        if q["answer"]:
            name = re.search(r"name: (\S+)", q["config"])[1]
            m = re.search(r'check\("([^"]+)", (\w+)\)\s*$', q["answer"])
            out[name] = (m[1], m[2])
    return out


def test_student_notebook_has_no_solution_and_no_hidden_test(built):
    md, _, folder = built
    text = (folder / "student" / f"{md.stem}.ipynb").read_text(encoding="utf-8")
    master = nbformat.read(folder / "master" / f"{md.stem}.ipynb", 4)
    assert not MARKERS.search(text)
    assert "_lrbook_check" not in text  # only the hidden tests use it
    student = nbformat.reads(text, 4)
    for name, test in student.metadata["otter"]["tests"].items():
        cases = [c for s in test["suites"] for c in s["cases"]]
        assert cases and not any(c["hidden"] for c in cases), name
    shown = {
        ln.strip()
        for c in master.cells
        if c.cell_type != "raw" and "# BEGIN PROMPT" not in c.source
        for ln in c.source.splitlines()
    }
    for cell in master.cells:
        if "# BEGIN SOLUTION NO PROMPT" in cell.source:
            block = cell.source.split("# BEGIN SOLUTION NO PROMPT")[1]
            for line in block.split("# END SOLUTION")[0].splitlines():
                if len(line.strip()) > 8 and line.strip() not in shown:
                    assert line not in text, line


def test_reference_scores_full_marks_under_another_name(graded):
    rows, qs, _, _ = graded
    row = rows["renamed-reference.ipynb"]
    assert row["status"] == "ok"
    for name in qs:
        assert float(row[name]) == pytest.approx(assign.POINTS), name


def test_untouched_student_notebook_scores_zero(graded):
    rows, qs, _, _ = graded
    row = rows["untouched.ipynb"]
    assert row["status"] == "ok"
    assert all(float(row[name]) == 0 for name in qs)
    assert float(row["total"]) == 0


def test_each_classic_mistake_loses_its_hidden_points(graded):
    rows, qs, _, _ = graded
    checked = 0
    for name, (eid, _) in qs.items():
        m = len(get(eid).mistakes)
        for k in range(m):
            row = rows[f"mistake{k}.ipynb"]
            assert row["status"] == "ok"
            # lost: the checker's points and this mistake's share, at least
            assert float(row[name]) <= assign.POINTS - 2 - 1 / m + 1e-3, (name, k)
            checked += 1
    assert checked >= 5


def test_a_submission_that_loops_forever_is_stopped_and_scored(graded):
    rows, qs, _, _ = graded
    row = rows["loops.ipynb"]
    assert row["status"] == "timeout"
    assert float(row["total"]) == 0


def test_a_submission_cannot_reach_the_network(graded):
    rows, qs, name, other = graded
    row = rows["network.ipynb"]
    assert row["status"] == "ok"
    assert float(row[name]) == pytest.approx(assign.POINTS)  # it ran, and was scored
    assert float(row[other]) == 0  # set only if a connection succeeded


def test_the_csv_has_one_column_per_question_and_the_total(graded):
    rows, qs, _, _ = graded
    for row in rows.values():
        assert set(qs) <= set(row) and {"submission", "total", "status"} <= set(row)
        assert float(row["total"]) == pytest.approx(sum(float(row[n]) for n in qs))


# ------------------------------------------------------------- the website
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
        assert "otter" not in text.lower(), page.name


def test_otter_metadata_is_json(built):
    md, _, folder = built
    json.loads((folder / "student" / f"{md.stem}.ipynb").read_text())
