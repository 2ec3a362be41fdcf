"""The answer key of chapter 7, choosing a schedule (``"ch07-ex-*"``).

:mod:`lrbook.exercises` imports this module and calls :func:`register` the first time
one of these ids is used; the expected answers are computed with :mod:`lrbook` itself
where it has the formula.
"""

from __future__ import annotations

import math

from ..schedules import inverse_sqrt, warmup_stable_decay
from . import engine


def register() -> None:
    """Register the exercises of chapter 7 (called on first use, once)."""
    _wsd_rate()
    _inverse_sqrt()
    _weight_decay()
    _budget()
    _resume()
    _extend()
    _adam_noise()


def _wsd_rate() -> None:
    """Register ``ch07-ex-wsd-rate``."""
    lr, warm, stable, decay, t = 0.1, 10, 100, 40, 130
    s = warmup_stable_decay(lr, warm, stable, decay)
    engine.register(
        "ch07-ex-wsd-rate",
        "number",
        s(t),
        hint="the decay starts after the warm-up and the stable phase together.",
        rtol=1e-9,
        atol=1e-12,
        mistakes=[
            (
                lr * (1 - (t - stable) / decay),
                f"That counts the decay from t = {stable}; it starts at"
                f" T_w + T_s = {warm + stable}.",
            ),
            (lr, f"At t = {t} the stable phase is over: the rate is decaying."),
        ],
        params={
            "lr": lr,
            "warmup_steps": warm,
            "stable_steps": stable,
            "decay_steps": decay,
            "t": t,
        },
    )


def _inverse_sqrt() -> None:
    """Register ``ch07-ex-inverse-sqrt``."""
    lr, warm, steps = 0.01, 100, (49, 99, 399)
    s = inverse_sqrt(lr, warm)
    engine.register(
        "ch07-ex-inverse-sqrt",
        "numbers",
        [s(t) for t in steps],
        hint=(
            "write the formula in t + 1, and take the smaller of the warm-up and the"
            " decay."
        ),
        rtol=1e-9,
        mistakes=[
            (
                [lr * min(t / warm, math.sqrt(warm / t)) for t in steps],
                "Off by one: the formula uses t + 1 (update 0 already has the rate"
                " α_0/T_w).",
            ),
        ],
        params={"lr": lr, "warmup_steps": warm, "steps": steps},
    )


def _weight_decay() -> None:
    """Register ``ch07-ex-weight-decay``."""
    # λ and ε are powers of ten, and the statement writes them so: 10^-4, 10^-8.
    lr, log10_wd, theta, log10_eps = 0.01, -4, 2.0, -8
    wd, eps = 10.0**log10_wd, 10.0**log10_eps
    g = wd * theta
    expected = [lr * g, lr * g / (g + eps), lr * wd * theta]
    engine.register(
        "ch07-ex-weight-decay",
        "numbers",
        expected,
        hint="Adam adds λθ to the gradient before normalising it by its own RMS.",
        rtol=1e-4,
        mistakes=[
            (
                [lr * g, lr * g, lr * wd * theta],
                "Adam divides the L2 term by sqrt(r̂), which after one step is |λθ|:"
                " the step is about α, not αλθ.",
            ),
            (
                [lr * g, lr * g / (g + eps), 0.0],
                "AdamW does decay the weight: θ ← θ(1 − αλ), apart from the adaptive"
                " step.",
            ),
        ],
        params={
            "lr": lr,
            "log10_weight_decay": log10_wd,
            "theta": theta,
            "log10_eps": log10_eps,
        },
    )


def _budget() -> None:
    """Register ``ch07-ex-budget``."""
    families, candidates, tune, final = 6, 4, 2, 5
    engine.register(
        "ch07-ex-budget",
        "number",
        families * candidates * tune + families * final,
        hint="every candidate is tuned; only each family's winner is retrained.",
        rtol=0.0,
        atol=0.0,
        mistakes=[
            (
                families * candidates * (tune + final),
                "Only the winner of each family is trained with the final seeds.",
            ),
            (families * candidates * tune, "Add the final runs of the winners."),
        ],
        params={
            "families": families,
            "candidates": candidates,
            "tune_seeds": tune,
            "final_seeds": final,
        },
    )


def _resume() -> None:
    """Register ``ch07-ex-resume``."""
    step_size, stopped = 30, 50
    engine.register(
        "ch07-ex-resume",
        "number",
        stopped + step_size,
        hint="a fresh scheduler counts its steps from zero.",
        rtol=0.0,
        atol=0.0,
        mistakes=[
            (
                2 * step_size,
                f"That is when the drop should happen; a fresh scheduler does not know"
                f" that {stopped} epochs have passed.",
            ),
        ],
        params={"step_size": step_size, "stopped": stopped},
    )


def _extend() -> None:
    """Register ``ch07-ex-extend``."""
    engine.register(
        "ch07-ex-extend",
        "choice",
        "wsd",
        hint="which schedule uses the same rates for a short and a long run, until"
        " the short one ends?",
        choices=("cosine", "exponential", "one-cycle", "wsd"),
        mistakes=[
            (
                "cosine",
                "A cosine is written in t/T: a longer T changes it from the first"
                " update.",
            ),
            (
                "one-cycle",
                "One-cycle is written in t/T, like a cosine: a longer T changes every"
                " update.",
            ),
        ],
    )


def _adam_noise() -> None:
    """Register ``ch07-ex-adam-noise``."""
    lr, beta1 = 1e-3, 0.95
    engine.register(
        "ch07-ex-adam-noise",
        "number",
        lr * math.sqrt((1 - beta1) / (1 + beta1)),
        hint=(
            "r_hat is about sigma^2; m_t averages independent draws with weights"
            " (1 - beta1) beta1^k: add up their squares."
        ),
        rtol=1e-3,
        mistakes=[
            (
                lr,
                "That is a step with m_hat = sqrt(r_hat): the first step, not the late"
                " ones. The average m_t of independent draws is smaller than sigma.",
            ),
            (
                lr * math.sqrt(1 - beta1),
                "The sum of the squared weights (1 - beta1)^2 beta1^(2k) is"
                " (1 - beta1) / (1 + beta1): the (1 + beta1) is missing.",
            ),
        ],
        params={"lr": lr, "beta1": beta1},
    )
