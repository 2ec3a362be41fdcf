"""Course assignments with Otter-Grader: a student notebook and an autograder.

    .venv/bin/python tools/assign.py build ch03        # or: all, or several chapters
    .venv/bin/python tools/assign.py grade ch03 SUBMISSIONS_DIR --out scores.csv

``build`` turns ``book/<chapter>.md`` into a teacher's master notebook in Otter's
assign format (``dist/<chapter>/master/<chapter>.ipynb``) and runs ``otter assign`` on
it, which writes ``dist/<chapter>/student/<chapter>.ipynb`` (no solutions, no hidden
tests) and ``dist/<chapter>/autograder/`` (the reference notebook and the autograder
zip), after checking that the reference solutions pass every test. The chapters carry
no Otter marker: the master is generated from the chapter's MyST source (its
``{exercise}`` blocks, answer cells and ``{solution-start}``/``{solution-end}``
solutions) and from the answer keys of :mod:`lrbook.exercises`.

Each exercise with an automatic check (an answer cell ``x = None`` + ``check(id, x)``)
becomes an auto-graded question worth :data:`POINTS`: a public test (the answer is
given and has the right kind: a number, n numbers, a function, one of the choices;
1 point), a hidden test (``check`` accepts it; 2 points) and, for each classic mistake
registered for it, a hidden test that the answer is given and is not that mistake (the
last point, shared between them; 2 more points for the checker when there are none).
An exercise without a check is a manually graded question worth :data:`POINTS`.

``grade`` runs ``otter run`` on each ``*.ipynb`` of the folder, one at a time, each in
its own network namespace (``unshare -n``, loopback only: no connection leaves the
process group) and with a time limit (``--timeout``, default 300 s; a submission that
exceeds it is killed and scores 0), and writes a CSV with one row per submission, one
column per question and the total.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist"
POINTS = 4
TIMEOUT = 300.0
sys.path.insert(0, str(Path(__file__).resolve().parent))

import twins  # noqa: E402

EXERCISE = re.compile(r"^(`{3,}|:{3,})\{exercise\}")
SOL_START = re.compile(r"^(`{3,}|:{3,})\{solution-start\}\s+(\S+)")
SOL_END = re.compile(r"^(`{3,}|:{3,})\{solution-end\}")
LABEL = re.compile(r"^\s*:label:\s*(\S+)", re.M)
CHECK = re.compile(r"""^check\(\s*["']([^"']+)["']\s*,\s*([A-Za-z_]\w*)\s*\)\s*$""")


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


# ------------------------------------------------------------------ the MyST source
def _split_markdown(cell) -> list:
    """Split a markdown cell at exercise and solution fences; tag the pieces."""
    pieces: list[tuple[str, list[str]]] = [("text", [])]
    lines = cell.source.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        for kind, pattern in (("exercise", EXERCISE), ("start", SOL_START)):
            m = pattern.match(line)
            if m:
                j = i + 1
                while j < len(lines) and lines[j].strip() != m[1]:
                    j += 1
                block = lines[i : j + 1]
                label = m[2] if kind == "start" else None
                if kind == "exercise":
                    found = LABEL.search("\n".join(block))
                    label = found[1] if found else None
                pieces.append((f"{kind}:{label}", block))
                pieces.append(("text", []))
                i = j + 1
                break
        else:
            m = SOL_END.match(line)
            if m:
                j = i + 1
                while j < len(lines) and lines[j].strip() != m[1]:
                    j += 1
                pieces.append(("end:", []))
                pieces.append(("text", []))
                i = j + 1
            else:
                pieces[-1][1].append(line)
                i += 1
    return [
        (k, "\n".join(b).strip("\n"))
        for k, b in pieces
        if k != "text" or "\n".join(b).strip()
    ]


def tagged_notebook(md: Path):
    """The chapter as a notebook whose exercise, answer and solution cells are tagged.

    Metadata ``lrbook_exercise``, ``lrbook_answer`` and ``lrbook_solution`` hold the
    exercise's label; the solution fences are removed (their content is tagged).
    """
    source = jupytext.read(md)
    cells, solution, pending = [], None, None
    for cell in source.cells:
        if cell.cell_type != "markdown":
            cell = nbformat.from_dict(json.loads(json.dumps(cell)))
            if solution:
                cell.metadata["lrbook_solution"] = solution
            elif pending and cell.cell_type == "code" and "check(" in cell.source:
                cell.metadata["lrbook_answer"] = pending
                pending = None
            cells.append(cell)
            continue
        for kind, text in _split_markdown(cell):
            tag, _, label = kind.partition(":")
            if tag == "start":
                solution, pending = label, None
            elif tag == "end":
                solution = None
            else:
                meta = dict(cell.metadata)
                if tag == "exercise":
                    meta["lrbook_exercise"] = label
                    pending = label
                elif solution:
                    meta["lrbook_solution"] = solution
                cells.append(nbformat.v4.new_markdown_cell(text, metadata=meta))
    source.cells = cells
    return source


class _Page(twins.Page):
    """The twins' conversion, tolerant of numbers not yet glued by a book build."""

    def role(self, name: str, content: str) -> str:
        try:
            return super().role(name, content)
        except (twins.TwinError, ValueError, KeyError):
            if name.startswith("glue"):
                return "[a value the chapter's code computes]"
            return self.target(content)[0] or content.split("::")[-1]

    def cite(self, keys: str, textual: bool) -> str:
        try:
            return super().cite(keys, textual)
        except twins.TwinError:
            return f"[{keys}]"


def chapter_cells(md: Path) -> list:
    """The chapter's cells in Jupyter-native Markdown (the twins' conversion)."""
    nb = tagged_notebook(md)
    page = _Page(twins.book(ROOT), twins.docname(md, ROOT), md)
    return page.convert(nb)


# -------------------------------------------------------------------- Otter format
def raw(text: str):
    return nbformat.v4.new_raw_cell(text)


def _test(body: str, points: float, hidden: bool):
    config = (
        f'""" # BEGIN TEST CONFIG\npoints: {points:g}\nhidden: {str(hidden).lower()}\n'
    )
    return nbformat.v4.new_code_cell(config + '""" # END TEST CONFIG\n' + body)


def _kind_test(ex, var: str) -> str:
    """Code asserting that ``var`` holds an answer of the right kind for ``ex``."""
    lines = [
        f'assert {var} is not None and {var} is not ..., "no answer yet"',
    ]
    if ex.kind == "number":
        lines += [
            "import numbers",
            f"assert isinstance({var}, numbers.Real) and not isinstance({var}, bool),"
            ' "expected a number"',
        ]
    elif ex.kind == "numbers":
        n = len(ex.expected)
        lines += [
            "import numpy",
            f"assert numpy.asarray({var}, dtype=float).shape == ({n},),"
            f' "expected a list of {n} numbers"',
        ]
    elif ex.kind == "function":
        lines += [
            f"assert callable({var}) and {var}({ex.steps[0]}) is not None,"
            ' "expected a function of the step t that returns a number"',
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
    """The test cells of an auto-graded question: kind, checker, classic mistakes."""
    from lrbook.exercises import get

    ex = get(q.exercise_id)
    var, eid = q.variable, q.exercise_id
    kind = _kind_test(ex, var)
    cells = [_test(kind, 1, hidden=False)]
    m = len(ex.mistakes)
    cells.append(
        _test(
            "from lrbook.exercises import check as _lrbook_check\n"
            f'assert _lrbook_check("{eid}", {var}, show=False).ok, "not correct"',
            POINTS - 1 - (1 if m else 0),
            hidden=True,
        )
    )
    for k in range(m):
        cells.append(
            _test(
                kind + "\nfrom lrbook.exercises import check as _lrbook_check, get as"
                f' _lrbook_get\n_why = _lrbook_get("{eid}").mistakes[{k}][1]\n'
                f'assert _why not in _lrbook_check("{eid}", {var}, show=False).message,'
                f' "classic mistake {k + 1} of {m}"',
                1 / m,
                hidden=True,
            )
        )
    return cells


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


def master(md: Path) -> nbformat.NotebookNode:
    """The teacher's master notebook of a chapter, in Otter's assign format."""
    cells = chapter_cells(md)
    qs = questions(cells)
    config = (
        f"# ASSIGNMENT CONFIG\nname: {md.stem}\ninit_cell: true\ncheck_all_cell: false"
        "\nexport_cell: false\nsolutions_pdf: false\nrun_tests: true\n"
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
            out += [_clean(c) for c in q.statement]
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
            out.append(cell)
    nb = nbformat.v4.new_notebook(cells=out)
    nb.metadata = {
        "kernelspec": {
            "display_name": "Python 3",
            "language": "python",
            "name": "python3",
        },
        "language_info": {"name": "python"},
    }
    return nb


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


def build(md: Path, dist: Path = DIST) -> Path:
    """Write the master notebook of ``md`` and run ``otter assign``: dist/<chapter>/."""
    folder = dist / md.stem
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "master").mkdir(parents=True)
    path = folder / "master" / f"{md.stem}.ipynb"
    nbformat.write(master(md), path)
    for extra in ("_glue.json",):
        if (md.parent / extra).exists():
            shutil.copy(md.parent / extra, folder / "master")
    otter = Path(sys.executable).parent / "otter"
    subprocess.run(
        [str(otter), "assign", "--no-pdfs", str(path), str(folder)],
        check=True,
        cwd=folder / "master",
    )
    return folder


def autograder_zip(folder: Path) -> Path:
    zips = sorted((folder / "autograder").glob("*.zip"))
    if not zips:
        raise SystemExit(f"no autograder zip in {folder}/autograder: run build first")
    return zips[-1]


# Run inside the new network namespace: bring the loopback interface up (the kernel
# that executes the notebook talks to otter over 127.0.0.1), then exec the command.
LOOPBACK_UP = """
import fcntl, os, socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
flags = struct.unpack("16sH", fcntl.ioctl(s, 0x8913, struct.pack("16sH", b"lo", 0)))[1]
fcntl.ioctl(s, 0x8914, struct.pack("16sH", b"lo", flags | 1))
os.execv(sys.argv[1], sys.argv[1:])
"""


def unshare_command() -> list[str] | None:
    """``unshare -n`` (root) or ``unshare -r -n`` (a user namespace), if one works."""
    if not shutil.which("unshare"):
        return None
    pid = ["-p", "-f", "--kill-child"]  # killing unshare kills every process inside
    for command in (
        ["unshare", "-n", *pid],
        ["unshare", "-r", "-n", *pid],
        ["unshare", "-n"],
        ["unshare", "-r", "-n"],
    ):
        if subprocess.run([*command, "true"], capture_output=True).returncode == 0:
            return command
    return None


def isolated(command: list[str]) -> list[str]:
    """``command`` in its own network namespace, where only loopback is up."""
    unshare = unshare_command()
    if unshare is None:
        raise SystemExit(
            "cannot cut the network: neither 'unshare -n' (as root) nor 'unshare -r -n'"
            " (user namespaces) works here"
        )
    return [*unshare, sys.executable, "-c", LOOPBACK_UP, *command]


def grade_one(zip_path: Path, submission: Path, timeout: float) -> dict:
    """Scores of one submission: ``{question: points}``; ``{}`` if it did not finish."""
    otter = Path(sys.executable).parent / "otter"
    with tempfile.TemporaryDirectory() as tmp:
        command = isolated(
            [
                str(otter),
                "run",
                "--no-logo",
                "-a",
                str(zip_path),
                "-o",
                tmp,
                str(submission),
            ]
        )
        env = dict(os.environ, MPLBACKEND="Agg")
        try:
            proc = subprocess.Popen(
                command,
                cwd=tmp,
                env=env,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.communicate()
            return {"_status": "timeout"}
        results = Path(tmp) / "results.json"
        if not results.exists():
            lines = err.decode(errors="replace").strip().splitlines() or ["no output"]
            return {"_status": f"error: {lines[-1][:200]}"}
        data = json.loads(results.read_text())
    scores = {t["name"]: t.get("score", 0.0) for t in data.get("tests", [])}
    scores["_status"] = "ok"
    return scores


def question_names(zip_path: Path) -> list[str]:
    import zipfile

    with zipfile.ZipFile(zip_path) as z:
        names = [
            n for n in z.namelist() if n.startswith("tests/") and n.endswith(".py")
        ]
        if names:
            return sorted(Path(n).stem for n in names)
        nb = [n for n in z.namelist() if n.endswith(".ipynb")][0]
        meta = json.loads(z.read(nb))["metadata"]["otter"]["tests"]
        return list(meta)


def grade(
    md: Path,
    submissions: Path,
    out: Path,
    timeout: float = TIMEOUT,
    dist: Path = DIST,
    jobs: int | None = None,
) -> list[dict]:
    """Grade every ``*.ipynb`` of ``submissions``, ``jobs`` at a time (default: one
    per CPU core; each runs in its own isolated ``otter run``); write the CSV ``out``,
    one row per submission in name order, and return the rows."""
    if jobs is None:
        jobs = os.cpu_count() or 1
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be an integer >= 1, got {jobs!r}")
    zip_path = autograder_zip(dist / md.stem)
    names = question_names(zip_path)
    subs = sorted(submissions.glob("*.ipynb"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        results = pool.map(lambda sub: grade_one(zip_path, sub, timeout), subs)
        rows = [_row(sub, sc, names) for sub, sc in zip(subs, results, strict=True)]
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, ["submission", *names, "total", "status"])
        writer.writeheader()
        writer.writerows(rows)
    return rows


def _row(sub: Path, scores: dict, names: list[str]) -> dict:
    """One CSV row: the points of each question, the total and the status."""
    row = {"submission": sub.name}
    for n in names:
        row[n] = round(float(scores.get(n, 0.0)), 4)
    row["total"] = round(sum(row[n] for n in names), 4)
    row["status"] = scores["_status"]
    print(f"{sub.name}: {row['total']:g} ({row['status']})", flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="student notebook and autograder of chapters")
    b.add_argument("chapters", nargs="+", help="e.g. ch03, or all")
    b.add_argument("--dist", type=Path, default=DIST)
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
    args = parser.parse_args(argv)
    if args.command == "build":
        for md in chapters(args.chapters):
            print(f"built {build(md, args.dist)}", flush=True)
    else:
        (md,) = chapters([args.chapter])
        grade(md, args.submissions, args.out, args.timeout, args.dist, args.jobs)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
