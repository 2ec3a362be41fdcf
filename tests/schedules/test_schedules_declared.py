"""The schedule declarations (lrbook.schedules.registry) and the schedules added with
them: ConstantLR, PolynomialLR, ChainedScheduler and warm-up."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest
import torch
from test_schedules import ALL

import lrbook
from lrbook.schedules import registry
from lrbook.torch_bridge import native_torch_scheduler, record_rates, torch_reference


def test_every_declared_schedule_has_a_parity_test():
    # constant has no PyTorch scheduler; per_epoch is PyTorch stepped once per epoch
    # (test_per_epoch_matches_pytorch_stepped_once_per_epoch).
    declared = set(lrbook.schedules.FACTORY_NAMES)
    untested = declared - set(ALL) - {"constant", "per_epoch"}
    assert not untested


def test_every_declared_parameter_is_an_argument_of_its_factory():
    for d in registry.declarations():
        args = inspect.signature(d.factory).parameters
        assert set(d.parameters) <= set(args), d.name
        assert getattr(lrbook, d.name) is d.factory
        assert d.factory.__module__ == f"lrbook.schedules.{d.family}"


def test_declarations_are_in_teaching_order_and_named():
    names = [d.name for d in registry.declarations()]
    assert names[:4] == [
        "constant",
        "step_decay",
        "multistep_decay",
        "exponential_decay",
    ]
    assert names.index("cosine_annealing") < names.index("cyclic")
    assert registry.declaration("step_decay").pytorch == "StepLR"
    assert registry.declaration("step_decay").parameter("step_size").unit == "steps"
    assert registry.declaration("step_decay").parameter("nope") == registry.Parameter()
    with pytest.raises(ValueError, match="name must be one of lrbook's schedules"):
        registry.declaration("cosine")


def test_declaring_twice_or_in_an_unknown_family_is_refused():
    def step_decay():  # same name as a declared factory
        pass

    with pytest.raises(ValueError, match="declared twice"):
        registry.declare(family="decay", pytorch=None, torch=None, parameters={})(
            step_decay
        )
    with pytest.raises(ValueError, match="family must be one of"):
        registry.declare(family="misc", pytorch=None, torch=None, parameters={})(
            lambda: None
        )


def test_native_scheduler_classes_of_the_new_schedules():
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    cases = {
        "ConstantLR": lrbook.constant_factor(0.1),
        "PolynomialLR": lrbook.polynomial_decay(0.1),
        "ChainedScheduler": lrbook.chained(
            [lrbook.step_decay(0.1, 3), lrbook.linear(0.1)]
        ),
        "SequentialLR": lrbook.warmup(lrbook.cosine_annealing(0.1, 10), 5),
        "LinearLR": lrbook.warmup(lrbook.constant(0.1), 5),
    }
    for cls, s in cases.items():
        assert type(native_torch_scheduler(opt, s)).__name__ == cls, s


def test_exact_values_of_the_new_schedules():
    s = lrbook.constant_factor(0.1, factor=0.5, total_iters=3)
    assert s(np.arange(5)).tolist() == [0.05, 0.05, 0.05, 0.1, 0.1]
    lin = lrbook.polynomial_decay(0.2, total_iters=4)
    assert lin(np.arange(6)).tolist() == pytest.approx([0.2, 0.15, 0.1, 0.05, 0, 0])
    assert lrbook.polynomial_decay(0.1, 10, power=2.0)(5) == pytest.approx(0.025)
    w = lrbook.warmup(lrbook.step_decay(0.1, 10, 0.5), steps=4, start_factor=0.2)
    assert w(np.array([0, 2, 3, 4, 13, 14])).tolist() == pytest.approx(
        [0.02, 0.06, 0.08, 0.1, 0.1, 0.05]
    )
    c = lrbook.chained([lrbook.exponential_decay(0.1, 0.5), lrbook.step_decay(0.1, 2)])
    assert c(np.arange(4)).tolist() == pytest.approx([0.1, 0.05, 0.0025, 0.00125])
    assert lrbook.chained([lrbook.exponential_decay(0.0, 0.5)])(3) == 0.0


def test_warmup_equals_the_sequential_it_stands_for():
    inner = lrbook.cosine_annealing(0.1, t_max=50, eta_min=0.001)
    w = lrbook.warmup(inner, steps=7, start_factor=0.05)
    seq = lrbook.sequential([lrbook.linear(0.1, 0.05, 1.0, 7), inner], [7])
    t = np.arange(200)
    assert np.array_equal(w(t), seq(t))
    assert repr(w) == (
        "warmup(schedule=cosine_annealing(lr=0.1, t_max=50, eta_min=0.001), "
        "steps=7, start_factor=0.05)"
    )
    again = eval(repr(w), vars(lrbook))
    assert np.array_equal(again(t), w(t))
    assert w.max_step is None


def test_chained_cosine_stops_at_t_max_because_pytorch_then_adds():
    parts = [lrbook.cosine_annealing(0.1, 20), lrbook.exponential_decay(0.1, 0.9)]
    s = lrbook.chained(parts)
    assert s.max_step == 20
    with pytest.raises(ValueError, match=r"0\.\.20, got t=21"):
        s(21)
    # PyTorch past t_max: no longer the product of the formulas (why lrbook stops).
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    rates = record_rates(native_torch_scheduler(opt, s), 30)
    t = np.arange(30)
    product = parts[0](t) * parts[1](t) / 0.1
    np.testing.assert_allclose(rates[:21], product[:21], rtol=1e-9, atol=1e-15)
    assert not np.allclose(rates[21:], product[21:], rtol=1e-3)


@pytest.mark.parametrize(
    "parts, match",
    [
        (
            [lrbook.cosine_annealing(0.1, 10, eta_min=0.01)],
            r"schedules\[0\].*eta_min=0.01 > 0",
        ),
        ([lrbook.cyclic(0.01, 0.1, 5)], r"CyclicLR overwrites the rate"),
        ([lrbook.one_cycle(0.1, 100)], r"OneCycleLR overwrites the rate"),
        ([lrbook.cosine_warm_restarts(0.1, 10)], "CosineAnnealingWarmRestarts"),
        ([lrbook.inverse_time_decay(0.1, 1.0)], "LambdaLR"),
        ([lrbook.constant(0.1)], "no PyTorch scheduler"),
        (
            [lrbook.step_decay(0.1, 3), lrbook.chained([lrbook.step_decay(0.1, 3)])],
            r"schedules\[1\].*ChainedScheduler",
        ),
        (
            [lrbook.step_decay(0.1, 3), lrbook.step_decay(0.2, 3)],
            r"same lr.*\[0.1, 0.2\]",
        ),
    ],
)
def test_chained_refuses_what_pytorch_does_not_multiply(parts, match):
    with pytest.raises(ValueError, match=match):
        lrbook.chained(parts)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: lrbook.constant_factor(0.1, factor=0.0), ValueError, "factor"),
        (lambda: lrbook.constant_factor(0.1, factor=1.5), ValueError, "factor"),
        (lambda: lrbook.constant_factor(0.1, total_iters=0), ValueError, "total_iters"),
        (lambda: lrbook.constant_factor(-1.0), ValueError, "lr"),
        (
            lambda: lrbook.polynomial_decay(0.1, total_iters=0),
            ValueError,
            "total_iters",
        ),
        (lambda: lrbook.polynomial_decay(0.1, power=0.0), ValueError, "power"),
        (lambda: lrbook.polynomial_decay(0.1, power="2"), TypeError, "power"),
        (lambda: lrbook.chained([]), ValueError, "at least 1"),
        (lambda: lrbook.chained(lrbook.step_decay(0.1, 3)), TypeError, "schedules"),
        (lambda: lrbook.chained([0.1]), TypeError, r"schedules\[0\]"),
        (lambda: lrbook.warmup(0.1, 5), TypeError, "schedule must be a Schedule"),
        (lambda: lrbook.warmup(lrbook.constant(0.1), 0), ValueError, "steps"),
        (lambda: lrbook.warmup(lrbook.constant(0.1), 5, -0.1), ValueError, "start"),
        (
            lambda: lrbook.warmup(lrbook.one_cycle(0.1, 100), 5),
            ValueError,
            "one_cycle has its own warm-up",
        ),
    ],
)
def test_bad_arguments_of_the_new_schedules(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_defaults_as_the_docstrings_show():
    assert lrbook.constant_factor(0.3)(0) == pytest.approx(0.1)
    assert lrbook.constant_factor(0.3)(5) == 0.3
    assert lrbook.polynomial_decay(0.1)(5) == 0.0
    w = lrbook.warmup(lrbook.constant(0.3), 3)
    assert w(0) == pytest.approx(0.1) and w(3) == 0.3
    for s in (lrbook.constant_factor(0.3), lrbook.polynomial_decay(0.1), w):
        np.testing.assert_allclose(s(np.arange(20)), torch_reference(s, 20), rtol=1e-9)


def test_tensor_learning_rate_is_float32_precision():
    s = lrbook.cosine_annealing(0.1, t_max=30, eta_min=1e-3)
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=torch.tensor(0.1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = lrbook.as_torch_scheduler(opt, s)
    rates = []
    for _ in range(30):
        lr = opt.param_groups[0]["lr"]
        assert isinstance(lr, torch.Tensor) and lr.dtype == torch.float32
        rates.append(lr.item())
        opt.step()
        sched.step()
    ours = s(np.arange(30))
    np.testing.assert_allclose(rates, ours, rtol=1e-7)
    assert not np.array_equal(rates, ours)  # float32, not the float64 values


# ---------------------------------------------- the schedules of large models (ch. 7)
def test_warmup_stable_decay_values_and_shapes():
    s = lrbook.warmup_stable_decay(0.2, 4, 6, 10, start_factor=0.25)
    t = np.arange(25)
    v = s(t)
    np.testing.assert_allclose(v[:4], 0.2 * (0.25 + 0.75 * t[:4] / 4))
    assert (v[4:10] == 0.2).all() and v[20:].tolist() == [0.0] * 5
    assert v[15] == pytest.approx(0.1)  # halfway through a linear decay
    cos = lrbook.warmup_stable_decay(0.2, 0, 0, 10, "cosine", end_factor=0.1)
    assert cos(5) == pytest.approx(0.2 * (0.1 + 0.9 * 0.5))
    assert cos(30) == pytest.approx(0.02)
    sqrt = lrbook.warmup_stable_decay(0.2, 0, 0, 16, "1-sqrt")
    assert sqrt(4) == pytest.approx(0.2 * (1 - 0.5))
    assert np.all(np.diff(sqrt(np.arange(17))) <= 0)


def test_a_longer_stable_phase_extends_the_same_run():
    short = lrbook.warmup_stable_decay(0.1, 10, 100, 20)
    long = lrbook.warmup_stable_decay(0.1, 10, 300, 20)
    t = np.arange(110)
    assert np.array_equal(short(t), long(t))  # resume from the stable checkpoint
    assert np.array_equal(short(np.arange(110, 130)), long(np.arange(310, 330)))


def test_inverse_sqrt_peaks_at_the_end_of_warm_up_and_decays_like_one_over_root_t():
    s = lrbook.inverse_sqrt(0.1, warmup_steps=100)
    v = s(np.arange(10_000))
    assert int(np.argmax(v)) == 99 and v[99] == pytest.approx(0.1)
    assert v[399] == pytest.approx(0.05)  # 4x the steps, half the rate
    assert np.all(np.diff(v[99:]) < 0) and np.all(np.diff(v[:100]) > 0)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: lrbook.warmup_stable_decay(0.1, -1, 5, 5), ValueError, "warmup"),
        (lambda: lrbook.warmup_stable_decay(0.1, 5, 5, 0), ValueError, "decay_steps"),
        (lambda: lrbook.warmup_stable_decay(0.1, 5, 5, 5, "exp"), ValueError, "shape"),
        (
            lambda: lrbook.warmup_stable_decay(0.1, 5, 5, 5, start_factor=-0.5),
            ValueError,
            "start_factor",
        ),
        (
            lambda: lrbook.warmup_stable_decay(0.1, 5, 5, 5, end_factor=2),
            ValueError,
            "end_factor",
        ),
        (lambda: lrbook.warmup_stable_decay(0.1, 5.0, 5, 5), TypeError, "warmup"),
        (lambda: lrbook.inverse_sqrt(0.1, 0), ValueError, "warmup_steps"),
        (lambda: lrbook.inverse_sqrt(-0.1, 10), ValueError, "lr"),
    ],
)
def test_bad_arguments_of_the_large_model_schedules(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_large_model_schedules_as_their_docstrings_show():
    s = lrbook.warmup_stable_decay(0.1, warmup_steps=2, stable_steps=3, decay_steps=4)
    assert s(0) == pytest.approx(0.001) and s(9) == 0.0  # defaults: 1 % start, to 0
    for one in (s, lrbook.inverse_sqrt(0.1, warmup_steps=4)):
        np.testing.assert_allclose(
            one(np.arange(50)), torch_reference(one, 50), rtol=1e-9
        )


# ------------------------------------------- MultiplicativeLR (chapter 3, issue 21)
def test_multiplicative_multiplies_the_factors_of_steps_1_to_t():
    s = lrbook.multiplicative(1.0, lambda i: 0.5 if i <= 2 else 0.9)
    assert s(np.arange(5)).tolist() == [1.0, 0.5, 0.25, 0.25 * 0.9, 0.25 * 0.9 * 0.9]
    assert s(0) == 1.0 and s(4) == s(np.arange(5))[4]
    assert s(np.array([], dtype=int)).shape == (0,)
    assert lrbook.multiplicative(0.0, lambda i: 0.5)(np.arange(3)).tolist() == [0.0] * 3
    assert lrbook.multiplicative(0.1, lambda i: 0.0)(np.arange(3)).tolist() == [
        0.1,
        0.0,
        0.0,
    ]


def test_multiplicative_calls_its_factor_once_per_step_with_python_ints():
    calls = []

    def factor(i):
        calls.append(i)
        return 0.9

    s = lrbook.multiplicative(0.1, factor)
    assert calls == [1]  # checked when made
    s(np.arange(6))
    s(3)
    s(np.arange(4))
    assert calls == [1, 2, 3, 4, 5]
    assert all(type(i) is int for i in calls)


def test_exponential_lr_is_multiplicative_lr_with_a_constant_factor():
    gamma, n = 0.97, 2000
    mult = lrbook.multiplicative(0.1, lambda i: gamma)
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    rates = record_rates(torch.optim.lr_scheduler.ExponentialLR(opt, gamma), n)
    assert mult(np.arange(n)).tolist() == rates.tolist()  # bit for bit: same products
    closed = lrbook.exponential_decay(0.1, gamma)(np.arange(n))
    np.testing.assert_allclose(mult(np.arange(n)), closed, rtol=1e-12)


def test_multiplicative_with_a_harmonic_factor_is_inverse_time_decay():
    p = 10
    s = lrbook.multiplicative(0.1, lambda i: 1 - 1 / (i + p))
    inverse = lrbook.inverse_time_decay(0.1, 1.0, decay_steps=p)
    np.testing.assert_allclose(s(np.arange(3000)), inverse(np.arange(3000)), rtol=1e-12)


def test_multiplicative_in_pytorch_and_chained():
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    s = lrbook.multiplicative(0.1, lambda i: 0.95)
    assert type(native_torch_scheduler(opt, s)).__name__ == "MultiplicativeLR"
    assert opt.param_groups[0]["lr"] == 0.1
    c = lrbook.chained([s, lrbook.step_decay(0.1, 3, 0.5)])
    np.testing.assert_allclose(c(np.arange(50)), torch_reference(c, 50), rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = lrbook.as_torch_scheduler(opt, s)
    assert record_rates(sched, 20).tolist() == s(np.arange(20)).tolist()
