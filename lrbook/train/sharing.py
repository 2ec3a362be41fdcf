"""Runs that begin alike train their common beginning once.

In a comparison, runs often share their first epochs: step decay *is* the constant
rate until its first drop, so ``compare({"constant 0.1": 0.1, "drop at 6":
multistep_decay(0.1, [6]), ...})`` trains the same six epochs again for every seed.
Two runs with the same seed and the same settings (data, network, optimizer, batch size,
epochs...) whose schedules give exactly the same rates and momenta during their first
``k`` epochs compute exactly the same first ``k`` epochs: the same initial network, the
same order of the examples, the same updates, the same measurements. :func:`plan` finds
such runs; :func:`fit_shared` trains their common epochs once, copies the state where
their schedules part (the network, the optimizer's state, the order of the examples,
the random state and the records so far) and goes on with each schedule. Every history
is bit for bit the one :func:`~lrbook.train.fit` computes on its own (the tests check
it); only the wall times it records differ.

Only lrbook schedules (and constant rates) on the CPU are shared this way: their rates
are known before training, at every step. Reduce-on-plateau and PyTorch schedulers
decide as they go, and train on their own.

Examples:
    >>> import lrbook
    >>> from lrbook.train import sharing
    >>> runs = [dict(schedule=s, seed=0, epochs=4, step_per="epoch")
    ...         for s in (0.1, lrbook.multistep_decay(0.1, [2], 0.1), 0.01)]
    >>> sharing.plan(runs)  # the first two share epochs 1 and 2
    [[0, 1], [2]]
"""

from __future__ import annotations

import copy
import inspect
import numbers
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ..schedules import Schedule, constant
from .context import deterministic_run, resolve_data
from .fitting import _EpochRecord, _Run, configure, fit

__all__ = ["plan", "fit_shared"]

_FIT = inspect.signature(fit)


def _arguments(kwargs: dict) -> dict:
    """Every argument of ``fit(**kwargs)``, defaults filled in (TypeError for an
    argument ``fit`` does not take, as ``fit`` raises)."""
    bound = _FIT.bind(**kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)


def _token(value):
    """A hashable stand-in for an argument: equal values of plain types compare
    equal; anything else (data, a model function...) only to itself."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return (type(value).__name__, value)
    if isinstance(value, tuple) and all(
        v is None or isinstance(v, (bool, int, float, str)) for v in value
    ):
        return ("tuple", value)
    return ("id", id(value))


def _setting(arguments: dict):
    """What two runs must share to share epochs: every argument but the schedules
    (whose rates and momenta :func:`_chunks` compares)."""
    return tuple(
        (name, _token(value))
        for name, value in sorted(arguments.items())
        if name not in ("schedule", "momentum_schedule")
    )


def _chunks(rates: list, momenta: list | None, step_per: str, epochs: int, per_epoch):
    """The rates (and momenta) of each epoch's updates, one hashable item per epoch."""
    out = []
    for e in range(epochs):
        part = slice(e * per_epoch, (e + 1) * per_epoch) if step_per == "batch" else (
            slice(e, e + 1)
        )
        out.append(
            (tuple(rates[part]), None if momenta is None else tuple(momenta[part]))
        )
    return out


def _planned_chunks(arguments: dict):
    """The epochs' rates of a run as ``fit`` would set them, or None if the run does
    not qualify (not an lrbook schedule on the CPU, or arguments ``fit`` refuses)."""
    schedule = arguments["schedule"]
    momentum_schedule = arguments["momentum_schedule"]
    if isinstance(schedule, numbers.Real) and not isinstance(schedule, bool):
        schedule = constant(float(schedule))
    if not isinstance(schedule, Schedule):
        return None
    if momentum_schedule is not None and not isinstance(momentum_schedule, Schedule):
        return None
    if not isinstance(arguments["optimizer"], str) or isinstance(
        arguments["model"], torch.nn.Module
    ):
        return None
    device = arguments["device"]
    if device is None:
        if torch.cuda.is_available():
            return None
    elif torch.device(device).type != "cpu":
        return None
    step_per = arguments["step_per"] or "batch"
    epochs, batch_size = arguments["epochs"], arguments["batch_size"]
    data = resolve_data(arguments["data"], arguments["validation"])
    n_train = arguments["n_train"] or data.n_train
    per_epoch = -(-n_train // batch_size)
    n_steps = epochs * per_epoch if step_per == "batch" else epochs
    steps = np.arange(n_steps)
    rates = schedule(steps).tolist()
    momenta = None if momentum_schedule is None else momentum_schedule(steps).tolist()
    return _chunks(rates, momenta, step_per, epochs, per_epoch)


def plan(runs: Sequence[dict]) -> list[list[int]]:
    """Group the runs (keyword arguments of :func:`~lrbook.train.fit`) that share
    their first epoch, the rest alone; the groups that train the most epochs first.

    Returns:
        Lists of indices into ``runs``, each index once: a list of two or more is
        for :func:`fit_shared`, a list of one for ``fit``.
    """
    groups: dict = {}
    costs: dict = {}
    for i, kwargs in enumerate(runs):
        try:
            arguments = _arguments(kwargs)
            chunks = _planned_chunks(arguments)
            key = (_setting(arguments), chunks[0]) if chunks else ("alone", i)
        except Exception:  # fit will report it, on its own
            chunks, key = None, ("alone", i)
        groups.setdefault(key, []).append(i)
        prefixes = costs.setdefault(key, set())
        if chunks is None:
            prefixes.update(("alone", e) for e in range(_epochs(kwargs)))
        else:
            prefixes.update(hash(tuple(chunks[: e + 1])) for e in range(len(chunks)))
    order = sorted(groups, key=lambda k: -len(costs[k]))  # stable: ties keep order
    return [groups[k] for k in order]


def _epochs(kwargs: dict) -> int:
    epochs = kwargs.get("epochs", _FIT.parameters["epochs"].default)
    return epochs if isinstance(epochs, int) and 0 < epochs < 10**6 else 1


@dataclass
class _Snapshot:
    """The state of a run between two epochs."""

    net: dict
    optimizer: list
    loop: dict
    record: _EpochRecord
    rng: torch.Tensor


def _params(run: _Run) -> list[torch.Tensor]:
    return [p for group in run.driver.optimizer.param_groups for p in group["params"]]


def _clone(value):
    return value.detach().clone() if isinstance(value, torch.Tensor) else (
        copy.deepcopy(value)
    )


def _snapshot(run: _Run, loop, record: _EpochRecord) -> _Snapshot:
    state = run.driver.optimizer.state
    return _Snapshot(
        net={k: v.detach().clone() for k, v in run.net.state_dict().items()},
        optimizer=[
            {k: _clone(v) for k, v in state[p].items()} if p in state else None
            for p in _params(run)
        ],
        loop=loop.snapshot(),
        record=copy.deepcopy(record),
        rng=torch.get_rng_state(),
    )


def _resume(run: _Run, snapshot: _Snapshot, epoch: int):
    """Put ``snapshot`` (taken after ``epoch`` epochs) into ``run``: its network, its
    optimizer's state, a new loop and records; its schedule at that point."""
    run.net.load_state_dict(snapshot.net)  # copies the values into the parameters
    state = run.driver.optimizer.state
    for p, saved in zip(_params(run), snapshot.optimizer, strict=True):
        state.pop(p, None)
        if saved is not None:
            state[p] = {k: _clone(v) for k, v in saved.items()}
    loop = run.minibatch_loop(None)
    loop.restore(snapshot.loop)
    torch.set_rng_state(snapshot.rng)
    run.driver.seek(epoch * run.updates_per_epoch if run.step_per == "batch" else epoch)
    return loop, copy.deepcopy(snapshot.record)


def fit_shared(runs: Sequence[dict]) -> list:
    """``[fit(**kwargs) for kwargs in runs]``, training the epochs that runs share
    once (see the module). Runs that cannot share (settings that differ, schedules
    that are not lrbook schedules, a GPU) are trained one by one.

    A run that raises gets the attribute ``lrbook_run``: its index in ``runs``.
    """
    runs = list(runs)
    prepared, failed = [], None
    for i, kwargs in enumerate(runs):
        try:
            arguments = _arguments(kwargs)
            schedule = arguments.pop("schedule")
            prepared.append((arguments, configure(schedule, **arguments)))
        except Exception as exc:
            exc.lrbook_run = i
            failed = exc
            break
    if failed is not None:
        raise failed
    settings = {_setting(a) for a, _ in prepared}
    set_up = [r for _, (r, _, _) in prepared]
    if len(settings) != 1 or not all(_shareable(r) for r in set_up):
        return [_alone(kwargs, i) for i, kwargs in enumerate(runs)]
    num_threads = prepared[0][1][2]
    chunks = [
        _chunks(
            r.driver._rates,
            None if r.driver.momentum_schedule is None else r.driver._momenta,
            r.step_per,
            r.epochs,
            r.updates_per_epoch,
        )
        for r in set_up
    ]
    out: list = [None] * len(runs)
    first = set_up[0]
    with deterministic_run(first.prepared.device, num_threads, first.seed) as threads:
        _grow(set_up, chunks, list(range(len(runs))), 0, 0, None, None, out, threads)
    for history in out:
        if history.diverged:
            warnings.warn(history.message, RuntimeWarning, stacklevel=2)
    return out


def _shareable(run: _Run) -> bool:
    return run.driver.kind == "schedule" and run.prepared.device.type == "cpu"


def _alone(kwargs: dict, i: int):
    try:
        return fit(**kwargs)
    except Exception as exc:
        exc.lrbook_run = i
        raise


def _grow(runs, chunks, members, epoch, carrier, loop, record, out, threads):
    """Train ``members`` (indices of runs that share their first ``epoch`` epochs,
    held by run ``carrier``'s network, ``loop`` and ``record``) to their ends."""
    run = runs[carrier]
    if loop is None:
        loop, record = run.minibatch_loop(None), _EpochRecord()
    while not loop.stopped and epoch < run.epochs:
        children: dict = {}
        for m in members:
            children.setdefault(chunks[m][epoch], []).append(m)
        if len(children) > 1:
            break
        try:
            run.train_epoch(loop, record, epoch)
        except Exception as exc:
            exc.lrbook_run = carrier
            raise
        epoch += 1
    else:
        _finish(runs, members, carrier, loop, record, out, threads)
        return
    snapshot = _snapshot(run, loop, record)
    # The carrier's own branch goes on from the live state; the others from copies.
    branches = sorted(children.values(), key=lambda ms: carrier not in ms)
    for k, branch in enumerate(branches):
        if k == 0 and carrier in branch:
            _grow(runs, chunks, branch, epoch, carrier, loop, record, out, threads)
            continue
        head = branch[0]
        head_loop, head_record = _resume(runs[head], snapshot, epoch)
        _grow(runs, chunks, branch, epoch, head, head_loop, head_record, out, threads)


def _finish(runs, members, carrier, loop, record, out, threads) -> None:
    """The history of every member (they trained alike to the end)."""
    weights = runs[carrier].net.state_dict()
    for m in members:
        if m != carrier:
            runs[m].net.load_state_dict(weights)
        out[m] = runs[m].history(loop, record, threads)
