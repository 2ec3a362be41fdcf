"""lrbook.explore.gradient_descent: the drawn paths are lrbook.gd.descend's paths."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from lrbook import explore, gd

THREE = {
    "bowl": ("quadratic", {"a": 1.0, "b": 4.0}),
    "ill-conditioned": "ill_conditioned",
    "Rosenbrock": "rosenbrock",
}


def combinations(ex):
    names = [c.name for c in ex.controls]
    for combo in itertools.product(*(c.values for c in ex.controls)):
        yield dict(zip(names, combo, strict=True))


def expected_path(f, lr, *, relative, momentum, steps, seed=None):
    alpha = lr * gd.stability_limit(f) if relative else lr
    return gd.descend(f, alpha, steps=steps, momentum=momentum, seed=seed)


def assert_loss_drawn(ex, series, p):
    """The loss panel draws f(x_t) - f*, cut at a thousandth of the axis' bottom."""
    t, gap = series
    want = p.losses - p.objective.f_min
    floor = ex.limits()[1]["y"][0] * 1e-3
    n = len(t)
    np.testing.assert_array_equal(t, np.arange(n))
    if n < len(want) or gap[-1] == floor:
        np.testing.assert_array_equal(gap[:-1], want[: n - 1])
        assert gap[-1] == floor and want[n - 1] < floor <= want[: n - 1].min()
    else:
        np.testing.assert_array_equal(gap, want)


# --------------------------------------------------------------------------------------
# what is drawn
# --------------------------------------------------------------------------------------


def test_every_frame_draws_descend_paths_dropdown_and_momentum():
    ex = explore.gradient_descent(THREE, momentum=0.9, steps=40)
    assert [c.name for c in ex.controls] == ["lr", "function", "momentum"]
    funcs = {
        "bowl": gd.quadratic(1.0, 4.0),
        "ill-conditioned": gd.ill_conditioned(),
        "Rosenbrock": gd.rosenbrock(),
    }
    diverged = 0
    for values in combinations(ex):
        f = funcs[values["function"]]
        p = expected_path(
            f,
            values["lr"],
            relative=True,
            momentum=0.9 if values["momentum"] else 0.0,
            steps=40,
        )
        path_panel, loss_panel = ex.series(**values)
        x, y = path_panel["path"]
        np.testing.assert_array_equal(x, p.xs[:, 0])
        np.testing.assert_array_equal(y, p.xs[:, 1])
        assert_loss_drawn(ex, loss_panel["loss"], p)
        gap = p.losses - f.f_min
        np.testing.assert_array_equal(path_panel["minimum"][0], [f.minimum[0]])
        note = ex.set(**values).note()
        assert values["function"] in note
        if p.diverged:
            diverged += 1
            assert f"diverged at t = {p.diverged_at}" in note
        else:
            assert f"loss gap {gap[0]:.3g} → {gap[-1]:.3g}" in note
    assert diverged > 0  # the default slider goes past 2/L


def test_absolute_slider_single_function_and_1d():
    f = gd.quadratic_1d(2.0)
    lrs = [0.1, 0.5, 0.9, 1.1, 1.5]
    ex = explore.gradient_descent(("quadratic_1d", {"a": 2.0}), lrs, steps=30)
    assert [c.name for c in ex.controls] == ["lr"]
    for lr in lrs:
        p = gd.descend(f, lr, steps=30)
        (graph, loss) = ex.series(lr=lr)
        np.testing.assert_array_equal(graph["path"][0], p.xs[:, 0])
        np.testing.assert_array_equal(graph["path"][1], p.losses)
        assert_loss_drawn(ex, loss["loss"], p)
        assert ex.set(lr=lr).note().startswith(f"α = {lr:.4g}")
    assert ex.set(lr=1.5).note().endswith("(run stopped)")
    assert (
        ex.set(lr=1.1)
        .note()
        .endswith(f"→ {gd.descend(f, 1.1, steps=30).final_loss:.3g}")
    )
    x, fx = ex.series()[0]["f"]
    np.testing.assert_array_equal(fx, f.loss(x))


def test_a_loss_far_below_the_axis_leaves_through_the_bottom():
    # alpha = 1/a lands on the minimum: the loss is exactly 0 from t = 1 on; alpha = 0.4
    # takes it to 1e-56, which float32 (the web version) rounds to 0
    ex = explore.gradient_descent(("quadratic_1d", {"a": 2.0}), [0.4, 0.5], steps=40)
    lo, hi = ex.limits()[1]["y"]
    assert lo == 1e-10 and hi == 1e3
    for lr, n in ((0.5, 2), (0.4, 11)):
        t, gap = ex.series(lr=lr)[1]["loss"]
        assert len(t) == n and gap[-1] == lo * 1e-3
        frame = explore.decode(ex.payload())[ex.controls[0].index_of(lr)]
        drawn = frame[0][1]["loss"][1]
        assert (drawn > 0).all() and drawn.min() < lo  # drawn, down out of sight


def test_default_slider_is_around_the_stability_limit():
    ex = explore.gradient_descent("ill_conditioned")
    limit = gd.stability_limit(gd.ill_conditioned())
    values = np.array(ex.controls[0].values)
    np.testing.assert_allclose(values, np.array(explore.GD_RATIOS) * limit, rtol=5e-3)
    assert values.min() < limit < values.max()


def test_noisy_paths_use_the_seed():
    spec = ("noisy", {"objective": "quadratic_1d", "sigma": 0.5, "seed": 3})
    ex = explore.gradient_descent(spec, [0.1, 0.5, 1.0], steps=50, seed=7)
    f = gd.noisy(gd.quadratic_1d(), sigma=0.5, seed=3)
    for lr in (0.1, 0.5, 1.0):
        p = gd.descend(f, lr, steps=50, seed=7)
        np.testing.assert_array_equal(ex.series(lr=lr)[0]["path"][0], p.xs[:, 0])


def test_web_version_decodes_to_the_same_paths_and_rebuilds():
    ex = explore.gradient_descent(THREE, momentum=0.9, steps=40)
    frames = explore.decode(ex.payload())
    assert len(frames) == ex.n_frames
    for (panels, note), values in zip(frames, combinations(ex), strict=True):
        want = ex.series(**values)
        assert note == ex.set(**values).note()
        for name in ("path", "minimum"):  # drawn with markers: every point is kept
            for got, exact in zip(panels[0][name], want[0][name], strict=True):
                np.testing.assert_array_equal(got, exact.astype(np.float32))
    recipe = json.loads(json.dumps(ex.payload()["recipe"]))
    assert recipe["call"] == "lrbook.explore.gradient_descent"
    assert explore.rebuild(recipe).payload()["blob"] == ex.payload()["blob"]


def test_object_argument_works_without_a_recipe():
    ex = explore.gradient_descent(gd.rosenbrock(), [0.001, 0.002], steps=20)
    assert ex.recipe is None
    assert ex.payload()["check"] is not None


def test_payload_within_budget():
    for ex in (
        explore.gradient_descent("ill_conditioned", momentum=0.9),
        explore.gradient_descent(THREE, momentum=0.9),
        explore.gradient_descent("quadratic_1d", steps=50),
    ):
        assert ex.payload_size() <= explore.MAX_BYTES
    with pytest.raises(ValueError, match="max_bytes"):
        explore.gradient_descent(THREE, momentum=0.9, max_bytes=20_000).to_html()


def test_live_view_updates_in_place():
    pytest.importorskip("ipywidgets")
    ex = explore.gradient_descent("ill_conditioned", [0.02, 0.07, 0.09], steps=40)
    ex.widget()
    art = ex.artists[0]["path"]
    before = art.get_xdata().copy()
    ex.control_widgets["lr"].value = 0  # the index of 0.02
    after = art.get_xdata()
    assert ex.artists[0]["path"] is art
    p = gd.descend(gd.ill_conditioned(), 0.02, steps=40)
    np.testing.assert_array_equal(after, p.xs[:, 0])
    assert not np.array_equal(before, after)


# --------------------------------------------------------------------------------------
# bad arguments
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"objective": "himmelblau"}, "objective must be an lrbook.gd objective"),
        ({"objective": ("quadratic", {"c": 1.0})}, "objective: .*'c'"),
        ({"objective": ("quadratic", {"a": -1.0})}, "a must be"),
        ({"objective": ("noisy", {"sigma": 1.0})}, "needs the objective it wraps"),
        ({"objective": {}}, "at least one function"),
        (
            {"objective": {"1-D": "quadratic_1d", "2-D": "quadratic"}},
            "must all be 1-D or all 2-D",
        ),
        (
            {"objective": ("quadratic", {"eigenvalues": [1.0, 2.0, 3.0]})},
            "1-D or 2-D function",
        ),
        ({"objective": THREE, "relative": False}, "lrs"),
        ({"lrs": [0.05, 0.01]}, "strictly increasing"),
        ({"lrs": [0.0, 0.01]}, "lrs must be finite numbers > 0"),
        ({"lrs": [0.01, 0.02], "lr": 0.03}, "default of slider 'lr'"),
        ({"momentum": 1.0}, "momentum"),
        ({"steps": 0}, "steps"),
        ({"loss_ylim": (0.0, 1.0)}, "loss_ylim"),
        ({"loss_ylim": (1.0, 0.1)}, "loss_ylim"),
        ({"loss_ylim": "auto"}, "loss_ylim"),
        ({"x0": [1.0, 2.0, 3.0]}, "x0"),
    ],
)
def test_bad_arguments_name_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        explore.gradient_descent(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lrs": "0.1"}, "lrs must be a list"),
        ({"relative": "yes"}, "relative"),
        ({"momentum": True}, "momentum"),
        ({"momentum": "0.9"}, "momentum"),
        ({"steps": 2.5}, "steps"),
    ],
)
def test_wrong_types_raise_type_errors(kwargs, match):
    with pytest.raises(TypeError, match=match):
        explore.gradient_descent(**kwargs)
