"""The answer key of chapter 2, step decay (``"ch02-ex-*"``).

:mod:`lrbook.exercises` imports this module and calls :func:`register` the first time
one of these ids is used; the expected answers are computed with :mod:`lrbook` itself.
"""

from __future__ import annotations

import math

import numpy as np

from ..schedules import constant, multistep_decay, step_decay
from . import engine


def register() -> None:
    """Register the exercises of chapter 2 (called on first use, once)."""
    _step_rate()
    _milestones()
    _call_order()
    _step_function()
    _step_sum()
    _best_drop()
    _find_bugs()


def _step_rate() -> None:
    """Register ``ch02-ex-step-rate``."""
    lr, step_size, gamma, t = 0.1, 30, 0.1, 90
    s = step_decay(lr, step_size, gamma)
    engine.register(
        "ch02-ex-step-rate",
        "number",
        s(t),
        hint="the rate of epoch e is α₀ γ^⌊e/Δ⌋ with Δ = step_size: count the drops"
        " that have happened by epoch e.",
        rtol=1e-6,
        mistakes=[
            (
                s(t - 1),
                f"That is the rate just before epoch {t}: at e = {t} the drop number"
                f" ⌊{t}/{step_size}⌋ has already happened.",
            ),
            (
                s(t + step_size),
                "One drop too many: the rate at e = 0 is lr itself.",
            ),
        ],
        params={"lr": lr, "step_size": step_size, "gamma": gamma, "t": t},
    )


def _milestones() -> None:
    """Register ``ch02-ex-milestones``."""
    lr, step_size, gamma, epochs = 0.1, 25, 0.5, 100
    s = step_decay(lr, step_size, gamma)
    changes = np.flatnonzero(np.diff(s(np.arange(epochs)))) + 1
    engine.register(
        "ch02-ex-milestones",
        "numbers",
        tuple(int(m) for m in changes),
        hint="list the epochs e at which the StepLR rate changes; MultiStepLR drops"
        " the rate at each milestone t_i, so the new rate holds from epoch t_i on.",
        rtol=0.0,
        atol=1e-9,
        mistakes=[
            (
                tuple(int(m) for m in changes) + (epochs,),
                f"A milestone at e = {epochs} never takes effect in {epochs} epochs"
                f" (e = 0, …, {epochs - 1}).",
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
            "last_epoch": epochs - 1,
        },
    )


def _call_order() -> None:
    """Register ``ch02-ex-call-order`` (the worked solution predicts the rates of the
    first ``updates`` updates of a ``StepLR`` stepped in the wrong order)."""
    lr, step_size, gamma, updates = 1.0, 2, 0.5, 6
    engine.register(
        "ch02-ex-call-order",
        "choice",
        "optimizer.step",
        choices=("optimizer.step", "scheduler.step"),
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
        params={"lr": lr, "step_size": step_size, "gamma": gamma, "updates": updates},
    )


def _step_function() -> None:
    """Register ``ch02-ex-step-function`` (its part 2, per update on CIFAR-10, is
    checked by the learner against ``lrbook.per_epoch``)."""
    lr, step_size, gamma = 0.1, 30, 0.1
    n_train, batch_size = 50000, 128  # CIFAR-10's training set, minibatches
    engine.register(
        "ch02-ex-step-function",
        "function",
        step_decay(lr, step_size, gamma),
        hint="α_t = α₀ γ^⌊t/Δ⌋ with Δ = step_size; in Python, ⌊t/Δ⌋ is t // step_size.",
        rtol=1e-9,
        mistakes=[
            (
                lambda t, lr=lr, gamma=gamma, k=step_size: lr * gamma ** (t / k),
                "Your rate decays smoothly; StepLR holds it constant between drops"
                " (use the floor division t // step_size).",
            ),
            (
                lambda t, lr=lr, gamma=gamma, k=step_size: lr * gamma ** ((t + 1) // k),
                "Off by one: the first drop happens at t = step_size, not one step"
                " earlier.",
            ),
        ],
        params={
            "lr": lr,
            "step_size": step_size,
            "gamma": gamma,
            "n_train": n_train,
            "batch_size": batch_size,
            "steps_per_epoch": math.ceil(n_train / batch_size),
        },
    )


def step_sum(lr: float, step_size: int, gamma: float, steps: int) -> float:
    r"""The sum of the first ``steps`` rates of ``StepLR``, in closed form.

    .. math::
        \sum_{t=0}^{T-1} \alpha_0\gamma^{\lfloor t/\Delta \rfloor}
        = \Delta\alpha_0 \frac{1 - \gamma^n}{1 - \gamma} + (T - n\Delta)\,
        \alpha_0\gamma^n, \qquad n = n(T) = \lfloor T/\Delta \rfloor,

    ``n`` full stairs of width :math:`\Delta` and one partial stair (for
    :math:`\gamma = 1`, :math:`T\alpha_0`).

    Args:
        lr: the initial rate :math:`\alpha_0 > 0`.
        step_size: the period :math:`\Delta \ge 1`.
        gamma: the factor :math:`0 < \gamma \le 1`.
        steps: the number of steps :math:`T \ge 0`.

    Returns:
        :math:`\sum_{t=0}^{T-1} \alpha_t`.

    Examples:
        >>> round(step_sum(0.1, 30, 0.1, 100), 6)
        3.331
    """
    full = steps // step_size
    if gamma == 1.0:
        return steps * lr
    stairs = step_size * lr * (1.0 - gamma**full) / (1.0 - gamma)
    return stairs + (steps - full * step_size) * lr * gamma**full


def _step_sum() -> None:
    """Register ``ch02-ex-step-sum`` (a derivation: the sum of a staircase)."""
    lr, step_size, gamma, steps = 0.1, 30, 0.1, 100
    total = step_sum(lr, step_size, gamma, steps)
    engine.register(
        "ch02-ex-step-sum",
        "number",
        total,
        hint="count the full stairs of width step_size and the partial last stair;"
        " the full stairs form a geometric series.",
        rtol=1e-6,
        mistakes=[
            (
                step_size * lr / (1.0 - gamma),
                "That is the sum over infinitely many steps, Δα₀/(1 − γ); the run"
                f" stops after {steps} updates.",
            ),
            (
                step_sum(lr, step_size, gamma, (steps // step_size) * step_size),
                "You left out the partial last stair:"
                f" {steps - (steps // step_size) * step_size} updates at the rate"
                f" α₀γ^{steps // step_size}.",
            ),
            (
                step_sum(lr, step_size, gamma, steps + 1),
                f"Off by one: t runs from 0 to {steps - 1}, {steps} updates.",
            ),
        ],
        params={"lr": lr, "step_size": step_size, "gamma": gamma, "steps": steps},
    )


def best_drop_time(
    lr: float, gamma: float, steps: int, *, a: float, sigma: float, x0: float
) -> int:
    """The single drop time that minimises the expected loss after ``steps`` updates.

    A brute-force search with :func:`lrbook.gd.expected_loss` over every milestone
    :math:`t_1 = 1, …, T` (``steps``) of ``MultiStepLR(lr, [t_1], gamma)`` on the
    noisy quadratic :math:`f = \tfrac a2 x^2` (and :math:`t_1 = 0`, the small rate
    from the start).

    Examples:
        >>> best_drop_time(0.5, 0.1, 40, a=1.0, sigma=1.0, x0=10.0)
        6
    """
    from ..gd import expected_loss

    def final(schedule) -> float:
        return expected_loss(a, schedule, sigma, x0=x0, steps=steps)[-1]

    losses = [final(constant(lr * gamma))] + [
        final(multistep_decay(lr, [t1], gamma)) for t1 in range(1, steps + 1)
    ]
    return int(np.argmin(losses))


def best_drop_continuous(
    lr: float, gamma: float, *, a: float, sigma: float, x0: float
) -> float:
    r"""The continuous optimum of the drop time, from the closed-form recursion.

    With the contraction factors :math:`\rho(\alpha) = |1 - \alpha a|` and
    :math:`\rho(\gamma\alpha)` (the mean square forgets by their squares per update)
    and the floors :math:`v_\infty`, the final mean square after a drop at update
    :math:`t_1` is :math:`v_\infty(\gamma\alpha) + (c_1 + c_0\rho(\alpha)^{2t_1})
    \rho(\gamma\alpha)^{2(T-t_1)}` with :math:`c_0 = x_0^2 - v_\infty(\alpha)` and
    :math:`c_1 = v_\infty(\alpha) - v_\infty(\gamma\alpha)`; setting its derivative in
    :math:`t_1` to zero gives

    .. math::
        t_1^\ast = \frac{1}{\ln \rho(\alpha)^2}
        \ln \frac{c_1 \ln \rho(\gamma\alpha)^2}
        {c_0 \ln\bigl(\rho(\alpha)^2 / \rho(\gamma\alpha)^2\bigr)},

    independent of the budget :math:`T`.

    Examples:
        >>> round(best_drop_continuous(0.5, 0.1, a=1.0, sigma=1.0, x0=10.0), 2)
        5.99
    """
    from ..gd import noise_floor

    small = lr * gamma
    rho2, rho2_small = (1.0 - lr * a) ** 2, (1.0 - small * a) ** 2
    big_floor, small_floor = noise_floor(a, lr, sigma), noise_floor(a, small, sigma)
    c1, c0 = big_floor - small_floor, x0**2 - big_floor
    ratio = c1 * math.log(rho2_small) / (c0 * math.log(rho2 / rho2_small))
    return math.log(ratio) / math.log(rho2)


def _best_drop() -> None:
    """Register ``ch02-ex-best-drop`` (a derivation on the noisy quadratic)."""
    lr, gamma, steps, a, sigma, x0 = 0.5, 0.1, 40, 1.0, 1.0, 10.0
    best = best_drop_time(lr, gamma, steps, a=a, sigma=sigma, x0=x0)
    engine.register(
        "ch02-ex-best-drop",
        "number",
        float(best),
        hint="after the drop, the excess over the small rate's floor shrinks by"
        " (1 − γαa)² per update; before it, the distance to the large rate's floor"
        " shrinks by (1 − αa)².",
        rtol=0.0,
        atol=0.5,
        mistakes=[
            (0.0, "Dropping at once wastes the fast progress of the large rate."),
            (
                float(steps // 2),
                "Half the budget is a common default, but on this problem the large"
                " rate has done its work within a few updates.",
            ),
            (float(steps), "A drop at T never takes effect: that is the large rate."),
        ],
        params={
            "lr": lr,
            "gamma": gamma,
            "steps": steps,
            "a": a,
            "sigma": sigma,
            "x0": x0,
        },
    )


def _find_bugs() -> None:
    """Register ``ch02-ex-find-bugs``: which of four classic mistakes a loop makes."""
    engine.register(
        "ch02-ex-find-bugs",
        "numbers",
        (1, 2, 4),
        hint="read where scheduler.step() is called, what is logged, and what the"
        " checkpoint contains.",
        rtol=0.0,
        atol=0.0,
        mistakes=[
            (
                (1, 2, 3, 4),
                "The loop calls scheduler.step() once per epoch, as the recipe means:"
                " it does not make mistake 3.",
            ),
            (
                (2, 4),
                "The loop calls scheduler.step() at the start of each epoch, before"
                " the epoch's optimizer.step() calls: mistake 1.",
            ),
            (
                (1, 4),
                "The loop logs scheduler.get_lr(): mistake 2.",
            ),
            (
                (1, 2),
                "The checkpoint has no scheduler state: mistake 4.",
            ),
        ],
    )
