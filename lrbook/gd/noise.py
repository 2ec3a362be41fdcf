r"""The noise of SGD on a quadratic: floor, exact mean squares, Monte-Carlo checks.

The model of the book is gradient descent on :math:`f(x) = \tfrac a2 x^2` with noisy
gradients :math:`a x_t + \sigma\xi_t`, :math:`\xi_t \sim \mathcal N(0, 1)`
independent (:func:`~lrbook.gd.noisy`):

.. math::
    x_{t+1} = (1 - \alpha_t a)\, x_t - \alpha_t \sigma \xi_t .

Squaring and taking expectations gives an exact recursion for the mean square
:math:`v_t = \mathbb E[x_t^2]`, for any sequence of rates :math:`\alpha_t`:

.. math::
    v_{t+1} = (1 - \alpha_t a)^2\, v_t + \alpha_t^2 \sigma^2 .

:func:`noise_floor` is its fixed point for a constant rate; :func:`mean_square` and
:func:`expected_loss` run it for any schedule; :func:`simulate_mean_square` estimates
the same quantity by averaging simulated paths over seeds; :func:`first_within` reads
off when a curve reaches a level (e.g. a floor).

Examples:
    >>> from lrbook import gd
    >>> v = gd.mean_square(1.0, lr=0.1, sigma=1.0, x0=10.0, steps=2000)
    >>> floor = gd.noise_floor(1.0, 0.1, sigma=1.0)
    >>> bool(np.isclose(v[-1], floor, rtol=1e-12))
    True
    >>> gd.first_within(v, floor)  # the first update within 10 % of the floor
    47
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from .. import _checks as check
from .descent import BLOWUP, _check_common, _check_lrs, _rates, _run_seeds
from .objectives import Noisy, Objective, Quadratic
from .theory import _nonneg

__all__ = [
    "noise_floor",
    "mean_square",
    "expected_loss",
    "simulate_mean_square",
    "first_within",
]


def noise_floor(objective: Objective | float, lr, sigma: float | None = None):
    r"""The stationary mean squared distance to the minimum of SGD with a fixed step.

    On :math:`f(x) = \tfrac a2 x^2` with gradient noise :math:`\sigma\xi_t`,
    :math:`\xi_t \sim \mathcal N(0, 1)`, one step is

    .. math::
        x_{t+1} = (1 - \alpha a)\, x_t - \alpha \sigma \xi_t .

    Since :math:`\xi_t` is independent of :math:`x_t`,
    :math:`v_{t+1} = (1 - \alpha a)^2 v_t + \alpha^2\sigma^2` for
    :math:`v_t = \mathbb E[x_t^2]`, whose fixed point is

    .. math::
        \mathbb E[x^2] = \frac{\alpha^2\sigma^2}{1 - (1 - \alpha a)^2}
                       = \frac{\alpha\,\sigma^2}{a\,(2 - \alpha a)}
                       \approx \frac{\alpha\sigma^2}{2a} \quad (\alpha a \ll 1).

    The iterates never get closer on average: the floor is proportional to
    :math:`\alpha`, so only a *decaying* step size reaches the minimum. The expected
    loss is :math:`\tfrac a2 \mathbb E[x^2]`. For a quadratic in :math:`d` dimensions
    (isotropic noise), the same holds along each principal axis and the result is
    :math:`\mathbb E\|x - x^\ast\|^2 = \sum_i \alpha\sigma^2 / (a_i(2 -
    \alpha a_i))`.

    Args:
        objective: the curvature :math:`a > 0`, or a quadratic objective (possibly
            :func:`noisy`).
        lr: the step size :math:`\alpha > 0`, a number or an array of them.
        sigma: the noise level :math:`\sigma \ge 0`; default: the ``sigma`` of a
            noisy objective.

    Returns:
        :math:`\mathbb E\|x - x^\ast\|^2` (a ``float``, or an array of the shape of
        ``lr``); ``inf`` where :math:`\alpha \ge 2/L` (no stationary state: the
        iterates diverge).

    Examples:
        >>> round(noise_floor(1.0, lr=0.1, sigma=1.0), 6)
        0.052632
        >>> from lrbook.gd import noisy, quadratic
        >>> f = noisy(quadratic(eigenvalues=(1.0, 4.0)), sigma=1.0)
        >>> round(noise_floor(f, lr=0.1), 6)
        0.068257
    """
    if isinstance(objective, Objective):
        base = objective.base if isinstance(objective, Noisy) else objective
        if not isinstance(base, Quadratic):
            raise ValueError(
                f"noise_floor is derived for quadratic objectives, got {objective!r}"
            )
        lams = np.asarray(base.eigenvalues)
        if sigma is None and isinstance(objective, Noisy):
            sigma = objective.sigma
    else:
        lams = np.asarray(
            [check.finite("objective", objective, minimum=0.0, strict=True)]
        )
    if sigma is None:
        raise TypeError("sigma is required unless objective is a noisy objective")
    sigma = check.finite("sigma", sigma, minimum=0.0)
    lr, scalar = _nonneg("lr", lr, positive=True)
    lr_axis = np.asarray(lr, dtype=np.float64)[..., None]
    al = lr_axis * lams
    with np.errstate(divide="ignore", invalid="ignore"):
        per_axis = np.where(al < 2.0, lr_axis * sigma**2 / (lams * (2.0 - al)), np.inf)
    out = per_axis.sum(axis=-1)
    return float(out) if scalar else out


# ----------------------------------------------------------- the exact mean squares
def _steps_for(lr, steps) -> int:
    """``steps``, or the number of rates of an array ``lr`` when it is None."""
    if steps is not None:
        return check.integer("steps", steps, minimum=0)
    if isinstance(lr, (Sequence, np.ndarray)) and not isinstance(lr, (str, bytes)):
        return len(lr)
    raise TypeError(
        "steps is required unless lr is an array of rates (one per step), got"
        f" lr={lr!r} and steps=None"
    )


def _start_mean_square(x0, v0) -> np.float64:
    """v_0: x0 squared (``inf`` if it overflows, without a warning), or v0."""
    if v0 is None:
        x0 = 1.0 if x0 is None else check.finite("x0", x0)
        with np.errstate(over="ignore"):
            return np.float64(x0) ** 2
    if x0 is not None:
        raise ValueError(
            f"give either x0 (a start point) or v0 (a mean square), got x0={x0!r} and"
            f" v0={v0!r}"
        )
    return np.float64(check.finite("v0", v0, minimum=0.0))


def mean_square(
    a: float,
    lr,
    sigma: float,
    x0: float | None = None,
    steps: int | None = None,
    *,
    v0: float | None = None,
) -> np.ndarray:
    r"""The mean square :math:`\mathbb E[x_t^2]` of SGD on :math:`\tfrac a2 x^2`, exact.

    SGD with the rates :math:`\alpha_0, \alpha_1, \dots` and gradient noise
    :math:`\sigma\xi_t` (independent, mean 0, variance 1) is
    :math:`x_{t+1} = (1 - \alpha_t a)\, x_t - \alpha_t\sigma\xi_t`. Squaring and
    taking expectations (the cross term vanishes because :math:`\xi_t` is independent
    of :math:`x_t`) gives, with :math:`v_t = \mathbb E[x_t^2]`,

    .. math::
        v_0 = x_0^2, \qquad
        v_{t+1} = (1 - \alpha_t a)^2\, v_t + \alpha_t^2 \sigma^2 .

    No simulation: this is the exact expectation over the noise, computed by the
    recursion in this order, step by step. For a constant rate it tends to the
    :func:`noise_floor`; a path of :func:`~lrbook.gd.descend` on
    ``noisy(quadratic_1d(a), sigma)`` is one random draw around it
    (:func:`simulate_mean_square` averages many).

    Args:
        a: the curvature :math:`a > 0`.
        lr: the rates :math:`\alpha_t \ge 0`: a number (fixed), an lrbook
            :class:`~lrbook.schedules.Schedule`, any function of the step ``t``, or an
            array of one rate per step (e.g. ``path.lrs`` of a run).
        sigma: the noise level :math:`\sigma \ge 0`.
        x0: the start :math:`x_0` (a finite number; default 1), so that
            :math:`v_0 = x_0^2`.
        steps: the number of steps :math:`T \ge 0`; default: the length of ``lr``
            when it is an array (required otherwise).
        v0: instead of ``x0``: the mean square :math:`v_0 \ge 0` of a random start,
            e.g. the noise floor of an earlier rate.

    Returns:
        :math:`v_0, \dots, v_T`, a float64 array of shape ``(T + 1,)`` (``inf`` where
        it overflows, for rates above :math:`2/a`, without a warning).

    Examples:
        >>> mean_square(1.0, 0.5, sigma=1.0, x0=2.0, steps=3)
        array([4.      , 1.25    , 0.5625  , 0.390625])
        >>> import lrbook
        >>> drop = lrbook.multistep_decay(0.5, milestones=[2], gamma=0.1)
        >>> mean_square(1.0, drop, sigma=1.0, x0=2.0, steps=4)
        array([4.        , 1.25      , 0.5625    , 0.51015625, 0.46291602])
        >>> mean_square(1.0, [0.5, 0.5], sigma=0.0, v0=1.0)  # steps = len(lr)
        array([1.    , 0.25  , 0.0625])
    """
    a = check.finite("a", a, minimum=0.0, strict=True)
    sigma = check.finite("sigma", sigma, minimum=0.0)
    v = _start_mean_square(x0, v0)
    rates = _rates(lr, _steps_for(lr, steps))
    out = np.empty(rates.size + 1)
    out[0] = v
    with np.errstate(over="ignore", invalid="ignore"):
        for t, alpha in enumerate(rates):
            v = (1 - alpha * a) ** 2 * v + alpha**2 * sigma**2
            out[t + 1] = v
    return out


def expected_loss(
    a: float,
    lr,
    sigma: float,
    x0: float | None = None,
    steps: int | None = None,
    *,
    v0: float | None = None,
) -> np.ndarray:
    r"""The expected loss :math:`\mathbb E[f(x_t)]` of SGD on :math:`f = \tfrac a2 x^2`.

    .. math::
        \mathbb E[f(x_t)] = \tfrac a2\, v_t, \qquad
        v_{t+1} = (1 - \alpha_t a)^2\, v_t + \alpha_t^2 \sigma^2, \quad v_0 = x_0^2,

    exactly, by the recursion of :func:`mean_square` (same arguments). For a constant
    rate it tends to :math:`\tfrac a2` times the :func:`noise_floor`.

    Args:
        a: the curvature :math:`a > 0`.
        lr: the rates :math:`\alpha_t \ge 0`: a number, a schedule, a function of
            ``t`` or an array of one rate per step.
        sigma: the noise level :math:`\sigma \ge 0`.
        x0: the start :math:`x_0` (default 1).
        steps: the number of steps :math:`T \ge 0` (default: the length of an array
            ``lr``).
        v0: instead of ``x0``: the mean square :math:`v_0 \ge 0` of a random start.

    Returns:
        :math:`\mathbb E[f(x_0)], \dots, \mathbb E[f(x_T)]`, shape ``(T + 1,)``.

    Examples:
        >>> expected_loss(1.0, 0.5, sigma=1.0, x0=2.0, steps=3)
        array([2.       , 0.625    , 0.28125  , 0.1953125])
        >>> loss = expected_loss(1.0, 0.05, sigma=1.0, x0=10.0, steps=150)
        >>> round(float(loss[-1]), 4), round(0.5 * noise_floor(1.0, 0.05, 1.0), 4)
        (0.0128, 0.0128)
    """
    v = mean_square(a, lr, sigma, x0, steps, v0=v0)
    return a / 2 * v


# ------------------------------------------------------------------- Monte Carlo
#: How many iterate coordinates :func:`simulate_mean_square` keeps at once (32 MB).
_BATCH_VALUES = 4_000_000


def simulate_mean_square(
    objective: Noisy,
    lrs: Sequence,
    x0=None,
    steps: int = 100,
    *,
    seeds: Iterable[int] = range(100),
    momentum: float = 0.0,
) -> np.ndarray:
    r"""The mean squared distance to the minimum over seeded runs of SGD (Monte Carlo).

    For each seed :math:`j`, :func:`~lrbook.gd.descend_many` runs every learning rate
    on ``objective`` with the noise of seed :math:`j` (the same noise for every rate);
    the estimate is the average over the :math:`J` seeds

    .. math::
        \hat v_t = \frac1J \sum_{j} \bigl\| x^{(j)}_t - x^\ast \bigr\|^2 ,

    accumulated seed by seed. On ``noisy(quadratic_1d(a), sigma)`` it estimates the
    exact :func:`mean_square`, with a relative error of about :math:`\sqrt{2/J}`.

    Args:
        objective: a noisy objective (:func:`~lrbook.gd.noisy`); its own seed is
            ignored.
        lrs: a sequence of learning rates, each anything
            :func:`~lrbook.gd.descend` accepts (a number, a schedule, ...).
        x0: the start point (as for :func:`~lrbook.gd.descend`); default
            ``objective.x0``.
        steps: the number of steps :math:`T \ge 0`.
        seeds: the seeds of the noise, integers >= 0 (at least one).
        momentum: the heavy-ball coefficient :math:`\beta \in [0, 1)`.

    Returns:
        :math:`\hat v_t` for every rate, shape ``(len(lrs), T + 1)``.

    Raises:
        ValueError: if a run diverges (its mean square is not finite).

    Examples:
        >>> from lrbook.gd import noisy, quadratic_1d
        >>> f = noisy(quadratic_1d(1.0), sigma=1.0)
        >>> v = simulate_mean_square(f, [0.1, 0.5], x0=0.0, steps=400)
        >>> v.shape
        (2, 401)
        >>> [round(float(x), 2) for x in v[:, 200:].mean(axis=1)]
        [0.05, 0.33]
        >>> [round(noise_floor(1.0, lr, sigma=1.0), 2) for lr in (0.1, 0.5)]
        [0.05, 0.33]
    """
    if not isinstance(objective, Noisy):
        raise TypeError(
            "objective must be a noisy objective, e.g. gd.noisy(gd.quadratic_1d(),"
            f" sigma=1.0), got {objective!r} ({type(objective).__name__})"
        )
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise TypeError(f"seeds must be a sequence of integers >= 0, got {seeds!r}")
    seeds = tuple(seeds)
    if not seeds:
        raise ValueError("seeds must hold at least one seed, got ()")
    for i, seed in enumerate(seeds):
        check.integer(f"seeds[{i}]", seed, minimum=0)
    lrs = _check_lrs(lrs)
    steps, momentum, blowup = _check_common(objective, steps, momentum, BLOWUP)
    n = len(seeds)
    total = np.zeros((len(lrs), steps + 1))
    # runs batched over seeds (the same numbers as descend_many seed by seed), in
    # groups of at most _BATCH_VALUES iterate coordinates
    group = max(1, _BATCH_VALUES // ((steps + 1) * len(lrs) * objective.dim))
    for g in range(0, n, group):
        chunk = seeds[g : g + group]
        xs, first_bad = _run_seeds(objective, lrs, x0, steps, momentum, chunk, blowup)
        for k, seed in enumerate(chunk):
            for i, bad in enumerate(first_bad[k]):
                if bad <= steps:
                    raise ValueError(
                        f"lrs[{i}] = {lrs[i]!r} diverges (at t={int(bad)}, seed"
                        f" {seed}): its mean square is not finite"
                    )
            squares = np.sum((xs[:, k] - objective.minimum) ** 2, axis=-1).T
            total += squares / n
    return total


# --------------------------------------------------------------------- reading curves
def first_within(values, level: float, rtol: float = 0.1, atol: float = 0.0):
    r"""The first index at which a curve is within a tolerance of a level.

    The first :math:`t` with

    .. math::
        |y_t - \ell| \le \mathrm{atol} + \mathrm{rtol}\, |\ell| ,

    e.g. the first update at which an expected loss is within 10 % of a noise floor
    (the default ``rtol=0.1``). For a curve that approaches the level from above,
    this is the first :math:`t` with :math:`y_t \le (1 + \mathrm{rtol})\,\ell`.

    Args:
        values: the curve :math:`y_0, y_1, \dots`, a 1-d sequence of real numbers
            (``inf`` and ``nan`` are never within).
        level: the level :math:`\ell`, a finite number.
        rtol: the relative tolerance (>= 0).
        atol: the absolute tolerance (>= 0).

    Returns:
        The index :math:`t` (an ``int``), or ``None`` if the curve never gets within
        the tolerance.

    Examples:
        >>> first_within([8.0, 4.0, 2.0, 1.05, 1.0], level=1.0)
        3
        >>> first_within([8.0, 4.0, 2.0], level=1.0) is None
        True
        >>> first_within([3.0, 0.5, 0.01], level=0.0, atol=0.1)
        2
    """
    try:
        y = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"values must be a 1-d sequence of real numbers, got {values!r}"
        ) from None
    if y.ndim != 1:
        raise ValueError(
            f"values must be a 1-d sequence of real numbers, got shape {y.shape}"
        )
    level = check.finite("level", level)
    rtol = check.finite("rtol", rtol, minimum=0.0)
    atol = check.finite("atol", atol, minimum=0.0)
    with np.errstate(invalid="ignore"):
        hits = np.flatnonzero(np.abs(y - level) <= atol + rtol * math.fabs(level))
    return int(hits[0]) if hits.size else None
