"""Course assignments: a student notebook per chapter, and grading no student can forge.

    .venv/bin/python -m booktools.assign build ch03        # or: all, or several chapters
    .venv/bin/python -m booktools.assign grade ch03 SUBMISSIONS_DIR --out scores.csv

``build`` turns ``book/<chapter>.md`` into a master notebook in Otter-Grader's assign
format, runs ``otter assign`` (which writes the student notebook, with the public
tests that ``grader.check`` runs, and the reference notebook with the solutions), then
executes the reference and the untouched student notebook in the grading sandbox: the
build fails if a cell of either raises, or if the reference does not score full marks.
It writes into a temporary folder and moves it to ``dist/<chapter>/`` only when
everything passed; a failed build leaves nothing in ``dist/``.

``grade`` runs each notebook of the folder (and its subfolders) in its own sandbox
(:mod:`grading.sandbox`: ``bwrap``; no network, not root, read-only system, a private
folder, limits), where it exports only its answers as plain data; the scores are
computed here, outside the sandbox, from the answer keys of :mod:`lrbook.exercises`
(:mod:`grading.marking`). No test runs in the student's session. The CSV has one row
per notebook, whatever happened to it, and is written in full and atomically.

The chapters carry no Otter marker: the master is generated from the chapter's cells
as the last book build resolved them (:mod:`booktools.notebooks` tags each exercise's
statement, its answer cell ``x = None`` + ``check(label, x)`` and its solution) and
from the answer keys. Build the book first.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import hashlib
import itertools
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import nbformat

from . import notebooks, twins
from .grading import keys, marking
from .grading.marking import POINTS
from .grading.sandbox import Limits, Sandbox, SandboxError

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
TIMEOUT = 300.0
MAX_NOTEBOOK = 64 << 20  # bytes: a bigger file is not run


CHECK = re.compile(r"""^check\(\s*["']([^"']+)["']\s*,\s*([A-Za-z_]\w*)\s*\)\s*$""")
# A line of a chapter cell that reads an answer key's answer or classic mistakes: it
# would hand the answer to the student, so the assignment leaves it out.
KEY_READ = re.compile(r"\bget\([^)]*\)\s*\.\s*(expected|mistakes)\b")


class UsageError(Exception):
    """A command cannot run as asked (a missing folder, no notebook...)."""


class BuildError(RuntimeError):
    """A chapter's assignment failed its checks; nothing was written to dist/."""


@dataclass
class Question:
    """One exercise of a chapter, as an Otter question."""

    label: str
    statement: list = field(default_factory=list)
    answer: object = None
    solution: list = field(default_factory=list)
    exercise_id: str | None = None
    variable: str | None = None

    @property
    def name(self) -> str:
        return self.label.replace("-", "_")

    @property
    def manual(self) -> bool:
        return self.exercise_id is None


# ------------------------------------------------------------ the chapter's cells
def chapter_cells(md: Path, build: Path | None = None) -> list:
    """The chapter's cells in Jupyter-native Markdown, tagged with its exercises.

    The book build writes them (:mod:`booktools.notebooks`, from the resolved page:
    the twin's cells, with ``lrbook_exercise``, ``lrbook_answer`` and
    ``lrbook_solution`` metadata holding the exercise's label) into
    ``_build/notebooks/assign/``; an assignment is built from the last book build.
    """
    path = (build or ROOT / "_build") / notebooks.OUT / "assign"
    path = path / f"{twins.docname(md, ROOT)}.ipynb"
    if not path.exists():
        raise UsageError(
            f"{path} is missing: build the book first (bash tools/book.sh); the "
            "assignments are made from the pages the build resolved"
        )
    return nbformat.read(path, as_version=4).cells


# -------------------------------------------------------------------- Otter format
def raw(text: str):
    return nbformat.v4.new_raw_cell(text)


def _test(body: str):
    config = '""" # BEGIN TEST CONFIG\nhidden: false\n""" # END TEST CONFIG\n'
    return nbformat.v4.new_code_cell(config + body)


def _kind_test(ex, var: str) -> str:
    """Code asserting that ``var`` holds an answer of the right kind for ``ex``: the
    public test, the same rule as :func:`grading.marking.right_kind`. It never says
    how many numbers a list answer has."""
    lines = [
        f'assert {var} is not None and {var} is not ..., "no answer yet"',
    ]
    if ex.kind == "number":
        lines += [
            "import math, numbers",
            f"assert isinstance({var}, numbers.Real) and not isinstance({var}, bool)"
            f' and math.isfinite({var}), "expected a finite number"',
        ]
    elif ex.kind == "numbers":
        lines += [
            "import numpy",
            f"_values = numpy.asarray({var}, dtype=float)",
            "assert _values.ndim == 1 and _values.size >= 1 and"
            ' numpy.isfinite(_values).all(), "expected a list of finite numbers"',
        ]
    elif ex.kind == "function":
        lines += [
            "import math, numbers",
            f'assert callable({var}), "expected a function of the step t"',
            f"_value = {var}({ex.steps[0]})",
            "assert isinstance(_value, numbers.Real) and not isinstance(_value, bool)"
            ' and math.isfinite(_value), "expected a function of the step t that'
            ' returns a number"',
        ]
    else:
        options = sorted(
            {re.sub(r"\s+|\(\)$", "", c.strip().casefold()) for c in ex.choices}
        )
        lines += [
            "import re",
            f"assert isinstance({var}, str) and re.sub(r'\\s+|\\(\\)$', '',"
            f" {var}.strip().casefold()) in {options!r},"
            f' "expected one of {", ".join(ex.choices)}"',
        ]
    return "\n".join(lines)


def tests(q: Question) -> list:
    """The test cells of an auto-graded question: the public kind test only. The
    marking (:mod:`grading.marking`) happens outside the student's session."""
    from lrbook.exercises import get

    return [_test(_kind_test(get(q.exercise_id), q.variable))]


def answer_cell(q: Question):
    """The answer cell: the student's placeholder as prompt, the solution hidden."""
    prompt, rest = [], []
    for line in q.answer.source.split("\n"):
        m = CHECK.match(line)
        (rest if m else prompt).append(line)
    prompt = [
        re.sub(rf"^{q.variable}\s*=\s*None\b", f"{q.variable} = ...", p)
        for p in prompt
        if not p.startswith("# @title")
    ]
    code = []
    for cell in q.solution:
        if cell.cell_type == "code":
            code += [
                ln
                for ln in cell.source.split("\n")
                if not CHECK.match(ln) and not ln.startswith("# @title")
            ]
    sets = rf"^(def\s+{q.variable}\b|{q.variable}\s*=)"
    if not any(re.match(sets, ln) for ln in code):
        raise ValueError(f"{q.label}: the solution code never sets {q.variable}")
    source = [
        '""" # BEGIN PROMPT',
        *prompt,
        '"""  # END PROMPT',
        "# BEGIN SOLUTION NO PROMPT",
        *code,
        "# END SOLUTION",
        *rest,
    ]
    return nbformat.v4.new_code_cell("\n".join(source))


def questions(cells: list) -> dict[str, Question]:
    found: dict[str, Question] = {}
    for cell in cells:
        meta = cell.metadata
        for key, attr in (
            ("lrbook_exercise", "statement"),
            ("lrbook_solution", "solution"),
        ):
            if key in meta:
                found.setdefault(meta[key], Question(meta[key]))
                getattr(found[meta[key]], attr).append(cell)
        if "lrbook_answer" in meta:
            q = found.setdefault(meta["lrbook_answer"], Question(meta["lrbook_answer"]))
            q.answer = cell
            for line in cell.source.split("\n"):
                m = CHECK.match(line)
                if m:
                    q.exercise_id, q.variable = m[1], m[2]
    return found


def without_key_reads(cell, removed: list[str] | None = None):
    """``cell`` without the lines that read an answer key's answer or mistakes."""
    if cell.cell_type != "code" or not KEY_READ.search(cell.source):
        return cell
    cell = nbformat.from_dict(json.loads(json.dumps(cell)))
    kept = []
    for line in cell.source.split("\n"):
        if KEY_READ.search(line):
            if removed is not None:
                removed.append(line.strip())
        else:
            kept.append(line)
    cell.source = "\n".join(kept)
    return cell


def master(md: Path, removed: list[str] | None = None) -> nbformat.NotebookNode:
    """The teacher's master notebook of a chapter, in Otter's assign format.

    Lines of the chapter's own cells that read an answer key's answer are left out
    (and appended to ``removed``).
    """
    return _master(md, removed)[0]


def _master(md: Path, removed: list[str] | None = None):
    """The master notebook and the chapter's questions."""
    cells = chapter_cells(md)
    qs = questions(cells)
    config = (
        f"# ASSIGNMENT CONFIG\nname: {md.stem}\ninit_cell: true\ncheck_all_cell: false"
        "\nexport_cell: false\nsolutions_pdf: false\nrun_tests: false\n"
        "tests:\n  files: false\n  ok_format: true\n"
    )
    out = [raw(config)]
    tags = ("lrbook_exercise", "lrbook_answer", "lrbook_solution")
    for cell in cells:
        meta = cell.metadata
        label = meta.get("lrbook_exercise")
        if label and cell is qs[label].statement[0]:
            q = qs[label]
            out.append(
                raw(
                    f"# BEGIN QUESTION\nname: {q.name}\npoints: {POINTS}\n"
                    f"manual: {str(q.manual).lower()}"
                )
            )
            out += [without_key_reads(_clean(c), removed) for c in q.statement]
            if q.manual:
                out.append(raw("# BEGIN SOLUTION"))
                out += [_clean(c) for c in q.solution]
                out.append(raw("# END SOLUTION"))
            else:
                out += [raw("# BEGIN SOLUTION"), answer_cell(q), raw("# END SOLUTION")]
                out.append(raw("# BEGIN TESTS"))
                out += tests(q)
                out.append(raw("# END TESTS"))
            out.append(raw("# END QUESTION"))
        elif not any(t in meta for t in tags):
            out.append(without_key_reads(cell, removed))
    nb = nbformat.v4.new_notebook(cells=out)
    nb.metadata = {
        "kernelspec": {
            "display_name": "Python 3",
            "language": "python",
            "name": "python3",
        },
        "language_info": {"name": "python"},
    }
    return nb, qs


def _clean(cell):
    cell = nbformat.from_dict(json.loads(json.dumps(cell)))
    for key in ("lrbook_exercise", "lrbook_answer", "lrbook_solution"):
        cell.metadata.pop(key, None)
    if cell.cell_type == "code":
        cell.source = "\n".join(
            ln for ln in cell.source.split("\n") if not ln.startswith("# @title")
        )
        cell.metadata.pop("cellView", None)
        cell.metadata.pop("jupyter", None)
    return cell


# ------------------------------------------------------------------------- commands
def chapters(names: list[str]) -> list[Path]:
    every = sorted(p for p in twins.toc_files(ROOT) if re.match(r"ch\d\d", p.stem))
    if names == ["all"]:
        return every
    out = []
    for name in names:
        hits = [p for p in every if p.stem == name or p.stem.startswith(name + "-")]
        if len(hits) != 1:
            raise SystemExit(
                f"chapter {name!r}: expected one of "
                f"{', '.join(p.stem for p in every)} or 'all'"
            )
        out += hits
    return out


INIT = """# Initialize Otter: grader.check(...) runs a question's public test, which
# this notebook holds. A renamed notebook is found by its assignment name.
import glob
import json

try:
    import otter
except ImportError:  # Colab, or a Jupyter without Otter-Grader: install it once
    %pip install --quiet otter-grader==7.0.0
    import otter

_notebook = {name!r}
if not glob.glob(_notebook):
    for _path in sorted(glob.glob("*.ipynb")):
        try:
            with open(_path, encoding="utf-8") as _file:
                if json.load(_file)["metadata"]["otter"]["assignment_name"] == {stem!r}:
                    _notebook = _path
                    break
        except (OSError, ValueError, KeyError, TypeError):
            pass
grader = otter.Notebook(_notebook)"""


OTTER_COMMENT = re.compile(r"^<!-- (BEGIN|END) QUESTION -->\s*$\n?", re.M)


def _tidy(path: Path, stem: str) -> None:
    """Make Otter's init cell find the notebook under another name too, and drop the
    ``<!-- BEGIN QUESTION -->`` comments Otter leaves for its PDF export (unused)."""
    nb = nbformat.read(path, 4)
    for cell in nb.cells:
        if cell.cell_type == "code" and "otter.Notebook(" in cell.source:
            cell.source = INIT.format(name=path.name, stem=stem)
            break
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = OTTER_COMMENT.sub("", cell.source).strip("\n")
    nb.cells = [c for c in nb.cells if c.cell_type != "markdown" or c.source.strip()]
    nbformat.write(nb, path)


def build(
    md: Path, dist: Path = DIST, *, check: bool = True, unsafe: bool = False
) -> Path:
    """Build the assignment of chapter ``md`` into ``dist/<chapter>/`` and return it.

    Writes ``master/`` (Otter's assign format), ``student/<chapter>.ipynb`` (to hand
    out) and ``autograder/`` (the reference notebook with the solutions, and
    ``grading.json``: each question's answer variable, kind and steps). With ``check``,
    the reference and the untouched student notebook are executed in the sandbox:
    any cell that raises, a reference below full marks or a student notebook above 0
    is a :class:`BuildError`. Everything is built in a temporary folder of ``dist``
    and moved into place at the end; on any failure no ``dist/<chapter>`` remains
    (nor ``dist`` itself, if this build created it).
    """
    start = time.monotonic()
    dist = Path(dist).expanduser().resolve()
    created = not dist.exists()
    dist.mkdir(parents=True, exist_ok=True)
    final = dist / md.stem
    shutil.rmtree(final, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=f".{md.stem}-building-", dir=dist))
    try:
        removed: list[str] = []
        nb, qs = _master(md, removed)
        for line in removed:
            print(f"{md.stem}: left out (it reads an answer key): {line}", flush=True)
        (work / "master").mkdir()
        path = work / "master" / f"{md.stem}.ipynb"
        nbformat.write(nb, path)
        otter = Path(sys.executable).parent / "otter"
        proc = subprocess.run(
            [str(otter), "assign", "--no-pdfs", str(path), str(work)],
            cwd=work / "master",
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
            raise BuildError(f"{md.stem}: otter assign failed:\n{tail}")
        autograder = work / "autograder"
        for extra in (*autograder.glob("*.zip"), autograder / "otter_config.json"):
            extra.unlink(missing_ok=True)  # Otter's own grading: not used here
        student = work / "student" / f"{md.stem}.ipynb"
        reference = autograder / f"{md.stem}.ipynb"
        for nb_path in (student, reference):
            _tidy(nb_path, md.stem)
        spec = {
            "chapter": md.stem,
            "notebook": f"{md.stem}.ipynb",
            "points": POINTS,
            "questions": [marking.spec(q) for q in qs.values() if not q.manual],
            "manual": [q.name for q in qs.values() if q.manual],
        }
        (autograder / "grading.json").write_text(json.dumps(spec, indent=1) + "\n")
        if check:
            verify(work, spec, unsafe=unsafe)
        work.rename(final)
        print(f"built {final} in {time.monotonic() - start:.0f} s", flush=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        if created and dist.exists() and not any(dist.iterdir()):
            dist.rmdir()
        raise
    return final


BUILD_TIMEOUT = 900.0


def verify(folder: Path, spec: dict, *, unsafe: bool = False) -> None:
    """Execute the reference and the student notebook of a build in the sandbox."""
    stem = spec["chapter"]
    if not unsafe and Sandbox.missing():
        print(
            f"{stem}: bwrap is missing, so the build's check runs the chapter"
            " without a sandbox",
            flush=True,
        )
        unsafe = True
    notebooks = {
        "reference": folder / "autograder" / f"{stem}.ipynb",
        "student": folder / "student" / f"{stem}.ipynb",
    }
    grader = Grader(spec, jobs=2, unsafe=unsafe)
    try:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            rows = dict(
                zip(
                    notebooks,
                    pool.map(
                        lambda p: grader.grade(p.read_bytes(), p.name, BUILD_TIMEOUT),
                        notebooks.values(),
                    ),
                    strict=True,
                )
            )
    finally:
        grader.close()
    problems = []
    for which, row in rows.items():
        if row["status"] != "ok":
            problems.append(f"the {which} notebook did not run: {row['status']}")
        for error in row["errors"]:
            problems.append(
                f"the {which} notebook's cell {error['cell']} raised {error['ename']}"
                f" ({error['evalue']})"
            )
    for q in spec["questions"]:
        got = rows["reference"][q["name"]]
        if got != POINTS:
            problems.append(f"the reference scores {got:g}/{POINTS} on {q['name']}")
    if rows["student"]["total"] != 0:
        problems.append(
            f"the untouched student notebook scores {rows['student']['total']:g}"
        )
    if problems:
        raise BuildError(f"{stem}: " + "; ".join(problems))
    print(
        f"{stem}: reference {rows['reference']['total']:g}/"
        f"{POINTS * len(spec['questions'])}, untouched student notebook 0, no cell"
        " raised",
        flush=True,
    )


# ------------------------------------------------------------------------- grading
def grace(timeout: float) -> float:
    """Seconds after the time limit before a sandbox that did not stop is killed."""
    return max(30.0, 0.25 * timeout)


class Grader:
    """Runs notebooks in sandboxes and marks their answers here, outside them.

    Args:
        spec: the build's ``grading.json``.
        jobs: how many sandboxes may run at once.
        unsafe: without bwrap (see :class:`grading.sandbox.Sandbox`).
        limits: the sandbox's :class:`grading.sandbox.Limits`.
    """

    def __init__(
        self,
        spec: dict,
        jobs: int = 1,
        *,
        unsafe: bool = False,
        limits: Limits | None = None,
    ):
        self.spec = spec
        self.root = Path(tempfile.mkdtemp(prefix="lrbook-grading-"))
        try:
            public = None if unsafe else keys.write(self.root / "keys")
            self.sandbox = Sandbox(public, limits, unsafe=unsafe)
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise
        self.slots: queue.Queue[int] = queue.Queue()
        for slot in range(jobs):
            self.slots.put(slot)
        self._count = itertools.count(1)

    def close(self) -> None:
        _remove(self.root)

    def grade(self, data: bytes, name: str, timeout: float) -> dict:
        """One row: the points of each question, total, status, failed cells."""
        slot = self.slots.get()
        folder = self.root / f"submission-{next(self._count)}"
        try:
            home = self.sandbox.prepare(folder, slot)
            notebook = self.spec["notebook"]
            (home / notebook).write_bytes(data)
            (home / "spec.json").write_text(
                json.dumps(
                    {
                        "notebook": notebook,
                        "timeout": timeout,
                        "questions": self.spec["questions"],
                    }
                )
            )
            outcome = self.sandbox.run(folder, timeout + grace(timeout), slot)
            try:
                result, problem = marking.read_result(home / "result.json"), ""
            except marking.BadResult as exc:
                result, problem = None, str(exc)
        finally:
            _remove(folder)
            self.slots.put(slot)
        return self._row(name, data, outcome, result, problem, timeout)

    def _row(self, name, data, outcome, result, problem, timeout) -> dict:
        answers, errors = None, []
        limits = self.sandbox.limits
        if outcome.killed_for == "memory":
            status = f"error: used more than {limits.memory_mb} MiB of memory; stopped"
        elif outcome.killed_for == "processes":
            status = f"error: started more than {limits.processes} processes; stopped"
        elif outcome.timed_out:
            status = (
                f"timeout: still running {grace(timeout):g} s after the limit; killed,"
                " nothing scored"
            )
        elif result is None:
            last = outcome.stderr.strip().splitlines()[-1:] or [""]
            status = f"error: {problem}" + (f" ({last[0][:200]})" if last[0] else "")
        elif result["error"]:
            status = f"error: {result['error']}"
        else:
            answers, errors = result["answers"] or {}, result["errors"]
            if result["timeout"] is not None:
                status = (
                    f"timeout: cell {result['timeout']} ran past {timeout:g} s and was"
                    " stopped; the answers set before it are scored"
                )
            elif result["answers"] is None:
                status = "error: the answers could not be exported"
            else:
                status = "ok"
        row: dict = {"submission": name}
        total = Fraction(0)
        for q in self.spec["questions"]:
            value = marking.answer(answers.get(q["name"]), q) if answers else None
            try:
                got = marking.points(q["exercise"], value)
            except Exception as exc:  # a bug of marking, never the student's fault
                got = Fraction(0)
                status += f"; {q['name']} not marked ({type(exc).__name__})"
            row[q["name"]] = round(float(got), 4)
            total += got
        row["total"] = round(float(total), 4)
        row["status"] = status
        row["failed_cells"] = len(errors)
        row["sha256"] = hashlib.sha256(data).hexdigest()[:16]
        row["errors"] = errors
        return row


def _remove(folder: Path) -> None:
    """Remove ``folder`` and everything in it, whatever its permissions say."""

    def fix(function, path, _):
        try:
            os.chmod(os.path.dirname(path), 0o700)
            if not os.path.islink(path) and os.path.isdir(path):
                os.chmod(path, 0o700)
            function(path)
        except OSError:
            pass

    if folder.exists():
        shutil.rmtree(folder, onerror=fix)
        if folder.exists():
            shutil.rmtree(folder, onerror=fix)


def collect(folder: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The notebooks under ``folder`` (subfolders too; ``.ipynb`` in any case), and
    every other entry with the reason it is skipped."""
    notebooks, skipped = [], []
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        for d in sorted(dirnames):
            if d.startswith(".") or os.path.islink(here / d):
                why = "a link" if os.path.islink(here / d) else "a hidden folder"
                skipped.append((here / d, why))
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".") and not os.path.islink(here / d)
        )
        for f in sorted(filenames):
            path = here / f
            if os.path.islink(path):
                skipped.append((path, "a link, not a file"))
            elif f.startswith("."):
                skipped.append((path, "a hidden file"))
            elif path.suffix.lower() == ".ipynb":
                notebooks.append(path)
            elif path.suffix.lower() == ".zip":
                skipped.append((path, "a zip archive: unpack it into the folder"))
            else:
                skipped.append((path, "not a notebook (.ipynb)"))
    return sorted(notebooks), skipped


def load_spec(md: Path, dist: Path) -> dict:
    path = Path(dist).expanduser().resolve() / md.stem / "autograder" / "grading.json"
    if not path.is_file():
        raise UsageError(
            f"no built assignment of {md.stem} ({path} is missing): run"
            f" 'python -m booktools.assign build {md.stem[:4]}' first"
        )
    spec = json.loads(path.read_text(encoding="utf-8"))
    try:
        marking.check_spec(spec["questions"])
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return spec


def question_names(spec: dict) -> list[str]:
    return [q["name"] for q in spec["questions"]]


def grade(
    md: Path,
    submissions: Path,
    out: Path,
    timeout: float = TIMEOUT,
    dist: Path = DIST,
    jobs: int | None = None,
    *,
    unsafe: bool = False,
    limits: Limits | None = None,
) -> list[dict]:
    """Grade every notebook under ``submissions`` and write the CSV ``out``.

    Each notebook runs in its own sandbox, ``jobs`` at a time (default: one per CPU
    core), for at most ``timeout`` seconds (a cell still running then is stopped and
    the answers set before it are scored; a sandbox still running :func:`grace`
    seconds later is killed). Returns the rows, in the order of the notebooks' paths.

    Raises:
        ValueError: ``jobs`` or ``timeout`` out of range.
        UsageError: no such folder, no notebook in it, no built assignment, or no
            sandbox (bwrap) and not ``unsafe``.
    """
    if jobs is None:
        jobs = os.cpu_count() or 1
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be an integer >= 1, got {jobs!r}")
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or not (timeout > 0)
    ):
        raise ValueError(f"timeout must be a number of seconds > 0, got {timeout!r}")
    submissions = Path(submissions).expanduser().resolve()
    out = Path(out).expanduser().resolve()
    if not submissions.exists():
        raise UsageError(f"the submissions folder {submissions} does not exist")
    if not submissions.is_dir():
        raise UsageError(
            f"{submissions} is a file, not a folder: give the folder that holds the"
            " notebooks"
        )
    spec = load_spec(md, dist)
    notebooks, skipped = collect(submissions)
    for path, why in skipped:
        if path != out:
            print(f"skipped {path.relative_to(submissions)}: {why}", file=sys.stderr)
    if not notebooks:
        raise UsageError(f"no notebook (*.ipynb) in {submissions} or its subfolders")
    try:
        grader = Grader(spec, jobs, unsafe=unsafe, limits=limits)
    except SandboxError as exc:
        raise UsageError(str(exc)) from None
    if unsafe:
        print(
            "warning: --unsafe: the notebooks run without a sandbox, with your rights",
            file=sys.stderr,
        )

    def one(path: Path) -> dict:
        name = path.relative_to(submissions).as_posix()
        try:
            size = path.stat().st_size
            if size > MAX_NOTEBOOK:
                raise ValueError(f"the file is larger than {MAX_NOTEBOOK >> 20} MiB")
            row = grader.grade(path.read_bytes(), name, timeout)
        except Exception as exc:  # one bad submission is one row, never the run
            row = {"submission": name, "status": f"error: {type(exc).__name__}: {exc}"}
            row.update({n: 0.0 for n in question_names(spec)}, total=0.0)
        print(f"{name}: {row['total']:g} ({row['status']})", flush=True)
        return row

    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
            rows = list(pool.map(one, notebooks))
    finally:
        grader.close()
    write_csv(out, spec, rows)
    return rows


def write_csv(out: Path, spec: dict, rows: list[dict]) -> None:
    """Write the rows to ``out`` atomically: a complete file or the old one."""
    names = question_names(spec)
    fields = ["submission", *names, "total", "status", "failed_cells", "sha256"]
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fields, extrasaction="ignore", restval="")
            writer.writeheader()
            writer.writerows(rows)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="student notebook and autograder of chapters")
    b.add_argument("chapters", nargs="+", help="e.g. ch03, or all")
    b.add_argument("--dist", type=Path, default=DIST)
    b.add_argument(
        "--unsafe",
        action="store_true",
        help="check the build without a sandbox (no bwrap here)",
    )
    g = sub.add_parser("grade", help="grade a folder of submissions into a CSV")
    g.add_argument("chapter")
    g.add_argument("submissions", type=Path)
    g.add_argument("--out", type=Path, default=Path("scores.csv"))
    g.add_argument(
        "--timeout",
        type=float,
        default=TIMEOUT,
        help="seconds per submission (default %(default)s)",
    )
    g.add_argument("--dist", type=Path, default=DIST)
    g.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="submissions graded at once (default: one per CPU core)",
    )
    g.add_argument(
        "--memory",
        type=int,
        default=Limits.memory_mb,
        help="MiB of memory per submission (default %(default)s)",
    )
    g.add_argument(
        "--processes",
        type=int,
        default=Limits.processes,
        help="processes and threads per submission (default %(default)s)",
    )
    g.add_argument(
        "--unsafe",
        action="store_true",
        help="grade without a sandbox where bwrap is missing: student code"
        " then runs with your rights (the scores are still computed here)",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            failed = []
            for md in chapters(args.chapters):
                try:
                    build(md, args.dist, unsafe=args.unsafe)
                except BuildError as exc:
                    print(f"FAILED {exc}", file=sys.stderr, flush=True)
                    failed.append(md.stem)
            if failed:
                print(f"not built: {', '.join(failed)}", file=sys.stderr)
                return 1
            return 0
        (md,) = chapters([args.chapter])
        start = time.monotonic()
        rows = grade(
            md,
            args.submissions,
            args.out,
            args.timeout,
            args.dist,
            args.jobs,
            unsafe=args.unsafe,
            limits=Limits(memory_mb=args.memory, processes=args.processes),
        )
    except (UsageError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    counts: dict[str, int] = {}
    for row in rows:
        key = row["status"].split(":")[0]
        counts[key] = counts.get(key, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    print(
        f"wrote {Path(args.out).expanduser().resolve()}: {len(rows)} submissions"
        f" ({summary}) in {time.monotonic() - start:.0f} s"
    )
    if all(row["status"].startswith("error") for row in rows):
        print(
            "error: no submission could be run; see the status column", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
