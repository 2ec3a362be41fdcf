"""lrbook.explore.plateau: each frame draws what lrbook's replay of a sequence gives."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

import lrbook
from lrbook import explore
from lrbook.explore.topics.plateau_sequences import SEQUENCES, metric_sequence
from lrbook.schedules.plateau import replay


def combinations(ex):
    names = [c.name for c in ex.controls]
    for combo in itertools.product(*(c.values for c in ex.controls)):
        yield dict(zip(names, combo, strict=True))


@pytest.fixture(scope="module")
def small():
    return explore.plateau(
        ["plateau", "dip"],
        factor=[0.1, 0.5],
        patience=[0, 2],
        threshold=[0.0, 0.01],
        cooldown=[0, 2],
        epochs=30,
    )


def test_every_frame_is_the_replay(small):
    seen_cuts = set()
    for values in combinations(small):
        p = lrbook.ReduceLROnPlateau(
            0.1,
            factor=values["factor"],
            patience=values["patience"],
            threshold=values["threshold"],
            cooldown=values["cooldown"],
            min_lr=1e-4,
        )
        trace = replay(p, metric_sequence(values["sequence"], 30))
        metric, count, rate = small.series(**values)
        k = np.arange(1, 31, dtype=np.float64)
        np.testing.assert_array_equal(metric["metric"][0], k)
        np.testing.assert_array_equal(metric["metric"][1], trace.metrics)
        np.testing.assert_array_equal(metric["best"][1], trace.best)
        np.testing.assert_array_equal(metric["bound"][0], k[1:])
        np.testing.assert_array_equal(metric["bound"][1], trace.bound[1:])
        np.testing.assert_array_equal(count["count"][1], trace.bad_epochs)
        assert count["level"][1].tolist() == [values["patience"] + 1.0] * 2
        x, y = rate["rate"]
        for epoch in range(1, 31):  # the staircase holds lr_used over (epoch-1, epoch)
            inside = (x >= epoch - 1) & (x <= epoch)
            assert set(y[inside & (x > epoch - 1) & (x < epoch)]) <= {
                trace.lr_used[epoch - 1]
            }
        assert x[0] == 0 and x[-1] == 30 and y[0] == 0.1
        assert y[-1] == trace.lr_used[-1]
        if trace.cuts:
            assert rate["cuts"][0].tolist() == list(trace.cuts)
            assert rate["cuts"][1].tolist() == [trace.lr[c - 1] for c in trace.cuts]
            assert f"cuts after epochs {', '.join(map(str, trace.cuts))}" in (
                small.set(**values).note()
            )
        else:
            assert "cuts" not in rate
            assert small.set(**values).note().endswith("no cut")
        assert small.set(**values).note().startswith(repr(p))
        seen_cuts.add(trace.cuts)
    assert len(seen_cuts) > 5  # the controls change what happens


def test_called_as_in_its_docstring():
    ex = explore.plateau()
    assert [c.name for c in ex.controls] == [
        "sequence",
        "factor",
        "patience",
        "threshold",
        "cooldown",
    ]
    assert ex.values == {
        "sequence": "smooth",
        "factor": 0.5,
        "patience": 2,
        "threshold": 1e-4,
        "cooldown": 0,
    }
    assert ex.n_frames == 1200
    metric, count, rate = ex.series(sequence="plateau", threshold=0.0)
    assert rate["cuts"][0].tolist() == [12.0]
    assert ex.payload_size() <= explore.MAX_BYTES
    assert [p.yscale for p in ex.panels] == ["linear", "linear", "log"]


def test_recipe_rebuilds_the_same_explorer(small):
    recipe = json.loads(json.dumps(small.recipe))
    assert recipe["call"] == "lrbook.explore.plateau"
    again = explore.rebuild(recipe)
    for values in itertools.islice(combinations(small), 0, None, 5):
        for a, b in zip(small.series(**values), again.series(**values), strict=True):
            assert a.keys() == b.keys()
            for name in a:
                np.testing.assert_array_equal(a[name][1], b[name][1])


def test_start_values_fall_back_to_the_middle():
    ex = explore.plateau(["smooth"], factor=[0.1, 0.2, 0.3], cooldown=[1, 3, 5])
    assert ex.values["factor"] == 0.2 and ex.values["cooldown"] == 3
    assert ex.values["patience"] == 2 and ex.values["sequence"] == "smooth"
    assert set(SEQUENCES) == set(explore.plateau().controls[0].values)


@pytest.mark.parametrize(
    "args, kw, error, match",
    [
        ((["flat"],), {}, ValueError, "sequences must name"),
        (([],), {}, TypeError, "sequences"),
        ((3,), {}, TypeError, "sequences"),
        ((), dict(factor=0.5), TypeError, "factor must be a list"),
        ((), dict(factor=[0.5, 1.0]), ValueError, "factor"),
        ((), dict(patience=[0, -1]), ValueError, "patience"),
        ((), dict(patience=[0, 1.5]), TypeError, "patience"),
        ((), dict(threshold=[-0.1, 0.0]), ValueError, "threshold"),
        ((), dict(cooldown=[2, 1]), ValueError, "cooldown"),
        ((), dict(lr=0.0), ValueError, "lr"),
        ((), dict(lr="big"), TypeError, "lr"),
        ((), dict(min_lr=-1.0), ValueError, "min_lr"),
        ((), dict(epochs=10), ValueError, "epochs"),
    ],
)
def test_bad_arguments(args, kw, error, match):
    with pytest.raises(error, match=match):
        explore.plateau(*args, **kw)
