r"""Cosine annealing and cosine annealing with warm restarts (SGDR; chapter 5)."""

from __future__ import annotations

import math

import numpy as np

from .. import _checks as check
from ._libm import int_powers, powers
from .core import Schedule, make_schedule
from .registry import ETA_MIN, LR, Parameter, declare

__all__ = ["cosine_annealing", "cosine_warm_restarts", "restart_steps"]


def _cosine_is_plain(p: dict) -> bool:
    return not p.get("clamp", False) and p.get("exponent", 1.0) == 1.0


def _cosine_torch(tls, optimizer, p):
    lr, t_max, eta_min = p["lr"], p["t_max"], p["eta_min"]
    if _cosine_is_plain(p):
        return tls.CosineAnnealingLR(optimizer, t_max, eta_min=eta_min)
    clamp, exponent = p["clamp"], p["exponent"]

    def factor(t):
        m = min(t, t_max) if clamp else t
        c = ((1 + math.cos(math.pi * m / t_max)) / 2) ** exponent
        return (eta_min + (lr - eta_min) * c) / lr if lr > 0 else 0.0

    return tls.LambdaLR(optimizer, factor)


def _cosine_chain_refusal(p: dict) -> str | None:
    if not _cosine_is_plain(p):
        return (
            "with clamp or exponent its PyTorch scheduler is a LambdaLR, which"
            " overwrites the rate"
        )
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
    torch=_cosine_torch,
    parameters={"lr": LR, "t_max": Parameter(r"T_{\max}", "steps"), "eta_min": ETA_MIN},
    chain_refusal=_cosine_chain_refusal,
    # After T_max PyTorch's chainable cosine restarts from 0 by *adding* a term: from
    # there on the chained rate is no longer the product of the closed forms.
    chain_max_step=lambda p: p["t_max"],
)
def cosine_annealing(
    lr: float,
    t_max: int,
    eta_min: float = 0.0,
    *,
    clamp: bool = False,
    exponent: float = 1.0,
) -> Schedule:
    r"""Cosine annealing from ``lr`` down to ``eta_min`` over ``t_max`` steps.

    .. math::
        \alpha_t = \eta_{\min} + \tfrac12 (\alpha_0 - \eta_{\min})
                   \left(1 + \cos\frac{\pi t}{T_{\max}}\right)

    Like PyTorch, the formula is not clamped: after :math:`T_{\max}` the cosine carries
    on, so the rate rises again and is back at :math:`\alpha_0` at :math:`t = 2T_{\max}`
    (a period of :math:`2T_{\max}`). Stop training at :math:`T_{\max}`, use
    :func:`cosine_warm_restarts` for deliberate restarts, or ``clamp=True`` to hold
    :math:`\eta_{\min}` after :math:`T_{\max}`, as Hugging Face, timm, optax and Keras
    do. optax's ``exponent`` :math:`p` raises the cosine factor to a power:
    :math:`\eta_{\min} + (\alpha_0 - \eta_{\min})\,[(1 + \cos(\pi t/T_{\max}))/2]^p`.

    Args:
        lr: the initial learning rate :math:`\alpha_0 \ge 0`.
        t_max: :math:`T_{\max} \ge 1`, the number of steps to reach ``eta_min``.
        eta_min: :math:`\eta_{\min} \ge 0`, the rate at :math:`t = T_{\max}` (an
            absolute rate; Keras' ``alpha`` and optax's ``alpha`` are
            :math:`\eta_{\min}/\alpha_0`).
        clamp: whether to hold :math:`\eta_{\min}` after :math:`T_{\max}`.
        exponent: :math:`p > 0`, the power of the cosine factor (optax).

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = cosine_annealing(0.1, t_max=100, eta_min=0.001)
        >>> s(0), round(s(50), 12), round(s(100), 12), round(s(200), 12)
        (0.1, 0.0505, 0.001, 0.1)

    PyTorch equivalent: ``torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max,
    eta_min)``; with ``clamp`` or ``exponent``, a ``LambdaLR`` of the formula.

    References:
        Loshchilov and Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts",
        ICLR 2017.
    """
    lr = check.learning_rate("lr", lr)
    t_max = check.integer("t_max", t_max, minimum=1)
    eta_min = check.learning_rate("eta_min", eta_min)
    if not isinstance(clamp, bool):
        raise TypeError(f"clamp must be a bool, got {clamp!r}")
    exponent = check.finite("exponent", exponent, minimum=0.0, strict=True)
    params = {"lr": lr, "t_max": t_max, "eta_min": eta_min}
    if clamp or exponent != 1.0:
        params.update(clamp=clamp, exponent=exponent)

    def fn(t):
        m = np.minimum(t, t_max) if clamp else t
        if exponent == 1.0:
            return eta_min + (lr - eta_min) * (1 + np.cos(np.pi * m / t_max)) / 2
        c = powers((1 + np.cos(np.pi * m / t_max)) / 2, exponent)
        return eta_min + (lr - eta_min) * c

    return make_schedule(cosine_annealing, params, fn)


def _restart_position(t: np.ndarray, t_0: int, t_mult: int):
    """Steps since the last restart, the current period and its index, for every
    step ``t``."""
    if t_mult == 1:
        return t % t_0, t_0, t // t_0
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
    return t - starts[idx], np.asarray(lengths, dtype=np.float64)[idx], idx


@declare(
    family="cosine",
    pytorch="CosineAnnealingWarmRestarts",
    torch=lambda tls, optimizer, p: _restarts_torch(tls, optimizer, p),
    parameters={
        "lr": LR,
        "t_0": Parameter("T_0", "steps"),
        "t_mult": Parameter(r"T_{\text{mult}}"),
        "eta_min": ETA_MIN,
        "cycle_decay": Parameter(r"\gamma_{\text{cycle}}"),
    },
)
def cosine_warm_restarts(
    lr: float,
    t_0: int,
    t_mult: int = 1,
    eta_min: float = 0.0,
    *,
    cycle_decay: float = 1.0,
) -> Schedule:
    r"""Cosine annealing with warm restarts (SGDR).

    .. math::
        \alpha_t = \eta_{\min} + \tfrac12 (\alpha_0 - \eta_{\min})
                   \left(1 + \cos\frac{\pi T_{\mathrm{cur}}}{T_i}\right)

    where :math:`T_i = T_0 T_{\mathrm{mult}}^i` is the length of the current period :math:`i`
    (``t_mult`` is :math:`T_{\mathrm{mult}}`) and :math:`T_{\mathrm{cur}}` counts the steps since the
    last restart. At a restart the rate jumps back to :math:`\alpha_0`. With
    ``cycle_decay`` :math:`\gamma_{\mathrm{cycle}}` the height above :math:`\eta_{\min}` shrinks by
    :math:`\gamma_{\mathrm{cycle}}` at each restart: :math:`\eta_{\min} + (\alpha_0 - \eta_{\min})
    \gamma_{\mathrm{cycle}}^i (1 + \cos(\pi T_{\mathrm{cur}}/T_i))/2` in period :math:`i` (Keras'
    ``m_mul``; timm's ``cycle_decay`` also multiplies :math:`\eta_{\min}` by
    :math:`\gamma_{\mathrm{cycle}}^i`).

    Args:
        lr: the rate :math:`\alpha_0 \ge 0` at the start of each period.
        t_0: :math:`T_0 \ge 1`, the length of the first period in steps.
        t_mult: :math:`T_{\mathrm{mult}} \ge 1`, the integer factor by which each period grows.
        eta_min: :math:`\eta_{\min} \ge 0`, the rate the cosine tends to.
        cycle_decay: :math:`\gamma_{\mathrm{cycle}} > 0`, the factor of the peak height per restart.

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
    delta = check.finite("cycle_decay", cycle_decay, minimum=0.0, strict=True)
    params = {"lr": lr, "t_0": t_0, "t_mult": t_mult, "eta_min": eta_min}
    if delta != 1.0:
        params["cycle_decay"] = delta

    def fn(t):
        t_cur, t_i, i = _restart_position(t, t_0, t_mult)
        if delta == 1.0:
            return eta_min + (lr - eta_min) * (1 + np.cos(np.pi * t_cur / t_i)) / 2
        height = (lr - eta_min) * int_powers(delta, np.asarray(i, dtype=np.int64))
        return eta_min + height * (1 + np.cos(np.pi * t_cur / t_i)) / 2

    return make_schedule(cosine_warm_restarts, params, fn)


def _restarts_torch(tls, optimizer, p):
    lr, t_0, t_mult, eta_min = p["lr"], p["t_0"], p["t_mult"], p["eta_min"]
    delta = p.get("cycle_decay", 1.0)
    if delta == 1.0:
        return tls.CosineAnnealingWarmRestarts(
            optimizer, t_0, T_mult=t_mult, eta_min=eta_min
        )

    def factor(t):
        i, t_i = 0, t_0
        while t >= t_i:
            t, i, t_i = t - t_i, i + 1, t_i * t_mult
        height = (lr - eta_min) * delta**i
        rate = eta_min + height * (1 + math.cos(math.pi * t / t_i)) / 2
        return rate / lr if lr > 0 else 0.0

    return tls.LambdaLR(optimizer, factor)


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
