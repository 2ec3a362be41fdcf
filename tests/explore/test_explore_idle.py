"""Idle controls: a control that changes nothing in the current state is found from the
explorer's data, shown disabled with its reason (live view and web payload)."""

import base64
import itertools

import numpy as np
import pytest

from lrbook import explore
from lrbook.explore.topics.cyclic import cyclic
from lrbook.explore.topics.plateau import plateau


def switched(idle=None):
    """``rate`` matters only while ``decay`` is on."""

    def compute(decay, rate):
        t = np.arange(20)
        return {"y": (t, (1 - rate) ** t if decay else np.ones(20))}

    return explore.Explorer(
        [
            explore.toggle("decay", False),
            explore.slider("rate", [0.01, 0.05, 0.1], idle=idle),
        ],
        compute,
        explore.Panel(explore.X_LABEL, explore.Y_LABEL),
    )


def test_a_control_is_idle_only_where_it_changes_nothing():
    ex = switched()
    assert ex.idle == {"rate": explore.IDLE_REASON}
    assert ex.set(decay=True).idle == {}
    assert ex.set(decay=False, rate=0.1).idle == {"rate": explore.IDLE_REASON}


def test_the_declared_reason_is_shown():
    ex = switched(idle="acts only while decay is on")
    assert ex.idle == {"rate": "acts only while decay is on"}
    assert ex.controls[1].idle_reason == "acts only while decay is on"
    assert explore.slider("a", [1, 2]).idle_reason == explore.IDLE_REASON


@pytest.mark.parametrize("make", [explore.slider, explore.dropdown])
def test_idle_must_be_text(make):
    with pytest.raises(TypeError, match=r"idle of (slider|dropdown) 'a' must be a str"):
        make("a", [1, 2], idle=3)
    with pytest.raises(TypeError, match=r"idle of toggle 'a' must be a str"):
        explore.toggle("a", idle=["x"])


def test_a_control_with_one_value_is_never_idle():
    ex = explore.Explorer(
        [explore.dropdown("only", ["x"]), explore.slider("a", [1, 2])],
        lambda only, a: {"y": ([0, 1], [a, a])},
        explore.Panel(explore.X_LABEL, explore.Y_LABEL),
    )
    assert ex.idle == {}


def test_a_control_that_only_changes_the_y_label_is_not_idle():
    ex = explore.Explorer(
        [explore.dropdown("unit", ["a", "b"])],
        lambda unit: {"y": ([0, 1], [1.0, 1.0])},
        explore.Panel(
            explore.X_LABEL, "y", ylabel_by=("unit", {"a": "in a", "b": "in b"})
        ),
    )
    assert ex.idle == {}


def test_cyclic_gamma_is_idle_exactly_outside_exp_range():
    ex = cyclic()
    names = [c.name for c in ex.controls]
    table = ex._idle_table()
    k = names.index("gamma")
    for f, index in enumerate(
        itertools.product(*(range(len(c.values)) for c in ex.controls))
    ):
        mode = ex.controls[names.index("mode")].values[index[names.index("mode")]]
        assert table[f, k] == (mode != "exp_range"), (f, mode)
    assert ex.set(mode="triangular").idle == {
        "gamma": "acts in the exp_range mode only"
    }
    assert "gamma" not in ex.set(mode="exp_range").idle


def test_plateau_factor_is_idle_only_when_the_rate_is_never_cut():
    ex = plateau()
    k = [c.name for c in ex.controls].index("factor")
    table = ex._idle_table()
    assert table[:, k].any() and not table[:, k].all()
    for f, frame in enumerate(ex._all_frames()):
        rate = frame.panels[2]["rate"][1]
        assert table[f, k] == bool(np.all(rate == rate[0])), f
    assert ex.set(sequence="smooth").idle["factor"].startswith("with these settings")


def test_the_payload_carries_the_idle_frames():
    ex = cyclic()
    spec = ex.payload()
    table = ex._idle_table()
    for k, c in enumerate(spec["controls"]):
        if not table[:, k].any():
            assert c["idle"] is None
            continue
        bits = np.unpackbits(
            np.frombuffer(base64.b64decode(c["idle"]["frames"]), np.uint8)
        )
        np.testing.assert_array_equal(bits[: len(table)].astype(bool), table[:, k])
        assert c["idle"]["reason"] == ex.controls[k].idle_reason


def test_the_live_view_disables_an_idle_control_and_says_why():
    pytest.importorskip("ipywidgets")
    ex = switched(idle="acts only while decay is on")
    widgets = ex.control_widgets
    note = ex._idle_notes["rate"]
    assert widgets["rate"].disabled and note.layout.display is None
    assert "acts only while decay is on" in note.value
    widgets["decay"].value = True  # as a reader's click does
    assert not widgets["rate"].disabled and note.layout.display == "none"
    ex.set(decay=False)  # from code: the widgets follow
    assert widgets["rate"].disabled and note.layout.display is None
    assert not widgets["decay"].disabled  # never idle: it changes the drawing
