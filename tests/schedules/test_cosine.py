"""lrbook.schedules.cosine.restart_steps: the restart times of warm restarts."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import lrbook
from lrbook.schedules.cosine import restart_steps


def test_exact_values():
    assert restart_steps(10, 2, 200) == [10, 30, 70, 150]
    assert restart_steps(10, 2, 150) == [10, 30, 70]
    assert restart_steps(10, 2, 151) == [10, 30, 70, 150]
    assert restart_steps(50, 1, 200) == [50, 100, 150]
    assert restart_steps(7, 3, 1000) == [7, 28, 91, 280, 847]
    assert restart_steps(10, 1, 10) == []
    assert restart_steps(1, 1, 4) == [1, 2, 3]


def test_as_the_docstring_shows():
    assert restart_steps(10, 2, 200) == [10, 30, 70, 150]
    assert restart_steps(50, 1, 200) == [50, 100, 150]
    assert restart_steps(t_0=10, t_mult=2, horizon=200) == [10, 30, 70, 150]


@settings(max_examples=60, deadline=None)
@given(
    t_0=st.integers(1, 60),
    t_mult=st.integers(1, 4),
    horizon=st.integers(1, 600),
)
def test_restarts_are_where_the_schedule_jumps_back(t_0, t_mult, horizon):
    s = lrbook.cosine_warm_restarts(0.1, t_0=t_0, t_mult=t_mult)
    steps = restart_steps(t_0, t_mult, horizon)
    t = np.arange(1, horizon)
    at_top = t[np.isclose(s(t), 0.1, rtol=1e-12, atol=0)]
    assert steps == at_top.tolist()
    k = np.arange(1, len(steps) + 1)
    closed = k * t_0 if t_mult == 1 else t_0 * (t_mult**k - 1) // (t_mult - 1)
    assert steps == closed.tolist()


@pytest.mark.parametrize(("t_0", "t_mult"), [(5, 1), (5, 2), (3, 3)])
def test_restarts_of_pytorch_stepped_per_update(t_0, t_mult):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
        opt, T_0=t_0, T_mult=t_mult
    )
    restarts = []
    for t in range(1, 120):
        opt.step()
        sched.step()
        if sched.T_cur == 0:
            restarts.append(t)
    assert restarts == restart_steps(t_0, t_mult, 120)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((0, 1, 10), ValueError, "t_0 must be an integer >= 1, got 0"),
        ((5, 0, 10), ValueError, "t_mult must be an integer >= 1, got 0"),
        ((5, 1, 0), ValueError, "horizon must be an integer >= 1, got 0"),
        ((5.5, 1, 10), TypeError, "t_0"),
        ((5, 1, "10"), TypeError, "horizon"),
    ],
)
def test_bad_arguments(args, error, match):
    with pytest.raises(error, match=match):
        restart_steps(*args)
