"""lrbook.ReduceLROnPlateau: parity with PyTorch on random metrics, edge cases; replay
and the hand-made metric sequences of chapter 4."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import lrbook
from lrbook.explore.topics.plateau_sequences import SEQUENCES, metric_sequence
from lrbook.schedules.plateau import PlateauTrace, replay

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


# --------------------------------------------------------------------------------------
# replay, improvement_bound and the hand-made metric sequences
# --------------------------------------------------------------------------------------

def torch_plateau_states(params: dict, values: list[float]) -> list[tuple]:
    """PyTorch's rate, best and num_bad_epochs after each step."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=params["lr"])
    kw = {k: v for k, v in params.items() if k != "lr"}
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
    out = []
    for v in values:
        opt.step()
        sched.step(v)
        out.append((opt.param_groups[0]["lr"], sched.best, sched.num_bad_epochs))
    return out


@settings(**settings_kw)
@given(plateaus(), metrics)
def test_replay_matches_pytorch_epoch_by_epoch(params, values):
    p = lrbook.ReduceLROnPlateau(**params)
    trace = replay(p, values)
    states = torch_plateau_states(params, values)
    assert trace.lr.tolist() == [s[0] for s in states]
    assert trace.lr_used.tolist() == [params["lr"]] + trace.lr.tolist()[:-1]
    best = [s[1] for s in states]
    np.testing.assert_array_equal(trace.best, np.array(best, dtype=np.float64))
    assert trace.epochs.tolist() == list(range(1, len(values) + 1))
    assert trace.cuts == tuple(
        k + 1 for k in range(len(values)) if trace.lr[k] < trace.lr_used[k]
    )
    # a reduction event (count > patience) leaves PyTorch's counter at 0
    for count, state in zip(trace.bad_epochs, states, strict=True):
        if count > params["patience"]:
            assert state[2] == 0
        else:
            assert state[2] == count
    assert set(trace.cuts) <= {
        int(k) for k in trace.epochs[trace.bad_epochs > params["patience"]]
    }
    assert p.last_epoch == 0 and p.lr == params["lr"]  # the given object is unchanged


@settings(**settings_kw)
@given(plateaus(), st.floats(-5, 5), st.floats(-5, 5))
def test_improvement_bound_agrees_with_is_better(params, best, metric):
    p = lrbook.ReduceLROnPlateau(**params)
    bound = p.improvement_bound(best)
    if p.mode == "min":
        assert p.is_better(metric, best) == (metric < bound)
    else:
        assert p.is_better(metric, best) == (metric > bound)
    assert not p.is_better(bound, best)  # equal to the bound is not an improvement


def test_improvement_bound_formulas():
    assert lrbook.ReduceLROnPlateau(0.1, threshold=0.1).improvement_bound(2.0) == 1.8
    assert (
        lrbook.ReduceLROnPlateau(0.1, threshold=0.1, threshold_mode="abs")
        .improvement_bound(2.0)
        == 1.9
    )
    up = lrbook.ReduceLROnPlateau(0.1, mode="max", threshold=0.1)
    assert up.improvement_bound(0.5) == 0.55
    assert up.improvement_bound(-1.0) == -1.1  # below the best: the trap
    assert math.isinf(lrbook.ReduceLROnPlateau(0.1).improvement_bound(math.inf))


def test_replay_as_in_its_docstring():
    p = lrbook.ReduceLROnPlateau(1.0, factor=0.5, patience=1)
    trace = replay(p, [3.0, 2.0, 2.0, 2.0, 2.0, 2.0, 1.0])
    assert isinstance(trace, PlateauTrace)
    assert trace.cuts == (4, 6)
    assert trace.lr.tolist() == [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    assert trace.bad_epochs.tolist() == [0, 0, 1, 2, 1, 2, 0]
    assert trace.improved.tolist() == [True, True, False, False, False, False, True]
    assert trace.bound[0] == math.inf and trace.bound[1] == 3.0 * (1 - 1e-4)
    assert trace.best.tolist() == [3.0, 2.0, 2.0, 2.0, 2.0, 2.0, 1.0]
    assert not trace.cooldown.any()


def test_replay_with_defaults_on_a_flat_metric():
    # default patience 10: the cut comes on the 11th bad epoch, epoch 12
    trace = replay(lrbook.ReduceLROnPlateau(0.1), [1.0] * 14)
    assert trace.cuts == (12,)
    assert trace.bad_epochs.tolist()[:12] == list(range(12))


def test_replay_cooldown_epochs_are_not_counted():
    p = lrbook.ReduceLROnPlateau(1.0, factor=0.5, patience=1, cooldown=2)
    trace = replay(p, [1.0] * 12)
    assert trace.cuts == (3, 7, 11)  # patience + 2, then every cooldown + patience + 1
    assert trace.cooldown.tolist()[3:5] == [True, True]
    assert trace.bad_epochs.tolist()[3:7] == [0, 0, 1, 2]


def test_replay_continues_a_stepped_schedule():
    p = lrbook.ReduceLROnPlateau(1.0, patience=0)
    p.step(1.0)
    trace = replay(p, [1.0])
    assert trace.cuts == (1,) and trace.lr_used[0] == 1.0
    assert p.last_epoch == 1


@pytest.mark.parametrize(
    "plateau, values, error, match",
    [
        ("p", [1.0], TypeError, "plateau must be an lrbook.ReduceLROnPlateau"),
        (None, [1.0], TypeError, "plateau"),
        (lrbook.ReduceLROnPlateau(0.1), [], ValueError, "at least one value"),
        (lrbook.ReduceLROnPlateau(0.1), "123", TypeError, "metrics must be"),
        (lrbook.ReduceLROnPlateau(0.1), 3.0, TypeError, "metrics must be"),
        (lrbook.ReduceLROnPlateau(0.1), [1.0, "x"], TypeError, r"metrics\[1\]"),
    ],
)
def test_replay_bad_arguments(plateau, values, error, match):
    with pytest.raises(error, match=match):
        replay(plateau, values)


def test_metric_sequences_exact_values():
    k = np.arange(1, 41)
    np.testing.assert_array_equal(
        metric_sequence("smooth"), 0.3 + 0.9 * np.exp(-k / 6.0)
    )
    assert metric_sequence().shape == (40,)
    plateau = metric_sequence("plateau")
    assert len(set(plateau[8:14].tolist())) == 1  # epochs 9 to 14 are equal
    np.testing.assert_allclose(plateau[15] / plateau[14], 0.9995, rtol=1e-12)
    spike = metric_sequence("spike") - metric_sequence("smooth")
    np.testing.assert_allclose(spike[[9, 10]], [0.25, 0.12], rtol=1e-12)
    assert np.count_nonzero(spike) == 2
    dip = metric_sequence("dip") - metric_sequence("smooth")
    assert np.flatnonzero(dip).tolist() == [7] and math.isclose(dip[7], -0.2)
    noisy = metric_sequence("noisy") - metric_sequence("smooth")
    assert 0.015 < float(noisy.std()) < 0.045
    assert np.array_equal(metric_sequence("noisy"), metric_sequence("noisy"))
    assert tuple(SEQUENCES) == ("smooth", "noisy", "plateau", "spike", "dip")


@settings(**settings_kw)
@given(st.sampled_from(SEQUENCES), st.integers(20, 200))
def test_metric_sequences_properties(name, epochs):
    m = metric_sequence(name, epochs)
    assert m.shape == (epochs,) and m.dtype == np.float64
    assert np.all(np.isfinite(m)) and np.all(m > 0)
    np.testing.assert_array_equal(m[:20], metric_sequence(name, 20))


@pytest.mark.parametrize(
    "kw, error, match",
    [
        (dict(name="flat"), ValueError, "name"),
        (dict(epochs=19), ValueError, "epochs"),
        (dict(epochs=201), ValueError, "epochs"),
        (dict(epochs=30.0), TypeError, "epochs"),
    ],
)
def test_metric_sequence_bad_arguments(kw, error, match):
    with pytest.raises(error, match=match):
        metric_sequence(**kw)


@settings(**settings_kw)
@given(st.integers(0, 6), st.integers(0, 6), st.integers(1, 80))
def test_chapter_4_max_cuts_is_a_flat_metric_replayed(patience, cooldown, epochs):
    from lrbook.exercises.ch04 import max_cuts

    p = lrbook.ReduceLROnPlateau(1.0, factor=0.9, patience=patience, cooldown=cooldown)
    trace = replay(p, [1.0] * epochs)
    assert len(trace.cuts) == max_cuts(epochs, patience, cooldown)
    assert max_cuts(0, patience, cooldown) == 0
