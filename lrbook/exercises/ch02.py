"""The answer key of chapter 2, step decay (``"ch2.*"``).

:mod:`lrbook.exercises` imports this module and calls :func:`register` the first time
one of these ids is used; the expected answers are computed with :mod:`lrbook` itself.
"""

from __future__ import annotations

import numpy as np

from ..schedules import step_decay
from . import engine


def register() -> None:
    """Register the exercises of chapter 2 (called on first use, once)."""
    _step_rate()
    _milestones()
    _call_order()
    _step_function()


def _step_rate() -> None:
    """Register ``ch2.step_rate``."""
    lr, step_size, gamma, t = 0.1, 30, 0.1, 90
    s = step_decay(lr, step_size, gamma)
    engine.register(
        "ch2.step_rate",
        "number",
        s(t),
        prompt=(
            f"StepLR with lr = {lr:g}, step_size = {step_size} and gamma = {gamma:g}:"
            f" the learning rate at epoch t = {t} (epochs counted from 0)."
        ),
        hint="α_t = α_0 γ^⌊t/s⌋: count the drops that have happened by step t.",
        rtol=1e-6,
        mistakes=[
            (
                s(t - 1),
                f"That is the rate just before epoch {t}: at t = {t} the drop number"
                f" ⌊{t}/{step_size}⌋ has already happened.",
            ),
            (
                s(t + step_size),
                "One drop too many: the rate at t = 0 is lr itself.",
            ),
        ],
        params={"lr": lr, "step_size": step_size, "gamma": gamma, "t": t},
    )


def _milestones() -> None:
    """Register ``ch2.milestones``."""
    lr, step_size, gamma, epochs = 0.1, 25, 0.5, 100
    s = step_decay(lr, step_size, gamma)
    changes = np.flatnonzero(np.diff(s(np.arange(epochs)))) + 1
    engine.register(
        "ch2.milestones",
        "numbers",
        tuple(int(m) for m in changes),
        prompt=(
            f"The MultiStepLR milestones that reproduce StepLR(lr={lr:g},"
            f" step_size={step_size}, gamma={gamma:g}) over {epochs} epochs"
            f" (t = 0, …, {epochs - 1})."
        ),
        hint="list the epochs t at which the StepLR rate changes; MultiStepLR drops"
        " the rate at each milestone m, so the new rate holds from t = m on.",
        rtol=0.0,
        atol=1e-9,
        mistakes=[
            (
                tuple(int(m) for m in changes) + (epochs,),
                f"A milestone at t = {epochs} never takes effect in {epochs} epochs"
                f" (t = 0, …, {epochs - 1}).",
            ),
            (
                tuple(int(m) - 1 for m in changes),
                "Off by one: the milestone is the first epoch with the new rate.",
            ),
            (
                (0, *(int(m) for m in changes)),
                "A milestone at 0 would drop the rate from the very first epoch.",
            ),
        ],
        params={
            "lr": lr,
            "step_size": step_size,
            "gamma": gamma,
            "epochs": epochs,
        },
    )


def _call_order() -> None:
    """Register ``ch2.call_order``."""
    engine.register(
        "ch2.call_order",
        "choice",
        "optimizer.step",
        choices=("optimizer.step", "scheduler.step"),
        prompt=(
            "In each iteration of a PyTorch training loop, which call comes first:"
            " 'optimizer.step' or 'scheduler.step'?"
        ),
        hint="the optimizer uses the rate in effect now; the scheduler then prepares"
        " the rate of the next update.",
        mistakes=[
            (
                "scheduler.step",
                "Since PyTorch 1.1 the scheduler is stepped after the optimizer; the"
                " other order skips the first value of the schedule (and PyTorch warns"
                " about it).",
            )
        ],
    )


def _step_function() -> None:
    """Register ``ch2.step_function``."""
    lr, step_size, gamma = 0.1, 30, 0.1
    engine.register(
        "ch2.step_function",
        "function",
        step_decay(lr, step_size, gamma),
        prompt=(
            f"Write StepLR(lr={lr:g}, step_size={step_size}, gamma={gamma:g}) as a"
            " Python function of the step t (an int >= 0) that returns the learning"
            " rate."
        ),
        hint="α_t = α_0 γ^⌊t/s⌋; in Python, ⌊t/s⌋ is t // s.",
        rtol=1e-9,
        mistakes=[
            (
                lambda t, lr=lr, gamma=gamma, s=step_size: lr * gamma ** (t / s),
                "Your rate decays smoothly; StepLR holds it constant between drops"
                " (use the floor division t // step_size).",
            ),
            (
                lambda t, lr=lr, gamma=gamma, s=step_size: lr * gamma ** ((t + 1) // s),
                "Off by one: the first drop happens at t = step_size, not one step"
                " earlier.",
            ),
        ],
        params={"lr": lr, "step_size": step_size, "gamma": gamma},
    )
