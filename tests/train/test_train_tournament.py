"""lrbook.tournament: the same tuning budget for every family, tuning on validation
data with its own seeds, winners compared seed by seed, the test set once."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lrbook
from lrbook.data import book_slice
from lrbook.train import Tournament


@pytest.fixture(scope="module")
def data():
    return book_slice(n_train=640, n_test=200)  # 8 updates per epoch


@pytest.fixture(scope="module")
def result(data):
    return lrbook.tournament(
        {
            "constant": {"lr=0": 0.0, "lr=0.05": 0.05},
            "step": {
                "lr=0.05, drop@8": lrbook.step_decay(0.05, 8),
                "lr=0.0, drop@8": lrbook.step_decay(0.0, 8),
            },
        },
        tune_seeds=(0,),
        final_seeds=(1, 2, 3),
        epochs=2,
        data=data,
        progress=False,
    )


def test_each_family_is_won_by_its_best_candidate_on_validation(result):
    assert isinstance(result, Tournament)
    assert result.chosen == {"constant": "lr=0.05", "step": "lr=0.05, drop@8"}
    for family, runs in result.tuning.items():
        scores = {
            t["candidate"]: t["value"] for t in result.trials if t["family"] == family
        }
        for label, hs in runs.histories.items():
            assert scores[label] == pytest.approx(hs[0].final_val_loss)
        assert min(scores, key=scores.get) == result.chosen[family]
    assert sum(t["chosen"] for t in result.trials) == 2 and len(result.trials) == 4


def test_winners_are_retrained_with_other_seeds_and_paired(result):
    final = result.final
    assert final.seeds == (1, 2, 3) and final.baseline == "constant"
    assert set(final.histories) == {"constant", "step"}
    (row,) = final.paired("val_loss").values()
    a = np.array([h.final_val_loss for h in final.histories["step"]])
    b = np.array([h.final_val_loss for h in final.histories["constant"]])
    assert row["mean"] == pytest.approx((a - b).mean())
    text = str(result)
    assert "Tuning (seeds 0, validation data):" in text and "loss difference vs constant" in text


def test_the_test_set_comes_last_and_once(result):
    row = result.test("step")
    assert row["family"] == "step" and row["candidate"] == "lr=0.05, drop@8"
    assert math.isfinite(row["loss_vs_baseline"]["mean"])
    assert "loss_vs_baseline" not in result.test("constant")
    with pytest.raises(ValueError, match="family must be one of"):
        result.test("cosine")
    fig = result.plot()
    assert fig.axes[0].get_xlabel().startswith("validation loss minus constant's")
    assert result.plot(split="test").axes[1].get_xlabel().startswith("test accuracy")


def test_on_edge_names_winners_on_the_grid_boundary(result, data):
    assert result.on_edge() == {"constant": "highest", "step": "lowest"}
    wide = lrbook.tournament(
        {"constant": {"lr=0": 0.0, "lr=0.05": 0.05, "lr=1e3": 1e3}},
        final_seeds=(1,),
        epochs=1,
        data=data,
        progress=False,
    )
    assert wide.chosen == {"constant": "lr=0.05"} and wide.on_edge() == {}
    # a narrower grid, from the same trials: its winner is on its edge
    assert wide.on_edge(grid=slice(0, 2)) == {"constant": "highest"}
    assert wide.on_edge(grid=slice(1, 3)) == {"constant": "lowest"}
    with pytest.raises(TypeError, match="grid must be None or a slice"):
        wide.on_edge(grid=[0, 1])


def test_tuning_on_a_cheaper_budget(data):
    short = {"constant": {"a": 0.05, "b": 0.1}, "cosine": {
        "a": lrbook.cosine_annealing(0.05, 10), "b": lrbook.cosine_annealing(0.1, 10)}}
    full = {"constant": {"a": 0.05, "b": 0.1}, "cosine": {
        "a": lrbook.cosine_annealing(0.05, 16), "b": lrbook.cosine_annealing(0.1, 16)}}
    t = lrbook.tournament(
        full, tune_candidates=short, tune_fit={"n_train": 320}, final_seeds=(1, 2),
        epochs=2, data=data, progress=False,
    )
    tuning_run = t.tuning["cosine"].histories["a"][0]
    assert tuning_run.config["n_train"] == 320 and len(tuning_run.lr) == 10
    final_run = t.final.histories["cosine"][0]
    assert final_run.config["n_train"] == 512 and len(final_run.lr) == 16
    assert np.allclose(final_run.lr, full["cosine"][t.chosen["cosine"]](np.arange(16)))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"candidates": {"a": {"x": 0.1}, "b": {"x": 0.1, "y": 0.2}}},
            ValueError,
            r"same budget of tuning trials.*\{'a': 1, 'b': 2\}",
        ),
        ({"tune_seeds": (0, 1), "final_seeds": (1, 2)}, ValueError, r"differ.*\[1\]"),
        ({"metric": "test_loss"}, ValueError, "metric must be one of"),
        ({"baseline": "c"}, ValueError, "baseline must be one of the families"),
        ({"candidates": {}}, TypeError, "candidates must be a non-empty dict"),
        ({"candidates": {"a": 0.1}}, TypeError, r"candidates\['a'\]"),
        ({"final_seeds": ()}, ValueError, "final_seeds must hold at least one"),
        ({"tune_seeds": (0, 0)}, ValueError, "tune_seeds must be distinct"),
        ({"tune_candidates": {"a": {"y": 0.1}, "b": {"y": 0.2}}}, ValueError,
         "same families and labels"),
        ({"tune_fit": {"seed": 3}}, ValueError, "tune_fit must not set seed"),
    ],
)
def test_bad_arguments(data, kwargs, error, match):
    args = {"candidates": {"a": {"x": 0.1}, "b": {"y": 0.2}}, "data": data}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        lrbook.tournament(args.pop("candidates"), progress=False, **args)


def test_as_its_docstring_shows_with_defaults():
    t = lrbook.tournament(
        {
            "constant": {"lr=0.05": 0.05, "lr=0.1": 0.1},
            "step": {
                "lr=0.1, drop@2": lrbook.step_decay(0.1, 100),
                "lr=0.2, drop@2": lrbook.step_decay(0.2, 100),
            },
        },
        final_seeds=(1, 2, 3),
        epochs=3,
        progress=False,
    )
    assert t.final.histories["step"][0].config["n_val"] == 800  # the book's images
    assert t.tune_seeds == (0,) and t.metric == "val_loss"
    assert "<table" in t._repr_html_()
