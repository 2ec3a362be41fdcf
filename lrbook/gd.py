r"""Gradient descent on toy functions: whole paths, losses, and divergence detection.

Chapter 1 of the book runs gradient descent with a fixed step size :math:`\alpha`,

.. math::
    x_{t+1} = x_t - \alpha_t \nabla f(x_t),

on small functions whose behaviour can be worked out by hand: quadratics (one and two
dimensions, well or badly conditioned, possibly rotated), the Rosenbrock valley, and a
noisy-gradient version of any of them (stochastic gradient descent). :func:`descend`
returns the whole path and stops cleanly, with a flag, when the iterates blow up
instead of overflowing into ``inf`` and ``NaN``.

The module also holds the formulas the chapter derives, so that the book can check
that the formulas and the code agree: :func:`stability_limit` (:math:`2/L`),
:func:`contraction_factor` (:math:`|1 - \alpha a|`), :func:`closed_form_iterates`
(:math:`(1 - \alpha a)^t x_0`) and :func:`noise_floor` (the variance at which SGD with
a fixed step size stops improving).

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

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import _checks as check
from .schedules import Schedule

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
    "BLOWUP",
]

#: Default blow-up factor of :func:`descend`: a path is declared divergent when its
#: loss exceeds ``f* + BLOWUP * (f(x0) - f* + 1)``.
BLOWUP = 1e6

# Steps between two divergence checks in the descent loop: the losses of a chunk are
# computed in one vectorised call, which keeps the per-step loop to one gradient and
# one update.
_CHUNK = 64


# ------------------------------------------------------------------------- objectives
class Objective:
    r"""A toy objective :math:`f: \mathbb{R}^d \to \mathbb{R}` with its gradient.

    Made by the factories :func:`quadratic_1d`, :func:`quadratic`,
    :func:`ill_conditioned`, :func:`rosenbrock` and :func:`noisy`, not directly.

    ``loss`` and ``grad`` are vectorised. They accept either

    * points: one array of shape ``(..., d)`` (a point, or a batch of points); or
    * coordinates: ``d`` arrays that broadcast together, e.g. the ``X, Y`` of
      ``np.meshgrid`` for a contour plot.

    ``loss`` returns the shape ``(...)`` (a Python ``float`` for a single point) and
    ``grad`` the shape ``(..., d)``. For a 1-D objective a plain number, or an array
    whose last axis is not of length 1, is taken element by element:
    ``f.loss(np.linspace(-1, 1, 5))`` gives 5 values.

    Attributes:
        name: the factory that made it, e.g. ``"quadratic"``.
        formula: the function in LaTeX, for plot titles.
        dim: the dimension :math:`d`.
        minimum: the minimiser :math:`x^\ast`, an array of shape ``(d,)``.
        f_min: the minimum value :math:`f(x^\ast)`.
        L: the largest eigenvalue of the Hessian at :math:`x^\ast`. For a quadratic it
            is the Lipschitz constant of the gradient (the *smoothness*); for
            Rosenbrock it is only the local curvature at the minimum.
        mu: the smallest eigenvalue of the Hessian at :math:`x^\ast`.
        kappa: the condition number ``L / mu``.
        bounds: a plotting window, one ``(low, high)`` pair per coordinate.
        x0: the default start point, an array of shape ``(d,)``.
    """

    name: str
    formula: str
    dim: int

    def __init__(self, params: dict, bounds, x0) -> None:
        self._params = dict(params)
        self.bounds = tuple((float(lo), float(hi)) for lo, hi in bounds)
        self.x0 = _readonly(np.asarray(x0, dtype=np.float64).reshape(self.dim))

    # ---- to be provided by subclasses: (..., d) float64 arrays in and out
    def _loss(self, p: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _grad(self, p: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def hessian(self, x) -> np.ndarray:  # pragma: no cover - abstract
        """The Hessian matrix at one point ``x`` (shape ``(d,)``), shape ``(d, d)``."""
        raise NotImplementedError

    # ---- public, vectorised
    @property
    def params(self) -> dict:
        return dict(self._params)

    @property
    def kappa(self) -> float:
        return self.L / self.mu

    @property
    def f_min(self) -> float:
        return self.loss(self.minimum)

    def loss(self, *x):
        """The value :math:`f(x)`; see the class docstring for the accepted shapes."""
        p, single, _ = self._points(x, "loss")
        out = self._loss(p)
        return float(out) if single else out

    def grad(self, *x):
        r"""The gradient :math:`\nabla f(x)`, with the shape of the points ``(..., d)``.

        For a 1-D objective called element by element, the gradient has the shape of
        the input (a ``float`` for a number).
        """
        p, single, elementwise = self._points(x, "grad")
        out = self._grad(p)
        if elementwise:
            out = out[..., 0]
            return float(out) if single else out
        return out

    def __call__(self, *x):
        return self.loss(*x)

    def grid(self, n: int = 201):
        """Sample the loss on a regular grid over :attr:`bounds`, for plotting.

        Args:
            n: points per axis (>= 2).

        Returns:
            ``(x, f(x))`` for a 1-D objective, ``(X, Y, Z)`` (``np.meshgrid`` order,
            each of shape ``(n, n)``) for a 2-D one.
        """
        n = check.integer("n", n, minimum=2)
        axes = [np.linspace(lo, hi, n) for lo, hi in self.bounds]
        if self.dim == 1:
            return axes[0], self.loss(axes[0])
        if self.dim == 2:
            xx, yy = np.meshgrid(*axes)
            return xx, yy, self.loss(xx, yy)
        raise ValueError(
            f"grid needs a 1-D or 2-D objective, {self!r} has dim {self.dim}"
        )

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        return f"{self.name}({args})"

    def _points(self, x: tuple, what: str) -> tuple[np.ndarray, bool, bool]:
        """Validate ``loss``/``grad`` arguments: points of shape (..., d) + flags."""
        d = self.dim
        if len(x) == 1:
            arr = np.asarray(x[0], dtype=np.float64)
            if d == 1 and (arr.ndim == 0 or arr.shape[-1] != 1):
                return arr[..., None], arr.ndim == 0, True
            if arr.ndim == 0 or arr.shape[-1] != d:
                raise ValueError(
                    f"{what} takes points of shape (..., {d}) or {d} coordinate arrays"
                    f" for {self!r}, got one array of shape {arr.shape}"
                )
            return arr, arr.ndim == 1, False
        if len(x) == d:
            coords = np.broadcast_arrays(*(np.asarray(c, dtype=np.float64) for c in x))
            return np.stack(coords, axis=-1), coords[0].ndim == 0, False
        raise ValueError(
            f"{what} takes points of shape (..., {d}) or {d} coordinate arrays for"
            f" {self!r}, got {len(x)} arguments"
        )


class Quadratic(Objective):
    r"""A quadratic bowl :math:`f(x) = \tfrac12 x^\top A x`, with :math:`A \succ 0`.

    Made by :func:`quadratic_1d`, :func:`quadratic` and :func:`ill_conditioned`.

    Attributes:
        A: the matrix :math:`A` (read-only), whose eigenvalues are :attr:`eigenvalues`.
        eigenvalues: the curvatures along the principal axes, as given.
    """

    def __init__(self, name, params, eigenvalues, angle, bounds, x0, formula):
        self.name = name
        self.formula = formula
        lam = np.asarray(eigenvalues, dtype=np.float64)
        self.dim = lam.size
        self.eigenvalues = tuple(float(v) for v in lam)
        a = np.diag(lam)
        # The gradient is computed elementwise (not with a matrix product, whose
        # rounding can depend on the batch size), so that descend_many's paths equal
        # descend's bit for bit.
        self._lam = None if angle else lam
        if angle:
            c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
            r = np.array([[c, -s], [s, c]])
            a = r @ a @ r.T
            a = (a + a.T) / 2  # exactly symmetric
        self.A = _readonly(a)
        self.minimum = _readonly(np.zeros(self.dim))
        self.L = float(lam.max())
        self.mu = float(lam.min())
        super().__init__(params, bounds, x0)

    def _loss(self, p):
        return 0.5 * np.sum(self._grad(p) * p, axis=-1)

    def _grad(self, p):
        if self._lam is not None:
            return p * self._lam
        return (p[..., None] * self.A).sum(axis=-2)

    def hessian(self, x=None) -> np.ndarray:
        """The Hessian, the constant matrix :attr:`A` (``x`` is ignored)."""
        return np.array(self.A)


class Rosenbrock(Objective):
    r"""The Rosenbrock valley :math:`f(x, y) = (a - x)^2 + b\,(y - x^2)^2`.

    Made by :func:`rosenbrock`.
    """

    name = "rosenbrock"
    formula = r"f(x, y) = (a - x)^2 + b\,(y - x^2)^2"
    dim = 2

    def __init__(self, a: float, b: float) -> None:
        self.a, self.b = a, b
        self.minimum = _readonly(np.array([a, a * a]))
        lam = np.linalg.eigvalsh(self.hessian(self.minimum))
        self.mu, self.L = float(lam[0]), float(lam[-1])
        s = max(1.0, abs(a))
        bounds = ((-2 * s, 2 * s), (-s, max(3 * s, a * a + s)))
        super().__init__({"a": a, "b": b}, bounds, (-1.2 * s, s))

    def _loss(self, p):
        x, y = p[..., 0], p[..., 1]
        return (self.a - x) ** 2 + self.b * (y - x * x) ** 2

    def _grad(self, p):
        x, y = p[..., 0], p[..., 1]
        r = y - x * x
        out = np.empty(p.shape)
        out[..., 0] = -2.0 * (self.a - x) - 4.0 * self.b * x * r
        out[..., 1] = 2.0 * self.b * r
        return out

    def hessian(self, x) -> np.ndarray:
        """The Hessian at one point ``x = (x, y)``, shape ``(2, 2)``."""
        px, py = np.asarray(x, dtype=np.float64).reshape(2)
        b = self.b
        off = -4.0 * b * px
        dxx = 2.0 - 4.0 * b * (py - px * px) + 8.0 * b * px * px
        return np.array([[dxx, off], [off, 2.0 * b]])


class Noisy(Objective):
    r"""An objective whose gradient carries Gaussian noise: a model of SGD.

    ``grad(x)`` returns :math:`\nabla f(x) + \sigma \xi` with :math:`\xi \sim
    \mathcal N(0, I_d)` drawn from the wrapper's own ``np.random.Generator`` (so two
    calls give two different gradients); ``loss`` is the noise-free :math:`f`. Made by
    :func:`noisy`.

    :func:`descend` does not use the wrapper's generator: it draws the whole noise
    sequence ``sigma * xi_0, ..., sigma * xi_{T-1}`` afresh from the seed at each call,
    so a path depends only on the seed (the same seed gives the same path) and paths
    with different learning rates see the same noise.

    Attributes:
        base: the noise-free objective.
        sigma: the noise standard deviation :math:`\sigma` per coordinate.
        seed: the seed of the noise (``None``: fresh randomness).
        rng: the generator used by :meth:`grad`.
    """

    name = "noisy"

    def __init__(self, base: Objective, sigma: float, seed: int | None) -> None:
        self.base, self.sigma, self.seed = base, sigma, seed
        self.dim, self.formula = base.dim, base.formula
        self.minimum, self.L, self.mu = base.minimum, base.L, base.mu
        self.rng = np.random.default_rng(seed)
        super().__init__({"sigma": sigma, "seed": seed}, base.bounds, base.x0)

    def reset(self) -> None:
        """Restart :attr:`rng` from :attr:`seed`."""
        self.rng = np.random.default_rng(self.seed)

    def _loss(self, p):
        return self.base._loss(p)

    def _grad(self, p):
        return self.base._grad(p) + self.sigma * self.rng.standard_normal(p.shape)

    def hessian(self, x) -> np.ndarray:
        """The Hessian of the noise-free objective."""
        return self.base.hessian(x)

    def __repr__(self) -> str:
        return f"noisy({self.base!r}, sigma={self.sigma!r}, seed={self.seed!r})"


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def quadratic_1d(a: float = 1.0) -> Quadratic:
    r"""The 1-D quadratic :math:`f(x) = \tfrac{a}{2} x^2`.

    Its gradient is :math:`a x`, its curvature :math:`L = \mu = a` and its minimum is
    at 0. Gradient descent with step :math:`\alpha` multiplies :math:`x` by
    :math:`1 - \alpha a` at every step (:func:`closed_form_iterates`).

    Args:
        a: the curvature :math:`a > 0`.

    Returns:
        A :class:`Quadratic` of dimension 1, starting at ``x0 = [1.0]``, plotted on
        :math:`[-1.5, 1.5]`.

    Examples:
        >>> f = quadratic_1d(10.0)
        >>> f(1.0), f.grad(1.0), f.L
        (5.0, 10.0, 10.0)
        >>> f.loss(np.array([-1.0, 0.0, 2.0]))
        array([ 5.,  0., 20.])
    """
    a = check.finite("a", a, minimum=0.0, strict=True)
    return Quadratic(
        "quadratic_1d",
        {"a": a},
        (a,),
        0.0,
        ((-1.5, 1.5),),
        (1.0,),
        r"f(x) = \tfrac{a}{2} x^2",
    )


def quadratic(
    a: float | None = None,
    b: float | None = None,
    *,
    eigenvalues: Sequence[float] | None = None,
    angle: float = 0.0,
) -> Quadratic:
    r"""A quadratic bowl :math:`f(x) = \tfrac12 x^\top A x`, by default in 2-D.

    In 2-D, :math:`f(x, y) = \tfrac12 (a x^2 + b y^2)` before rotation: :math:`a` and
    :math:`b` are the curvatures along the two axes, :math:`L = \max(a, b)`,
    :math:`\mu = \min(a, b)` and the condition number is :math:`\kappa = L/\mu`. With
    ``angle`` the axes are rotated, :math:`A = R\,\mathrm{diag}(a, b)\,R^\top`. With
    ``eigenvalues`` the bowl has any dimension :math:`d` and
    :math:`A = \mathrm{diag}(\lambda_1, \dots, \lambda_d)`.

    Args:
        a: the curvature :math:`a > 0` along the first axis (default 1).
        b: the curvature :math:`b > 0` along the second axis (default 1).
        eigenvalues: instead of ``a`` and ``b``: the curvatures :math:`\lambda_i > 0`
            of a ``d``-dimensional bowl.
        angle: the rotation of the principal axes, in degrees counter-clockwise (2-D
            only).

    Returns:
        A :class:`Quadratic`. In 2-D it starts at ``(-1.5, 1.0)`` and is plotted on
        :math:`[-2, 2] \times [-1.5, 1.5]`; in ``d`` dimensions it starts at
        ``(1, ..., 1)``.

    Examples:
        >>> f = quadratic(1.0, 25.0, angle=30)
        >>> f.L, f.mu, f.kappa
        (25.0, 1.0, 25.0)
        >>> f.loss(f.minimum), f.grad(0.0, 0.0)
        (0.0, array([0., 0.]))
        >>> quadratic(eigenvalues=(1, 2, 4)).dim
        3
    """
    angle = check.finite("angle", angle)
    if eigenvalues is not None:
        if a is not None or b is not None:
            raise ValueError(
                f"give either a and b or eigenvalues, got a={a!r}, b={b!r} and"
                f" eigenvalues={eigenvalues!r}"
            )
        if isinstance(eigenvalues, (str, bytes)) or not isinstance(
            eigenvalues, (Sequence, np.ndarray)
        ):
            raise TypeError(
                "eigenvalues must be a sequence of positive numbers, got"
                f" {eigenvalues!r} ({type(eigenvalues).__name__})"
            )
        lam = tuple(
            check.finite(f"eigenvalues[{i}]", v, minimum=0.0, strict=True)
            for i, v in enumerate(eigenvalues)
        )
        if not lam:
            raise ValueError("eigenvalues must hold at least one curvature, got ()")
        if angle and len(lam) != 2:
            raise ValueError(
                f"angle rotates a 2-D quadratic only, got angle={angle!r} with"
                f" {len(lam)} eigenvalues"
            )
        params = {"eigenvalues": lam}
    else:
        a = 1.0 if a is None else check.finite("a", a, minimum=0.0, strict=True)
        b = 1.0 if b is None else check.finite("b", b, minimum=0.0, strict=True)
        lam = (a, b)
        params = {"a": a, "b": b}
    if angle:
        params["angle"] = angle
    d = len(lam)
    if d == 2:
        bounds, x0 = ((-2.0, 2.0), (-1.5, 1.5)), (-1.5, 1.0)
    else:
        bounds, x0 = ((-1.5, 1.5),) * d, (1.0,) * d
    return Quadratic(
        "quadratic",
        params,
        lam,
        angle,
        bounds,
        x0,
        r"f(x, y) = \tfrac12 (a x^2 + b y^2)"
        if d == 2
        else r"f(x) = \tfrac12 \sum_i \lambda_i x_i^2",
    )


def ill_conditioned(kappa: float = 25.0, angle: float = 0.0) -> Quadratic:
    r"""An ill-conditioned 2-D bowl :math:`f(x, y) = \tfrac12 (x^2 + \kappa y^2)`.

    The same as ``quadratic(1.0, kappa, angle=angle)``: curvature :math:`\mu = 1`
    along :math:`x` and :math:`L = \kappa` along :math:`y`. The step size must stay
    below :math:`2/\kappa` for the steep direction, so the shallow one converges
    slowly, by a factor :math:`1 - \alpha` per step at best: gradient descent
    zig-zags across the valley.

    Args:
        kappa: the condition number :math:`\kappa \ge 1`.
        angle: the rotation of the principal axes, in degrees counter-clockwise.

    Returns:
        A :class:`Quadratic`.

    Examples:
        >>> f = ill_conditioned(25)
        >>> f
        ill_conditioned(kappa=25.0)
        >>> f.kappa, stability_limit(f)
        (25.0, 0.08)
    """
    kappa = check.finite("kappa", kappa, minimum=1.0)
    angle = check.finite("angle", angle)
    f = quadratic(1.0, kappa, angle=angle)
    f.name = "ill_conditioned"
    f._params = {"kappa": kappa, **({"angle": angle} if angle else {})}
    f.formula = r"f(x, y) = \tfrac12 (x^2 + \kappa y^2)"
    return f


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Rosenbrock:
    r"""The Rosenbrock valley :math:`f(x, y) = (a - x)^2 + b\,(y - x^2)^2`.

    A curved, narrow valley with its minimum :math:`f = 0` at :math:`(a, a^2)`. Its
    gradient is not globally Lipschitz (the curvature grows without bound away from
    the valley), so :attr:`~Objective.L` and :attr:`~Objective.mu` are the extreme
    curvatures at the minimum only: :math:`2/L` is the step that is stable *near*
    the minimum.

    Args:
        a: the position :math:`a` of the minimum (any finite number).
        b: the steepness :math:`b > 0` of the valley walls.

    Returns:
        A :class:`Rosenbrock`; for :math:`a = 1` it starts at the classic
        :math:`(-1.2, 1)` and is plotted on :math:`[-2, 2] \times [-1, 3]`.

    Examples:
        >>> f = rosenbrock()
        >>> f.minimum, f.loss(f.minimum), f.grad(1.0, 1.0)
        (array([1., 1.]), 0.0, array([0., 0.]))
        >>> round(f.L, 3), round(stability_limit(f), 6)
        (1001.602, 0.001997)

    References:
        Rosenbrock, "An automatic method for finding the greatest or least value of a
        function", The Computer Journal 3(3), 1960.
    """
    a = check.finite("a", a)
    b = check.finite("b", b, minimum=0.0, strict=True)
    return Rosenbrock(a, b)


def noisy(objective: Objective, sigma: float, seed: int | None = None) -> Noisy:
    r"""Add Gaussian noise to the gradient of ``objective``: stochastic gradients.

    .. math::
        g(x) = \nabla f(x) + \sigma \xi, \qquad \xi \sim \mathcal N(0, I_d)

    This models the minibatch noise of SGD. With a fixed step size the iterates do not
    converge but settle into a cloud around the minimum whose size is set by
    :math:`\alpha \sigma^2` (:func:`noise_floor`): the reason to decay the learning
    rate.

    Args:
        objective: a noise-free :class:`Objective`.
        sigma: the standard deviation :math:`\sigma \ge 0` of the noise per coordinate.
        seed: an integer >= 0 for reproducible noise, or ``None`` for fresh noise.

    Returns:
        A :class:`Noisy` objective: the loss of ``objective``, noisy gradients.

    Examples:
        >>> f = noisy(quadratic_1d(1.0), sigma=0.5, seed=0)
        >>> f
        noisy(quadratic_1d(a=1.0), sigma=0.5, seed=0)
        >>> p1 = descend(f, lr=0.1, steps=50)
        >>> p2 = descend(f, lr=0.1, steps=50)
        >>> bool((p1.xs == p2.xs).all())
        True
    """
    if not isinstance(objective, Objective):
        raise TypeError(
            "objective must be an lrbook.gd objective (e.g. quadratic_1d()), got"
            f" {objective!r} ({type(objective).__name__})"
        )
    if isinstance(objective, Noisy):
        raise ValueError(f"objective is already noisy: {objective!r}")
    sigma = check.finite("sigma", sigma, minimum=0.0)
    if seed is not None:
        seed = check.integer("seed", seed, minimum=0)
    return Noisy(objective, sigma, seed)


# ---------------------------------------------------------------------------- paths
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

    where :math:`g_t = \nabla f(x_t)` (plus noise for a :func:`noisy` objective). With
    ``momentum`` :math:`\beta > 0` the update is the heavy-ball form of PyTorch's
    ``SGD(momentum=beta)``: :math:`v_{t+1} = \beta v_t + g_t`,
    :math:`x_{t+1} = x_t - \alpha_t v_{t+1}`, :math:`v_0 = 0`.

    The path *diverges* at the first iterate :math:`x_t` whose loss is not finite or
    exceeds

    .. math::
        f^\ast + \mathrm{blowup} \cdot \bigl(f(x_0) - f^\ast + 1\bigr)

    (:math:`f^\ast` is the minimum value; ``blowup`` is :data:`BLOWUP` = :math:`10^6`
    by default). The run then stops: the returned arrays end at :math:`x_{t-1}`,
    ``diverged`` is ``True`` and ``diverged_at`` is ``t``. No overflow warning is
    raised and no ``inf``/``NaN`` is returned.

    Args:
        objective: an objective from this module (e.g. :func:`quadratic`).
        lr: the step size: a number :math:`\alpha \ge 0` (fixed), an lrbook
            :class:`~lrbook.schedules.Schedule`, any function of the step ``t``
            returning a rate, or an array of ``steps`` rates.
        x0: the start point, shape ``(d,)`` (a number for a 1-D objective); default
            ``objective.x0``.
        steps: the number of steps :math:`T \ge 0`.
        momentum: the heavy-ball coefficient :math:`\beta \in [0, 1)`.
        seed: the seed of the gradient noise of a :func:`noisy` objective (default: the
            objective's own seed). The noise is drawn afresh from it at each call, so
            the same seed gives the same path. Ignored for noise-free objectives.
        blowup: the factor (> 1) of the divergence threshold.

    Returns:
        A :class:`Path`.

    Examples:
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
    exactly (bit for bit); with a :func:`noisy` objective, every path sees the same
    noise sequence, the one ``descend`` draws from the same seed ("common random
    numbers": changing the learning rate does not change the noise).

    Args:
        objective: an objective from this module.
        lrs: a sequence of learning rates, each one anything :func:`descend` accepts
            as ``lr``.
        x0: one start point ``(d,)`` for all the paths, or one per path
            ``(len(lrs), d)``; default ``objective.x0``.
        steps, momentum, seed, blowup: as for :func:`descend`.

    Returns:
        A list of :class:`Path`, one per learning rate.

    Examples:
        >>> paths = descend_many(quadratic_1d(1.0), [0.5, 1.5, 2.5], steps=50)
        >>> [p.diverged for p in paths]
        [False, False, True]
    """
    steps, momentum, blowup = _check_common(objective, steps, momentum, blowup)
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


# ---------------------------------------------------------------------------- formulas
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


def stability_limit(objective: Objective | float) -> float:
    r"""The largest stable fixed step size on a quadratic, :math:`2/L`.

    Gradient descent on a quadratic with curvatures :math:`\lambda_i` multiplies the
    component along each principal axis by :math:`1 - \alpha\lambda_i` per step. All
    the components shrink if and only if :math:`|1 - \alpha\lambda_i| < 1` for every
    :math:`i`, i.e.

    .. math::
        0 < \alpha < \frac{2}{L}, \qquad L = \max_i \lambda_i .

    For Rosenbrock :math:`L` is the curvature at the minimum, so :math:`2/L` is the
    limit near the minimum only.

    Args:
        objective: an objective with a curvature ``L``, or the number :math:`L > 0`.

    Returns:
        :math:`2/L`.

    Examples:
        >>> stability_limit(quadratic_1d(10.0))  # f = 5 x^2
        0.2
        >>> stability_limit(25.0)
        0.08
    """
    return 2.0 / _curvature(objective, "objective")


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
    :math:`\mathbb E\|x - x^\ast\|^2 = \sum_i \alpha\sigma^2 / (\lambda_i(2 -
    \alpha\lambda_i))`.

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
