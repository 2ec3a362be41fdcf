r"""Gradient descent on the toy objectives: whole paths, with divergence detection.

:func:`descend` runs

.. math::
    x_{t+1} = x_t - \alpha_t \nabla f(x_t)

(optionally with heavy-ball momentum, and with gradient noise for a
:func:`~lrbook.gd.noisy` objective) and returns a :class:`Path`. A run that blows up
stops cleanly, with a flag, instead of overflowing into ``inf`` and ``NaN``.
:func:`descend_many` runs several learning rates at once, bit for bit equal to
:func:`descend`.

Examples:
    >>> from lrbook import gd
    >>> gd.descend(gd.quadratic_1d(1.0), lr=0.5, steps=3).xs[:, 0]
    array([1.   , 0.5  , 0.25 , 0.125])
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .. import _checks as check
from ..schedules import Schedule
from .objectives import Noisy, Objective, _readonly

__all__ = ["Path", "descend", "descend_many", "BLOWUP"]

#: loss exceeds ``f* + BLOWUP * (f(x0) - f* + 1)``.
BLOWUP = 1e6

# Steps between two divergence checks in the descent loop: the losses of a chunk are
# computed in one vectorised call, which keeps the per-step loop to one gradient and
# one update.
_CHUNK = 64


@dataclass(frozen=True, eq=False, repr=False)
class Path:
    r"""The path of gradient descent, as returned by :func:`descend`.

    The arrays are read-only and finite. When the path diverged they stop at the last
    iterate that was still below the blow-up threshold.

    Attributes:
        objective: the objective that was minimised.
        lr: the learning rate as given to :func:`descend` (a number, a schedule, ...).
        steps: the number of steps asked for.
        xs: the iterates :math:`x_0, \dots, x_n`, shape ``(n + 1, d)``; ``n == steps``
            unless the path diverged.
        losses: :math:`f(x_0), \dots, f(x_n)`, shape ``(n + 1,)`` (the noise-free
            loss for a noisy objective).
        lrs: the step sizes :math:`\alpha_0, \dots, \alpha_{n-1}` used, shape
            ``(n,)``.
        diverged: whether the path blew up.
        diverged_at: the index ``t`` of the first iterate :math:`x_t` whose loss was
            not finite or above the threshold (then ``len(xs) == diverged_at``), or
            ``None``.
    """

    objective: Objective
    lr: object
    steps: int
    xs: np.ndarray
    losses: np.ndarray
    lrs: np.ndarray
    diverged: bool
    diverged_at: int | None

    @property
    def final_loss(self) -> float:
        """The loss of the last iterate kept."""
        return float(self.losses[-1])

    @property
    def distances(self) -> np.ndarray:
        r"""The distances :math:`\|x_t - x^\ast\|` to the minimiser, shape (n + 1,)."""
        return np.linalg.norm(self.xs - self.objective.minimum, axis=-1)

    def __repr__(self) -> str:
        lr = f"{self.lr:g}" if isinstance(self.lr, float) else _short(self.lr)
        head = f"Path({self.objective!r}, lr={lr}"
        span = f"loss {self.losses[0]:.4g} -> {self.losses[-1]:.3g}"
        if self.diverged:
            return f"{head}, diverged at t={self.diverged_at}: {span})"
        return f"{head}, steps={self.steps}: {span})"


def _short(obj: object) -> str:
    text = repr(obj)
    return text if len(text) <= 60 else text[:57] + "..."


def _rates(lr, steps: int, name: str = "lr") -> np.ndarray:
    """The step sizes alpha_0..alpha_{steps-1} from a number, schedule or callable."""
    t = np.arange(steps)
    if isinstance(lr, numbers.Real) and not isinstance(lr, bool):
        return np.full(steps, check.learning_rate(name, lr))
    if isinstance(lr, Schedule):
        if lr.max_step is not None and lr.max_step < steps - 1:
            raise ValueError(
                f"{name} = {lr!r} is defined for {lr.max_step + 1} steps, but"
                f" steps={steps}"
            )
        rates = lr(t)
    elif callable(lr):
        try:
            rates = np.asarray(lr(t), dtype=np.float64)
            if rates.shape != t.shape:
                raise ValueError
        except Exception:
            rates = np.array([lr(int(i)) for i in t], dtype=np.float64)
    elif isinstance(lr, (Sequence, np.ndarray)) and not isinstance(lr, (str, bytes)):
        rates = np.asarray(lr, dtype=np.float64)
        if rates.shape != (steps,):
            raise ValueError(
                f"{name} as an array must hold one rate per step, shape ({steps},),"
                f" got shape {rates.shape}"
            )
    else:
        raise TypeError(
            f"{name} must be a number, an lrbook Schedule, a function of the step t or"
            f" an array of rates, got {lr!r} ({type(lr).__name__})"
        )
    bad = ~(np.isfinite(rates) & (rates >= 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name} must give finite rates >= 0, got {rates[i]!r} at step t={i}"
        )
    return np.array(rates, dtype=np.float64)


def _start(objective: Objective, x0, name: str = "x0") -> np.ndarray:
    if x0 is None:
        return np.array(objective.x0)
    try:
        arr = np.array(x0, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a point of shape ({objective.dim},), got {x0!r}"
        ) from None
    if arr.ndim == 0 and objective.dim == 1:
        arr = arr.reshape(1)
    if arr.shape != (objective.dim,):
        raise ValueError(
            f"{name} must be a point of shape ({objective.dim},) for {objective!r},"
            f" got shape {arr.shape}"
        )
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite, got {x0!r}")
    return arr


def _check_common(objective, steps, momentum, blowup):
    if not isinstance(objective, Objective):
        raise TypeError(
            "objective must be an lrbook.gd objective (e.g. quadratic()), got"
            f" {objective!r} ({type(objective).__name__})"
        )
    steps = check.integer("steps", steps, minimum=0)
    momentum = check.finite(
        "momentum", momentum, minimum=0.0, maximum=1.0, strict_max=True
    )
    blowup = check.finite("blowup", blowup, minimum=1.0, strict=True)
    return steps, momentum, blowup


def _noise(objective: Objective, steps: int, seed) -> np.ndarray | None:
    if not isinstance(objective, Noisy):
        return None
    if seed is not None:
        seed = check.integer("seed", seed, minimum=0)
    else:
        seed = objective.seed
    rng = np.random.default_rng(seed)
    return objective.sigma * rng.standard_normal((steps, objective.dim))


def _run(objective, rates, x0, steps, momentum, noise, blowup):
    """Gradient descent on a batch: rates (B, steps), x0 (B, d).

    Returns xs (steps+1, B, d), losses (steps+1, B) and the index of the first bad
    iterate of each path (steps+1 when none).
    """
    base = objective.base if isinstance(objective, Noisy) else objective
    grad, loss = base._grad, base._loss
    nb = x0.shape[0]
    f_star = base.loss(base.minimum)
    with np.errstate(all="ignore"):
        f0 = loss(x0)
        if not np.isfinite(f0).all():
            raise ValueError(f"x0 must have a finite loss, got f(x0) = {f0}")
        limit = f_star + blowup * (f0 - f_star + 1.0)
        xs = np.empty((steps + 1, *x0.shape))
        losses = np.empty((steps + 1, nb))
        xs[0], losses[0] = x0, f0
        first_bad = np.full(nb, steps + 1)
        alpha = rates.T[:, :, None].copy()  # (steps, B, 1): one view per step
        x = x0
        v = np.zeros_like(x0)
        checked = 1  # iterates 0..checked-1 have their losses computed
        for t in range(steps):
            g = grad(x)
            if noise is not None:
                g += noise[t]
            if momentum:
                v = momentum * v + g
                g = v
            x = x - alpha[t] * g
            xs[t + 1] = x
            if t + 2 - checked >= _CHUNK or t == steps - 1:
                chunk = slice(checked, t + 2)
                lc = loss(xs[chunk])
                losses[chunk] = lc
                ok = np.isfinite(lc) & (lc <= limit) & np.isfinite(xs[chunk]).all(-1)
                bad_rows = ~ok.all(axis=0)
                if bad_rows.any():
                    first = checked + np.argmin(ok, axis=0)
                    first_bad = np.where(
                        bad_rows & (first_bad > steps), first, first_bad
                    )
                checked = t + 2
                if (first_bad <= steps).all():
                    break
    return xs, losses, first_bad


def _check_lrs(lrs) -> list:
    """``lrs`` as a non-empty list (a sequence of learning rates, not one schedule)."""
    if isinstance(lrs, (str, bytes, Schedule)) or not isinstance(
        lrs, (Sequence, np.ndarray)
    ):
        raise TypeError(
            f"lrs must be a sequence of learning rates, got {lrs!r}"
            f" ({type(lrs).__name__})"
        )
    lrs = list(lrs)
    if not lrs:
        raise ValueError("lrs must hold at least one learning rate, got []")
    return lrs


def _run_seeds(objective, lrs, x0, steps, momentum, seeds, blowup):
    """Every rate of ``lrs`` under the noise of every seed, batched: bit for bit what
    ``descend_many(objective, lrs, x0, steps, momentum=momentum, seed=s)`` computes
    for each seed ``s`` (the update is elementwise, so a larger batch changes no
    value), without a Python loop over the seeds.

    Returns:
        ``(xs, first_bad)``: ``xs`` of shape ``(steps + 1, len(seeds), len(lrs), d)``
        and the index of the first bad iterate of each run, ``(len(seeds),
        len(lrs))`` (``steps + 1`` when none).
    """
    rates = np.stack([_rates(lr, steps, f"lrs[{i}]") for i, lr in enumerate(lrs)])
    nb, ns = len(lrs), len(seeds)
    start = _start(objective, x0)
    noise = np.stack([_noise(objective, steps, seed) for seed in seeds], axis=1)
    xs, _, first_bad = _run(
        objective,
        np.tile(rates, (ns, 1)),  # row s * nb + i: rate i under seed s
        np.repeat(start[None], ns * nb, axis=0),
        steps,
        momentum,
        np.repeat(noise, nb, axis=1),  # (steps, ns * nb, d)
        blowup,
    )
    shape = (steps + 1, ns, nb, objective.dim)
    return xs.reshape(shape), first_bad.reshape(ns, nb)


def _make_path(objective, lr, steps, xs, losses, rates, first_bad) -> Path:
    n = int(first_bad)  # iterates kept: 0..n-1
    diverged = n <= steps
    kept = n if diverged else steps + 1
    return Path(
        objective=objective,
        lr=lr,
        steps=steps,
        xs=_readonly(np.array(xs[:kept])),
        losses=_readonly(np.array(losses[:kept])),
        lrs=_readonly(np.array(rates[: kept - 1])),
        diverged=bool(diverged),
        diverged_at=n if diverged else None,
    )


def descend(
    objective: Objective,
    lr,
    x0=None,
    steps: int = 100,
    *,
    momentum: float = 0.0,
    seed: int | None = None,
    blowup: float = BLOWUP,
) -> Path:
    r"""Run gradient descent on ``objective`` and return the whole path.

    .. math::
        x_{t+1} = x_t - \alpha_t\, g_t, \qquad t = 0, \dots, T - 1,

    where :math:`g_t = \nabla f(x_t)` (plus noise for a :func:`~lrbook.gd.noisy`
    objective). With ``momentum`` :math:`\beta > 0` the update is the heavy-ball form
    of PyTorch's ``SGD(momentum=beta)``: :math:`m_{t+1} = \beta m_t + g_t`,
    :math:`x_{t+1} = x_t - \alpha_t m_{t+1}`, :math:`m_0 = 0`.

    The path *diverges* at the first iterate :math:`x_t` whose loss is not finite or
    exceeds

    .. math::
        f^\ast + \mathrm{blowup} \cdot \bigl(f(x_0) - f^\ast + 1\bigr)

    (:math:`f^\ast` is the minimum value; ``blowup`` is :data:`BLOWUP` = :math:`10^6`
    by default). The run then stops: the returned arrays end at :math:`x_{t-1}`,
    ``diverged`` is ``True`` and ``diverged_at`` is ``t``. No overflow warning is
    raised and no ``inf``/``NaN`` is returned.

    Args:
        objective: an objective of :mod:`lrbook.gd` (e.g. ``gd.quadratic()``).
        lr: the step size: a number :math:`\alpha \ge 0` (fixed), an lrbook
            :class:`~lrbook.schedules.Schedule`, any function of the step ``t``
            returning a rate, or an array of ``steps`` rates.
        x0: the start point, shape ``(d,)`` (a number for a 1-D objective); default
            ``objective.x0``.
        steps: the number of steps :math:`T \ge 0`.
        momentum: the heavy-ball coefficient :math:`\beta \in [0, 1)`.
        seed: the seed of the gradient noise of a :func:`~lrbook.gd.noisy` objective
            (default: the objective's own seed). The noise is drawn afresh from it at
            each call, so the same seed gives the same path. Ignored for noise-free
            objectives.
        blowup: the factor (> 1) of the divergence threshold.

    Returns:
        A :class:`Path`.

    Examples:
        >>> from lrbook.gd import quadratic_1d
        >>> f = quadratic_1d(1.0)
        >>> p = descend(f, lr=0.5, x0=1.0, steps=3)
        >>> p.xs[:, 0]
        array([1.   , 0.5  , 0.25 , 0.125])
        >>> p.losses
        array([0.5      , 0.125    , 0.03125  , 0.0078125])
        >>> descend(f, lr=2.5, x0=1.0, steps=100)
        Path(quadratic_1d(a=1.0), lr=2.5, diverged at t=19: loss 0.5 -> 1.09e+06)
        >>> import lrbook
        >>> descend(f, lr=lrbook.exponential_decay(0.5, gamma=0.9), steps=3).lrs
        array([0.5  , 0.45 , 0.405])
    """
    steps, momentum, blowup = _check_common(objective, steps, momentum, blowup)
    rates = _rates(lr, steps)
    start = _start(objective, x0)
    noise = _noise(objective, steps, seed)
    xs, losses, first_bad = _run(
        objective, rates[None], start[None], steps, momentum, noise, blowup
    )
    return _make_path(objective, lr, steps, xs[:, 0], losses[:, 0], rates, first_bad[0])


def descend_many(
    objective: Objective,
    lrs: Sequence,
    x0=None,
    steps: int = 100,
    *,
    momentum: float = 0.0,
    seed: int | None = None,
    blowup: float = BLOWUP,
) -> list[Path]:
    r"""Run :func:`descend` for several learning rates at once (vectorised).

    All the paths advance together on a batch axis, which is several times faster
    than a loop of :func:`descend` calls: explorers use it to precompute a path for
    every position of a slider. Path ``i`` equals ``descend(objective, lrs[i], ...)``
    exactly (bit for bit); with a :func:`~lrbook.gd.noisy` objective, every path sees
    the same noise sequence, the one ``descend`` draws from the same seed ("common
    random numbers": changing the learning rate does not change the noise).

    Args:
        objective: an objective of :mod:`lrbook.gd`.
        lrs: a sequence of learning rates, each one anything :func:`descend` accepts
            as ``lr``.
        x0: one start point ``(d,)`` for all the paths, or one per path
            ``(len(lrs), d)``; default ``objective.x0``.
        steps, momentum, seed, blowup: as for :func:`descend`.

    Returns:
        A list of :class:`Path`, one per learning rate.

    Examples:
        >>> from lrbook.gd import quadratic_1d
        >>> paths = descend_many(quadratic_1d(1.0), [0.5, 1.5, 2.5], steps=50)
        >>> [p.diverged for p in paths]
        [False, False, True]
    """
    steps, momentum, blowup = _check_common(objective, steps, momentum, blowup)
    lrs = _check_lrs(lrs)
    rates = np.stack([_rates(lr, steps, f"lrs[{i}]") for i, lr in enumerate(lrs)])
    nb = len(lrs)
    arr = None if x0 is None else np.asarray(x0, dtype=np.float64)
    if arr is not None and arr.ndim == 2:
        if arr.shape != (nb, objective.dim):
            raise ValueError(
                f"x0 must have shape ({objective.dim},) or ({nb}, {objective.dim})"
                f" for {nb} learning rates, got shape {arr.shape}"
            )
        starts = np.stack(
            [_start(objective, row, f"x0[{i}]") for i, row in enumerate(arr)]
        )
    else:
        starts = np.repeat(_start(objective, x0)[None], nb, axis=0)
    noise = _noise(objective, steps, seed)
    xs, losses, first_bad = _run(
        objective, rates, starts, steps, momentum, noise, blowup
    )
    return [
        _make_path(objective, lr, steps, xs[:, i], losses[:, i], rates[i], first_bad[i])
        for i, lr in enumerate(lrs)
    ]
