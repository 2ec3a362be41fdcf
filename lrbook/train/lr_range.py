"""The learning-rate range test: :func:`lr_range_test` and its :class:`LRRangeTest`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from torch import nn

from .. import _checks as check
from ..data import MNIST
from ..plotting import axis_label, color
from ..schedules import exponential_decay, gamma_for
from .context import (
    check_num_threads,
    close_bar,
    deterministic_run,
    prepare,
    progress_bar,
    progress_enabled,
)
from .driver import ScheduleDriver, check_optimizer_args
from .loop import MinibatchLoop
from .models import build_model
from .plots import new_axes, styled


@dataclass(eq=False, repr=False)
class LRRangeTest:
    """The result of :func:`lr_range_test`.

    Attributes:
        lr: learning rate of each update of the sweep.
        loss: minibatch loss of each update.
        smoothed_loss: ``loss`` smoothed without lag: a bias-corrected exponential
            moving average run forwards, then backwards over the result (the
            suggestions are read off this curve).
        lr_steepest: the rate where the smoothed loss falls fastest (per decade of
            learning rate), before its minimum.
        lr_min_loss: the rate where the smoothed loss is smallest: where the loss of
            this ramp stops falling, which depends on the ramp and the seed; it is
            not a stability limit (a constant rate above it can train well).
        suggested_range: ``(low, high)``: the steepest-descent rate and a tenth of
            ``lr_min_loss``, the smaller one first (either can be ``high``), a span
            for cyclic or one-cycle schedules. It is not a recommended constant
            rate: as a constant rate, ``high`` can be well below the best one (the
            book's chapter 1 compares it with ``lr_min_loss``).
        stopped_early: whether the sweep stopped because the loss exploded.
        message: why it stopped early (empty otherwise).
        config: the settings of the sweep.
    """

    lr: np.ndarray
    loss: np.ndarray
    smoothed_loss: np.ndarray
    lr_steepest: float
    lr_min_loss: float
    suggested_range: tuple[float, float]
    stopped_early: bool = False
    message: str = ""
    config: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        lo, hi = self.suggested_range
        return (
            f"LRRangeTest(updates={self.lr.size}, suggested_range=({lo:.3g}, "
            f"{hi:.3g}), lr_steepest={self.lr_steepest:.3g}, "
            f"lr_min_loss={self.lr_min_loss:.3g}, "
            f"stopped_early={self.stopped_early})"
        )

    @styled
    def plot(self, ax=None):
        """Plot the loss against the learning rate (log scale), with the suggestions.

        Args:
            ax: a matplotlib Axes to draw into (default: a new figure in the book's
                style).

        Returns:
            The matplotlib Figure (shown once as a notebook cell's value, as
            :meth:`History.plot`).
        """
        fig, ax = new_axes(ax, 1)
        ok = np.isfinite(self.loss)
        ax.plot(
            self.lr[ok],
            self.loss[ok],
            color=color(7),
            lw=0.8,
            alpha=0.6,
            label="minibatch loss",
        )
        ax.plot(self.lr, self.smoothed_loss, color=color(0), label="smoothed loss")
        lo, hi = self.suggested_range
        ax.axvspan(lo, hi, color=color(2), alpha=0.18, lw=0, label="suggested range")
        for lr_, c, name in (
            (self.lr_steepest, color(1), "steepest descent"),
            (self.lr_min_loss, color(4), "minimum"),
        ):
            i = int(np.argmin(np.abs(np.log(self.lr) - np.log(lr_))))
            ax.plot(
                [lr_],
                [self.smoothed_loss[i]],
                "o",
                color=c,
                ms=7,
                label=f"{name}: α = {lr_:.2g}",
            )
        ax.set_xscale("log")
        finite = self.smoothed_loss[np.isfinite(self.smoothed_loss)]
        if finite.size:
            top = min(finite.max(), 1.5 * finite[: max(1, finite.size // 10)].max())
            ax.set_ylim(0.9 * finite.min(), 1.05 * top)
        ax.set(
            xlabel=axis_label("learning rate", "log scale", symbol=r"\alpha"),
            ylabel=axis_label("training loss", "nats"),
            title="learning-rate range test",
        )
        # Lower left: the loss is high at the smallest rates, so the legend stays clear
        # of the curve in a narrow figure too.
        ax.legend(loc="lower left")
        return fig


def lr_range_test(
    *,
    data: MNIST | None = None,
    model="mlp",
    optimizer: str = "sgd",
    momentum: float | None = None,
    weight_decay: float = 0.0,
    start_lr: float = 1e-5,
    end_lr: float = 1.0,
    num_updates: int = 250,
    batch_size: int = 64,
    smoothing: float = 0.9,
    diverge_factor: float = 4.0,
    seed: int = 0,
    n_train: int | None = None,
    validation: float | None = None,
    device=None,
    num_threads: int | None = 1,
    progress: bool | None = None,
) -> LRRangeTest:
    r"""Sweep the learning rate exponentially and watch the loss (LR range test).

    Update :math:`t = 0, \dots, T-1` uses the rate

    .. math::
        \alpha_t = \alpha_{\text{start}}
            \left(\alpha_{\text{end}} / \alpha_{\text{start}}\right)^{t / (T - 1)}
            = \alpha_{\text{start}} \, \gamma^t,

    the schedule ``lrbook.exponential_decay(start_lr, gamma)`` with
    ``gamma = lrbook.gamma_for(start_lr, end_lr, T - 1)``, on a freshly initialised
    network. The minibatch losses :math:`\ell_t` are smoothed with a bias-corrected
    exponential moving average, :math:`\bar\ell_t = \omega \bar\ell_{t-1} + (1 -
    \omega) \ell_t` divided by :math:`1 - \omega^{t+1}`, and the sweep stops once
    that average exceeds ``diverge_factor`` times its minimum so far (or the loss is
    NaN). That average lags: it describes the loss about :math:`\omega/(1-\omega)`
    updates earlier, nominally a whole decade of learning rate with fastai's
    :math:`\omega = 0.98` at 50 updates per decade, which pushes the suggestions to
    too large a rate. The
    suggestions are therefore read off a curve smoothed without lag: the same
    average run forwards over the losses, then backwards over the result. Too small
    a rate barely changes the loss; a good one makes it fall fast; too large a rate
    makes it explode (Smith, 2017; fastai's ``lr_find``). Each update uses a full
    minibatch:
    each pass over the training images follows a new random order, and the images left
    over at its end (fewer than ``batch_size``) are skipped.

    Args:
        data: the data (default: the book's images, :func:`lrbook.book_mnist`).
        model: ``"mlp"``, ``"cnn"`` or a function returning a fresh ``nn.Module``.
        optimizer: ``"sgd"`` (momentum default 0.9), ``"adam"`` or ``"adamw"``.
        momentum: SGD's momentum in [0, 1).
        weight_decay: L2 penalty coefficient (>= 0).
        start_lr: the first rate (> 0).
        end_lr: the last rate (> ``start_lr``).
        num_updates: length :math:`T` of the sweep (integer >= 10).
        batch_size: images per update (integer >= 1).
        smoothing: the smoothing factor :math:`\omega`, in [0, 1) (default 0.9:
            about 10 updates).
        diverge_factor: stop when the smoothed loss exceeds this multiple of its
            minimum (> 1).
        seed: seeds the initialisation and the order of the examples.
        n_train: use only the first ``n_train`` training images.
        validation: the validation split held out of the training images, as in
            :func:`fit` (the sweep trains on the same images as ``fit``; default:
            the data's own split, else 0.2).
        device: ``"cpu"``, ``"cuda"`` or a ``torch.device`` (default: CUDA if
            available).
        num_threads: CPU threads for PyTorch during this call (default 1; ``None``
            keeps PyTorch's setting).
        progress: show a progress bar (default as in :func:`fit`).

    Returns:
        An :class:`LRRangeTest` with the curve, the suggestions and ``.plot()``.

    References:
        L. N. Smith, "Cyclical learning rates for training neural networks", WACV 2017
        (arXiv:1506.01186, 2015), section 3.3. J. Howard and S. Gugger, "fastai: a
        layered API for deep learning", Information 11(2), 2020 (``lr_find``).

    Examples:
        >>> from lrbook.train import lr_range_test
        >>> r = lr_range_test(n_train=2000, progress=False)  # doctest: +SKIP
        >>> r.suggested_range  # doctest: +SKIP
        (0.0316..., 0.0891...)
        >>> r.plot()  # doctest: +SKIP
    """
    _check_model_and_optimizer(model, optimizer, momentum, weight_decay)
    start_lr = check.learning_rate("start_lr", start_lr, positive=True)
    end_lr = check.learning_rate("end_lr", end_lr, positive=True)
    if end_lr <= start_lr:
        raise ValueError(
            f"end_lr must be greater than start_lr={start_lr!r}, got {end_lr!r}"
        )
    num_updates = check.integer("num_updates", num_updates, minimum=10)
    batch_size = check.integer("batch_size", batch_size, minimum=1)
    beta = check.finite(
        "smoothing", smoothing, minimum=0.0, maximum=1.0, strict_max=True
    )
    factor = check.finite("diverge_factor", diverge_factor, minimum=1.0, strict=True)
    seed = check.integer("seed", seed, minimum=0)
    num_threads = check_num_threads(num_threads)
    show = progress_enabled(progress)
    prepared = prepare(data, n_train, None, device, batch_size, validation)
    net, model_name = build_model(model, seed)
    net.to(prepared.device)
    net.train()
    sweep = exponential_decay(start_lr, gamma_for(start_lr, end_lr, num_updates - 1))
    driver = ScheduleDriver(
        sweep, optimizer, net.parameters(), None, momentum, weight_decay
    )
    driver.start(num_updates)
    watch = _SmoothedLoss(beta, factor)
    loop = MinibatchLoop(
        net,
        driver,
        prepared.x_train,
        prepared.y_train,
        batch_size=batch_size,
        seed=seed,
        planned_updates=num_updates,
        step_per_update=True,
        watch=watch,
        bar=progress_bar(show, num_updates, "lr range test", "update"),
    )
    with deterministic_run(prepared.device, num_threads, seed) as threads:
        try:
            loop.full_batches(num_updates)
        finally:
            close_bar(loop.bar)
    config = {
        "model": model_name,
        "optimizer": optimizer,
        "momentum": driver.optimizer.defaults.get("momentum"),
        "batch_size": batch_size,
        "start_lr": start_lr,
        "end_lr": end_lr,
        "num_updates": num_updates,
        "smoothing": beta,
        "diverge_factor": factor,
        "seed": seed,
        "n_train": prepared.n_train,
        "data": prepared.data.source,
        "device": str(prepared.device),
        "num_threads": threads,
    }
    return _result(loop, watch, config)


def _check_model_and_optimizer(model, optimizer, momentum, weight_decay) -> None:
    if isinstance(model, nn.Module):
        raise TypeError(
            "model must be 'mlp', 'cnn' or a function returning a fresh "
            "nn.Module: the range test trains a network of its own"
        )
    if not isinstance(optimizer, str):
        raise TypeError(
            "optimizer must be 'sgd', 'adam' or 'adamw', got "
            f"{type(optimizer).__name__}"
        )
    check_optimizer_args(optimizer, momentum, weight_decay)


class _SmoothedLoss:
    """The bias-corrected moving average of the losses, and the range test's rule to
    stop: the loss is not finite, or its average exceeds ``factor`` times its minimum.
    """

    def __init__(self, beta: float, factor: float):
        self.beta, self.factor = beta, factor
        self.average, self.best = 0.0, math.inf
        self.values: list[float] = []

    def __call__(self, loss: float) -> bool:
        """Add ``loss``; whether the sweep stops there."""
        beta = self.beta
        self.average = beta * self.average + (1 - beta) * loss
        smoothed = self.average / (1 - beta ** (len(self.values) + 1))
        self.values.append(smoothed)
        if not math.isfinite(loss) or smoothed > self.factor * self.best:
            return True
        self.best = min(self.best, smoothed)
        return False


def zero_lag_average(values: np.ndarray, beta: float) -> np.ndarray:
    """A bias-corrected exponential moving average run forwards over ``values``, then
    backwards over the result: smooth, and centred (no lag). Non-finite values at the
    end (a sweep that exploded) stay infinite.

    Examples:
        >>> zero_lag_average(np.array([1.0, 1.0, 1.0]), 0.9).tolist()
        [1.0, 1.0, 1.0]
    """

    def forward(x):
        out, m = np.empty_like(x), 0.0
        for t, v in enumerate(x):
            m = beta * m + (1 - beta) * v
            out[t] = m / (1 - beta ** (t + 1))
        return out

    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    n = values.size if finite.all() else int(np.argmin(finite))
    out = np.full(values.shape, np.inf)
    if n:
        out[:n] = forward(forward(values[:n])[::-1])[::-1]
    return out


def _result(loop: MinibatchLoop, watch: _SmoothedLoss, config: dict) -> LRRangeTest:
    lr = np.array(loop.lrs)
    smoothed = zero_lag_average(np.array(loop.losses), watch.beta)
    message = ""
    if loop.stopped:
        message = (
            f"stopped at update {loop.updates - 1}, learning rate {loop.lrs[-1]:g}: "
            f"the smoothed loss {watch.values[-1]:.4g} exceeds {watch.factor:g} x "
            f"its minimum {watch.best:.4g}"
        )
    steep, lowest = _suggest(lr, smoothed)
    high = lowest / 10.0
    return LRRangeTest(
        lr=lr,
        loss=np.array(loop.losses),
        smoothed_loss=smoothed,
        lr_steepest=steep,
        lr_min_loss=lowest,
        suggested_range=(min(steep, high), max(steep, high)),
        stopped_early=bool(message),
        message=message,
        config=config,
    )


def _suggest(lr: np.ndarray, smoothed: np.ndarray) -> tuple[float, float]:
    """Steepest-descent and minimum-loss learning rates of a range test."""
    finite = np.isfinite(smoothed)
    values = np.where(finite, smoothed, np.inf)
    i_min = int(np.argmin(values))
    lowest = float(lr[i_min])
    if i_min < 2:
        return lowest, lowest
    skip = min(10, i_min // 4)  # the first averages rest on very few losses
    slope = np.gradient(smoothed[: i_min + 1], np.log10(lr[: i_min + 1]))
    i_steep = skip + int(np.argmin(slope[skip:]))
    return float(lr[i_steep]), lowest
