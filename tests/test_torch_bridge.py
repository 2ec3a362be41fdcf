"""lrbook.as_torch_scheduler: drives a real optimizer along s(t) and survives resume."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import lrbook
from lrbook.torch_bridge import native_torch_scheduler, record_rates, torch_reference

SCHEDULES = [
    lrbook.constant(0.05),
    lrbook.step_decay(0.1, 7, 0.5),
    lrbook.multistep_decay(0.1, [3, 40], 0.2),
    lrbook.exponential_decay(0.1, 0.98),
    lrbook.linear(0.1, 0.1, 1.0, 20),
    lrbook.cosine_annealing(0.1, 30, 1e-3),
    lrbook.cosine_warm_restarts(0.1, 5, 2),
    lrbook.cyclic(0.01, 0.1, 6, 9, "triangular2"),
    lrbook.one_cycle(0.1, 120, three_phase=True),
    lrbook.sequential(
        [lrbook.linear(0.1, 0.1, 1.0, 10), lrbook.cosine_annealing(0.1, 100)], [10]
    ),
]


def _model_and_opt(groups: int = 1):
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    params = (
        [{"params": [model.weight]}, {"params": [model.bias]}]
        if groups == 2
        else model.parameters()
    )
    return model, torch.optim.SGD(params, lr=123.0, momentum=0.9)


def _train_steps(model, opt, sched, n):
    seen = []
    x = torch.ones(4, 3)
    for _ in range(n):
        seen.append([g["lr"] for g in opt.param_groups])
        opt.zero_grad()
        model(x).sum().backward()
        opt.step()
        sched.step()
    return seen


@pytest.mark.parametrize("s", SCHEDULES, ids=repr)
def test_bridge_reproduces_schedule_in_every_group(s):
    model, opt = _model_and_opt(groups=2)
    sched = lrbook.as_torch_scheduler(opt, s)
    assert isinstance(sched, torch.optim.lr_scheduler.LRScheduler)
    n = 100
    seen = np.array(_train_steps(model, opt, sched, n))
    expected = s(np.arange(n))
    assert np.array_equal(seen[:, 0], expected) and np.array_equal(seen[:, 1], expected)
    if s.max_step is None or n <= s.max_step:
        assert sched.get_last_lr() == [s(n)] * 2


@pytest.mark.parametrize("s", SCHEDULES, ids=repr)
def test_save_and_resume_continues_at_the_right_step(s, tmp_path):
    model, opt = _model_and_opt()
    sched = lrbook.as_torch_scheduler(opt, s)
    first = _train_steps(model, opt, sched, 37)
    buf = io.BytesIO()
    torch.save({"opt": opt.state_dict(), "sched": sched.state_dict()}, buf)

    model2, opt2 = _model_and_opt()
    sched2 = lrbook.as_torch_scheduler(opt2, s)
    buf.seek(0)
    ckpt = torch.load(buf, weights_only=True)  # plain data only: no pickled objects
    opt2.load_state_dict(ckpt["opt"])
    sched2.load_state_dict(ckpt["sched"])
    rest = _train_steps(model2, opt2, sched2, 40)
    got = np.array([row[0] for row in first + rest])
    assert np.array_equal(got, s(np.arange(77)))


def test_resume_refuses_a_different_schedule():
    _, opt = _model_and_opt()
    state = lrbook.as_torch_scheduler(opt, lrbook.step_decay(0.1, 5)).state_dict()
    _, opt2 = _model_and_opt()
    other = lrbook.as_torch_scheduler(opt2, lrbook.step_decay(0.1, 6))
    with pytest.raises(ValueError, match="saved for schedule step_decay"):
        other.load_state_dict(state)


def test_plateau_becomes_torch_plateau():
    _, opt = _model_and_opt()
    p = lrbook.ReduceLROnPlateau(0.1, patience=0, factor=0.5)
    sched = lrbook.as_torch_scheduler(opt, p)
    assert isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau)
    for v in [1.0, 1.0, 1.0]:
        opt.step()
        sched.step(v)
        assert opt.param_groups[0]["lr"] == p.step(v)


def test_half_used_plateau_keeps_its_progress():
    p = lrbook.ReduceLROnPlateau(0.1, patience=2)
    for v in [1.0, 1.0, 1.0]:  # best 1.0, two bad epochs so far
        p.step(v)
    _, opt = _model_and_opt()
    sched = lrbook.as_torch_scheduler(opt, p)
    opt.step()
    sched.step(1.0)  # the third bad epoch: both cut now
    assert opt.param_groups[0]["lr"] == p.step(1.0) == pytest.approx(0.01)


def test_bad_arguments():
    _, opt = _model_and_opt()
    with pytest.raises(TypeError, match="optimizer must be a torch.optim.Optimizer"):
        lrbook.as_torch_scheduler("sgd", lrbook.constant(0.1))
    with pytest.raises(TypeError, match="schedule must be an lrbook Schedule"):
        lrbook.as_torch_scheduler(opt, lambda t: 0.1)
    with pytest.raises(ValueError, match="n must be <= 10"):
        torch_reference(lrbook.one_cycle(0.1, 10), 11)
    with pytest.raises(ValueError, match="share|start from"):
        native_torch_scheduler(
            opt,
            lrbook.sequential(
                [lrbook.linear(0.1), lrbook.cosine_annealing(0.2, 5)], [5]
            ),
        )


def test_native_scheduler_classes():
    _, opt = _model_and_opt()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kinds = {
            s.name: type(native_torch_scheduler(opt, s)).__name__ for s in SCHEDULES
        }
    assert kinds == {
        "constant": "NoneType",
        "step_decay": "StepLR",
        "multistep_decay": "MultiStepLR",
        "exponential_decay": "ExponentialLR",
        "linear": "LinearLR",
        "cosine_annealing": "CosineAnnealingLR",
        "cosine_warm_restarts": "CosineAnnealingWarmRestarts",
        "cyclic": "CyclicLR",
        "one_cycle": "OneCycleLR",
        "sequential": "SequentialLR",
    }


# ------------------------------------------------------------------ record_rates


def _sgd(lr=0.1, **kwargs):
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr, **kwargs)


def _by_hand(scheduler, n, final_step=True):
    """The loop record_rates replaces: read, optimizer.step(), scheduler.step()."""
    opt, out = scheduler.optimizer, []
    for t in range(n):
        out.append(opt.param_groups[0]["lr"])
        if final_step or t < n - 1:
            opt.step()
            scheduler.step()
    return out


@settings(max_examples=40, deadline=None)
@given(
    step_size=st.integers(1, 20),
    gamma=st.floats(0.05, 1.0),
    n=st.integers(1, 80),
    final_step=st.booleans(),
)
def test_record_rates_equals_the_hand_written_loop(step_size, gamma, n, final_step):
    tls = torch.optim.lr_scheduler
    got = record_rates(tls.StepLR(_sgd(), step_size, gamma), n, final_step=final_step)
    want = _by_hand(tls.StepLR(_sgd(), step_size, gamma), n, final_step)
    assert got.dtype == np.float64 and got.shape == (n,)
    assert got.tolist() == want


@settings(max_examples=30, deadline=None)
@given(s=st.sampled_from(SCHEDULES), n=st.integers(1, 60), first=st.integers(1, 60))
def test_record_rates_follows_a_schedule_and_continues_where_it_stopped(s, n, first):
    sched = lrbook.as_torch_scheduler(_sgd(), s)
    head = record_rates(sched, first)
    tail = record_rates(sched, n)
    assert np.array_equal(np.concatenate([head, tail]), s(np.arange(first + n)))


@pytest.mark.parametrize("adam", [False, True])
def test_record_rates_records_the_momentum_that_cycle_momentum_moves(adam):
    total = 40
    p = [torch.zeros(1, requires_grad=True)]
    opt = torch.optim.Adam(p, lr=0.1) if adam else torch.optim.SGD(p, 0.1, 0.9)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.4, total_steps=total)
    lrs, ms = record_rates(sched, total, momentum=True, final_step=False)
    t = np.arange(total)
    assert np.array_equal(lrs, lrbook.one_cycle(0.4, total)(t))
    assert np.array_equal(ms, lrbook.one_cycle_momentum(total)(t))


def test_record_rates_refuses_what_it_cannot_step():
    opt = _sgd()
    tls = torch.optim.lr_scheduler
    with pytest.raises(TypeError, match="scheduler must be"):
        record_rates(opt, 3)
    with pytest.raises(TypeError, match=r"scheduler\.step\(metric\)"):
        record_rates(tls.ReduceLROnPlateau(opt), 3)
    sched = tls.StepLR(opt, 2)
    with pytest.raises(TypeError, match="n must be an integer"):
        record_rates(sched, 2.0)
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        record_rates(sched, 0)
    with pytest.raises(TypeError, match="momentum must be True or False"):
        record_rates(sched, 2, momentum=1)
    with pytest.raises(TypeError, match="final_step must be True or False"):
        record_rates(sched, 2, final_step="no")
    with pytest.raises(ValueError, match="has no momentum"):
        record_rates(
            tls.StepLR(torch.optim.Adagrad([torch.zeros(1)], lr=0.1), 2),
            2,
            momentum=True,
        )
    one_cycle = tls.OneCycleLR(_sgd(), max_lr=0.1, total_steps=3)
    with pytest.raises(ValueError, match="total steps is 3"):
        record_rates(one_cycle, 4)
