"""Drive a PyTorch optimizer along an lrbook schedule, and record the rates (and
momenta) a PyTorch scheduler sets.

torch is imported lazily (inside the functions), so ``import lrbook`` stays light.
"""

from __future__ import annotations

from .schedules import ReduceLROnPlateau, Schedule, registry

__all__ = [
    "as_torch_scheduler",
    "native_torch_scheduler",
    "record_rates",
    "torch_reference",
]


def as_torch_scheduler(optimizer, schedule):
    """Return a real PyTorch LR scheduler that follows ``schedule`` exactly.

    After construction the optimizer's learning rate is ``schedule(0)``; after ``t``
    calls of ``scheduler.step()`` (each after ``optimizer.step()``) it is
    ``schedule(t)``, for every parameter group. The result is a
    ``torch.optim.lr_scheduler.LRScheduler``: ``get_last_lr()``, ``state_dict()`` and
    ``load_state_dict()`` work as usual, and the state dict holds plain numbers only
    (it can be saved with ``torch.save`` and loaded with ``weights_only=True``).

    Passing an :class:`lrbook.ReduceLROnPlateau` returns PyTorch's own
    ``ReduceLROnPlateau`` with the same settings (call ``step(metric)`` on it).

    Precision: with a float learning rate (``SGD(params, lr=0.1)``) the optimizer's
    rate is ``schedule(t)`` exactly, a float64. An optimizer built with a *tensor*
    learning rate (``lr=torch.tensor(0.1)``, as for capturable or compiled
    optimizers) keeps it in that tensor, float32 by default, and PyTorch writes each
    new rate into it: the rates then equal ``schedule(t)`` to float32 precision
    (relative error about 6e-8), not bit for bit.

    Args:
        optimizer: a ``torch.optim.Optimizer``.
        schedule: an lrbook :class:`~lrbook.schedules.Schedule` (or a
            :class:`~lrbook.ReduceLROnPlateau`).

    Returns:
        A ``torch.optim.lr_scheduler.LRScheduler``.

    Examples:
        >>> import torch, lrbook
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = as_torch_scheduler(opt, lrbook.step_decay(0.1, step_size=2))
        >>> record_rates(sched, 4).round(12).tolist()  # the rates of 4 updates
        [0.1, 0.1, 0.01, 0.01]
    """
    import torch

    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(
            f"optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}"
        )
    if isinstance(schedule, ReduceLROnPlateau):
        for group in optimizer.param_groups:
            group["lr"] = schedule.lr
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer,
            mode=schedule.mode,
            factor=schedule.factor,
            patience=schedule.patience,
            threshold=schedule.threshold,
            threshold_mode=schedule.threshold_mode,
            cooldown=schedule.cooldown,
            min_lr=schedule.min_lr,
            eps=schedule.eps,
        )
        # Carry over the progress of a half-used object (best value, patience...).
        state = schedule.state_dict()
        state.pop("lr")
        for key, value in state.items():
            setattr(sched, key, value)
        return sched
    if not isinstance(schedule, Schedule):
        raise TypeError(
            f"schedule must be an lrbook Schedule or ReduceLROnPlateau, got "
            f"{schedule!r} ({type(schedule).__name__})"
        )
    return _scheduler_class()(optimizer, schedule)


_CLASS = None


def _scheduler_class():
    """Define the LRScheduler subclass on first use (torch is imported lazily)."""
    global _CLASS
    if _CLASS is None:
        from torch.optim.lr_scheduler import LRScheduler

        class LrbookScheduler(LRScheduler):
            """A PyTorch LRScheduler whose rate at step t is ``schedule(t)``."""

            def __init__(self, optimizer, schedule):
                self.schedule = schedule
                super().__init__(optimizer)

            def get_lr(self):
                lr = self.schedule(self.last_epoch)
                return [lr for _ in self.optimizer.param_groups]

            _get_closed_form_lr = get_lr

            def state_dict(self):
                state = super().state_dict()
                state.pop("schedule", None)
                state["schedule_repr"] = repr(self.schedule)
                return state

            def load_state_dict(self, state_dict):
                state = dict(state_dict)
                saved = state.pop("schedule_repr", None)
                if saved is not None and saved != repr(self.schedule):
                    raise ValueError(
                        f"state_dict was saved for schedule {saved}, but this scheduler"
                        f" follows {self.schedule!r}"
                    )
                super().load_state_dict(state)

            def __repr__(self):
                return f"as_torch_scheduler(<optimizer>, {self.schedule!r})"

        _CLASS = LrbookScheduler
    return _CLASS


def native_torch_scheduler(optimizer, schedule):
    """Build PyTorch's own scheduler class that matches an lrbook schedule.

    ``step_decay`` becomes ``StepLR``, ``cosine_annealing`` becomes
    ``CosineAnnealingLR``, ``chained`` becomes ``ChainedScheduler``, and so on
    (``cyclic`` and ``one_cycle`` with ``cycle_momentum=False``, since lrbook schedules
    only the learning rate): each schedule's declaration in
    :mod:`lrbook.schedules.registry` says how. This is what a reader writes in
    PyTorch; the book uses it to show that both agree. The optimizer's learning rate
    is set to the schedule's starting rate first.

    Args:
        optimizer: a ``torch.optim.Optimizer``.
        schedule: an lrbook :class:`~lrbook.schedules.Schedule`.

    Returns:
        A ``torch.optim.lr_scheduler.LRScheduler``, or ``None`` for ``constant`` (plain
        PyTorch uses no scheduler for a constant rate).

    Raises:
        TypeError: ``schedule`` is not an lrbook Schedule.
        ValueError: a schedule with no PyTorch equivalent (``per_epoch``: step the
            inner schedule's scheduler once per epoch instead), or a ``sequential`` or
            ``chained`` schedule whose parts start from different rates (in PyTorch
            they all share the optimizer's initial rate).

    Examples:
        >>> import torch, lrbook
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        >>> sched = native_torch_scheduler(opt, lrbook.step_decay(0.1, step_size=2))
        >>> type(sched).__name__
        'StepLR'
        >>> opt.param_groups[0]["lr"]
        0.1
    """
    if not isinstance(schedule, Schedule):
        raise TypeError(f"schedule must be an lrbook Schedule, got {schedule!r}")
    return registry.torch_scheduler(optimizer, schedule)


def torch_reference(schedule, n: int):
    """The first ``n`` learning rates PyTorch's own scheduler produces.

    Builds :func:`native_torch_scheduler` on a throw-away SGD optimizer and runs the
    usual loop (read the rate, ``optimizer.step()``, ``scheduler.step()``) ``n``
    times, so ``torch_reference(s, n)`` can be compared with ``s(np.arange(n))``.

    Args:
        schedule: an lrbook :class:`~lrbook.schedules.Schedule`.
        n: the number of updates (>= 1; at most ``schedule.max_step + 1``).

    Returns:
        A float64 NumPy array of length ``n``.

    Examples:
        >>> import numpy as np, lrbook
        >>> s = lrbook.cosine_annealing(0.1, t_max=50)
        >>> bool(np.allclose(torch_reference(s, 120), s(np.arange(120)), rtol=1e-9))
        True
    """
    import numpy as np
    import torch

    from . import _checks as check

    n = check.integer("n", n, minimum=1)
    if schedule.max_step is not None and n > schedule.max_step + 1:
        raise ValueError(
            f"n must be <= {schedule.max_step + 1} for {schedule!r}, got {n}"
        )
    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=1.0, momentum=0.9)
    scheduler = native_torch_scheduler(optimizer, schedule)
    if scheduler is None:
        return np.full(n, optimizer.param_groups[0]["lr"], dtype=np.float64)
    return record_rates(scheduler, n, final_step=False)


def record_rates(scheduler, n: int, *, momentum: bool = False, final_step: bool = True):
    """Step a PyTorch scheduler through ``n`` updates and record the rate of each.

    For each update ``t = 0, ..., n - 1`` it reads the learning rate of the
    optimizer's first parameter group (the rate update ``t`` uses), then calls
    ``optimizer.step()`` and ``scheduler.step()``, in that order, as a training loop
    does. The parameters have no gradients, so the optimizer changes nothing, and
    PyTorch's warning about calling the scheduler first does not fire. The optimizer
    is the scheduler's own (``scheduler.optimizer``). The scheduler is left stepped
    ``n`` times (``n - 1`` with ``final_step=False``), so a second call continues
    where the first stopped.

    Args:
        scheduler: a ``torch.optim.lr_scheduler.LRScheduler`` (``StepLR``,
            ``OneCycleLR``, ``SequentialLR``, :func:`as_torch_scheduler`'s...); not
            ``ReduceLROnPlateau``, whose steps need a metric.
        n: the number of updates (an integer >= 1).
        momentum: also record the momentum of each update: ``momentum`` for SGD,
            ``betas[0]`` for Adam and AdamW (what ``cycle_momentum`` moves).
        final_step: step the scheduler after the last update too (the default, as a
            training loop does); ``False`` stops after reading the last rate, so a
            scheduler with a fixed number of steps (``OneCycleLR``'s
            ``total_steps``) can be read to its end.

    Returns:
        A float64 NumPy array of the ``n`` rates; with ``momentum=True``, the pair
        ``(rates, momenta)``.

    Raises:
        TypeError: ``scheduler`` is not a PyTorch scheduler, or is a
            ``ReduceLROnPlateau``; ``n`` is not an integer; ``momentum`` or
            ``final_step`` is not a bool.
        ValueError: ``n`` is below 1; ``momentum=True`` for an
            optimizer without momentum; or the scheduler's own error, such as
            ``OneCycleLR`` stepped past ``total_steps``.

    Examples:
        >>> import torch
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        >>> record_rates(sched, 5).tolist()
        [0.1, 0.1, 0.05, 0.05, 0.025]
        >>> record_rates(sched, 2).tolist()  # it continues from step 5
        [0.025, 0.0125]
    """
    import numpy as np
    import torch

    from . import _checks as check

    tls = torch.optim.lr_scheduler
    if not isinstance(scheduler, tls.LRScheduler) or isinstance(
        scheduler, tls.ReduceLROnPlateau
    ):
        hint = (
            " (ReduceLROnPlateau steps on a metric: call scheduler.step(metric))"
            if isinstance(scheduler, tls.ReduceLROnPlateau)
            else ""
        )
        raise TypeError(
            f"scheduler must be a torch.optim.lr_scheduler.LRScheduler other than "
            f"ReduceLROnPlateau{hint}, got {type(scheduler).__name__}"
        )
    n = check.integer("n", n, minimum=1)
    for name, flag in (("momentum", momentum), ("final_step", final_step)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}")
    optimizer = scheduler.optimizer
    group = optimizer.param_groups[0]
    if momentum and "betas" not in group and "momentum" not in group:
        raise ValueError(
            f"momentum=True, but the {type(optimizer).__name__} optimizer has no "
            f"momentum (its first group has neither 'momentum' nor 'betas')"
        )
    rates = np.empty(n, dtype=np.float64)
    momenta = np.empty(n, dtype=np.float64) if momentum else None
    for t in range(n):
        group = optimizer.param_groups[0]
        rates[t] = group["lr"]
        if momenta is not None:
            momenta[t] = group["betas"][0] if "betas" in group else group["momentum"]
        if final_step or t < n - 1:
            optimizer.step()
            scheduler.step()
    return (rates, momenta) if momentum else rates
