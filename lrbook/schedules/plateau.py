r"""Reduce-on-plateau: the one schedule that depends on a measured metric.

Unlike the pure schedules of :mod:`lrbook.schedules`, this one cannot be written as a
function of the step alone: it watches a metric (usually the validation loss) and cuts
the learning rate when the metric stops improving. It is therefore a small stateful
object with the same rules as PyTorch's ``ReduceLROnPlateau``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .. import _checks as check

__all__ = ["PlateauTrace", "ReduceLROnPlateau", "replay"]


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

    def improvement_bound(self, best: float) -> float:
        r"""The value a metric must beat to improve on ``best``.

        ``"min"`` mode: a metric improves when it is *below* the bound,
        :math:`m^\ast(1-\tau)` (``"rel"``) or :math:`m^\ast - \tau` (``"abs"``);
        ``"max"`` mode: when it is *above* :math:`m^\ast(1+\tau)` or
        :math:`m^\ast + \tau`. Equality is never an improvement.

        Examples:
            >>> ReduceLROnPlateau(0.1, threshold=0.1).improvement_bound(2.0)
            1.8
            >>> up = ReduceLROnPlateau(0.1, mode="max", threshold=0.1)
            >>> up.improvement_bound(-1.0)  # below the best: a worse value improves
            -1.1
        """
        best = float(best)
        if self.mode == "min" and self.threshold_mode == "rel":
            return best * (1.0 - self.threshold)
        if self.mode == "min":
            return best - self.threshold
        if self.threshold_mode == "rel":
            return best * (self.threshold + 1.0)
        return best + self.threshold

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


@dataclass(frozen=True)
class PlateauTrace:
    """What :func:`replay` records, one entry per call of ``step`` (epoch 1, 2, ...).

    Attributes:
        epochs: ``1 ... n``, int64.
        metrics: the metric given at each epoch.
        lr_used: the rate during each epoch (before its ``step``), float64.
        lr: the rate after each epoch's ``step``: the rate of the next epoch.
        best: the best metric after each epoch.
        bound: the value each epoch's metric had to beat (from the best before it;
            ``±inf`` at epoch 1).
        improved: whether each epoch's metric counted as an improvement.
        bad_epochs: the epochs in a row without improvement, counted at each epoch
            before a cut resets the count (0 during cooldown); a reduction happens
            where it exceeds ``patience``.
        cooldown: whether each epoch fell in a cooldown (and so was not counted).
        cuts: the epochs whose ``step`` lowered the rate.
    """

    epochs: np.ndarray
    metrics: np.ndarray
    lr_used: np.ndarray
    lr: np.ndarray
    best: np.ndarray
    bound: np.ndarray
    improved: np.ndarray
    bad_epochs: np.ndarray
    cooldown: np.ndarray
    cuts: tuple[int, ...]


def replay(plateau: ReduceLROnPlateau, metrics: Iterable[float]) -> PlateauTrace:
    r"""Feed a sequence of metric values to (a copy of) a reduce-on-plateau schedule.

    Each value is one epoch's ``step(metric)``; the trace records, epoch by epoch, the
    rate before and after the step, the running best :math:`m^\ast`, the bound the
    metric had to beat (:meth:`ReduceLROnPlateau.improvement_bound`), the count of bad
    epochs and the epochs of the cuts. ``plateau`` itself is not changed.

    Args:
        plateau: a :class:`ReduceLROnPlateau`, fresh or already stepped.
        metrics: one or more real numbers (NaN counts as no improvement).

    Returns:
        A :class:`PlateauTrace`.

    Raises:
        TypeError: ``plateau`` is not a ReduceLROnPlateau, or a metric is not a real
            number.
        ValueError: ``metrics`` is empty.

    Examples:
        >>> p = ReduceLROnPlateau(1.0, factor=0.5, patience=1)
        >>> trace = replay(p, [3.0, 2.0, 2.0, 2.0, 2.0, 2.0, 1.0])
        >>> trace.cuts
        (4, 6)
        >>> trace.lr.tolist()
        [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
        >>> trace.bad_epochs.tolist()
        [0, 0, 1, 2, 1, 2, 0]
        >>> p.lr  # unchanged
        1.0

    PyTorch equivalent: a loop of ``scheduler.step(m)`` over the metrics, reading
    ``optimizer.param_groups[0]["lr"]`` after each.

    References:
        PyTorch, ``torch.optim.lr_scheduler.ReduceLROnPlateau``.
    """
    if not isinstance(plateau, ReduceLROnPlateau):
        raise TypeError(
            f"plateau must be an lrbook.ReduceLROnPlateau, got "
            f"{type(plateau).__name__} {plateau!r}"
        )
    if isinstance(metrics, (str, bytes)) or not isinstance(
        metrics, (Iterable, np.ndarray)
    ):
        raise TypeError(
            f"metrics must be a sequence of real numbers, got "
            f"{type(metrics).__name__} {metrics!r}"
        )
    p = copy.deepcopy(plateau)
    rows = [_replay_one(p, k, m) for k, m in enumerate(metrics)]
    if not rows:
        raise ValueError("metrics must hold at least one value, got none")
    cols = list(zip(*rows, strict=True))
    lr_used, lr = np.array(cols[1]), np.array(cols[2])
    return PlateauTrace(
        epochs=np.arange(1, len(rows) + 1, dtype=np.int64),
        metrics=np.array(cols[0], dtype=np.float64),
        lr_used=lr_used,
        lr=lr,
        best=np.array(cols[3], dtype=np.float64),
        bound=np.array(cols[4], dtype=np.float64),
        improved=np.array(cols[5], dtype=bool),
        bad_epochs=np.array(cols[6], dtype=np.int64),
        cooldown=np.array(cols[7], dtype=bool),
        cuts=tuple(int(k) + 1 for k in np.flatnonzero(lr < lr_used)),
    )


def _replay_one(p: ReduceLROnPlateau, k: int, metric) -> tuple:
    """One epoch of :func:`replay`: the row of the trace for ``metrics[k]``."""
    try:
        m = float(metric)
    except (TypeError, ValueError):
        raise TypeError(
            f"metrics[{k}] must be a real number, got {metric!r} "
            f"({type(metric).__name__})"
        ) from None
    before, bound = p.lr, p.improvement_bound(p.best)
    improved = p.is_better(m, p.best)
    in_cooldown = p.cooldown_counter > 0
    count = 0 if improved or in_cooldown else p.num_bad_epochs + 1
    after = p.step(m)
    return m, before, after, p.best, bound, improved, count, in_cooldown
