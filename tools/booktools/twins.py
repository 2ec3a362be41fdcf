"""The learners' Jupyter-native twins of the book's MyST notebooks: copy and check.

Each chapter ``book/<name>.md`` in ``_toc.yml`` that is a MyST notebook (it has a
jupytext header) has a committed twin ``book/<name>.ipynb`` without outputs: the
notebook that Colab and Binder open from the launch buttons (they open files of the
repository, so the twins are committed; see the README). The book build writes them
(:mod:`booktools.notebooks`, a Sphinx extension, from the resolved pages: glue pasted,
numbers, references and citations resolved) into ``_build/notebooks/``; this module
copies them into ``book/`` and checks that the committed ones are the build's::

    .venv/bin/python -m booktools.twins           # copy the twins the last build wrote
    .venv/bin/python -m booktools.twins --check   # exit 1, listing them, if a committed
                                                  # twin is missing or not the build's

``tools/book.sh`` runs the copy after every build. The .md is the source of truth;
never edit an .ipynb by hand. ``--from-build`` also refreshes ``book/_glue.json`` (the
glued values of the last build, which ``tests/book/test_glue.py`` pins).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import nbformat
import yaml

from .notebooks import OUT, is_myst_notebook
from .notebooks import site_url as _site_url

ROOT = Path(__file__).resolve().parents[2]
GLUE_FILE = Path("book") / "_glue.json"


class TwinError(ValueError):
    """No build to take the twins from, or a twin the build did not write."""


# -- the book: table of contents ------------------------------------------------------
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
    return is_myst_notebook(path)


def notebooks(root: Path = ROOT) -> list[Path]:
    """The MyST notebooks of the book, in table-of-contents order."""
    return [p for p in toc_files(root) if is_notebook(p)]


def twin_path(md: Path) -> Path:
    return md.with_suffix(".ipynb")


def site_url(root: Path = ROOT) -> str:
    """The address of the published site, with a trailing slash (``_config.yml``)."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return _site_url(config)


def docname(md: Path, root: Path = ROOT) -> str:
    return md.resolve().relative_to(root.resolve()).with_suffix("").as_posix()


# -- the twins of the last build ------------------------------------------------------
def built_twin(md: Path, root: Path = ROOT, build: Path | None = None) -> Path:
    """Where the last build wrote the twin of ``md`` (``_build/notebooks/``)."""
    return (build or root / "_build") / OUT / f"{docname(md, root)}.ipynb"


def twin_text(md: Path, previous: str | None = None, root: Path = ROOT) -> str:
    """The text of the twin of ``md`` as the last build wrote it.

    ``previous`` is accepted for compatibility and ignored: the build keeps the cell
    ids of the committed twin (:func:`booktools.notebooks.notebook_text`).
    """
    path = built_twin(md, root)
    if not path.exists():
        raise TwinError(
            f"{path} is missing: build the book (bash tools/book.sh), which writes "
            "the twins from the resolved pages"
        )
    return path.read_text(encoding="utf-8")


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
    """``(twin, reason)`` for every committed twin missing or not the last build's."""
    if not (root / "_build" / OUT).is_dir():
        raise TwinError(f"{root / '_build' / OUT} is missing: build the book first")
    out = []
    for md in notebooks(root):
        twin = twin_path(md)
        if not built_twin(md, root).exists():
            out.append((twin, f"the last build wrote no twin of {md.name}"))
        elif not twin.exists():
            out.append((twin, "missing"))
        elif normalised(twin.read_text(encoding="utf-8")) != normalised(
            twin_text(md, root=root)
        ):
            out.append((twin, f"not the last build's twin of {md.name}"))
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="only check; exit 1 if a committed twin is missing or stale",
    )
    parser.add_argument(
        "--from-build",
        action="store_true",
        help=f"also refresh {GLUE_FILE} from the last build (_build/)",
    )
    args = parser.parse_args(argv)
    try:
        if args.from_build:
            changed = refresh_glue()
            print(f"{GLUE_FILE}: {'updated' if changed else 'unchanged'}")
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
    failed = False
    for twin, reason in problems:
        if not built_twin(twin.with_suffix(".md")).exists():
            print(f"error: {twin.relative_to(ROOT)}: {reason}", file=sys.stderr)
            failed = True
            continue
        twin.write_text(twin_text(twin.with_suffix(".md")), encoding="utf-8")
        print(f"wrote {twin.relative_to(ROOT)} ({reason})")
    if not problems:
        print("every twin is up to date")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
