r"""The formulas of gradient descent on a quadratic, for the book to check the code.

:func:`stability_limit` (:math:`2/L`, or :math:`2(1 + \beta)/L` with heavy-ball
momentum), :func:`contraction_factor` (:math:`|1 - \alpha a|`) and
:func:`closed_form_iterates` (:math:`(1 - \alpha a)^t x_0`). The noise of SGD has
its own module, :mod:`lrbook.gd.noise`.

Examples:
    >>> from lrbook import gd
    >>> gd.stability_limit(gd.ill_conditioned(25.0))
    0.08
    >>> gd.closed_form_iterates(1.0, 1.5, x0=1.0, steps=3)
    array([ 1.   , -0.5  ,  0.25 , -0.125])
"""

from __future__ import annotations

import numpy as np

from .. import _checks as check
from .objectives import Objective

__all__ = ["stability_limit", "contraction_factor", "closed_form_iterates"]


def _curvature(obj, name: str) -> float:
    if isinstance(obj, Objective):
        return obj.L
    return check.finite(name, obj, minimum=0.0, strict=True)


def _nonneg(name: str, value, *, positive: bool = False):
    """A learning-rate-like number, or an array of them (for plots)."""
    if isinstance(value, (np.ndarray, list, tuple)):
        arr = np.asarray(value, dtype=np.float64)
        bad = ~np.isfinite(arr) | (arr <= 0 if positive else arr < 0)
        if bad.any():
            what = "> 0" if positive else ">= 0"
            raise ValueError(
                f"{name} must be finite and {what}, got {arr[bad].flat[0]!r}"
                f" in {value!r}"
            )
        return arr, False
    return check.learning_rate(name, value, positive=positive), True


def stability_limit(objective: Objective | float, momentum: float = 0.0) -> float:
    r"""The largest stable fixed step size on a quadratic, :math:`2/L`.

    Gradient descent on a quadratic with curvatures :math:`a_i` multiplies the
    component along each principal axis by :math:`1 - \alphaa_i` per step. All
    the components shrink if and only if :math:`|1 - \alphaa_i| < 1` for every
    :math:`i`, i.e.

    .. math::
        0 < \alpha < \frac{2}{L}, \qquad L = \max_i a_i .

    With heavy-ball momentum :math:`\beta` (``descend(..., momentum=beta)``), each
    component follows :math:`c_{t+1} = (1 + \beta - \alphaa_i)\, c_t - \beta
    c_{t-1}`, whose roots lie inside the unit circle if and only if
    :math:`0 < \alphaa_i < 2(1 + \beta)`: the limit becomes

    .. math::
        \alpha < \frac{2\,(1 + \beta)}{L} .

    For Rosenbrock :math:`L` is the curvature at the minimum, so the limit holds near
    the minimum only.

    Args:
        objective: an objective with a curvature ``L``, or the number :math:`L > 0`.
        momentum: the heavy-ball coefficient :math:`\beta \in [0, 1)`.

    Returns:
        :math:`2(1 + \beta)/L`, i.e. :math:`2/L` without momentum.

    Examples:
        >>> from lrbook.gd import quadratic_1d
        >>> stability_limit(quadratic_1d(10.0))  # f = 5 x^2
        0.2
        >>> stability_limit(25.0)
        0.08
        >>> stability_limit(25.0, momentum=0.9)
        0.152
    """
    curvature = _curvature(objective, "objective")
    momentum = check.finite(
        "momentum", momentum, minimum=0.0, maximum=1.0, strict_max=True
    )
    return 2.0 * (1.0 + momentum) / curvature


def contraction_factor(a: float, lr):
    r"""The factor :math:`|1 - \alpha a|` by which one step shrinks :math:`|x|` on
    :math:`f(x) = \tfrac a2 x^2`.

    It is below 1 (convergence) exactly when :math:`0 < \alpha < 2/a`, and 0 for the
    one-step step size :math:`\alpha = 1/a`. For :math:`1/a < \alpha < 2/a` the
    iterate changes sign at every step (it oscillates) while shrinking.

    Args:
        a: the curvature :math:`a > 0` (or an objective, whose ``L`` is used).
        lr: the step size :math:`\alpha \ge 0`, a number or an array of them.

    Returns:
        A ``float``, or an array of the shape of ``lr``.

    Examples:
        >>> contraction_factor(1.0, 0.5), contraction_factor(1.0, 1.5)
        (0.5, 0.5)
        >>> contraction_factor(4.0, np.array([0.1, 0.25, 0.6]))
        array([0.6, 0. , 1.4])
    """
    a = _curvature(a, "a")
    lr, scalar = _nonneg("lr", lr)
    out = np.abs(1.0 - lr * a)
    return float(out) if scalar else out


def closed_form_iterates(a: float, lr: float, x0: float = 1.0, steps: int = 100):
    r"""Gradient descent on :math:`f(x) = \tfrac a2 x^2`, in closed form.

    .. math::
        x_{t+1} = x_t - \alpha a x_t = (1 - \alpha a)\, x_t
        \quad\Longrightarrow\quad x_t = (1 - \alpha a)^t\, x_0 .

    Args:
        a: the curvature :math:`a > 0`.
        lr: the fixed step size :math:`\alpha \ge 0`.
        x0: the start :math:`x_0`.
        steps: the last step :math:`T \ge 0`.

    Returns:
        The array :math:`x_0, \dots, x_T`, shape ``(T + 1,)`` (``±inf`` where it
        overflows, without a warning).

    Examples:
        >>> closed_form_iterates(1.0, 0.5, x0=1.0, steps=3)
        array([1.   , 0.5  , 0.25 , 0.125])
        >>> closed_form_iterates(1.0, 1.5, x0=1.0, steps=3)
        array([ 1.   , -0.5  ,  0.25 , -0.125])
    """
    a = check.finite("a", a, minimum=0.0, strict=True)
    lr = check.learning_rate("lr", lr)
    x0 = check.finite("x0", x0)
    steps = check.integer("steps", steps, minimum=0)
    with np.errstate(over="ignore", invalid="ignore"):
        return x0 * np.power(1.0 - lr * a, np.arange(steps + 1, dtype=np.float64))
