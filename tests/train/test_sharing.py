"""Runs that share their first epochs train them once (lrbook.train.sharing).

Every history of a shared training must be bit for bit the one ``fit`` computes on its
own: every curve, the divergence and its message, the settings and the trained weights.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import lrbook
from lrbook.data import book_slice
from lrbook.train import fit
from lrbook.train.sharing import fit_shared, plan

CURVES = (
    "lr",
    "loss",
    "momentum",
    "train_loss",
    "train_accuracy",
    "test_loss",
    "test_accuracy",
    "val_loss",
    "val_accuracy",
)
SMALL = {"n_train": 320, "n_test": 100, "progress": False}  # 5 updates per epoch


def dropout_mlp() -> torch.nn.Module:
    """A network that draws from PyTorch's global random state while it trains."""
    return torch.nn.Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(784, 32),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.5),
        torch.nn.Linear(32, 10),
    )


def differences(a, b) -> list[str]:
    """What differs between two histories (the wall times apart)."""
    out = [
        c
        for c in CURVES
        if getattr(a, c).shape != getattr(b, c).shape
        or getattr(a, c).tobytes() != getattr(b, c).tobytes()
    ]
    out += [
        k
        for k in ("diverged", "message", "config", "updates_per_epoch")
        if getattr(a, k) != getattr(b, k)
    ]
    weights = zip(
        a.model.state_dict().values(), b.model.state_dict().values(), strict=True
    )
    if not all(torch.equal(p, q) for p, q in weights):
        out.append("model")
    return out


def quietly(function, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return function(*args)


def assert_as_alone(runs, tasks=None):
    """fit_shared(runs) equals one fit per run; the plan is ``tasks`` if given."""
    if tasks is not None:
        assert plan(runs) == tasks
    alone = [quietly(lambda r: fit(**r), r) for r in runs]
    shared = quietly(fit_shared, runs)
    assert [differences(a, b) for a, b in zip(alone, shared, strict=True)] == [
        [] for _ in runs
    ]
    return shared


CASES = {
    "per epoch, drops at different epochs": (
        [
            dict(schedule=s, seed=1, epochs=5, step_per="epoch", **SMALL)
            for s in (
                0.1,
                lrbook.step_decay(0.1, 2, 0.1),
                lrbook.multistep_decay(0.1, [3], 0.1),
                lrbook.multistep_decay(0.1, [1, 3], 0.5),
                0.1,  # the same schedule twice: the same history twice
            )
        ],
        [[0, 1, 2, 3, 4]],
    ),
    "per batch, a drop inside an epoch": (
        [
            dict(schedule=s, seed=0, epochs=3, **SMALL)
            for s in (
                0.05,
                lrbook.step_decay(0.05, 10, 0.1),  # parts after 2 epochs
                lrbook.step_decay(0.05, 12, 0.1),  # in the third epoch
                lrbook.cosine_annealing(0.05, t_max=15),  # from the second update
            )
        ],
        [[0, 1, 2], [3]],
    ),
    "AdamW with weight decay": (
        [
            dict(schedule=s, seed=2, epochs=3, optimizer="adamw", weight_decay=0.1,
                 **SMALL)
            for s in (0.003, lrbook.step_decay(0.003, 10, 0.1))
        ],
        [[0, 1]],
    ),
    "momentum schedules": (
        [
            dict(schedule=lrbook.step_decay(0.05, 10, 0.1), momentum_schedule=m,
                 seed=0, epochs=3, **SMALL)
            for m in (
                lrbook.constant(0.9),
                lrbook.step_decay(0.9, 10, 0.5),
                lrbook.constant(0.9),
            )
        ],
        [[0, 1, 2]],
    ),
    "the CNN": (
        [
            dict(schedule=s, seed=0, epochs=2, model="cnn", batch_size=32, n_train=96,
                 n_test=50, progress=False)
            for s in (0.05, lrbook.step_decay(0.05, 3, 0.1))
        ],
        [[0, 1]],
    ),
    "a network with dropout (the global random state)": (
        [
            dict(schedule=s, seed=4, epochs=3, model=dropout_mlp, **SMALL)
            for s in (0.05, lrbook.step_decay(0.05, 10, 0.1))
        ],
        [[0, 1]],
    ),
    "different seeds do not share": (
        [
            dict(schedule=s, seed=k, epochs=2, **SMALL)
            for s in (0.05, lrbook.step_decay(0.05, 5, 0.1))
            for k in (0, 1)
        ],
        [[0, 2], [1, 3]],
    ),
    "plateau and PyTorch schedulers train alone": (
        [
            dict(schedule=s, seed=0, epochs=2, **SMALL)
            for s in (
                0.05,
                lrbook.ReduceLROnPlateau(0.05),
                lrbook.step_decay(0.05, 5, 0.1),
                lambda opt: torch.optim.lr_scheduler.StepLR(opt, 1),
            )
        ],
        [[0, 2], [1], [3]],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_shared_runs_are_bit_identical_to_their_own_fits(case):
    runs, tasks = CASES[case]
    assert_as_alone(runs, tasks)


def test_runs_that_diverge_together_or_after_parting():
    together = [
        dict(schedule=s, seed=0, epochs=3, **SMALL)
        for s in (1e30, lrbook.step_decay(1e30, 10, 0.1))
    ]
    shared = assert_as_alone(together, [[0, 1]])
    assert all(h.diverged for h in shared)
    after = [
        dict(schedule=s, seed=0, epochs=3, **SMALL)
        for s in (0.05, lrbook.multistep_decay(0.05, [5], 1e30))
    ]
    shared = assert_as_alone(after, [[0, 1]])
    assert [h.diverged for h in shared] == [False, True]
    with pytest.warns(RuntimeWarning, match="diverged at update"):
        fit_shared(after)


def test_data_without_a_validation_split():
    data = book_slice(n_train=320, n_test=100)
    for validation in (None, 0):
        runs = [
            dict(schedule=s, seed=3, epochs=3, data=data, validation=validation,
                 progress=False)
            for s in (0.05, lrbook.step_decay(0.05, 10, 0.1))  # 4 or 5 per epoch
        ]
        assert_as_alone(runs, [[0, 1]])


def test_the_tasks_that_train_most_go_first():
    runs = [
        dict(schedule=s, seed=0, epochs=4, step_per="epoch", **SMALL)
        for s in (0.01, 0.1, lrbook.multistep_decay(0.1, [2], 0.1))
    ]
    assert plan(runs) == [[1, 2], [0]]  # 6 epochs to train, then 4


def test_a_run_that_raises_is_named_by_its_index():
    runs = [
        dict(schedule=0.05, seed=0, epochs=1, **SMALL),
        dict(schedule=0.05, seed=0, epochs=1, batch_size=10**6, **SMALL),
    ]
    with pytest.raises(ValueError, match="batch_size") as info:
        fit_shared(runs)
    assert info.value.lrbook_run == 1


def test_compare_with_shared_epochs_gives_the_histories_of_fit():
    """compare groups the runs (here: step decay with the constant rate, per seed) in
    this process and in worker processes; every history is fit's own."""
    schedules = {
        "constant": 0.05,
        "step": lrbook.step_decay(0.05, 5, 0.1),
        "cosine": lrbook.cosine_annealing(0.05, t_max=10),
    }
    kwargs = dict(seeds=(0, 1), epochs=2, **SMALL)
    for jobs in (1, 2):
        result = lrbook.compare(schedules, jobs=jobs, **kwargs)
        for name, schedule in schedules.items():
            for seed, history in zip((0, 1), result.histories[name], strict=True):
                own = fit(schedule, seed=seed, epochs=2, **SMALL)
                for curve in CURVES:
                    assert np.array_equal(getattr(history, curve), getattr(own, curve))
