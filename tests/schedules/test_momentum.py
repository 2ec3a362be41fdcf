"""Momentum schedules (lrbook.one_cycle_momentum, lrbook.cyclic_momentum), their
PyTorch pair (native_torch_pair) and fit(..., momentum_schedule=...)."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.optim.lr_scheduler import CyclicLR, OneCycleLR

import lrbook
from lrbook.schedules.cyclic import MOMENTUM_DECLARATIONS, native_torch_pair
from lrbook.torch_bridge import record_rates


def _torch_run(rate, momentum, n, optimizer="sgd"):
    """Rates and momenta PyTorch's own scheduler (cycle_momentum=True) sets."""
    p = [torch.zeros(1, requires_grad=True)]
    if optimizer == "sgd":
        opt = torch.optim.SGD(p, lr=0.1, momentum=0.9)
    else:
        opt = torch.optim.Adam(p, lr=0.1)
    sched = native_torch_pair(opt, rate, momentum)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return record_rates(sched, n, momentum=True)


@st.composite
def one_cycle_pairs(draw):
    total = draw(st.integers(4, 400))
    three = draw(st.booleans())
    pct = draw(st.floats(1.01 / total, 0.49 if three else 0.99))
    anneal = draw(st.sampled_from(["cos", "linear"]))
    low = draw(st.floats(0.0, 0.95))
    high = draw(st.floats(low, 0.99))
    rate = lrbook.one_cycle(
        draw(st.floats(1e-4, 2.0)), total, pct, anneal, three_phase=three
    )
    return rate, lrbook.one_cycle_momentum(total, pct, anneal, low, high, three)


@st.composite
def cyclic_pairs(draw):
    up = draw(st.integers(1, 50))
    down = draw(st.one_of(st.none(), st.integers(1, 50)))
    mode = draw(st.sampled_from(["triangular", "triangular2", "exp_range"]))
    gamma = draw(st.floats(0.9, 1.0))
    low = draw(st.floats(0.0, 0.95))
    high = draw(st.floats(low, 0.99))
    base = draw(st.floats(1e-4, 0.1))
    rate = lrbook.cyclic(base, base * draw(st.floats(1, 20)), up, down, mode, gamma)
    return rate, lrbook.cyclic_momentum(up, down, mode, gamma, low, high)


@settings(max_examples=60, deadline=None)
@given(pair=st.one_of(one_cycle_pairs(), cyclic_pairs()), adam=st.booleans())
def test_momentum_matches_pytorch_exactly(pair, adam):
    rate, momentum = pair
    n = rate.params.get("total_steps", 300)
    lrs, ms = _torch_run(rate, momentum, n, "adam" if adam else "sgd")
    t = np.arange(n)
    assert np.array_equal(ms, momentum(t))
    assert np.array_equal(lrs, rate(t))


def test_exact_values_and_docstring_calls():
    m = lrbook.one_cycle_momentum(100, pct_start=0.25)
    assert (m(0), m(24), m(99)) == (0.95, 0.85, 0.95)
    assert m.max_step == 99
    d = lrbook.one_cycle_momentum(1000)
    assert d.params == {
        "total_steps": 1000,
        "pct_start": 0.3,
        "anneal_strategy": "cos",
        "base_momentum": 0.85,
        "max_momentum": 0.95,
        "three_phase": False,
    }
    three = lrbook.one_cycle_momentum(100, 0.25, "linear", three_phase=True)
    assert three(24) == 0.85 and three(48) == 0.95 and three(99) == 0.95
    c = lrbook.cyclic_momentum(step_size_up=5)
    assert [round(c(t), 12) for t in (0, 5, 10)] == [0.9, 0.8, 0.9]
    c2 = lrbook.cyclic_momentum(5, mode="triangular2")
    assert round(c2(15), 12) == 0.85
    assert lrbook.cyclic_momentum()(2000) == pytest.approx(0.8)


def test_inverse_to_the_rate():
    rate, m = lrbook.one_cycle(1.0, 200), lrbook.one_cycle_momentum(200)
    t = np.arange(200)
    r, b = rate(t), m(t)
    assert np.argmax(r) == np.argmin(b)
    assert np.all(np.sign(np.diff(r)) == -np.sign(np.diff(b)))


def test_repr_round_trips_and_vectorised_equals_scalar():
    for s in (lrbook.one_cycle_momentum(50, 0.2), lrbook.cyclic_momentum(3, 2)):
        assert repr(eval(repr(s), vars(lrbook))) == repr(s)
        t = np.arange(50)
        assert np.array_equal(s(t), [s(int(k)) for k in t])


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: lrbook.one_cycle_momentum(0), ValueError, "total_steps"),
        (lambda: lrbook.one_cycle_momentum(10, 0.05), ValueError, "pct_start"),
        (
            lambda: lrbook.one_cycle_momentum(10, anneal_strategy="x"),
            ValueError,
            "anne",
        ),
        (lambda: lrbook.one_cycle_momentum(10, base_momentum=-0.1), ValueError, "base"),
        (lambda: lrbook.one_cycle_momentum(10, max_momentum=1.0), ValueError, "max_m"),
        (
            lambda: lrbook.one_cycle_momentum(10, base_momentum=0.9, max_momentum=0.8),
            ValueError,
            "max_momentum must be >= base_momentum",
        ),
        (lambda: lrbook.one_cycle_momentum(10, three_phase=1), TypeError, "three"),
        (lambda: lrbook.one_cycle_momentum(10.0), TypeError, "total_steps"),
        (lambda: lrbook.cyclic_momentum(0), ValueError, "step_size_up"),
        (lambda: lrbook.cyclic_momentum(mode="tri"), ValueError, "mode"),
        (lambda: lrbook.cyclic_momentum(gamma=0), ValueError, "gamma"),
    ],
)
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_native_torch_pair_checks_the_pair():
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    sched = native_torch_pair(
        opt, lrbook.one_cycle(0.1, 100), lrbook.one_cycle_momentum(100)
    )
    assert isinstance(sched, OneCycleLR) and sched.cycle_momentum
    assert opt.param_groups[0]["momentum"] == 0.95
    sched = native_torch_pair(
        opt, lrbook.cyclic(0.01, 0.1, 5), lrbook.cyclic_momentum(5)
    )
    assert isinstance(sched, CyclicLR)
    with pytest.raises(ValueError, match="share total_steps"):
        native_torch_pair(
            opt, lrbook.one_cycle(0.1, 100), lrbook.one_cycle_momentum(90)
        )
    with pytest.raises(TypeError, match="one_cycle_momentum"):
        native_torch_pair(opt, lrbook.one_cycle(0.1, 100), lrbook.cyclic_momentum(5))
    with pytest.raises(TypeError, match="rate must be"):
        native_torch_pair(opt, lrbook.constant(0.1), lrbook.cyclic_momentum(5))


def test_declarations():
    assert set(MOMENTUM_DECLARATIONS) == {"one_cycle_momentum", "cyclic_momentum"}
    for name, d in MOMENTUM_DECLARATIONS.items():
        assert set(d.parameters) <= set(inspect.signature(d.factory).parameters)
        assert getattr(lrbook, name) is d.factory
        assert (
            ".. math::" in d.factory.__doc__
            and "PyTorch equivalent" in d.factory.__doc__
        )
        assert name not in lrbook.schedules.FACTORY_NAMES  # rate schedules only
    assert lrbook.one_cycle_momentum.pairs_with == "one_cycle"


def _tiny():
    return dict(epochs=1, n_train=256, n_test=100, progress=False)


@pytest.mark.parametrize("optimizer, peak", [("sgd", 0.5), ("adam", 0.005)])
def test_fit_with_the_pair_is_pytorch_onecycle(optimizer, peak):
    n = 4  # updates: 256 training images / 64 per batch
    ours = lrbook.fit(
        lrbook.one_cycle(peak, n, pct_start=0.5),
        momentum_schedule=lrbook.one_cycle_momentum(n, pct_start=0.5),
        optimizer=optimizer,
        **_tiny(),
    )
    theirs = lrbook.fit(
        lambda opt: OneCycleLR(opt, peak, total_steps=n, pct_start=0.5),
        optimizer=optimizer,
        **_tiny(),
    )
    assert ours.updates == n
    assert np.array_equal(ours.lr, theirs.lr)
    assert np.array_equal(ours.momentum, theirs.momentum)
    assert np.array_equal(ours.loss, theirs.loss)
    assert ours.momentum[0] == 0.95 and ours.momentum.min() < 0.95
    assert ours.config["momentum_schedule"].startswith("one_cycle_momentum(")


def test_fit_without_momentum_schedule_keeps_the_momentum():
    h = lrbook.fit(lrbook.one_cycle(0.5, 4, pct_start=0.5), **_tiny())
    assert np.all(h.momentum == 0.9) and h.config["momentum_schedule"] is None
    a = lrbook.fit(0.001, optimizer="adam", **_tiny())
    assert np.all(a.momentum == 0.9)
    assert h.momentum.shape == h.lr.shape


def test_fit_momentum_schedule_stepped_per_epoch_and_refusals():
    m = lrbook.cyclic_momentum(1, mode="triangular")
    h = lrbook.fit(
        lrbook.step_decay(0.1, 1),
        momentum_schedule=m,
        step_per="epoch",
        **{**_tiny(), "epochs": 2},
    )
    assert h.momentum.tolist() == [0.9] * 4 + [0.8] * 4
    with pytest.raises(ValueError, match="conflicts with momentum_schedule"):
        lrbook.fit(0.1, momentum=0.9, momentum_schedule=m, **_tiny())
    with pytest.raises(TypeError, match="momentum_schedule must be an lrbook"):
        lrbook.fit(0.1, momentum_schedule=0.9, **_tiny())
    with pytest.raises(ValueError, match="cycle_momentum=True"):
        lrbook.fit(
            lambda o: OneCycleLR(o, 0.1, total_steps=4), momentum_schedule=m, **_tiny()
        )
    with pytest.raises(ValueError, match="defined for steps 0..2"):
        lrbook.fit(0.1, momentum_schedule=lrbook.one_cycle_momentum(3, 0.5), **_tiny())
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        lrbook.fit(0.1, momentum_schedule=lrbook.exponential_decay(0.5, 1.5), **_tiny())
