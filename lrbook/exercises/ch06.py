"""The answer key of chapter 6, cyclic rates, the range test and one-cycle
(``"ch06-ex-*"``).

:mod:`lrbook.exercises` imports this module and calls :func:`register` the first time
one of these ids is used; the expected answers are computed with :mod:`lrbook` itself.
"""

from __future__ import annotations

import numpy as np

from ..schedules import cyclic, one_cycle, one_cycle_momentum
from . import engine

#: The range-test curve of exercise ``ch06-ex-range-read``: rates swept exponentially
#: over five decades, and a loss that falls fastest (in log rate) near 3e-3, bottoms out
#: near 0.1 and then blows up.
RANGE_LRS = np.geomspace(1e-5, 1.0, 101)


def range_curve(lrs: np.ndarray = RANGE_LRS) -> np.ndarray:
    """The smooth loss of ``ch06-ex-range-read`` at the rates ``lrs`` (nats)."""
    x = np.log10(lrs)
    return 2.3 - 2.0 / (1.0 + np.exp(-3.0 * (x + 2.5))) + 0.5 * np.exp(4.0 * (x + 0.5))


def register() -> None:
    """Register the exercises of chapter 6 (called on first use, once)."""
    _triangular2()
    _exp_range()
    _range_read()
    _momentum_at()
    _design()


def _triangular2() -> None:
    """Register ``ch06-ex-triangular2``."""
    base, peak, up, t = 0.01, 0.11, 10, 45
    engine.register(
        "ch06-ex-triangular2",
        "number",
        cyclic(base, peak, up, mode="triangular2")(t),
        hint=(
            "find the cycle c and the position φ in it; the amplitude factor is"
            " 2^-(c-1)."
        ),
        rtol=1e-9,
        mistakes=[
            (
                cyclic(base, peak, up)(t),
                "That is the triangular rate: triangular2 halves the amplitude at"
                " every new cycle.",
            ),
            (
                base + (peak - base) * 0.5 / 2**3,
                "The first cycle has the full amplitude: the factor is 2^-(c-1), not"
                " 2^-c.",
            ),
        ],
        params={"base_lr": base, "max_lr": peak, "step_size_up": up, "t": t},
    )


def _exp_range() -> None:
    """Register ``ch06-ex-exp-range``."""
    base, peak, up, gamma, k = 0.0, 0.1, 10, 0.99, 3
    t = (k - 1) * 2 * up + up
    engine.register(
        "ch06-ex-exp-range",
        "number",
        cyclic(base, peak, up, mode="exp_range", gamma=gamma)(t),
        hint="which update is the top of that cycle? exp_range scales by γ to the"
        " power of that update's number.",
        rtol=1e-9,
        mistakes=[
            (
                peak * gamma**k,
                "exp_range counts updates, not cycles: the factor is γ^t with t the"
                " update number.",
            ),
            (
                peak * gamma ** (k - 1),
                "exp_range counts updates, not cycles: the factor is γ^t with t the"
                " update number.",
            ),
            (peak, "The amplitude shrinks: the peak is max_lr only at t = 0."),
        ],
        params={
            "base_lr": base,
            "max_lr": peak,
            "step_size_up": up,
            "gamma": gamma,
            "cycle": k,
        },
    )


def _range_read() -> None:
    """Register ``ch06-ex-range-read``."""
    fine = np.geomspace(1e-5, 1.0, 20001)
    slope = np.gradient(range_curve(fine), np.log10(fine))
    steepest = float(fine[np.argmin(slope)])
    minimum = float(fine[np.argmin(range_curve(fine))])
    rtol = 0.5
    engine.register(
        "ch06-ex-range-read",
        "number",
        steepest,
        hint="look for the steepest part of the curve on the log axis, not the"
        " lowest point.",
        rtol=rtol,
        mistakes=[
            (minimum, "That is the minimum of the curve, not its steepest descent."),
            (
                minimum / 10,
                "That is the 'minimum / 10' rule, another reading of the curve; the"
                " question asks for the steepest descent.",
            ),
        ],
        params={
            "tolerance_percent": 100 * rtol,
            # Data for the chapter's plot and for the tests, not for the statement:
            "_lrs": RANGE_LRS.tolist(),
            "_losses": range_curve().tolist(),
            "_minimum": minimum,
        },
    )


def _momentum_at() -> None:
    """Register ``ch06-ex-momentum``."""
    total, pct, t = 1000, 0.25, 600
    m = one_cycle_momentum(total, pct_start=pct)  # PyTorch's default momenta
    low, high = m.params["base_momentum"], m.params["max_momentum"]
    start = pct * total - 1
    p = (t - start) / (total - 1 - start)
    engine.register(
        "ch06-ex-momentum",
        "number",
        m(t),
        hint="the anneal phase starts at step pct_start·T − 1; the momentum rises"
        f" back from {low:g} to {high:g} along half a cosine.",
        rtol=1e-9,
        mistakes=[
            (
                low + (high - low) * p,
                "That is the linear anneal; the default is 'cos'.",
            ),
            (
                high - (high - low) * 0.5 * (1 - np.cos(np.pi * p)),
                "The momentum moves against the rate: in the anneal it rises back to"
                " max_momentum.",
            ),
        ],
        params={
            "total_steps": total,
            "pct_start": pct,
            "base_momentum": low,
            "max_momentum": high,
            "t": t,
        },
    )


def _design() -> None:
    """Register ``ch06-ex-design``."""
    epochs, per_epoch, peak = 3, 50, 0.2
    total = epochs * per_epoch
    engine.register(
        "ch06-ex-design",
        "function",
        one_cycle(peak, total, pct_start=0.3),
        hint="total_steps counts updates, not epochs; the rate starts at"
        " max_lr/div_factor.",
        rtol=1e-9,
        steps=range(total),
        mistakes=[
            (
                lambda t: one_cycle(peak, total + 1, pct_start=0.3)(min(t, total)),
                f"total_steps is the number of updates, {total}: one more leaves the"
                " schedule unfinished at the end.",
            ),
            (
                one_cycle(peak, total, pct_start=0.3, anneal_strategy="linear"),
                "OneCycleLR anneals along a cosine by default.",
            ),
            (
                one_cycle(peak, total, pct_start=0.3, div_factor=10.0),
                "PyTorch's div_factor is 25.",
            ),
        ],
        params={"epochs": epochs, "updates_per_epoch": per_epoch, "max_lr": peak},
    )
