"""The answer key of chapter 3, exponential decay (``"ch03-ex-*"``).

:mod:`lrbook.exercises` imports this module and calls :func:`register` the first time
one of these ids is used; the expected answers are computed with :mod:`lrbook` itself.
"""

from __future__ import annotations

import math

from ..schedules import exponential_decay, gamma_for, half_life, step_decay
from . import engine


def register() -> None:
    """Register the exercises of chapter 3 (called on first use, once)."""
    _gamma()
    _half_life()
    _exp_function()
    _staircase()
    _exp_sum()


def _gamma() -> None:
    """Register ``ch03-ex-gamma``."""
    lr, final_lr, steps = 0.1, 0.001, 100
    gamma = gamma_for(lr, final_lr, steps)
    engine.register(
        "ch03-ex-gamma",
        "number",
        gamma,
        hint=f"α_t = α_0 γ^t; set t = {steps} and solve for γ.",
        rtol=1e-5,
        mistakes=[
            (
                gamma_for(lr, final_lr, steps - 1),
                f"That reaches {final_lr:g} at step {steps - 1}; the question asks"
                f" for α_{steps}, after {steps} multiplications by γ.",
            ),
            (
                final_lr ** (1.0 / steps),
                f"That uses the final rate {final_lr:g} instead of the ratio"
                f" {final_lr:g}/{lr:g}.",
            ),
            (
                1.0 - 1.0 / steps,
                f"With γ = {1 - 1 / steps:g} the rate loses only {100 / steps:g}%"
                f" per step: in {steps} steps it is multiplied by"
                f" {(1 - 1 / steps) ** steps:.2f}, not by {final_lr / lr:g}.",
            ),
        ],
        params={"lr": lr, "final_lr": final_lr, "steps": steps},
    )


def _half_life() -> None:
    """Register ``ch03-ex-half-life``."""
    gamma = 0.99
    engine.register(
        "ch03-ex-half-life",
        "number",
        half_life(gamma),
        hint="solve γ^h = 1/2 for h with logarithms.",
        rtol=1e-3,
        mistakes=[
            (
                math.log(2.0) / (1.0 - gamma),
                "That is the approximation ln 2/(1 − γ), good for γ close to 1; the"
                " exact half-life uses ln(1/γ).",
            ),
            (
                0.5 / (1.0 - gamma),
                "The rate does not drop by a fixed amount per step but by a fixed"
                " factor.",
            ),
            (
                -half_life(gamma),
                "A half-life is a positive number of steps: ln γ < 0, so divide by"
                " ln(1/γ) = −ln γ.",
            ),
        ],
        params={"gamma": gamma},
    )


def _exp_function() -> None:
    """Register ``ch03-ex-exp-function``."""
    lr, gamma = 0.1, 0.95
    engine.register(
        "ch03-ex-exp-function",
        "function",
        exponential_decay(lr, gamma),
        hint="the rate is multiplied by γ at every step, starting from lr at t = 0.",
        rtol=1e-9,
        mistakes=[
            (
                lambda t, lr=lr, gamma=gamma: lr * gamma ** (t + 1),
                "Off by one: at t = 0 the rate must be lr itself (γ^0 = 1).",
            ),
            (
                lambda t, lr=lr, gamma=gamma: lr * math.exp(-gamma * t),
                "That is exp(−γt), not γ^t: the rate is multiplied by γ at each step.",
            ),
        ],
        params={"lr": lr, "gamma": gamma},
    )


def _staircase() -> None:
    """Register ``ch03-ex-staircase``."""
    lr, gamma, block = 0.1, 0.99, 10
    engine.register(
        "ch03-ex-staircase",
        "function",
        step_decay(lr, block, gamma**block),
        hint=f"one drop of the staircase replaces {block} steps of exponential decay.",
        rtol=1e-9,
        mistakes=[
            (
                step_decay(lr, block, gamma),
                f"Each drop must make up for {block} steps of decay: its factor is"
                f" γ^{block}, not γ.",
            ),
            (
                exponential_decay(lr, gamma),
                "That is the smooth exponential decay; the staircase holds the rate"
                " constant between drops.",
            ),
        ],
        params={
            "lr": lr,
            "gamma": gamma,
            "step_size": block,
            "agrees_at": [0, block, 2 * block],
        },
    )


def _exp_sum() -> None:
    """Register ``ch03-ex-exp-sum`` (a derivation: a geometric series; the worked
    solution also finds when the sum reaches ``target_pct`` % of its limit)."""
    lr, gamma, steps, target_pct = 0.1, 0.99, 500, 99
    total = lr * (1.0 - gamma**steps) / (1.0 - gamma)
    engine.register(
        "ch03-ex-exp-sum",
        "number",
        total,
        hint="a geometric series: multiply the sum by γ and subtract.",
        rtol=1e-6,
        mistakes=[
            (
                lr / (1.0 - gamma),
                "That is the limit of infinitely many updates, α₀/(1 − γ); the sum of"
                f" {steps} terms is smaller by the factor 1 − γ^{steps}.",
            ),
            (
                lr * (1.0 - gamma ** (steps + 1)) / (1.0 - gamma),
                f"Off by one: t runs from 0 to {steps - 1}, {steps} terms.",
            ),
            (
                lr * gamma * (1.0 - gamma**steps) / (1.0 - gamma),
                "The first term is α₀ itself (γ⁰ = 1), not α₀γ.",
            ),
        ],
        params={"lr": lr, "gamma": gamma, "steps": steps, "target_pct": target_pct},
    )
