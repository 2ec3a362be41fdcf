r"""Reduce-on-plateau: the one schedule that depends on a measured metric.

Unlike the pure schedules of :mod:`lrbook.schedules`, this one cannot be written as a
function of the step alone: it watches a metric (usually the validation loss) and cuts
the learning rate when the metric stops improving. It is therefore a small stateful
object with the same rules as PyTorch's ``ReduceLROnPlateau``.
"""

from __future__ import annotations

import math

from .. import _checks as check

__all__ = ["ReduceLROnPlateau"]


class ReduceLROnPlateau:
    r"""Multiply the learning rate by ``factor`` when a metric stops improving.

    After each epoch, call ``step(metric)``. In ``"min"`` mode with a relative threshold
    :math:`\tau`, a metric value :math:`m` is an *improvement* when

    .. math::
        m < m^\ast (1 - \tau)

    where :math:`m^\ast` is the best value so far (``"abs"`` mode: :math:`m < m^\ast -
    \tau`; ``"max"`` mode reverses the inequality, with :math:`1 + \tau` or
    :math:`+\tau`). A value equal to the best is *not* an improvement. When more than
    ``patience`` steps in a row bring no improvement, the rate becomes
    :math:`\max(\alpha\,\cdot\,\mathrm{factor}, \alpha_{\min})` (the cut is skipped when
    it would change the rate by ``eps`` or less) and the next ``cooldown`` steps are not
    counted. A NaN metric never improves and never makes the rate NaN.

    Args:
        lr: the initial learning rate, finite and >= 0.
        mode: ``"min"`` (lower is better, e.g. a loss) or ``"max"`` (e.g. an accuracy).
        factor: the multiplier of each cut, in (0, 1).
        patience: how many steps without improvement to tolerate (integer >= 0).
        threshold: the margin :math:`\tau \ge 0` that counts as an improvement.
        threshold_mode: ``"rel"`` (relative to the best) or ``"abs"`` (absolute).
        cooldown: steps to wait after a cut before counting again (integer >= 0).
        min_lr: the floor :math:`\alpha_{\min} \ge 0` of the learning rate.
        eps: the smallest change of the rate worth making (>= 0).

    Attributes:
        lr: the current learning rate.
        best: the best metric seen so far.
        num_bad_epochs: steps since the last improvement (reset by cuts and cooldown).
        cooldown_counter: cooldown steps left.
        last_epoch: how many times ``step`` was called.

    Examples:
        >>> p = ReduceLROnPlateau(0.1, patience=1)
        >>> [p.step(loss) for loss in [1.0, 0.5, 0.5, 0.5, 0.4]]
        [0.1, 0.1, 0.1, 0.010000000000000002, 0.010000000000000002]
        >>> p.lr
        0.010000000000000002

    PyTorch equivalent: ``torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode,
    factor, patience, threshold, threshold_mode, cooldown, min_lr, eps)`` with
    ``scheduler.step(metric)``.
    """

    _STATE = ("lr", "best", "num_bad_epochs", "cooldown_counter", "last_epoch")

    def __init__(
        self,
        lr: float,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float = 0.0,
        eps: float = 1e-8,
    ):
        self.lr = check.learning_rate("lr", lr)
        self.mode = check.choice("mode", mode, ("min", "max"))
        self.factor = check.finite(
            "factor", factor, minimum=0.0, strict=True, maximum=1.0, strict_max=True
        )
        self.patience = check.integer("patience", patience, minimum=0)
        self.threshold = check.finite("threshold", threshold, minimum=0.0)
        self.threshold_mode = check.choice(
            "threshold_mode", threshold_mode, ("rel", "abs")
        )
        self.cooldown = check.integer("cooldown", cooldown, minimum=0)
        self.min_lr = check.learning_rate("min_lr", min_lr)
        self.eps = check.finite("eps", eps, minimum=0.0)
        self.initial_lr = self.lr
        self.best = math.inf if self.mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0

    def __repr__(self) -> str:
        return (
            f"ReduceLROnPlateau(lr={self.initial_lr!r}, mode={self.mode!r}, "
            f"factor={self.factor!r}, patience={self.patience!r}, "
            f"threshold={self.threshold!r}, threshold_mode={self.threshold_mode!r},"
            f" cooldown={self.cooldown!r}, min_lr={self.min_lr!r}, eps={self.eps!r})"
        )

    def is_better(self, metric: float, best: float) -> bool:
        """Whether ``metric`` counts as an improvement over ``best``."""
        if self.mode == "min" and self.threshold_mode == "rel":
            return metric < best * (1.0 - self.threshold)
        if self.mode == "min":
            return metric < best - self.threshold
        if self.threshold_mode == "rel":
            return metric > best * (self.threshold + 1.0)
        return metric > best + self.threshold

    def step(self, metric: float) -> float:
        """Record one value of the metric and return the learning rate to use next.

        Args:
            metric: the metric measured since the previous call (a real number; NaN
                counts as no improvement).

        Returns:
            The new learning rate, also stored in ``self.lr``.
        """
        try:
            current = float(metric)
        except (TypeError, ValueError):
            raise TypeError(
                f"metric must be a real number, got {metric!r} "
                f"({type(metric).__name__})"
            ) from None
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            new_lr = max(self.lr * self.factor, self.min_lr)
            if self.lr - new_lr > self.eps:
                self.lr = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        return self.lr

    def state_dict(self) -> dict:
        """The mutable state, for checkpoints (plain Python numbers only)."""
        return {k: getattr(self, k) for k in self._STATE}

    def load_state_dict(self, state: dict) -> None:
        """Restore the state saved by :meth:`state_dict`."""
        for key in state:
            if key not in self._STATE:
                raise ValueError(f"state has an unknown key {key!r}")
        checked = {
            "lr": lambda v: check.learning_rate("state['lr']", v),
            "best": lambda v: check.real("state['best']", v),
            "num_bad_epochs": lambda v: check.integer(
                "state['num_bad_epochs']", v, minimum=0
            ),
            "cooldown_counter": lambda v: check.integer(
                "state['cooldown_counter']", v, minimum=0
            ),
            "last_epoch": lambda v: check.integer("state['last_epoch']", v, minimum=0),
        }
        values = {key: checked[key](value) for key, value in state.items()}
        for key, value in values.items():
            setattr(self, key, value)
