"""The live view as a learner sees it in Jupyter: labels, alignment, log limits."""

import math
import types

import numpy as np
import pytest

import lrbook
from lrbook import explore
from lrbook.explore import core, live, panels

ipywidgets = pytest.importorskip("ipywidgets")


def cosine():
    return explore.schedule(
        lrbook.cosine_annealing,
        {"lr": [0.05, 0.1, 0.2], "t_max": [50, 100]},
        lr=0.1,
        t_max=100,
        horizon=120,
    )


def glance_step():
    """The step-decay explorer of "Schedules at a glance" (frames reach far lower)."""
    return explore.schedule(
        lrbook.step_decay,
        {"gamma": [0.1, 0.25, 0.5, 0.75, 0.9], "step_size": [10, 20, 30, 40, 50]},
        lr=0.1,
        step_size=30,
        gamma=0.5,
        horizon=150,
    )


def with_every_kind():
    """An explorer with a slider, a dropdown, a toggle and a log checkbox."""

    def compute(lr, mode, warm):
        t = np.arange(50)
        return {"y": (t, lr * (0.9 if mode == "fast" else 0.99) ** t + warm * 0.01)}

    return explore.Explorer(
        [
            explore.slider("lr", [0.1, 0.2], label=r"initial rate $\alpha_0$"),
            explore.dropdown("mode", ["fast", "slow"], label="decay"),
            explore.toggle("warm", label="warm-up"),
        ],
        compute,
        explore.Panel(explore.X_LABEL, explore.Y_LABEL, log_toggle=True),
    )


# --------------------------------------------------------------------------------------
# labels: subscripts that survive ipywidgets 8's sanitiser, and ipywidgets 7
# --------------------------------------------------------------------------------------


def test_unicode_labels_keep_their_subscripts():
    assert explore.tex_unicode(r"lr $\alpha_0$") == "lr α₀"
    assert explore.tex_unicode(r"$T_{\max}$ (steps)") == "Tₘₐₓ (steps)"
    assert explore.tex_unicode(r"$10^{-3}$") == "10⁻³"
    # a script with a character that has no Unicode form is written as tex_plain does
    assert explore.tex_unicode(r"$x_{bd}$") == "x_bd"
    assert explore.tex_unicode("cost: $5") == "cost: $5"


def test_html_labels_use_only_what_ipywidgets_8_keeps():
    html = explore.tex_label_html(r"lr $\alpha_0$, $x_{bd}$, $f^\star$")
    assert html.startswith("lr <i>α</i>₀, ")
    assert "<sub>" not in html and "<sup>" not in html  # removed by the sanitiser
    assert 'style="vertical-align:sub;font-size:75%"><i>bd</i></span>' in html
    assert 'style="vertical-align:super;font-size:75%">⋆</span>' in html


def test_slider_labels_of_a_schedule_keep_the_declared_subscripts():
    widgets = cosine().control_widgets
    assert widgets["lr"].description == "lr <i>α</i>₀"
    assert widgets["t_max"].description == "t_max <i>T</i>ₘₐₓ (steps)"
    assert all(w.description_allow_html for w in widgets.values())
    assert not any("<sub>" in w.description for w in widgets.values())


def test_ipywidgets_7_gets_plain_unicode_labels():
    fake = types.SimpleNamespace(__version__="7.8.5")  # what Colab ships
    describe = live._describer(fake, [r"lr $\alpha_0$"])
    kw = describe(r"lr $\alpha_0$")
    assert kw["description"] == "lr α₀"
    assert "description_allow_html" not in kw  # no such trait in ipywidgets 7
    assert set(kw["style"]) == {"description_width"}


# --------------------------------------------------------------------------------------
# alignment: one description width and one width per explorer
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [cosine, glance_step, with_every_kind])
def test_controls_line_up(make):
    ex = make()
    widgets = ex.control_widgets
    assert len({w.style.description_width for w in widgets.values()}) == 1
    assert len({w.layout.width for w in widgets.values()}) == 1
    width = next(iter(widgets.values())).style.description_width
    assert width == live.description_width([c.label for c in ex.controls])
    longest = max(len(explore.tex_unicode(c.label)) for c in ex.controls)
    assert width.endswith("ch") and float(width[:-2]) >= 0.95 * longest
    # checkboxes are indented by the description width: their boxes line up with the
    # sliders' tracks and the dropdowns' menus
    boxes = [w for w in widgets.values() if isinstance(w, ipywidgets.Checkbox)]
    assert all(b.indent for b in boxes)


def test_every_kind_of_control_is_aligned():
    widgets = with_every_kind().control_widgets
    kinds = {type(w).__name__ for w in widgets.values()}
    assert kinds == {"SelectionSlider", "Dropdown", "Checkbox"}
    assert set(widgets) == {"lr", "mode", "warm", "log:0"}


def test_description_width_follows_the_longest_label():
    short = live.description_width(["lr"])
    long = live.description_width(["t_max $T_{\\max}$ (steps, cosine_annealing)"])
    assert short == "10ch"  # at least "log scale"
    assert long == f"{math.ceil(0.95 * 36) + 1}ch"


def test_note_lines_are_not_spaced_like_controls():
    ex = cosine()
    ex.widget()
    assert "line-height:1.4" in ex._note.value


# --------------------------------------------------------------------------------------
# log-scale limits fitted to the data, one rule for both views
# --------------------------------------------------------------------------------------


def test_log_limits_fit_the_data_of_each_frame():
    ex = glance_step()
    assert ex.limits()[0]["ylog"] is None  # not fixed: fitted frame by frame
    tops = set()
    for gamma in ex.controls[0].values:
        for step_size in ex.controls[1].values:
            (series,) = ex.series(gamma=gamma, step_size=step_size)
            y = np.concatenate([s[1] for s in series.values()])
            lo, hi = ex.frame_limits(gamma=gamma, step_size=step_size)[0]["ylog"]
            tops.add(hi)
            low = max(y.min(), hi / 10**explore.LOG_DECADES)
            assert lo < low  # every line is above the bottom ...
            # ... which is at most a half decade plus the margin below the data
            assert math.log10(low / lo) <= 0.5 + 0.05 * math.log10(hi / low) + 0.05
            assert math.log10(hi / lo) <= explore.LOG_DECADES * 1.1 + 1e-9
            assert (2 * math.log10(lo)) % 1 == pytest.approx(0, abs=1e-9) or (
                math.log10(hi / lo) == pytest.approx(explore.LOG_DECADES * 1.1)
            )
    assert len(tops) == 1  # the top is fixed: a larger rate moves the line up
    # the default frame: one and a quarter decades of data, under two of axis
    lo, hi = ex.frame_limits()[0]["ylog"]
    assert math.log10(hi / lo) < 2


def test_log_limits_with_a_given_bottom_stay_fixed():
    ex = explore.schedule(
        lrbook.step_decay,
        {"gamma": [0.1, 0.5]},
        lr=0.1,
        step_size=30,
        horizon=100,
        ylim=(1e-6, None),
    )
    lim = ex.limits()[0]["ylog"]
    assert lim is not None and lim[0] == 1e-6
    assert ex.payload()["nLimits"] == 0


def test_live_and_web_draw_the_limits_of_one_function(monkeypatch):
    calls = []

    def fake(requested, values, every, margin):
        calls.append(values.size)
        return (1e-3, 1.0 + len(calls) * 1e-3)

    monkeypatch.setattr(core, "_log_limits", fake)
    ex = glance_step()
    ex.set_log(0, True)
    embedded = explore.decode_limits(ex.payload())
    assert len(calls) == ex.n_frames
    for f, frame in enumerate(embedded):
        assert frame[0]["ylog"] == (1e-3, 1.0 + (f + 1) * 1e-3)
    ex.widget()
    ax = ex.figure.axes[0]
    for gamma in (0.1, 0.9):
        ex.set(gamma=gamma)
        assert ax.get_ylim() == pytest.approx(ex.frame_limits()[0]["ylog"])
    assert core._log_limits is fake and panels._log_limits is not fake


def test_log_limits_rule():
    every = np.array([0.2, 0.1, 1e-9])
    lo, hi = panels._log_limits(None, np.array([0.1, 0.00625]), every, 0.05)
    assert hi == pytest.approx(0.2 * 10 ** (0.05 * explore.LOG_DECADES))
    assert lo == pytest.approx(10**-2.5)  # 0.00625, less the margin, half decades
    # a frame with nothing positive: the decades of every frame, clamped
    lo, _ = panels._log_limits(None, np.zeros(3), every, 0.05)
    assert lo == pytest.approx(0.2 / 10 ** (explore.LOG_DECADES * 1.05))
    # a given top is kept as it is
    assert panels._log_limits((0, 0.5), np.array([0.1]), every, 0.05)[1] == 0.5
    assert not panels._fits_log("auto", True) and not panels._fits_log((1e-3, 1), True)
    assert panels._fits_log((0, None), True) and not panels._fits_log(None, False)
