"""The answer key of chapter 6 (lrbook/exercises/ch06.py)."""

from __future__ import annotations

import numpy as np

import lrbook
from lrbook.exercises import check, engine
from lrbook.exercises.ch06 import range_curve


def test_answers_and_classic_mistakes():
    assert check("ch06-ex-triangular2", 0.0225, show=False).ok
    assert not check("ch06-ex-triangular2", 0.06, show=False).ok
    assert check("ch06-ex-exp-range", 0.1 * 0.99**50, show=False).ok
    wrong = check("ch06-ex-exp-range", 0.1 * 0.99**3, show=False)
    assert not wrong.ok
    m = lrbook.one_cycle_momentum(1000, 0.25)
    assert check("ch06-ex-momentum", m(600), show=False).ok
    assert check("ch06-ex-design", lrbook.one_cycle(0.2, 150), show=False).ok
    assert not check(
        "ch06-ex-design", lrbook.one_cycle(0.2, 150, div_factor=10.0), show=False
    ).ok


def test_range_read_is_the_steepest_descent_within_half():
    e = engine.get("ch06-ex-range-read")
    assert 2e-3 < e.expected < 5e-3
    assert check("ch06-ex-range-read", 1.4 * e.expected, show=False).ok
    assert check("ch06-ex-range-read", 0.6 * e.expected, show=False).ok
    assert not check("ch06-ex-range-read", e.params["_minimum"], show=False).ok
    lrs = np.array(e.params["_lrs"])
    assert np.allclose(e.params["_losses"], range_curve(lrs))
