"""The optimizer, and the schedule that sets its learning rate at every step."""

from __future__ import annotations

import copy
import numbers

import numpy as np
import torch

from .. import _checks as check
from ..schedules import ReduceLROnPlateau, Schedule, constant

OPTIMIZERS = ("sgd", "adam", "adamw")
# base rate for PyTorch scheduler functions
DEFAULT_LR = {"sgd": 0.1, "adam": 1e-3, "adamw": 1e-3}
_TORCH_SCHEDULERS = (
    torch.optim.lr_scheduler.LRScheduler,
    torch.optim.lr_scheduler.ReduceLROnPlateau,
)
_ACCEPTED = (
    "a learning rate, an lrbook Schedule or ReduceLROnPlateau, a PyTorch scheduler, "
    "or a function optimizer -> PyTorch scheduler"
)


def check_optimizer_args(optimizer, momentum, weight_decay) -> None:
    """Check ``fit``'s ``optimizer``, ``momentum`` and ``weight_decay`` together."""
    if isinstance(optimizer, torch.optim.Optimizer):
        if momentum is not None or weight_decay:
            raise ValueError(
                "momentum and weight_decay are settings of the optimizer: "
                "leave them out when passing an Optimizer object"
            )
        return
    if not isinstance(optimizer, str) or optimizer not in OPTIMIZERS:
        raise ValueError(
            f"optimizer must be 'sgd', 'adam', 'adamw' or a torch.optim.Optimizer, "
            f"got {optimizer!r}"
        )
    if momentum is not None:
        if optimizer != "sgd":
            raise ValueError(
                f"momentum applies to optimizer='sgd' only, got "
                f"optimizer={optimizer!r} with momentum={momentum!r}"
            )
        check.finite("momentum", momentum, minimum=0.0, maximum=1.0, strict_max=True)
    check.finite("weight_decay", weight_decay, minimum=0.0)


def momentum_key(optimizer) -> str | None:
    """Where ``optimizer`` keeps its momentum: ``"momentum"`` (SGD, RMSprop),
    ``"betas"`` (Adam and its kin: ``betas[0]``), or None."""
    defaults = optimizer.defaults
    if "momentum" in defaults:
        return "momentum"
    return "betas" if "betas" in defaults else None


def check_momentum_schedule(momentum_schedule, optimizer, momentum):
    """``fit``'s ``momentum_schedule``: None or an lrbook Schedule of momenta in
    [0, 1), which replaces the constant ``momentum``."""
    if momentum_schedule is None:
        return None
    if not isinstance(momentum_schedule, Schedule):
        raise TypeError(
            f"momentum_schedule must be an lrbook Schedule (e.g. "
            f"lrbook.one_cycle_momentum(...)) or None, got {momentum_schedule!r} "
            f"({type(momentum_schedule).__name__})"
        )
    if momentum is not None:
        raise ValueError(
            f"momentum={momentum!r} conflicts with momentum_schedule, which sets the "
            f"momentum; leave momentum out"
        )
    first = momentum_schedule(0)
    if not 0.0 <= first < 1.0:
        raise ValueError(
            f"momentum_schedule must give momenta in [0, 1), got {first!r} at step 0"
        )
    return momentum_schedule


def make_optimizer(optimizer: str, params, lr: float, momentum, weight_decay: float):
    """SGD (momentum 0.9 by default), Adam or AdamW (decoupled weight decay), with
    PyTorch's fused implementation (one kernel for all the parameters: the same update
    rule, computed faster) where this PyTorch has it."""
    params = list(params)
    if optimizer == "sgd":
        cls = torch.optim.SGD
        kwargs = {"momentum": 0.9 if momentum is None else momentum}
    else:
        cls = torch.optim.AdamW if optimizer == "adamw" else torch.optim.Adam
        kwargs = {}
    try:
        return cls(params, lr=lr, weight_decay=weight_decay, fused=True, **kwargs)
    except (RuntimeError, TypeError, ValueError):  # older PyTorch, unusual device
        return cls(params, lr=lr, weight_decay=weight_decay, **kwargs)


class ScheduleDriver:
    """Turns whatever ``schedule`` the reader gave into calls on a real optimizer.

    :attr:`kind` is ``"schedule"`` (an lrbook Schedule), ``"plateau"`` (lrbook
    ReduceLROnPlateau, stepped with a metric), ``"torch"`` (a PyTorch LRScheduler) or
    ``"torch_plateau"`` (PyTorch's ReduceLROnPlateau).

    An lrbook Schedule is evaluated once, in closed form, for every step of the run
    (:meth:`start`), and each :meth:`step` copies the next value into the optimizer:
    the rates are exactly those :func:`~lrbook.as_torch_scheduler` sets (the tests
    check it), without calling NumPy at every update, which costs about 50 µs per call
    of the schedule inside a training loop (cold caches after the matrix products).

    Args:
        schedule: anything :func:`~lrbook.train.fit` accepts as its ``schedule``.
        optimizer: ``"sgd"``, ``"adam"`` (built here, over ``params``) or a
            ``torch.optim.Optimizer``.
        params: the parameters to optimize (for a named optimizer).
        lr: the base rate of a PyTorch scheduler function (None: :data:`DEFAULT_LR`).
        momentum: SGD's momentum (None: 0.9).
        weight_decay: the L2 penalty coefficient.
        momentum_schedule: an lrbook Schedule of the momentum (SGD's ``momentum``,
            Adam's ``betas[0]``), stepped with the rate (None: the optimizer's own).

    Attributes:
        optimizer: the ``torch.optim.Optimizer`` whose rate is set.
        description: the schedule, for ``History.config``.
        max_step: the last step the schedule is defined for (None: no end).
        mode: ``"min"`` or ``"max"``, for reduce-on-plateau kinds.
        momentum_schedule: the momentum Schedule, or None.
    """

    def __init__(
        self,
        schedule,
        optimizer,
        params,
        lr,
        momentum,
        weight_decay,
        momentum_schedule=None,
    ):
        self.momentum_schedule = check_momentum_schedule(
            momentum_schedule, optimizer, momentum
        )
        if momentum_schedule is not None and momentum is None:
            momentum = momentum_schedule(0) if optimizer == "sgd" else None
        self.plateau = None
        self.scheduler = None
        self.schedule = None
        self.max_step = None
        self.length_parameter = None
        self.mode = None
        if isinstance(schedule, bool):
            raise TypeError(
                f"schedule must be a learning rate, an lrbook schedule or "
                f"a PyTorch scheduler, got {schedule!r}"
            )
        if isinstance(schedule, numbers.Real):
            schedule = constant(check.learning_rate("schedule", schedule))
        if isinstance(schedule, (Schedule, ReduceLROnPlateau)):
            self._drive_lrbook(schedule, optimizer, params, lr, momentum, weight_decay)
        else:
            self._drive_torch(schedule, optimizer, params, lr, momentum, weight_decay)
        if self.momentum_schedule is not None:
            self._check_momentum_owner()
            self._set_momentum(self.momentum_schedule(0))

    def _drive_lrbook(self, schedule, optimizer, params, lr, momentum, weight_decay):
        """An lrbook Schedule or ReduceLROnPlateau: it sets the rate, from step 0."""
        if lr is not None:
            raise ValueError(
                f"lr={lr!r} conflicts with the schedule, which sets "
                f"the learning rate; leave lr out"
            )
        self.description = repr(schedule)
        if isinstance(schedule, Schedule):
            self.kind, self.schedule = "schedule", schedule
            self.max_step = schedule.max_step
            start = schedule(0)
        else:
            self.kind = "plateau"
            self.plateau = copy.deepcopy(schedule)  # the reader's stays fresh
            self.mode = self.plateau.mode
            start = self.plateau.lr
        self.optimizer = (
            optimizer
            if isinstance(optimizer, torch.optim.Optimizer)
            else make_optimizer(optimizer, params, start, momentum, weight_decay)
        )
        self._set_lr(start)

    def _drive_torch(self, schedule, optimizer, params, lr, momentum, weight_decay):
        """A PyTorch scheduler object, or a function optimizer -> scheduler."""
        given = isinstance(optimizer, torch.optim.Optimizer)
        if isinstance(schedule, _TORCH_SCHEDULERS):
            if not given or schedule.optimizer is not optimizer:
                raise ValueError(
                    "a PyTorch scheduler object must belong to the "
                    "optimizer passed as optimizer=...; or pass a "
                    "function optimizer -> scheduler, e.g. lambda opt: "
                    "torch.optim.lr_scheduler.StepLR(opt, 10)"
                )
            self.optimizer, self.scheduler = optimizer, schedule
        elif callable(schedule):
            if given:
                self.optimizer = optimizer
            else:
                base = (
                    DEFAULT_LR[optimizer]
                    if lr is None
                    else check.learning_rate("lr", lr)
                )
                self.optimizer = make_optimizer(
                    optimizer, params, base, momentum, weight_decay
                )
            self.scheduler = schedule(self.optimizer)
            if not isinstance(self.scheduler, _TORCH_SCHEDULERS):
                raise TypeError(
                    f"schedule must be {_ACCEPTED}; the function returned "
                    f"{type(self.scheduler).__name__}"
                )
        else:
            raise TypeError(
                f"schedule must be {_ACCEPTED}, got {schedule!r} "
                f"({type(schedule).__name__})"
            )
        if lr is not None and given:
            raise ValueError(
                "lr is a setting of the optimizer: leave it out when "
                "passing an Optimizer object"
            )
        self.description = f"{type(self.scheduler).__name__} (PyTorch)"
        if isinstance(self.scheduler, torch.optim.lr_scheduler.OneCycleLR):
            # It defines steps 0..total_steps - 1 and refuses only step
            # total_steps + 1: step total_steps would run its last phase past its
            # end, silently. The run is checked against the defined steps instead.
            self.max_step = self.scheduler.total_steps - 1
            self.length_parameter = "total_steps"
        if isinstance(self.scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            self.kind, self.mode = "torch_plateau", self.scheduler.mode
        else:
            self.kind = "torch"

    @property
    def steps_on_metric(self) -> bool:
        """Whether :meth:`step` needs a metric (reduce-on-plateau, once per epoch)."""
        return self.kind in ("plateau", "torch_plateau")

    def _set_lr(self, lr: float) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def _check_momentum_owner(self) -> None:
        """A momentum schedule needs an optimizer with a momentum, and must be the
        only thing that sets it."""
        if getattr(self.scheduler, "cycle_momentum", False):
            raise ValueError(
                f"momentum_schedule conflicts with {type(self.scheduler).__name__}"
                f"(cycle_momentum=True), which sets the momentum too; pass "
                f"cycle_momentum=False or leave momentum_schedule out"
            )
        if momentum_key(self.optimizer) is None:
            raise ValueError(
                f"momentum_schedule needs an optimizer with a momentum or betas, got "
                f"{type(self.optimizer).__name__}"
            )

    def _set_momentum(self, value: float) -> None:
        key = momentum_key(self.optimizer)
        for group in self.optimizer.param_groups:
            if key == "momentum":
                group["momentum"] = value
            else:
                group["betas"] = (value, *group["betas"][1:])

    @property
    def max_momentum_step(self) -> int | None:
        """The last step the momentum schedule is defined for (None: no end)."""
        if self.momentum_schedule is None:
            return None
        return self.momentum_schedule.max_step

    def start(self, n_steps: int) -> None:
        """Prepare for ``n_steps`` steps (0 .. n_steps - 1) of the schedule."""
        if self.momentum_schedule is not None:
            momenta = self.momentum_schedule(np.arange(n_steps))
            if not ((momenta >= 0) & (momenta < 1)).all():
                raise ValueError(
                    f"momentum_schedule must give momenta in [0, 1), got "
                    f"{momenta.min()!r}..{momenta.max()!r} over steps 0..{n_steps - 1}"
                )
            self._momenta = momenta.tolist()
            self._momentum_step = 0
            self._set_momentum(self._momenta[0])
        if self.kind == "schedule":
            self._rates = self.schedule(np.arange(n_steps)).tolist()
            self._step = 0
            self._groups = self.optimizer.param_groups
            self._set_lr(self._rates[0])

    def seek(self, step: int) -> None:
        """Set the rate (and the momentum) of step ``step`` of an lrbook Schedule, as
        ``step`` calls of :meth:`step` after :meth:`start` do."""
        if self.kind != "schedule":
            raise ValueError(f"seek needs an lrbook Schedule, not a {self.kind!r}")
        if self.momentum_schedule is not None:
            self._momentum_step = step
            self._set_momentum(self._momenta[step])
        self._step = step
        lr = self._rates[step]
        for group in self._groups:
            group["lr"] = lr

    def step(self, metric: float | None = None) -> None:
        """Move to the next step of the schedule (``metric``: for reduce-on-plateau)."""
        if self.momentum_schedule is not None:
            self._momentum_step += 1
            self._set_momentum(self._momenta[self._momentum_step])
        if self.kind == "schedule":
            self._step += 1
            lr = self._rates[self._step]
            for group in self._groups:
                group["lr"] = lr
        elif self.kind == "plateau":
            self._set_lr(self.plateau.step(metric))
        elif self.kind == "torch_plateau":
            self.scheduler.step(metric)
        else:
            self.scheduler.step()
