"""lrbook.gd: objectives, the 2/L limit, closed forms, noise floor, divergence."""

from __future__ import annotations

import math
import os
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lrbook
from lrbook import gd
from lrbook.gd import (
    closed_form_iterates,
    contraction_factor,
    descend,
    descend_many,
    ill_conditioned,
    noise_floor,
    noisy,
    quadratic,
    quadratic_1d,
    rosenbrock,
    stability_limit,
)

IN_CI = bool(os.environ.get("CI"))
FAST = settings(max_examples=30, deadline=None, derandomize=IN_CI)

curvatures = st.floats(0.05, 50.0)
angles = st.floats(-180.0, 180.0)


@st.composite
def quadratics(draw):
    """A quadratic of dimension 1-4 (2-D ones possibly rotated), condition <= 20."""
    d = draw(st.integers(1, 4))
    top = draw(curvatures)
    lam = [top] + [top / draw(st.floats(1.0, 20.0)) for _ in range(d - 1)]
    lam = draw(st.permutations(lam))
    if d == 1:
        return quadratic_1d(lam[0])
    if d == 2 and draw(st.booleans()):
        return quadratic(lam[0], lam[1], angle=draw(angles))
    return quadratic(eigenvalues=lam)


@st.composite
def generic_starts(draw, f):
    """A start point whose component along every principal axis is >= 0.5."""
    coef = np.array(
        [
            draw(st.floats(0.5, 2.0)) * draw(st.sampled_from([-1, 1]))
            for _ in range(f.dim)
        ]
    )
    _, vecs = np.linalg.eigh(f.A)
    return vecs @ coef


OBJECTIVES = [
    quadratic_1d(3.0),
    quadratic(1.0, 25.0),
    quadratic(2.0, 7.0, angle=35.0),
    quadratic(eigenvalues=(0.5, 1.0, 4.0)),
    ill_conditioned(10.0, angle=-20.0),
    rosenbrock(),
    rosenbrock(a=-0.5, b=20.0),
]


# ------------------------------------------------------------------------- objectives
@pytest.mark.parametrize("f", OBJECTIVES, ids=repr)
def test_gradient_matches_finite_differences(f):
    rng = np.random.default_rng(0)
    for _ in range(5):
        x = rng.uniform(-1.5, 1.5, f.dim)
        h = 1e-6
        num = np.array(
            [(f.loss(x + h * e) - f.loss(x - h * e)) / (2 * h) for e in np.eye(f.dim)]
        )
        np.testing.assert_allclose(f.grad(x), num, rtol=1e-6, atol=1e-6)
        hess = np.array(
            [(f.grad(x + h * e) - f.grad(x - h * e)) / (2 * h) for e in np.eye(f.dim)]
        )
        np.testing.assert_allclose(f.hessian(x), hess, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("f", OBJECTIVES, ids=repr)
def test_minimum_curvature_and_window(f):
    assert f.loss(f.minimum) == 0.0 == f.f_min
    np.testing.assert_allclose(f.grad(f.minimum), 0.0, atol=1e-12)
    lam = np.linalg.eigvalsh(f.hessian(f.minimum))
    assert f.L == pytest.approx(lam.max(), rel=1e-12)
    assert f.mu == pytest.approx(lam.min(), rel=1e-12)
    assert f.kappa == pytest.approx(f.L / f.mu)
    assert stability_limit(f) == pytest.approx(2 / lam.max(), rel=1e-12)
    assert len(f.bounds) == f.dim
    for (lo, hi), start, best in zip(f.bounds, f.x0, f.minimum, strict=True):
        assert lo < start < hi and lo <= best <= hi
    assert f.loss(f.x0) > 0


@pytest.mark.parametrize("f", OBJECTIVES, ids=repr)
def test_repr_rebuilds_the_objective(f):
    again = eval(repr(f), vars(gd))
    assert repr(again) == repr(f)
    x = np.linspace(-1, 1, 3 * f.dim).reshape(3, f.dim)
    np.testing.assert_array_equal(again.loss(x), f.loss(x))


@pytest.mark.parametrize("f", OBJECTIVES, ids=repr)
def test_loss_and_grad_are_vectorised(f):
    rng = np.random.default_rng(1)
    pts = rng.normal(size=(4, 5, f.dim))
    loop_loss = np.array([[f.loss(p) for p in row] for row in pts])
    loop_grad = np.array([[f.grad(p) for p in row] for row in pts])
    np.testing.assert_allclose(f.loss(pts), loop_loss, rtol=1e-13)
    np.testing.assert_allclose(f.grad(pts), loop_grad, rtol=1e-13, atol=1e-300)
    coords = [pts[..., i] for i in range(f.dim)]
    np.testing.assert_allclose(f.loss(*coords), loop_loss, rtol=1e-13)
    # a 1-D objective given one coordinate array works element by element
    by_coords = loop_grad[..., 0] if f.dim == 1 else loop_grad
    np.testing.assert_allclose(f.grad(*coords), by_coords, rtol=1e-13, atol=1e-300)
    assert isinstance(f.loss(pts[0, 0]), float)
    assert f(pts[0, 0]) == f.loss(pts[0, 0])


def test_1d_objective_takes_plain_numbers_and_arrays():
    f = quadratic_1d(4.0)
    assert f.loss(3.0) == 18.0 and f.grad(3.0) == 12.0
    x = np.linspace(-1, 1, 7)
    np.testing.assert_allclose(f.loss(x), 2.0 * x**2)
    np.testing.assert_allclose(f.grad(x), 4.0 * x)
    np.testing.assert_allclose(f.loss(x[:, None]), 2.0 * x**2)  # points (..., 1)
    assert f.grad(x[:, None]).shape == (7, 1)


def test_grid_for_contour_plots():
    f = ill_conditioned(25.0, angle=30.0)
    xx, yy, zz = f.grid(n=11)
    assert xx.shape == yy.shape == zz.shape == (11, 11)
    assert (xx[0, 0], yy[0, 0]) == (f.bounds[0][0], f.bounds[1][0])
    np.testing.assert_allclose(zz, f.loss(np.stack([xx, yy], -1)))
    x, fx = quadratic_1d(2.0).grid(n=5)
    np.testing.assert_allclose(fx, x**2)


def test_rotated_quadratic_has_the_same_spectrum():
    f = quadratic(1.0, 25.0, angle=30.0)
    np.testing.assert_allclose(np.linalg.eigvalsh(f.A), [1.0, 25.0])
    assert not np.allclose(f.A, np.diag([1.0, 25.0]))
    c, s = math.cos(math.radians(30.0)), math.sin(math.radians(30.0))
    np.testing.assert_allclose(f.A @ [c, s], [c, s])  # first axis, turned by 30 deg


def test_ill_conditioned_is_a_quadratic_with_kappa():
    f = ill_conditioned(25.0)
    assert (f.L, f.mu, f.kappa) == (25.0, 1.0, 25.0)
    np.testing.assert_array_equal(f.A, quadratic(1.0, 25.0).A)


# ------------------------------------------------------------------------- 2 / L limit
@FAST
@given(st.data())
def test_converges_below_and_diverges_above_two_over_l(data):
    f = data.draw(quadratics())
    x0 = data.draw(generic_starts(f))
    limit = stability_limit(f)
    assert limit == 2.0 / max(f.eigenvalues)

    below = descend(f, 0.99 * limit, x0=x0, steps=3000)
    assert not below.diverged and below.diverged_at is None
    assert below.final_loss <= 1e-12 * below.losses[0]
    assert below.xs.shape == (3001, f.dim) and below.lrs.shape == (3000,)

    with np.errstate(all="raise"):  # no floating-point warning may escape
        above = descend(f, 1.01 * limit, x0=x0, steps=3000)
    assert above.diverged
    assert above.diverged_at == len(above.xs) == len(above.losses)
    assert len(above.lrs) == len(above.xs) - 1
    assert np.isfinite(above.xs).all() and np.isfinite(above.losses).all()
    threshold = gd.BLOWUP * (above.losses[0] + 1.0)
    assert above.losses.max() <= threshold
    assert above.losses[-1] > 1e3 * above.losses[0]  # it was really growing


def test_exactly_one_step_to_the_minimum_at_one_over_l():
    f = quadratic(4.0, 4.0)
    path = descend(f, 1 / f.L, steps=3)
    np.testing.assert_array_equal(path.xs[1:], 0.0)


# ------------------------------------------------------------------------ closed forms
@FAST
@given(
    a=st.floats(0.1, 10.0),
    ratio=st.floats(0.0, 2.3),
    x0=st.floats(-3.0, 3.0).filter(lambda v: abs(v) > 1e-3),
    steps=st.integers(0, 200),
)
def test_closed_form_iterates_equal_the_path(a, ratio, x0, steps):
    lr = ratio / a
    path = descend(quadratic_1d(a), lr, x0=x0, steps=steps)
    closed = closed_form_iterates(a, lr, x0=x0, steps=steps)
    assert closed.shape == (steps + 1,)
    n = len(path.xs)
    np.testing.assert_allclose(
        path.xs[:, 0], closed[:n], rtol=1e-9, atol=1e-12 * abs(x0)
    )
    np.testing.assert_allclose(
        path.losses, a / 2 * closed[:n] ** 2, rtol=1e-8, atol=1e-20
    )
    if path.diverged:
        assert contraction_factor(a, lr) > 1.0
        assert a / 2 * closed[n] ** 2 > gd.BLOWUP * (path.losses[0] + 1.0)
    else:
        assert n == steps + 1


@FAST
@given(a=st.floats(0.1, 10.0), ratio=st.floats(0.01, 1.99))
def test_contraction_factor_is_the_ratio_of_iterates(a, ratio):
    lr = ratio / a
    xs = descend(quadratic_1d(a), lr, x0=1.0, steps=5).xs[:, 0]
    factor = contraction_factor(a, lr)
    np.testing.assert_allclose(
        np.abs(xs[1:]), factor * np.abs(xs[:-1]), rtol=1e-9, atol=1e-15
    )
    assert (contraction_factor(a, lr) < 1.0) == (lr < 2.0 / a)


def test_formula_helpers_values_and_vectorisation():
    assert stability_limit(quadratic_1d(10.0)) == 0.2  # f = 5 x^2
    assert stability_limit(25.0) == 0.08
    assert contraction_factor(1.0, 0.5) == contraction_factor(1.0, 1.5) == 0.5
    lrs = np.array([0.0, 0.25, 0.5])
    np.testing.assert_allclose(contraction_factor(4.0, lrs), [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(closed_form_iterates(1.0, 1.5, 2.0, 2), [2, -1, 0.5])
    with np.errstate(all="raise"):
        assert math.isinf(closed_form_iterates(1.0, 10.0, 1.0, 1000)[-1])


def test_descend_follows_a_schedule():
    a, x0 = 2.0, 1.5
    s = lrbook.step_decay(0.9, step_size=4, gamma=0.5)
    path = descend(quadratic_1d(a), s, x0=x0, steps=12)
    np.testing.assert_array_equal(path.lrs, s(np.arange(12)))
    expected = x0 * np.concatenate([[1.0], np.cumprod(1 - a * path.lrs)])
    np.testing.assert_allclose(path.xs[:, 0], expected, rtol=1e-12)
    assert path.lr is s


def test_descend_accepts_plain_functions_and_arrays_of_rates():
    f = quadratic(1.0, 4.0)
    ref = descend(f, lrbook.exponential_decay(0.3, 0.9), steps=20)
    vectorised = descend(f, lambda t: 0.3 * 0.9**t, steps=20)
    scalar_only = descend(f, lambda t: 0.3 * 0.9**t if t >= 0 else None, steps=20)
    as_array = descend(f, list(0.3 * 0.9 ** np.arange(20)), steps=20)
    for p in (vectorised, scalar_only, as_array):
        np.testing.assert_allclose(p.lrs, ref.lrs, rtol=1e-14)
        np.testing.assert_allclose(p.xs, ref.xs, rtol=1e-12)


def test_momentum_is_the_heavy_ball_update():
    f = quadratic(1.0, 10.0, angle=20.0)
    lr, beta, x = 0.05, 0.8, np.array(f.x0)
    v, xs = np.zeros(2), [x]
    for _ in range(30):
        v = beta * v + f.A @ x
        x = x - lr * v
        xs.append(x)
    path = descend(f, lr, steps=30, momentum=beta)
    np.testing.assert_allclose(path.xs, np.array(xs), rtol=1e-12, atol=1e-15)


def test_momentum_matches_pytorch_sgd():
    torch = pytest.importorskip("torch")
    f = rosenbrock()
    s = lrbook.cosine_annealing(1e-3, t_max=50)
    p = torch.tensor(f.x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=s(0), momentum=0.9)
    xs = [p.detach().numpy().copy()]
    for t in range(50):
        for group in opt.param_groups:
            group["lr"] = s(t)
        opt.zero_grad()
        x, y = p[0], p[1]
        ((1 - x) ** 2 + 100 * (y - x**2) ** 2).backward()
        opt.step()
        xs.append(p.detach().numpy().copy())
    path = descend(f, s, steps=50, momentum=0.9)
    np.testing.assert_allclose(path.xs, np.array(xs), rtol=1e-10)


def test_rosenbrock_converges_for_a_small_learning_rate():
    f = rosenbrock()
    path = descend(f, 1.5e-3, steps=20_000)
    assert not path.diverged
    np.testing.assert_allclose(path.xs[-1], f.minimum, atol=1e-4)
    assert path.final_loss < 1e-8
    assert np.all(np.diff(path.losses[-1000:]) <= 0)  # monotone at the end


def test_rosenbrock_diverges_cleanly_for_a_large_learning_rate():
    with np.errstate(all="raise"):
        path = descend(rosenbrock(), 0.05, steps=1000)
    assert path.diverged and np.isfinite(path.xs).all()
    assert path.diverged_at == len(path.xs) < 20


# ---------------------------------------------------------------------------- noise
def test_noisy_paths_are_reproducible_per_seed():
    f = noisy(quadratic(1.0, 4.0), sigma=0.5, seed=3)
    p1, p2 = descend(f, 0.1, steps=200), descend(f, 0.1, steps=200)
    np.testing.assert_array_equal(p1.xs, p2.xs)
    other = descend(noisy(quadratic(1.0, 4.0), sigma=0.5, seed=4), 0.1, steps=200)
    assert not np.allclose(p1.xs, other.xs)
    # descend's seed overrides the objective's
    np.testing.assert_array_equal(descend(f, 0.1, steps=200, seed=4).xs, other.xs)
    # the noise-free loss is reported; sigma = 0 is plain gradient descent
    np.testing.assert_allclose(p1.losses, f.base.loss(p1.xs))
    plain = descend(quadratic(1.0, 4.0), 0.1, steps=200)
    zero = descend(noisy(quadratic(1.0, 4.0), sigma=0.0, seed=1), 0.1, steps=200)
    np.testing.assert_array_equal(zero.xs, plain.xs)


def test_noise_is_added_to_the_exact_gradient():
    base = quadratic(1.0, 4.0)
    f = noisy(base, sigma=0.5, seed=7)
    path = descend(f, 0.1, steps=4)
    noise = 0.5 * np.random.default_rng(7).standard_normal((4, 2))
    x = np.array(base.x0)
    for t in range(4):
        x = x - 0.1 * (base.grad(x) + noise[t])
        np.testing.assert_allclose(path.xs[t + 1], x, rtol=1e-14)


def test_noisy_grad_uses_its_own_generator():
    f = noisy(quadratic_1d(1.0), sigma=1.0, seed=0)
    g1, g2 = f.grad(0.0), f.grad(0.0)
    assert g1 != g2
    f.reset()
    assert f.grad(0.0) == g1
    assert f.grad(np.zeros((3, 1))).shape == (3, 1)
    assert (f.L, f.mu, f.loss(2.0)) == (1.0, 1.0, 2.0)


@pytest.mark.parametrize(
    ("a", "lr", "sigma"), [(1.0, 0.5, 1.0), (2.0, 0.3, 0.5), (1.0, 1.2, 2.0)]
)
def test_noise_floor_matches_a_long_simulation(a, lr, sigma):
    f = noisy(quadratic_1d(a), sigma=sigma, seed=2024)
    path = descend(f, lr, x0=0.0, steps=40_000)
    measured = np.mean(path.xs[500:, 0] ** 2)
    formula = noise_floor(a, lr, sigma)
    assert formula == pytest.approx(lr * sigma**2 / (a * (2 - lr * a)))
    assert measured == pytest.approx(formula, rel=0.05)
    # the small-step approximation is measurably different: the test can fail
    assert abs(lr * sigma**2 / (2 * a) / formula - 1) > 0.12
    assert np.mean(path.losses[500:]) == pytest.approx(a / 2 * formula, rel=0.05)


def test_noise_floor_of_a_quadratic_in_two_dimensions():
    f = noisy(quadratic(1.0, 4.0, angle=30.0), sigma=1.0, seed=11)
    paths = descend_many(f, [0.1, 0.3], x0=(0.0, 0.0), steps=40_000)
    for p in paths:
        lr = p.lr
        measured = np.mean(np.sum(p.xs[500:] ** 2, axis=-1))
        formula = lr / (1 * (2 - lr)) + lr / (4 * (2 - 4 * lr))
        assert noise_floor(f, lr) == pytest.approx(formula)
        assert measured == pytest.approx(formula, rel=0.06)


def test_noise_floor_grows_with_the_learning_rate_and_is_infinite_beyond_2_over_l():
    lrs = np.array([0.01, 0.1, 0.5, 1.0, 1.99, 2.0, 3.0])
    floors = noise_floor(1.0, lrs, sigma=1.0)
    assert np.all(np.diff(floors[:5]) > 0)
    assert np.isinf(floors[5:]).all()
    assert noise_floor(1.0, 0.1, sigma=0.0) == 0.0


# -------------------------------------------------------------- divergence and paths
def test_divergence_truncates_at_the_last_point_below_the_threshold():
    f = quadratic_1d(1.0)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        path = descend(f, 2.5, x0=1.0, steps=100)
    # |x_t| = 1.5^t; the loss 1.5^(2t)/2 first exceeds 1e6 * (0.5 + 1) at t = 19
    assert path.diverged and path.diverged_at == 19
    assert len(path.xs) == 19 and len(path.lrs) == 18
    np.testing.assert_allclose(np.abs(path.xs[:, 0]), 1.5 ** np.arange(19))
    assert not path.xs.flags.writeable and not path.losses.flags.writeable
    assert "diverged at t=19" in repr(path)
    # a smaller blow-up factor stops earlier
    assert descend(f, 2.5, x0=1.0, steps=100, blowup=10.0).diverged_at == 5


@pytest.mark.parametrize("f", OBJECTIVES, ids=repr)
def test_huge_steps_stop_after_the_start_point(f):
    with np.errstate(all="raise"):
        path = descend(f, 1e300, steps=50)
    assert path.diverged and path.diverged_at == 1
    assert path.xs.shape == (1, f.dim) and path.lrs.shape == (0,)
    np.testing.assert_array_equal(path.xs[0], f.x0)


def test_path_is_frozen_and_describes_itself():
    path = descend(quadratic(1.0, 25.0), 0.05, steps=10)
    with pytest.raises(AttributeError):
        path.diverged = True
    with pytest.raises(ValueError):
        path.xs[0, 0] = 1.0
    assert repr(path).startswith("Path(quadratic(a=1.0, b=25.0), lr=0.05, steps=10:")
    np.testing.assert_allclose(path.distances, np.linalg.norm(path.xs, axis=1))
    assert path.final_loss == path.losses[-1]
    assert descend(quadratic_1d(), 0.1, steps=0).xs.shape == (1, 1)


# ---------------------------------------------------------------------- descend_many
@settings(max_examples=20, deadline=None, derandomize=IN_CI)
@given(
    f=st.sampled_from(OBJECTIVES),
    ratios=st.lists(st.floats(0.0, 1.3), min_size=1, max_size=6),
    momentum=st.sampled_from([0.0, 0.5]),
    sigma=st.sampled_from([None, 0.3]),
)
def test_descend_many_equals_descend(f, ratios, momentum, sigma):
    lrs = [r * stability_limit(f) for r in ratios]
    obj = f if sigma is None else noisy(f, sigma, seed=5)
    many = descend_many(obj, lrs, steps=150, momentum=momentum)
    for lr, p in zip(lrs, many, strict=True):
        q = descend(obj, lr, steps=150, momentum=momentum)
        np.testing.assert_array_equal(p.xs, q.xs)
        np.testing.assert_array_equal(p.losses, q.losses)
        assert (p.diverged, p.diverged_at) == (q.diverged, q.diverged_at)


def test_descend_many_with_one_start_per_path_and_schedules():
    f = quadratic(1.0, 4.0)
    starts = np.array([[1.0, 1.0], [-1.0, 0.5]])
    s = lrbook.cosine_annealing(0.2, t_max=30)
    many = descend_many(f, [0.1, s], x0=starts, steps=30)
    np.testing.assert_array_equal(
        many[0].xs, descend(f, 0.1, x0=starts[0], steps=30).xs
    )
    np.testing.assert_array_equal(many[1].xs, descend(f, s, x0=starts[1], steps=30).xs)


# ---------------------------------------------------------------------- bad arguments
F = quadratic(1.0, 4.0)
BAD = [
    (lambda: quadratic_1d(0.0), ValueError, "a must be"),
    (lambda: quadratic_1d("1"), TypeError, "a must be"),
    (lambda: quadratic(-1.0), ValueError, "a must be"),
    (lambda: quadratic(1.0, math.inf), ValueError, "b must be"),
    (lambda: quadratic(eigenvalues=()), ValueError, "eigenvalues"),
    (lambda: quadratic(eigenvalues=(1.0, 0.0)), ValueError, r"eigenvalues\[1\]"),
    (lambda: quadratic(eigenvalues=5.0), TypeError, "eigenvalues"),
    (lambda: quadratic(1.0, eigenvalues=(1.0, 2.0)), ValueError, "eigenvalues"),
    (lambda: quadratic(eigenvalues=(1, 2, 3), angle=10.0), ValueError, "angle"),
    (lambda: quadratic(angle=math.nan), ValueError, "angle"),
    (lambda: ill_conditioned(0.5), ValueError, "kappa must be >= 1"),
    (lambda: rosenbrock(b=0.0), ValueError, "b must be"),
    (lambda: rosenbrock(a=math.nan), ValueError, "a must be"),
    (lambda: noisy(F, -1.0), ValueError, "sigma must be"),
    (lambda: noisy(F, 1.0, seed=-1), ValueError, "seed"),
    (lambda: noisy(F, 1.0, seed=1.5), TypeError, "seed"),
    (lambda: noisy("F", 1.0), TypeError, "objective"),
    (lambda: noisy(noisy(F, 1.0), 1.0), ValueError, "objective is already noisy"),
    (lambda: descend("F", 0.1), TypeError, "objective"),
    (lambda: descend(F, -0.1), ValueError, "lr must be"),
    (lambda: descend(F, math.nan), ValueError, "lr must be"),
    (lambda: descend(F, "0.1"), TypeError, "lr must be"),
    (lambda: descend(F, True), TypeError, "lr must be"),
    (lambda: descend(F, lambda t: 0.1 - 0.01 * t, steps=20), ValueError, "t=11"),
    (lambda: descend(F, [0.1, 0.1], steps=3), ValueError, r"lr as an array"),
    (
        lambda: descend(F, lrbook.one_cycle(0.1, total_steps=10), steps=20),
        ValueError,
        "defined for 10 steps",
    ),
    (lambda: descend(F, 0.1, steps=-1), ValueError, "steps must be"),
    (lambda: descend(F, 0.1, steps=2.0), TypeError, "steps must be"),
    (lambda: descend(F, 0.1, momentum=1.0), ValueError, "momentum must be"),
    (lambda: descend(F, 0.1, momentum=-0.1), ValueError, "momentum must be"),
    (lambda: descend(F, 0.1, x0=(1.0, 2.0, 3.0)), ValueError, r"x0 must be .*\(2,\)"),
    (lambda: descend(F, 0.1, x0=(1.0, math.nan)), ValueError, "x0 must be finite"),
    (lambda: descend(F, 0.1, x0="ab"), TypeError, "x0 must be"),
    (lambda: descend(F, 0.1, x0=(1e200, 1e200)), ValueError, "x0 must have a finite"),
    (lambda: descend(F, 0.1, blowup=1.0), ValueError, "blowup must be"),
    (lambda: descend(noisy(F, 1.0), 0.1, seed=-2), ValueError, "seed"),
    (lambda: descend_many(F, []), ValueError, "lrs must hold"),
    (lambda: descend_many(F, 0.1), TypeError, "lrs must be"),
    (lambda: descend_many(F, [0.1, -1.0]), ValueError, r"lrs\[1\] must be"),
    (lambda: descend_many(F, [0.1, 0.2], x0=np.ones((3, 2))), ValueError, "x0"),
    (lambda: stability_limit("f"), TypeError, "objective"),
    (lambda: stability_limit(0.0), ValueError, "objective"),
    (lambda: contraction_factor(0.0, 0.1), ValueError, "a must be"),
    (lambda: contraction_factor(1.0, -0.1), ValueError, "lr must be"),
    (lambda: contraction_factor(1.0, [0.1, -0.1]), ValueError, "lr must be"),
    (lambda: closed_form_iterates(1.0, 0.1, steps=-1), ValueError, "steps"),
    (lambda: closed_form_iterates(1.0, math.inf), ValueError, "lr must be"),
    (lambda: noise_floor(rosenbrock(), 0.1, 1.0), ValueError, "quadratic"),
    (lambda: noise_floor(1.0, 0.1), TypeError, "sigma is required"),
    (lambda: noise_floor(1.0, 0.0, 1.0), ValueError, "lr must be"),
    (lambda: noise_floor(1.0, 0.1, -1.0), ValueError, "sigma must be"),
    (
        lambda: F.loss(np.ones(3)),
        ValueError,
        r"loss takes points of shape \(\.\.\., 2\)",
    ),
    (lambda: F.grad(1.0, 2.0, 3.0), ValueError, "grad takes points"),
    (lambda: F.grid(n=1), ValueError, "n must be"),
    (lambda: quadratic(eigenvalues=(1, 2, 3)).grid(), ValueError, "grid needs"),
]


@pytest.mark.parametrize(("call", "error", "match"), BAD)
def test_bad_arguments_raise_with_the_parameter_name(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ---------------------------------------------------------- momentum's stability limit
def test_stability_limit_with_momentum_values():
    assert stability_limit(25.0, momentum=0.9) == 2 * (1 + 0.9) / 25.0 == 0.152
    assert stability_limit(quadratic_1d(10.0), 0.0) == 0.2 == stability_limit(10.0)
    assert stability_limit(ill_conditioned(25.0), momentum=0.5) == 3.0 / 25.0


@FAST
@given(st.data())
def test_heavy_ball_converges_below_and_diverges_above_its_limit(data):
    f = data.draw(quadratics())
    x0 = data.draw(generic_starts(f))
    beta = data.draw(st.floats(0.0, 0.9))
    limit = stability_limit(f, momentum=beta)
    assert limit == 2.0 * (1.0 + beta) / max(f.eigenvalues)
    below = descend(f, 0.99 * limit, x0=x0, steps=3000, momentum=beta)
    assert not below.diverged and below.final_loss <= 1e-12 * below.losses[0]
    with np.errstate(all="raise"):
        above = descend(f, 1.01 * limit, x0=x0, steps=3000, momentum=beta)
    assert above.diverged


# ------------------------------------------------------ SGD's mean square, exactly
def test_mean_square_worked_values():
    np.testing.assert_array_equal(
        gd.mean_square(1.0, 0.5, sigma=1.0, x0=2.0, steps=3),
        [4.0, 1.25, 0.5625, 0.390625],
    )
    # defaults: x0 = 1; steps = len(lr) for an array of rates
    np.testing.assert_array_equal(
        gd.mean_square(1.0, 0.5, 1.0, steps=2), [1, 0.5, 0.375]
    )
    np.testing.assert_array_equal(
        gd.mean_square(2.0, [0.25, 0.25], 0.0), [1, 0.25, 0.0625]
    )
    np.testing.assert_array_equal(
        gd.mean_square(1.0, 0.5, sigma=1.0, v0=0.25, steps=1), [0.25, 0.3125]
    )
    assert gd.mean_square(1.0, 0.1, 1.0, steps=0).shape == (1,)
    np.testing.assert_array_equal(
        gd.expected_loss(1.0, 0.5, sigma=1.0, x0=2.0, steps=3),
        [2.0, 0.625, 0.28125, 0.1953125],
    )
    np.testing.assert_array_equal(
        gd.expected_loss(4.0, 0.1, 0.5, x0=3.0, steps=50),
        2.0 * gd.mean_square(4.0, 0.1, 0.5, x0=3.0, steps=50),
    )


def test_mean_square_takes_numbers_schedules_functions_and_arrays_of_rates():
    s = lrbook.step_decay(0.5, step_size=10, gamma=0.1)
    ref = gd.mean_square(1.0, s, 1.0, x0=10.0, steps=40)
    np.testing.assert_array_equal(gd.mean_square(1.0, s(np.arange(40)), 1.0, 10.0), ref)
    np.testing.assert_array_equal(
        gd.mean_square(1.0, list(s(np.arange(40))), 1.0, x0=10.0, steps=40), ref
    )
    np.testing.assert_array_equal(
        gd.mean_square(1.0, lambda t: 0.5 * 0.1 ** (t // 10), 1.0, 10.0, 40), ref
    )
    path = descend(noisy(quadratic_1d(1.0), sigma=1.0, seed=0), s, x0=10.0, steps=40)
    np.testing.assert_array_equal(gd.mean_square(1.0, path.lrs, 1.0, x0=10.0), ref)
    # the recursion, written out step by step
    v = [100.0]
    for lr in s(np.arange(40)):
        v.append((1 - lr) ** 2 * v[-1] + lr**2)
    np.testing.assert_array_equal(ref, v)


def test_mean_square_overflows_to_inf_without_a_warning():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        v = gd.mean_square(1.0, 3.0, 1.0, x0=1.0, steps=2000)
        huge = gd.mean_square(1.0, 0.1, 1.0, x0=1e200, steps=2)
    assert np.isinf(v[-1]) and np.all(np.diff(v[np.isfinite(v)]) > 0)
    assert np.isinf(huge).all()


@FAST
@given(
    a=st.floats(0.1, 10.0),
    ratio=st.floats(0.01, 1.99),
    sigma=st.floats(0.0, 3.0),
    x0=st.floats(-5.0, 5.0),
    steps=st.integers(0, 300),
)
def test_mean_square_equals_the_closed_form_for_a_constant_rate(
    a, ratio, sigma, x0, steps
):
    lr = ratio / a
    v = gd.mean_square(a, lr, sigma, x0=x0, steps=steps)
    floor = noise_floor(a, lr, sigma)
    t = np.arange(steps + 1)
    closed = floor + (1 - lr * a) ** (2 * t) * (x0**2 - floor)
    np.testing.assert_allclose(v, closed, rtol=1e-9, atol=1e-12 * (x0**2 + floor))
    if sigma == 0.0:  # plain gradient descent: the squares of the iterates
        iterates = closed_form_iterates(a, lr, x0=x0, steps=steps)
        np.testing.assert_allclose(v, iterates**2, rtol=1e-9, atol=1e-300)


def _monte_carlo_tolerance(a, rates, sigma, x0, v, n):
    """Six standard errors of a mean of n squares of N(m_t, v_t - m_t^2) draws."""
    mean = x0 * np.concatenate([[1.0], np.cumprod(1 - rates * a)])
    var = np.maximum(v - mean**2, 0.0)
    return 6 * np.sqrt((2 * var**2 + 4 * mean**2 * var) / n) + 1e-12 * v


@settings(max_examples=15, deadline=None, derandomize=IN_CI)
@given(
    a=st.floats(0.2, 5.0),
    ratio=st.floats(0.05, 1.8),
    gamma=st.sampled_from([1.0, 0.9, 0.5]),
    sigma=st.floats(0.1, 2.0),
    x0=st.floats(-3.0, 3.0),
    seed=st.integers(0, 2**16),
)
def test_mean_square_equals_a_monte_carlo_average(a, ratio, gamma, sigma, x0, seed):
    steps, copies = 60, 2000
    s = lrbook.step_decay(ratio / a, step_size=15, gamma=gamma)
    v = gd.mean_square(a, s, sigma, x0=x0, steps=steps)
    # 2000 independent copies of the 1-D problem, as one 2000-dimensional bowl
    bowl = noisy(quadratic(eigenvalues=[a] * copies), sigma=sigma, seed=seed)
    path = descend(bowl, s, x0=np.full(copies, x0), steps=steps)
    measured = (path.xs**2).mean(axis=1)
    tol = _monte_carlo_tolerance(a, path.lrs, sigma, x0, v, copies)
    assert np.all(np.abs(measured - v) <= tol)


def test_simulate_mean_square_is_the_average_over_seeded_runs():
    f = quadratic_1d(1.0)
    lrs = [lrbook.constant(0.1), lrbook.exponential_decay(0.1, 0.97)]
    msd = gd.simulate_mean_square(noisy(f, 1.0), lrs, x0=5.0, steps=50, seeds=range(7))
    loop = np.zeros((2, 51))
    for seed in range(7):
        paths = descend_many(noisy(f, sigma=1.0, seed=seed), lrs, x0=5.0, steps=50)
        loop += np.stack([p.xs[:, 0] ** 2 for p in paths]) / 7
    np.testing.assert_array_equal(msd, loop)
    # in d dimensions: the squared distance to the minimiser, whatever it is
    r = rosenbrock()
    two = gd.simulate_mean_square(noisy(r, 0.1), [1e-3], steps=20, seeds=(3, 4))
    runs = [descend(noisy(r, 0.1, seed=s), 1e-3, steps=20) for s in (3, 4)]
    sq = [np.sum((p.xs - r.minimum) ** 2, axis=-1) for p in runs]
    np.testing.assert_array_equal(two[0], sq[0] / 2 + sq[1] / 2)


def test_simulate_mean_square_batches_seeds_without_changing_a_bit(monkeypatch):
    """The seeds run as one batch, in groups: the same numbers as one run per seed,
    with momentum, a matrix gradient, and groups that do not divide the seeds."""
    f = noisy(gd.ill_conditioned(10.0, angle=0.3), sigma=0.5)
    lrs = [0.05, lrbook.cosine_annealing(0.1, t_max=30)]
    monkeypatch.setattr(gd.noise, "_BATCH_VALUES", 3 * 31 * 2 * 2)  # 3 seeds a group
    msd = gd.simulate_mean_square(f, lrs, steps=30, seeds=range(7), momentum=0.9)
    loop = np.zeros((2, 31))
    for seed in range(7):
        paths = descend_many(f, lrs, steps=30, momentum=0.9, seed=seed)
        loop += np.stack([np.sum((p.xs - f.minimum) ** 2, axis=-1) for p in paths]) / 7
    np.testing.assert_array_equal(msd, loop)
    with pytest.raises(ValueError, match=r"lrs\[0\] = 0.6 diverges .* seed 5"):
        gd.simulate_mean_square(
            noisy(quadratic_1d(4.0), 3.0), [0.6], steps=60, seeds=range(5, 9)
        )


def test_simulate_mean_square_agrees_with_the_exact_recursion():
    a, sigma, x0, n = 2.0, 0.5, 1.5, 400
    s = lrbook.exponential_decay(0.4, 0.95)
    msd = gd.simulate_mean_square(
        noisy(quadratic_1d(a), sigma), [s], x0=x0, steps=40, seeds=range(n)
    )[0]
    v = gd.mean_square(a, s, sigma, x0=x0, steps=40)
    tol = _monte_carlo_tolerance(a, s(np.arange(40)), sigma, x0, v, n)
    assert np.all(np.abs(msd - v) <= tol)


def test_simulate_mean_square_as_its_docstring_calls_it():
    f = noisy(quadratic_1d(1.0), sigma=1.0)
    v = gd.simulate_mean_square(f, [0.1, 0.5], x0=0.0, steps=400)
    assert v.shape == (2, 401) and np.all(v[:, 0] == 0.0)
    floors = [noise_floor(1.0, lr, sigma=1.0) for lr in (0.1, 0.5)]
    np.testing.assert_allclose(v[:, 200:].mean(axis=1), floors, rtol=0.1)
    default = gd.simulate_mean_square(f, [0.1])  # seeds 0..99, 100 steps, f.x0
    assert default.shape == (1, 101)
    assert default[0, 0] == pytest.approx(1.0, rel=1e-12)  # 100 terms of 1/100


def test_simulate_mean_square_refuses_a_diverging_rate():
    with pytest.raises(ValueError, match=r"lrs\[1\] = 2.5 diverges .* seed 0"):
        gd.simulate_mean_square(noisy(quadratic_1d(), 0.1), [0.1, 2.5], seeds=[0])


# --------------------------------------------------------------------- first_within
def test_first_within_worked_values():
    assert gd.first_within([8.0, 4.0, 2.0, 1.05, 1.0], level=1.0) == 3
    assert gd.first_within([8.0, 4.0, 2.0], level=1.0) is None
    assert gd.first_within([3.0, 0.5, 0.01], level=0.0, atol=0.1) == 2
    assert gd.first_within([2.0, 1.2, 1.15], 1.0, rtol=0.2) == 1
    assert gd.first_within(np.array([0.5, 1.05]), 1.0) == 1  # two-sided: 0.5 is not
    assert gd.first_within([np.nan, np.inf, 1.0], 1.0) == 2
    assert gd.first_within([], 1.0) is None
    assert type(gd.first_within(np.array([1.0]), 1.0)) is int


@FAST
@given(
    values=st.lists(st.floats(-1e6, 1e6), max_size=40),
    level=st.floats(-1e3, 1e3),
    rtol=st.floats(0.0, 1.0),
)
def test_first_within_is_the_first_index_in_the_band(values, level, rtol):
    t = gd.first_within(values, level, rtol=rtol)
    inside = [abs(v - level) <= rtol * abs(level) for v in values]
    assert t == (inside.index(True) if any(inside) else None)


@FAST
@given(
    level=st.floats(1e-3, 10.0),
    above=st.floats(1.2, 100.0),
    factor=st.floats(0.5, 0.99),
)
def test_first_within_of_a_curve_falling_to_a_level(level, above, factor):
    curve = level + (above - 1.0) * level * factor ** np.arange(1000)
    t = gd.first_within(curve, level)
    assert t == int(np.argmax(curve - level <= 0.1 * level))  # from above: one-sided
    assert curve[t] - level <= 0.1 * level < curve[t - 1] - level


def test_the_chapters_recursion_and_reach():
    """Chapter 2's toy problem: a drop reaches the small rate's floor much sooner."""
    toy = {
        "small": lrbook.constant(0.05),
        "drop": lrbook.multistep_decay(0.5, milestones=[20], gamma=0.1),
    }
    loss = {
        k: gd.expected_loss(1.0, s, 1.0, x0=10.0, steps=150) for k, s in toy.items()
    }
    floor = 0.5 * noise_floor(1.0, 0.05, 1.0)
    reach = {k: gd.first_within(v, floor) for k, v in loss.items()}
    assert reach == {"small": 104, "drop": 67}


# ------------------------------------------------------------- the package's layout
def test_every_public_name_is_importable_from_lrbook_gd():
    from lrbook.gd import descent, noise, objectives, theory

    for module in (descent, noise, objectives, theory):
        for name in module.__all__:
            assert getattr(gd, name) is getattr(module, name), name
            assert name in gd.__all__, name


BAD_NOISE = [
    (lambda: stability_limit(1.0, momentum=1.0), ValueError, "momentum must be"),
    (lambda: stability_limit(1.0, momentum="0.9"), TypeError, "momentum must be"),
    (lambda: gd.mean_square(0.0, 0.1, 1.0, steps=3), ValueError, "a must be > 0"),
    (lambda: gd.mean_square("1", 0.1, 1.0, steps=3), TypeError, "a must be"),
    (lambda: gd.mean_square(1.0, 0.1, -1.0, steps=3), ValueError, "sigma must be"),
    (lambda: gd.mean_square(1.0, -0.1, 1.0, steps=3), ValueError, "lr must be"),
    (lambda: gd.mean_square(1.0, "0.1", 1.0, steps=3), TypeError, "lr must be"),
    (lambda: gd.mean_square(1.0, [0.1] * 2, 1.0, steps=3), ValueError, "lr as an"),
    (lambda: gd.mean_square(1.0, 0.1, 1.0), TypeError, "steps is required"),
    (lambda: gd.mean_square(1.0, 0.1, 1.0, steps=-1), ValueError, "steps must be"),
    (lambda: gd.mean_square(1.0, 0.1, 1.0, steps=2.0), TypeError, "steps must be"),
    (lambda: gd.mean_square(1.0, 0.1, 1.0, math.nan, 3), ValueError, "x0 must be"),
    (
        lambda: gd.mean_square(1.0, 0.1, 1.0, x0=1.0, steps=3, v0=1.0),
        ValueError,
        "either x0 .* or v0",
    ),
    (lambda: gd.mean_square(1.0, 0.1, 1.0, steps=3, v0=-1.0), ValueError, "v0 must"),
    (lambda: gd.expected_loss(1.0, 0.1, 1.0), TypeError, "steps is required"),
    (lambda: gd.expected_loss(1.0, 0.1, None, steps=3), TypeError, "sigma must be"),
    (
        lambda: gd.simulate_mean_square(quadratic_1d(), [0.1]),
        TypeError,
        "objective must be a noisy objective",
    ),
    (
        lambda: gd.simulate_mean_square(noisy(F, 1.0), 0.1),
        TypeError,
        "lrs must be a sequence",
    ),
    (
        lambda: gd.simulate_mean_square(noisy(F, 1.0), [0.1], seeds=[]),
        ValueError,
        "seeds must hold at least one",
    ),
    (
        lambda: gd.simulate_mean_square(noisy(F, 1.0), [0.1], seeds=[0, -1]),
        ValueError,
        r"seeds\[1\] must be",
    ),
    (
        lambda: gd.simulate_mean_square(noisy(F, 1.0), [0.1], seeds=5),
        TypeError,
        "seeds must be",
    ),
    (
        lambda: gd.simulate_mean_square(noisy(F, 1.0), [0.1], steps=-1),
        ValueError,
        "steps must be",
    ),
    (lambda: gd.first_within([[1.0, 2.0]], 1.0), ValueError, "values must be a 1-d"),
    (lambda: gd.first_within(["a"], 1.0), TypeError, "values must be"),
    (lambda: gd.first_within([1.0], math.nan), ValueError, "level must be"),
    (lambda: gd.first_within([1.0], "1"), TypeError, "level must be"),
    (lambda: gd.first_within([1.0], 1.0, rtol=-0.1), ValueError, "rtol must be"),
    (lambda: gd.first_within([1.0], 1.0, atol=math.inf), ValueError, "atol must be"),
]


@pytest.mark.parametrize(("call", "error", "match"), BAD_NOISE)
def test_bad_arguments_of_the_noise_helpers_raise_with_the_parameter_name(
    call, error, match
):
    with pytest.raises(error, match=match):
        call()
