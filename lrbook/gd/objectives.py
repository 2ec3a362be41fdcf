r"""The toy objectives of :mod:`lrbook.gd`: quadratics, Rosenbrock, noisy gradients.

Every objective is an :class:`Objective`, made by a factory: :func:`quadratic_1d`,
:func:`quadratic`, :func:`ill_conditioned`, :func:`rosenbrock`, and :func:`noisy`,
which wraps any of them with Gaussian gradient noise (a model of SGD). Losses and
gradients are vectorised over points and over ``np.meshgrid`` coordinates.

Examples:
    >>> from lrbook import gd
    >>> f = gd.quadratic(1.0, 25.0)
    >>> f.L, f.mu, f.kappa
    (25.0, 1.0, 25.0)
    >>> f.loss(np.array([[1.0, 0.0], [0.0, 1.0]]))
    array([ 0.5, 12.5])
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .. import _checks as check

__all__ = [
    "Objective",
    "Quadratic",
    "Rosenbrock",
    "Noisy",
    "quadratic_1d",
    "quadratic",
    "ill_conditioned",
    "rosenbrock",
    "noisy",
]


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

    :func:`~lrbook.gd.descend` does not use the wrapper's generator: it draws the whole
    noise sequence ``sigma * xi_0, ..., sigma * xi_{T-1}`` afresh from the seed at each
    call, so a path depends only on the seed (the same seed gives the same path) and
    paths with different learning rates see the same noise.

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
    :math:`1 - \alpha a` at every step (:func:`~lrbook.gd.closed_form_iterates`).

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
    :math:`A = \mathrm{diag}(a_1, \dots, a_d)`.

    Args:
        a: the curvature :math:`a > 0` along the first axis (default 1).
        b: the curvature :math:`b > 0` along the second axis (default 1).
        eigenvalues: instead of ``a`` and ``b``: the curvatures :math:`a_i > 0`
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
        else r"f(x) = \tfrac12 \sum_i a_i x_i^2",
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
        >>> from lrbook.gd import stability_limit
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
        >>> from lrbook.gd import stability_limit
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
    :math:`\alpha \sigma^2` (:func:`~lrbook.gd.noise_floor`): the reason to decay the
    learning rate.

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
        >>> from lrbook.gd import descend
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
