"""Verdicts from paired intervals, and the book's decision rule."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import lrbook
from lrbook.verdicts import OUTCOMES, choose, paired_interval, verdict


def row(mean, low, high, metric="val_loss", n=5):
    return {
        "schedule": "A",
        "baseline": "B",
        "metric": metric,
        "n": n,
        "mean": mean,
        "low": low,
        "high": high,
    }


# ------------------------------------------------------------------ paired_interval


def test_paired_interval_is_students_t():
    d = [0.1, 0.25, 0.2, 0.4]
    r = paired_interval(d)
    half = stats.t.ppf(0.975, 3) * np.std(d, ddof=1) / 2
    assert r["n"] == 4
    assert r["mean"] == pytest.approx(np.mean(d), abs=1e-15)
    assert r["low"] == pytest.approx(np.mean(d) - half, abs=1e-15)
    assert r["high"] == pytest.approx(np.mean(d) + half, abs=1e-15)


def test_paired_interval_leaves_out_diverged_seeds():
    r = paired_interval([0.1, math.nan, 0.3])
    assert r["n"] == 2 and r["mean"] == pytest.approx(0.2)


def test_paired_interval_one_seed_has_no_interval():
    r = paired_interval([0.1])
    assert r["n"] == 1 and math.isnan(r["low"]) and math.isnan(r["high"])


@pytest.mark.parametrize("level", [0, 1, -0.5, 1.5, math.nan])
def test_paired_interval_level_is_checked(level):
    with pytest.raises(ValueError, match="level"):
        paired_interval([0.1, 0.2], level=level)


def test_paired_interval_rejects_text():
    with pytest.raises(TypeError, match="differences"):
        paired_interval(["a", "b"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.floats(-1, 1, allow_nan=False, allow_subnormal=False), min_size=2, max_size=9
    ),
    st.floats(0.5, 0.99),
)
def test_paired_interval_contains_mean_and_widens_with_level(d, level):
    narrow = paired_interval(d, level=level)
    wide = paired_interval(d, level=(1 + level) / 2)
    assert narrow["low"] <= narrow["mean"] + 1e-12
    assert narrow["mean"] <= narrow["high"] + 1e-12
    assert wide["low"] <= narrow["low"] + 1e-12
    assert wide["high"] >= narrow["high"] - 1e-12


# ------------------------------------------------------------------------- verdict


@pytest.mark.parametrize(
    "metric, mean, low, high, outcome, words",
    [
        ("val_loss", -0.05, -0.09, -0.01, "better", "lower validation loss"),
        ("val_loss", 0.05, 0.01, 0.09, "worse", "higher validation loss"),
        ("val_accuracy", 0.02, 0.01, 0.03, "better", "higher validation accuracy"),
        ("val_accuracy", -0.02, -0.03, -0.01, "worse", "lower validation accuracy"),
        ("test_loss", -0.05, -0.09, -0.01, "better", "lower test loss"),
        (
            "val_loss",
            -0.047,
            -0.094,
            0.001,
            "no difference detected",
            "no difference in validation loss detected with 5 seeds",
        ),
    ],
)
def test_verdict_words(metric, mean, low, high, outcome, words):
    v = verdict(row(mean, low, high, metric))
    assert v.outcome == outcome
    assert v.words == words
    assert v.detected == (outcome in ("better", "worse"))
    assert v.better == {"better": True, "worse": False}.get(outcome)


def test_verdict_interval_units():
    assert verdict(row(-0.047, -0.094, 0.001)).interval == (
        "\u22120.047 [\u22120.094, +0.001] nats"
    )
    assert verdict(row(0.012, 0.003, 0.021, "val_accuracy")).interval == (
        "+1.2 [+0.3, +2.1] points"
    )


def test_equivalence_needs_a_margin_that_holds_the_whole_interval():
    r = row(0.001, -0.004, 0.006)
    assert verdict(r).outcome == "no difference detected"
    assert verdict(r, margin=0.01).outcome == "equivalent"
    assert verdict(r, margin=0.01).words == (
        "equivalent in validation loss within ±0.010 nats"
    )
    assert verdict(r, margin=0.005).outcome == "no difference detected"


def test_detected_difference_wins_over_margin():
    assert verdict(row(-0.003, -0.004, -0.002), margin=0.01).outcome == "better"


def test_too_few_seeds():
    v = verdict(row(0.1, math.nan, math.nan, n=1))
    assert v.outcome == "too few seeds" and v.better is None
    assert "too few seeds" in v.sentence


def test_sentences_name_both():
    v = verdict(row(-0.05, -0.09, -0.01))
    assert v.sentence.startswith("A has a lower validation loss than B (difference ")
    assert (
        str(v)
        == "A vs B: lower validation loss (\u22120.050 [\u22120.090, \u22120.010] nats)"
    )
    v = verdict(row(0.0, -0.01, 0.01))
    assert v.sentence == (
        "Between A and B, no difference in validation loss was detected with 5 seeds "
        "(difference +0.000 [\u22120.010, +0.010] nats)."
    )
    assert v.sentence.count("seeds") == 1


@pytest.mark.parametrize(
    "bad, error, match",
    [
        ([1, 2], TypeError, "row must be a mapping"),
        ({"schedule": "A"}, ValueError, "row is missing baseline"),
        (row(0.0, -1, 1, metric="val_speed"), ValueError, "metric must be one of"),
        (row(0.5, -1, 0.1), ValueError, "low <= mean <= high"),
        (row(0.0, -1, 1, n=-1), ValueError, "n"),
    ],
)
def test_verdict_bad_rows(bad, error, match):
    with pytest.raises(error, match=match):
        verdict(bad)


@pytest.mark.parametrize("margin", [0, -0.1, math.inf, "0.1"])
def test_verdict_bad_margin(margin):
    with pytest.raises((ValueError, TypeError), match="margin"):
        verdict(row(0.0, -0.1, 0.1), margin=margin)


@settings(max_examples=100, deadline=None)
@given(
    st.floats(-1, 1),
    st.floats(0, 1),
    st.floats(0, 1),
    st.sampled_from(["val_loss", "val_accuracy", "test_loss", "test_accuracy"]),
    st.one_of(st.none(), st.floats(1e-3, 1)),
)
def test_verdict_properties(mean, below, above, metric, margin):
    low, high = mean - below, mean + above
    v = verdict(row(mean, low, high, metric), margin=margin)
    assert v.outcome in OUTCOMES
    # a difference is claimed exactly when the interval excludes 0
    assert v.detected == (high < 0 or low > 0)
    if v.detected:
        lower = high < 0
        assert v.better == (lower == metric.endswith("loss"))
    # swapping the two (negating the interval) swaps better and worse
    w = verdict(row(-mean, -high, -low, metric), margin=margin)
    flip = {"better": "worse", "worse": "better"}
    assert w.outcome == flip.get(v.outcome, v.outcome)
    if v.outcome == "equivalent":
        assert -margin < low and high < margin


# -------------------------------------------------------------------------- choose


def test_choose_keeps_the_simplest_when_the_leader_is_not_detectably_better():
    c = choose({"constant": [0.30, 0.32, 0.31], "cosine": [0.29, 0.32, 0.30]})
    assert (c.leader, c.name, c.tied) == ("cosine", "constant", ("constant",))
    assert "so the rule picks the simpler constant" in c.reason
    assert c.verdicts["constant"].outcome == "no difference detected"


def test_choose_takes_the_leader_when_it_is_detectably_better():
    c = choose(
        {"constant": [0.40, 0.42, 0.41, 0.43], "cosine": [0.30, 0.32, 0.31, 0.32]}
    )
    assert (c.name, c.leader, c.tied) == ("cosine", "cosine", ())
    assert c.reason.endswith("every other candidate is detectably worse.")


def test_choose_accuracy_leader_is_highest():
    c = choose(
        {"a": [0.90, 0.91, 0.92], "b": [0.95, 0.96, 0.97]}, metric="val_accuracy"
    )
    assert c.leader == "b" and c.name == "b"


def test_choose_order_is_the_simplicity_order():
    finals = {"b": [0.30, 0.31, 0.32], "a": [0.30, 0.31, 0.321]}
    assert choose(finals).name == "b"
    assert choose(dict(reversed(list(finals.items())))).name == "a"


def test_choose_a_diverged_candidate_cannot_lead_or_be_chosen():
    c = choose({"wild": [0.1, math.nan, 0.1], "calm": [0.3, 0.31, 0.32]})
    assert c.leader == "calm" and c.name == "calm"


@pytest.mark.parametrize(
    "finals, match",
    [
        ({}, "non-empty"),
        ({"a": [1, 2], "b": [1]}, "same non-zero number of seeds"),
        ({"a": [math.nan], "b": [math.nan]}, "every candidate has a diverged"),
    ],
)
def test_choose_bad_input(finals, match):
    with pytest.raises(ValueError, match=match):
        choose(finals)


def test_choose_bad_metric():
    with pytest.raises(ValueError, match="metric must be one of"):
        choose({"a": [1.0, 2.0]}, metric="loss")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.floats(0.05, 2.0), min_size=3, max_size=3), min_size=1, max_size=5
    )
)
def test_choose_properties(values):
    finals = {f"s{i}": v for i, v in enumerate(values)}
    c = choose(finals)
    means = {k: np.mean(v) for k, v in finals.items()}
    assert means[c.leader] == min(means.values())
    # the choice is the leader or tied with it, and nothing simpler is tied
    assert c.name == c.leader or c.name in c.tied
    simpler = list(finals)[: list(finals).index(c.name)]
    assert not any(k in c.tied or k == c.leader for k in simpler)
    # nothing detectably beats the choice, and each simpler candidate is beaten by one
    for other, v in finals.items():
        if other != c.name:
            row = {
                "schedule": c.name,
                "baseline": other,
                "metric": "val_loss",
                **paired_interval(np.subtract(finals[c.name], v)),
            }
            assert verdict(row).outcome != "worse"
    for k in simpler:
        assert c.beaten[k], k
        for by in c.beaten[k]:
            row = {
                "schedule": k,
                "baseline": by,
                "metric": "val_loss",
                **paired_interval(np.subtract(finals[k], finals[by])),
            }
            assert verdict(row).outcome == "worse"


def test_choose_passes_over_a_candidate_that_a_third_one_beats():
    # a is not separated from the leader b (b is noisy) but is detectably worse
    # than c on every seed: the leader-only rule would have picked a
    finals = {
        "a": [0.52, 0.62, 0.42, 0.72],
        "c": [0.50, 0.60, 0.40, 0.70],
        "b": [0.30, 0.80, 0.20, 0.60],
    }
    c = choose(finals)
    assert c.leader == "b"
    assert c.verdicts["a"].outcome == "no difference detected"
    assert c.beaten == {"a": ("c",), "c": (), "b": ()}
    assert (c.name, c.tied, c.passed_over) == ("c", ("c",), ("a",))
    assert c.reason.endswith(
        "The rule passes over the simpler a: it is not "
        "detectably worse than b, but c detectably beats it."
    )
    # without c, a is the choice again
    assert choose({"a": finals["a"], "b": finals["b"]}).name == "a"


def test_choose_passed_over_when_the_leader_is_kept():
    finals = {
        "a": [0.52, 0.62, 0.42, 0.72],
        "b": [0.30, 0.80, 0.20, 0.60],
        "c": [0.50, 0.60, 0.40, 0.70],
    }
    c = choose(finals)
    assert c.name == "b" and c.passed_over == ("a",)
    assert "so the rule keeps b" in c.reason and "passes over the simpler a" in c.reason


# ------------------------------------------------- the package face, as documented


def test_exported_from_the_package():
    for name in ("verdict", "choose", "paired_interval", "Verdict", "Choice"):
        assert name in lrbook.__all__ and hasattr(lrbook, name)


def test_comparison_verdict_and_choose_with_defaults():
    c = lrbook.compare(
        {"constant": 0.1, "cosine": lrbook.cosine_annealing(0.1, t_max=50)},
        seeds=(0, 1),
        epochs=1,
        n_train=640,
        progress=False,
    )
    v = c.verdict("cosine")
    row = c.paired("val_loss")["cosine"]
    assert (v.mean, v.low, v.high, v.n) == (row["mean"], row["low"], row["high"], 2)
    assert v.metric == "val_loss" and v.baseline == "constant"
    choice = c.choose()
    assert choice.name in ("constant", "cosine")
    assert choice.order == ("constant", "cosine")
    with pytest.raises(ValueError, match="name must be one of the schedules"):
        c.verdict("constant")
    with pytest.raises(ValueError, match="among must list"):
        c.choose(among=["nope"])
    with pytest.raises(ValueError, match="metric"):
        c.choose("test_loss")


def test_choose_keeps_the_leader_when_no_tied_candidate_comes_first():
    c = choose({"cosine": [0.29, 0.31, 0.30], "linear": [0.30, 0.32, 0.30]})
    assert (c.name, c.leader, c.tied) == ("cosine", "cosine", ("linear",))
    assert c.reason == (
        "cosine has the lowest mean validation loss; linear is not detectably worse, "
        "but it does not come before cosine in the rule's order (simplest first), so "
        "the rule keeps cosine."
    )


def test_choice_pairs_says_who_beats_whom():
    c = choose(
        {
            "a": [0.52, 0.62, 0.42, 0.72],
            "c": [0.50, 0.60, 0.40, 0.70],
            "b": [0.30, 0.80, 0.20, 0.60],
        }
    )
    assert c.pairs.startswith("A has a higher validation loss than c. ")
    assert "No candidate detectably beats c and b: 4 seeds" in c.pairs
    clear = choose({"x": [1.0, 1.1, 1.2], "y": [0.5, 0.6, 0.7], "z": [0.4, 0.5, 0.6]})
    assert clear.beaten["x"] == ("y", "z")
    assert clear.pairs.startswith("X has a higher validation loss than y and z")
    acc = choose({"x": [0.5, 0.6, 0.7], "y": [0.9, 0.91, 0.92]}, metric="val_accuracy")
    assert acc.pairs == (
        "X has a lower validation accuracy than y. Y is the only candidate none beats."
    )
    tie = choose({"x": [0.30, 0.32, 0.31], "y": [0.29, 0.33, 0.30]})
    assert tie.pairs == "No candidate is detectably worse than another with 3 seeds."
    assert choose({"only": [0.3, 0.2]}).pairs == "only is the only candidate."
