"""Make ``--dist loadgroup`` group again: a pytest plugin (``pytest_plugins`` in
``tests/conftest.py``).

pytest-xdist 3.8 puts the tests marked ``xdist_group(name)`` on one worker by writing
``@name`` at the end of each item's ``_nodeid``. pytest 9 no longer reads that
attribute (an item's ``nodeid`` comes from its structured ``_id``), so the suffix is
lost and xdist silently spreads a group over every worker. For this suite that meant
the grading sandbox's session fixtures (``tests/e2e/test_assign_hostile.py``) were
built on both workers at once: about 150 s of CI, twice.

This hook runs after xdist's and writes the suffix where pytest 9 reads it; with a
pytest that still honours ``_nodeid`` it finds the suffix already there and does
nothing. ``tests/test_xdist_groups.py`` checks that a group stays on one worker.
"""

from __future__ import annotations

import pytest


def _groups(item) -> str:
    names = {
        str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
        for mark in item.iter_markers("xdist_group")
    }
    return "_".join(sorted(names))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items) -> None:
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        group = _groups(item)
        if not group or item.nodeid.endswith(f"@{group}"):
            continue
        from _pytest.nodeid import NodeId  # pytest >= 9: the structured id

        item._id = NodeId.parse(f"{item.nodeid}@{group}")
        if not item.nodeid.endswith(f"@{group}"):
            raise RuntimeError(
                f"could not put {item.nodeid} in xdist group {group!r}: this pytest "
                "keeps node ids elsewhere (update tests/xdist_groups.py)"
            )
