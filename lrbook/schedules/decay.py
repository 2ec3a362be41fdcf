r"""Decay schedules: step, multi-step, exponential, multiplicative, inverse-time,
polynomial, and the linear and constant-factor ramps (chapters 2, 3 and 5).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

import numpy as np

from .. import _checks as check
from ._libm import int_powers, polynomial_factors, powers
from .core import Schedule, make_schedule, scaled
from .registry import GAMMA, LR, Parameter, declare

__all__ = [
    "constant_factor",
    "polynomial_decay",
    "constant",
    "step_decay",
    "multistep_decay",
    "exponential_decay",
    "multiplicative",
    "inverse_time_decay",
    "gamma_for",
    "half_life",
    "linear",
]


def _inverse_time_torch(tls, optimizer, p):
    k, d, stair = p["decay_rate"], p["decay_steps"], p["staircase"]
    return tls.LambdaLR(
        optimizer, lambda t: 1 / (1 + k * ((t // d) if stair else t / d))
    )


@declare(
    family="decay",
    pytorch=None,
    torch=lambda tls, optimizer, p: None,
    parameters={"lr": LR},
    chain_refusal=lambda p: (
        "constant() has no PyTorch scheduler (it multiplies by 1): leave it out"
    ),
)
def constant(lr: float) -> Schedule:
    r"""A constant learning rate: plain gradient descent with a fixed step size.

    .. math::
        \alpha_t = \alpha_0

    Args:
        lr: the learning rate :math:`\alpha_0 \ge 0`.

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = constant(0.1)
        >>> s(0), s(1000)
        (0.1, 0.1)

    PyTorch equivalent: no scheduler (``torch.optim.SGD(params, lr=lr)`` alone).
    """
    lr = check.learning_rate("lr", lr)
    return make_schedule(
        constant,
        {"lr": lr},
        lambda t: np.full(t.shape, lr),
    )


@declare(
    family="decay",
    pytorch="StepLR",
    torch=lambda tls, optimizer, p: tls.StepLR(
        optimizer, p["step_size"], gamma=p["gamma"]
    ),
    parameters={"lr": LR, "step_size": Parameter(r"\Delta", "steps"), "gamma": GAMMA},
    chain_refusal=lambda p: None,
)
def step_decay(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    r"""Step decay: multiply the learning rate by ``gamma`` every ``step_size`` steps.

    .. math::
        \alpha_t = \alpha_0 \, \gamma^{\lfloor t / s \rfloor}

    where :math:`\Delta` is ``step_size``.

    Args:
        lr: the initial learning rate :math:`\alpha_0 \ge 0`.
        step_size: the period :math:`\Delta \ge 1` of the drops, in steps.
        gamma: the factor :math:`\gamma > 0` of each drop (below 1 to decay).

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = step_decay(0.1, step_size=30, gamma=0.5)
        >>> s(29), s(30), s(60)
        (0.1, 0.05, 0.025)

    PyTorch equivalent: ``torch.optim.lr_scheduler.StepLR(optimizer, step_size,
    gamma)``.

    References:
        He et al., "Deep Residual Learning for Image Recognition", CVPR 2016 (drops by
        10x at fixed epochs).
    """
    lr = check.learning_rate("lr", lr)
    step_size = check.integer("step_size", step_size, minimum=1)
    gamma = check.finite("gamma", gamma, minimum=0.0, strict=True)
    return make_schedule(
        step_decay,
        {"lr": lr, "step_size": step_size, "gamma": gamma},
        lambda t: scaled(lr, int_powers(gamma, t // step_size)),
    )


@declare(
    family="decay",
    pytorch="MultiStepLR",
    torch=lambda tls, optimizer, p: tls.MultiStepLR(
        optimizer, p["milestones"], gamma=p["gamma"]
    ),
    parameters={"lr": LR, "milestones": Parameter(None, "steps"), "gamma": GAMMA},
    chain_refusal=lambda p: None,
)
def multistep_decay(
    lr: float, milestones: Sequence[int], gamma: float = 0.1
) -> Schedule:
    r"""Multi-step decay: multiply the learning rate by ``gamma`` at each milestone.

    .. math::
        \alpha_t = \alpha_0 \, \gamma^{\#\{i \,:\, t_i \le t\}}

    where :math:`m_1 < m_2 < \dots` are the milestones.

    Args:
        lr: the initial learning rate :math:`\alpha_0 \ge 0`.
        milestones: strictly increasing steps :math:`t_i \ge 0` at which the rate drops.
        gamma: the factor :math:`\gamma > 0` of each drop.

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = multistep_decay(0.1, milestones=[30, 80], gamma=0.1)
        >>> s(29), s(30), round(s(80), 12)
        (0.1, 0.010000000000000002, 0.001)

    PyTorch equivalent: ``torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones,
    gamma)``.

    References:
        He et al., "Deep Residual Learning for Image Recognition", CVPR 2016.
    """
    lr = check.learning_rate("lr", lr)
    ms = check.increasing_integers("milestones", milestones, minimum=0)
    gamma = check.finite("gamma", gamma, minimum=0.0, strict=True)
    edges = np.asarray(ms, dtype=np.int64)

    def fn(t):
        drops = np.searchsorted(edges, t, side="right").astype(np.int64)
        return scaled(lr, int_powers(gamma, drops))

    return make_schedule(
        multistep_decay,
        {"lr": lr, "milestones": list(ms), "gamma": gamma},
        fn,
    )


_EXPONENTIAL_DEFAULTS = {
    "decay_steps": 1,
    "staircase": False,
    "transition_begin": 0,
    "end_lr": None,
}


def _exponential_is_plain(p: dict) -> bool:
    return all(p.get(k, v) == v for k, v in _EXPONENTIAL_DEFAULTS.items())


def _exponential_factor(p: dict):
    """The factor of :func:`exponential_decay` at step ``t`` in Python floats."""
    p = {**_EXPONENTIAL_DEFAULTS, **p}
    lr, gamma, d, begin = p["lr"], p["gamma"], p["decay_steps"], p["transition_begin"]
    bound = None if p["end_lr"] is None or lr == 0 else p["end_lr"] / lr

    def factor(t):
        k = max(t - begin, 0)
        f = gamma ** (k // d if p["staircase"] else k / d)
        if bound is not None:
            f = max(f, bound) if gamma < 1 else min(f, bound)
        return f

    return factor


def _exponential_torch(tls, optimizer, p):
    if _exponential_is_plain(p):
        return tls.ExponentialLR(optimizer, p["gamma"])
    return tls.LambdaLR(optimizer, _exponential_factor(p))


@declare(
    family="decay",
    pytorch="ExponentialLR",
    torch=_exponential_torch,
    parameters={"lr": LR, "gamma": GAMMA, "decay_steps": Parameter(r"\Delta", "steps")},
    chain_refusal=lambda p: None
    if _exponential_is_plain(p)
    else (
        "with decay_steps, staircase, transition_begin or end_lr its PyTorch"
        " scheduler is a LambdaLR, which overwrites the rate"
    ),
)
def exponential_decay(
    lr: float,
    gamma: float,
    *,
    decay_steps: int = 1,
    staircase: bool = False,
    transition_begin: int = 0,
    end_lr: float | None = None,
) -> Schedule:
    r"""Exponential decay: multiply the learning rate by ``gamma`` at every step.

    .. math::
        \alpha_t = \alpha_0 \, \gamma^{t}

    The rate halves every :math:`\ln 2 / \ln(1/\gamma)` steps (its half-life).
    Keras and optax give a rate per ``decay_steps`` instead, start late and stop at an
    end value; the keyword arguments express them:

    .. math::
        \alpha_t = \alpha_0 \, \gamma^{t'/\Delta}, \qquad t' = \max(t - t_b, 0),

    with :math:`\Delta` = ``decay_steps``, :math:`t_b` = ``transition_begin`` and
    :math:`t'/\Delta` rounded down with ``staircase``; with ``end_lr`` the rate stops there
    (a floor when :math:`\gamma < 1`, else a ceiling, as in optax).

    Args:
        lr: the initial learning rate :math:`\alpha_0 \ge 0`.
        gamma: the factor :math:`\gamma > 0` per step (per ``decay_steps`` steps;
            below 1 to decay).
        decay_steps: :math:`\Delta \ge 1`, the steps over which the rate is multiplied
            by :math:`\gamma` (keyword only: Keras' ``ExponentialDecay(lr,
            decay_steps, decay_rate)`` takes it before the rate).
        staircase: whether to round :math:`t'/\Delta` down (a drop every
            :math:`\Delta` steps).
        transition_begin: :math:`t_b \ge 0`, the steps at :math:`\alpha_0` before the
            decay starts (optax).
        end_lr: ``None``, or a rate :math:`\ge 0` at which the decay stops (optax's
            ``end_value``).

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = exponential_decay(0.1, gamma=0.5)
        >>> s(0), s(1), s(3)
        (0.1, 0.05, 0.0125)
        >>> k = exponential_decay(0.1, 0.5, decay_steps=10, staircase=True)
        >>> k(9), k(10)
        (0.1, 0.05)

    PyTorch equivalent: ``torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma)``;
    with the keyword arguments, ``LambdaLR(optimizer, lambda t: gamma ** (max(t - B,
    0) / d))`` (Keras: ``ExponentialDecay(lr, decay_steps, gamma, staircase)``; optax:
    ``exponential_decay(lr, decay_steps, gamma, transition_begin, staircase,
    end_value)``).
    """
    lr = check.learning_rate("lr", lr)
    gamma = check.finite("gamma", gamma, minimum=0.0, strict=True)
    d = check.integer("decay_steps", decay_steps, minimum=1)
    if not isinstance(staircase, bool):
        raise TypeError(f"staircase must be a bool, got {staircase!r}")
    begin = check.integer("transition_begin", transition_begin, minimum=0)
    end = None if end_lr is None else check.learning_rate("end_lr", end_lr)
    params = {"lr": lr, "gamma": gamma}
    if not (d == 1 and not staircase and begin == 0 and end is None):
        params.update(
            decay_steps=d, staircase=staircase, transition_begin=begin, end_lr=end
        )

    def fn(t):
        k = np.maximum(t - begin, 0)
        if d == 1 or staircase:
            factor = int_powers(gamma, k // d)
        else:
            factor = powers(gamma, k / d)
        if end is not None and lr > 0:
            bound = end / lr
            factor = (np.maximum if gamma < 1 else np.minimum)(factor, bound)
        return scaled(lr, factor)

    return make_schedule(exponential_decay, params, fn)


#: The largest step :func:`multiplicative` evaluates: it calls its factor once per
#: step and keeps the running products (8 bytes each, 128 MiB at this bound).
_MAX_FACTOR_STEP = 2**24


def _factor_value(factor: Callable, i: int) -> float:
    """``factor(i)`` as a float, or the error that names the step."""
    try:
        value = factor(i)
    except Exception as exc:
        exc.add_note(f"lrbook: in factor({i}) of multiplicative()")
        raise
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"factor must return a real number for every step, got factor({i}) ="
            f" {value!r} ({type(value).__name__})"
        )
    x = float(value)
    if not math.isfinite(x) or x < 0:
        raise ValueError(
            f"factor must return a finite number >= 0 for every step, got"
            f" factor({i}) = {value!r}"
        )
    return x


class _RunningProduct:
    """``lr * factor(1) * ... * factor(t)``, multiplied left to right as PyTorch
    does, for every ``t`` asked so far (extended on demand, never recomputed)."""

    def __init__(self, lr: float, factor: Callable):
        self.factor = factor
        self.table = np.array([lr], dtype=np.float64)

    def upto(self, top: int) -> np.ndarray:
        have = self.table.size - 1
        if top > have:
            if top > _MAX_FACTOR_STEP:
                raise ValueError(
                    f"multiplicative() calls its factor once per step and is"
                    f" evaluated up to t = 2**24 = {_MAX_FACTOR_STEP}, got"
                    f" t={top}"
                )
            grow = max(top, 2 * have)
            grow = min(grow, _MAX_FACTOR_STEP)
            factors = np.fromiter(
                (_factor_value(self.factor, i) for i in range(have + 1, grow + 1)),
                dtype=np.float64,
                count=grow - have,
            )
            factors = np.concatenate(([self.table[-1]], factors))
            with np.errstate(over="ignore", invalid="ignore"):
                products = np.multiply.accumulate(factors)
            self.table = np.concatenate((self.table, products[1:]))
        return self.table


@declare(
    family="decay",
    pytorch="MultiplicativeLR",
    torch=lambda tls, optimizer, p: tls.MultiplicativeLR(optimizer, p["factor"]),
    parameters={"lr": LR, "factor": Parameter("c")},
    chain_refusal=lambda p: None,
)
def multiplicative(lr: float, factor: Callable[[int], float]) -> Schedule:
    r"""Multiply the learning rate by ``factor(t)`` at every step: PyTorch's
    ``MultiplicativeLR``.

    .. math::
        \alpha_t = \alpha_0 \prod_{i=1}^{t} c(i)

    where :math:`c` is ``factor``, a function of the step: update :math:`t` uses the
    rate of update :math:`t - 1` times :math:`c(t)`. A constant factor
    :math:`c(i) = \gamma` is :func:`exponential_decay`; a factor that depends on the
    step (0.9 for the first 10 steps, then 0.99, ...) changes the speed of the decay
    as training goes. The products are taken left to right, in the order PyTorch
    multiplies, so the rates equal PyTorch's bit for bit.

    ``factor`` must be a pure function of the step: lrbook calls it once for each of
    :math:`i = 1, 2, \dots` (up to the largest step asked, at most :math:`2^{24}`)
    and keeps the running products.

    Args:
        lr: the initial learning rate :math:`\alpha_0 \ge 0`.
        factor: a function of an integer step :math:`i \ge 1` returning a finite
            real number :math:`c(i) \ge 0` (below 1 to decay). It is called with
            :math:`i = 1` when the schedule is made, so a wrong function fails at
            once.

    Returns:
        A :class:`Schedule`.

    Raises:
        TypeError: ``factor`` is not callable, or returns something other than a
            real number.
        ValueError: ``lr`` is negative or not finite, or ``factor`` returns a
            negative or non-finite number (the message names the step).

    Examples:
        >>> s = multiplicative(0.1, lambda i: 0.5)
        >>> s(0), s(1), s(3)
        (0.1, 0.05, 0.0125)
        >>> slow = multiplicative(1.0, lambda i: 0.5 if i <= 2 else 0.9)
        >>> [round(slow(t), 12) for t in range(5)]
        [1.0, 0.5, 0.25, 0.225, 0.2025]

    PyTorch equivalent: ``torch.optim.lr_scheduler.MultiplicativeLR(optimizer,
    lr_lambda=factor)`` with the optimizer's rate ``lr``.
    """
    lr = check.learning_rate("lr", lr)
    if not callable(factor):
        raise TypeError(
            f"factor must be a function of the step (e.g. lambda i: 0.95), got"
            f" {factor!r} ({type(factor).__name__})"
        )
    products = _RunningProduct(lr, factor)
    products.upto(1)

    def fn(t):
        if t.size == 0:
            return np.empty(t.shape)
        return products.upto(int(t.max()))[t]

    return make_schedule(multiplicative, {"lr": lr, "factor": factor}, fn)


@declare(
    family="decay",
    pytorch="LambdaLR",
    torch=_inverse_time_torch,
    parameters={
        "lr": LR,
        "decay_rate": Parameter("k"),
        "decay_steps": Parameter(r"\Delta", "steps"),
    },
)
def inverse_time_decay(
    lr: float, decay_rate: float, *, decay_steps: int = 1, staircase: bool = False
) -> Schedule:
    r"""Inverse-time ("time-based") decay: the rate falls like :math:`1/t`.

    .. math::
        \alpha_t = \frac{\alpha_0}{1 + k\, t / \Delta}

    where :math:`k` is ``decay_rate`` and :math:`\Delta` is ``decay_steps``; with
    ``staircase`` the ratio :math:`t/\Delta` is rounded down, so the rate changes every
    :math:`\Delta` steps. Rates that shrink like :math:`1/t` are the classic condition of
    stochastic approximation (Robbins and Monro): :math:`\sum_t \alpha_t = \infty`
    but :math:`\sum_t \alpha_t^2 < \infty`.

    Args:
        lr: the initial learning rate :math:`\alpha_0 \ge 0`.
        decay_rate: :math:`k \ge 0`.
        decay_steps: :math:`\Delta \ge 1` (keyword only: Keras' ``InverseTimeDecay(lr,
            decay_steps, decay_rate)`` takes the two in the other order, and a
            positional call would swap them silently).
        staircase: whether to round :math:`t/d` down.

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = inverse_time_decay(0.1, decay_rate=1.0, decay_steps=10)
        >>> s(0), s(10), s(30)
        (0.1, 0.05, 0.025)

    PyTorch equivalent: no dedicated class; ``torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda t: 1 / (1 + decay_rate * t / decay_steps))`` (Keras calls it
    ``InverseTimeDecay``).

    References:
        Robbins and Monro, "A Stochastic Approximation Method", 1951; Darken and Moody,
        "Towards Faster Stochastic Gradient Search", NeurIPS 1991.
    """
    lr = check.learning_rate("lr", lr)
    k = check.finite("decay_rate", decay_rate, minimum=0.0)
    d = check.integer("decay_steps", decay_steps, minimum=1)
    if not isinstance(staircase, bool):
        raise TypeError(f"staircase must be a bool, got {staircase!r}")

    def fn(t):
        ratio = (t // d).astype(np.float64) if staircase else t / d
        return lr * (1 / (1 + k * ratio))  # LambdaLR's order: lr * factor

    params = {"lr": lr, "decay_rate": k, "decay_steps": d, "staircase": staircase}
    return make_schedule(
        inverse_time_decay,
        params,
        fn,
    )


def gamma_for(lr_start: float, lr_end: float, steps: int) -> float:
    r"""The per-step factor :math:`\gamma` that takes ``lr_start`` to ``lr_end``.

    Solves :math:`\alpha_0 \gamma^{T} = \alpha_T` for :math:`\gamma`:

    .. math::
        \gamma = \left(\frac{\alpha_T}{\alpha_0}\right)^{1/T}

    Args:
        lr_start: :math:`\alpha_0 > 0`.
        lr_end: :math:`\alpha_T > 0`.
        steps: :math:`T \ge 1`.

    Returns:
        :math:`\gamma` as a float.

    Examples:
        >>> g = gamma_for(0.1, 0.001, steps=100)
        >>> round(g, 6), round(exponential_decay(0.1, g)(100), 12)
        (0.954993, 0.001)
    """
    a = check.learning_rate("lr_start", lr_start, positive=True)
    b = check.learning_rate("lr_end", lr_end, positive=True)
    n = check.integer("steps", steps, minimum=1)
    return (b / a) ** (1.0 / n)


def half_life(gamma: float) -> float:
    r"""How many steps exponential decay with factor ``gamma`` takes to halve the rate.

    .. math::
        t_{1/2} = \frac{\ln 2}{\ln(1/\gamma)}

    Args:
        gamma: :math:`0 < \gamma < 1`.

    Returns:
        :math:`t_{1/2}` in steps (a float; the rate is exactly halved there).

    Examples:
        >>> round(half_life(0.5), 12), round(half_life(0.99), 2)
        (1.0, 68.97)
    """
    g = check.finite(
        "gamma", gamma, minimum=0.0, strict=True, maximum=1.0, strict_max=True
    )
    return math.log(2.0) / math.log(1.0 / g)


def ramp_torch(tls, optimizer, start_factor, end_factor, total_iters):
    """PyTorch's ``LinearLR``, or for ``start_factor=0`` (which ``LinearLR`` refuses:
    its next step would divide by 0) the ``LambdaLR`` of the same closed form."""
    if start_factor > 0:
        return tls.LinearLR(optimizer, start_factor, end_factor, total_iters)
    fs, fe, total = start_factor, end_factor, total_iters
    return tls.LambdaLR(
        optimizer, lambda t: fe if t >= total else fs + (fe - fs) * t / total
    )


@declare(
    family="decay",
    pytorch="LinearLR",
    torch=lambda tls, optimizer, p: ramp_torch(
        tls, optimizer, p["start_factor"], p["end_factor"], p["total_iters"]
    ),
    parameters={
        "lr": LR,
        "start_factor": Parameter("f_s"),
        "end_factor": Parameter("f_e"),
        "total_iters": Parameter("T", "steps"),
    },
    chain_refusal=lambda p: None
    if p["start_factor"] > 0
    else (
        "start_factor=0: PyTorch's LinearLR refuses it (it would divide by 0), and"
        " the LambdaLR that replaces it overwrites the rate"
    ),
)
def linear(
    lr: float,
    start_factor: float = 1.0 / 3,
    end_factor: float = 1.0,
    total_iters: int = 5,
) -> Schedule:
    r"""Linear ramp of the learning rate, used for warm-up.

    .. math::
        \alpha_t = \alpha_0 \left(f_s + (f_e - f_s)\,\frac{\min(t, T)}{T}\right)

    where :math:`f_s` is ``start_factor``, :math:`f_e` is ``end_factor`` and :math:`T`
    is ``total_iters``: the rate moves linearly from :math:`f_s \alpha_0` to
    :math:`f_e \alpha_0` over :math:`T` steps, then stays there.

    Args:
        lr: the base learning rate :math:`\alpha_0 \ge 0`.
        start_factor: :math:`f_s \in [0, 1]` (0: a warm-up from 0, as Hugging Face,
            Keras and optax do; PyTorch's ``LinearLR`` needs :math:`f_s > 0`).
        end_factor: :math:`f_e \in [0, 1]`.
        total_iters: :math:`T \ge 1`, the length of the ramp in steps.

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = linear(0.1, start_factor=0.25, end_factor=1.0, total_iters=3)
        >>> [round(s(t), 12) for t in range(5)]
        [0.025, 0.05, 0.075, 0.1, 0.1]

    PyTorch equivalent: ``torch.optim.lr_scheduler.LinearLR(optimizer, start_factor,
    end_factor, total_iters)`` (for ``start_factor=0``, ``LambdaLR(optimizer, lambda t:
    end_factor * min(t, total_iters) / total_iters)``).

    References:
        Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour", 2017
        (gradual warm-up).
    """
    lr = check.learning_rate("lr", lr)
    fs = check.finite("start_factor", start_factor, minimum=0.0, maximum=1.0)
    fe = check.finite("end_factor", end_factor, minimum=0.0, maximum=1.0)
    total = check.integer("total_iters", total_iters, minimum=1)
    return make_schedule(
        linear,
        {"lr": lr, "start_factor": fs, "end_factor": fe, "total_iters": total},
        # After the ramp the factor is exactly end_factor (as in PyTorch's chainable
        # form); the closed form alone can round to -1e-16 when end_factor is 0.
        lambda t: lr * np.where(t >= total, fe, fs + (fe - fs) * t / total),
    )


@declare(
    family="decay",
    pytorch="ConstantLR",
    torch=lambda tls, optimizer, p: tls.ConstantLR(
        optimizer, factor=p["factor"], total_iters=p["total_iters"]
    ),
    parameters={
        "lr": LR,
        "factor": Parameter("f_s"),
        "total_iters": Parameter("T_w", "steps"),
    },
    chain_refusal=lambda p: None,
)
def constant_factor(
    lr: float, factor: float = 1.0 / 3, total_iters: int = 5
) -> Schedule:
    r"""A constant fraction of the rate for the first steps, then the full rate.

    .. math::
        \alpha_t = \begin{cases} f_s\,\alpha_0 & t < T_w \\ \alpha_0 & t \ge T_w
                   \end{cases}

    where :math:`f_s` is ``factor`` and :math:`T_w` is ``total_iters``: the simplest
    warm-up, one step up instead of a ramp.

    Args:
        lr: the base learning rate :math:`\alpha_0 \ge 0`.
        factor: :math:`f_s \in (0, 1]` (PyTorch accepts 0, then divides by it at
            step :math:`T_w`).
        total_iters: :math:`T_w \ge 1`, the number of steps at the reduced rate
            (PyTorch's ``total_iters=0`` would keep the reduced rate forever).

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = constant_factor(0.1, factor=0.5, total_iters=2)
        >>> [s(t) for t in range(4)]
        [0.05, 0.05, 0.1, 0.1]

    PyTorch equivalent: ``torch.optim.lr_scheduler.ConstantLR(optimizer, factor,
    total_iters)``.
    """
    lr = check.learning_rate("lr", lr)
    c = check.finite("factor", factor, minimum=0.0, strict=True, maximum=1.0)
    total = check.integer("total_iters", total_iters, minimum=1)
    return make_schedule(
        constant_factor,
        {"lr": lr, "factor": c, "total_iters": total},
        lambda t: np.where(t >= total, lr, lr * c),
    )


def _polynomial_is_plain(p: dict) -> bool:
    return p.get("end_lr", 0.0) == 0.0 and not p.get("cycle", False)


def _polynomial_torch(tls, optimizer, p):
    total, power = p["total_iters"], p["power"]
    if _polynomial_is_plain(p):
        return tls.PolynomialLR(optimizer, total_iters=total, power=power)
    e = p["end_lr"] / p["lr"] if p["lr"] > 0 else 0.0
    cycle = p["cycle"]

    def factor(t):
        if cycle:
            span = total * max(math.ceil(t / total), 1)
            c = (1.0 - t / span) ** power
        else:
            c = (1.0 - min(t, total) / total) ** power
        return (1 - e) * c + e

    return tls.LambdaLR(optimizer, factor)


@declare(
    family="decay",
    pytorch="PolynomialLR",
    torch=_polynomial_torch,
    parameters={
        "lr": LR,
        "total_iters": Parameter("T", "steps"),
        "power": Parameter("p"),
        "end_lr": Parameter(r"\alpha_T"),
    },
    chain_refusal=lambda p: None
    if _polynomial_is_plain(p)
    else (
        "with end_lr or cycle its PyTorch scheduler is a LambdaLR, which overwrites"
        " the rate"
    ),
)
def polynomial_decay(
    lr: float,
    total_iters: int = 5,
    power: float = 1.0,
    *,
    end_lr: float = 0.0,
    cycle: bool = False,
) -> Schedule:
    r"""Polynomial decay to zero over ``total_iters`` steps; ``power=1`` is linear.

    .. math::
        \alpha_t = \alpha_0 \left(1 - \frac{\min(t, T)}{T}\right)^{p}

    where :math:`T` is ``total_iters`` and :math:`p` is ``power``: the rate reaches 0
    at :math:`t = T` and stays there. With :math:`p = 1` it falls in a straight line
    ("linear decay to zero"); :math:`p > 1` drops fast early, :math:`p < 1` late.

    With an end rate :math:`\alpha_T` (``end_lr``, Keras' ``end_learning_rate``,
    optax's ``end_value``) the schedule is
    :math:`\alpha_0 \left((1 - e)(1 - \min(t, T)/T)^p + e\right)` with
    :math:`e = \alpha_T/\alpha_0`; with ``cycle`` (Keras) :math:`T` is replaced by
    :math:`T \lceil t/T \rceil` and :math:`\min(t, T)` by :math:`t`, so the decay
    starts again, slower, after every :math:`T` steps.

    Args:
        lr: the initial learning rate :math:`\alpha_0 \ge 0`.
        total_iters: :math:`T \ge 1`, the step at which the rate reaches 0.
        power: :math:`p > 0`.
        end_lr: :math:`\alpha_T \ge 0`, the rate at step :math:`T` and after (above
            ``lr`` it is a rise; needs ``lr > 0`` unless 0).
        cycle: whether to decay again from ``lr`` after each :math:`T` steps (Keras'
            ``cycle=True``).

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = polynomial_decay(0.1, total_iters=4, power=1.0)
        >>> [round(s(t), 12) for t in range(6)]
        [0.1, 0.075, 0.05, 0.025, 0.0, 0.0]
        >>> round(polynomial_decay(0.1, total_iters=4, power=2.0)(2), 12)
        0.025

    PyTorch equivalent: ``torch.optim.lr_scheduler.PolynomialLR(optimizer,
    total_iters, power)``; with ``end_lr`` or ``cycle`` a ``LambdaLR`` (Keras:
    ``PolynomialDecay(lr, total_iters, end_lr, power, cycle)``; optax:
    ``polynomial_schedule(lr, end_lr, power, total_iters)``).

    References:
        Chen et al., "DeepLab: Semantic Image Segmentation with Deep Convolutional
        Nets, Atrous Convolution, and Fully Connected CRFs", 2017 (the "poly"
        policy).
    """
    lr = check.learning_rate("lr", lr)
    total = check.integer("total_iters", total_iters, minimum=1)
    power = check.finite("power", power, minimum=0.0, strict=True)
    end = check.learning_rate("end_lr", end_lr)
    if not isinstance(cycle, bool):
        raise TypeError(f"cycle must be a bool, got {cycle!r}")
    if lr == 0 and end > 0:
        raise ValueError(
            f"end_lr must be 0 when lr is 0 (it is a fraction of lr), got {end_lr!r}"
        )
    params = {"lr": lr, "total_iters": total, "power": power}
    if end or cycle:
        params.update(end_lr=end, cycle=cycle)
    e = end / lr if lr > 0 else 0.0

    def fn(t):
        if cycle:
            span = total * np.maximum(-(-t // total), 1)
            c = powers(1.0 - t / span, power)
        else:
            c = polynomial_factors(np.minimum(t, total), total, power)
        if not params.get("end_lr") and not cycle:
            return lr * c
        return lr * ((1 - e) * c + e)

    return make_schedule(polynomial_decay, params, fn)
