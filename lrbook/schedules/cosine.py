r"""Cosine annealing and cosine annealing with warm restarts (SGDR; chapter 5)."""

from __future__ import annotations

import numpy as np

from .. import _checks as check
from .core import Schedule, make_schedule
from .registry import ETA_MIN, LR, Parameter, declare

__all__ = ["cosine_annealing", "cosine_warm_restarts", "restart_steps"]


def _cosine_chain_refusal(p: dict) -> str | None:
    if p["eta_min"] > 0:
        return (
            f"eta_min={p['eta_min']!r} > 0: PyTorch's chained cosine multiplies the"
            " step-to-step ratios of (rate - eta_min), which is not the product of"
            " the formulas; chain cosine_annealing with eta_min=0 only"
        )
    return None


@declare(
    family="cosine",
    pytorch="CosineAnnealingLR",
    torch=lambda tls, optimizer, p: tls.CosineAnnealingLR(
        optimizer, p["t_max"], eta_min=p["eta_min"]
    ),
    parameters={"lr": LR, "t_max": Parameter(r"T_{\max}", "steps"), "eta_min": ETA_MIN},
    chain_refusal=_cosine_chain_refusal,
    # After T_max PyTorch's chainable cosine restarts from 0 by *adding* a term: from
    # there on the chained rate is no longer the product of the closed forms.
    chain_max_step=lambda p: p["t_max"],
)
def cosine_annealing(lr: float, t_max: int, eta_min: float = 0.0) -> Schedule:
    r"""Cosine annealing from ``lr`` down to ``eta_min`` over ``t_max`` steps.

    .. math::
        \alpha_t = \eta_{\min} + \tfrac12 (\alpha_0 - \eta_{\min})
                   \left(1 + \cos\frac{\pi t}{T_{\max}}\right)

    Like PyTorch, the formula is not clamped: after :math:`T_{\max}` the cosine carries
    on, so the rate rises again and is back at :math:`\alpha_0` at :math:`t = 2T_{\max}`
    (a period of :math:`2T_{\max}`). Stop training at :math:`T_{\max}`, or use
    :func:`cosine_warm_restarts` for deliberate restarts.

    Args:
        lr: the initial learning rate :math:`\alpha_0 \ge 0`.
        t_max: :math:`T_{\max} \ge 1`, the number of steps to reach ``eta_min``.
        eta_min: :math:`\eta_{\min} \ge 0`, the rate at :math:`t = T_{\max}`.

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = cosine_annealing(0.1, t_max=100, eta_min=0.001)
        >>> s(0), round(s(50), 12), round(s(100), 12), round(s(200), 12)
        (0.1, 0.0505, 0.001, 0.1)

    PyTorch equivalent: ``torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max,
    eta_min)``.

    References:
        Loshchilov and Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts",
        ICLR 2017.
    """
    lr = check.learning_rate("lr", lr)
    t_max = check.integer("t_max", t_max, minimum=1)
    eta_min = check.learning_rate("eta_min", eta_min)
    return make_schedule(
        cosine_annealing,
        {"lr": lr, "t_max": t_max, "eta_min": eta_min},
        lambda t: eta_min + (lr - eta_min) * (1 + np.cos(np.pi * t / t_max)) / 2,
    )


def _restart_position(t: np.ndarray, t_0: int, t_mult: int):
    """Steps since the last restart and the current period, for every step ``t``."""
    if t_mult == 1:
        return t % t_0, t_0
    # Periods grow geometrically, so there are only a few dozen of them: list their
    # start steps (exact integers) and look each step up.
    starts, lengths = [0], [t_0]
    last = int(t.max()) if t.size else 0
    while starts[-1] + lengths[-1] <= last:
        starts.append(starts[-1] + lengths[-1])
        lengths.append(lengths[-1] * t_mult)
    starts = np.asarray(starts, dtype=np.int64)
    idx = np.searchsorted(starts, t, side="right") - 1
    # float64 lengths: exact below 2**53, and a huge t_mult cannot overflow int64.
    return t - starts[idx], np.asarray(lengths, dtype=np.float64)[idx]


@declare(
    family="cosine",
    pytorch="CosineAnnealingWarmRestarts",
    torch=lambda tls, optimizer, p: tls.CosineAnnealingWarmRestarts(
        optimizer, p["t_0"], T_mult=p["t_mult"], eta_min=p["eta_min"]
    ),
    parameters={
        "lr": LR,
        "t_0": Parameter("T_0", "steps"),
        "t_mult": Parameter("m"),
        "eta_min": ETA_MIN,
    },
)
def cosine_warm_restarts(
    lr: float, t_0: int, t_mult: int = 1, eta_min: float = 0.0
) -> Schedule:
    r"""Cosine annealing with warm restarts (SGDR).

    .. math::
        \alpha_t = \eta_{\min} + \tfrac12 (\alpha_0 - \eta_{\min})
                   \left(1 + \cos\frac{\pi T_{\mathrm{cur}}}{T_i}\right)

    where :math:`T_i = T_0 m^i` is the length of the current period :math:`i`
    (``t_mult`` is :math:`m`) and :math:`T_{\mathrm{cur}}` counts the steps since the
    last restart. At a restart the rate jumps back to :math:`\alpha_0`.

    Args:
        lr: the rate :math:`\alpha_0 \ge 0` at the start of each period.
        t_0: :math:`T_0 \ge 1`, the length of the first period in steps.
        t_mult: :math:`m \ge 1`, the integer factor by which each period grows.
        eta_min: :math:`\eta_{\min} \ge 0`, the rate the cosine tends to.

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = cosine_warm_restarts(0.1, t_0=10, t_mult=2)
        >>> round(s(5), 12), s(10), round(s(20), 12), s(30)
        (0.05, 0.1, 0.05, 0.1)

    PyTorch equivalent: ``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
    optimizer, T_0, T_mult, eta_min)``, stepped without an epoch argument.

    References:
        Loshchilov and Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts",
        ICLR 2017.
    """
    lr = check.learning_rate("lr", lr)
    t_0 = check.integer("t_0", t_0, minimum=1)
    t_mult = check.integer("t_mult", t_mult, minimum=1)
    eta_min = check.learning_rate("eta_min", eta_min)

    def fn(t):
        t_cur, t_i = _restart_position(t, t_0, t_mult)
        return eta_min + (lr - eta_min) * (1 + np.cos(np.pi * t_cur / t_i)) / 2

    return make_schedule(
        cosine_warm_restarts,
        {"lr": lr, "t_0": t_0, "t_mult": t_mult, "eta_min": eta_min},
        fn,
    )


def restart_steps(t_0: int, t_mult: int, horizon: int) -> list[int]:
    r"""The steps at which :func:`cosine_warm_restarts` restarts, before ``horizon``.

    Period :math:`i` lasts :math:`T_0 m^i` steps, so restart :math:`k \ge 1` comes
    after the first :math:`k` periods, a geometric series:

    .. math::
        t_k = \sum_{i=0}^{k-1} T_0 m^i =
        \begin{cases}
            k\,T_0 & m = 1 \\
            T_0 \dfrac{m^k - 1}{m - 1} & m \ge 2
        \end{cases}

    At every :math:`t_k` the rate jumps back to :math:`\alpha_0`.

    Args:
        t_0: :math:`T_0 \ge 1`, the length of the first period in steps.
        t_mult: :math:`m \ge 1`, the integer factor by which each period grows.
        horizon: the number of steps :math:`\ge 1` looked at (steps ``0 ...
            horizon - 1``).

    Returns:
        The restart steps :math:`0 < t_k < \text{horizon}`, increasing (step 0, the
        start, is not a restart).

    Examples:
        >>> restart_steps(10, 2, 200)
        [10, 30, 70, 150]
        >>> restart_steps(50, 1, 200)
        [50, 100, 150]

    PyTorch equivalent: the steps where ``CosineAnnealingWarmRestarts(optimizer, T_0,
    T_mult)``, stepped once per update without an epoch argument, sets ``T_cur = 0``.

    References:
        Loshchilov and Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts",
        ICLR 2017.
    """
    t_0 = check.integer("t_0", t_0, minimum=1)
    t_mult = check.integer("t_mult", t_mult, minimum=1)
    horizon = check.integer("horizon", horizon, minimum=1)
    steps, start, length = [], t_0, t_0
    while start < horizon:
        steps.append(start)
        length *= t_mult
        start += length
    return steps
