"""lrbook.plotting: the book's one figure style."""

from __future__ import annotations

import matplotlib as mpl

from lrbook import plotting


def test_style_applies_and_restores_its_own_keys():
    params = plotting.rc_params()
    key = "axes.titlelocation"
    assert key in params
    mpl.rcParams[key] = "right" if params[key] != "right" else "center"
    before = mpl.rcParams[key]
    with plotting.style():
        assert mpl.rcParams[key] == params[key] != before
    assert mpl.rcParams[key] == before
    mpl.rcParams[key] = mpl.rcParamsDefault[key]


def test_style_keeps_changes_made_by_others_inside_it():
    # Jupyter's inline backend turns interactive mode on when the first pyplot figure
    # is made; if that happens inside style(), it must stay on afterwards.
    was = mpl.rcParams["interactive"]
    try:
        mpl.rcParams["interactive"] = False
        with plotting.style():
            mpl.rcParams["interactive"] = True
        assert mpl.rcParams["interactive"] is True
    finally:
        mpl.rcParams["interactive"] = was
