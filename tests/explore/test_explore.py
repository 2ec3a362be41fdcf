"""lrbook.explore: live update path, kernel-free payload, budgets, validation."""

from __future__ import annotations

import json
import math
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lrbook
from lrbook import _env, explore, plotting

ipywidgets = pytest.importorskip("ipywidgets")


def step_explorer(**kw):
    return explore.schedule(
        "step_decay",
        {"gamma": [0.1, 0.5, 0.9], "step_size": [10, 20, 30]},
        lr=0.1,
        step_size=20,
        gamma=0.5,
        horizon=80,
        **kw,
    )


def two_schedules():
    return explore.compare_schedules(
        lrbook.step_decay(0.1, step_size=30, gamma=0.5),
        lrbook.cosine_annealing(0.1, t_max=100, eta_min=0.001),
        sliders={
            "lr": [0.05, 0.1, 0.2],
            "step_decay.gamma": [0.25, 0.5, 0.75],
            "cosine_annealing.t_max": [50, 100, 150],
        },
        horizon=150,
    )


def gd_explorer():
    """A custom explorer as a chapter would write one: a path on contours + its loss."""
    xs = np.linspace(-2, 2, 41)
    grid = np.add.outer(xs**2, 3 * xs**2)  # f(x, y) = x^2 + 3 y^2 on a grid
    t = np.linspace(0, 2 * np.pi, 60)
    contours = [(r * np.cos(t), r / np.sqrt(3) * np.sin(t)) for r in (0.5, 1.0, 1.5)]

    def compute(lr, momentum):
        p = np.array([1.5, 1.0])
        path, loss = [p], [p[0] ** 2 + 3 * p[1] ** 2]
        v = np.zeros(2)
        for _ in range(20):
            g = np.array([2 * p[0], 6 * p[1]])
            v = 0.9 * v + g if momentum else g
            p = p - lr * v
            path.append(p)
            loss.append(p[0] ** 2 + 3 * p[1] ** 2)
        path = np.array(path)
        return explore.Frame(
            [
                {"path": (path[:, 0], path[:, 1])},
                {"loss": (np.arange(21), np.maximum(loss, 1e-12))},
            ],
            note=f"final loss {loss[-1]:.3g}",
        )

    return explore.Explorer(
        [
            explore.slider(
                "lr", [0.01, 0.05, 0.1, 0.15], label=r"learning rate $\alpha$"
            ),
            explore.toggle("momentum", label="momentum 0.9"),
        ],
        compute,
        [
            explore.Panel(
                xlabel="$x$",
                ylabel="$y$",
                lines={"path": explore.Line("iterates", marker=True)},
                contours=contours,
                image=(grid, (-2, 2, -2, 2)),
                xlim=(-2, 2),
                ylim=(-2, 2),
                equal_aspect=True,
                title="path",
            ),
            explore.Panel(
                xlabel=plotting.axis_label("update", "steps", symbol="t"),
                ylabel="loss",
                lines={"loss": "f"},
                yscale="log",
                title="loss",
            ),
        ],
        title="Gradient descent",
    )


# --------------------------------------------------------------------------------------
# live path: ipywidgets over a matplotlib figure updated in place
# --------------------------------------------------------------------------------------


def test_slider_change_updates_the_artists_in_place():
    ex = step_explorer()
    box = ex.widget()
    fig = ex.figure
    line = ex.artists[0]["step_decay"]
    image = box.children[-2]
    png = image.value
    figures = plt.get_fignums()
    ex.control_widgets["gamma"].value = 2  # index of 0.9
    assert ex.values == {"gamma": 0.9, "step_size": 20}
    assert ex.figure is fig and ex.artists[0]["step_decay"] is line
    assert plt.get_fignums() == figures, "no pyplot figure may be made"
    t = np.arange(80)
    np.testing.assert_array_equal(line.get_xdata(), t)
    np.testing.assert_allclose(
        line.get_ydata(), lrbook.step_decay(0.1, 20, 0.9)(t), rtol=0, atol=0
    )
    assert image.value != png and image.value[:8] == b"\x89PNG\r\n\x1a\n"
    ex.control_widgets["step_size"].value = 0
    np.testing.assert_allclose(line.get_ydata(), lrbook.step_decay(0.1, 10, 0.9)(t))
    assert "step_decay(lr=0.1, step_size=10, gamma=0.9)" in box.children[-1].value


def test_set_moves_the_widgets_and_the_figure():
    ex = two_schedules()
    ex.widget()
    ex.set(lr=0.2, step_decay_gamma=0.75)
    assert ex.control_widgets["lr"].value == 2
    t = np.arange(150)
    np.testing.assert_allclose(
        ex.artists[0]["step_decay"].get_ydata(), lrbook.step_decay(0.2, 30, 0.75)(t)
    )
    np.testing.assert_allclose(
        ex.artists[0]["cosine_annealing"].get_ydata(),
        lrbook.cosine_annealing(0.2, 100, 0.001)(t),
    )


def test_log_toggle_switches_the_axis():
    ex = step_explorer()
    ex.widget()
    ax = ex.figure.axes[0]
    assert ax.get_yscale() == "linear" and ax.get_ylim()[0] == 0
    ex.control_widgets["log:0"].value = True
    assert ax.get_yscale() == "log" and ax.get_ylim()[0] > 0


def test_custom_explorer_two_panels_live():
    ex = gd_explorer()
    ex.widget()
    left, right = ex.figure.axes
    assert len(left.images) == 1 and len(left.lines) == 3 + 1  # contours + path
    ex.control_widgets["momentum"].value = True
    x, y = ex.series(lr=ex.values["lr"], momentum=True)[0]["path"]
    np.testing.assert_allclose(ex.artists[0]["path"].get_xdata(), x)
    assert right.get_yscale() == "log"
    assert ex.note().startswith("final loss")


def test_mimebundle_outside_and_inside_a_kernel(monkeypatch):
    ex = step_explorer()
    bundle = ex._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}

    class TerminalShell:  # terminal IPython: no kernel, no widgets
        pass

    class KernelShell:
        kernel = object()

    monkeypatch.setattr(_env, "ipython_shell", TerminalShell)
    assert set(ex._repr_mimebundle_()) == {"text/plain", "text/html"}
    monkeypatch.setattr(_env, "ipython_shell", KernelShell)
    bundle = ex._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == ex.widget().model_id and view["version_major"] == 2
    assert bundle["text/html"].startswith('<div class="lrbook-explorer"')


def picker(**panel):
    """A dropdown that draws all three schedules or one of them, on an auto axis."""
    t = np.arange(100)
    curves = {
        "step": lrbook.step_decay(0.1, 30, 0.5)(t),
        "exp": lrbook.exponential_decay(0.1, 0.8)(t),  # ~10 decades in 100 steps
        "cos": lrbook.cosine_annealing(0.1, t_max=99, eta_min=0.01)(t),
    }

    def compute(which):
        return {n: (t, y) for n, y in curves.items() if which in ("all", n)}

    panel = {"log_toggle": True, "ylim": "auto", **panel}
    return explore.Explorer(
        [explore.dropdown("which", ["all", *curves])],
        compute,
        explore.Panel(
            explore.X_LABEL, explore.Y_LABEL, lines={n: n for n in curves}, **panel
        ),
    )


def legend_of(ax) -> list:
    legend = ax.get_legend()
    return [] if legend is None else [t.get_text() for t in legend.get_texts()]


def test_live_legend_lists_only_the_series_drawn():
    ex = picker()
    ex.widget()
    ax = ex.figure.axes[0]
    assert legend_of(ax) == ["step", "exp", "cos"]
    ex.set(which="exp")
    assert [n for n, a in ex.artists[0].items() if a.get_visible()] == ["exp"]
    assert legend_of(ax) == ["exp"]
    assert ax.get_legend().legend_handles[0].get_color() == (
        ex.artists[0]["exp"].get_color()
    )
    # the picture too: the cached background (with the legend) was redrawn
    fresh = picker()
    fresh.set(which="exp").widget()
    assert ex._render_png() == fresh._render_png()
    ex.control_widgets["which"].value = 0  # "all", from the widget
    assert legend_of(ax) == ["step", "exp", "cos"]
    unlabelled = explore.Explorer(  # no labels: no legend, whatever is drawn
        ex.controls, ex._compute, explore.Panel("t", "y", lines=["step", "exp", "cos"])
    )
    unlabelled.widget()
    unlabelled.set(which="cos")
    assert legend_of(unlabelled.figure.axes[0]) == []


def test_auto_limits_are_computed_once_in_python_within_log_decades():
    ex = picker()
    embedded = explore.decode_limits(ex.payload())
    assert "autoLimits" not in explore.page_library()  # the page computes no limits
    span = explore.LOG_DECADES * 1.1  # the clamp, plus 5 % of margin at each end
    for f, which in enumerate(ex.controls[0].values):
        lims = ex.frame_limits(which=which)
        assert embedded[f] == lims  # exactly what Python computed (float64)
        (panel,) = ex.series(which=which)
        top = max(float(y.max()) for _, y in panel.values())
        lo, hi = lims[0]["ylog"]
        assert hi > top and math.log10(hi / lo) <= span + 1e-9, which
        lo, hi = lims[0]["y"]
        assert lo < min(float(y.min()) for _, y in panel.values()) and hi > top
    lo, hi = ex.frame_limits(which="exp")[0]["ylog"]  # the tail is cut off
    assert math.log10(hi / lo) == pytest.approx(span)
    assert lo > 0.1 * 0.8**99
    # a log axis without a toggle, and the live figure: the same numbers
    log_only = picker(log_toggle=False, yscale="log")
    lims = log_only.frame_limits(which="exp")
    assert explore.decode_limits(log_only.payload())[2] == lims
    assert lims[0]["ylog"] is None
    assert math.log10(lims[0]["y"][1] / lims[0]["y"][0]) == pytest.approx(span)
    ex.widget()
    ax = ex.figure.axes[0]
    ex.set(which="exp").set_log(0, True)
    assert ax.get_ylim() == pytest.approx(ex.frame_limits()[0]["ylog"])
    assert ax.get_xlim() == pytest.approx(ex.frame_limits()[0]["x"]) == (0, 99)
    # fixed limits are fixed: no table in the payload
    assert step_explorer(log_toggle=False).payload()["nLimits"] == 0
    # a log toggle's axis has its bottom fitted to each frame: one (low, high) each
    assert step_explorer().payload()["nLimits"] == 2


# --------------------------------------------------------------------------------------
# kernel-free path: the embedded payload
# --------------------------------------------------------------------------------------


def polyline_distance(px, py, qx, qy):
    """Largest distance from the points (px, py) to the polyline (qx, qy)."""
    best = np.full(px.size, np.inf)
    for i in range(qx.size - 1):
        dx, dy = qx[i + 1] - qx[i], qy[i + 1] - qy[i]
        d2 = dx * dx + dy * dy
        t = (
            np.zeros_like(px)
            if d2 == 0
            else np.clip(((px - qx[i]) * dx + (py - qy[i]) * dy) / d2, 0, 1)
        )
        best = np.minimum(best, np.hypot(px - qx[i] - t * dx, py - qy[i] - t * dy))
    return best.max()


@pytest.mark.parametrize("make", [step_explorer, two_schedules, gd_explorer])
def test_payload_decodes_to_lrbook_values_for_every_combination(make):
    ex = make()
    spec = ex.payload()
    frames = explore.decode(spec)
    assert len(frames) == ex.n_frames == spec["nFrames"]
    import itertools

    combos = list(itertools.product(*(c.values for c in ex.controls)))
    for (panels, note), combo in zip(frames, combos, strict=True):
        values = dict(zip([c.name for c in ex.controls], combo, strict=False))
        expected = ex.series(**values)
        assert note == ex.set(**values).note()
        for p, (got, want) in enumerate(zip(panels, expected, strict=False)):
            assert set(got) == set(want)
            lim = ex.frame_limits(**values)[p]  # as drawn for these values
            for name, (x, y) in want.items():
                gx, gy = (np.asarray(a, dtype=np.float64) for a in got[name])
                # every point kept is an exact lrbook value (to float32 rounding) ...
                idx = [
                    int(
                        np.flatnonzero(
                            np.isclose(x, v, rtol=1e-6, atol=1e-30)
                            & np.isclose(y, w, rtol=1e-6, atol=1e-30)
                        )[0]
                    )
                    for v, w in zip(gx, gy, strict=False)
                ]
                assert idx == sorted(idx) and idx[0] == 0 and idx[-1] == x.size - 1
                # ... and the simplified polyline stays within 1/1000 of the axes, on
                # every y scale the reader can choose
                panel = ex.panels[p]
                scales = [("log" if panel.yscale == "log" else "linear", lim["y"])]
                if panel.log_toggle:
                    scales.append(("log", lim["ylog"]))
                xr = lim["x"][1] - lim["x"][0]
                for scale, (lo, hi) in scales:
                    fy, sy, full, kept = (
                        y,
                        gy,
                        np.ones(y.size, bool),
                        np.ones(gy.size, bool),
                    )
                    if scale == "log":
                        full, kept = y > 0, gy > 0
                        fy, sy = np.log10(y[full]), np.log10(gy[kept])
                        lo, hi = np.log10(lo), np.log10(hi)
                    dist = polyline_distance(
                        x[full] / xr, fy / (hi - lo), gx[kept] / xr, sy / (hi - lo)
                    )
                    assert dist < 1e-3, f"{name} at {values} ({scale}): off by {dist}"
    if "lrbook.explore.schedule" in json.dumps(spec["recipe"]):
        t = np.arange(80)
        panels, _ = frames[-1]
        x, y = panels[0]["step_decay"]
        want = lrbook.step_decay(0.1, 30, 0.9)(x.astype(int))
        np.testing.assert_allclose(y, want, rtol=1e-7)
        assert x[-1] == t[-1]


def test_each_distinct_curve_is_simplified_once(monkeypatch):
    """A curve that many frames draw (each schedule's, whichever slider of the other
    schedule moves) is simplified once, and every frame gets its own curve's points."""
    import itertools

    from lrbook.explore import payload as payload_module

    simplify, calls = payload_module._simplify_mask, []

    def counted(x, y, panel, lim, *args):
        calls.append((x.tobytes(), y.tobytes()))
        return simplify(x, y, panel, lim, *args)

    monkeypatch.setattr(payload_module, "_simplify_mask", counted)
    ex = two_schedules()
    frames = explore.decode(ex.payload())
    combos = list(itertools.product(*(c.values for c in ex.controls)))
    lim, drawn = ex.limits()[0], 0  # the payload simplifies within the fixed limits
    for (panels, _), combo in zip(frames, combos, strict=True):
        values = dict(zip([c.name for c in ex.controls], combo, strict=True))
        for name, (x, y) in ex.series(**values)[0].items():
            keep = simplify(x, y, ex.panels[0], lim)
            gx, gy = panels[0][name]
            np.testing.assert_array_equal(gx, x[keep].astype(np.float32))
            np.testing.assert_array_equal(gy, y[keep].astype(np.float32))
            drawn += 1
    assert len(calls) == len(set(calls)) == 18 < drawn == 54  # 3 x 3 curves each


def _rdp_one_segment_at_a_time(x, y, tol):
    """Ramer-Douglas-Peucker as textbooks write it (a stack of segments, one split at a
    time): the reference for lrbook's version, which splits a round's segments
    together."""
    keep = np.zeros(x.size, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, x.size - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        xs, ys = x[i + 1 : j], y[i + 1 : j]
        dx, dy = x[j] - x[i], y[j] - y[i]
        d2 = dx * dx + dy * dy
        if d2 == 0:
            dist = np.hypot(xs - x[i], ys - y[i])
        else:
            t = np.clip(((xs - x[i]) * dx + (ys - y[i]) * dy) / d2, 0.0, 1.0)
            dist = np.hypot(xs - (x[i] + t * dx), ys - (y[i] + t * dy))
        k = int(np.argmax(dist))
        if dist[k] > tol:
            keep[i + 1 + k] = True
            stack += [(i, i + 1 + k), (i + 1 + k, j)]
    return keep


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            # a coarse grid of values too: repeated points, flat runs, equal distances
            st.one_of(st.floats(0, 1), st.sampled_from([0.0, 0.25, 0.5, 1.0])),
            st.one_of(st.floats(-1, 1), st.sampled_from([0.0, 0.5, 1.0])),
        ),
        min_size=2,
        max_size=120,
    ),
    st.sampled_from([0.0, 5e-4, 0.05, 0.5]),
    st.booleans(),
)
def test_simplification_keeps_exactly_the_textbook_points(points, tol, ordered):
    from lrbook.explore.payload import _rdp

    x, y = (np.array(v, dtype=np.float64) for v in zip(*points, strict=True))
    if ordered:
        x = np.sort(x)
    np.testing.assert_array_equal(
        _rdp(x, y, tol), _rdp_one_segment_at_a_time(x, y, tol)
    )


def test_simplification_keeps_the_jumps_of_step_decay():
    ex = step_explorer()
    ((panels, _),) = [
        f
        for f, c in zip(explore.decode(ex.payload()), range(ex.n_frames), strict=False)
        if c == 0
    ]
    x, y = panels[0]["step_decay"]
    assert x.size < 20  # 80 steps of a staircase need a handful of corners
    assert {9, 10, 19, 20} <= set(x.astype(int).tolist())


def test_payload_is_json_and_script_safe():
    ex = gd_explorer()
    html = ex.to_html()
    assert html.count("<script") == 2 and html.count("</script>") == 2
    data = re.search(r'class="lrx-spec">(.*?)</script>', html, re.S).group(1)
    spec = json.loads(data.replace("<\\/", "</"))
    assert spec["id"] == ex.payload()["id"]
    assert spec["check"] is not None  # no recipe: full-precision values to check
    urls = set(re.findall(r"https?://[^\s\"')]+", html))
    assert urls <= {"http://www.w3.org/2000/svg"}, f"the explorer fetches {urls}"


def test_page_script_implements_no_formula():
    js = explore.page_library()
    for fn in ("Math.cos", "Math.sin", "Math.exp", "Math.floor(t", "gamma"):
        assert fn not in js, f"the page script must only draw, found {fn}"


def test_recipe_rebuilds_the_same_explorer():
    for ex in (step_explorer(), two_schedules()):
        recipe = json.loads(json.dumps(ex.payload()["recipe"]))
        again = explore.rebuild(recipe)
        assert again.payload()["blob"] == ex.payload()["blob"]
    with pytest.raises(ValueError, match="recipe"):
        explore.rebuild({"call": "os.system", "args": ["true"]})


# --------------------------------------------------------------------------------------
# budgets
# --------------------------------------------------------------------------------------


def test_book_explorers_fit_the_budget():
    for ex in (step_explorer(), two_schedules(), gd_explorer()):
        assert ex.payload_size() <= 300_000
    big = explore.schedule(
        "cosine_annealing",
        {
            "t_max": list(range(20, 301, 20)),
            "eta_min": [0.0, 0.001, 0.01, 0.03],
            "lr": [0.02, 0.05, 0.1, 0.2, 0.5],
        },
        horizon=300,
    )
    assert big.n_frames == 300
    assert big.payload_size() <= 300_000


def test_over_budget_raises():
    ex = explore.schedule(
        "cosine_annealing",
        {"t_max": list(range(20, 301, 10))},
        lr=0.1,
        horizon=300,
        max_bytes=20_000,
    )
    with pytest.raises(ValueError, match="max_bytes"):
        ex.to_html()


def test_too_many_combinations_raise():
    with pytest.raises(ValueError, match="combinations"):
        explore.schedule(
            "step_decay",
            {"gamma": list(np.linspace(0.1, 0.9, 81)), "step_size": list(range(1, 81))},
            lr=0.1,
        )


# --------------------------------------------------------------------------------------
# validation: every error names the parameter
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: explore.slider("gamma", [0.5, 0.1]), "gamma"),
        (lambda: explore.slider("gamma", [0.1]), "gamma"),
        (lambda: explore.slider("gamma", [0.1, float("nan")]), "gamma"),
        (lambda: explore.slider("gamma", [0.1, 0.5], default=0.3), "gamma"),
        (lambda: explore.slider("2x", [1, 2]), "2x"),
        (lambda: explore.dropdown("mode", []), "mode"),
        (
            lambda: explore.schedule(
                "step_decay", {"beta": [0.1, 0.2]}, lr=0.1, step_size=3
            ),
            "beta",
        ),
        (
            lambda: explore.schedule(
                "step_decay", {"gamma": [0.0, 0.5]}, lr=0.1, step_size=3
            ),
            "gamma",
        ),
        (
            lambda: explore.schedule(
                "step_decay", {"gamma": [0.1, 0.5]}, lr=0.1, step_size=3, gamma=0.3
            ),
            "gamma",
        ),
        (lambda: explore.schedule("warp_decay", lr=0.1), "warp_decay"),
        (
            lambda: explore.schedule("step_decay", lr=0.1, step_size=3, horizon=1),
            "horizon",
        ),
        (
            lambda: explore.compare_schedules(
                lrbook.constant(0.1),
                lrbook.exponential_decay(0.2, 0.9),
                sliders={"cyclic.gamma": [0.1, 0.2]},
            ),
            "cyclic.gamma",
        ),
        (
            lambda: explore.Explorer(
                [explore.slider("a", [1, 2]), explore.slider("a", [1, 2])],
                lambda a: {},
                explore.Panel("x", "y"),
            ),
            "'a'",
        ),
        (
            lambda: explore.Panel("x", "y", yscale="symlog")
            and explore.Explorer(
                [], lambda: {}, explore.Panel("x", "y", yscale="symlog")
            ),
            "yscale",
        ),
    ],
)
def test_bad_arguments_name_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def schedule_panel(**kw):
    return explore.Panel("t", "lr", **kw)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: explore.slider("gamma", 0.5), r"values of slider 'gamma'.*float 0\.5"),
        (lambda: explore.slider("gamma", "0.1 0.5"), "values of slider 'gamma'.*list"),
        (lambda: explore.slider("gamma", [0.1, "0.5"]), "slider 'gamma'.*str '0.5'"),
        (lambda: explore.slider("gamma", [False, True]), "slider 'gamma'.*numbers"),
        (lambda: explore.slider(3, [1, 2]), "name of a slider.*int 3"),
        (lambda: explore.slider("gamma", [1, 2], fmt=3), "fmt of control 'gamma'"),
        (lambda: explore.dropdown("mode", "abc"), "options of dropdown 'mode'.*str"),
        (lambda: explore.dropdown("mode", 3), "options of dropdown 'mode'.*int 3"),
        (lambda: explore.toggle("momentum", default="yes"), "toggle 'momentum'.*'yes'"),
        (
            lambda: explore.Explorer(["a"], lambda: {}, schedule_panel()),
            r"controls\[0\].*str 'a'",
        ),
        (lambda: explore.Explorer(3, lambda: {}, schedule_panel()), "controls.*int 3"),
        (lambda: explore.Explorer([], 3, schedule_panel()), "compute.*int 3"),
        (lambda: explore.Explorer([], lambda: {}, ["p"]), r"panels\[0\].*str 'p'"),
        (lambda: explore.Explorer([], lambda: {}, 3), "panels.*int 3"),
        (
            lambda: explore.Explorer([], lambda: {}, schedule_panel(lines=[3])),
            r"lines of panels\[0\].*int 3",
        ),
        (
            lambda: explore.Explorer([], lambda: {}, schedule_panel(lines={"y": 3})),
            r"lines\['y'\] of panels\[0\].*int 3",
        ),
        (
            lambda: explore.Explorer(
                [], lambda: {}, schedule_panel(lines={"y": explore.Line(color=1.5)})
            ),
            "color of line 'y'.*1.5",
        ),
        (
            lambda: explore.Explorer([], lambda: {}, schedule_panel(ylim=5)),
            r"ylim of panels\[0\].*int 5",
        ),
        (
            lambda: explore.schedule("step_decay", {"gamma": 0.5}, lr=0.1, step_size=3),
            r"sliders\['gamma'\].*float 0\.5",
        ),
        (
            lambda: explore.schedule(
                "step_decay", {"gamma": [0.1, None]}, lr=0.1, step_size=3
            ),
            r"sliders\['gamma'\].*NoneType None",
        ),
        (
            lambda: explore.schedule("step_decay", [("gamma", [0.1])], lr=0.1),
            "sliders must be a dict.*list",
        ),
        (
            lambda: explore.schedule("step_decay", {1: [0.1, 0.2]}, lr=0.1),
            "sliders keys.*int 1",
        ),
        (
            lambda: explore.schedule("step_decay", lr=0.1, step_size=3, horizon=50.0),
            "horizon.*float 50.0",
        ),
        (lambda: explore.schedule(42, lr=0.1), "spec must be an lrbook schedule.*int"),
    ],
)
def test_wrong_types_raise_type_errors_that_name_the_parameter(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def test_ylabel_by_is_checked_against_the_controls():
    menu = [explore.dropdown("metric", {"loss": "loss", "accuracy": "acc"})]

    def make(by):
        return explore.Explorer(menu, lambda metric: {}, schedule_panel(ylabel_by=by))

    ex = make(("metric", {"acc": "accuracy (%)"}))
    assert ex.ylabels == ["lr"]  # "loss" is not in the mapping: the panel's ylabel
    ex.set(metric="acc")
    assert ex.ylabels == ["accuracy (%)"]
    with pytest.raises(TypeError, match=r"ylabel_by of panels\[0\].*str 'metric'"):
        make("metric")
    with pytest.raises(ValueError, match=r"control 'seed'.*controls: metric"):
        make(("seed", {"acc": "accuracy"}))
    with pytest.raises(ValueError, match=r"'nll' is not a value of control 'metric'"):
        make(("metric", {"nll": "loss (nats)"}))
    with pytest.raises(TypeError, match=r"label of 'acc' must be a non-empty string"):
        make(("metric", {"acc": ""}))


def test_wrong_values_still_raise_value_errors():
    with pytest.raises(ValueError, match="non-empty"):
        explore.Explorer([], lambda: {}, schedule_panel(lines=[""]))
    with pytest.raises(ValueError, match="color of line 'y'.*'blue'"):
        explore.Explorer(
            [], lambda: {}, schedule_panel(lines={"y": explore.Line(color="blue")})
        )
    with pytest.raises(ValueError, match=r"lrbook\.step_decay.*function"):
        explore.schedule(lambda t: 0.1, lr=0.1)  # a function, but not a schedule's
    with pytest.raises(ValueError, match=r"sliders\['gamma'\].*finite"):
        explore.schedule("step_decay", {"gamma": [0.1, np.inf]}, lr=0.1, step_size=3)


def test_set_log_names_the_panel():
    ex = gd_explorer()  # two panels, no log toggle
    with pytest.raises(ValueError, match=r"panel must be from 0 to 1 .*got 5"):
        ex.set_log(panel=5)
    with pytest.raises(ValueError, match=r"panel must be from 0 to 1 .*got -1"):
        ex.set_log(panel=-1)
    with pytest.raises(TypeError, match="panel must be an integer.*str '1'"):
        ex.set_log(panel="1")
    with pytest.raises(ValueError, match=r"panel=1: .*no log toggle.*none"):
        ex.set_log(panel=1)
    one = step_explorer()
    with pytest.raises(TypeError, match="log must be True or False.*str 'yes'"):
        one.set_log(0, "yes")
    assert one.set_log(np.int64(0), True)._ylog == [True]


def test_set_rejects_values_not_on_the_slider():
    ex = step_explorer()
    with pytest.raises(ValueError, match="gamma"):
        ex.set(gamma=0.33)
    with pytest.raises(ValueError, match="beta"):
        ex.set(beta=0.5)


def test_compute_output_is_checked():
    def compute(a):
        return {"y": ([0, 1], [0, 1]), "z": ([0], [1])}

    ex = explore.Explorer(
        [explore.slider("a", [1, 2])], compute, explore.Panel("x", "y", lines=["y"])
    )
    with pytest.raises(ValueError, match="'z'"):
        ex.to_html()
    ex = explore.Explorer(
        [explore.slider("a", [1, 2])],
        lambda a: {"y": ([0, 1], [0, np.inf])},
        explore.Panel("x", "y", lines=["y"]),
    )
    with pytest.raises(ValueError, match="non-finite"):
        ex.series()


# --------------------------------------------------------------------------------------
# style
# --------------------------------------------------------------------------------------


def test_palette_is_readable_on_light_and_dark_pages():
    for color in plotting.PALETTE:
        for theme, background in plotting.BACKGROUND.items():
            assert plotting.contrast_ratio(color, background) >= 3, (color, theme)


def test_labels_render_the_tex_subset():
    html = "learning rate <i>α</i><sub><i>t</i></sub>"
    assert explore.tex_html(explore.Y_LABEL) == html
    assert explore.tex_plain(r"$T_{\max}$ (steps)") == "T_max (steps)"
    assert explore.tex_html("cost: $5") == "cost: $5"


def test_slider_values_may_be_a_numpy_array():
    ex = explore.schedule(
        "step_decay", {"gamma": np.linspace(0.1, 0.9, 5)}, lr=0.1, step_size=10
    )
    assert ex.set(gamma=0.9).values == {"gamma": 0.9}


def test_default_horizon_covers_every_slider_setting():
    ex = explore.schedule("one_cycle", {"total_steps": [50, 100, 200]}, max_lr=0.1)
    x, y = ex.set(total_steps=200).series()[0]["one_cycle"]
    assert x[-1] == 199
    assert y[-1] == pytest.approx(lrbook.one_cycle(0.1, 200)(199), rel=1e-6)
