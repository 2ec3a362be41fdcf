"""The chapter 5 explorers (lrbook.explore.topics.cosine) and its answer key (ch5.*)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import lrbook
from lrbook import explore
from lrbook.exercises import check, exercise_ids, get
from lrbook.explore.topics import cosine as topic
from lrbook.schedules.cosine import restart_steps


@pytest.fixture(scope="module")
def explorers():
    return {
        "cosine": topic.cosine(),
        "warm_restarts": topic.warm_restarts(),
        "warmup_cosine": topic.warmup_cosine(),
    }


def test_defaults_as_the_docstrings_show(explorers):
    ex = explorers["cosine"]
    assert ex.values == {"lr": 0.1, "t_max": 100, "eta_min": 0.0, "horizon": 2.0}
    assert explorers["warm_restarts"].values == {"t_0": 25, "t_mult": 2, "eta_min": 0.0}
    assert explorers["warmup_cosine"].values == {
        "warmup_steps": 20,
        "start_factor": 0.1,
        "construction": "ramp too long",
    }


@pytest.mark.parametrize("name", ["cosine", "warm_restarts", "warmup_cosine"])
def test_recipes_rebuild_the_same_explorer_within_budget(explorers, name):
    ex = explorers[name]
    assert ex.recipe["call"] == f"lrbook.explore.topics.cosine.{name}"
    again = explore.rebuild(ex.recipe)
    for a, b in zip(ex.series()[0].values(), again.series()[0].values(), strict=True):
        np.testing.assert_array_equal(a[1], b[1])
    assert ex.payload_size() <= explore.MAX_BYTES


def test_cosine_rises_past_t_max_and_the_stopped_line_holds(explorers):
    ex = explorers["cosine"]
    for t_max in (50, 150):
        for horizon in (1.0, 3.0):
            panel = ex.series(t_max=t_max, eta_min=0.01, horizon=horizon)[0]
            x, y = panel["pytorch"]
            s = lrbook.cosine_annealing(0.1, t_max, 0.01)
            assert x[-1] == round(horizon * t_max)
            np.testing.assert_allclose(y, s(x.astype(int)), rtol=1e-12)
            assert panel["t_max"][1][0] == pytest.approx(0.01)
            if horizon > 1:
                assert y[2 * t_max] == pytest.approx(0.1)
                assert np.all(panel["stopped"][1] == pytest.approx(0.01))
            else:
                assert "stopped" not in panel


def test_warm_restarts_dots_are_the_restart_steps(explorers):
    ex = explorers["warm_restarts"]
    for t_0 in (10, 100):
        for t_mult in (1, 3):
            panel = ex.series(t_0=t_0, t_mult=t_mult)[0]
            assert panel["restarts"][0].tolist() == restart_steps(t_0, t_mult, 400)
            assert np.all(panel["restarts"][1] == 0.1)


def test_warmup_overlay_is_pytorch_and_differs_only_for_the_slips(explorers):
    ex = explorers["warmup_cosine"]
    for construction, differs in (
        ("joined", False),
        ("T_max = T", True),
        ("ramp too long", True),
    ):
        panel = ex.series(construction=construction, warmup_steps=10)[0]
        gap = np.abs(panel["lrbook"][1] - panel["pytorch"][1]).max()
        assert bool(gap > 1e-3) is differs, construction
    jumpy = ex.series(construction="ramp too long", warmup_steps=40)[0]["pytorch"][1]
    assert jumpy[40] - jumpy[39] > 0.03


def test_pytorch_warmup_cosine_runs_pytorch():
    ours = topic.pytorch_warmup_cosine(0.1, 60, 10, 0.25, "joined")
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    tls = torch.optim.lr_scheduler
    s = tls.SequentialLR(
        opt, [tls.LinearLR(opt, 0.25, 1.0, 10), tls.CosineAnnealingLR(opt, 50)], [10]
    )
    theirs = []
    for _ in range(60):
        theirs.append(opt.param_groups[0]["lr"])
        opt.step()
        s.step()
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: topic.cosine(horizons=[0.5, 1], horizon=1), ValueError, "horizons"),
        (lambda: topic.cosine(t_maxs=5), TypeError, "t_maxs must be a list"),
        (lambda: topic.cosine(t_maxs=[0, 10], t_max=10), ValueError, "t_max"),
        (lambda: topic.warm_restarts(horizon=1), ValueError, "horizon"),
        (lambda: topic.warm_restarts(t_mults=[0, 1], t_mult=1), ValueError, "t_mult"),
        (
            lambda: topic.warmup_cosine(steps=[10, 300], warmup_steps=10),
            ValueError,
            "steps must be < total",
        ),
        (
            lambda: topic.warmup_cosine(constructions=["nope"], construction="nope"),
            ValueError,
            "constructions",
        ),
        (lambda: topic.warmup_cosine(constructions="joined"), TypeError, "a list"),
        (
            lambda: topic.pytorch_warmup_cosine(0.1, 10, 10, 0.5, "joined"),
            ValueError,
            "total",
        ),
    ],
)
def test_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_chapter_5_answer_key():
    assert len(exercise_ids("ch05-")) >= 5
    for i in exercise_ids("ch05-"):
        assert check(i, get(i).expected, show=False).ok, i
    s = lrbook.cosine_annealing(0.1, 100, 0.001)
    assert check("ch05-ex-cosine-rates", [s(25), s(150)], show=False).ok
    r = check("ch05-ex-cosine-rates", [s(25), 0.001], show=False)
    assert not r.ok and "does not hold" in r.message
    assert check("ch05-ex-restarts", [10, 30, 70, 150], show=False).ok
    assert not check("ch05-ex-restarts", [0, 10, 30, 70, 150], show=False).ok
    good = lrbook.warmup(lrbook.cosine_annealing(0.2, 475), 25, 0.1)
    assert check("ch05-ex-warmup-cosine", good, show=False).ok
    assert check("ch05-ex-mirror", 70, show=False).ok
    assert get("ch05-ex-jump").expected == pytest.approx(0.1 - 0.1 * (0.1 + 0.9 * 9 / 20))
    assert not check("ch05-ex-jump", 0.0, show=False).ok
