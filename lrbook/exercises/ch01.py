"""The answer key of chapter 1, gradient descent with a fixed step size (``"ch1.*"``).

:mod:`lrbook.exercises` imports this module and calls :func:`register` the first time
one of these ids is used; the expected answers are computed with :mod:`lrbook` itself.
"""

from __future__ import annotations

import math

from .. import gd
from . import engine


def register() -> None:
    """Register the exercises of chapter 1 (called on first use, once)."""
    _stability()
    _contraction()
    _regime_choice()
    _noise_floor()


def _stability() -> None:
    """Register ``ch1.stability``."""
    a = 10.0  # f(x) = 5 x^2 = (a/2) x^2
    engine.register(
        "ch1.stability",
        "number",
        gd.stability_limit(gd.quadratic_1d(a)),
        prompt=(
            "Gradient descent on f(x) = 5x²: the largest fixed learning rate α for"
            " which the iterates converge (the limit: at this α and above they no"
            " longer do)."
        ),
        hint="write one step as x_{t+1} = (1 − αL) x_t with L = f''(x); for which α"
        " is |1 − αL| < 1?",
        rtol=1e-3,
        mistakes=[
            (
                1.0 / a,
                "That is 1/L, the step that lands on the minimum in one step; larger"
                " steps still converge, while oscillating.",
            ),
            (
                2.0 / (a / 2),
                "That takes L = 5, but the curvature of 5x² is f''(x) = 10.",
            ),
        ],
        params={"a": a, "f": "5x^2"},
    )


def _contraction() -> None:
    """Register ``ch1.contraction``."""
    a, lr = 4.0, 0.3
    engine.register(
        "ch1.contraction",
        "number",
        gd.contraction_factor(a, lr),
        prompt=(
            f"On f(x) = (a/2)x² with a = {a:g} and α = {lr:g}: the factor by which"
            " |x| is multiplied at every step of gradient descent."
        ),
        hint="substitute f'(x) = a x into the update x ← x − α f'(x).",
        rtol=1e-6,
        atol=1e-12,
        mistakes=[
            (
                1.0 - lr * a,
                "That is 1 − αa itself, which is negative here: the iterate changes"
                " sign at every step. The question asks for the factor on |x|.",
            ),
            (lr * a, "That is αa, the fraction of x that one step removes."),
        ],
        params={"a": a, "lr": lr},
    )


def _regime(a: float, lr: float) -> str:
    """The regime of gradient descent on (a/2) x^2: monotone, oscillating, divergent."""
    if gd.contraction_factor(a, lr) >= 1.0:
        return "divergent"
    return "oscillating" if 1.0 - lr * a < 0.0 else "monotone"


def _regime_choice() -> None:
    """Register ``ch1.regime``."""
    a, lr = 4.0, 0.4
    engine.register(
        "ch1.regime",
        "choice",
        _regime(a, lr),
        choices=("monotone", "oscillating", "divergent"),
        prompt=(
            f"Gradient descent on f(x) = (a/2)x² with a = {a:g} and α = {lr:g}: do the"
            " iterates converge monotonically ('monotone'), converge while changing"
            " sign ('oscillating'), or diverge ('divergent')?"
        ),
        hint="compute the factor 1 − αa of x_{t+1} = (1 − αa) x_t: its sign and its"
        " size decide.",
        mistakes=[
            ("monotone", "Look at the sign of 1 − αa."),
            ("divergent", "The limit is α < 2/a, not α < 1/a."),
        ],
        params={"a": a, "lr": lr},
    )


def _noise_floor() -> None:
    """Register ``ch1.noise_floor``."""
    a, lr, sigma = 1.0, 0.3, 2.0
    floor = gd.noise_floor(a, lr, sigma)
    engine.register(
        "ch1.noise_floor",
        "number",
        floor,
        prompt=(
            f"SGD on f(x) = (a/2)x² with a = {a:g}, a fixed α = {lr:g} and gradient"
            f" noise of standard deviation σ = {sigma:g}: the stationary value of"
            " E[x²]."
        ),
        hint="square x_{t+1} = (1 − αa) x_t − ασξ_t, take expectations (ξ_t is"
        " independent of x_t, with mean 0 and variance 1) and look for the fixed"
        " point.",
        rtol=1e-3,
        mistakes=[
            (
                lr * sigma**2 / (2 * a),
                "That is the small-step approximation ασ²/(2a); keep the α²a² term of"
                " 1 − (1 − αa)².",
            ),
            (
                a / 2 * floor,
                "That is the expected loss (a/2)·E[x²]; the question asks for E[x²].",
            ),
            (
                math.sqrt(floor),
                "That is a standard deviation; the question asks for E[x²].",
            ),
            ((lr * sigma) ** 2, "That is the variance added by one step only."),
        ],
        params={"a": a, "lr": lr, "sigma": sigma},
    )
