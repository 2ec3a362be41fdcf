"""The chapter 6 explorers (lrbook.explore.topics.cyclic)."""

from __future__ import annotations

import numpy as np
import pytest

import lrbook
from lrbook import explore
from lrbook.explore.topics import cyclic as topic


@pytest.fixture(scope="module")
def explorers():
    return {"cyclic": topic.cyclic(), "one_cycle": topic.one_cycle()}


def test_defaults_as_the_docstrings_show(explorers):
    assert explorers["cyclic"].values == {
        "mode": "triangular",
        "base_lr": 0.01,
        "max_lr": 0.1,
        "step_size_up": 25,
        "step_size_down": 25,
        "gamma": 0.995,
    }
    assert explorers["one_cycle"].values == {
        "max_lr": 0.3,
        "pct_start": 0.3,
        "div_factor": 25.0,
        "final_div_factor": 1e4,
        "three_phase": False,
    }


@pytest.mark.parametrize("name", ["cyclic", "one_cycle"])
def test_recipes_rebuild_the_same_explorer_within_budget(explorers, name):
    ex = explorers[name]
    assert ex.recipe["call"] == f"lrbook.explore.topics.cyclic.{name}"
    again = explore.rebuild(ex.recipe)
    for pa, pb in zip(ex.series(), again.series(), strict=True):
        for a, b in zip(pa.values(), pb.values(), strict=True):
            np.testing.assert_array_equal(a[1], b[1])
    assert ex.payload_size() <= explore.MAX_BYTES


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
def test_cyclic_draws_lrbook_cyclic_under_its_envelope(explorers, mode):
    ex = explorers["cyclic"]
    panel = ex.series(mode=mode, step_size_up=10, step_size_down=50, gamma=0.99)[0]
    x, y = panel["rate"]
    s = lrbook.cyclic(0.01, 0.1, 10, 50, mode=mode, gamma=0.99)
    np.testing.assert_array_equal(y, s(x.astype(int)))
    assert np.all(y <= panel["envelope"][1] + 1e-15)


@pytest.mark.parametrize("three_phase", [False, True])
def test_one_cycle_panels_are_rate_and_momentum(explorers, three_phase):
    rate, momentum = explorers["one_cycle"].series(
        pct_start=0.25, max_lr=1.0, three_phase=three_phase
    )
    t = rate["rate"][0].astype(int)
    s = lrbook.one_cycle(1.0, 200, 0.25, three_phase=three_phase)
    m = lrbook.one_cycle_momentum(200, 0.25, three_phase=three_phase)
    np.testing.assert_array_equal(rate["rate"][1], s(t))
    np.testing.assert_array_equal(momentum["momentum"][1], m(t))
    assert rate["peak"][0][0] == 49 and momentum["low"][1][0] == 0.85


def test_bad_arguments():
    with pytest.raises(TypeError, match="max_lrs must be a list"):
        topic.cyclic(max_lrs="0.1")
    with pytest.raises(ValueError, match="max_lr must be >= base_lr"):
        topic.cyclic(base_lrs=(0.01, 0.5), max_lrs=(0.05, 0.1, 0.2))
    with pytest.raises(ValueError, match="pct_start"):
        topic.one_cycle(pct_starts=(0.3, 0.55))
    with pytest.raises(ValueError, match="horizon"):
        topic.cyclic(horizon=1)
