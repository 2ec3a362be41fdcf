"""The answer key of chapter 5, cosine annealing and warm-up (``"ch05-ex-*"``).

:mod:`lrbook.exercises` imports this module and calls :func:`register` the first time
one of these ids is used; the expected answers are computed with :mod:`lrbook` itself.
"""

from __future__ import annotations

from ..schedules import (
    constant,
    cosine_annealing,
    linear,
    sequential,
    warmup,
)
from ..schedules.cosine import restart_steps
from . import engine


def register() -> None:
    """Register the exercises of chapter 5 (called on first use, once)."""
    _cosine_rates()
    _restarts()
    _warmup_cosine()
    _mirror()
    _jump()


def _cosine_rates() -> None:
    """Register ``ch05-ex-cosine-rates``."""
    lr, t_max, eta_min, t_before, t_after = 0.1, 100, 0.001, 25, 150
    steps = (t_before, t_after)
    s = cosine_annealing(lr, t_max, eta_min)
    engine.register(
        "ch05-ex-cosine-rates",
        "numbers",
        [s(t) for t in steps],
        hint="use the formula as it is, also past T_max: it is not clamped.",
        rtol=1e-6,
        mistakes=[
            (
                [s(steps[0]), eta_min],
                f"PyTorch does not hold the rate at eta_min after T_max = {t_max}:"
                " the cosine carries on and the rate rises again.",
            ),
            (
                [
                    cosine_annealing(lr, t_max)(steps[0]),
                    cosine_annealing(lr, t_max)(steps[1]),
                ],
                "That is the cosine down to 0: the rate tends to eta_min, so the"
                " cosine spans lr − eta_min and is shifted up by eta_min.",
            ),
        ],
        params={
            "lr": lr,
            "t_max": t_max,
            "eta_min": eta_min,
            "t_before": t_before,
            "t_after": t_after,
        },
    )


def _restarts() -> None:
    """Register ``ch05-ex-restarts``."""
    t_0, t_mult, horizon = 10, 2, 200
    expected = restart_steps(t_0, t_mult, horizon)
    engine.register(
        "ch05-ex-restarts",
        "numbers",
        expected,
        hint=(
            "the periods last T_0, T_0·T_mult, T_0·T_mult², …; a restart ends each"
            " period."
        ),
        rtol=0.0,
        mistakes=[
            (
                [t_0 * t_mult**k for k in range(len(expected) + 1)][:5],
                "Those are the period lengths T_0·T_mult^j; a restart comes after the"
                " sum of the periods before it.",
            ),
            (
                [t_0 * k for k in range(1, horizon // t_0)],
                f"That is T_mult = 1; with T_mult = {t_mult} every period is"
                f" {t_mult} times longer than the one before.",
            ),
            (
                [0, *expected],
                "Step 0 is the start, not a restart: give 0 < t.",
            ),
        ],
        params={"t_0": t_0, "t_mult": t_mult, "horizon": horizon},
    )


def _warmup_cosine() -> None:
    """Register ``ch05-ex-warmup-cosine``."""
    lr, total, steps, start_factor = 0.2, 500, 25, 0.1
    expected = warmup(cosine_annealing(lr, total - steps), steps, start_factor)
    engine.register(
        "ch05-ex-warmup-cosine",
        "function",
        expected,
        hint=(
            "the cosine starts at its own step 0 when the warm-up ends; how many"
            " updates are left for it?"
        ),
        rtol=1e-6,
        atol=1e-12,
        steps=range(0, total + 1),
        mistakes=[
            (
                warmup(cosine_annealing(lr, total), steps, start_factor),
                f"The cosine only starts at t = {steps}: T_max = {total} makes it end"
                f" {steps} updates after the budget, above 0.",
            ),
            (
                cosine_annealing(lr, total),
                "That is the cosine without the warm-up.",
            ),
        ],
        params={
            "lr": lr,
            "total": total,
            "steps": steps,
            "start_factor": start_factor,
        },
    )


def _mirror() -> None:
    """Register ``ch05-ex-mirror``."""
    t_max, after = 100, 130
    engine.register(
        "ch05-ex-mirror",
        "number",
        2 * t_max - after,
        hint=(
            "the cosine is even with period 2π: compare cos(πt/T_max) and"
            " cos(π(2T_max − t)/T_max)."
        ),
        rtol=0.0,
        mistakes=[
            (
                after - t_max,
                "That is the number of steps past T_max; the cosine mirrors about"
                " T_max, so count that many steps back from T_max.",
            ),
            (
                after - 2 * t_max,
                "The rate has period 2·T_max, but that step is negative: mirror"
                " about T_max instead.",
            ),
        ],
        params={"t_max": t_max, "after": after},
    )


def _jump() -> None:
    """Register ``ch05-ex-jump``."""
    lr, start_factor, ramp_iters, milestone, t_max = 0.1, 0.1, 20, 10, 90
    s = sequential(
        [linear(lr, start_factor, 1.0, ramp_iters), cosine_annealing(lr, t_max)],
        [milestone],
    )
    jump = s(milestone) - s(milestone - 1)
    engine.register(
        "ch05-ex-jump",
        "number",
        jump,
        hint=(
            "at the milestone the cosine starts from its own step 0, at the"
            " optimizer's initial rate; where has the ramp got to by then?"
        ),
        rtol=1e-6,
        mistakes=[
            (0.0, "The phases do not join: the ramp is cut off before it ends."),
            (
                lr - linear(lr, start_factor, 1.0, ramp_iters)(milestone),
                f"The last update of the ramp is t = {milestone - 1}, not {milestone}.",
            ),
            (
                constant(lr)(0) - start_factor * lr,
                "That is the whole ramp; the question is the jump at the milestone.",
            ),
        ],
        params={
            "lr": lr,
            "start_factor": start_factor,
            "total_iters": ramp_iters,
            "milestone": milestone,
            "t_before": milestone - 1,
            "t_max": t_max,
        },
    )
