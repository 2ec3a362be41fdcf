"""lrbook.ReduceLROnPlateau: parity with PyTorch on random metrics, edge cases."""

from __future__ import annotations

import math
import os

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import lrbook

settings_kw = dict(
    max_examples=150, deadline=None, derandomize=bool(os.environ.get("CI"))
)


@st.composite
def plateaus(draw):
    return dict(
        lr=draw(st.floats(1e-4, 1.0)),
        mode=draw(st.sampled_from(["min", "max"])),
        factor=draw(st.floats(0.05, 0.95)),
        patience=draw(st.integers(0, 5)),
        threshold=draw(st.sampled_from([0.0, 1e-4, 0.01, 0.1])),
        threshold_mode=draw(st.sampled_from(["rel", "abs"])),
        cooldown=draw(st.integers(0, 4)),
        min_lr=draw(st.sampled_from([0.0, 1e-5, 1e-3])),
        eps=draw(st.sampled_from([0.0, 1e-8, 1e-3])),
    )


# Metrics with plenty of repeats (equal values are "no improvement" in PyTorch),
# negative values, and the occasional NaN or infinity.
metrics = st.lists(
    st.one_of(
        st.sampled_from([1.0, 0.5, 0.5, -0.5, -2.0, 0.0]),
        st.floats(-3, 3, allow_nan=False),
        st.just(float("nan")),
        st.just(float("inf")),
    ),
    min_size=1,
    max_size=80,
)


def torch_plateau_trace(params: dict, values: list[float]) -> list[float]:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=params["lr"])
    kw = {k: v for k, v in params.items() if k != "lr"}
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
    out = []
    for v in values:
        opt.step()
        sched.step(v)
        out.append(opt.param_groups[0]["lr"])
    return out


@settings(**settings_kw)
@given(plateaus(), metrics)
def test_parity_with_pytorch(params, values):
    ours = lrbook.ReduceLROnPlateau(**params)
    got = [ours.step(v) for v in values]
    assert got == torch_plateau_trace(params, values)
    assert ours.lr == got[-1]
    assert all(
        math.isfinite(x) and x >= params["min_lr"] or x == params["lr"] for x in got
    )


def test_equal_metric_is_not_an_improvement():
    p = lrbook.ReduceLROnPlateau(1.0, patience=2, threshold=0.0)
    assert [p.step(1.0) for _ in range(4)] == [1.0, 1.0, 1.0, 0.1]


def test_cooldown_and_min_lr():
    p = lrbook.ReduceLROnPlateau(1.0, factor=0.5, patience=0, cooldown=2, min_lr=0.2)
    got = [p.step(1.0) for _ in range(10)]
    assert got == [1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2, 0.2]


def test_max_mode_with_negative_metrics():
    # PyTorch's quirk, reproduced: in "max" mode with a relative threshold, the bar is
    # best * 1.1, which for a negative best lies *below* it, so a worse value (-1.05)
    # and even a repeat of the best still count as improvements.
    params = dict(lr=1.0, mode="max", patience=0, threshold=0.1)
    values = [-1.0, -1.05, -1.05, -1.2]
    p = lrbook.ReduceLROnPlateau(**params)
    got = [p.step(v) for v in values]
    assert got == torch_plateau_trace(params, values) == [1.0, 1.0, 1.0, 0.1]


def test_nan_metric_never_makes_the_rate_nan():
    p = lrbook.ReduceLROnPlateau(0.1, patience=0)
    got = [p.step(float("nan")) for _ in range(5)]
    assert all(math.isfinite(x) for x in got)
    assert got[-1] < 0.1


def test_eps_skips_tiny_cuts():
    p = lrbook.ReduceLROnPlateau(1e-9, patience=0, eps=1e-8)
    assert [p.step(1.0) for _ in range(3)] == [1e-9] * 3


def test_state_dict_round_trip():
    p = lrbook.ReduceLROnPlateau(0.1, patience=1)
    for v in [1.0, 1.0, 1.0, 0.5]:
        p.step(v)
    q = lrbook.ReduceLROnPlateau(0.1, patience=1)
    q.load_state_dict(p.state_dict())
    assert [q.step(v) for v in [0.6, 0.6, 0.6]] == [p.step(v) for v in [0.6, 0.6, 0.6]]
    with pytest.raises(ValueError, match="unknown key 'foo'"):
        q.load_state_dict({"foo": 1})
    with pytest.raises(ValueError, match=r"state\['lr'\]"):
        q.load_state_dict({"lr": float("nan")})
    with pytest.raises(ValueError, match="num_bad_epochs"):
        q.load_state_dict({"num_bad_epochs": -1})


def test_repr():
    assert repr(lrbook.ReduceLROnPlateau(0.1, patience=3)).startswith(
        "ReduceLROnPlateau(lr=0.1, mode='min', factor=0.1, patience=3"
    )


@pytest.mark.parametrize(
    "kw, error, match",
    [
        (dict(lr=-1), ValueError, "lr"),
        (dict(lr=float("nan")), ValueError, "lr"),
        (dict(mode="minimum"), ValueError, "mode"),
        (dict(factor=1.0), ValueError, "factor"),
        (dict(factor=1.5), ValueError, "factor"),
        (dict(factor=0.0), ValueError, "factor"),
        (dict(patience=-1), ValueError, "patience"),
        (dict(patience=1.5), TypeError, "patience"),
        (dict(threshold=-0.1), ValueError, "threshold"),
        (dict(threshold_mode="relative"), ValueError, "threshold_mode"),
        (dict(cooldown=-2), ValueError, "cooldown"),
        (dict(min_lr=-1e-3), ValueError, "min_lr"),
        (dict(eps=-1), ValueError, "eps"),
    ],
)
def test_bad_arguments(kw, error, match):
    args = {"lr": 0.1, **kw}
    with pytest.raises(error, match=match):
        lrbook.ReduceLROnPlateau(**args)


def test_non_numeric_metric():
    with pytest.raises(TypeError, match="metric must be a real number"):
        lrbook.ReduceLROnPlateau(0.1).step("low")
