"""The numbers the book quotes are the numbers its build computes.

``book/_glue.json`` holds every glued value of the last build (the learners' twins
paste them in). A clean build of the book (the ``built_site`` fixture) must reproduce
every one of them exactly, on whatever x86-64 processor the tests run (the arithmetic
is pinned by :mod:`lrbook.numerics`): a value that differs means the committed glue is
stale, or that a number depends on the machine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from booktools import twins as TWINS

pytestmark = pytest.mark.e2e  # builds the book
ROOT = Path(__file__).resolve().parents[2]


def test_committed_glue_is_what_the_build_computes(built_site):
    committed = json.loads((ROOT / TWINS.GLUE_FILE).read_text(encoding="utf-8"))
    committed.pop("_comment", None)
    built = TWINS.build_glue(ROOT)
    assert sorted(built) == sorted(committed), "the glued pages differ"
    differences = []
    for page, values in built.items():
        old = committed[page]
        for key in sorted(set(values) | set(old)):
            if values.get(key) != old.get(key):
                differences.append(
                    f"{page} {key}: committed {old.get(key)!r}, "
                    f"built {values.get(key)!r}"
                )
    assert not differences, (
        f"{len(differences)} glued values differ from book/_glue.json (refresh it with "
        f"`bash tools/book.sh`, then commit):\n" + "\n".join(differences[:40])
    )
