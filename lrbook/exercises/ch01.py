"""The answer key of chapter 1, gradient descent with a fixed step (``"ch01-ex-*"``).

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
    _best_step()
    _noise_floor()
    _rosenbrock()


def _stability() -> None:
    """Register ``ch01-ex-stability``."""
    c = 5.0  # f(x) = c x^2 = (a/2) x^2
    a = 2.0 * c
    engine.register(
        "ch01-ex-stability",
        "number",
        gd.stability_limit(gd.quadratic_1d(a)),
        hint="write one step as x_{t+1} = (1 − αa) x_t with the curvature a = f''(x);"
        " for which α is |1 − αa| < 1?",
        rtol=1e-3,
        mistakes=[
            (
                1.0 / a,
                f"That is 1/L, with L = a = {a:g} the curvature: the step that lands on"
                " the minimum in one step; larger steps still converge, while"
                " oscillating.",
            ),
            (
                2.0 / c,
                f"That takes a = {c:g}, but the curvature of {c:g}x² is"
                f" f''(x) = {a:g}.",
            ),
        ],
        params={"c": c},
    )


def _contraction() -> None:
    """Register ``ch01-ex-contraction``."""
    a, lr = 4.0, 0.3
    engine.register(
        "ch01-ex-contraction",
        "number",
        gd.contraction_factor(a, lr),
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
    """Register ``ch01-ex-regime``."""
    a, lr = 4.0, 0.4
    engine.register(
        "ch01-ex-regime",
        "choice",
        _regime(a, lr),
        choices=("monotone", "oscillating", "divergent"),
        hint="compute the factor 1 − αa of x_{t+1} = (1 − αa) x_t: its sign and its"
        " size decide.",
        mistakes=[
            ("monotone", "Look at the sign of 1 − αa."),
            ("divergent", "The limit is α < 2/a, not α < 1/a."),
        ],
        params={"a": a, "lr": lr},
    )


def _noise_floor() -> None:
    """Register ``ch01-ex-noise-floor``."""
    a, lr, sigma = 1.0, 0.3, 2.0
    floor = gd.noise_floor(a, lr, sigma)
    engine.register(
        "ch01-ex-noise-floor",
        "number",
        floor,
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


def _best_step() -> None:
    """Register ``ch01-ex-best-step``: the derivation of alpha* = 2/(L + mu)."""
    big, small = 9.0, 1.0  # f(x, y) = (9 x^2 + y^2) / 2
    f = gd.quadratic(eigenvalues=[small, big])
    engine.register(
        "ch01-ex-best-step",
        "numbers",
        [2.0 / (f.L + f.mu), (f.kappa - 1.0) / (f.kappa + 1.0)],
        hint="|1 − αμ| falls and |1 − αL| rises with α: the maximum is smallest"
        " where 1 − αμ = αL − 1.",
        rtol=1e-4,
        mistakes=[
            (
                [1.0 / big, 1.0 - small / big],
                "That is α = 1/L, which clears the steep direction in one step but"
                " leaves the factor 1 − μ/L on the flat one.",
            ),
            (
                [2.0 / big, 1.0],
                "That is the stability limit 2/L, where the steep direction no longer"
                " shrinks at all.",
            ),
            (
                [1.0 / (big + small), 1.0 - small / (big + small)],
                "That is 1/(L + μ); solve 1 − αμ = αL − 1 again: the right side is"
                " αL − 1, not αL.",
            ),
        ],
        params={"L": big, "mu": small},
    )


def _rosenbrock() -> None:
    """Register ``ch01-ex-rosenbrock``: what gradient descent does above 2/L there."""
    f = gd.rosenbrock()
    pct_small, pct_large, steps = 1, 5, 20000  # lr this many % above 2/L
    outcomes = set()
    for pct in (pct_small, pct_large):
        path = gd.descend(f, (1.0 + pct / 100) * gd.stability_limit(f), steps=steps)
        if path.diverged:
            outcomes.add("diverges")
        elif path.final_loss < 1e-12:
            outcomes.add("converges")
        else:
            outcomes.add("two-cycle")
    if len(outcomes) != 1:  # the statement asks for one outcome of both runs
        raise RuntimeError(f"ch01-ex-rosenbrock: the two runs differ: {outcomes}")
    engine.register(
        "ch01-ex-rosenbrock",
        "choice",
        outcomes.pop(),
        choices=("diverges", "converges", "two-cycle"),
        hint=f"run gd.descend(gd.rosenbrock(), lr, steps={steps}) and print the last"
        " three iterates.",
        mistakes=[
            (
                "diverges",
                "The limit 2/L is computed at the minimum; elsewhere on the path the"
                " curvature is different. Run it and look at path.diverged.",
            ),
            (
                "converges",
                "Look at the final loss: it stays above zero. Compare the last three"
                " iterates.",
            ),
        ],
        params={"pct_small": pct_small, "pct_large": pct_large, "steps": steps},
    )
