"""Course assignments end to end: build, then grade honest, broken and hostile work.

Every case of the teacher's review (``../shared/reviews/teacher.md``) is a submission
here, graded in one run with the honest ones: forgeries (k1 replace ``check``, k2
redefine ``check`` and ``grader``, k3 rewrite test files, k4 patch Otter's checker,
k5b a detached process that overwrites the result), the crash (k7 a folder named
``result.json``), the cross-student write (j), reading keys, ``dist/``, the teacher's
environment and other submissions (i), host sockets and ``setns``/``nsenter`` (h),
writing outside (l), a fork bomb (m), memory (n1 one process, n2 several), time (e a
loop, e2 a loop that ignores interrupts), and broken notebooks. A hostile notebook
sets an answer to the right value only if its attack succeeded, so the CSV itself
shows whether it did; forgeries carry wrong answers, and must score exactly what the
same wrong answers score alone.

CI builds and grades :data:`CHAPTER`; ``LRBOOK_ASSIGN_ALL=1`` (``tools/assign_all.sh``)
every chapter. Marker ``e2e``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import socket
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import nbformat
import pytest

import lrbook
from booktools import assign
from booktools.grading import marking
from booktools.grading.sandbox import Sandbox
from lrbook.exercises import get

ROOT = Path(__file__).resolve().parents[2]


pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("assign")]

CHAPTER = "ch01"  # the cheapest full execution, see README
ALL = os.environ.get("LRBOOK_ASSIGN_ALL") == "1"
CI = bool(os.environ.get("CI"))
GRADED = assign.chapters(["all"]) if ALL else assign.chapters([CHAPTER])
POINTS = marking.POINTS
JOBS = 4  # most small submissions wait (a kernel starting, a loop until its timeout)
SMALL_TIMEOUT = 30.0  # the loops e and e2 run into it


def source(value, steps=()) -> str:
    """A Python expression for an answer: functions as a table of their values."""
    if callable(value):
        table = {t: float(value(t)) for t in steps}
        return f"(lambda t, _v={table!r}: _v[t])"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return repr([float(v) for v in value])
    return repr(float(value))


def wrong(ex) -> str:
    """A wrong answer of the right kind."""
    if ex.kind == "number":
        return repr(float(ex.expected) * 1.37 + 0.011)
    if ex.kind == "numbers":
        return repr([float(v) * 1.37 + 0.011 for v in ex.expected])
    if ex.kind == "function":
        return "(lambda t: 12345.0)"
    others = [c for c in ex.choices if c != ex.expected]
    return repr(others[0])


# ------------------------------------------------------------------ the build
@pytest.fixture(scope="session", params=GRADED, ids=lambda p: p.stem)
def built(request, tmp_path_factory, built_site):
    # built_site: the assignments are made from the build's notebooks (_build/notebooks)
    if Sandbox.missing() and not CI:
        pytest.skip("bwrap is not installed here (tools/test.sh installs it)")
    dist = tmp_path_factory.mktemp("dist")
    # check=False: the build's own check would execute the reference and the untouched
    # student notebook once more; the graded fixture grades both through the
    # teacher's command, with the same sandboxed Grader (the check's verdicts are
    # tested with a stand-in grader in test_assign.py)
    folder = assign.build(request.param, dist, check=False)
    spec = json.loads((folder / "autograder" / "grading.json").read_text())
    return request.param, dist, folder, spec


class Case:
    """The submissions of one run, and what the host looked like before."""

    def __init__(self, md, dist, folder, spec, root: Path):
        self.md, self.dist, self.folder, self.spec = md, dist, folder, spec
        self.qs = spec["questions"]
        self.ex = [get(q["exercise"]) for q in self.qs]
        self.root = root
        self.student = nbformat.read(folder / "student" / f"{md.stem}.ipynb", 4)

    def right(self, k: int) -> str:
        ex = self.ex[k]
        return f"{self.qs[k]['variable']} = {source(ex.expected, ex.steps)}"

    def rights(self) -> str:
        return "\n".join(self.right(k) for k in range(len(self.qs)))

    def wrongs(self) -> str:
        return "\n".join(
            f"{q['variable']} = {wrong(ex)}"
            for q, ex in zip(self.qs, self.ex, strict=True)
        )

    def notebook(self, path: Path, cells: list[str]) -> None:
        nb = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell(c) for c in cells]
        )
        nb.metadata = self.student.metadata
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)


def _uids_alive() -> list[int]:
    left = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                uid = os.stat(f"/proc/{entry.name}").st_uid
            except OSError:
                continue
            if Sandbox.uid(0) <= uid < Sandbox.uid(64):
                left.append(int(entry.name))
    return left


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def graded(built, tmp_path_factory):
    """Grade the full notebooks, then the small honest, broken and hostile ones."""
    md, dist, folder, spec = built
    root = tmp_path_factory.mktemp("grading")
    case = Case(md, dist, folder, spec, root)
    eid0, var0 = case.qs[0]["exercise"], case.qs[0]["variable"]
    var1, var2 = case.qs[1]["variable"], case.qs[2]["variable"]
    right0 = case.right(0)

    full = root / "full"
    (full / "alice").mkdir(parents=True)
    ref = folder / "autograder" / f"{md.stem}.ipynb"
    (full / "alice" / "Alice's notebook (1).ipynb").write_bytes(ref.read_bytes())
    (full / "untouched.IPYNB").write_bytes(
        (folder / "student" / f"{md.stem}.ipynb").read_bytes()
    )

    subs = root / "subs"
    subs.mkdir()
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    unix_path = tempfile.mktemp(prefix="lrbook-hostile-", suffix=".sock", dir="/tmp")
    unix = socket.socket(socket.AF_UNIX)
    unix.bind(unix_path)
    unix.listen()
    marker = root / "marker"  # a host path; the sandbox's /tmp is its own
    key_file = Path(lrbook.__file__).parent / "exercises" / f"ch{md.stem[2:4]}.py"
    watched = [
        key_file,
        ROOT / "tools" / "booktools" / "assign.py",
        Path(sys.prefix) / "bin" / "otter",
    ]
    victim = subs / "zz_victim.ipynb"
    os.environ["LRBOOK_TEACHER_CANARY"] = "the teacher's secret"

    nb = case.notebook
    nb(subs / "right.ipynb", [case.rights()])
    nb(subs / "wrong.ipynb", [case.wrongs()])
    nb(victim, [case.rights()])
    mistakes = []
    for q, ex in zip(case.qs, case.ex, strict=True):
        if ex.mistakes and (ex.kind != "choice" or isinstance(ex.mistakes[0][0], str)):
            mistakes.append(f"{q['variable']} = {source(ex.mistakes[0][0], ex.steps)}")
    nb(subs / "mistake0.ipynb", ["\n".join(mistakes)])
    nb(subs / "syntax.ipynb", [case.rights(), f"{var0} = 2 / 10 +"])
    (subs / "notjson.ipynb").write_text("not a notebook")
    (subs / "empty.ipynb").write_bytes(b"")
    (subs / "erin.zip").write_bytes(b"PK")
    (subs / "notes.txt").write_text("hello")
    # k1: replace lrbook.exercises.check (and the engine's) by one that says yes
    nb(
        subs / "k1.ipynb",
        [
            case.wrongs(),
            (
                "import lrbook.exercises as ex, lrbook.exercises.engine as en\n"
                "class R:\n    ok = True\n    message = 'correct.'\n"
                "ex.check = en.check = lambda *a, **k: R()\n"
                "for name in list(en._REGISTRY):\n"
                "    en._REGISTRY[name] = en._REGISTRY[name]\n"
            ),
        ],
    )
    # k2: redefine check and grader
    nb(
        subs / "k2.ipynb",
        [
            case.wrongs(),
            (
                "def check(*a, **k):\n    return True\n"
                "class G:\n    def check(self, *a):\n        return True\n"
                "grader = G()\n"
            ),
        ],
    )
    # k3: write test files where Otter kept its tests, and next to the notebook
    nb(
        subs / "k3.ipynb",
        [
            case.wrongs(),
            (
                "import os\n"
                "for d in ('tests', '../tests', '/autograder/tests'):\n"
                "    try:\n"
                "        os.makedirs(d, exist_ok=True)\n"
                "        for q in %r:\n"
                "            path = os.path.join(d, q + '.py')\n"
                "            open(path, 'w').write('OK_FORMAT=False')\n"
                "    except OSError:\n"
                "        pass\n" % [q["name"] for q in case.qs]
            ),
        ],
    )
    # k4: patch Otter's checker to give every point
    nb(
        subs / "k4.ipynb",
        [
            case.wrongs(),
            (
                "import otter.execute, otter.check.notebook as n\n"
                "otter.execute.Checker.get_results = classmethod(lambda cls: None)\n"
                "n.Notebook.check = lambda self, *a, **k: True\n"
            ),
        ],
    )
    # k5b: a detached process keeps overwriting the result file with full marks
    forged = {
        "answers": {q["name"]: {"type": "string", "value": "forged"} for q in case.qs},
        "tests": [{"name": q["name"], "score": POINTS} for q in case.qs],
        "total": POINTS * len(case.qs),
    }
    nb(
        subs / "k5b.ipynb",
        [
            case.wrongs(),
            (
                "import json, os, time\n"
                "if os.fork() == 0:\n"
                "    os.setsid()\n"
                "    if os.fork() == 0:\n"
                "        for _ in range(6000):\n"
                f"            for path in ('result.json', {str(marker)!r}):\n"
                "                try:\n"
                f"                    open(path, 'w').write(json.dumps({forged!r}))\n"
                "                except OSError:\n"
                "                    pass\n"
                "            time.sleep(0.05)\n"
                "    os._exit(0)\n"
            ),
        ],
    )
    # k7: a folder where the result goes (the old grader crashed, losing every row)
    nb(subs / "k7.ipynb", [case.rights(), "import os\nos.mkdir('result.json')"])
    nb(
        subs / "k7b.ipynb",
        [case.rights(), "import os\nos.symlink('/etc/passwd', 'result.json')"],
    )
    # j: change a classmate's submission, read the others
    nb(
        subs / "j.ipynb",
        [
            case.rights(),
            (
                "import glob, os\n"
                f"{var0} = None\n"
                "hits = []\n"
                f"for path in [{str(victim)!r}] + glob.glob('/home/*/*.ipynb') +"
                " glob.glob('/tmp/**/*.ipynb', recursive=True):\n"
                "    if os.path.basename(path) != %r:\n"
                "        try:\n"
                "            text = open(path).read()\n"
                "            open(path, 'w').write(text.replace('2', '3'))\n"
                "            hits.append(path)\n"
                "        except OSError:\n"
                "            pass\n"
                f"if hits:\n    {right0}\n" % f"{md.stem}.ipynb"
            ),
        ],
    )
    # i: read the answer keys, dist/, the submissions, the teacher's environment
    nb(
        subs / "i.ipynb",
        [
            case.rights(),
            (
                "import os, lrbook.exercises as ex\n"
                f"{var0} = ex.get({eid0!r}).expected\n"
                f"{var1} = None\n"
                f"{var2} = None\n"
                f"seen = [p for p in ({str(dist)!r}, {str(subs)!r},"
                f" {str(ROOT / 'dist')!r}, {str(ROOT / 'book')!r},"
                f" {str(ROOT / 'tools')!r}, '/root/.cache')"
                " if os.path.exists(p)]\n"
                "if seen or 'LRBOOK_TEACHER_CANARY' in os.environ:\n"
                f"    {case.right(1)}\n"
                "text = open(ex.engine.__file__.replace('engine.py',"
                f" {key_file.name!r})).read()\n"
                'if "answer key\'s public edition" not in text:\n'
                f"    {case.right(2)}\n"
            ),
        ],
    )
    # h: the network, host sockets, other network namespaces
    nb(
        subs / "h.ipynb",
        [
            case.rights(),
            (
                "import ctypes, os, socket, subprocess\n"
                f"{var0} = None\n{var1} = None\n"
                "def reach():\n"
                "    for family, address in ((socket.AF_INET, ('127.0.0.1', %d)),\n"
                "                            (socket.AF_INET, ('8.8.8.8', 53)),\n"
                "                            (socket.AF_UNIX, %r)):\n"
                "        s = socket.socket(family, socket.SOCK_STREAM)\n"
                "        s.settimeout(3)\n"
                "        try:\n"
                "            s.connect(address)\n"
                "            s.sendall(b'hidden test')\n"
                "            return True\n"
                "        except OSError:\n"
                "            pass\n"
                "        finally:\n"
                "            s.close()\n"
                "    return False\n"
                "if reach():\n"
                f"    {right0}\n"
                "libc = ctypes.CDLL(None, use_errno=True)\n"
                "for pid in [p for p in os.listdir('/proc') if p.isdigit()]:\n"
                "    try:\n"
                "        fd = os.open(f'/proc/{pid}/ns/net', os.O_RDONLY)\n"
                "    except OSError:\n"
                "        continue\n"
                "    if libc.setns(fd, 0) == 0 and reach():\n"
                f"        {case.right(1)}\n"
                "r = subprocess.run(['nsenter', '--net=/proc/1/ns/net', 'true'],\n"
                "                   capture_output=True)\n" % (port, unix_path)
            ),
        ],
    )
    # l: write outside the private folder
    targets = [str(p) for p in watched] + [
        str(marker),
        str(subs / "planted.ipynb"),
        str(dist / "planted"),
        "/etc/passwd",
    ]
    nb(
        subs / "l.ipynb",
        [
            case.rights(),
            (
                f"{var0} = None\n"
                "written = []\n"
                f"for path in {targets!r}:\n"
                "    try:\n"
                "        with open(path, 'a') as f:\n"
                "            f.write('# planted')\n"
                "        written.append(path)\n"
                "    except OSError:\n"
                "        pass\n"
                f"if written:\n    {right0}\n"
            ),
        ],
    )
    # m: a fork bomb
    nb(
        subs / "m.ipynb",
        [
            case.rights(),
            (
                "import os, time\n"
                "while True:\n"
                "    try:\n"
                "        os.fork()\n"
                "    except OSError:\n"
                "        time.sleep(0.5)\n"
            ),
        ],
    )
    # n1: 6 GiB in one process, every page touched
    nb(
        subs / "n1.ipynb",
        [
            case.rights(),
            (
                "try:\n"
                "    big = bytearray(b'x') * (6 << 30)\n"
                f"    {var0} = None\n"
                "except MemoryError:\n"
                "    pass\n"
            ),
        ],
    )
    # n2: 3 processes of 1.5 GiB each
    nb(
        subs / "n2.ipynb",
        [
            case.rights(),
            (
                "import os, time\n"
                "for _ in range(3):\n"
                "    if os.fork() == 0:\n"
                "        big = bytearray(b'x') * (1536 << 20)\n"
                "        time.sleep(300)\n"
                "        os._exit(0)\n"
                "time.sleep(300)\n"
            ),
        ],
    )
    # e: a loop, after the first answer; e2: a loop that ignores interrupts. They
    # wait rather than spin: the time limit is wall-clock time, and a spinning loop
    # would take a core from the rest of the suite for 30 and 60 s
    nb(
        subs / "e.ipynb",
        [right0, "import time\nwhile True:\n    time.sleep(0.01)", case.rights()],
    )
    nb(
        subs / "e2.ipynb",
        [
            right0,
            "import signal, time\nsignal.signal(signal.SIGINT,"
            " signal.SIG_IGN)\nwhile True:\n    time.sleep(0.01)",
        ],
    )
    # k6: the kernel exits
    nb(subs / "k6.ipynb", [case.rights(), "import os\nos._exit(0)"])

    before = {p: _digest(p) for p in [*watched, victim]}
    # the grader's own temporary folders go to a folder of this run only: another
    # grading on the machine (a second test worker, a teacher) cannot be mistaken for
    # a folder this one left behind
    own_temp = root / "temp"
    own_temp.mkdir()
    shared_temp, tempfile.tempdir = tempfile.tempdir, str(own_temp)
    rows, codes = {}, {}
    cwd = os.getcwd()
    try:
        os.chdir(root)  # relative folders, as the documentation writes them
        for name, timeout in (("full", 900), ("subs", SMALL_TIMEOUT)):
            code = assign.main(
                [
                    "grade",
                    md.stem[:4],
                    name,
                    "--out",
                    f"{name}.csv",
                    "--dist",
                    str(dist),
                    "--timeout",
                    str(timeout),
                    "--jobs",
                    str(JOBS),
                ]
            )
            codes[name] = code
            with open(root / f"{name}.csv", newline="") as f:
                rows[name] = {r["submission"]: r for r in csv.DictReader(f)}
            print((root / f"{name}.csv").read_text(), flush=True)
    finally:
        os.chdir(cwd)
        tempfile.tempdir = shared_temp
        del os.environ["LRBOOK_TEACHER_CANARY"]
        server.close()
        unix.close()
        os.unlink(unix_path)
    after = {p: _digest(p) for p in before}
    state = {
        "changed": [str(p) for p in before if before[p] != after[p]],
        "marker": marker.exists(),
        "planted": [
            p for p in (subs / "planted.ipynb", dist / "planted") if p.exists()
        ],
        "alive": _uids_alive(),
        "temp": set(own_temp.glob("lrbook-grading-*")),
        "codes": codes,
        "notebooks": {
            n: sorted(
                p.relative_to(root / n).as_posix()
                for p in (root / n).rglob("*")
                if p.is_file() and p.suffix.lower() == ".ipynb"
            )
            for n in rows
        },
    }
    marker.unlink(missing_ok=True)
    shutil.rmtree(root / "subs", ignore_errors=True)
    return case, rows["full"] | rows["subs"], state


def _total(row) -> float:
    return float(row["total"])


def _q(case, row, k) -> float:
    return float(row[case.qs[k]["name"]])


# ------------------------------------------------------------------ honest work
def test_the_csv_has_every_notebook_one_row_each_and_the_totals(graded):
    case, rows, state = graded
    assert state["codes"] == {"full": 0, "subs": 0}
    names = set(state["notebooks"]["full"]) | set(state["notebooks"]["subs"])
    assert set(rows) == names  # nested, .IPYNB, broken and hostile alike
    for row in rows.values():
        total = sum(Fraction(row[q["name"]]) for q in case.qs)
        assert abs(float(total) - _total(row)) < 1e-3
        assert row["status"].split(":")[0] in ("ok", "timeout", "error")


def test_the_reference_scores_full_marks_under_another_name_in_a_subfolder(graded):
    case, rows, _ = graded
    row = rows["alice/Alice's notebook (1).ipynb"]
    assert row["status"] == "ok" and row["failed_cells"] == "0"
    assert _total(row) == POINTS * len(case.qs)


def test_the_untouched_student_notebook_scores_zero(graded):
    _, rows, _ = graded
    assert rows["untouched.IPYNB"]["status"] == "ok"
    assert _total(rows["untouched.IPYNB"]) == 0


def test_right_answers_full_wrong_ones_one_plus_shares_mistakes_lose_theirs(graded):
    case, rows, _ = graded
    assert _total(rows["right.ipynb"]) == POINTS * len(case.qs)
    for k, ex in enumerate(case.ex):
        m = len(ex.mistakes)
        got = _q(case, rows["wrong.ipynb"], k)
        assert 1 <= got < POINTS
        mistake = _q(case, rows["mistake0.ipynb"], k)
        if m and (ex.kind != "choice" or isinstance(ex.mistakes[0][0], str)):
            assert mistake == pytest.approx(float(1 + Fraction(m - 1, m)), abs=1e-4)


def test_a_syntax_error_loses_that_answer_only_and_is_counted(graded):
    case, rows, _ = graded
    row = rows["syntax.ipynb"]
    assert row["status"] == "ok" and row["failed_cells"] == "1"
    assert _total(row) == POINTS * len(case.qs)  # the cell before set every answer


@pytest.mark.parametrize("name", ["notjson.ipynb", "empty.ipynb", "k6.ipynb"])
def test_a_broken_notebook_is_one_row_with_its_error(graded, name):
    _, rows, _ = graded
    assert rows[name]["status"].startswith("error: ")
    assert _total(rows[name]) == 0


# ------------------------------------------------------------------ hostile work
@pytest.mark.parametrize("name", ["k1.ipynb", "k2.ipynb", "k3.ipynb", "k4.ipynb"])
def test_forgeries_score_what_their_answers_are_worth(graded, name):
    _, rows, _ = graded
    assert rows[name]["status"] == "ok"
    assert _total(rows[name]) == _total(rows["wrong.ipynb"])


def test_a_detached_process_cannot_forge_the_result_and_is_gone(graded):
    _, rows, state = graded
    assert _total(rows["k5b.ipynb"]) <= _total(rows["wrong.ipynb"])
    assert not state["marker"]
    assert state["alive"] == []


@pytest.mark.parametrize("name", ["k7.ipynb", "k7b.ipynb"])
def test_a_result_that_is_not_a_file_is_that_row_error_only(graded, name):
    _, rows, _ = graded
    assert rows[name]["status"].startswith("error: ")
    assert _total(rows[name]) == 0


def test_no_submission_reaches_another_one(graded):
    case, rows, state = graded
    assert _q(case, rows["j.ipynb"], 0) == 0
    assert _total(rows["zz_victim.ipynb"]) == POINTS * len(case.qs)
    assert str(case.root / "subs" / "zz_victim.ipynb") not in state["changed"]


def test_no_key_dist_submission_or_teacher_environment_is_visible(graded):
    case, rows, _ = graded
    row = rows["i.ipynb"]
    assert row["status"] == "ok"
    assert _q(case, row, 0) < POINTS  # get(id).expected is a stand-in there
    assert _q(case, row, 1) == 0 and _q(case, row, 2) == 0


def test_no_network_no_host_socket_no_other_namespace(graded):
    case, rows, _ = graded
    row = rows["h.ipynb"]
    assert row["status"] == "ok"
    assert _q(case, row, 0) == 0 and _q(case, row, 1) == 0


def test_nothing_outside_the_private_folder_is_written(graded):
    case, rows, state = graded
    assert _q(case, rows["l.ipynb"], 0) == 0
    assert state["changed"] == [] and state["planted"] == [] and not state["marker"]


def test_a_fork_bomb_is_stopped_and_leaves_nothing(graded):
    _, rows, state = graded
    stopped = ("error: started more", "error: used more", "timeout")
    assert rows["m.ipynb"]["status"].startswith(stopped)
    assert state["alive"] == [] and state["temp"] == set()


def test_memory_is_limited_per_process_and_per_submission(graded):
    case, rows, _ = graded
    n1 = rows["n1.ipynb"]  # MemoryError in the notebook: the answers stay
    assert n1["status"] == "ok" and _total(n1) == POINTS * len(case.qs)
    n2 = rows["n2.ipynb"]  # 4.5 GiB in three processes: the sandbox is stopped
    assert n2["status"].startswith("error: used more than")


def test_a_loop_is_stopped_and_the_answers_before_it_count(graded):
    case, rows, _ = graded
    row = rows["e.ipynb"]
    assert row["status"].startswith("timeout: cell")
    assert _q(case, row, 0) == POINTS and _total(row) == POINTS
    row = rows["e2.ipynb"]  # ignores the interrupt: killed, nothing scored
    assert row["status"].startswith("timeout: still running")
    assert _total(row) == 0


# ------------------------------------------------------------------ the build
def test_the_student_notebook_has_no_solution_no_hidden_test_no_answer(built):
    md, dist, folder, spec = built
    text = (folder / "student" / f"{md.stem}.ipynb").read_text(encoding="utf-8")
    student = nbformat.reads(text, 4)
    master = nbformat.read(folder / "master" / f"{md.stem}.ipynb", 4)
    assert not re.search(r"BEGIN (QUESTION|SOLUTION|TESTS|PROMPT)|TEST CONFIG", text)
    assert not assign.KEY_READ.search(text) and '"hidden": true' not in text
    for name, test in student.metadata["otter"]["tests"].items():
        cases = [c for s in test["suites"] for c in s["cases"]]
        assert len(cases) == 1 and not cases[0]["hidden"], name
    shown = {  # every line the reader sees (a statement's quoted code without "> ")
        ln.strip().lstrip(">").strip()
        for c in master.cells
        if c.cell_type != "raw" and "# BEGIN PROMPT" not in c.source
        for ln in c.source.splitlines()
    }
    # what the answer cells' prompts give every reader (ch02's "e.g. def step_lr(t):
    # return ..." names the function the solution defines)
    prompts = "\n".join(
        c.source.split("# BEGIN PROMPT")[1].split("# END PROMPT")[0]
        for c in master.cells
        if "# BEGIN PROMPT" in c.source
    )
    # the student's lines, whole: a solution's "gaps = []" is not leaked by a chapter
    # cell's "trailing_gaps, centred_gaps = [], []"
    student_lines = {ln.strip() for c in student.cells for ln in c.source.splitlines()}
    for cell in master.cells:
        if "# BEGIN SOLUTION NO PROMPT" in cell.source:
            block = cell.source.split("# BEGIN SOLUTION NO PROMPT")[1]
            for line in block.split("# END SOLUTION")[0].splitlines():
                public = line.strip() in shown or line.strip() in prompts
                if len(line.strip()) > 8 and not public:
                    assert line.strip() not in student_lines, line
    assert not (folder / "autograder" / "otter_config.json").exists()
    assert [p.name for p in dist.iterdir()] == [md.stem]  # no temporary folder left


def test_unsafe_mode_marks_outside_too(built, tmp_path):
    """Without bwrap (--unsafe) the notebook is not isolated, but it still only
    exports its answers: replacing check gains nothing."""
    md, dist, folder, spec = built
    case = Case(md, dist, folder, spec, tmp_path)
    case.notebook(tmp_path / "subs" / "right.ipynb", [case.rights()])
    case.notebook(
        tmp_path / "subs" / "k1.ipynb",
        [case.wrongs(), "import lrbook.exercises as e\ne.check = lambda *a, **k: 1"],
    )
    rows = assign.grade(
        md, tmp_path / "subs", tmp_path / "s.csv", 120, dist, 2, unsafe=True
    )
    right, k1 = sorted(rows, key=lambda r: r["submission"], reverse=True)
    assert right["total"] == POINTS * len(case.qs) and right["status"] == "ok"
    assert 0 < k1["total"] < POINTS * len(case.qs) and k1["status"] == "ok"
