"""Comparison.explorer: the training-curve explorer draws the numbers of the runs.

Runs on a few hundred images of the real 5,000-image MNIST subset (offline), so the
module takes seconds. One test builds a comparison the size of a full-MNIST run from
synthetic histories, to check the web version's size budget without training.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import lrbook
from lrbook import explore
from lrbook.data import book_slice
from lrbook.train import Comparison, History, compare

SEEDS = (0, 1, 2)


@pytest.fixture(scope="module")
def comparison():
    data = book_slice(n_train=640, n_test=200)  # 10 updates per epoch
    return compare(
        {
            "constant": lrbook.constant(0.05),
            "step": lrbook.step_decay(0.05, step_size=1, gamma=0.1),
        },
        seeds=SEEDS,
        epochs=3,
        data=data,
        step_per="epoch",
        device="cpu",
        progress=False,
    )


def every_combination(ex):
    names = [c.name for c in ex.controls]
    for combo in itertools.product(*(c.values for c in ex.controls)):
        yield dict(zip(names, combo, strict=True))


def test_controls_and_panels(comparison):
    ex = comparison.explorer()
    assert [c.name for c in ex.controls] == ["schedule", "metric", "seed"]
    assert ex.controls[0].values == ("all", "constant", "step")
    assert ex.controls[1].values == ("val_accuracy", "val_loss", "loss")
    assert ex.controls[2].values == ("mean", "all", 0, 1, 2)
    assert ex.values == {"schedule": "all", "metric": "val_accuracy", "seed": "mean"}
    assert [p.title for p in ex.panels] == ["learning rate", "the chosen metric"]
    assert ex.n_frames == 3 * 3 * 5


def test_the_axis_names_the_metric_chosen(comparison):
    """The y label follows the metric menu: in the live figure, the explorer's state and
    the web version's payload (the browser test checks the drawn SVG)."""
    ex = comparison.explorer()
    want = {
        "val_accuracy": "validation accuracy (%)",
        "val_loss": "validation loss (nats)",
        "loss": "training loss (nats)",
    }
    assert ex.panels[1].ylabel == want["val_accuracy"]
    for metric, label in want.items():
        ex.set(metric=metric)
        assert ex.ylabels == [lrbook.plotting.LR_LABEL, label]
        ex.figure  # noqa: B018 (the live view draws the current frame)
        ex._redraw()
        assert ex._axes[1].get_ylabel() == label
        assert ex._axes[0].get_ylabel() == lrbook.plotting.LR_LABEL
    spec = ex.payload()
    assert spec["panels"][0]["ylabelBy"] is None
    by = spec["panels"][1]["ylabelBy"]
    assert by["control"] == 1  # the metric menu
    assert ["".join(t for t, _ in runs) for runs in by["labels"]] == list(want.values())
    single = comparison.explorer(metrics="val_loss")
    assert single.panels[1].ylabel == want["val_loss"]
    assert single.panels[1].ylabel_by is None


def test_single_seed_draws_the_history_numbers(comparison):
    ex = comparison.explorer(
        metrics=("val_accuracy", "val_loss", "loss", "train_loss", "lr"), smooth=1
    )
    for name, runs in comparison.histories.items():
        for seed, h in zip(SEEDS, runs, strict=True):
            upe = h.updates_per_epoch
            t = np.arange(h.updates)
            epochs = np.arange(1, h.epochs + 1)
            expect = {
                "val_accuracy": (epochs, 100 * h.val_accuracy),
                "val_loss": (epochs, h.val_loss),
                "train_loss": (epochs, h.train_loss),
                "loss": (t / upe, h.loss),
                "lr": (t / upe, h.lr),
            }
            for metric, (x, y) in expect.items():
                lr_panel, panel = ex.series(schedule=name, metric=metric, seed=seed)
                assert set(panel) == {name}
                np.testing.assert_array_equal(panel[name][0], x)
                np.testing.assert_array_equal(panel[name][1], y)
                np.testing.assert_array_equal(lr_panel[name][1], h.lr)


def test_mean_and_band_over_the_seeds(comparison):
    ex = comparison.explorer()
    _, panel = ex.series(schedule="step", metric="val_accuracy", seed="mean")
    acc = 100 * np.stack([h.val_accuracy for h in comparison.histories["step"]])
    np.testing.assert_allclose(panel["step"][1], acc.mean(0), rtol=1e-12)
    sd = acc.std(0, ddof=1)
    np.testing.assert_allclose(panel["step +sd"][1], acc.mean(0) + sd, rtol=1e-12)
    np.testing.assert_allclose(panel["step -sd"][1], acc.mean(0) - sd, rtol=1e-12)
    # the final mean and spread are those of the comparison's table
    row = next(r for r in comparison.table if r["schedule"] == "step")
    assert panel["step"][1][-1] == pytest.approx(100 * row["val_accuracy_mean"])
    assert sd[-1] == pytest.approx(100 * row["val_accuracy_std"])
    # the band is drawn for one schedule at a time
    _, panel = ex.series(schedule="all", metric="val_accuracy", seed="mean")
    assert set(panel) == {"constant", "step"}
    assert "choose one schedule" in ex.set(schedule="all", seed="mean").note()
    # the learning rate is the same for every seed: the mean is that rate, no band
    lr_panel, _ = ex.series(schedule="step", seed="mean")
    assert set(lr_panel) == {"step"}
    np.testing.assert_array_equal(
        lr_panel["step"][1], comparison.histories["step"][0].lr
    )


def test_every_seed_and_every_schedule(comparison):
    ex = comparison.explorer()
    _, panel = ex.series(schedule="all", metric="val_loss", seed="all")
    assert set(panel) == {
        f"{name}{'' if s == 0 else f' seed {s}'}"
        for name in ("constant", "step")
        for s in SEEDS
    }
    for name, runs in comparison.histories.items():
        for s, h in zip(SEEDS, runs, strict=True):
            key = name if s == 0 else f"{name} seed {s}"
            np.testing.assert_array_equal(panel[key][1], h.val_loss)
    ex.set(schedule="all", metric="loss", seed="all")
    assert ex.note().startswith("training loss per update (running mean over 2")
    assert "seed 1" in ex.set(seed=1).note()


def test_running_mean_and_thinning(comparison):
    h = comparison.histories["constant"][1]
    ex = comparison.explorer(metrics=("loss",), smooth=3, max_points=12)
    _, panel = ex.series(schedule="constant", seed=1)
    x, y = panel["constant"]
    stride = math.ceil(h.updates / 12)
    idx = np.r_[np.arange(0, h.updates, stride), h.updates - 1]
    np.testing.assert_array_equal(x, idx / h.updates_per_epoch)
    running = np.convolve(h.loss, np.ones(3) / 3, mode="full")[: h.updates]
    running[:2] = np.cumsum(h.loss[:2]) / np.arange(1, 3)
    np.testing.assert_allclose(y, running[idx], rtol=1e-12)
    # the learning rate is never thinned
    lr_panel, _ = ex.series(schedule="constant", seed=1)
    assert lr_panel["constant"][1].size == h.updates


def test_web_version_draws_the_same_numbers(comparison):
    ex = comparison.explorer()
    spec = ex.payload()
    assert spec["recipe"] is None and spec["check"]  # checked in the browser test
    frames = explore.decode(spec)
    assert len(frames) == ex.n_frames
    for (panels, note), values in zip(frames, every_combination(ex), strict=True):
        assert note == ex.set(**values).note()
        for got, want in zip(panels, ex.series(**values), strict=True):
            assert set(got) == set(want)
            for name, (x, y) in want.items():
                gx, gy = got[name]
                # every point kept is a drawn value, to float32 rounding
                for u, v in zip(gx, gy, strict=True):
                    i = np.flatnonzero(np.isclose(x, u, rtol=1e-6, atol=0))
                    assert i.size and np.isclose(y[i[0]], v, rtol=1e-6, atol=1e-9)
    assert ex.payload_size() < explore.MAX_BYTES


def test_a_full_mnist_comparison_fits_the_budget():
    """Five schedules, three seeds, five epochs of 938 updates (60,000 images)."""
    rng = np.random.default_rng(0)
    upe, epochs = 938, 5
    t = np.arange(upe * epochs)

    def history(schedule, seed):
        loss = 2.3 * np.exp(-t / 900) + 0.05 + 0.3 * rng.random(t.size)
        return History(
            lr=schedule(t),
            loss=loss,
            train_loss=loss.reshape(epochs, upe).mean(1),
            train_accuracy=0.9 + 0.01 * rng.random(epochs),
            test_loss=0.1 + 0.05 * rng.random(epochs),
            test_accuracy=0.95 + 0.01 * rng.random(epochs),
            updates_per_epoch=upe,
        )

    schedules = {
        "constant": lrbook.constant(0.1),
        "step": lrbook.step_decay(0.1, step_size=2 * upe),
        "multistep": lrbook.multistep_decay(0.1, [2 * upe, 4 * upe]),
        "exponential": lrbook.exponential_decay(0.1, 0.9995),
        "cosine": lrbook.cosine_annealing(0.1, t_max=upe * epochs),
    }
    c = Comparison(
        histories={n: [history(s, k) for k in SEEDS] for n, s in schedules.items()},
        seeds=SEEDS,
    )
    ex = c.explorer()
    assert ex.payload_size() < explore.MAX_BYTES
    _, panel = ex.series(schedule="step", metric="loss", seed=0)
    assert panel["step"][0].size <= 401


def test_diverged_runs_are_cut_and_left_out_of_the_mean():
    t = np.arange(20)
    ok = [np.full(20, 1.0), np.full(20, 3.0)]
    bad = np.r_[np.full(12, 2.0), 1e30, np.inf]

    def history(loss, diverged=False):
        n = loss.size
        return History(
            lr=np.full(n, 0.1),
            loss=loss,
            train_loss=np.full(n // 10, 1.0),
            train_accuracy=np.full(n // 10, 0.5),
            test_loss=np.full(n // 10, 1.0),
            test_accuracy=np.full(n // 10, 0.5),
            updates_per_epoch=10,
            diverged=diverged,
        )

    c = Comparison(
        histories={"big": [history(ok[0]), history(bad, True), history(ok[1])]},
        seeds=(0, 1, 2),
    )
    ex = c.explorer(metrics=("loss",), smooth=1)
    _, panel = ex.series(seed=1)
    np.testing.assert_array_equal(panel["big"][1], bad[:13])  # cut before the inf
    assert "big: seed 1 diverged" in ex.set(seed=1).note()
    _, panel = ex.series(seed="mean")
    np.testing.assert_array_equal(panel["big"][0], t / 10)
    np.testing.assert_array_equal(panel["big"][1], np.full(20, 2.0))
    assert "(left out of the mean)" in ex.set(seed="mean").note()
    assert ex.payload_size() < explore.MAX_BYTES


def test_single_seed_single_metric_single_schedule(comparison):
    one = Comparison(
        histories={"step": comparison.histories["step"][:1]}, seeds=SEEDS[:1]
    )
    ex = one.explorer(metrics="val_accuracy", lr_panel=False)
    assert [c.name for c in ex.controls] == ["seed"]
    assert ex.controls[0].values == (0,)
    assert ex.panels[0].ylabel == "validation accuracy (%)"
    (panel,) = ex.series()
    np.testing.assert_array_equal(
        panel["step"][1], 100 * comparison.histories["step"][0].val_accuracy
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"metrics": ("accuracy",)}, ValueError, "metrics must be names"),
        ({"metrics": ()}, ValueError, "at least one metric"),
        ({"metrics": ("loss", "loss")}, ValueError, "distinct"),
        ({"smooth": 0}, ValueError, "smooth"),
        ({"max_points": 1}, ValueError, "max_points"),
        ({"lr_panel": "yes"}, TypeError, "lr_panel"),
        ({"max_bytes": 1000}, ValueError, "budget"),
    ],
)
def test_bad_arguments_name_the_parameter(comparison, kwargs, error, match):
    with pytest.raises(error, match=match):
        comparison.explorer(**kwargs).payload()
