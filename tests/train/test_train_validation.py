"""Validation split and paired comparisons: decisions on validation data, the test
set reported once, and "A beats B" as a paired interval (lrbook.train)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats

import lrbook
from lrbook.data import book_slice
from lrbook.train import Comparison, History, context, fit


def history(val_loss: float, val_acc: float = 0.9, test_loss: float = 0.5, **kw):
    """A one-epoch History with the given final metrics (nothing trained)."""
    one = lambda v: np.array([v])  # noqa: E731
    return History(
        lr=np.full(4, 0.1),
        loss=np.full(4, 1.0),
        train_loss=one(1.0),
        train_accuracy=one(0.8),
        test_loss=one(test_loss),
        test_accuracy=one(0.88),
        val_loss=one(val_loss),
        val_accuracy=one(val_acc),
        updates_per_epoch=4,
        **kw,
    )


def test_paired_interval_is_students_t_on_per_seed_differences():
    base = [0.50, 0.40, 0.60, 0.45]
    other = [0.48, 0.37, 0.59, 0.41]  # better on every seed, by a little
    c = Comparison(
        {"constant": [history(v) for v in base], "step": [history(v) for v in other]},
        seeds=(0, 1, 2, 3),
    )
    (row,) = c.paired("val_loss").values()
    d = np.array(other) - np.array(base)
    half = stats.t.ppf(0.975, 3) * d.std(ddof=1) / 2
    assert row["differences"] == pytest.approx(d.tolist())
    assert row["mean"] == pytest.approx(d.mean())
    assert (row["low"], row["high"]) == pytest.approx(
        (d.mean() - half, d.mean() + half)
    )
    assert row["high"] < 0  # paired: clearly better
    # unpaired, the two spreads overlap widely: the pairing is what makes it clear
    assert np.std(base, ddof=1) > abs(d.mean())
    assert "-0.0250 [" in str(c) and "loss difference vs constant" in str(c)


def test_paired_is_a_mapping_by_name_in_the_comparisons_order():
    c = Comparison(
        {
            "constant": [history(0.5), history(0.4)],
            "step": [history(0.45), history(0.38)],
            "cosine": [history(0.52), history(0.41)],
        },
        seeds=(0, 1),
    )
    rows = c.paired("val_loss")
    assert list(rows) == ["step", "cosine"]
    assert all(rows[name]["schedule"] == name for name in rows)
    assert rows["step"]["differences"] == pytest.approx([-0.05, -0.02])
    assert list(c.paired("val_loss", baseline="step")) == ["constant", "cosine"]


def test_verdict_names_the_schedules_as_the_prose_does():
    c = Comparison(
        {"constant": [history(v) for v in (0.5, 0.4, 0.6)],
         "step": [history(v) for v in (0.45, 0.36, 0.57)]},
        seeds=(0, 1, 2),
    )
    plain = c.verdict("step")
    named = c.verdict("step", names={"step": "step decay"})
    assert (named.schedule, named.baseline) == ("step decay", "constant")
    assert (named.mean, named.low, named.high, named.outcome) == (
        plain.mean, plain.low, plain.high, plain.outcome,
    )
    assert "step decay" in named.sentence and "step decay" not in plain.sentence
    with pytest.raises(TypeError, match="names must be a mapping"):
        c.verdict("step", names=["step decay"])
    with pytest.raises(TypeError, match="names must be a mapping"):
        c.verdict("step", names={"step": 1})


def test_paired_training_metrics_are_the_last_epochs():
    def trained(loss, acc, **kw):
        h = history(0.5, **kw)
        return dataclasses.replace(
            h, train_loss=np.array([2.0, loss]), train_accuracy=np.array([0.5, acc])
        )

    c = Comparison(
        {
            "a": [trained(0.30, 0.90), trained(0.20, 0.92), trained(0.25, 0.91)],
            "b": [trained(0.28, 0.91), trained(0.175, 0.93), trained(0.235, 0.92)],
        },
        seeds=(0, 1, 2),
    )
    row = c.paired("train_loss")["b"]
    assert row["differences"] == pytest.approx([-0.02, -0.025, -0.015])
    want = lrbook.paired_interval(np.array([0.28, 0.175, 0.235]) - [0.3, 0.2, 0.25])
    assert (row["mean"], row["low"], row["high"]) == pytest.approx(
        (want["mean"], want["low"], want["high"])
    )
    v = c.verdict("b", "train_loss")
    assert v.metric == "train_loss" and v.outcome == "better"
    assert "training loss" in v.sentence
    assert c.paired("train_accuracy")["b"]["mean"] == pytest.approx(0.01)
    gone = trained(0.1, 0.9, diverged=True)
    assert math.isnan(gone.final_train_loss) and math.isnan(gone.final_train_accuracy)


def test_a_diverged_seed_is_left_out_of_the_pairs():
    runs = [history(0.5), history(0.4), history(0.6)]
    bad = [history(0.45), history(math.nan, diverged=True), history(0.5)]
    c = Comparison({"a": runs, "b": bad}, seeds=(0, 1, 2), baseline="a")
    (row,) = c.paired("val_loss").values()
    assert row["n"] == 2 and math.isnan(row["differences"][1])
    assert row["mean"] == pytest.approx(-0.075)
    assert c.table[1]["diverged"] == 1


def test_one_seed_gives_a_difference_without_an_interval():
    c = Comparison({"a": [history(0.5)], "b": [history(0.4)]}, seeds=(0,))
    (row,) = c.paired("val_loss").values()
    assert row["mean"] == pytest.approx(-0.1) and math.isnan(row["low"])
    assert "-0.1000" in str(c) and "[" not in str(c).splitlines()[2]


def test_test_results_come_once_for_the_chosen_schedule():
    c = Comparison(
        {
            "a": [history(0.5, test_loss=0.6), history(0.4, test_loss=0.5)],
            "b": [history(0.4, test_loss=0.55), history(0.3, test_loss=0.45)],
        },
        seeds=(0, 1),
    )
    chosen = c.test("b")
    assert chosen["test_loss_mean"] == pytest.approx(0.5)
    assert chosen["loss_vs_baseline"]["mean"] == pytest.approx(-0.05)
    assert not any(k.startswith("val_") for k in chosen)
    assert "test" not in str(c).splitlines()[0]  # the table decides on validation
    with pytest.raises(ValueError, match="name must be one of the schedules"):
        c.test("c")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"baseline": "nope"}, "baseline must be one of the schedules"),
        ({"level": 1.0}, "level must be"),
    ],
)
def test_comparison_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Comparison({"a": [history(0.5)]}, seeds=(0,), **kwargs)
    with pytest.raises(ValueError, match="metric must be one of"):
        Comparison({"a": [history(0.5)]}, seeds=(0,)).paired("loss")


def test_validation_split_is_held_out_once_and_shared_by_every_seed():
    raw = book_slice(n_train=500, n_test=100)
    split = context.resolve_data(raw)
    assert split is context.resolve_data(raw)  # computed once, reused
    assert split.n_train + split.n_val == 500 and 95 <= split.n_val <= 105  # per digit
    h0 = fit(0.05, data=raw, epochs=1, seed=0, progress=False)
    h1 = fit(0.05, data=raw, epochs=1, seed=1, progress=False)
    assert h0.config["n_val"] == h1.config["n_val"] == split.n_val
    with pytest.raises(ValueError, match="already hold a validation split of 800"):
        fit(0.05, data=lrbook.book_mnist(), validation=0.3, progress=False)
    with pytest.raises(ValueError, match="validation must be"):
        fit(0.05, data=raw, validation=1.0, progress=False)
    h = fit(0.05, data=raw, epochs=1, validation=0, progress=False)
    assert h.val_loss.size == 0 and math.isnan(h.final_val_loss)
    assert "test accuracy" in repr(h)


def test_compare_names_its_baseline_and_rejects_an_unknown_one():
    raw = book_slice(n_train=256, n_test=64)
    c = lrbook.compare(
        {"a": 0.05, "b": 0.1},
        seeds=(0, 1),
        epochs=1,
        data=raw,
        baseline="b",
        progress=False,
    )
    assert c.baseline == "b" and list(c.paired()) == ["a"]
    with pytest.raises(ValueError, match="baseline must be one of the schedules"):
        lrbook.compare({"a": 0.05}, data=raw, baseline="x", progress=False)


def test_adamw_decouples_weight_decay_from_the_gradient():
    raw = book_slice(n_train=256, n_test=64)
    kw = dict(data=raw, epochs=1, weight_decay=0.1, progress=False)
    adamw = fit(lrbook.constant(1e-3), optimizer="adamw", **kw)
    adam = fit(lrbook.constant(1e-3), optimizer="adam", **kw)
    assert adamw.config["optimizer"] == "adamw"
    assert adamw.config["weight_decay"] == 0.1
    assert not np.array_equal(adamw.loss, adam.loss)  # a different update rule
    plain = fit(lrbook.constant(1e-3), optimizer="adamw", **{**kw, "weight_decay": 0})
    same = fit(lrbook.constant(1e-3), optimizer="adam", **{**kw, "weight_decay": 0})
    assert np.array_equal(plain.loss, same.loss)  # without decay they are one rule
    with pytest.raises(ValueError, match="'sgd', 'adam', 'adamw'"):
        fit(0.1, data=raw, optimizer="rmsprop", progress=False)
