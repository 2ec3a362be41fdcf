"""The answer key of chapter 7 (lrbook/exercises/ch07.py): every expected answer is
derived again here, independently, with PyTorch where it has the behaviour."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest
import torch

import lrbook
from lrbook.exercises import check, exercise_ids, get
from lrbook.torch_bridge import torch_reference


def test_chapter_7_has_its_seven_checked_exercises():
    assert set(exercise_ids("ch07-")) == {
        "ch07-ex-adam-noise",
        "ch07-ex-wsd-rate",
        "ch07-ex-inverse-sqrt",
        "ch07-ex-weight-decay",
        "ch07-ex-budget",
        "ch07-ex-resume",
        "ch07-ex-extend",
    }
    kinds = {get(i).kind for i in exercise_ids("ch07-")}
    assert kinds == {"number", "numbers", "choice"}


def test_wsd_rate_is_pytorchs_sequential_lr():
    p = get("ch07-ex-wsd-rate").params
    s = lrbook.warmup_stable_decay(
        p["lr"], p["warmup_steps"], p["stable_steps"], p["decay_steps"]
    )
    rates = torch_reference(s, p["t"] + 1)
    assert math.isclose(rates[p["t"]], 0.05, rel_tol=1e-12)
    assert check("ch07-ex-wsd-rate", float(rates[p["t"]]), show=False).ok
    assert check("ch07-ex-wsd-rate", 0.05, show=False).ok
    wrong = check("ch07-ex-wsd-rate", 0.025, show=False)
    assert not wrong.ok and "T_w + T_s" in wrong.message


def test_inverse_sqrt_rates_are_pytorchs_lambda_lr():
    p = get("ch07-ex-inverse-sqrt").params
    s = lrbook.inverse_sqrt(p["lr"], p["warmup_steps"])
    rates = torch_reference(s, max(p["steps"]) + 1)
    answer = [float(rates[t]) for t in p["steps"]]
    assert np.allclose(answer, [0.005, 0.01, 0.005], rtol=1e-12)
    assert check("ch07-ex-inverse-sqrt", answer, show=False).ok
    assert not check("ch07-ex-inverse-sqrt", [0.005, 0.01, 0.0025], show=False).ok


def one_step_decrease(opt_class, p) -> float:
    w = torch.tensor([p["theta"]], dtype=torch.float64, requires_grad=True)
    eps, weight_decay = 10.0 ** p["log10_eps"], 10.0 ** p["log10_weight_decay"]
    kwargs = {"eps": eps} if opt_class is not torch.optim.SGD else {}
    opt = opt_class([w], lr=p["lr"], weight_decay=weight_decay, **kwargs)
    w.grad = torch.zeros(1, dtype=torch.float64)
    opt.step()
    return p["theta"] - w.item()


def test_weight_decay_answer_is_what_pytorch_does():
    p = get("ch07-ex-weight-decay").params
    measured = [
        one_step_decrease(cls, p)
        for cls in (torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW)
    ]
    assert check("ch07-ex-weight-decay", measured, show=False).ok
    assert measured[1] > 1000 * measured[0]
    assert math.isclose(measured[0], measured[2], rel_tol=1e-9)
    same = check("ch07-ex-weight-decay", [measured[0]] * 3, show=False)
    assert not same.ok and "sqrt" in same.message


def test_budget_counts_the_runs_of_a_tournament(monkeypatch):
    """Count the trainings a real tournament asks for (tuning and final), without
    training: every run goes through ``fit_grid``, replaced here by a counter."""
    p = get("ch07-ex-budget").params
    calls = []
    from lrbook.train.fitting import History

    def fake_fit_grid(settings, labels, **kwargs):
        settings = list(settings)
        calls.append(len(settings))
        return [
            History(
                lr=np.zeros(1),
                loss=np.zeros(1),
                train_loss=np.zeros(1),
                train_accuracy=np.zeros(1),
                test_loss=np.ones(1),
                test_accuracy=np.ones(1),
                updates_per_epoch=1,
                val_loss=np.full(1, float(i)),
                val_accuracy=np.ones(1),
            )
            for i, _ in enumerate(settings)
        ]

    for name in ("lrbook.train.tournament", "lrbook.train.comparison"):
        module = importlib.import_module(name)
        monkeypatch.setattr(module, "fit_grid", fake_fit_grid)
    families = {
        f"f{i}": {f"c{j}": 0.1 for j in range(p["candidates"])}
        for i in range(p["families"])
    }
    lrbook.tournament(
        families,
        tune_seeds=tuple(range(p["tune_seeds"])),
        final_seeds=tuple(range(10, 10 + p["final_seeds"])),
        data=lrbook.book_mnist(),
        progress=False,
    )
    assert len(calls) == 2  # the tuning grid, then the final comparison
    assert check("ch07-ex-budget", sum(calls), show=False).ok


def test_resume_epoch_is_what_a_fresh_steplr_does():
    p = get("ch07-ex-resume").params

    def optimizer():
        return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)

    opt = optimizer()
    scheduler = torch.optim.lr_scheduler.StepLR(opt, p["step_size"])
    for _ in range(p["stopped"]):
        opt.step()
        scheduler.step()
    resumed = optimizer()
    resumed.load_state_dict(opt.state_dict())
    fresh = torch.optim.lr_scheduler.StepLR(resumed, p["step_size"])
    start = resumed.param_groups[0]["lr"]
    epoch = p["stopped"]
    while resumed.param_groups[0]["lr"] == start:
        resumed.step()
        fresh.step()
        epoch += 1
    assert check("ch07-ex-resume", epoch, show=False).ok
    assert not check("ch07-ex-resume", 2 * p["step_size"], show=False).ok


def test_extend_choice_is_the_schedule_that_shares_its_prefix():
    short = lrbook.warmup_stable_decay(0.1, 10, 70, 20)
    long = lrbook.warmup_stable_decay(0.1, 10, 170, 20)
    prefix = np.arange(80)
    assert np.array_equal(short(prefix), long(prefix))
    cos = (
        lrbook.cosine_annealing(0.1, 100)(prefix),
        lrbook.cosine_annealing(0.1, 200)(prefix),
    )
    assert not np.array_equal(*cos)
    assert check("ch07-ex-extend", "wsd", show=False).ok
    assert check("ch07-ex-extend", " WSD ", show=False).ok
    for wrong in ("cosine", "one-cycle", "exponential"):
        assert not check("ch07-ex-extend", wrong, show=False).ok


@pytest.mark.parametrize("placeholder", [None, ...])
def test_placeholders_are_pending(placeholder):
    for exercise_id in exercise_ids("ch07-"):
        result = check(exercise_id, placeholder, show=False)
        assert not result.ok


def test_adam_noise_is_what_pytorchs_adam_does():
    p = get("ch07-ex-adam-noise").params
    w = torch.zeros(4000, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w], lr=p["lr"], betas=(p["beta1"], 0.999))
    gen = torch.Generator().manual_seed(0)
    squares = []
    for k in range(600):
        before = w.detach().clone()
        w.grad = torch.randn(4000, generator=gen, dtype=torch.float64)
        opt.step()
        if k >= 300:
            squares.append((w.detach() - before).pow(2).mean().item())
    measured = math.sqrt(np.mean(squares))
    assert math.isclose(measured, get("ch07-ex-adam-noise").expected, rel_tol=0.02)
    assert check("ch07-ex-adam-noise", 1e-3 * math.sqrt(0.05 / 1.95), show=False).ok
    assert not check("ch07-ex-adam-noise", 1e-3, show=False).ok
