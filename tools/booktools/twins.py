"""Generate (or check) the Jupyter-native .ipynb twins of the book's MyST notebooks.

Each chapter ``book/<name>.md`` in ``_toc.yml`` that is a MyST notebook (it has a
jupytext header) gets a committed ``book/<name>.ipynb`` without outputs: the notebook
that Colab and Binder open from the launch buttons, and that the site's download button
gives. Jupyter front ends do not understand MyST, so the twin's Markdown is plain
Jupyter Markdown:

* glued numbers (``{glue:text}`` / ``{glue:}`` / ``{glue}``) are the values the book
  shows, read from ``book/_glue.json``;
* ``{cite}`` / ``{cite:t}`` become author-year text linking to the site's bibliography,
  ``{doc}`` / ``{ref}`` / ``{numref}`` links to the site's pages (the site's address is
  derived from ``repository.url`` in ``_config.yml``, or ``html.baseurl`` if set),
  ``{math}`` becomes ``$...$``;
* exercises become quoted blocks headed "Exercise 2.3", numbered as on the site;
  solutions are folded: their text in ``<details>`` blocks, their code cells collapsed
  (``jupyter.source_hidden`` / ``outputs_hidden``, and Colab's ``cellView: form`` with a
  ``# @title``);
* admonitions become quoted blocks with a bold title (folded if ``:class: dropdown``);
* cells tagged ``remove-cell`` / ``hide-cell`` (such as the bootstrap cell, which must
  still run) are collapsed, as are the inputs of ``hide-input`` / ``remove-input``
  cells and the outputs of ``hide-output`` / ``remove-output`` cells.

MyST the tool cannot translate is an error, never copied through. The .md is the source
of truth; never edit the .ipynb by hand::

    .venv/bin/python -m booktools.twins               # write the twins missing or stale
    .venv/bin/python -m booktools.twins --check       # exit 1, listing them, if any is
    .venv/bin/python -m booktools.twins --from-build  # first refresh book/_glue.json from
                                                  # the last build, then write the twins

``tools/book.sh`` runs ``--from-build`` after every build. ``--check`` needs no build:
it regenerates the twins from the .md files and ``book/_glue.json``. Only twins that
differ (cells, metadata, outputs; not cell ids) are rewritten, and unchanged cells keep
their ids, so a regeneration gives a small diff.

It is also a Sphinx extension (``_config.yml``, ``sphinx: local_extensions``): after a
build it puts each twin where the page's download button points
(``_build/html/_sources/<page>.ipynb``), instead of the executed notebook.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import re
import shutil
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat
import yaml

from . import statements

ROOT = Path(__file__).resolve().parents[2]
GLUE_FILE = Path("book") / "_glue.json"


class TwinError(ValueError):
    """Source MyST that has no Jupyter Markdown translation here (fix the tool)."""


# -- the book: table of contents, titles, labels, numbers, bibliography, glue ---------
def toc_docnames(root: Path = ROOT) -> list[tuple[str, bool]]:
    """``(docname, numbered)`` of every entry of ``_toc.yml``, in reading order.

    ``numbered`` is true for the entries of a part (or chapter list) with
    ``numbered:`` set; the site numbers them 1, 2, ... across parts (as
    ``sphinx-multitoc-numbering`` does).
    """
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    out: list[tuple[str, bool]] = []

    def walk(node, numbered: bool) -> None:
        if isinstance(node, dict):
            numbered = numbered or bool(node.get("numbered"))
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    out.append((node[key], numbered and key == "file"))
            for key in ("chapters", "sections", "parts"):
                for child in node.get(key) or []:
                    walk(child, numbered)
        elif isinstance(node, list):
            for child in node:
                walk(child, numbered)

    walk(toc, False)
    return out


def _source(root: Path, docname: str) -> Path:
    for suffix in ("", ".md", ".ipynb", ".rst"):
        path = root / (docname + suffix)
        if path.is_file():
            return path
    raise FileNotFoundError(f"_toc.yml lists {docname!r}, which does not exist")


def toc_files(root: Path = ROOT) -> list[Path]:
    """Every source file listed by ``_toc.yml`` (root, chapters, sections, parts)."""
    return [_source(root, name) for name, _ in toc_docnames(root)]


def is_notebook(path: Path) -> bool:
    """Whether a .md file is a MyST notebook (jupytext header with a kernelspec)."""
    if path.suffix != ".md":
        return False
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return False
    header = text.split("---", 2)[1]
    meta = yaml.safe_load(header) or {}
    return "jupytext" in meta and "kernelspec" in meta


def notebooks(root: Path = ROOT) -> list[Path]:
    """The MyST notebooks of the book, in table-of-contents order."""
    return [p for p in toc_files(root) if is_notebook(p)]


def twin_path(md: Path) -> Path:
    return md.with_suffix(".ipynb")


def site_url(root: Path = ROOT) -> str:
    """The address of the published site, with a trailing slash.

    ``html.baseurl`` of ``_config.yml`` if set, else the GitHub Pages address of
    ``repository.url`` (``https://github.com/<owner>/<repo>`` is published at
    ``https://<owner>.github.io/<repo>/``).
    """
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    base = (config.get("html") or {}).get("baseurl")
    if base:
        return base.rstrip("/") + "/"
    url = (config.get("repository") or {}).get("url", "")
    m = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)(\.git)?/?", url)
    if not m:
        raise TwinError(f"set html.baseurl in _config.yml (repository.url is {url!r})")
    return f"https://{m[1].lower()}.github.io/{m[2]}/"


@dataclass
class Label:
    docname: str
    kind: str  # "section" or "exercise"
    text: str  # the section title, or the exercise title (maybe empty)
    number: str = ""  # the exercise number, "2.3"


@dataclass
class Book:
    """What converting one page needs to know about the others."""

    root: Path
    url: str
    docs: list[str]
    titles: dict[str, str]
    chapter: dict[str, str]  # docname -> "2" for numbered pages
    labels: dict[str, Label]
    bibliography: str | None  # the docname of the page with {bibliography}
    glue: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    def page(self, docname: str, anchor: str = "") -> str:
        return f"{self.url}{docname}.html" + (f"#{anchor}" if anchor else "")


def _front_matter_split(text: str) -> str:
    if text.startswith("---"):
        parts = text.split("\n---", 1)
        if len(parts) == 2:
            return parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
    return text


def _markdown_of(path: Path) -> str:
    """The Markdown of a page (code cells left out; exercise statements filled)."""
    if is_notebook(path):
        nb = statements.read(path)
        return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    if path.suffix == ".md":
        return _front_matter_split(path.read_text(encoding="utf-8"))
    return ""


@functools.lru_cache(maxsize=8)
def _book(root: Path, glue_text: str, fingerprint: tuple) -> Book:
    names = toc_docnames(root)
    docs = [n for n, _ in names]
    chapter: dict[str, str] = {}
    k = 0
    for name, numbered in names:
        if numbered:
            k += 1
            chapter[name] = str(k)
    titles: dict[str, str] = {}
    labels: dict[str, Label] = {}
    bibliography = None
    unnumbered_exercises = 0  # Sphinx counts them across all unnumbered pages
    for name in docs:
        text = _markdown_of(_source(root, name))
        heading = re.search(r"^#\s+(.+?)\s*#*\s*$", text, re.M)
        titles[name] = heading[1] if heading else name
        lines = text.split("\n")
        for i, line in enumerate(lines):
            m = TARGET.match(line)
            if m:
                following = next((x for x in lines[i + 1 :] if x.strip()), "")
                h = re.match(r"^#{1,6}\s+(.+?)\s*#*\s*$", following)
                labels[m["label"]] = Label(name, "section", h[1] if h else "")
        n_here = 0
        for d in _walk_directives(parse_blocks(text)):
            if d.name == "bibliography":
                bibliography = name
            if d.name in ("exercise", "exercise-start") and "nonumber" not in d.options:
                if name in chapter:
                    n_here += 1
                    number = f"{chapter[name]}.{n_here}"
                else:
                    unnumbered_exercises += 1
                    number = str(unnumbered_exercises)
                if "label" in d.options:
                    labels[d.options["label"]] = Label(name, "exercise", d.arg, number)
    glue = json.loads(glue_text) if glue_text else {}
    glue.pop("_comment", None)
    return Book(root, site_url(root), docs, titles, chapter, labels, bibliography, glue)


def book(root: Path = ROOT) -> Book:
    """The book's pages, titles, labels, numbers and glued values (cached per state)."""
    glue_file = root / GLUE_FILE
    text = glue_file.read_text(encoding="utf-8") if glue_file.exists() else ""
    files = [root / "_toc.yml", root / "_config.yml", *sorted(root.glob("book/*.md"))]
    fingerprint = tuple((str(f), f.stat().st_mtime_ns) for f in files if f.exists())
    return _book(root, text, fingerprint)


@functools.lru_cache(maxsize=4)
def _bib(path: Path, mtime: float) -> dict[str, tuple[str, str]]:
    """``{key: (authors for an author-year citation, year)}`` of a BibTeX file."""
    from pybtex.database import parse_file

    out = {}
    for key, entry in parse_file(str(path)).entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        last = []
        for person in people:
            names = list(person.rich_prelast_names) + list(person.rich_last_names)
            last.append(" ".join(t.render_as("text") for t in names))
        if not last:
            who = entry.fields.get("organization") or entry.fields.get("title", key)
        elif len(last) == 1:
            who = last[0]
        elif len(last) == 2:
            who = f"{last[0]} and {last[1]}"
        else:
            who = f"{last[0]} *et al.*"
        out[key] = (who, entry.fields.get("year", "n.d."))
    return out


def bibliography_entries(root: Path = ROOT) -> dict[str, tuple[str, str]]:
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    out: dict[str, tuple[str, str]] = {}
    for name in config.get("bibtex_bibfiles") or []:
        path = root / name
        out.update(_bib(path, path.stat().st_mtime))
    return out


# -- MyST block structure -------------------------------------------------------------
FENCE_OPEN = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|:{3,})\s*(?P<info>.*?)\s*$")
DIRECTIVE_INFO = re.compile(r"^\{(?P<name>[A-Za-z0-9_:+.-]+)\}\s*(?P<arg>.*)$")
OPTION = re.compile(r"^:(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)$")
TARGET = re.compile(r"^\s{0,3}\((?P<label>[^()\s]+)\)=\s*$")
COMMENT = re.compile(r"^\s{0,3}%")


@dataclass
class Text:
    text: str


@dataclass
class Fenced:
    text: str  # a plain code block, verbatim (fences included)


@dataclass
class Target:
    label: str


@dataclass
class Directive:
    name: str
    arg: str
    options: dict
    body: str


def _directive(name: str, arg: str, inner: list[str]) -> Directive:
    body = textwrap.dedent("\n".join(inner)).split("\n")
    options: dict = {}
    if body and body[0].strip() == "---":
        end = next((i for i in range(1, len(body)) if body[i].strip() == "---"), None)
        if end is None:
            raise TwinError(f"{{{name}}}: unclosed --- options block")
        options = yaml.safe_load("\n".join(body[1:end])) or {}
        body = body[end + 1 :]
    else:
        while body and OPTION.match(body[0]):
            m = OPTION.match(body[0])
            options[m["key"]] = m["value"].strip()
            body = body[1:]
    return Directive(name, arg.strip(), options, "\n".join(body).strip("\n"))


def parse_blocks(text: str) -> list:
    """Top-level blocks of MyST Markdown: text, code fences, directives, targets.

    MyST comments (lines starting with ``%``) are dropped. Fences follow CommonMark: a
    block opened by ``n`` backticks (or colons, for ``:::{name}``) closes at the first
    line of at least ``n`` of the same character and nothing else.
    """
    lines = text.split("\n")
    blocks: list = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            blocks.append(Text("\n".join(buf)))
            buf.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        m = FENCE_OPEN.match(line)
        opens = m and (
            (m["fence"][0] == "`" and "`" not in m["info"])
            or (m["fence"][0] == ":" and m["info"].startswith("{"))
        )
        if opens:
            flush()
            ch, n = m["fence"][0], len(m["fence"])
            close = re.compile(rf"^\s*{re.escape(ch)}{{{n},}}\s*$")
            j = i + 1
            while j < len(lines) and not close.match(lines[j]):
                j += 1
            if j == len(lines) and ch == ":":
                raise TwinError(f"unclosed {m['fence']}{m['info']}")
            d = DIRECTIVE_INFO.match(m["info"])
            if d:
                blocks.append(_directive(d["name"], d["arg"], lines[i + 1 : j]))
            else:
                blocks.append(Fenced("\n".join(lines[i : j + 1])))
            i = j + 1
            continue
        t = TARGET.match(line)
        if t:
            flush()
            blocks.append(Target(t["label"]))
        elif not COMMENT.match(line):
            buf.append(line)
        i += 1
    flush()
    return blocks


NESTED = {"math", "code-block", "code", "sourcecode", "raw", "glue", "glue:any"}


def _walk_directives(blocks):
    for b in blocks:
        if isinstance(b, Directive):
            yield b
            if b.name not in NESTED:
                yield from _walk_directives(parse_blocks(b.body))


# -- Markdown helpers -----------------------------------------------------------------
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
ROLE_BEFORE = re.compile(r"\{(?P<role>[A-Za-z0-9_:+.-]*)\}$")
DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(?:\\.|[^$\\])+?\$", re.S)
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
QUOTED = {"epigraph": "", "pull-quote": "", "highlights": "", "margin": ""}
TITLED_QUOTES = {"sidebar", "topic"}


def _one_line_math(text: str) -> str:
    """Put each math span on one line (a ``> `` prefix inside one would break it)."""

    def join(m: re.Match) -> str:
        return re.sub(r"\s*\n\s*", " ", m[0])

    out = []
    for block in parse_blocks(text) if "```" in text else [Text(text)]:
        if isinstance(block, Text):
            out.append(INLINE_MATH.sub(join, DISPLAY_MATH.sub(join, block.text)))
        else:
            out.append(block.text if isinstance(block, Fenced) else "")
    return "\n".join(out)


def blockquote(text: str) -> str:
    lines = _one_line_math(text.strip("\n")).split("\n")
    return "\n".join(f"> {x}".rstrip() for x in lines)


def details(summary: str, body: str) -> str:
    return f"<details>\n<summary>{summary}</summary>\n\n{body.strip()}\n\n</details>"


def escape(text: str) -> str:
    """A pasted value as literal Markdown text."""
    return re.sub(r"([\\`*_\[\]<>#|$])", r"\\\1", text)


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


# -- one page -------------------------------------------------------------------
class Page:
    """Converts the cells of one MyST notebook into Jupyter-native cells."""

    def __init__(self, book: Book, docname: str, md: Path):
        self.book, self.doc, self.md = book, docname, md
        self.folder = docname.rsplit("/", 1)[0] + "/" if "/" in docname else ""
        self.bib: dict[str, tuple[str, str]] | None = None
        self.exercises = 0
        self.cells: list = []
        self.text: list[str] = []
        self.solution: dict | None = None

    def fail(self, message: str) -> TwinError:
        return TwinError(f"{self.md.name}: {message}")

    # -- inline ---------------------------------------------------------------------
    def inline(self, text: str) -> str:
        out, pos = [], 0
        for m in CODE_SPAN.finditer(text):
            before = text[pos : m.start()]
            r = ROLE_BEFORE.search(before)
            if r:
                out.append(before[: r.start()])
                out.append(self.role(r["role"], m[2].strip()))
            else:
                out.append(before + m[0])
            pos = m.end()
        out.append(text[pos:])
        return "".join(out)

    def target(self, content: str) -> tuple[str | None, str]:
        m = re.fullmatch(r"(?s)(.*?)\s*<([^<>]+)>", content)
        return (m[1].strip(), m[2].strip()) if m else (None, content.strip())

    def glue_value(self, key: str) -> dict[str, str]:
        doc = self.doc
        if "::" in key:
            path, key = key.split("::", 1)
            doc = self.resolve_doc(path.removesuffix(".md").removesuffix(".ipynb"))
        try:
            return self.book.glue[doc][key]
        except KeyError:
            raise self.fail(
                f"no value for glue key {key!r} of {doc} in {GLUE_FILE}: build the "
                "book (bash tools/book.sh, which then runs booktools.twins --from-build)"
            ) from None

    def resolve_doc(self, target: str) -> str:
        if target.startswith("/"):
            return target.lstrip("/")
        name = self.folder + target
        parts: list[str] = []
        for part in name.split("/"):
            if part == "..":
                parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        return "/".join(parts)

    def cite(self, keys: str, textual: bool) -> str:
        if self.bib is None:
            self.bib = bibliography_entries(self.book.root)
        if not self.book.bibliography:
            raise self.fail("{cite} needs a page with a {bibliography} directive")
        url = self.book.page(self.book.bibliography)
        parts = []
        for key in (k.strip() for k in keys.split(",")):
            if key not in self.bib:
                raise self.fail(f"{{cite}}: no entry {key!r} in the bibliography")
            who, year = self.bib[key]
            if textual:
                parts.append(f"{who} \\[[{year}]({url})\\]")
            else:
                parts.append(f"[{who}, {year}]({url})")
        return ", ".join(parts) if textual else "\\[" + ", ".join(parts) + "\\]"

    def role(self, name: str, content: str) -> str:
        from myst_nb.core.variables import format_plain_text

        if name in ("glue", "glue:", "glue:any"):
            value = self.glue_value(content)
            if "text/plain" not in value:
                raise self.fail(f"{{glue}} {content!r}: no text value to paste")
            return escape(value["text/plain"])
        if name == "glue:text":
            key, _, spec = content.rpartition(":")
            if not key:
                key, spec = content, "s"
            value = self.glue_value(key)
            try:
                return escape(format_plain_text(value["text/plain"], spec))
            except (TypeError, ValueError) as exc:
                raise self.fail(
                    f"glue {key!r} = {value['text/plain']} cannot be formatted as "
                    f"{spec!r} ({exc}); the site cannot either: glue a Python float"
                ) from None
        if name == "glue:md":
            key = content.rsplit(":", 1)[0] if ":" in content else content
            return self.glue_value(key)["text/markdown"]
        if name in ("cite", "cite:p", "cite:ps", "cite:t", "cite:ts"):
            return self.cite(content, textual=name in ("cite:t", "cite:ts"))
        if name == "doc":
            text, target = self.target(content)
            doc = self.resolve_doc(target.removesuffix(".md").removesuffix(".ipynb"))
            if doc not in self.book.titles:
                raise self.fail(f"{{doc}} {target!r}: no such page in _toc.yml")
            return (
                f"[{self.inline(text or self.book.titles[doc])}]({self.book.page(doc)})"
            )
        if name in ("ref", "numref"):
            text, label = self.target(content)
            if label not in self.book.labels:
                raise self.fail(f"{{{name}}} {label!r}: no such label")
            lab = self.book.labels[label]
            if name == "numref":
                if lab.kind != "exercise":
                    raise self.fail(
                        f"{{numref}} {label!r}: only exercises are numbered"
                    )
                text = (text or "Exercise %s").replace("%s", lab.number)
                text = text.replace("{number}", lab.number)
            elif not text:
                if lab.kind == "exercise":
                    text = f"Exercise {lab.number}" + (
                        f" ({lab.text})" if lab.text else ""
                    )
                else:
                    text = lab.text
            return f"[{self.inline(text)}]({self.book.page(lab.docname, label)})"
        if name == "math":
            return f"${content}$"
        if name in ("sub", "sup"):
            return f"<{name}>{content}</{name}>"
        if name == "abbr":
            return re.sub(r"\s*\(.*\)\s*$", "", content)
        if name == "term":
            return self.target(content)[0] or content
        if name == "kbd":
            return f"<kbd>{content}</kbd>"
        raise self.fail(f"the role {{{name}}} has no Jupyter translation in booktools.twins")

    # -- blocks -----------------------------------------------------------------------
    def markdown(self, text: str) -> str:
        """Convert MyST Markdown with no gated solutions in it (a directive's body)."""
        out = []
        for block in parse_blocks(text):
            if isinstance(block, Text):
                out.append(self.inline(block.text))
            elif isinstance(block, Fenced):
                out.append(block.text)
            elif isinstance(block, Directive):
                if block.name in ("solution-start", "solution-end", "exercise-start"):
                    raise self.fail(f"{{{block.name}}} inside another directive")
                out.append(self.directive(block))
        return _tidy("\n".join(out))

    def exercise_number(self, d: Directive) -> str:
        if "nonumber" in d.options:
            return ""
        self.exercises += 1
        label = d.options.get("label")
        if label in self.book.labels:
            return self.book.labels[label].number
        if self.doc in self.book.chapter:
            return f"{self.book.chapter[self.doc]}.{self.exercises}"
        raise self.fail("an exercise needs a :label: on an unnumbered page")

    def exercise_heading(self, d: Directive) -> str:
        number = self.exercise_number(d)
        head = f"**Exercise {number}**" if number else "**Exercise**"
        return head + (f" ({self.inline(d.arg)})" if d.arg else "")

    def solution_of(self, label: str) -> str:
        lab = self.book.labels.get(label)
        if lab is None or lab.kind != "exercise":
            raise self.fail(f"a solution to {label!r}, which is no exercise label")
        title = f" ({self.inline(lab.text)})" if lab.text else ""
        return f"Solution to Exercise {lab.number}{title}"

    def directive(self, d: Directive) -> str:
        name = d.name
        if name == "exercise":
            body = self.markdown(d.body)
            return blockquote(
                self.exercise_heading(d) + ("\n\n" + body if body else "")
            )
        if name == "solution":
            return details(self.solution_of(d.arg), self.markdown(d.body))
        if name in ADMONITIONS or name == "admonition":
            if name == "admonition":
                title, body = self.inline(d.arg) or "Note", d.body
            else:
                title, body = ADMONITIONS[name], (d.arg + "\n" + d.body).strip("\n")
            body = self.markdown(body)
            if "dropdown" in str(d.options.get("class", "")).split():
                return details(f"<b>{title}</b>", body)
            return blockquote(f"**{title}**\n\n{body}")
        if name == "dropdown":
            return details(self.inline(d.arg) or "Details", self.markdown(d.body))
        if name == "math":
            return f"$$\n{d.body.strip()}\n$$"
        if name in ("code-block", "code", "sourcecode"):
            fence = "````" if "```" in d.body else "```"
            return f"{fence}{d.arg}\n{d.body}\n{fence}"
        if name in ("figure", "image"):
            alt = d.options.get("alt", "")
            image = f"![{alt}]({d.arg})"
            caption = self.markdown(d.body) if name == "figure" and d.body else ""
            return image + (f"\n\n*{caption}*" if caption else "")
        if name in QUOTED:
            return blockquote(self.markdown(d.body))
        if name in TITLED_QUOTES:
            body = self.markdown(d.body)
            return blockquote((f"**{self.inline(d.arg)}**\n\n" if d.arg else "") + body)
        if name in ("div", "container"):
            return self.markdown(d.body)
        if name == "raw" and d.arg.strip() == "html":
            return d.body
        if name in ("glue", "glue:any", "glue:text"):
            return self.role("glue:text" if name == "glue:text" else "glue", d.arg)
        if name == "glue:md":
            return self.role("glue:md", d.arg)
        if name == "bibliography":
            return f"See the [bibliography]({self.book.page(self.doc)})."
        raise self.fail(f"the directive {{{name}}} has no Jupyter translation here")

    # -- cells ------------------------------------------------------------------------
    def emit(self, text: str) -> None:
        self.text.append(text)

    def flush(self, metadata=None) -> None:
        text = _tidy("\n".join(self.text))
        self.text = []
        if not text:
            return
        if self.solution is not None:
            summary = self.solution["summary"]
            if self.solution["parts"]:
                summary += ", continued"
            self.solution["parts"] += 1
            text = details(summary, text)
        self.cells.append(nbformat.v4.new_markdown_cell(text, metadata=metadata or {}))

    def markdown_cell(self, cell) -> None:
        for block in parse_blocks(cell.source):
            if isinstance(block, Text):
                self.emit(self.inline(block.text))
            elif isinstance(block, Fenced):
                self.emit(block.text)
            elif isinstance(block, Target):
                continue
            elif block.name == "solution-start":
                self.flush(cell.metadata)
                self.solution = {"summary": self.solution_of(block.arg), "parts": 0}
            elif block.name == "solution-end":
                if self.solution is None:
                    raise self.fail("{solution-end} without {solution-start}")
                self.flush()
                self.solution = None
            elif block.name == "exercise-start":
                self.flush(cell.metadata)
                self.emit(blockquote(self.exercise_heading(block)))
            elif block.name == "exercise-end":
                self.flush(cell.metadata)
            else:
                self.emit(self.directive(block))
        self.flush(cell.metadata)

    def code_cell(self, cell, first: bool) -> None:
        meta = json.loads(json.dumps(dict(cell.metadata)))
        tags = set(meta.get("tags", []))
        source = cell.source
        hide_in = hide_out = False
        if self.solution is not None:
            hide_in = hide_out = True
            title = self.solution["summary"].split(" (")[0] + " (code)"
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
            if not source.startswith("%%") and not re.match(r"#\s*@title", source):
                source = f"# @title {title}\n{source}"
        self.cells.append(nbformat.v4.new_code_cell(source, metadata=meta))

    def convert(self, nb) -> list:
        first_code = True
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                self.markdown_cell(cell)
            elif cell.cell_type == "code":
                self.flush()
                self.code_cell(cell, first_code)
                first_code = False
            else:
                self.flush()
                self.cells.append(cell)
        if self.solution is not None:
            raise self.fail("{solution-start} without {solution-end}")
        self.flush()
        number = self.book.chapter.get(self.doc)
        if number and self.cells and self.cells[0].cell_type == "markdown":
            self.cells[0].source = re.sub(
                r"^# (?!\d+\. )", f"# {number}. ", self.cells[0].source, count=1
            )
        for i, cell in enumerate(self.cells):
            if cell.cell_type == "markdown":
                problems = raw_myst(cell.source)
                if problems:
                    raise self.fail(f"cell {i} keeps MyST syntax: {problems}")
        return self.cells


RAW_MYST = [
    ("{glue", re.compile(r"\{glue")),
    ("{cite", re.compile(r"\{cite")),
    ("{doc}", re.compile(r"\{doc\}")),
    ("{ref}", re.compile(r"\{(num)?ref\}")),
    ("{math}", re.compile(r"\{math\}")),
    ("```{", re.compile(r"```+\s*\{")),
    (":::{", re.compile(r":::+\s*\{")),
    (":label:", re.compile(r"^\s*>?\s*:label:", re.M)),
    (":class:", re.compile(r"^\s*>?\s*:class:", re.M)),
    ("(label)=", re.compile(r"^\s*\([^()\s]+\)=\s*$", re.M)),
    ("{role}`", re.compile(r"(?<![`\w])\{[a-z][a-z0-9:_-]*\}`(?!`)")),
]


def raw_myst(markdown: str) -> list[str]:
    """The kinds of MyST syntax left in a piece of Markdown (none, in a twin)."""
    return [name for name, pattern in RAW_MYST if pattern.search(markdown)]


# -- the twin -------------------------------------------------------------------
def _cell_key(cell) -> tuple:
    return (cell.get("cell_type"), "".join(cell.get("source", "")))


def docname(md: Path, root: Path = ROOT) -> str:
    return md.resolve().relative_to(root.resolve()).with_suffix("").as_posix()


def twin_text(md: Path, previous: str | None = None, root: Path = ROOT) -> str:
    """The text of the .ipynb twin of ``md``: Jupyter-native cells, without outputs.

    Cell ids are kept from ``previous`` (the current twin) for unchanged cells, and
    derived from the content for new ones, so that a regeneration gives a small diff.
    """
    source = statements.read(md)
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": dict(source.metadata["kernelspec"]),
        "language_info": {"name": "python"},
    }
    nb.cells = Page(book(root), docname(md, root), md).convert(source)
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
            text = f"{cell.cell_type}\n{cell.source}".encode()
            digest = hashlib.sha1(text).hexdigest()
            cell.id = digest[:8]
            k = 2
            while cell.id in used:
                cell.id = f"{digest[:8]}-{k}"
                k += 1
        used.add(cell.id)
    text = nbformat.writes(nb, version=4) + "\n"
    nbformat.validate(nbformat.reads(text, as_version=4))
    return text


def normalised(text: str) -> dict:
    """What must agree between a twin and its .md: cells and metadata, not cell ids."""
    nb = nbformat.reads(text, as_version=4)
    cells = []
    for cell in nb.cells:
        entry = {
            "cell_type": cell.cell_type,
            "source": "".join(cell.source),
            "metadata": dict(cell.metadata),
        }
        if cell.cell_type == "code":
            entry["outputs"] = cell.get("outputs", [])
            entry["execution_count"] = cell.get("execution_count")
        cells.append(entry)
    return {"cells": cells, "metadata": dict(nb.metadata)}


def stale(root: Path = ROOT) -> list[tuple[Path, str]]:
    """``(twin, reason)`` for every twin that is missing or out of sync."""
    out = []
    for md in notebooks(root):
        twin = twin_path(md)
        if not twin.exists():
            out.append((twin, "missing"))
            continue
        current = twin.read_text(encoding="utf-8")
        if normalised(current) != normalised(twin_text(md, current, root)):
            out.append((twin, f"out of sync with {md.name}"))
    return out


# -- glue values from a build ---------------------------------------------------------
def build_glue(root: Path = ROOT, build: Path | None = None) -> dict:
    """``{docname: {key: {mime: value}}}`` from a build's ``*.glue.json`` files.

    Only the text values are kept (``text/plain``, ``text/markdown``): the twins paste
    text. Every notebook of the book must have been executed by that build.
    """
    folder = (build or root / "_build") / "jupyter_execute"
    out = {}
    for md in notebooks(root):
        name = docname(md, root)
        if not (folder / f"{name}.ipynb").exists():
            raise TwinError(f"{folder / name}.ipynb is missing: build the book first")
        path = folder / f"{name}.glue.json"
        if not path.exists():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        out[name] = {
            key: {
                mime: value
                for mime, value in entry.get("data", {}).items()
                if mime in ("text/plain", "text/markdown")
            }
            for key, entry in sorted(data.items())
        }
    return out


def glue_file_text(glue: dict) -> str:
    data = {
        "_comment": (
            "The glued values of the last build, pasted into the .ipynb twins by "
            "booktools.twins (written by booktools.twins --from-build; do not edit)."
        ),
        **{k: glue[k] for k in sorted(glue)},
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def refresh_glue(root: Path = ROOT) -> bool:
    """Write ``book/_glue.json`` from the last build; whether it changed."""
    text = glue_file_text(build_glue(root))
    path = root / GLUE_FILE
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


# -- Sphinx extension: the download button gives the twin -----------------------------
def copy_to_site(root: Path = ROOT, html: Path | None = None) -> None:
    """Put each twin where its page's download button points (``_sources/``)."""
    sources = (html or root / "_build" / "html") / "_sources"
    for md in notebooks(root):
        target = sources / (docname(md, root) + ".ipynb")
        if target.exists() and twin_path(md).exists():
            shutil.copyfile(twin_path(md), target)


def _copy_twins(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        copy_to_site(Path(app.confdir), Path(app.outdir))


def setup(app):
    app.connect("build-finished", _copy_twins)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="only check; exit 1 if a twin is missing or stale",
    )
    parser.add_argument(
        "--from-build",
        action="store_true",
        help=f"first refresh {GLUE_FILE} from the last build (_build/)",
    )
    args = parser.parse_args(argv)
    if args.from_build:
        changed = refresh_glue()
        print(f"{GLUE_FILE}: {'updated' if changed else 'unchanged'}")
    try:
        problems = stale()
    except TwinError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.check:
        for twin, reason in problems:
            print(f"{twin.relative_to(ROOT)}: {reason}", file=sys.stderr)
        if problems:
            print("run: .venv/bin/python -m booktools.twins", file=sys.stderr)
        return 1 if problems else 0
    for twin, reason in problems:
        previous = twin.read_text(encoding="utf-8") if twin.exists() else None
        twin.write_text(twin_text(twin.with_suffix(".md"), previous), encoding="utf-8")
        print(f"wrote {twin.relative_to(ROOT)} ({reason})")
    if not problems:
        print("every twin is up to date")
    if args.from_build:
        copy_to_site()
    return 0


if __name__ == "__main__":
    sys.exit(main())
