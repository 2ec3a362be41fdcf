"""lrbook.schedules: exact values, properties, bad input, and parity with PyTorch."""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lrbook
from lrbook.schedules import Schedule, registry
from lrbook.torch_bridge import torch_reference

RTOL = 1e-9
# Random exploration locally; the same fixed examples on every CI run.
IN_CI = bool(os.environ.get("CI"))

# --------------------------------------------------------------------------- strategies
lrs = st.floats(1e-5, 10.0)
gammas = st.floats(0.05, 1.0)
small_ints = st.integers(1, 60)


@st.composite
def step_decays(draw):
    return lrbook.step_decay(draw(lrs), draw(small_ints), draw(gammas))


@st.composite
def multistep_decays(draw):
    ms = sorted(draw(st.sets(st.integers(0, 2500), min_size=1, max_size=6)))
    return lrbook.multistep_decay(draw(lrs), ms, draw(gammas))


@st.composite
def exponential_decays(draw):
    lr, gamma = draw(lrs), draw(st.floats(0.99, 1.0))
    if draw(st.booleans()):
        return lrbook.exponential_decay(lr, gamma)
    return lrbook.exponential_decay(  # the Keras/optax options (a LambdaLR)
        lr,
        draw(st.floats(0.5, 1.0)),
        decay_steps=draw(st.integers(1, 50)),
        staircase=draw(st.booleans()),
        transition_begin=draw(st.integers(0, 100)),
        end_lr=draw(st.none() | st.floats(0.0, 1.0).map(lambda f: f * lr)),
    )


@dataclass(frozen=True)
class Factor:
    """A factor function of the step for ``lrbook.multiplicative`` (PyTorch's
    ``lr_lambda``), in a few families, with a readable repr for failing examples."""

    kind: str
    gamma: float
    other: float = 1.0
    period: int = 1

    def __call__(self, i: int) -> float:
        if self.kind == "constant":  # ExponentialLR
            return self.gamma
        if self.kind == "two_phase":  # a fast decay, then a slow one
            return self.gamma if i <= self.period else self.other
        if self.kind == "every":  # StepLR(period, gamma)
            return self.gamma if i % self.period == 0 else 1.0
        if self.kind == "harmonic":  # 1 - 1/(i + period): inverse-time, chainable
            return 1.0 - 1.0 / (i + self.period)
        raise AssertionError(self.kind)


@st.composite
def factors(draw):
    kind = draw(st.sampled_from(["constant", "two_phase", "every", "harmonic"]))
    if kind == "constant":
        return Factor(kind, draw(st.floats(0.99, 1.0)))
    if kind == "two_phase":
        return Factor(
            kind,
            draw(st.floats(0.5, 1.0)),
            draw(st.floats(0.99, 1.0)),
            draw(st.integers(1, 300)),
        )
    if kind == "every":
        return Factor(kind, draw(gammas), period=draw(small_ints))
    return Factor(kind, 1.0, period=draw(st.integers(2, 100)))


@st.composite
def multiplicatives(draw):
    return lrbook.multiplicative(draw(lrs), draw(factors()))


@st.composite
def linears(draw):
    return lrbook.linear(
        draw(lrs),
        draw(st.just(0.0) | st.floats(0.01, 1.0)),
        draw(st.floats(0.0, 1.0)),
        draw(st.integers(1, 500)),
    )


@st.composite
def cosines(draw, options=True):
    lr = draw(lrs)
    args = (lr, draw(st.integers(1, 2000)), draw(st.floats(0.0, 1.0)) * lr)
    if options and draw(st.booleans()):
        return lrbook.cosine_annealing(
            *args,
            clamp=draw(st.booleans()),
            exponent=draw(st.sampled_from([1.0, 2.0]) | st.floats(0.5, 3.0)),
        )
    return lrbook.cosine_annealing(*args)


@st.composite
def warm_restarts(draw):
    lr = draw(lrs)
    return lrbook.cosine_warm_restarts(
        lr,
        draw(st.integers(1, 200)),
        draw(st.integers(1, 4)),
        draw(st.floats(0.0, 1.0)) * lr,
        cycle_decay=draw(st.just(1.0) | st.floats(0.3, 1.0)),
    )


@st.composite
def cyclics(draw):
    base = draw(lrs)
    up = draw(st.integers(1, 400))
    down = draw(st.none() | st.integers(1, 400))
    mode = draw(st.sampled_from(["triangular", "triangular2", "exp_range"]))
    gamma = draw(st.floats(0.999, 1.0)) if mode == "exp_range" else 1.0
    return lrbook.cyclic(base, base * draw(st.floats(1.0, 20.0)), up, down, mode, gamma)


@st.composite
def one_cycles(draw):
    three = draw(st.booleans())
    total = draw(st.integers(4, 4000))
    hi = 0.49 if three else 0.95
    pct = draw(st.floats(1.5 / total, hi).filter(lambda p: p * total > 1))
    return lrbook.one_cycle(
        draw(lrs),
        total,
        pct,
        draw(st.sampled_from(["cos", "linear"])),
        draw(st.floats(1.0, 100.0)),
        draw(st.floats(1.0, 1e5)),
        three,
    )


@st.composite
def sequentials(draw):
    lr = draw(lrs)
    makers = [
        lambda: lrbook.linear(
            lr, draw(st.floats(0.01, 1.0)), 1.0, draw(st.integers(1, 200))
        ),
        lambda: lrbook.cosine_annealing(lr, draw(st.integers(1, 800))),
        lambda: lrbook.exponential_decay(lr, draw(st.floats(0.99, 1.0))),
        lambda: lrbook.step_decay(lr, draw(small_ints), draw(gammas)),
        lambda: lrbook.multistep_decay(lr, [draw(st.integers(0, 300))], draw(gammas)),
        lambda: lrbook.cosine_warm_restarts(
            lr, draw(st.integers(1, 100)), draw(st.integers(1, 3))
        ),
        lambda: lrbook.constant_factor(
            lr, draw(st.floats(0.01, 1.0)), draw(st.integers(1, 200))
        ),
        lambda: lrbook.polynomial_decay(
            lr, draw(st.integers(1, 800)), draw(st.floats(0.1, 4.0))
        ),
    ]
    k = draw(st.integers(2, 4))
    parts = [makers[draw(st.integers(0, len(makers) - 1))]() for _ in range(k)]
    ms = sorted(draw(st.sets(st.integers(1, 2500), min_size=k - 1, max_size=k - 1)))
    return lrbook.sequential(parts, ms)


@st.composite
def inverse_times(draw):
    return lrbook.inverse_time_decay(
        draw(lrs),
        draw(st.floats(0.0, 2.0)),
        decay_steps=draw(st.integers(1, 100)),
        staircase=draw(st.booleans()),
    )


@st.composite
def constant_factors(draw):
    return lrbook.constant_factor(
        draw(lrs), draw(st.floats(0.01, 1.0)), draw(st.integers(1, 500))
    )


@st.composite
def polynomials(draw):
    lr = draw(lrs)
    args = (lr, draw(st.integers(1, 2000)), draw(st.floats(0.1, 4.0)))
    if draw(st.booleans()):
        return lrbook.polynomial_decay(*args)
    return lrbook.polynomial_decay(
        *args, end_lr=draw(st.floats(0.0, 1.0)) * lr, cycle=draw(st.booleans())
    )


def _multiplicative(draw, lr):
    """One schedule PyTorch's ChainedScheduler multiplies exactly."""
    makers = [
        lambda: lrbook.step_decay(lr, draw(small_ints), draw(gammas)),
        lambda: lrbook.multistep_decay(lr, [draw(st.integers(0, 300))], draw(gammas)),
        lambda: lrbook.exponential_decay(lr, draw(st.floats(0.99, 1.0))),
        lambda: lrbook.linear(
            lr,
            draw(st.floats(0.01, 1.0)),
            draw(st.floats(0.0, 1.0)),
            draw(st.integers(1, 300)),
        ),
        lambda: lrbook.constant_factor(
            lr, draw(st.floats(0.01, 1.0)), draw(st.integers(1, 300))
        ),
        lambda: lrbook.polynomial_decay(
            lr, draw(st.integers(1, 2000)), draw(st.floats(0.1, 4.0))
        ),
        lambda: lrbook.cosine_annealing(lr, draw(st.integers(1, 2000))),
        lambda: lrbook.multiplicative(lr, draw(factors())),
    ]
    return makers[draw(st.integers(0, len(makers) - 1))]()


@st.composite
def chaineds(draw):
    lr = draw(lrs)
    return lrbook.chained(
        [_multiplicative(draw, lr) for _ in range(draw(st.integers(1, 3)))]
    )


@st.composite
def warmups(draw):
    lr = draw(lrs)
    inner = draw(
        st.sampled_from(["constant", "cosine", "exponential", "polynomial", "step"])
    )
    after = {
        "constant": lambda: lrbook.constant(lr),
        "cosine": lambda: lrbook.cosine_annealing(lr, draw(st.integers(1, 2000))),
        "exponential": lambda: lrbook.exponential_decay(lr, draw(st.floats(0.99, 1))),
        "polynomial": lambda: lrbook.polynomial_decay(lr, draw(st.integers(1, 2000))),
        "step": lambda: lrbook.step_decay(lr, draw(small_ints), draw(gammas)),
    }[inner]()
    return lrbook.warmup(after, draw(st.integers(1, 500)), draw(st.floats(0.01, 1.0)))


@st.composite
def wsds(draw):
    return lrbook.warmup_stable_decay(
        draw(lrs),
        draw(st.integers(0, 300)),
        draw(st.integers(0, 300)),
        draw(st.integers(1, 1000)),
        draw(st.sampled_from(["linear", "cosine", "1-sqrt"])),
        draw(st.just(0.0) | st.floats(0.01, 1.0)),
        draw(st.floats(0.0, 1.0)),
    )


@st.composite
def inverse_sqrts(draw):
    if draw(st.booleans()):
        return lrbook.inverse_sqrt(draw(lrs), draw(st.integers(1, 1000)))
    return lrbook.inverse_sqrt(  # Hugging Face's offset and timescale
        draw(lrs),
        draw(st.integers(0, 1000)),
        offset=draw(st.sampled_from([0, 1])),
        timescale=draw(st.integers(1, 10_000)),
    )


ALL = {
    "warmup_stable_decay": wsds(),
    "inverse_sqrt": inverse_sqrts(),
    "inverse_time_decay": inverse_times(),
    "constant_factor": constant_factors(),
    "polynomial_decay": polynomials(),
    "chained": chaineds(),
    "warmup": warmups(),
    "step_decay": step_decays(),
    "multistep_decay": multistep_decays(),
    "exponential_decay": exponential_decays(),
    "multiplicative": multiplicatives(),
    "linear": linears(),
    "cosine_annealing": cosines(),
    "cosine_warm_restarts": warm_restarts(),
    "cyclic": cyclics(),
    "one_cycle": one_cycles(),
    "sequential": sequentials(),
}

PARITY = settings(
    derandomize=IN_CI,
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _steps(s: Schedule, n: int = 3000) -> int:
    return n if s.max_step is None else min(n, s.max_step + 1)


#: PyTorch computes these rates in closed form with Python floats (CyclicLR,
#: OneCycleLR, CosineAnnealingWarmRestarts, the LambdaLRs of lrbook's declarations):
#: lrbook gives the same doubles, bit for bit, on every CPU.
CLOSED_FORM = {
    "cyclic",
    "one_cycle",
    "cosine_warm_restarts",
    "inverse_time_decay",
    "inverse_sqrt",
}


def ulp_bound(s: Schedule, t: np.ndarray) -> np.ndarray:
    """The stated bound for PyTorch's chainable schedulers, in ULPs of the peak rate.

    A chainable scheduler (StepLR, ExponentialLR, LinearLR, CosineAnnealingLR, ...)
    multiplies the previous rate by a factor at every step, and each multiplication
    rounds: after ``t`` steps it is within ``t + 1`` ULPs of the peak rate of the
    closed form. Past ``t_max`` PyTorch's cosine restarts from its trough, where its
    own rounding is amplified by up to about ``t_max ** 2 / 2`` as it climbs back:
    there the bound is ``(t + 1) * (1 + t_max ** 2)``. PolynomialLR's factor is a
    ratio raised to ``power``: the ratio's rounding (a few half-ULPs) is multiplied by
    ``power``, so each of its steps may round by up to ``1 + 2 * power`` ULPs
    (hypothesis found 8 ULPs at step 5 for ``power`` 3.99, beyond ``t + 1``).
    """
    inner = [s]
    t_maxes, powers = [], []
    while inner:
        part = inner.pop()
        inner += part.params.get("schedules", [])
        if "schedule" in part.params:
            inner.append(part.params["schedule"])
        if part.name == "cosine_annealing":
            t_maxes.append(part.params["t_max"])
        if part.name == "polynomial_decay":
            powers.append(part.params.get("power", 1.0))
    amplify = (1 + max(t_maxes, default=0) ** 2) * (1 + 2 * max(powers, default=0.0))
    return (t + 1.0) * amplify


#: PyTorch computes these step by step, and lrbook multiplies in the same order (its
#: factor is any function of the step, with no closed form): the same doubles too.
SAME_ORDER = {"multiplicative"}


def closed_form(s: Schedule) -> bool:
    """Whether PyTorch's scheduler for ``s`` computes its rate in closed form, as
    ``lr * factor(t)`` or as lrbook does (then lrbook equals it bit for bit)."""
    p = s.params
    if s.name == "cosine_warm_restarts":
        return "cycle_decay" not in p  # else a LambdaLR that divides by lr
    if s.name == "exponential_decay":
        return "decay_steps" in p  # Keras/optax options: LambdaLR
    if s.name == "polynomial_decay":
        return "end_lr" in p
    if s.name == "linear":
        return p["start_factor"] == 0  # LinearLR refuses 0: LambdaLR
    return s.name in CLOSED_FORM


def assert_matches_torch(s: Schedule, n: int = 3000) -> None:
    """Bit for bit where PyTorch computes in closed form; within :func:`ulp_bound`
    where it is chainable."""
    n = _steps(s, n)
    p = s.params
    if s.name == "cyclic" and p["mode"] == "triangular2":
        # PyTorch computes 2.0 ** (cycle - 1) in Python floats, which raises
        # OverflowError after cycle 1024; lrbook's amplitude just underflows to 0.
        n = min(
            n, 1000 * (p["step_size_up"] + (p["step_size_down"] or p["step_size_up"]))
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. PyTorch's own deprecation notes
        ref = torch_reference(s, n)
    ours = s(np.arange(n))
    if closed_form(s) or s.name in SAME_ORDER:
        mismatch = np.flatnonzero(ours != ref)
        assert mismatch.size == 0, (
            f"{s!r} differs from PyTorch's closed form at t={mismatch[:5].tolist()}:"
            f" {ours[mismatch[:5]].tolist()} != {ref[mismatch[:5]].tolist()}"
        )
        return
    peak = np.abs(ref).max()
    ulps = np.abs(ours - ref) / np.spacing(peak) if peak > 0 else np.abs(ours)
    bound = ulp_bound(s, np.arange(n))
    worst = int(np.argmax(ulps - bound))
    assert np.all(ulps <= bound), (
        f"{s!r}: {ulps[worst]:.0f} ULPs of the peak from PyTorch's chainable rate"
        f" at t={worst}, bound {bound[worst]:.0f}"
    )


# ------------------------------------------------------------------------------ parity
@pytest.mark.parametrize("name", sorted(ALL))
def test_parity_with_pytorch(name):
    @PARITY
    @given(ALL[name])
    def check(s):
        assert_matches_torch(s)

    check()


@pytest.mark.parametrize(
    "s",
    [
        # the known traps, pinned explicitly
        lrbook.cosine_annealing(0.1, t_max=10, eta_min=0.001),  # rises after t_max
        lrbook.cosine_annealing(0.1, t_max=1, eta_min=0.0),
        lrbook.cosine_warm_restarts(0.1, t_0=1, t_mult=2),  # t_mult > 1
        lrbook.cosine_warm_restarts(0.1, t_0=7, t_mult=3, eta_min=0.01),
        lrbook.cyclic(0.001, 0.1, 10, 3, "triangular"),
        lrbook.cyclic(0.001, 0.1, 10, 30, "triangular2"),
        lrbook.cyclic(
            0.001, 0.1, 10, 30, "exp_range", gamma=0.9995
        ),  # uses total steps
        # hypothesis found it: NumPy's AVX-512 power differs from Python's 0.9375**t
        lrbook.cyclic(0.0625, 0.1875, 1, mode="exp_range", gamma=0.9375),
        lrbook.one_cycle(0.1, 1000, 0.3, "cos"),
        lrbook.one_cycle(0.1, 1000, 0.3, "linear"),
        lrbook.one_cycle(0.1, 1000, 0.2, "cos", three_phase=True),
        lrbook.one_cycle(0.1, 7, 0.2, "linear", three_phase=True),
        lrbook.one_cycle(0.5, 2, 0.9),
        lrbook.multistep_decay(0.1, [0, 3, 4], 0.5),  # milestone at 0
        lrbook.exponential_decay(0.1, 1.0),
        lrbook.linear(0.1, 1.0, 0.0, 10),  # down to zero
        lrbook.constant_factor(0.1, 0.25, 1),
        lrbook.constant_factor(0.1, 1.0, 7),
        lrbook.multiplicative(0.1, Factor("constant", 0.999)),
        lrbook.multiplicative(0.1, Factor("every", 0.0, period=7)),  # rate 0 after 7
        lrbook.multiplicative(0.0, Factor("constant", 0.5)),
        lrbook.chained(
            [
                lrbook.multiplicative(0.1, Factor("two_phase", 0.9, 0.999, 20)),
                lrbook.cosine_annealing(0.1, 400),
            ]
        ),
        lrbook.polynomial_decay(0.1, 1, 1.0),
        lrbook.polynomial_decay(0.1, 100, 1.0),  # linear decay to zero
        lrbook.polynomial_decay(0.1, 100, 0.5),
        # hypothesis found it: the chained ratio**power rounds by more than 1 ULP
        lrbook.chained([lrbook.polynomial_decay(3.9375, 1664, 3.9856771885920392)]),
        lrbook.chained([lrbook.cosine_annealing(0.1, 50)]),
        lrbook.chained(
            [lrbook.cosine_annealing(0.1, 50), lrbook.exponential_decay(0.1, 0.99)]
        ),
        lrbook.chained(
            [lrbook.linear(0.1, 0.1, 1.0, 5), lrbook.multistep_decay(0.1, [0, 3], 0.5)]
        ),
        lrbook.chained([lrbook.polynomial_decay(0.1, 10), lrbook.linear(0.1, 0.5)]),
        lrbook.warmup(lrbook.constant(0.1), 10, 0.01),
        lrbook.warmup(lrbook.cosine_annealing(0.1, 90, eta_min=0.001), 10),
        lrbook.warmup(lrbook.cosine_warm_restarts(0.1, 10, 2), 3, 0.5),
    ],
    ids=repr,
)
def test_parity_known_traps(s):
    assert_matches_torch(s, n=5000)


def test_which_parity_is_exact():
    # Closed form in PyTorch: bit for bit. Chainable (the rest): within ulp_bound.
    chainable = {d.name for d in registry.declarations() if d.chain_refusal is not None}
    assert chainable.isdisjoint(CLOSED_FORM)
    assert CLOSED_FORM <= set(lrbook.schedules.FACTORY_NAMES)
    assert SAME_ORDER <= chainable


@PARITY
@given(cosines(options=False))
def test_chainable_cosine_is_within_t_plus_1_ulps_up_to_t_max(s):
    t_max = s.params["t_max"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = torch_reference(s, t_max + 1)
    t = np.arange(t_max + 1)
    ulps = np.abs(s(t) - ref) / np.spacing(s.params["lr"])
    assert np.all(ulps <= t + 1), repr(s)


def test_triangular2_past_cycle_1024_settles_at_base_lr():
    # PyTorch raises OverflowError here; the amplitude 2**-(c-1) is simply 0.
    s = lrbook.cyclic(0.01, 0.1, step_size_up=1, mode="triangular2")
    assert s(2 * 1100 + 1) == 0.01


def test_cosine_rises_again_after_t_max():
    s = lrbook.cosine_annealing(0.1, t_max=100, eta_min=0.0)
    assert s(100) == pytest.approx(0.0, abs=1e-18)
    assert s(150) == pytest.approx(0.05)
    assert s(200) == pytest.approx(0.1)


# ------------------------------------------------------------------- exact boundaries
def test_exact_values():
    assert lrbook.step_decay(0.1, 30, 0.5)(np.array([0, 29, 30, 59, 60])).tolist() == [
        0.1,
        0.1,
        0.05,
        0.05,
        0.025,
    ]
    m = lrbook.multistep_decay(1.0, [2, 5], 0.5)
    assert m(np.arange(7)).tolist() == [1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]
    w = lrbook.cosine_warm_restarts(1.0, t_0=2, t_mult=2)
    # periods [0,2) [2,6) [6,14): the rate is back at 1.0 at every restart
    restarts = [0, 2, 6, 14, 30, 62]
    assert w(np.array(restarts)).tolist() == [1.0] * len(restarts)
    assert w(4) == pytest.approx(0.5)
    oc = lrbook.one_cycle(1.0, 10, pct_start=0.5, div_factor=4.0, final_div_factor=2.0)
    assert oc(0) == 0.25 and oc(4) == 1.0 and oc(9) == 0.125
    lin = lrbook.linear(1.0, 0.5, 1.0, 4)
    assert lin(np.arange(6)).tolist() == [0.5, 0.625, 0.75, 0.875, 1.0, 1.0]


def test_one_cycle_last_step_is_min_lr():
    s = lrbook.one_cycle(0.3, 500)
    assert s(499) == pytest.approx(0.3 / 25 / 1e4, rel=1e-12)


# ------------------------------------------------------------------------- properties
@settings(max_examples=60, deadline=None, derandomize=IN_CI)
@given(
    st.one_of(*ALL.values()), st.lists(st.integers(0, 5000), min_size=1, max_size=20)
)
def test_scalar_equals_vectorised(s, ts):
    ts = [t for t in ts if s.max_step is None or t <= s.max_step] or [0]
    arr = s(np.array(ts))
    assert arr.dtype == np.float64 and arr.shape == (len(ts),)
    for t, v in zip(ts, arr, strict=True):
        x = s(t)
        assert type(x) is float
        assert x == v
    grid = np.array(ts).reshape(len(ts), 1)
    assert s(grid).shape == grid.shape


@settings(max_examples=60, deadline=None, derandomize=IN_CI)
@given(st.one_of(*ALL.values()))
def test_finite_nonnegative_and_bounded(s):
    n = _steps(s, 4000)
    v = s(np.arange(n))
    assert np.all(np.isfinite(v)) and np.all(v >= 0)
    p = s.params
    if s.name == "chained":
        p = p["schedules"][0].params
    elif s.name == "warmup":
        p = p["schedule"].params
    peak = p.get("lr", p.get("max_lr"))
    if s.name != "sequential":
        assert v.max() <= peak * (1 + 1e-12)


@settings(max_examples=40, deadline=None, derandomize=IN_CI)
@given(step_decays() | exponential_decays() | multistep_decays())
def test_decays_never_increase(s):
    v = s(np.arange(3000))
    assert np.all(np.diff(v) <= 0)


@settings(max_examples=40, deadline=None, derandomize=IN_CI)
@given(cyclics())
def test_cyclic_stays_within_bounds(s):
    v = s(np.arange(3000))
    p = s.params
    assert np.all(v >= p["base_lr"] * (1 - 1e-12))
    assert np.all(v <= p["max_lr"] * (1 + 1e-12))


def test_repr_round_trips():
    for s in [
        lrbook.step_decay(0.1, 30, 0.5),
        lrbook.cyclic(0.01, 0.1, 5, mode="exp_range", gamma=0.99),
        lrbook.sequential([lrbook.linear(0.1), lrbook.cosine_annealing(0.1, 10)], [5]),
    ]:
        again = eval(repr(s), vars(lrbook))
        assert repr(again) == repr(s)
        assert np.array_equal(again(np.arange(50)), s(np.arange(50)))


def test_docstrings_document_formula_and_pytorch():
    for name in lrbook.schedules.FACTORY_NAMES:
        doc = getattr(lrbook, name).__doc__
        assert ".. math::" in doc and "PyTorch equivalent" in doc and ">>>" in doc, name
    s = lrbook.step_decay(0.1, 10)
    assert "StepLR" in s.__doc__


def test_empty_array():
    out = lrbook.step_decay(0.1, 3)(np.array([], dtype=int))
    assert out.shape == (0,) and out.dtype == np.float64


def test_integral_float_steps_are_accepted():
    s = lrbook.exponential_decay(0.1, 0.5)
    assert s(2.0) == s(2) == 0.025
    assert s(np.array([0.0, 1.0])).tolist() == [0.1, 0.05]


# -------------------------------------------------------------------------- bad input
BAD_ARGS = [
    (lambda: lrbook.constant(-0.1), ValueError, "lr"),
    (lambda: lrbook.constant(float("nan")), ValueError, "lr"),
    (lambda: lrbook.constant(float("inf")), ValueError, "lr"),
    (lambda: lrbook.constant("0.1"), TypeError, "lr"),
    (lambda: lrbook.constant(True), TypeError, "lr"),
    (lambda: lrbook.step_decay(0.1, 0), ValueError, "step_size"),
    (lambda: lrbook.step_decay(0.1, 2.5), TypeError, "step_size"),
    (lambda: lrbook.step_decay(0.1, 10, gamma=0.0), ValueError, "gamma"),
    (lambda: lrbook.step_decay(0.1, 10, gamma=-0.5), ValueError, "gamma"),
    (lambda: lrbook.multistep_decay(0.1, [30, 10]), ValueError, "milestones"),
    (lambda: lrbook.multistep_decay(0.1, [10, 10]), ValueError, "milestones"),
    (lambda: lrbook.multistep_decay(0.1, [-1, 10]), ValueError, r"milestones\[0\]"),
    (lambda: lrbook.multistep_decay(0.1, 10), TypeError, "milestones"),
    (lambda: lrbook.exponential_decay(0.1, 0.0), ValueError, "gamma"),
    (lambda: lrbook.exponential_decay(0.1, float("nan")), ValueError, "gamma"),
    (lambda: lrbook.multiplicative(0.1, 0.9), TypeError, "factor must be a function"),
    (lambda: lrbook.multiplicative(-0.1, lambda i: 0.9), ValueError, "lr"),
    (lambda: lrbook.multiplicative(0.1, lambda i: -0.5), ValueError, r"factor\(1\)"),
    (lambda: lrbook.multiplicative(0.1, lambda i: math.nan), ValueError, "finite"),
    (lambda: lrbook.multiplicative(0.1, lambda i: "0.9"), TypeError, "real number"),
    (lambda: lrbook.multiplicative(0.1, lambda i: True), TypeError, "real number"),
    (lambda: lrbook.multiplicative(0.1, lambda: 0.9), TypeError, "positional"),
    (
        lambda: lrbook.multiplicative(0.1, lambda i: 0.9 if i < 5 else math.inf)(9),
        ValueError,
        r"factor\(5\) = inf",
    ),
    (
        lambda: lrbook.multiplicative(0.1, lambda i: 2.0)(2000),
        ValueError,
        "not a finite number",
    ),
    (
        lambda: lrbook.multiplicative(0.1, lambda i: 0.9)(2**24 + 1),
        ValueError,
        r"t = 2\*\*24",
    ),
    (lambda: lrbook.linear(0.1, start_factor=-0.1), ValueError, "start_factor"),
    (lambda: lrbook.linear(0.1, end_factor=1.5), ValueError, "end_factor"),
    (lambda: lrbook.linear(0.1, total_iters=0), ValueError, "total_iters"),
    (lambda: lrbook.cosine_annealing(0.1, t_max=0), ValueError, "t_max"),
    (lambda: lrbook.cosine_annealing(0.1, t_max=10, eta_min=-1), ValueError, "eta_min"),
    (lambda: lrbook.cosine_warm_restarts(0.1, t_0=0), ValueError, "t_0"),
    (lambda: lrbook.cosine_warm_restarts(0.1, t_0=5, t_mult=0), ValueError, "t_mult"),
    (lambda: lrbook.cosine_warm_restarts(0.1, t_0=5, t_mult=1.5), TypeError, "t_mult"),
    (lambda: lrbook.cyclic(0.1, 0.01), ValueError, "max_lr"),
    (lambda: lrbook.cyclic(0.01, 0.1, step_size_up=0), ValueError, "step_size_up"),
    (lambda: lrbook.cyclic(0.01, 0.1, step_size_down=0), ValueError, "step_size_down"),
    (lambda: lrbook.cyclic(0.01, 0.1, mode="sine"), ValueError, "mode"),
    (lambda: lrbook.cyclic(0.01, 0.1, gamma=0), ValueError, "gamma"),
    (lambda: lrbook.one_cycle(0.1, 0), ValueError, "total_steps"),
    (lambda: lrbook.one_cycle(0.0, 100), ValueError, "max_lr"),
    (lambda: lrbook.one_cycle(0.1, 100, pct_start=0.0), ValueError, "pct_start"),
    (lambda: lrbook.one_cycle(0.1, 100, pct_start=1.0), ValueError, "pct_start"),
    (
        lambda: lrbook.one_cycle(0.1, 100, pct_start=0.6, three_phase=True),
        ValueError,
        "pct_start",
    ),
    (lambda: lrbook.one_cycle(0.1, 10, pct_start=0.1), ValueError, "pct_start"),
    (
        lambda: lrbook.one_cycle(0.1, 100, anneal_strategy="cosine"),
        ValueError,
        "anneal_strategy",
    ),
    (lambda: lrbook.one_cycle(0.1, 100, div_factor=0), ValueError, "div_factor"),
    (
        lambda: lrbook.one_cycle(0.1, 100, final_div_factor=-1),
        ValueError,
        "final_div_factor",
    ),
    (lambda: lrbook.one_cycle(0.1, 100, three_phase="yes"), TypeError, "three_phase"),
    # the options that translate other libraries' schedules (issue 26)
    (lambda: lrbook.exponential_decay(0.1, 0.9, 10), TypeError, "positional"),
    (lambda: lrbook.inverse_time_decay(0.1, 10, 0.96), TypeError, "positional"),
    (
        lambda: lrbook.exponential_decay(0.1, 0.9, decay_steps=0),
        ValueError,
        "decay_steps",
    ),
    (lambda: lrbook.exponential_decay(0.1, 0.9, staircase=1), TypeError, "staircase"),
    (
        lambda: lrbook.exponential_decay(0.1, 0.9, transition_begin=-1),
        ValueError,
        "transition_begin",
    ),
    (lambda: lrbook.exponential_decay(0.1, 0.9, end_lr=-1.0), ValueError, "end_lr"),
    (lambda: lrbook.polynomial_decay(0.1, 10, end_lr=-0.1), ValueError, "end_lr"),
    (lambda: lrbook.polynomial_decay(0.0, 10, end_lr=0.1), ValueError, "end_lr"),
    (lambda: lrbook.polynomial_decay(0.1, 10, cycle="yes"), TypeError, "cycle"),
    (lambda: lrbook.cosine_annealing(0.1, 10, clamp=1), TypeError, "clamp"),
    (lambda: lrbook.cosine_annealing(0.1, 10, exponent=0.0), ValueError, "exponent"),
    (
        lambda: lrbook.cosine_warm_restarts(0.1, 10, cycle_decay=0.0),
        ValueError,
        "cycle_decay",
    ),
    (lambda: lrbook.inverse_sqrt(0.1, 10, offset=2), ValueError, "offset"),
    (lambda: lrbook.inverse_sqrt(0.1, 0), ValueError, "timescale"),
    (lambda: lrbook.inverse_sqrt(0.1, 5, timescale=0), ValueError, "timescale"),
    (lambda: lrbook.sequential([lrbook.constant(0.1)], []), ValueError, "schedules"),
    (
        lambda: lrbook.sequential([lrbook.constant(0.1), lambda t: 0.1], [5]),
        TypeError,
        r"schedules\[1\]",
    ),
    (
        lambda: lrbook.sequential([lrbook.constant(0.1)] * 2, [5, 6]),
        ValueError,
        "milestones",
    ),
    (
        lambda: lrbook.sequential([lrbook.constant(0.1)] * 3, [6, 5]),
        ValueError,
        "milestones",
    ),
    (
        lambda: lrbook.sequential([lrbook.constant(0.1)] * 2, [0]),
        ValueError,
        "milestones",
    ),
    (
        lambda: lrbook.sequential(
            [lrbook.one_cycle(0.1, 10), lrbook.constant(0.1)], [20]
        ),
        ValueError,
        "defined for 10 steps",
    ),
]


@pytest.mark.parametrize("make, error, match", BAD_ARGS)
def test_bad_arguments_raise_clear_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize(
    "t",
    [
        -1,
        1.5,
        float("nan"),
        float("inf"),
        "3",
        None,
        True,
        [0, -2],
        np.array([0.5]),
        np.array([1 + 2j]),
        [[0], ["a"]],
    ],
)
def test_bad_steps_raise_value_error(t):
    with pytest.raises(ValueError, match="t must be|t="):
        lrbook.cosine_annealing(0.1, 10)(t)


def test_one_cycle_rejects_steps_past_the_end():
    s = lrbook.one_cycle(0.1, 100)
    assert s(99) > 0
    with pytest.raises(ValueError, match=r"0\.\.99, got t=100"):
        s(100)
    with pytest.raises(ValueError, match="t=100"):
        s(np.arange(101))


def test_overflow_is_an_error_not_inf():
    s = lrbook.exponential_decay(1.0, gamma=1.5)
    assert s(10) == pytest.approx(1.5**10)
    with pytest.raises(ValueError, match="not a finite number at step t=1751"):
        s(np.arange(5000))


def test_params_are_a_copy():
    s = lrbook.multistep_decay(0.1, [5, 10])
    s.params["milestones"].append(1)
    s.params["lr"] = 5
    assert s(0) == 0.1 and s(10) == pytest.approx(0.001)
    assert math.isclose(s(np.arange(20))[-1], 0.001)


def test_per_epoch_matches_pytorch_stepped_once_per_epoch():
    inner = lrbook.cosine_annealing(0.1, t_max=7, eta_min=0.001)
    s = lrbook.per_epoch(inner, steps_per_epoch=5)
    ref = torch_reference(inner, 12)  # one PyTorch scheduler.step() per epoch
    np.testing.assert_allclose(s(np.arange(60)), np.repeat(ref, 5), rtol=RTOL)
    oc = lrbook.per_epoch(lrbook.one_cycle(0.1, 10), 4)
    assert oc.max_step == 39
    with pytest.raises(ValueError, match="t=40"):
        oc(40)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        lrbook.per_epoch(inner, 0)
    with pytest.raises(TypeError, match="schedule must be a Schedule"):
        lrbook.per_epoch(lambda t: 0.1, 3)


def test_gamma_for_and_half_life():
    g = lrbook.gamma_for(0.1, 0.001, 100)
    assert lrbook.exponential_decay(0.1, g)(100) == pytest.approx(0.001, rel=1e-12)
    s = lrbook.exponential_decay(1.0, 0.9)
    assert s(0) * 0.5 == pytest.approx(0.9 ** lrbook.half_life(0.9), rel=1e-12)
    with pytest.raises(ValueError, match="gamma"):
        lrbook.half_life(1.0)
    with pytest.raises(ValueError, match="lr_end"):
        lrbook.gamma_for(0.1, 0.0, 10)
    with pytest.raises(ValueError, match="steps"):
        lrbook.gamma_for(0.1, 0.01, 0)


def test_inverse_time_decay_bad_arguments():
    with pytest.raises(ValueError, match="decay_rate"):
        lrbook.inverse_time_decay(0.1, -1.0)
    with pytest.raises(ValueError, match="decay_steps"):
        lrbook.inverse_time_decay(0.1, 1.0, decay_steps=0)
    with pytest.raises(TypeError, match="staircase"):
        lrbook.inverse_time_decay(0.1, 1.0, decay_steps=1, staircase=1)


@pytest.mark.parametrize(
    "t", [2**63, np.uint64(2**64 - 1), 1e300, 2**70, np.array([0, 2**60])]
)
def test_huge_steps_are_refused_not_wrapped(t):
    with pytest.raises(ValueError, match=r"t must be <= 2\*\*53"):
        lrbook.cosine_annealing(0.1, 10)(t)


def test_zero_rate_stays_zero_where_the_factor_overflows():
    assert lrbook.exponential_decay(0.0, 2.0)(2000) == 0.0
    assert lrbook.step_decay(0.0, 1, 2.0)(np.arange(3000)).max() == 0.0
    flat = lrbook.cyclic(0.1, 0.1, 5, mode="exp_range", gamma=1.5)
    assert flat(np.arange(3000)).tolist() == [0.1] * 3000


def test_warm_restarts_with_a_huge_t_mult():
    s = lrbook.cosine_warm_restarts(0.1, t_0=3, t_mult=2**64)
    assert s(3) == 0.1 and s(4) == pytest.approx(0.1, rel=1e-15)
