"""Training with a learning-rate schedule: :func:`fit` and its :class:`History`."""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from .. import _checks as check
from ..data import MNIST
from ..plotting import axis_label, color
from .context import (
    Prepared,
    check_num_threads,
    close_bar,
    deterministic_run,
    prepare,
    progress_bar,
    progress_enabled,
)
from .driver import ScheduleDriver, check_optimizer_args
from .loop import MinibatchLoop, evaluate, updates_per_epoch
from .models import build_model
from .plots import (
    EPOCH_LABEL,
    LR_LABEL,
    UPDATE_LABEL,
    integer_ticks,
    new_axes,
    styled,
)

#: The metrics a reduce-on-plateau schedule can watch. The test set is not among
#: them: a schedule chosen or steered by test results makes the test score optimistic.
MONITORS = ("val_loss", "val_accuracy", "train_loss", "train_accuracy")


@dataclass(eq=False, repr=False)
class History:
    """What :func:`fit` measured: per update, and per epoch.

    Updates are numbered from 0, like the step ``t`` of a schedule: ``lr[t]`` is the
    learning rate used by update ``t`` and ``loss[t]`` the minibatch loss it computed
    (before its step). Losses are cross-entropies in nats; accuracies are fractions.

    Attributes:
        lr: learning rate of each update, ``float64`` array of shape ``(updates,)``.
        loss: training minibatch loss of each update, same shape.
        momentum: momentum of each update (SGD's ``momentum``, Adam's ``beta1``, as
            the optimizer held it when the update was made), same shape; NaN for an
            optimizer with neither.
        train_loss: mean training loss of each completed epoch (over its minibatches).
        train_accuracy: training accuracy of each completed epoch (over its
            minibatches, as the network changed during the epoch).
        test_loss: test loss after each completed epoch.
        test_accuracy: test accuracy after each completed epoch.
        val_loss: validation loss after each completed epoch (empty without a
            validation split).
        val_accuracy: validation accuracy after each completed epoch.
        updates_per_epoch: minibatches per epoch (the last one may be smaller).
        diverged: whether training stopped because the loss became NaN or infinite.
        message: the reason it stopped early (empty otherwise).
        config: the settings of the run (plain Python values).
        train_seconds: wall time spent training (excluding evaluation).
        eval_seconds: wall time spent evaluating (validation and test sets).
        model: the trained network.

    Decide on the validation metrics (``val_loss``, ``val_accuracy``); report the
    test metrics once, for the final choice.
    """

    lr: np.ndarray
    loss: np.ndarray
    train_loss: np.ndarray
    train_accuracy: np.ndarray
    test_loss: np.ndarray
    test_accuracy: np.ndarray
    updates_per_epoch: int
    diverged: bool = False
    message: str = ""
    config: dict = field(default_factory=dict)
    train_seconds: float = 0.0
    eval_seconds: float = 0.0
    model: Any = None
    val_loss: np.ndarray = field(default_factory=lambda: np.empty(0))
    val_accuracy: np.ndarray = field(default_factory=lambda: np.empty(0))
    momentum: np.ndarray = field(default_factory=lambda: np.empty(0))

    @property
    def updates(self) -> int:
        """Number of updates made (or attempted, for the one that diverged)."""
        return int(self.lr.shape[0])

    @property
    def epochs(self) -> int:
        """Number of completed epochs."""
        return int(self.test_loss.shape[0])

    @property
    def final_test_accuracy(self) -> float:
        """Test accuracy after the last completed epoch (NaN if it diverged)."""
        if self.diverged or not self.epochs:
            return math.nan
        return float(self.test_accuracy[-1])

    @property
    def final_test_loss(self) -> float:
        """Test loss after the last completed epoch (NaN if it diverged)."""
        if self.diverged or not self.epochs:
            return math.nan
        return float(self.test_loss[-1])

    @property
    def final_train_accuracy(self) -> float:
        """Training accuracy of the last completed epoch (NaN if it diverged)."""
        if self.diverged or not self.train_accuracy.size:
            return math.nan
        return float(self.train_accuracy[-1])

    @property
    def final_train_loss(self) -> float:
        """Mean training loss of the last completed epoch (NaN if it diverged)."""
        if self.diverged or not self.train_loss.size:
            return math.nan
        return float(self.train_loss[-1])

    @property
    def final_val_accuracy(self) -> float:
        """Validation accuracy after the last completed epoch (NaN if it diverged or
        there is no validation split)."""
        if self.diverged or not self.val_accuracy.size:
            return math.nan
        return float(self.val_accuracy[-1])

    @property
    def final_val_loss(self) -> float:
        """Validation loss after the last completed epoch (NaN if it diverged or
        there is no validation split)."""
        if self.diverged or not self.val_loss.size:
            return math.nan
        return float(self.val_loss[-1])

    def __repr__(self) -> str:
        head = (
            f"History(epochs={self.epochs}, updates={self.updates}, "
            f"schedule={self.config.get('schedule', '?')}"
        )
        if self.diverged:
            return f"{head}, diverged: {self.message})"
        if not self.epochs:
            return f"{head})"
        if self.val_loss.size:
            return (
                f"{head}, val accuracy {100 * self.val_accuracy[-1]:.2f} %, "
                f"val loss {self.val_loss[-1]:.4f})"
            )
        return (
            f"{head}, test accuracy {100 * self.test_accuracy[-1]:.2f} %, "
            f"test loss {self.test_loss[-1]:.4f})"
        )

    @styled
    def plot(self, axes=None):
        """Plot the learning rate and loss per update, and the accuracy per epoch.

        Args:
            axes: three matplotlib Axes to draw into (default: a new figure in the
                book's style).

        Returns:
            The matplotlib Figure. A new figure is not left open in pyplot: in a
            notebook it appears once, as the value of the cell (``h.plot()``); keep it
            with ``fig = h.plot()`` to save or show it later.
        """
        fig, (ax_lr, ax_loss, ax_acc) = new_axes(axes, 3)
        ax_lr.plot(np.arange(self.updates), self.lr, color=color(0))
        ax_lr.set(xlabel=UPDATE_LABEL, ylabel=LR_LABEL, title="learning rate")
        self._plot_loss(ax_loss)
        if self.diverged:
            k = self.updates - 1
            for ax in (ax_lr, ax_loss):
                ax.axvline(
                    k,
                    color=color(4),
                    ls="--",
                    lw=1.2,
                    label=f"diverged (update {k})" if ax is ax_loss else None,
                )
        ax_loss.legend()
        self._plot_accuracy(ax_acc)
        return fig

    def _plot_loss(self, ax) -> None:
        """Minibatch losses, epoch means and test losses against the update."""
        t = np.arange(self.updates)
        ok = np.isfinite(self.loss) & (self.loss > 0)
        ax.plot(
            t[ok],
            self.loss[ok],
            color=color(0),
            alpha=0.35,
            lw=0.8,
            label="train (minibatch)",
        )
        ends = (np.arange(self.epochs) + 1) * self.updates_per_epoch - 1
        ax.plot(ends, self.train_loss, "o-", color=color(0), label="train (epoch mean)")
        ax.plot(ends, self.test_loss, "s-", color=color(1), label="test")
        if ok.any():
            ax.set_yscale("log")
        ax.set(
            xlabel=UPDATE_LABEL,
            ylabel=axis_label("cross-entropy loss", "nats"),
            title="loss",
        )

    def _plot_accuracy(self, ax) -> None:
        """Training and validation accuracy (test accuracy without a validation
        split) against the epoch."""
        epochs = np.arange(1, self.epochs + 1)
        ax.plot(epochs, 100 * self.train_accuracy, "o-", color=color(0), label="train")
        if self.val_accuracy.size:
            held_out, name = self.val_accuracy, "validation"
        else:
            held_out, name = self.test_accuracy, "test"
        ax.plot(epochs, 100 * held_out, "s-", color=color(1), label=name)
        ax.set(xlabel=EPOCH_LABEL, ylabel=axis_label("accuracy", "%"), title="accuracy")
        integer_ticks(ax)
        if self.epochs:
            ax.legend()
            return
        ax.text(
            0.5,
            0.5,
            "no completed epoch",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color=color(7),
        )
        ax.set_xticks([])
        ax.set_yticks([])


def fit(
    schedule,
    *,
    data: MNIST | None = None,
    model="mlp",
    epochs: int = 3,
    batch_size: int = 64,
    optimizer="sgd",
    momentum: float | None = None,
    weight_decay: float = 0.0,
    lr: float | None = None,
    step_per: str | None = None,
    momentum_schedule=None,
    monitor: str = "val_loss",
    validation: float | None = None,
    seed: int = 0,
    n_train: int | None = None,
    n_test: int | None = None,
    device=None,
    num_threads: int | None = 1,
    progress: bool | None = None,
) -> History:
    """Train a network on MNIST with a learning-rate schedule and record everything.

    Each epoch visits the training images once in a new random order, in minibatches
    of ``batch_size`` (the last one may be smaller), makes one optimizer update per
    minibatch, then measures the loss and accuracy on the validation images (held out
    of the training images, see ``validation``) and on the test set. The schedule is
    advanced after every update (``step_per="batch"``: update ``t`` uses ``s(t)``) or
    after every epoch (``step_per="epoch"``: every update of epoch ``e`` uses
    ``s(e)``). A reduce-on-plateau schedule is stepped once per epoch with the
    ``monitor`` metric, exactly as PyTorch's ``ReduceLROnPlateau.step(metric)``.

    If a minibatch loss is NaN or infinite, training stops there: the history ends at
    that update, ``diverged`` is true, and a ``RuntimeWarning`` says "diverged at update
    k, learning rate x". (On a GPU the check runs every few dozen updates, to avoid
    waiting for the GPU at every step.)

    Args:
        schedule: the learning rate: a number (constant rate), an lrbook
            :class:`~lrbook.schedules.Schedule` (e.g. ``lrbook.cosine_annealing(...)``),
            an :class:`lrbook.ReduceLROnPlateau`, a function ``optimizer -> PyTorch
            scheduler`` (e.g. ``lambda opt: torch.optim.lr_scheduler.StepLR(opt, 2)``,
            with base rate ``lr``), or a PyTorch scheduler object built on the optimizer
            passed as ``optimizer``. Plateau objects are copied, not modified. An
            lrbook schedule sets the rate of update ``t`` (or epoch ``e``) to exactly
            the value :func:`lrbook.as_torch_scheduler` would.
        data: the data (default: the book's fixed image set,
            :func:`lrbook.book_mnist`: 3,200 training, 800 validation and 1,000 test
            images, the same online and offline; :func:`lrbook.load_mnist` gives full
            MNIST).
        model: ``"mlp"`` (:func:`mlp`, default), ``"cnn"`` (:func:`cnn`), a function
            returning a fresh ``nn.Module`` (initialised under ``seed``), or an
            ``nn.Module``, which is trained in place.
        epochs: passes over the training set (integer >= 1).
        batch_size: images per update (integer, 1..number of training images).
        optimizer: ``"sgd"`` (with momentum, default 0.9), ``"adam"`` or
            ``"adamw"``; or a ``torch.optim.Optimizer`` over the parameters of
            ``model`` (an nn.Module).
        momentum: SGD's momentum in [0, 1) (default 0.9; only for ``"sgd"``).
        weight_decay: L2 penalty coefficient (>= 0).
        lr: the optimizer's base rate, only for PyTorch scheduler functions (default
            0.1 for SGD, 0.001 for Adam). lrbook schedules carry their own rate.
        step_per: ``"batch"`` or ``"epoch"``; default ``"batch"``, and ``"epoch"`` for
            reduce-on-plateau (which only supports ``"epoch"``).
        momentum_schedule: an lrbook :class:`~lrbook.schedules.Schedule` of the
            momentum :math:`\beta_t` in [0, 1) (SGD's ``momentum``, Adam's
            ``beta1``), e.g. ``lrbook.one_cycle_momentum(...)``; it advances with the
            rate (step ``t`` of both at once) and replaces ``momentum``. Default
            None: the momentum stays the optimizer's. ``lrbook.one_cycle(...)`` with
            ``momentum_schedule=lrbook.one_cycle_momentum(...)`` trains exactly as
            PyTorch's ``OneCycleLR(..., cycle_momentum=True)`` (see
            :func:`lrbook.schedules.cyclic.native_torch_pair`).
        monitor: the metric a reduce-on-plateau schedule watches: ``"val_loss"``
            (default), ``"val_accuracy"``, ``"train_loss"`` or ``"train_accuracy"``
            (accuracies need ``mode="max"``). Test metrics are refused: a schedule
            steered by the test set makes its test score optimistic.
        validation: the share of the training images held out for validation, in
            [0, 1). Default: the data's own validation split (``book_mnist()`` has
            one), else 0.2. The split is stratified by digit and the same for every
            seed and schedule (its seed is fixed), so runs are paired. ``0`` trains
            on every training image and measures no validation metric.
        seed: seeds the initialisation and the order of the examples (integer >= 0).
        n_train: use only the first ``n_train`` training images (default: all).
        n_test: use only the first ``n_test`` test images (default: all).
        device: ``"cpu"``, ``"cuda"`` or a ``torch.device``; default CUDA if available.
        num_threads: CPU threads for PyTorch during this call (default 1, see
            :mod:`lrbook.train` on reproducibility; ``None`` keeps PyTorch's current
            setting, ``torch.get_num_threads()``).
        progress: show a ``tqdm.auto`` progress bar (epoch, training loss,
            validation accuracy, learning rate). Default: ``$LRBOOK_PROGRESS`` if
            set (``0`` off, ``1`` on), else on in a terminal and in a notebook run by
            a person, off when a notebook is executed unattended (as when the website
            is built). The bar disappears when training ends.

    Returns:
        A :class:`History`.

    Raises:
        TypeError, ValueError: a bad argument (the message names it).

    Examples:
        >>> import lrbook
        >>> from lrbook.train import fit
        >>> h = fit(lrbook.cosine_annealing(0.1, t_max=100), epochs=2,
        ...         progress=False)  # doctest: +SKIP
        >>> h  # doctest: +SKIP
        History(epochs=2, updates=100, schedule=cosine_annealing(...), val accuracy ...)
        >>> h.plot()  # doctest: +SKIP
    """
    run, show, num_threads = configure(
        schedule,
        data=data,
        model=model,
        epochs=epochs,
        batch_size=batch_size,
        optimizer=optimizer,
        momentum=momentum,
        weight_decay=weight_decay,
        lr=lr,
        step_per=step_per,
        momentum_schedule=momentum_schedule,
        monitor=monitor,
        validation=validation,
        seed=seed,
        n_train=n_train,
        n_test=n_test,
        device=device,
        num_threads=num_threads,
        progress=progress,
    )
    loop = run.minibatch_loop(progress_bar(show, run.total_updates, "fit", "update"))
    with deterministic_run(run.prepared.device, num_threads, run.seed) as threads:
        try:
            record = run.train(loop)
        finally:
            close_bar(loop.bar)
    if loop.stopped:
        warnings.warn(record.message, RuntimeWarning, stacklevel=2)
    return run.history(loop, record, threads)


def configure(
    schedule,
    *,
    data,
    model,
    epochs,
    batch_size,
    optimizer,
    momentum,
    weight_decay,
    lr,
    step_per,
    momentum_schedule,
    monitor,
    validation,
    seed,
    n_train,
    n_test,
    device,
    num_threads,
    progress,
):
    """Everything :func:`fit` does before its first update, with its arguments (every
    one given): check them, prepare the data, build the network, the optimizer and the
    schedule.

    Returns:
        ``(run, show, num_threads)``: the :class:`_Run`, whether to show a progress
        bar, and the checked thread count.
    """
    epochs = check.integer("epochs", epochs, minimum=1)
    seed = check.integer("seed", seed, minimum=0)
    batch_size = check.integer("batch_size", batch_size, minimum=1)
    if step_per is not None:
        step_per = check.choice("step_per", step_per, ("batch", "epoch"))
    monitor = _check_monitor(monitor)
    num_threads = check_num_threads(num_threads)
    check_optimizer_args(optimizer, momentum, weight_decay)
    show = progress_enabled(progress)
    run = _set_up(
        schedule,
        prepare(data, n_train, n_test, device, batch_size, validation),
        model=model,
        optimizer=optimizer,
        momentum=momentum,
        weight_decay=weight_decay,
        lr=lr,
        epochs=epochs,
        batch_size=batch_size,
        step_per=step_per,
        monitor=monitor,
        seed=seed,
        momentum_schedule=momentum_schedule,
    )
    return run, show, num_threads


@dataclass
class _EpochRecord:
    """What :func:`fit` measures once per epoch, and the time it spends."""

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    train_seconds: float = 0.0
    eval_seconds: float = 0.0
    message: str = ""

    def metric(self, name: str) -> float:
        """The last value of a :data:`MONITORS` metric."""
        return getattr(self, name)[-1]


@dataclass(eq=False)
class _Run:
    """One run of :func:`fit`: its settings, data, network and schedule."""

    prepared: Prepared
    net: nn.Module
    model_name: str
    driver: ScheduleDriver
    optimizer_name: str
    epochs: int
    batch_size: int
    step_per: str
    monitor: str
    seed: int

    @property
    def updates_per_epoch(self) -> int:
        return updates_per_epoch(self.prepared.n_train, self.batch_size)

    @property
    def total_updates(self) -> int:
        return self.epochs * self.updates_per_epoch

    def last_schedule_step(self) -> int:
        """The last step of the schedule the run needs (checked: the schedule has
        it)."""
        last_step = (
            self.total_updates - 1 if self.step_per == "batch" else self.epochs - 1
        )
        max_step = self.driver.max_step
        momentum_max = self.driver.max_momentum_step
        if momentum_max is not None and last_step > momentum_max:
            raise ValueError(
                f"the momentum_schedule {self.driver.momentum_schedule!r} is defined "
                f"for steps 0..{momentum_max}, but the run needs steps "
                f"0..{last_step} ({self.updates_per_epoch} updates per epoch)"
            )
        if max_step is not None and last_step > max_step:
            fix = (
                f"; pass {self.driver.length_parameter}={last_step + 1}"
                if self.driver.length_parameter
                else ""
            )
            raise ValueError(
                f"the schedule {self.driver.description} is defined for steps "
                f"0..{max_step}, but training with epochs={self.epochs}, "
                f"batch_size={self.batch_size} and step_per={self.step_per!r} needs "
                f"steps 0..{last_step} (there are {self.updates_per_epoch} updates "
                f"per epoch){fix}"
            )
        return last_step

    def minibatch_loop(self, bar) -> MinibatchLoop:
        return MinibatchLoop(
            self.net,
            self.driver,
            self.prepared.x_train,
            self.prepared.y_train,
            batch_size=self.batch_size,
            seed=self.seed,
            planned_updates=self.total_updates,
            step_per_update=self.step_per == "batch",
            bar=bar,
        )

    def train(self, loop: MinibatchLoop) -> _EpochRecord:
        """Every epoch: train, evaluate on the test set, step a per-epoch schedule."""
        record = _EpochRecord()
        for epoch in range(self.epochs):
            if not self.train_epoch(loop, record, epoch):
                break
        return record

    def train_epoch(self, loop: MinibatchLoop, record: _EpochRecord, epoch: int):
        """Epoch ``epoch`` of :meth:`train`; whether training goes on after it."""
        start = time.perf_counter()
        trained = loop.epoch()
        record.train_seconds += time.perf_counter() - start
        if trained is None:
            record.message = _divergence_message(loop, epoch)
            return False
        record.train_loss.append(trained[0])
        record.train_accuracy.append(trained[1])
        self._evaluate(record)
        self._show_progress(loop, record, epoch)
        if epoch < self.epochs - 1:  # no step after the last update: none follows
            if self.driver.steps_on_metric:
                self.driver.step(record.metric(self.monitor))
            elif self.step_per == "epoch":
                self.driver.step()
        return True

    def _evaluate(self, record: _EpochRecord) -> None:
        """Measure the network on the validation images (if any) and the test set."""
        start = time.perf_counter()
        p = self.prepared
        if p.x_val is not None:
            val_loss, val_accuracy = evaluate(self.net, p.x_val, p.y_val)
            record.val_loss.append(val_loss)
            record.val_accuracy.append(val_accuracy)
        test_loss, test_accuracy = evaluate(self.net, p.x_test, p.y_test)
        record.test_loss.append(test_loss)
        record.test_accuracy.append(test_accuracy)
        record.eval_seconds += time.perf_counter() - start

    def _show_progress(self, loop: MinibatchLoop, record: _EpochRecord, epoch: int):
        if loop.bar is not None:
            held_out = record.val_accuracy or record.test_accuracy
            loop.bar.set_postfix(
                {
                    "epoch": f"{epoch + 1}/{self.epochs}",
                    "loss": f"{record.train_loss[-1]:.3f}",
                    ("val acc" if record.val_accuracy else "test acc"): (
                        f"{100 * held_out[-1]:.1f}%"
                    ),
                    "lr": f"{self.driver.optimizer.param_groups[0]['lr']:.3g}",
                },
                refresh=False,
            )

    def history(self, loop: MinibatchLoop, record: _EpochRecord, threads: int):
        """The :class:`History` of the run, with its settings in ``config``."""
        defaults = self.driver.optimizer.defaults
        config = {
            "schedule": self.driver.description,
            "model": self.model_name,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "optimizer": self.optimizer_name,
            "momentum": defaults.get("momentum"),
            "momentum_schedule": (
                None
                if self.driver.momentum_schedule is None
                else repr(self.driver.momentum_schedule)
            ),
            "weight_decay": defaults.get("weight_decay"),
            "step_per": self.step_per,
            "monitor": self.monitor if self.driver.steps_on_metric else None,
            "seed": self.seed,
            "n_train": self.prepared.n_train,
            "n_val": self.prepared.n_val,
            "n_test": self.prepared.n_test,
            "data": self.prepared.data.source,
            "device": str(self.prepared.device),
            "num_threads": threads,
            "torch": torch.__version__,
        }
        return History(
            lr=np.array(loop.lrs, dtype=np.float64),
            loss=np.array(loop.losses, dtype=np.float64),
            momentum=np.array(loop.momenta, dtype=np.float64),
            train_loss=np.array(record.train_loss),
            train_accuracy=np.array(record.train_accuracy),
            test_loss=np.array(record.test_loss),
            test_accuracy=np.array(record.test_accuracy),
            val_loss=np.array(record.val_loss),
            val_accuracy=np.array(record.val_accuracy),
            updates_per_epoch=self.updates_per_epoch,
            diverged=loop.stopped,
            message=record.message,
            config=config,
            train_seconds=record.train_seconds,
            eval_seconds=record.eval_seconds,
            model=self.net,
        )


def _set_up(
    schedule,
    prepared: Prepared,
    *,
    model,
    optimizer,
    momentum,
    weight_decay,
    lr,
    epochs: int,
    batch_size: int,
    step_per: str | None,
    monitor: str,
    seed: int,
    momentum_schedule=None,
) -> _Run:
    """The network on the device, the optimizer and the schedule, checked against
    each other and against the length of the run."""
    net, model_name = build_model(model, seed)
    if isinstance(optimizer, torch.optim.Optimizer):
        _check_optimizer_object(optimizer, model, net)
    net.to(prepared.device)
    net.train()
    driver = ScheduleDriver(
        schedule,
        optimizer,
        net.parameters(),
        lr,
        momentum,
        weight_decay,
        momentum_schedule,
    )
    run = _Run(
        prepared,
        net,
        model_name,
        driver,
        optimizer_name=(
            optimizer if isinstance(optimizer, str) else type(optimizer).__name__
        ),
        epochs=epochs,
        batch_size=batch_size,
        step_per=_resolve_step_per(driver, step_per, monitor),
        monitor=monitor,
        seed=seed,
    )
    if driver.steps_on_metric and monitor.startswith("val_") and prepared.n_val == 0:
        raise ValueError(
            f"monitor={monitor!r} needs validation images, but validation=0 holds "
            f"none out; give validation a share such as 0.2"
        )
    driver.start(run.last_schedule_step() + 1)
    return run


def _check_optimizer_object(optimizer, model, net: nn.Module) -> None:
    """A given Optimizer must update the given network's parameters, and only them."""
    if not isinstance(model, nn.Module):
        raise ValueError(
            "an Optimizer object needs model= to be the nn.Module "
            "whose parameters it updates"
        )
    own = {id(p) for p in net.parameters()}
    if not all(id(p) in own for g in optimizer.param_groups for p in g["params"]):
        raise ValueError("optimizer updates parameters that are not model's")


def _check_monitor(monitor) -> str:
    """One of :data:`MONITORS`; a test metric gets its own explanation."""
    if isinstance(monitor, str) and monitor.startswith("test_"):
        raise ValueError(
            f"monitor={monitor!r} would steer the schedule with the test set, which "
            f"makes the test score optimistic; monitor a validation metric instead "
            f"({monitor.replace('test_', 'val_')!r})"
        )
    return check.choice("monitor", monitor, MONITORS)


def _resolve_step_per(driver: ScheduleDriver, step_per, monitor: str) -> str:
    """``step_per``, by default ``"batch"``; reduce-on-plateau steps per epoch, on a
    metric that improves in the direction of its ``mode``."""
    if not driver.steps_on_metric:
        return step_per or "batch"
    if step_per == "batch":
        raise ValueError(
            "step_per='batch' is not possible with reduce-on-plateau: "
            "it steps once per epoch, on the monitored metric; use "
            "step_per='epoch' (the default for it)"
        )
    upward = monitor.endswith("accuracy")
    if upward != (driver.mode == "max"):
        raise ValueError(
            f"monitor={monitor!r} improves when it goes "
            f"{'up' if upward else 'down'}, but the plateau schedule "
            f"has mode={driver.mode!r}; use mode="
            f"{'max' if upward else 'min'!r}"
        )
    return "epoch"


def _divergence_message(loop: MinibatchLoop, epoch: int) -> str:
    k = loop.updates - 1
    return (
        f"diverged at update {k}, learning rate {loop.lrs[k]:g}: the "
        f"loss became {loop.losses[k]} (epoch {epoch + 1}); try a "
        f"smaller learning rate"
    )
