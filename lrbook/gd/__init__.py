r"""Gradient descent on toy functions: whole paths, losses, and divergence detection.

Chapter 1 of the book runs gradient descent with a fixed step size :math:`\alpha`,

.. math::
    x_{t+1} = x_t - \alpha_t \nabla f(x_t),

on small functions whose behaviour can be worked out by hand: quadratics (one and two
dimensions, well or badly conditioned, possibly rotated), the Rosenbrock valley, and a
noisy-gradient version of any of them (stochastic gradient descent). :func:`descend`
returns the whole path and stops cleanly, with a flag, when the iterates blow up
instead of overflowing into ``inf`` and ``NaN``.

The package also holds the formulas the chapters derive, so that the book can check
that the formulas and the code agree: :func:`stability_limit` (:math:`2/L`),
:func:`contraction_factor` (:math:`|1 - \alpha a|`), :func:`closed_form_iterates`
(:math:`(1 - \alpha a)^t x_0`) and :func:`noise_floor` (the variance at which SGD with
a fixed step size stops improving); :func:`mean_square` and :func:`expected_loss` run
the exact recursion of SGD's mean square for any schedule, :func:`simulate_mean_square`
estimates it from seeded runs, and :func:`first_within` finds when a curve reaches a
level.

Modules: :mod:`~lrbook.gd.objectives` (the functions), :mod:`~lrbook.gd.descent`
(:func:`descend`, :func:`descend_many`, :class:`Path`), :mod:`~lrbook.gd.theory` (the
deterministic formulas) and :mod:`~lrbook.gd.noise` (SGD's noise). Everything is
importable from :mod:`lrbook.gd` itself.

Examples:
    >>> f = quadratic(1.0, 25.0)
    >>> f
    quadratic(a=1.0, b=25.0)
    >>> f.L, f.mu, stability_limit(f)
    (25.0, 1.0, 0.08)
    >>> path = descend(f, lr=0.07, steps=200)
    >>> path.diverged, path.final_loss < 1e-12
    (False, True)
    >>> descend(f, lr=0.09, steps=200)
    Path(quadratic(a=1.0, b=25.0), lr=0.09, diverged at t=32: loss 13.62 -> 1.27e+07)
"""

from .descent import BLOWUP, Path, descend, descend_many
from .noise import (
    expected_loss,
    first_within,
    mean_square,
    noise_floor,
    simulate_mean_square,
)
from .objectives import (
    Noisy,
    Objective,
    Quadratic,
    Rosenbrock,
    ill_conditioned,
    noisy,
    quadratic,
    quadratic_1d,
    rosenbrock,
)
from .theory import closed_form_iterates, contraction_factor, stability_limit

__all__ = [
    "Objective",
    "Quadratic",
    "Rosenbrock",
    "Noisy",
    "Path",
    "quadratic_1d",
    "quadratic",
    "ill_conditioned",
    "rosenbrock",
    "noisy",
    "descend",
    "descend_many",
    "stability_limit",
    "contraction_factor",
    "closed_form_iterates",
    "noise_floor",
    "mean_square",
    "expected_loss",
    "simulate_mean_square",
    "first_within",
    "BLOWUP",
]
