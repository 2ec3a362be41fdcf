"""The notebook builder: the chapters as Jupyter notebooks, from the resolved pages.

A Sphinx extension (``_config.yml``). During the HTML build, at ``doctree-resolved``,
each page that is a MyST notebook is written out as Jupyter notebooks from the document
Sphinx has resolved: glued values already pasted, cross-references, exercise and
chapter numbers and author-year citations already the site's. Nothing here parses
MyST: the cells are those myst-nb reads
(:func:`myst_nb.core.read.read_myst_markdown_notebook`, with its source map), and each
block of the resolved document goes to the markdown cell its source line lies in; code
cells are the notebook's own (myst-nb drops ``remove-cell`` cells from the page, not
from the notebook).

It writes, under ``_build/notebooks/``:

* ``<docname>.ipynb``, the **twin** Colab, Binder and the download button open (copied
  to ``book/`` by ``python -m booktools.twins``, see the README: the twins are
  committed); with this book's policies only:

  - exercises are quoted blocks headed "Exercise 2.3" (the site's number);
  - solutions are folded: their text in ``<details>`` blocks, their code cells
    collapsed (``jupyter.source_hidden`` / ``outputs_hidden`` and Colab's form view,
    ``cellView: form`` with a ``# @title``);
  - admonitions are quoted blocks with a bold title (folded if ``:class: dropdown``);
  - cells tagged ``remove-cell`` / ``hide-cell`` are collapsed, as are the inputs of
    ``hide-input`` / ``remove-input`` cells and the outputs of ``hide-output`` /
    ``remove-output`` cells;
  - links go to the published site (``html.baseurl``, else the GitHub Pages address of
    ``repository.url``).

* ``assign/<docname>.ipynb``, the same cells with the exercise structure in their
  metadata, for :mod:`booktools.assign` (Otter masters): ``lrbook_exercise`` (the
  statement, and cells between it and its answer cell), ``lrbook_answer`` (the code
  cell after it that calls ``check("<label>", ...)``: exercise ids are the pages'
  labels) and ``lrbook_solution``, each holding the exercise's label.

A node this writer has no Jupyter Markdown for fails the build (:class:`NotebookError`),
never copied through. After the build (``build-finished``) each twin is also put where
its page's download button points (``_build/html/_sources/<docname>.ipynb``).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urljoin

import nbformat
import yaml
from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

OUT = "notebooks"  # beside the HTML output: _build/notebooks/
TAGS = ("lrbook_exercise", "lrbook_answer", "lrbook_solution")


class NotebookError(ValueError):
    """A page holds something this builder has no Jupyter translation for."""


# -- the site ------------------------------------------------------------------
def site_url(config: dict) -> str:
    """The published site's address, with a trailing slash (from ``_config.yml``)."""
    base = (config.get("html") or {}).get("baseurl")
    if base:
        return base.rstrip("/") + "/"
    url = (config.get("repository") or {}).get("url", "")
    m = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(\.git)?/?", url)
    if not m:
        raise NotebookError(
            f"set html.baseurl in _config.yml (repository.url is {url!r})"
        )
    return f"https://{m[1].lower()}.github.io/{m[2]}/"


def _book_config(confdir: Path) -> dict:
    path = confdir / "_config.yml"
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def is_myst_notebook(path: Path) -> bool:
    """Whether a .md file is a MyST notebook (jupytext header with a kernelspec)."""
    if path.suffix != ".md" or not path.is_file():
        return False
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return False
    meta = yaml.safe_load(text.split("---", 2)[1]) or {}
    return "jupytext" in meta and "kernelspec" in meta


# -- Markdown text ---------------------------------------------------------------
UNSMART = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def escape(text: str) -> str:
    """Text as literal Markdown (the page's text, or a pasted value)."""
    text = re.sub(r"([\\`*\[\]<$|])", r"\\\1", text)
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    # what would start a heading, a quote or a list at the start of a line
    text = re.sub(r"(?<=\n)(\s*)([#>+]|-(?=\s))", r"\1\\\2", text)
    return re.sub(r"(?<=\n)(\s*\d+)([.)])(?=\s)", r"\1\\\2", text)


def details(summary: str, body: str) -> str:
    return f"<details>\n<summary>{summary}</summary>\n\n{body.strip()}\n\n</details>"


MATH = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$(?!\$)(?:\\.|[^$\\])+?\$", re.S)


def blockquote(text: str) -> str:
    """``text`` quoted; each math span on one line (a ``> `` inside would break it)."""
    text = MATH.sub(lambda m: re.sub(r"\s*\n\s*", " ", m[0]), text.strip("\n"))
    return "\n".join(f"> {x}".rstrip() for x in text.split("\n"))


def indent(text: str, prefix: str, first: str) -> str:
    lines = text.split("\n")
    out = [first + lines[0]]
    out += [(prefix + x) if x.strip() else "" for x in lines[1:]]
    return "\n".join(out)


def tidy(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


ADMONITIONS = {
    "note": "Note",
    "warning": "Warning",
    "tip": "Tip",
    "hint": "Hint",
    "important": "Important",
    "caution": "Caution",
    "attention": "Attention",
    "danger": "Danger",
    "error": "Error",
    "seealso": "See also",
}


def _is_code_cell(node) -> bool:
    return isinstance(node, nodes.container) and node.get("nb_element") == "cell_code"


def _is_exercise(node) -> bool:
    return type(node).__name__ in ("exercise_enumerable_node", "exercise_node")


def _is_solution(node) -> bool:
    return type(node).__name__ == "solution_node"


def _is_content(node) -> bool:
    """sphinx-exercise's untitled section around an exercise's or solution's body."""
    return isinstance(node, nodes.section) and not isinstance(
        node.children[0] if node.children else None, nodes.title
    )


def _body(node) -> list:
    """The children of an exercise or solution after its title, sections opened."""
    out = []
    for child in node.children[1:]:
        out += child.children if _is_content(child) else [child]
    return out


class Page:
    """Writes the resolved document of one page as Jupyter Markdown."""

    def __init__(self, app, docname: str, site: str):
        self.app, self.env, self.doc, self.site = app, app.env, docname, site
        self.page_url = f"{site}{docname}.html"
        self.exercise_labels: dict[str, str] = {}  # label -> "Exercise 2.3 (title)"

    def fail(self, node, message: str) -> NotebookError:
        where = f"{self.doc}:{node.line}" if getattr(node, "line", None) else self.doc
        return NotebookError(f"{where}: {message}")

    # -- inline ------------------------------------------------------------------
    def inline(self, node, link: bool = True) -> str:
        return "".join(self.inline_one(c, link) for c in node.children)

    def inline_one(self, node, link: bool = True) -> str:
        if isinstance(node, nodes.Text):
            return escape(str(node).translate(UNSMART))
        if isinstance(node, nodes.emphasis):
            return f"*{self.inline(node, link)}*"
        if isinstance(node, nodes.strong):
            return f"**{self.inline(node, link)}**"
        if isinstance(node, nodes.literal):
            text = node.astext()
            ticks = "`" * (
                max((len(t) for t in re.findall(r"`+", text)), default=0) + 1
            )
            pad = " " if text.startswith("`") or text.endswith("`") else ""
            return f"{ticks}{pad}{text}{pad}{ticks}"
        if isinstance(node, nodes.math):
            return "$" + node.astext() + "$"
        if isinstance(node, nodes.reference):
            text = self.inline(node, link=False)
            if not link:
                return text
            if "refuri" in node:
                url = urljoin(self.page_url, node["refuri"])
                # a citation's entry has a generated id (#id39), which changes as
                # the bibliography does: link the bibliography's page
                url = re.sub(r"#id\d+$", "", url)
            elif "refid" in node:
                url = f"{self.page_url}#{node['refid']}"
            else:
                return text
            return f"[{text}]({url})"
        if isinstance(node, nodes.subscript):
            return f"<sub>{self.inline(node, link)}</sub>"
        if isinstance(node, nodes.superscript):
            return f"<sup>{self.inline(node, link)}</sup>"
        if isinstance(node, nodes.raw) and "html" in node.get("format", "").split():
            return node.astext()
        if isinstance(node, (nodes.target, nodes.comment)):
            return ""
        if isinstance(
            node,
            (
                nodes.inline,
                addnodes.pending_xref,
                nodes.title_reference,
                nodes.container,
            ),
        ):
            return self.inline(node, link)
        if isinstance(node, nodes.literal_block):  # a pasted value ({glue:})
            return escape(node.astext())
        if isinstance(node, (nodes.problematic, nodes.system_message)):
            raise self.fail(node, f"an unresolved reference: {node.astext()!r}")
        if isinstance(node, nodes.image):
            return f"![{node.get('alt', '')}]({urljoin(self.page_url, node['uri'])})"
        raise self.fail(
            node, f"no Jupyter Markdown for the inline {type(node).__name__}"
        )

    # -- blocks ------------------------------------------------------------------
    def blocks(self, node) -> str:
        return "\n\n".join(
            t for t in (self.block(c) for c in node.children) if t.strip()
        )

    def exercise_title(self, node) -> str:
        """``**Exercise 2.3** (its title)``, numbered as on the site.

        sphinx-exercise leaves the number to the HTML writer (numfig): the title holds
        `` (`` title ``)`` only; an unnumbered exercise's title starts with "Exercise".
        """
        title = self.inline(node.children[0])
        if type(node).__name__ == "exercise_node":  # :nonumber:
            return "**Exercise**" + title.removeprefix("Exercise")
        numbers = self.env.toc_fignumbers.get(node.get("docname", self.doc), {})
        number = numbers.get("exercise", {}).get(node["ids"][0], ())
        if not number:
            raise self.fail(node, f"exercise {node['ids'][0]!r} has no number")
        return f"**Exercise {'.'.join(map(str, number))}**{title}"

    def solution_summary(self, node) -> str:
        return tidy(self.inline(node.children[0], link=False))

    def block(self, node) -> str:
        if isinstance(node, nodes.paragraph):
            return self.inline(node)
        if _is_content(node):
            return self.blocks(node)
        if isinstance(node, nodes.section):
            raise self.fail(node, "a section inside a block")
        if isinstance(node, (nodes.bullet_list, nodes.enumerated_list)):
            return self.listing(node)
        if isinstance(node, nodes.math_block):
            return f"$$\n{node.astext().strip()}\n$$"
        if isinstance(node, nodes.literal_block):
            text = node.astext().rstrip("\n")
            fence = "````" if "```" in text else "```"
            language = node.get("language", "")
            language = "" if language in ("none", "default") else language
            return f"{fence}{language}\n{text}\n{fence}"
        if isinstance(node, nodes.table):
            return self.table(node)
        if isinstance(node, nodes.block_quote):
            return blockquote(self.blocks(node))
        if _is_exercise(node):
            body = "\n\n".join(t for t in (self.block(c) for c in _body(node)) if t)
            head = self.exercise_title(node)
            return blockquote(head + ("\n\n" + body if body else ""))
        if _is_solution(node):
            return details(
                self.solution_summary(node),
                "\n\n".join(t for t in (self.block(c) for c in _body(node)) if t),
            )
        if isinstance(node, nodes.Admonition):
            if isinstance(node, nodes.admonition):
                title = self.inline(node.children[0])
                body = node.children[1:]
            else:
                name = type(node).__name__
                title = ADMONITIONS.get(name, name.capitalize())
                body = node.children
            text = "\n\n".join(t for t in (self.block(c) for c in body) if t.strip())
            if "dropdown" in node.get("classes", []):
                return details(f"<b>{title}</b>", text)
            return blockquote(f"**{title}**\n\n{text}")
        if isinstance(node, nodes.figure):
            image = next(node.findall(nodes.image))
            caption = next(node.findall(nodes.caption), None)
            text = self.inline_one(image)
            return text + (f"\n\n*{self.inline(caption)}*" if caption else "")
        if isinstance(node, nodes.image):
            return self.inline_one(node)
        if isinstance(node, nodes.raw):
            if "html" in node.get("format", "").split():
                return node.astext()
            return ""
        if isinstance(node, (nodes.target, nodes.comment, addnodes.index)):
            return ""
        if isinstance(node, nodes.container):
            if _is_code_cell(node):
                raise self.fail(node, "a code cell inside a block")
            return self.blocks(node)
        if isinstance(node, nodes.definition_list):
            items = []
            for item in node.children:
                term = next(item.findall(nodes.term))
                definition = next(item.findall(nodes.definition))
                items.append(
                    f"**{self.inline(term)}**\n\n" + blockquote(self.blocks(definition))
                )
            return "\n\n".join(items)
        if isinstance(node, nodes.transition):
            return "---"
        if isinstance(node, nodes.rubric):
            return f"**{self.inline(node)}**"
        if isinstance(node, nodes.system_message):
            raise self.fail(node, node.astext())
        raise self.fail(
            node, f"no Jupyter Markdown for the block {type(node).__name__}"
        )

    def listing(self, node) -> str:
        items = []
        ordered = isinstance(node, nodes.enumerated_list)
        start = node.get("start", 1)
        for k, item in enumerate(node.children):
            bullet = f"{start + k}. " if ordered else f"{node.get('bullet', '-')} "
            body = "\n\n".join(
                t for t in (self.block(c) for c in item.children) if t.strip()
            )
            items.append(indent(body, " " * len(bullet), bullet))
        loose = any(
            sum(1 for c in item.children if not isinstance(c, nodes.target)) > 1
            for item in node.children
        )
        return ("\n\n" if loose else "\n").join(items)

    def table(self, node) -> str:
        group = next(node.findall(nodes.tgroup))

        def cells(row) -> list[str]:
            out = []
            for entry in row.children:
                text = " ".join(
                    self.block(c).replace("\n", " ") for c in entry.children
                )
                out.append(text.strip())
            return out

        head = [cells(r) for h in group.findall(nodes.thead) for r in h.children]
        body = [cells(r) for b in group.findall(nodes.tbody) for r in b.children]
        if not head:
            raise self.fail(node, "a table without a header row")
        first = next(r for h in group.findall(nodes.thead) for r in h.children)
        marks = {"text-left": ":--", "text-right": "--:", "text-center": ":-:"}
        aligns = [
            next((marks[c] for c in e.get("classes", []) if c in marks), "---")
            for e in first.children
        ]
        lines = ["| " + " | ".join(head[0]) + " |", "|" + "|".join(aligns) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in head[1:] + body]
        return "\n".join(lines)


# -- the page's blocks, in cells -------------------------------------------------------
class Piece:
    """One block of Markdown, or one code cell, at its place in the page."""

    def __init__(self, line, text=None, cell=None, solution=None, exercise=None):
        self.line, self.text, self.cell = line, text, cell
        self.solution, self.exercise = solution, exercise


def _line(node) -> int | None:
    if node.line is not None:
        return node.line
    for child in node.findall(nodes.Element, include_self=False):
        if child.line is not None:
            return child.line
    return None


def pieces(page: Page, doctree) -> list[Piece]:
    """The page as a flat list of Markdown blocks and code cells, in order."""
    out: list[Piece] = []
    numbers = page.env.toc_secnumbers.get(page.doc, {})

    def walk(parent, depth: int, solution, exercise) -> None:
        for node in parent.children:
            if isinstance(node, nodes.section):
                title = node.children[0]
                text = page.inline(title)
                number = numbers.get("#" + node["ids"][0]) if depth == 1 else None
                if depth == 1 and number is None:
                    number = numbers.get("")
                if number and depth == 1:
                    text = ".".join(map(str, number)) + ". " + text
                out.append(
                    Piece(
                        _line(title), "#" * depth + " " + text, None, solution, exercise
                    )
                )
                walk(node, depth + 1, solution, exercise)
            elif isinstance(node, nodes.title):
                continue
            elif _is_code_cell(node):
                out.append(
                    Piece(
                        _line(node),
                        cell=node["cell_index"],
                        solution=solution,
                        exercise=exercise,
                    )
                )
            elif _is_solution(node):
                summary = page.solution_summary(node)
                label = node.get("target_label")
                walk_solution(node, depth, (summary, label))
            elif _is_exercise(node):
                label = node.get("label")
                out.append(Piece(_line(node), page.block(node), None, solution, label))
            elif _line(node) is None:
                continue  # added by an extension (thebe's configuration), not the page
            else:
                text = page.block(node)
                if text.strip():
                    out.append(Piece(_line(node), text, None, solution, exercise))

    def walk_solution(node, depth, solution) -> None:
        inner = nodes.Element()
        inner.children = _body(node)
        walk(inner, depth, solution, None)

    walk(doctree, 1, None, None)
    line = 0
    for piece in out:  # a node without a line follows the one before it
        if piece.line is None:
            piece.line = line
        line = piece.line
    return out


# -- the notebooks -------------------------------------------------------------------
def code_cell(source, solution, first: bool):
    """A code cell with the book's policies: hidden cells collapsed, Colab form view."""
    meta = json.loads(json.dumps(dict(source.metadata)))
    tags = set(meta.get("tags", []))
    text = source.source
    hide_in = hide_out = False
    if solution is not None:
        hide_in = hide_out = True
        title = solution[0].split(" (")[0] + " (code)"
    elif tags & {"remove-cell", "hide-cell"}:
        hide_in = hide_out = True
        title = (
            "Setup: installs lrbook if it is missing"
            if first
            else "Checks and numbers for the text"
        )
    else:
        title = "Code"
    if tags & {"remove-input", "hide-input"}:
        hide_in = True
    if tags & {"remove-output", "hide-output"}:
        hide_out = True
    if hide_in or hide_out:
        jupyter = meta.setdefault("jupyter", {})
        if hide_in:
            jupyter["source_hidden"] = True
        if hide_out:
            jupyter["outputs_hidden"] = True
    if hide_in:
        meta["cellView"] = "form"  # Colab: show the # @title, not the code
        if not text.startswith("%%") and not re.match(r"#\s*@title", text):
            text = f"# @title {title}\n{text}"
    return nbformat.v4.new_code_cell(text, metadata=meta)


def cells(page: Page, doctree, source_nb, split: bool = False) -> list:
    """The notebook's cells, tagged with the exercise structure (see :data:`TAGS`).

    A markdown cell of the source gives one cell, or several where a solution starts
    or ends inside it (and, with ``split``, where an exercise's statement does: the
    assignments need the statement in cells of its own).
    """
    starts = source_nb.metadata["source_map"]  # each cell's first line, from 0
    by_cell: dict[int, list[Piece]] = {}
    code_pieces: dict[int, Piece] = {}
    for piece in pieces(page, doctree):
        if piece.cell is not None:
            code_pieces[piece.cell] = piece
            continue
        index = max(i for i in range(len(starts)) if starts[i] < piece.line)
        if source_nb.cells[index].cell_type != "markdown":
            raise NotebookError(
                f"{page.doc}:{piece.line}: text inside code cell {index}: "
                f"{piece.text[:80]!r}"
            )
        by_cell.setdefault(index, []).append(piece)

    out = []
    parts: dict[str, int] = {}
    first_code = True
    pending = None  # the exercise whose answer cell is still to come
    for index, source in enumerate(source_nb.cells):
        if source.cell_type == "code":
            piece = code_pieces.get(index)
            solution = piece.solution if piece else None
            cell = code_cell(source, solution, first_code)
            first_code = False
            if solution is not None:
                cell.metadata["lrbook_solution"] = solution[1]
                pending = None
            elif pending and re.search(
                rf"""\bcheck\(\s*["']{re.escape(pending)}["']""", source.source
            ):
                cell.metadata["lrbook_answer"] = pending
                pending = None
            elif pending:
                cell.metadata["lrbook_exercise"] = pending
            out.append(cell)
            continue
        if source.cell_type != "markdown":
            out.append(nbformat.from_dict(json.loads(json.dumps(source))))
            continue
        # group the cell's blocks: runs of the same solution (and exercise)
        groups: list[tuple[object, object, list[str]]] = []
        for piece in by_cell.get(index, []):
            key = (piece.solution, piece.exercise if split else None)
            if groups and groups[-1][:2] == key:
                groups[-1][2].append(piece.text)
            else:
                groups.append((*key, [piece.text]))
        for solution, exercise, texts in groups:
            text = tidy("\n\n".join(texts))
            if not text:
                continue
            meta = json.loads(json.dumps(dict(source.metadata)))
            if solution is not None:
                summary, label = solution
                n = parts.get(label, 0)
                parts[label] = n + 1
                text = details(summary + (", continued" if n else ""), text)
                meta["lrbook_solution"] = label
                pending = None
            elif exercise is not None:
                meta["lrbook_exercise"] = exercise
                pending = exercise
            elif pending:
                meta["lrbook_exercise"] = pending
            out.append(nbformat.v4.new_markdown_cell(text, metadata=meta))
    return out


def _cell_key(cell) -> tuple:
    return (cell.get("cell_type"), "".join(cell.get("source", "")))


def notebook_text(
    cell_list: list, kernelspec: dict, previous: str | None = None
) -> str:
    """A notebook without outputs; cell ids kept from ``previous`` where unchanged."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": dict(kernelspec), "language_info": {"name": "python"}}
    nb.cells = [nbformat.from_dict(json.loads(json.dumps(c))) for c in cell_list]
    old_ids: dict[tuple, list[str]] = {}
    if previous:
        for cell in nbformat.reads(previous, as_version=4).cells:
            if "id" in cell:
                old_ids.setdefault(_cell_key(cell), []).append(cell["id"])
    used: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        reuse = [i for i in old_ids.get(_cell_key(cell), []) if i not in used]
        if reuse:
            cell.id = reuse[0]
        else:
            digest = hashlib.sha1(
                f"{cell.cell_type}\n{cell.source}".encode()
            ).hexdigest()
            cell.id = digest[:8]
            k = 2
            while cell.id in used:
                cell.id = f"{digest[:8]}-{k}"
                k += 1
        used.add(cell.id)
    text = nbformat.writes(nb, version=4) + "\n"
    nbformat.validate(nbformat.reads(text, as_version=4))
    return text


def untagged(cell_list: list) -> list:
    out = []
    for cell in cell_list:
        cell = nbformat.from_dict(json.loads(json.dumps(cell)))
        for key in TAGS:
            cell.metadata.pop(key, None)
        out.append(cell)
    return out


# -- Sphinx ---------------------------------------------------------------------------
def output_dir(app) -> Path:
    return Path(app.outdir).parent / OUT


def _source_notebook(path: Path):
    from myst_nb.core.read import read_myst_markdown_notebook

    from . import statements

    text = statements.fill(path.read_text(encoding="utf-8"), str(path))
    return read_myst_markdown_notebook(text, add_source_map=True)


def write(app, doctree, docname: str) -> None:
    if app.builder.format != "html":
        return
    path = Path(app.env.doc2path(docname))
    if not is_myst_notebook(path):
        return
    try:
        _write(app, doctree, docname, path)
    except NotebookError as exc:
        logger.warning(f"no notebook for {docname}: {exc}", location=docname)


def _write(app, doctree, docname: str, path: Path) -> None:
    confdir = Path(app.confdir)
    page = Page(app, docname, site_url(_book_config(confdir)))
    source_nb = _source_notebook(path)
    tagged = cells(page, doctree, source_nb, split=True)
    plain = untagged(cells(page, doctree, source_nb))
    kernelspec = source_nb.metadata["kernelspec"]
    out = output_dir(app)
    twin = out / f"{docname}.ipynb"
    committed = path.with_suffix(".ipynb")
    previous = committed.read_text(encoding="utf-8") if committed.exists() else None
    twin.parent.mkdir(parents=True, exist_ok=True)
    twin.write_text(notebook_text(plain, kernelspec, previous), "utf-8")
    assign = out / "assign" / f"{docname}.ipynb"
    assign.parent.mkdir(parents=True, exist_ok=True)
    assign.write_text(notebook_text(tagged, kernelspec), "utf-8")


def _copy_to_sources(app, exception) -> None:
    """The download button of a page gives its twin (``_sources/<docname>.ipynb``)."""
    if exception is not None or app.builder.format != "html":
        return
    sources = Path(app.outdir) / "_sources"
    for twin in output_dir(app).glob("**/*.ipynb"):
        rel = twin.relative_to(output_dir(app))
        if rel.parts[0] == "assign":
            continue
        target = sources / rel
        if target.exists():
            target.write_bytes(twin.read_bytes())


def setup(app):
    app.connect("doctree-resolved", write)
    app.connect("build-finished", _copy_to_sources)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
