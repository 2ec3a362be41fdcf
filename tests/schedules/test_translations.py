"""The same schedule in other libraries: lrbook's expression for each schedule family
of Hugging Face transformers, Keras 3, optax and timm, checked step by step.

transformers and Keras are installed here (test-only pins in requirements.txt):
their schedules run live, with the parameters of their own published tests, and
lrbook must agree at every step. optax (needs jax) and timm (needs torchvision) do not
install with the CPU torch here: their published test values are transcribed, each
with the file it comes from. The book's page "The same schedule in other libraries"
(book/other-libraries.md) quotes these expressions.
"""

from __future__ import annotations

import math
import os
import re
import warnings

import numpy as np
import pytest

import lrbook
from lrbook import (
    constant,
    cosine_annealing,
    cosine_warm_restarts,
    exponential_decay,
    inverse_sqrt,
    inverse_time_decay,
    linear,
    multistep_decay,
    one_cycle,
    polynomial_decay,
    sequential,
    step_decay,
    warmup,
    warmup_stable_decay,
)
from lrbook.torch_bridge import record_rates


def _close(ours, theirs, *, rtol, peak=None):
    theirs = np.asarray(theirs, dtype=np.float64)
    peak = np.abs(theirs).max() if peak is None else peak
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=rtol * peak)


# ------------------------------------------------------------- Hugging Face (live)
#: transformers' get_*_schedule* with the parameters of its published test
#: (tests/optimization/test_optimization.py, ScheduleInitTest.test_schedulers:
#: lr=10, num_warmup_steps=2, num_training_steps=10) and the values it expects
#: (tolerance 1e-2 there), then the names of get_scheduler that test does not cover.
HF = {
    "get_constant_schedule": (
        {},
        constant(10.0),
        [10.0] * 10,
    ),
    "get_constant_schedule_with_warmup": (
        {"num_warmup_steps": 4},
        warmup(constant(10.0), 4, start_factor=0.0),
        [0.0, 2.5, 5.0, 7.5, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0],
    ),
    "get_linear_schedule_with_warmup": (
        {"num_warmup_steps": 2, "num_training_steps": 10},
        warmup(polynomial_decay(10.0, 8), 2, start_factor=0.0),
        [0.0, 5.0, 10.0, 8.75, 7.5, 6.25, 5.0, 3.75, 2.5, 1.25],
    ),
    "get_cosine_schedule_with_warmup": (
        {"num_warmup_steps": 2, "num_training_steps": 10},
        warmup(cosine_annealing(10.0, 8), 2, start_factor=0.0),
        [0.0, 5.0, 10.0, 9.61, 8.53, 6.91, 5.0, 3.08, 1.46, 0.38],
    ),
    "get_cosine_with_hard_restarts_schedule_with_warmup": (
        {"num_warmup_steps": 2, "num_training_steps": 10, "num_cycles": 2},
        sequential(
            [warmup(cosine_warm_restarts(10.0, 4), 2, start_factor=0.0), constant(0.0)],
            [10],
        ),
        [0.0, 5.0, 10.0, 8.53, 5.0, 1.46, 10.0, 8.53, 5.0, 1.46],
    ),
    "get_polynomial_decay_schedule_with_warmup": (
        {"num_warmup_steps": 2, "num_training_steps": 10, "power": 2.0, "lr_end": 1e-7},
        warmup(polynomial_decay(10.0, 8, 2.0, end_lr=1e-7), 2, start_factor=0.0),
        [0.0, 5.0, 10.0, 7.656, 5.625, 3.906, 2.5, 1.406, 0.625, 0.156],
    ),
    # get_scheduler's other names, live only
    "get_inverse_sqrt_schedule": (
        {"num_warmup_steps": 4, "timescale": 9},
        inverse_sqrt(10.0, 4, offset=0, timescale=9),
        None,
    ),
    "get_cosine_with_min_lr_schedule_with_warmup": (
        {"num_warmup_steps": 2, "num_training_steps": 10, "min_lr": 1.0},
        warmup(cosine_annealing(10.0, 8, eta_min=1.0), 2, start_factor=0.0),
        None,
    ),
    "get_wsd_schedule": (
        {
            "num_warmup_steps": 2,
            "num_stable_steps": 3,
            "num_decay_steps": 4,
            "min_lr_ratio": 0.1,
        },
        warmup_stable_decay(10.0, 2, 3, 4, "cosine", start_factor=0.1, end_factor=0.1),
        None,
    ),
}


def _hf_rates(name: str, kwargs: dict, n: int) -> list[float]:
    import torch
    import transformers

    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=10.0)
    sched = getattr(transformers, name)(opt, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return record_rates(sched, n).tolist()


@pytest.mark.parametrize("name", list(HF))
def test_transformers_schedule_is_the_lrbook_expression(name):
    pytest.importorskip("transformers")
    kwargs, ours, published = HF[name]
    n = 16  # past num_training_steps: what each does after the end
    theirs = _hf_rates(name, kwargs, n)
    # Both are closed forms in float64; they differ by the order of a few roundings.
    _close(ours(np.arange(n)), theirs, rtol=1e-14, peak=10.0)
    if published is not None:
        np.testing.assert_allclose(ours(np.arange(10)), published, atol=1e-2)


# -------------------------------------------------------------------- Keras 3 (live)
def _keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("Keras runs on another backend in this process")
    return keras.optimizers.schedules


#: Keras' published tests (keras/src/optimizers/schedules/
#: learning_rate_schedule_test.py): one case per test method with values, the
#: Keras schedule built with that test's arguments, lrbook's expression, and the
#: steps compared (every step up to the largest the test looks at, and beyond).
KERAS = {
    "ExponentialDecay.test_continuous": (
        ("ExponentialDecay", (0.05, 10, 0.96), {}),
        exponential_decay(0.05, 0.96, decay_steps=10),
        range(0, 60),
    ),
    "ExponentialDecay.test_staircase": (
        ("ExponentialDecay", (0.1, 3, 0.96), {"staircase": True}),
        exponential_decay(0.1, 0.96, decay_steps=3, staircase=True),
        range(0, 120),
    ),
    "ExponentialDecay.test_variables": (
        ("ExponentialDecay", (0.1, 3, 0.96), {"staircase": True}),
        exponential_decay(0.1, 0.96, decay_steps=3, staircase=True),
        [1, 2, 100],
    ),
    # Keras switches *after* a boundary (step > b): lrbook's milestones are b + 1.
    "PiecewiseConstantDecay.test_piecewise_values": (
        ("PiecewiseConstantDecay", ([100, 110, 120], [1.0, 0.1, 0.01, 0.001]), {}),
        sequential(
            [constant(1.0), constant(0.1), constant(0.01), constant(0.001)],
            [101, 111, 121],
        ),
        range(0, 1000, 3),
    ),
    "PiecewiseConstantDecay.test_boundary_values": (
        ("PiecewiseConstantDecay", ([1, 2, 3], [0.4, 0.5, 0.6, 0.7]), {}),
        sequential([constant(v) for v in (0.4, 0.5, 0.6, 0.7)], [2, 3, 4]),
        range(0, 6),
    ),
    "PolynomialDecay.test_begin_with_cycle": (
        ("PolynomialDecay", (0.001, 10), {"cycle": True}),
        polynomial_decay(0.001, 10, end_lr=0.0001, cycle=True),
        range(0, 45),
    ),
    "InverseTimeDecay.test_decay": (
        ("InverseTimeDecay", (0.1, 10, 0.96), {}),
        inverse_time_decay(0.1, 0.96, decay_steps=10),
        range(0, 100),
    ),
    "InverseTimeDecay.test_staircase": (
        ("InverseTimeDecay", (0.1, 10, 0.96), {"staircase": True}),
        inverse_time_decay(0.1, 0.96, decay_steps=10, staircase=True),
        range(0, 100),
    ),
    "CosineDecay.test_decay": (
        ("CosineDecay", (1.0, 1000), {}),
        cosine_annealing(1.0, 1000, clamp=True),
        range(0, 1500, 5),
    ),
    "CosineDecay.test_alpha": (
        ("CosineDecay", (1.0, 1000), {"alpha": 0.1}),
        cosine_annealing(1.0, 1000, eta_min=0.1, clamp=True),
        range(0, 1500, 5),
    ),
    "CosineDecay.test_float64": (
        ("CosineDecay", (1.0, 1000), {"dtype": "float64"}),
        cosine_annealing(1.0, 1000, clamp=True),
        range(0, 1500, 5),
    ),
    # Keras' warm-up goes from initial_learning_rate (here 0) to warmup_target.
    "CosineDecay.test_warmup": (
        ("CosineDecay", (0.0, 10), {"warmup_target": 10.0, "warmup_steps": 1500}),
        warmup(cosine_annealing(10.0, 10, clamp=True), 1500, start_factor=0.0),
        range(0, 1600, 5),
    ),
    "CosineDecay.test_warmup_decay": (
        ("CosineDecay", (0.0, 1000), {"warmup_target": 10.0, "warmup_steps": 2000}),
        warmup(cosine_annealing(10.0, 1000, clamp=True), 2000, start_factor=0.0),
        range(0, 3000, 5),
    ),
    "CosineDecayRestarts.test_decay": (
        ("CosineDecayRestarts", (1.0, 1000), {}),
        cosine_warm_restarts(1.0, 1000, 2),
        range(0, 7500, 5),
    ),
    "CosineDecayRestarts.test_float64": (
        ("CosineDecayRestarts", (1.0, 1000), {"dtype": "float64"}),
        cosine_warm_restarts(1.0, 1000, 2),
        range(0, 7500, 5),
    ),
    "CosineDecayRestarts.test_alpha": (
        ("CosineDecayRestarts", (1.0, 1000), {"alpha": 0.1}),
        cosine_warm_restarts(1.0, 1000, 2, eta_min=0.1),
        range(0, 7500, 5),
    ),
    "CosineDecayRestarts.test_mmul": (
        ("CosineDecayRestarts", (1.0, 1000), {"m_mul": 0.9}),
        cosine_warm_restarts(1.0, 1000, 2, cycle_decay=0.9),
        range(0, 7500, 5),
    ),
    "CosineDecayRestarts.test_tmul": (
        ("CosineDecayRestarts", (1.0, 1000), {"t_mul": 1.0}),
        cosine_warm_restarts(1.0, 1000, 1),
        range(0, 3500, 5),
    ),
}
# LinearDecayTest and SqrtDecayTest: PolynomialDecay(0.05, 10, end_lr, power, cycle)
# at steps 5, 10, 15 (five tests each; power 1 and 0.5).
for _power, _cls in ((1.0, "LinearDecayTest"), (0.5, "SqrtDecayTest")):
    for _test, (_end, _cycle) in {
        "test_halfway": (0.0, False),
        "test_end": (0.001, False),
        "test_halfway_with_end": (0.001, False),
        "test_beyond_end": (0.001, False),
        "test_beyond_end_with_cycle": (0.001, True),
    }.items():
        KERAS[f"{_cls}.{_test}"] = (
            (
                "PolynomialDecay",
                (0.05, 10, _end),
                {"power": _power, "cycle": _cycle},
            ),
            polynomial_decay(0.05, 10, _power, end_lr=_end, cycle=_cycle),
            range(0, 40),
        )


@pytest.mark.parametrize("case", list(KERAS))
def test_keras_schedule_is_the_lrbook_expression(case):
    schedules = _keras()
    (cls, args, kwargs), ours, steps = KERAS[case]
    kwargs = dict(kwargs)
    dtype = kwargs.pop("dtype", None)
    if dtype == "float64":
        args = (np.float64(args[0]), *args[1:])
    sched = getattr(schedules, cls)(*args, **kwargs)
    theirs = [float(sched(step)) for step in steps]
    # Keras computes in float32 (float64 where the test asks for it).
    _close(ours(np.asarray(list(steps))), theirs, rtol=2e-6)


def test_keras_cases_are_the_28_published_tests():
    assert len(KERAS) == 28


# ------------------------------------------------------- optax (transcribed values)
# From google-deepmind/optax, optax/schedules/_schedule_test.py (commit 2edbcbe,
# August 2026). Each entry: the optax call, lrbook's expression, and the steps and
# values the test asserts (with its tolerance, atol=1e-3 unless noted). The
# expected values are the test's own, computed as the test computes them.


def _staircased(count, transition_steps, staircase):
    p = count / transition_steps
    return np.floor(p) if staircase else p


def _optax_cases():
    cases = {}
    cases["ConstantTest.test_constant"] = (
        constant(10.0),
        range(15),
        [10.0] * 15,
    )
    cases["PolynomialTest.test_linear"] = (
        polynomial_decay(10.0, 10, 1.0, end_lr=20.0),
        range(15),
        list(range(10, 20)) + [20] * 5,
    )
    cases["PolynomialTest.test_zero_steps_schedule"] = (
        constant(10.0),  # transition_steps <= 0 holds init_value
        range(15),
        [10.0] * 15,
    )
    cases["PolynomialTest.test_nonlinear"] = (
        polynomial_decay(25.0, 10, 2.0, end_lr=10.0),
        range(15),
        [10.0 + 15.0 * (1.0 - n / 10) ** 2 for n in range(10)] + [10] * 5,
    )
    cases["PolynomialTest.test_with_decay_begin"] = (
        sequential([constant(30.0), polynomial_decay(30.0, 10, 2.0, end_lr=10.0)], [4]),
        range(20),
        [30.0] * 4 + [10.0 + 20.0 * (1.0 - n / 10) ** 2 for n in range(10)] + [10] * 6,
    )
    cases["PiecewiseConstantTest.test_positive"] = (
        sequential([constant(0.1), constant(0.2), constant(0.1)], [3, 6]),
        range(10),
        [0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1],
    )
    for staircase in (False, True):
        tag = f"[staircase={staircase}]"
        cases[f"ExponentialTest.test_constant_schedule{tag}"] = (
            exponential_decay(1.0, 1.0, decay_steps=15, staircase=staircase),
            range(15),
            [1.0] * 15,
        )
        cases[f"ExponentialTest.test_nonvalid_transition_steps{tag}"] = (
            constant(1.0),  # transition_steps <= 0: optax holds init_value
            range(15),
            [1.0] * 15,
        )
        cases[f"ExponentialTest.test_nonvalid_decay_rate{tag}"] = (
            constant(1.0),  # decay_rate == 0: optax holds init_value
            range(15),
            [1.0] * 15,
        )
        for begin in (0, 5):
            cases[f"ExponentialTest.test_exponential{tag}[begin={begin}]"] = (
                exponential_decay(
                    1.0,
                    2.0,
                    decay_steps=2,
                    staircase=staircase,
                    transition_begin=begin,
                ),
                range(15 + begin),
                [1.0] * begin
                + [2.0 ** _staircased(c, 2, staircase) for c in range(15)],
            )
        for rate, end in ((0.2, 0.1), (1.0, 0.1), (2.0, 3.0)):
            expected = np.array(
                [1.0] * 3 + [rate ** _staircased(c, 2, staircase) for c in range(11)]
            )
            bound = np.maximum if rate < 1.0 else np.minimum
            cases[f"ExponentialTest.test_end_value{tag}[{rate}, {end}]"] = (
                exponential_decay(
                    1.0,
                    rate,
                    decay_steps=2,
                    staircase=staircase,
                    transition_begin=3,
                    end_lr=end,
                ),
                range(14),
                bound(expected, end).tolist(),
            )
    cases["ExponentialTest.test_immutable_count"] = (
        exponential_decay(32.0, 0.5),
        range(5),
        [32, 16, 8, 4, 2],
    )
    cos = 0.5 + 0.5 * np.cos(np.pi * np.minimum(np.arange(12), 5) / 5)
    cases["CosineDecayTest.test_decay_count_smaller_count"] = (
        cosine_annealing(0.1, 10, clamp=True),
        range(10),
        (0.1 * (0.5 + 0.5 * np.cos(np.pi * np.arange(10) / 10))).tolist(),
    )
    cases["CosineDecayTest.test_decay_count_greater_count"] = (
        cosine_annealing(0.1, 5, clamp=True),
        range(12),
        (0.1 * cos).tolist(),
    )
    cases["CosineDecayTest.test_decay_count_greater_count_with_alpha"] = (
        cosine_annealing(0.1, 5, eta_min=0.01, clamp=True),
        range(12),
        (0.1 * (0.9 * cos + 0.1)).tolist(),
    )
    cases["CosineDecayTest.test_with_exponent"] = (  # rtol=1e-6, atol=1e-8
        cosine_annealing(0.1, 100, clamp=True, exponent=2.0),
        [0, 10, 50, 75, 100],
        [0.1, 0.09516553580760956, 0.025, 0.0021446612663567066, 0.0],
    )
    cases["CosineDecayTest.test_with_giant_int_steps"] = (
        cosine_annealing(1000.0, int(1e10), clamp=True),
        [int(1e9)],
        [975.52826],
    )
    for init, peak, end in ((10, 0.5, 1e-4), (5, 3, 0.0)):
        # warmup_cosine_decay_schedule(init, peak, warmup_steps=100,
        # decay_steps=1000, end_value): decay_steps includes the warm-up.
        # Its warm-up falls from init to peak here (init > peak): a linear ramp of
        # polynomial_decay.
        cases[f"WarmupCosineDecayTest.test_limits[{init}, {peak}, {end}]"] = (
            sequential(
                [
                    polynomial_decay(float(init), 100, end_lr=float(peak)),
                    cosine_annealing(float(peak), 900, eta_min=end, clamp=True),
                ],
                [100],
            ),
            [0, 100, 1000],
            [init, peak, end],
        )
    for lrs in ((1.6, 0.8, 0.4), (1.6, 1.6, 1.6)):
        # sgdr_schedule: three warmup_cosine_decay cycles (2000, 3000, 5000 steps,
        # 500 of warm-up from 0 each); the test reads the peaks at 500, 2500, 5500.
        parts = [
            warmup(
                cosine_annealing(lr, length - 500, clamp=True), 500, start_factor=0.0
            )
            for lr, length in zip(lrs, (2000, 3000, 5000), strict=True)
        ]
        cases[f"SGDRTest.test_limits{list(lrs)}"] = (
            sequential(parts, [2000, 5000]),
            [500, 2500, 5500],
            list(lrs),
        )
    cases["PiecewiseInterpolateTest.test_linear_piecewise"] = (
        sequential(
            [
                polynomial_decay(200.0, 5, end_lr=300.0),
                polynomial_decay(300.0, 5, end_lr=75.0),
            ],
            [5],
        ),
        range(13),
        [200, 220, 240, 260, 280, 300, 255, 210, 165, 120, 75, 75, 75],
    )
    cases["PiecewiseInterpolateTest.test_cos_piecewise"] = (
        sequential(
            [
                cosine_annealing(400.0, 3, eta_min=240.0, clamp=True),
                cosine_annealing(240.0, 2, eta_min=288.0, clamp=True),
            ],
            [3],
        ),
        range(9),
        [400, 360, 280, 240, 264, 288, 288, 288, 288],
    )
    cases["PiecewiseInterpolateTest.test_empty_dict"] = (
        constant(13.0),
        range(5),
        [13.0] * 5,
    )
    cases["PiecewiseInterpolateTest.test_no_dict"] = (
        constant(17.0),
        range(3),
        [17.0] * 3,
    )
    cases["PiecewiseInterpolateTest.test_zero_interval_size"] = (
        polynomial_decay(26.0, 5, end_lr=78.0),
        [0, 5],
        [26.0, 78.0],
    )
    # linear_onecycle_schedule(10, 1000, pct_start=0.3, pct_final=0.7, 10, 100):
    # three linear pieces through 100, 1000, 100, 1 at steps 0, 3, 7, 10.
    cases["OneCycleTest.test_linear"] = (
        sequential(
            [
                linear(1000.0, 0.1, 1.0, 3),
                linear(1000.0, 1.0, 0.1, 4),
                linear(1000.0, 0.1, 0.001, 3),
            ],
            [3, 7],
        ),
        range(12),
        [100, 400, 700, 1000, 775, 550, 325, 100, 67, 34, 1, 1],
    )
    # cosine_onecycle_schedule(5, 1000, pct_start=0.4, 10, 100): PyTorch's one
    # cycle of 6 steps (phases end at 0.5 * 6 - 1 = 2 and 5), then the end value.
    cases["OneCycleTest.test_cosine"] = (
        sequential(
            [
                one_cycle(1000.0, 6, 0.5, div_factor=10.0, final_div_factor=100.0),
                constant(1.0),
            ],
            [6],
        ),
        range(7),
        [100.0, 550.0, 1000.0, 750.25, 250.75, 1.0, 1.0],
    )
    return cases


OPTAX = _optax_cases()

#: optax's published cases that lrbook refuses by design (negative rates).
OPTAX_REFUSED = {
    "PiecewiseConstantTest.test_negative": lambda: constant(-0.1),
    "WarmupCosineDecayTest.test_with_exponent": lambda: cosine_annealing(
        1.21, 50, eta_min=-3.0
    ),
    "WarmupCosineDecayTest.test_zero_peak_value": lambda: cosine_annealing(
        0.0, 50, eta_min=-3.0
    ),
}


@pytest.mark.parametrize("case", list(OPTAX))
def test_optax_published_values(case):
    ours, steps, expected = OPTAX[case]
    if "exponent" in case or "giant" in case:
        tolerance = {"rtol": 1e-6, "atol": 1e-8}
    else:
        tolerance = {"atol": 1e-3}
    np.testing.assert_allclose(ours(np.asarray(list(steps))), expected, **tolerance)


@pytest.mark.parametrize("case", list(OPTAX_REFUSED))
def test_optax_negative_rates_are_refused(case):
    with pytest.raises(ValueError, match=r"must be >= 0"):
        OPTAX_REFUSED[case]()


def test_optax_monotonicity_and_exponent_ordering():
    # WarmupCosineDecayTest.test_monotonicity_and_exponent_ordering: init 0, peak 1,
    # end 0.1, warm-up 5 steps, decay_steps 25 (warm-up included).
    def make(p):
        return warmup(
            cosine_annealing(1.0, 20, eta_min=0.1, clamp=True, exponent=p),
            5,
            start_factor=0.0,
        )

    v, v2 = make(1.0)(np.arange(26)), make(2.0)(np.arange(26))
    assert np.all(np.diff(v[:6]) > 0) and v[5] == pytest.approx(1.0, abs=1e-6)
    assert np.all(np.diff(v[5:]) <= 0) and v[-1] == pytest.approx(0.1, abs=1e-6)
    assert np.all(v2[5:] <= v[5:] + 1e-12)


# --------------------------------------------------------- timm (transcribed values)
# From huggingface/pytorch-image-models, tests/test_scheduler.py (commit aa4b585).
# timm steps per epoch by default, scheduler.step(epoch) setting the rate of that
# epoch: lrbook's t is timm's epoch.
TIMM = {
    # CosineLRScheduler(t_initial=100, lr_min=0.001): held at lr_min after 100.
    "TestCosineScheduler.test_cosine_decay": (
        cosine_annealing(0.1, 100, eta_min=0.001, clamp=True),
        [0, 50, 100],
        [0.1, 0.001 + 0.5 * (0.1 - 0.001) * (1 + math.cos(math.pi * 0.5)), 0.001],
        1e-5,
    ),
    # cycle_limit=2: two cycles of 50, then lr_min.
    "TestCosineScheduler.test_cosine_cycles": (
        sequential(
            [cosine_warm_restarts(0.1, 50, 1, eta_min=0.001), constant(0.001)], [100]
        ),
        list(range(100, 110)),
        [0.001] * 10,
        1e-5,
    ),
    # StepLRScheduler(decay_t=10, decay_rate=0.5)
    "TestStepScheduler.test_step_decay": (
        step_decay(0.1, 10, 0.5),
        [9, 10, 20],
        [0.1, 0.05, 0.025],
        1e-5,
    ),
    # MultiStepLRScheduler(decay_t=[10, 20, 30], decay_rate=0.5)
    "TestMultiStepScheduler.test_multistep_decay": (
        multistep_decay(0.1, [10, 20, 30], 0.5),
        [8, 11, 21, 31],
        [0.1, 0.05, 0.025, 0.0125],
        1e-5,
    ),
    # PolyLRScheduler(t_initial=100, lr_min=0.001, power=1)
    "TestPolyScheduler.test_poly_decay": (
        polynomial_decay(0.1, 100, 1.0, end_lr=0.001),
        [0, 100],
        [0.1, 0.001],
        1e-5,
    ),
}


@pytest.mark.parametrize("case", list(TIMM))
def test_timm_published_values(case):
    ours, steps, expected, rtol = TIMM[case]
    np.testing.assert_allclose(ours(np.asarray(steps)), expected, rtol=rtol)
    if case == "TestCosineScheduler.test_cosine_cycles":
        assert ours(49) < 0.05  # "significantly lower near the end of the cycle"


def test_every_expression_is_a_public_lrbook_call():
    for table in (HF, KERAS, OPTAX, TIMM):
        for row in table.values():
            s = row[1] if table in (HF, KERAS) else row[0]
            again = eval(repr(s), vars(lrbook))
            assert repr(again) == repr(s)


# ------------------------------------------- the book's page: every table row is backed
PAGE = os.path.join(os.path.dirname(__file__), "..", "..", "book", "other-libraries.md")

#: The names the page's table gives each library's schedules, and the test cases
#: above that back them (keys of HF, KERAS, OPTAX, TIMM, by prefix).
COLUMNS = {"lrbook", "PyTorch", "Hugging Face", "timm", "optax", "Keras"}
HF_TRAINER = {  # lr_scheduler_type -> the get_*_schedule* function it calls
    "constant": "get_constant_schedule",
    "constant_with_warmup": "get_constant_schedule_with_warmup",
    "linear": "get_linear_schedule_with_warmup",
    "cosine": "get_cosine_schedule_with_warmup",
    "cosine_with_restarts": "get_cosine_with_hard_restarts_schedule_with_warmup",
    "polynomial": "get_polynomial_decay_schedule_with_warmup",
    "inverse_sqrt": "get_inverse_sqrt_schedule",
    "cosine_with_min_lr": "get_cosine_with_min_lr_schedule_with_warmup",
    "warmup_stable_decay": "get_wsd_schedule",
}
OPTAX_NAMES = {
    "constant_schedule": "ConstantTest",
    "polynomial_schedule": "PolynomialTest",
    "piecewise_constant_schedule": "PiecewiseConstantTest",
    "exponential_decay": "ExponentialTest",
    "cosine_decay_schedule": "CosineDecayTest",
    "warmup_cosine_decay_schedule": "WarmupCosineDecayTest",
    "sgdr_schedule": "SGDRTest",
    "piecewise_interpolate_schedule": "PiecewiseInterpolateTest",
    "linear_onecycle_schedule": "OneCycleTest.test_linear",
    "cosine_onecycle_schedule": "OneCycleTest.test_cosine",
}
TIMM_NAMES = {
    "CosineLRScheduler": "TestCosineScheduler",
    "StepLRScheduler": "TestStepScheduler",
    "MultiStepLRScheduler": "TestMultiStepScheduler",
    "PolyLRScheduler": "TestPolyScheduler",
}


def _page_tables() -> dict[str, dict[str, list[str]]]:
    """{shape: {column: [backticked names]}} from the page's tables (one row per
    shape in each, a column per library)."""
    with open(PAGE, encoding="utf-8") as f:
        text = f.read()
    rows: dict[str, dict[str, list[str]]] = {}
    header = None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            plain = [re.sub(r"\(.*?\)", "", c) for c in cells]
            header = [re.sub(r"`[^`]*`", "", c).strip() or c.strip("` ") for c in plain]
            continue
        if set(line) <= set("|-: "):
            continue
        row = rows.setdefault(cells[0], {})
        for column, cell in zip(header[1:], cells[1:], strict=True):
            row[column] = [m.split("(")[0] for m in re.findall(r"`([^`]+)`", cell)]
    return rows


def _expressions(table: dict, prefix: str) -> list[str]:
    hits = [
        repr(row[1] if table in (HF, KERAS) else row[0])
        for key, row in table.items()
        if key == prefix or key.startswith(prefix + ".") or key.startswith(prefix + "[")
    ]
    assert hits, f"no test case for {prefix}"
    return hits


def _keras_expressions(cls: str) -> list[str]:
    hits = [repr(row[1]) for row in KERAS.values() if row[0][0] == cls]
    assert hits, f"no Keras test case for {cls}"
    return hits


def test_every_row_of_the_page_is_backed_by_a_translation_test():
    import torch.optim.lr_scheduler as tls

    rows = _page_tables()
    assert len(rows) == 10, sorted(rows)
    declared = {
        d.pytorch for d in lrbook.schedules.registry.declarations() if d.pytorch
    }
    backed = 0
    for shape, row in rows.items():
        assert set(row) == COLUMNS, f"{shape}: columns {sorted(row)}"
        ours = row["lrbook"]
        assert ours, f"{shape}: no lrbook call"
        for name in ours:
            assert callable(getattr(lrbook, name, None)), f"{shape}: lrbook.{name}"
        for name in row["PyTorch"]:
            assert hasattr(tls, name) and name in declared, f"{shape}: {name}"
        expressions = {
            "Hugging Face": [
                _expressions(HF, HF_TRAINER[n]) for n in row["Hugging Face"]
            ],
            "optax": [_expressions(OPTAX, OPTAX_NAMES[n]) for n in row["optax"]],
            "timm": [_expressions(TIMM, TIMM_NAMES[n]) for n in row["timm"]],
            "Keras": [_keras_expressions(n) for n in row["Keras"]],
        }
        for library, per_name in expressions.items():
            for name, reprs in zip(row[library], per_name, strict=True):
                # Some published case of that name is written with the row's calls.
                assert any(any(f"{f}(" in r for f in ours) for r in reprs), (
                    f"{shape}: {library} {name} is not written with {ours}"
                )
                backed += 1
    assert backed >= 25


def test_the_page_names_transformers_own_scheduler_types():
    pytest.importorskip("transformers")
    from transformers.optimization import TYPE_TO_SCHEDULER_FUNCTION

    functions = {t.value: f.__name__ for t, f in TYPE_TO_SCHEDULER_FUNCTION.items()}
    for trainer_name, function in HF_TRAINER.items():
        assert functions[trainer_name] == function
        assert function in HF
