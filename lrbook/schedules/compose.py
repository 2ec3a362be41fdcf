r"""Schedules made of schedules: one after another, multiplied, warmed up, per epoch.

:func:`sequential` is PyTorch's ``SequentialLR``, :func:`chained` its
``ChainedScheduler``, :func:`warmup` the ``SequentialLR([LinearLR(...), ...])`` that
modern recipes start with, and :func:`per_epoch` a schedule stepped once per epoch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import _checks as check
from .core import Schedule, make_schedule
from .decay import linear, ramp_torch
from .registry import Parameter, declaration, declare, torch_scheduler

__all__ = ["chained", "per_epoch", "sequential", "warmup"]


def _schedule_list(schedules, *, minimum: int) -> list[Schedule]:
    """``schedules`` as a list of at least ``minimum`` Schedule objects."""
    if isinstance(schedules, Schedule) or not isinstance(schedules, Sequence):
        raise TypeError(
            f"schedules must be a list of Schedule objects, got {schedules!r}"
        )
    schedules = list(schedules)
    for i, s in enumerate(schedules):
        if not isinstance(s, Schedule):
            raise TypeError(
                f"schedules[{i}] must be a Schedule (made by an lrbook "
                f"factory), got {s!r} ({type(s).__name__})"
            )
    if len(schedules) < minimum:
        raise ValueError(
            f"schedules must hold at least {minimum} schedules, got {len(schedules)}"
        )
    return schedules


def _shared_rate(optimizer, schedules, pytorch_class: str) -> None:
    """Set the optimizer's rate to the one ``lr`` every part shares (as PyTorch
    needs: all its schedulers multiply the optimizer's initial rate)."""
    rates = {s.params["lr"] for s in schedules if "lr" in s.params}
    if len(rates) > 1:
        raise ValueError(
            f"PyTorch's {pytorch_class} needs every schedule to start from"
            f" the optimizer's rate; these use {sorted(rates)}"
        )
    if rates:
        rate = rates.pop()
        for group in optimizer.param_groups:
            group["lr"] = rate


def _sequential_torch(tls, optimizer, p):
    _shared_rate(optimizer, p["schedules"], "SequentialLR")
    parts = [torch_scheduler(optimizer, s) for s in p["schedules"]]
    if any(part is None for part in parts):
        raise ValueError(
            "constant() has no PyTorch scheduler to put in a "
            "SequentialLR; use linear(lr, 1.0, 1.0, 1) instead"
        )
    return tls.SequentialLR(optimizer, parts, p["milestones"])


@declare(
    family="compose",
    pytorch="SequentialLR",
    torch=_sequential_torch,
    parameters={"milestones": Parameter(None, "steps")},
)
def sequential(schedules: Sequence[Schedule], milestones: Sequence[int]) -> Schedule:
    r"""Run schedules one after another, switching at the milestones.

    .. math::
        \alpha_t = s_i(t - m_i) \quad \text{for } m_i \le t < m_{i+1},

    with :math:`m_0 = 0`: schedule :math:`s_i` starts from its own step 0 at milestone
    :math:`m_i`. The classic use is a warm-up followed by a decay.

    Args:
        schedules: two or more :class:`Schedule` objects.
        milestones: ``len(schedules) - 1`` strictly increasing steps :math:`\ge 1`.

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> from lrbook import cosine_annealing, linear
        >>> ramp = linear(0.1, start_factor=0.1, total_iters=5)
        >>> decay = cosine_annealing(0.1, t_max=95)
        >>> s = sequential([ramp, decay], milestones=[5])
        >>> round(s(0), 12), s(5), round(s(100), 12)
        (0.01, 0.1, 0.0)

    PyTorch equivalent: ``torch.optim.lr_scheduler.SequentialLR(optimizer, schedulers,
    milestones)``. In PyTorch all the schedulers share the optimizer's initial rate as
    their base rate; give the lrbook schedules the same ``lr`` to match it.
    """
    schedules = _schedule_list(schedules, minimum=2)
    ms = check.increasing_integers("milestones", milestones, minimum=1)
    if len(ms) != len(schedules) - 1:
        raise ValueError(
            f"milestones must hold len(schedules) - 1 = {len(schedules) - 1}"
            f" steps, got {len(ms)}: {list(ms)}"
        )
    starts = (0, *ms)
    for i, s in enumerate(schedules[:-1]):
        span = starts[i + 1] - starts[i]
        if s.max_step is not None and s.max_step < span - 1:
            raise ValueError(
                f"schedules[{i}] = {s!r} is defined for {s.max_step + 1} "
                f"steps but must run for {span} (milestones {list(ms)})"
            )
    last = schedules[-1]
    max_step = None if last.max_step is None else starts[-1] + last.max_step
    edges = np.asarray(ms, dtype=np.int64)
    offsets = np.asarray(starts, dtype=np.int64)

    def fn(t):
        idx = np.searchsorted(edges, t, side="right")
        local = t - offsets[idx]
        out = np.empty(t.shape, dtype=np.float64)
        for i, s in enumerate(schedules):
            here = idx == i
            if here.any():
                out[here] = s._eval(local[here])
        return out

    return make_schedule(
        sequential,
        {"schedules": schedules, "milestones": list(ms)},
        fn,
        max_step=max_step,
    )


def _chained_torch(tls, optimizer, p):
    _shared_rate(optimizer, p["schedules"], "ChainedScheduler")
    parts = [torch_scheduler(optimizer, s, set_lr=False) for s in p["schedules"]]
    return tls.ChainedScheduler(parts, optimizer)


@declare(
    family="compose", pytorch="ChainedScheduler", torch=_chained_torch, parameters={}
)
def chained(schedules: Sequence[Schedule]) -> Schedule:
    r"""Multiply schedules together, as PyTorch's ``ChainedScheduler`` does.

    .. math::
        \alpha_t = \alpha_0 \prod_i \frac{s_i(t)}{\alpha_0}

    where every :math:`s_i` starts from the same rate :math:`\alpha_0`. PyTorch steps
    each chained scheduler in turn, and each *multiplies* the optimizer's current
    rate by its own step-to-step ratio. That equals the product of the formulas only
    for multiplicative schedules, so only those are accepted: ``step_decay``,
    ``multistep_decay``, ``exponential_decay``, ``linear``, ``constant_factor``,
    ``polynomial_decay`` and ``cosine_annealing`` with ``eta_min=0``, the last one up
    to its ``t_max`` only (after it PyTorch *adds* a term to restart the cosine from
    0, and the product no longer holds). Schedules that overwrite the rate
    (``cyclic``, ``one_cycle``, ``cosine_warm_restarts``, the ``LambdaLR`` of
    ``inverse_time_decay``) or combine others are refused with the reason.

    Args:
        schedules: one or more multiplicative :class:`Schedule` objects with the same
            ``lr``.

    Returns:
        A :class:`Schedule` (defined up to the smallest ``t_max`` of its cosines).

    Raises:
        TypeError: ``schedules`` is not a list of schedules.
        ValueError: a schedule that PyTorch cannot chain exactly, or different
            ``lr`` values (the message names the schedule and why).

    Examples:
        >>> from lrbook import exponential_decay, linear
        >>> s = chained([linear(0.1, start_factor=0.5, total_iters=2),
        ...              exponential_decay(0.1, gamma=0.5)])
        >>> [round(s(t), 12) for t in range(4)]
        [0.05, 0.0375, 0.025, 0.0125]

    PyTorch equivalent: ``torch.optim.lr_scheduler.ChainedScheduler([LinearLR(opt,
    0.5, total_iters=2), ExponentialLR(opt, 0.5)], opt)``.
    """
    schedules = _schedule_list(schedules, minimum=1)
    max_steps = []
    for i, s in enumerate(schedules):
        decl = declaration(s.name)
        reason = (
            f"PyTorch's {decl.pytorch or s.name} overwrites the rate or combines"
            f" others, so it cannot be chained"
            if decl.chain_refusal is None
            else decl.chain_refusal(s.params)
        )
        if reason:
            raise ValueError(f"schedules[{i}] = {s!r} cannot be chained: {reason}")
        if decl.chain_max_step is not None:
            max_steps.append(decl.chain_max_step(s.params))
    rates = sorted({s.params["lr"] for s in schedules})
    if len(rates) > 1:
        raise ValueError(
            f"schedules must all start from the same lr (PyTorch chains the"
            f" optimizer's one rate), got lr values {rates}"
        )
    lr = rates[0]

    def fn(t):
        if lr == 0:
            return np.zeros(t.shape)
        product = np.full(t.shape, lr)
        for s in schedules:
            product *= s._eval(t) / lr
        return product

    return make_schedule(
        chained, {"schedules": schedules}, fn, max_step=min(max_steps, default=None)
    )


def _warmup_torch(tls, optimizer, p):
    inner = p["schedule"]
    _shared_rate(optimizer, [inner], "SequentialLR")
    ramp = ramp_torch(tls, optimizer, p["start_factor"], 1.0, p["steps"])
    if inner.name == "constant":  # nothing after the ramp: LinearLR alone
        return ramp
    after = torch_scheduler(optimizer, inner)
    return tls.SequentialLR(optimizer, [ramp, after], [p["steps"]])


@declare(
    family="compose",
    pytorch="SequentialLR",
    torch=_warmup_torch,
    parameters={"steps": Parameter("T_w", "steps"), "start_factor": Parameter("f_s")},
)
def warmup(schedule: Schedule, steps: int, start_factor: float = 1.0 / 3) -> Schedule:
    r"""A linear warm-up of ``steps`` updates, then ``schedule`` from its step 0.

    .. math::
        \alpha_t = \begin{cases}
            \alpha_0 \left(f_s + (1 - f_s)\,t / T_w\right) & t < T_w \\
            s(t - T_w) & t \ge T_w
        \end{cases}

    where :math:`\alpha_0` is the ``lr`` of ``schedule`` (:math:`s`), :math:`T_w` is
    ``steps`` and :math:`f_s` is ``start_factor``. The ramp ends just below
    :math:`\alpha_0` and the schedule starts at :math:`s(0) = \alpha_0`, so the two
    phases join. This is shorthand for ``sequential([linear(lr, start_factor, 1.0,
    steps), schedule], [steps])``.

    Args:
        schedule: a :class:`Schedule` with an ``lr`` (``one_cycle`` warms up already;
            ``cyclic`` has no single base rate).
        steps: :math:`T_w \ge 1`, the length of the warm-up in updates.
        start_factor: :math:`f_s \in [0, 1]`, the first rate as a fraction of
            :math:`\alpha_0` (default 1/3, as PyTorch's ``LinearLR``; 0 warms up
            from 0, as Hugging Face, Keras and optax do).

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> from lrbook import cosine_annealing
        >>> s = warmup(cosine_annealing(0.1, t_max=100), steps=5, start_factor=0.2)
        >>> [round(s(t), 12) for t in (0, 1, 4, 5)]
        [0.02, 0.036, 0.084, 0.1]

    PyTorch equivalent: ``SequentialLR(opt, [LinearLR(opt, start_factor, 1.0,
    steps), CosineAnnealingLR(opt, 100)], milestones=[steps])`` (for a constant
    rate after the warm-up, ``LinearLR(opt, start_factor, 1.0, steps)`` alone).

    References:
        Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour", 2017
        (gradual warm-up).
    """
    if not isinstance(schedule, Schedule):
        raise TypeError(
            f"schedule must be a Schedule (made by an lrbook factory), got "
            f"{schedule!r} ({type(schedule).__name__})"
        )
    if "lr" not in schedule.params:
        raise ValueError(
            f"schedule must have a base rate lr to warm up to, got {schedule!r}"
            " (one_cycle has its own warm-up: use its pct_start)"
        )
    steps = check.integer("steps", steps, minimum=1)
    ramp = linear(schedule.params["lr"], start_factor, 1.0, steps)
    both = sequential([ramp, schedule], [steps])
    params = {
        "schedule": schedule,
        "steps": steps,
        "start_factor": ramp.params["start_factor"],
    }
    return make_schedule(warmup, params, both._eval, max_step=both.max_step)


@declare(
    family="compose",
    pytorch=None,
    torch=None,
    parameters={"steps_per_epoch": Parameter("B", "updates")},
)
def per_epoch(schedule: Schedule, steps_per_epoch: int) -> Schedule:
    r"""Hold a schedule constant within each epoch: step it once per epoch.

    .. math::
        \alpha_t = s\left(\lfloor t / B \rfloor\right)

    where :math:`B` is the number of updates (batches) per epoch and :math:`s` is the
    schedule, read in epochs. This is what happens in PyTorch when
    ``scheduler.step()`` is called once per epoch instead of once per batch.

    Args:
        schedule: an lrbook :class:`Schedule` whose step counts epochs.
        steps_per_epoch: :math:`B \ge 1`.

    Returns:
        A :class:`Schedule` whose step counts updates.

    Examples:
        >>> from lrbook import step_decay
        >>> s = per_epoch(step_decay(0.1, step_size=2, gamma=0.5), steps_per_epoch=3)
        >>> [s(t) for t in range(7)]
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05]

    PyTorch equivalent: the same scheduler with ``scheduler.step()`` at the end of
    every epoch rather than after every ``optimizer.step()``.
    """
    if not isinstance(schedule, Schedule):
        raise TypeError(
            f"schedule must be a Schedule (made by an lrbook factory), got "
            f"{schedule!r} ({type(schedule).__name__})"
        )
    b = check.integer("steps_per_epoch", steps_per_epoch, minimum=1)
    max_step = None if schedule.max_step is None else (schedule.max_step + 1) * b - 1
    return make_schedule(
        per_epoch,
        {"schedule": schedule, "steps_per_epoch": b},
        lambda t: schedule._eval(t // b),
        max_step=max_step,
    )
