"""Regenerate (or check) the .ipynb twins of the book's MyST notebooks, with jupytext.

Each chapter ``book/<name>.md`` in ``_toc.yml`` that is a MyST notebook (it has a
jupytext header) gets a committed ``book/<name>.ipynb`` without outputs, so that Colab
can open it from the repository (the launch buttons point at it). The .md is the source
of truth; never edit the .ipynb by hand.

    .venv/bin/python tools/twins.py           # write the twins missing or stale
    .venv/bin/python tools/twins.py --check   # exit 1, listing them, if any is

Only twins that differ from their .md (cells, metadata, outputs; not cell ids) are
rewritten, and unchanged cells keep their ids, so a regeneration gives a small diff.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import jupytext
import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent


def toc_files(root: Path = ROOT) -> list[Path]:
    """Every source file listed by ``_toc.yml`` (root, chapters, sections, parts)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    names: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    names.append(node[key])
            for key in ("chapters", "sections", "parts"):
                for child in node.get(key) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(toc)
    out = []
    for name in names:
        for suffix in ("", ".md", ".ipynb", ".rst"):
            path = root / (name + suffix)
            if path.is_file():
                out.append(path)
                break
        else:
            raise FileNotFoundError(f"_toc.yml lists {name!r}, which does not exist")
    return out


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


def _cell_key(cell) -> tuple:
    return (cell.get("cell_type"), "".join(cell.get("source", "")))


def twin_text(md: Path, previous: str | None = None) -> str:
    """The text of the .ipynb twin of ``md``: its cells, without outputs.

    Cell ids are kept from ``previous`` (the current twin) for unchanged cells, and
    derived from the content for new ones, so that a regeneration gives a small diff.
    """
    nb = jupytext.read(md)
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
    text = jupytext.writes(nb, fmt="ipynb")
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
        if normalised(current) != normalised(twin_text(md, current)):
            out.append((twin, f"out of sync with {md.name}"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="only check; exit 1 if a twin is missing or stale",
    )
    args = parser.parse_args(argv)
    problems = stale()
    if args.check:
        for twin, reason in problems:
            print(f"{twin.relative_to(ROOT)}: {reason}", file=sys.stderr)
        if problems:
            print("run: .venv/bin/python tools/twins.py", file=sys.stderr)
        return 1 if problems else 0
    for twin, reason in problems:
        previous = twin.read_text(encoding="utf-8") if twin.exists() else None
        twin.write_text(twin_text(twin.with_suffix(".md"), previous), encoding="utf-8")
        print(f"wrote {twin.relative_to(ROOT)} ({reason})")
    if not problems:
        print("every twin is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
