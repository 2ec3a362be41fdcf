"""Drive a PyTorch optimizer along an lrbook schedule.

torch is imported lazily (inside the functions), so ``import lrbook`` stays light.
"""

from __future__ import annotations

from .plateau import ReduceLROnPlateau
from .schedules import Schedule

__all__ = ["as_torch_scheduler", "native_torch_scheduler", "torch_reference"]


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
        >>> lrs = []
        >>> for _ in range(4):
        ...     lrs.append(opt.param_groups[0]["lr"])
        ...     opt.step()
        ...     sched.step()
        >>> [round(x, 12) for x in lrs]
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
    ``CosineAnnealingLR``, and so on (``cyclic`` and ``one_cycle`` with
    ``cycle_momentum=False``, since lrbook schedules only the learning rate). This is
    what a reader writes in PyTorch; the book uses it to show that both agree. The
    optimizer's learning rate is set to the schedule's starting rate first.

    Args:
        optimizer: a ``torch.optim.Optimizer``.
        schedule: an lrbook :class:`~lrbook.schedules.Schedule`.

    Returns:
        A ``torch.optim.lr_scheduler.LRScheduler``, or ``None`` for ``constant`` (plain
        PyTorch uses no scheduler for a constant rate).

    Raises:
        ValueError: for a ``sequential`` schedule whose parts start from different
            rates (in PyTorch they all share the optimizer's initial rate).
    """
    import torch.optim.lr_scheduler as tls

    if not isinstance(schedule, Schedule):
        raise TypeError(f"schedule must be an lrbook Schedule, got {schedule!r}")
    p = schedule.params
    name = schedule.name
    if "lr" in p:
        for group in optimizer.param_groups:
            group["lr"] = p["lr"]
    if name == "constant":
        return None
    if name == "step_decay":
        return tls.StepLR(optimizer, p["step_size"], gamma=p["gamma"])
    if name == "multistep_decay":
        return tls.MultiStepLR(optimizer, p["milestones"], gamma=p["gamma"])
    if name == "exponential_decay":
        return tls.ExponentialLR(optimizer, p["gamma"])
    if name == "linear":
        return tls.LinearLR(
            optimizer, p["start_factor"], p["end_factor"], p["total_iters"]
        )
    if name == "inverse_time_decay":
        k, d, stair = p["decay_rate"], p["decay_steps"], p["staircase"]
        return tls.LambdaLR(
            optimizer, lambda t: 1 / (1 + k * ((t // d) if stair else t / d))
        )
    if name == "cosine_annealing":
        return tls.CosineAnnealingLR(optimizer, p["t_max"], eta_min=p["eta_min"])
    if name == "cosine_warm_restarts":
        return tls.CosineAnnealingWarmRestarts(
            optimizer, p["t_0"], T_mult=p["t_mult"], eta_min=p["eta_min"]
        )
    if name == "cyclic":
        return tls.CyclicLR(
            optimizer,
            p["base_lr"],
            p["max_lr"],
            step_size_up=p["step_size_up"],
            step_size_down=p["step_size_down"],
            mode=p["mode"],
            gamma=p["gamma"],
            cycle_momentum=False,
        )
    if name == "one_cycle":
        return tls.OneCycleLR(
            optimizer,
            p["max_lr"],
            total_steps=p["total_steps"],
            pct_start=p["pct_start"],
            anneal_strategy=p["anneal_strategy"],
            cycle_momentum=False,
            div_factor=p["div_factor"],
            final_div_factor=p["final_div_factor"],
            three_phase=p["three_phase"],
        )
    if name == "sequential":
        rates = {s.params["lr"] for s in p["schedules"] if "lr" in s.params}
        if len(rates) > 1:
            raise ValueError(
                f"PyTorch's SequentialLR needs every schedule to start from"
                f" the optimizer's rate; these use {sorted(rates)}"
            )
        if rates:
            rate = rates.pop()
            for group in optimizer.param_groups:
                group["lr"] = rate
        parts = [native_torch_scheduler(optimizer, s) for s in p["schedules"]]
        if any(part is None for part in parts):
            raise ValueError(
                "constant() has no PyTorch scheduler to put in a "
                "SequentialLR; use linear(lr, 1.0, 1.0, 1) instead"
            )
        return tls.SequentialLR(optimizer, parts, p["milestones"])
    raise ValueError(f"no PyTorch equivalent is known for {schedule!r}")


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
    out = np.empty(n, dtype=np.float64)
    for t in range(n):
        out[t] = optimizer.param_groups[0]["lr"]
        if scheduler is not None and t < n - 1:
            optimizer.step()
            scheduler.step()
    return out
