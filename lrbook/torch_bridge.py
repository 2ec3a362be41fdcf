"""Drive a PyTorch optimizer along an lrbook schedule.

This module imports torch lazily (inside the function), so ``import lrbook`` stays light.
"""

from __future__ import annotations

from .plateau import ReduceLROnPlateau
from .schedules import Schedule

__all__ = ["as_torch_scheduler"]


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
        raise TypeError(f"optimizer must be a torch.optim.Optimizer, got "
                        f"{type(optimizer).__name__}")
    if isinstance(schedule, ReduceLROnPlateau):
        for group in optimizer.param_groups:
            group["lr"] = schedule.lr
        return torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode=schedule.mode, factor=schedule.factor,
            patience=schedule.patience, threshold=schedule.threshold,
            threshold_mode=schedule.threshold_mode, cooldown=schedule.cooldown,
            min_lr=schedule.min_lr, eps=schedule.eps)
    if not isinstance(schedule, Schedule):
        raise TypeError(f"schedule must be an lrbook Schedule or ReduceLROnPlateau, got "
                        f"{schedule!r} ({type(schedule).__name__})")
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
                        f" follows {self.schedule!r}")
                super().load_state_dict(state)

            def __repr__(self):
                return f"as_torch_scheduler(<optimizer>, {self.schedule!r})"

        _CLASS = LrbookScheduler
    return _CLASS
