r"""Train small networks on MNIST with a learning-rate schedule, fast and reproducibly.

Three entry points, used by every chapter's experiment:

* :func:`fit` trains a small network (an MLP by default, or a small CNN) with an lrbook
  schedule, a :class:`~lrbook.ReduceLROnPlateau` or a PyTorch scheduler, and returns a
  :class:`History` of the learning rate and loss at every update.
* :func:`lr_range_test` sweeps the learning rate exponentially over a few hundred
  updates (Smith, 2017; fastai's ``lr_find``) and suggests a range.
* :func:`compare` runs several schedules over several seeds under the same budget and
  reports the mean and spread of the final test accuracy and loss.

How it stays fast: the images are normalised once into one float tensor on the device;
each epoch draws a random permutation of the examples, and each minibatch is gathered
with one ``index_select`` by a slice of it (no ``DataLoader``, no per-example Python).
The optimizers use PyTorch's fused implementations, the loss of every update is read
without waiting (on the CPU it is already computed; on a GPU losses are collected and
read every few dozen updates), and the progress bar is updated cheaply.

How it stays reproducible: the network is initialised under
``torch.manual_seed(seed)`` (inside ``torch.random.fork_rng``, so the caller's global
random state is untouched), the order of the examples comes from a ``torch.Generator``
seeded with ``seed``, and on the CPU ``torch.use_deterministic_algorithms(True)`` is in
force during training. PyTorch runs on **one CPU thread** by default here
(``torch.set_num_threads(1)`` for the duration of the call, then restored): the result
of a matrix product can depend on how it is split between threads, so a fixed count
makes a run reproducible on machines with different numbers of cores; and for networks
this small, extra threads help little when the machine is idle (about 1.3 times faster
with two threads) but slow training down tens of times when other programs compete for
the cores (each thread waits for the others at every operation). Two runs with the same
arguments give bit-identical histories on the same kind of CPU with the same PyTorch
version; the settings are recorded in ``History.config``.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import math
import numbers
import os
import sys
import time
import warnings
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import _checks as check
from . import _env
from .data import MNIST, load_mnist
from .plateau import ReduceLROnPlateau
from .plotting import FIGSIZE, axis_label, color, style
from .schedules import Schedule, constant

__all__ = [
    "History",
    "LRRangeTest",
    "Comparison",
    "fit",
    "lr_range_test",
    "compare",
    "mlp",
    "cnn",
]

#: Mean and standard deviation of MNIST's training pixels (in [0, 1]), used to
#: normalise the images.
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081

_OPTIMIZERS = ("sgd", "adam")
_DEFAULT_LR = {"sgd": 0.1, "adam": 1e-3}
_MONITORS = ("test_loss", "train_loss", "test_accuracy", "train_accuracy")
_EVAL_BATCH = 1000
_CUDA_CHECK_EVERY = 50  # on a GPU, look for a NaN loss every this many updates


# ------------------------------------------------------------------------ the models


def mlp(hidden: int = 128) -> nn.Sequential:
    """A one-hidden-layer perceptron for 28x28 images: 784 -> ``hidden`` -> 10.

    Args:
        hidden: width of the hidden layer (integer >= 1).

    Returns:
        ``nn.Sequential(Flatten, Linear(784, hidden), ReLU, Linear(hidden, 10))``.

    Examples:
        >>> sum(p.numel() for p in mlp().parameters())
        101770
    """
    hidden = check.integer("hidden", hidden, minimum=1)
    return nn.Sequential(
        nn.Flatten(), nn.Linear(28 * 28, hidden), nn.ReLU(), nn.Linear(hidden, 10)
    )


def cnn() -> nn.Sequential:
    """A small convolutional network for 28x28 images (two 3x3 convolutions).

    Returns:
        conv(1->8) - ReLU - maxpool - conv(8->16) - ReLU - maxpool - Linear(784, 10).

    Examples:
        >>> sum(p.numel() for p in cnn().parameters())
        9098
    """
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 7 * 7, 10),
    )


_MODELS: dict[str, Callable[[], nn.Module]] = {"mlp": mlp, "cnn": cnn}


# ------------------------------------------------------------------------- results


def _styled(plot):
    """Run a ``plot`` method entirely in the book's style (titles, legends and lines
    too, not only the axes)."""

    @functools.wraps(plot)
    def wrapper(*args, **kwargs):
        with style():
            return plot(*args, **kwargs)

    return wrapper


@dataclass(eq=False, repr=False)
class History:
    """What :func:`fit` measured: per update, and per epoch.

    Updates are numbered from 0, like the step ``t`` of a schedule: ``lr[t]`` is the
    learning rate used by update ``t`` and ``loss[t]`` the minibatch loss it computed
    (before its step). Losses are cross-entropies in nats; accuracies are fractions.

    Attributes:
        lr: learning rate of each update, ``float64`` array of shape ``(updates,)``.
        loss: training minibatch loss of each update, same shape.
        train_loss: mean training loss of each completed epoch (over its minibatches).
        train_accuracy: training accuracy of each completed epoch (over its
            minibatches, as the network changed during the epoch).
        test_loss: test loss after each completed epoch.
        test_accuracy: test accuracy after each completed epoch.
        updates_per_epoch: minibatches per epoch (the last one may be smaller).
        diverged: whether training stopped because the loss became NaN or infinite.
        message: the reason it stopped early (empty otherwise).
        config: the settings of the run (plain Python values).
        train_seconds: wall time spent training (excluding evaluation).
        eval_seconds: wall time spent evaluating on the test set.
        model: the trained network.
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

    def __repr__(self) -> str:
        head = (
            f"History(epochs={self.epochs}, updates={self.updates}, "
            f"schedule={self.config.get('schedule', '?')}"
        )
        if self.diverged:
            return f"{head}, diverged: {self.message})"
        if not self.epochs:
            return f"{head})"
        return (
            f"{head}, test accuracy {100 * self.test_accuracy[-1]:.2f} %, "
            f"test loss {self.test_loss[-1]:.4f})"
        )

    @_styled
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
        fig, (ax_lr, ax_loss, ax_acc) = _axes(axes, 3)
        blue, orange, red = color(0), color(1), color(4)
        t = np.arange(self.updates)
        ax_lr.plot(t, self.lr, color=blue)
        ax_lr.set(xlabel=_UPDATE, ylabel=_LR, title="learning rate")
        ok = np.isfinite(self.loss) & (self.loss > 0)
        ax_loss.plot(
            t[ok],
            self.loss[ok],
            color=blue,
            alpha=0.35,
            lw=0.8,
            label="train (minibatch)",
        )
        ends = (np.arange(self.epochs) + 1) * self.updates_per_epoch - 1
        ax_loss.plot(
            ends, self.train_loss, "o-", color=blue, label="train (epoch mean)"
        )
        ax_loss.plot(ends, self.test_loss, "s-", color=orange, label="test")
        if self.diverged:
            k = self.updates - 1
            for ax in (ax_lr, ax_loss):
                ax.axvline(
                    k,
                    color=red,
                    ls="--",
                    lw=1.2,
                    label=f"diverged (update {k})" if ax is ax_loss else None,
                )
        if ok.any():
            ax_loss.set_yscale("log")
        ax_loss.set(
            xlabel=_UPDATE,
            ylabel=axis_label("cross-entropy loss", "nats"),
            title="loss",
        )
        ax_loss.legend()
        epochs = np.arange(1, self.epochs + 1)
        ax_acc.plot(epochs, 100 * self.train_accuracy, "o-", color=blue, label="train")
        ax_acc.plot(epochs, 100 * self.test_accuracy, "s-", color=orange, label="test")
        ax_acc.set(xlabel=_EPOCH, ylabel=axis_label("accuracy", "%"), title="accuracy")
        _integer_ticks(ax_acc)
        if self.epochs:
            ax_acc.legend()
        else:
            ax_acc.text(
                0.5,
                0.5,
                "no completed epoch",
                transform=ax_acc.transAxes,
                ha="center",
                va="center",
                color=color(7),
            )
            ax_acc.set_xticks([])
            ax_acc.set_yticks([])
        return fig


_UPDATE = axis_label("update", "optimizer steps", symbol="t")
_LR = axis_label("learning rate", symbol=r"\alpha_t")
_EPOCH = axis_label("epoch")


def _axes(axes, n: int):
    """``n`` new axes side by side in the book's style, or the ones given."""
    import matplotlib.pyplot as plt  # also sets up inline display in notebooks

    if axes is None:
        size = FIGSIZE if n == 1 else (4.4 * n, FIGSIZE[1] + 0.3)
        fig, new = plt.subplots(1, n, figsize=size, squeeze=False)
        plt.close(fig)  # shown once, as the caller's value, not again by pyplot
        return fig, tuple(new[0]) if n > 1 else new[0, 0]
    if n == 1:
        return axes.figure, axes
    axes = tuple(np.ravel(axes))
    if len(axes) != n:
        raise ValueError(f"axes must be {n} matplotlib Axes, got {len(axes)}")
    return axes[0].figure, axes


def _integer_ticks(ax) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


# --------------------------------------------------------------------- validation


def _choice_or_none(name, value, allowed):
    return None if value is None else check.choice(name, value, allowed)


def _progress_enabled(progress: bool | None) -> bool:
    """``progress`` if given; else ``$LRBOOK_PROGRESS``; else only when interactive.

    ``LRBOOK_PROGRESS=0`` switches bars off, ``=1`` on. Without it, bars are shown in
    a terminal and in a notebook that a person is running, but not when a notebook is
    executed unattended (nbclient, as used by Jupyter Book and papermill, or
    ``jupyter nbconvert --execute``), so the website's pages carry no bars.
    """
    if progress is not None:
        if not isinstance(progress, bool):
            raise TypeError(f"progress must be True, False or None, got {progress!r}")
        return progress
    env = os.environ.get("LRBOOK_PROGRESS", "").strip().lower()
    if env:
        return env not in ("0", "false", "no", "off")
    kernel = _env.jupyter_kernel()
    if kernel is not None:
        # Unattended executors run cells with stdin disabled (no one could answer
        # input()); every interactive front end (Jupyter, VS Code, Colab) enables it.
        return bool(getattr(kernel, "_allow_stdin", True))
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _device(device) -> torch.device:
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (TypeError, RuntimeError):
        raise ValueError(
            f"device must be None, 'cpu', 'cuda' or a torch.device, got {device!r}"
        ) from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} but CUDA is not available; use 'cpu'")
    return dev


_DEFAULT_DATA: MNIST | None = None


def _data(data: MNIST | None) -> MNIST:
    global _DEFAULT_DATA
    if data is None:
        if _DEFAULT_DATA is None:
            _DEFAULT_DATA = load_mnist()
        return _DEFAULT_DATA
    if not isinstance(data, MNIST):
        raise TypeError(
            f"data must be an lrbook.data.MNIST (from load_mnist()) or "
            f"None, got {type(data).__name__}"
        )
    return data


# One prepared copy of the data (normalised float tensors on a device), reused while the
# same MNIST object is trained on repeatedly (compare, or a chapter calling fit often).
_PREPARED: dict = {"ref": None, "key": None, "tensors": None}


def _tensors(
    data: MNIST, n_train: int | None, n_test: int | None, device: torch.device
):
    n_tr = _count("n_train", n_train, data.n_train)
    n_te = _count("n_test", n_test, data.n_test)
    key = (n_tr, n_te, str(device))
    ref = _PREPARED["ref"]
    if ref is not None and ref() is data and _PREPARED["key"] == key:
        return _PREPARED["tensors"]

    def images(a):
        x = torch.from_numpy(np.ascontiguousarray(a)).to(device)
        return x.to(torch.float32).div_(255.0).sub_(MNIST_MEAN).div_(MNIST_STD)[:, None]

    def labels(a):
        return torch.from_numpy(np.ascontiguousarray(a, dtype=np.int64)).to(device)

    tensors = (
        images(data.train_images[:n_tr]),
        labels(data.train_labels[:n_tr]),
        images(data.test_images[:n_te]),
        labels(data.test_labels[:n_te]),
    )
    _PREPARED.update(ref=weakref.ref(data), key=key, tensors=tensors)
    return tensors


def _count(name: str, value, available: int) -> int:
    if value is None:
        return available
    v = check.integer(name, value, minimum=1)
    if v > available:
        raise ValueError(
            f"{name} must be at most {available} (the images available), got {v}"
        )
    return v


def _build_model(model, seed: int) -> tuple[nn.Module, str]:
    """The network, initialised under ``seed``, and a short description of it."""
    if isinstance(model, nn.Module):
        return model, type(model).__name__ + " (given)"
    if isinstance(model, str):
        if model not in _MODELS:
            raise ValueError(
                f"model must be one of 'mlp', 'cnn', an nn.Module or a "
                f"function returning one, got {model!r}"
            )
        factory, name = _MODELS[model], model
    elif callable(model):
        factory, name = model, getattr(model, "__name__", repr(model))
    else:
        raise TypeError(
            f"model must be 'mlp', 'cnn', an nn.Module or a function "
            f"returning one, got {model!r} ({type(model).__name__})"
        )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = factory()
    if not isinstance(net, nn.Module):
        raise TypeError(f"model() must return an nn.Module, got {type(net).__name__}")
    return net, name


def _make_optimizer(optimizer, params, lr: float, momentum, weight_decay: float):
    """SGD or Adam, with PyTorch's fused implementation (one kernel for all the
    parameters: the same update rule, computed faster) where this PyTorch has it."""
    params = list(params)
    if optimizer == "sgd":
        cls = torch.optim.SGD
        kwargs = {"momentum": 0.9 if momentum is None else momentum}
    else:
        cls, kwargs = torch.optim.Adam, {}
    try:
        return cls(params, lr=lr, weight_decay=weight_decay, fused=True, **kwargs)
    except (RuntimeError, TypeError, ValueError):  # older PyTorch, unusual device
        return cls(params, lr=lr, weight_decay=weight_decay, **kwargs)


def _check_optimizer_args(optimizer, momentum, weight_decay):
    if isinstance(optimizer, torch.optim.Optimizer):
        if momentum is not None or weight_decay:
            raise ValueError(
                "momentum and weight_decay are settings of the optimizer: "
                "leave them out when passing an Optimizer object"
            )
        return
    if not isinstance(optimizer, str) or optimizer not in _OPTIMIZERS:
        raise ValueError(
            f"optimizer must be 'sgd', 'adam' or a torch.optim.Optimizer, "
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


@contextlib.contextmanager
def _reproducible(device: torch.device, num_threads: int | None, seed: int):
    """Deterministic algorithms, a fixed thread count and a seeded global random state
    (for dropout and other randomness inside a model), all restored after."""
    prev_det = torch.are_deterministic_algorithms_enabled()
    prev_warn = torch.is_deterministic_algorithms_warn_only_enabled()
    prev_threads = torch.get_num_threads()
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        try:
            if num_threads is not None:
                torch.set_num_threads(num_threads)
            if device.type == "cpu":
                torch.use_deterministic_algorithms(True)
            yield torch.get_num_threads()
        finally:
            torch.use_deterministic_algorithms(prev_det, warn_only=prev_warn)
            if num_threads is not None:
                torch.set_num_threads(prev_threads)


def _progress_bar(enabled: bool, total: int, desc: str, unit: str):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        leave=False,
        dynamic_ncols=True,
        mininterval=0.25,
    )


def _close_bar(bar) -> None:
    if bar is not None:
        bar.total = bar.n  # an early stop is not an error bar left on the page
        bar.close()


@torch.no_grad()
def _evaluate(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor
) -> tuple[float, float]:
    was_training = model.training
    model.eval()
    total = torch.zeros((), dtype=torch.float64, device=x.device)
    correct = torch.zeros((), dtype=torch.int64, device=x.device)
    for i in range(0, x.shape[0], _EVAL_BATCH):
        out = model(x[i : i + _EVAL_BATCH])
        yb = y[i : i + _EVAL_BATCH]
        total += F.cross_entropy(out, yb, reduction="sum").double()
        correct += (out.argmax(1) == yb).sum()
    model.train(was_training)
    n = x.shape[0]
    return total.item() / n, correct.item() / n


# ---------------------------------------------------------------------- schedules


class _Driver:
    """Turns whatever ``schedule`` the reader gave into calls on a real optimizer.

    ``kind`` is ``"schedule"`` (an lrbook Schedule), ``"plateau"`` (lrbook
    ReduceLROnPlateau, stepped with a metric), ``"torch"`` (a PyTorch LRScheduler) or
    ``"torch_plateau"`` (PyTorch's ReduceLROnPlateau).

    An lrbook Schedule is evaluated once, in closed form, for every step of the run
    (:meth:`start`), and each :meth:`step` copies the next value into the optimizer:
    the rates are exactly those :func:`~lrbook.as_torch_scheduler` sets (the tests
    check it), without calling NumPy at every update, which costs about 50 µs per call
    of the schedule inside a training loop (cold caches after the matrix products).
    """

    def __init__(self, schedule, optimizer_arg, params, lr, momentum, weight_decay):
        self.plateau = None
        self.scheduler = None
        self.schedule = None
        self.max_step = None
        given_opt = isinstance(optimizer_arg, torch.optim.Optimizer)
        if isinstance(schedule, bool):
            raise TypeError(
                f"schedule must be a learning rate, an lrbook schedule or "
                f"a PyTorch scheduler, got {schedule!r}"
            )
        if isinstance(schedule, numbers.Real):
            schedule = constant(check.learning_rate("schedule", schedule))
        self.description = repr(schedule)
        if isinstance(schedule, (Schedule, ReduceLROnPlateau)):
            if lr is not None:
                raise ValueError(
                    f"lr={lr!r} conflicts with the schedule, which sets "
                    f"the learning rate; leave lr out"
                )
            if isinstance(schedule, Schedule):
                start = schedule(0)
            else:
                self.plateau = copy.deepcopy(schedule)  # the reader's stays fresh
                start = self.plateau.lr
            self.optimizer = (
                optimizer_arg
                if given_opt
                else _make_optimizer(
                    optimizer_arg, params, start, momentum, weight_decay
                )
            )
            if self.plateau is None:
                self.kind = "schedule"
                self.schedule = schedule
                self.max_step = schedule.max_step
                self._set_lr(start)
            else:
                self.kind = "plateau"
                self.mode = self.plateau.mode
                self._set_lr(start)
            return
        sched_types = (
            torch.optim.lr_scheduler.LRScheduler,
            torch.optim.lr_scheduler.ReduceLROnPlateau,
        )
        if isinstance(schedule, sched_types):
            if not given_opt or schedule.optimizer is not optimizer_arg:
                raise ValueError(
                    "a PyTorch scheduler object must belong to the "
                    "optimizer passed as optimizer=...; or pass a "
                    "function optimizer -> scheduler, e.g. lambda opt: "
                    "torch.optim.lr_scheduler.StepLR(opt, 10)"
                )
            self.optimizer, self.scheduler = optimizer_arg, schedule
        elif callable(schedule):
            if given_opt:
                self.optimizer = optimizer_arg
            else:
                base = (
                    _DEFAULT_LR[optimizer_arg]
                    if lr is None
                    else check.learning_rate("lr", lr)
                )
                self.optimizer = _make_optimizer(
                    optimizer_arg, params, base, momentum, weight_decay
                )
            self.scheduler = schedule(self.optimizer)
            if not isinstance(self.scheduler, sched_types):
                raise TypeError(
                    f"schedule must be a learning rate, an lrbook Schedule or "
                    f"ReduceLROnPlateau, a PyTorch scheduler, or a function "
                    f"optimizer -> PyTorch scheduler; the function returned "
                    f"{type(self.scheduler).__name__}"
                )
        else:
            raise TypeError(
                f"schedule must be a learning rate, an lrbook Schedule or "
                f"ReduceLROnPlateau, a PyTorch scheduler, or a function "
                f"optimizer -> PyTorch scheduler, got {schedule!r} "
                f"({type(schedule).__name__})"
            )
        if lr is not None and given_opt:
            raise ValueError(
                "lr is a setting of the optimizer: leave it out when "
                "passing an Optimizer object"
            )
        self.description = f"{type(self.scheduler).__name__} (PyTorch)"
        if isinstance(self.scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            self.kind, self.mode = "torch_plateau", self.scheduler.mode
        else:
            self.kind = "torch"

    @property
    def steps_on_metric(self) -> bool:
        return self.kind in ("plateau", "torch_plateau")

    def _set_lr(self, lr: float) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def start(self, n_steps: int) -> None:
        """Prepare for ``n_steps`` steps (0 .. n_steps - 1) of the schedule."""
        if self.kind == "schedule":
            self._table = self.schedule(np.arange(n_steps)).tolist()
            self._t = 0
            self._groups = self.optimizer.param_groups
            self._set_lr(self._table[0])

    def step(self, metric: float | None = None) -> None:
        if self.kind == "schedule":
            self._t += 1
            lr = self._table[self._t]
            for group in self._groups:
                group["lr"] = lr
        elif self.kind == "plateau":
            self._set_lr(self.plateau.step(metric))
        elif self.kind == "torch_plateau":
            self.scheduler.step(metric)
        else:
            self.scheduler.step()


# --------------------------------------------------------------------------- fit


def _prepare(data, n_train, n_test, device, batch_size: int):
    """The device and the data as tensors on it, shared by fit and lr_range_test;
    checks that one minibatch fits in the training set."""
    dev = _device(device)
    tensors = _tensors(_data(data), n_train, n_test, dev)
    n = tensors[0].shape[0]
    if batch_size > n:
        raise ValueError(
            f"batch_size must be at most the number of training images "
            f"({n}), got {batch_size}"
        )
    return dev, tensors


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
    monitor: str = "test_loss",
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
    minibatch, then measures the loss and accuracy on the test set. The schedule is
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
        data: the data (:func:`lrbook.data.load_mnist`; default: ``load_mnist()``).
        model: ``"mlp"`` (:func:`mlp`, default), ``"cnn"`` (:func:`cnn`), a function
            returning a fresh ``nn.Module`` (initialised under ``seed``), or an
            ``nn.Module``, which is trained in place.
        epochs: passes over the training set (integer >= 1).
        batch_size: images per update (integer, 1..number of training images).
        optimizer: ``"sgd"`` (with momentum, default 0.9) or ``"adam"``; or a
            ``torch.optim.Optimizer`` over the parameters of ``model`` (an nn.Module).
        momentum: SGD's momentum in [0, 1) (default 0.9; only for ``"sgd"``).
        weight_decay: L2 penalty coefficient (>= 0).
        lr: the optimizer's base rate, only for PyTorch scheduler functions (default
            0.1 for SGD, 0.001 for Adam). lrbook schedules carry their own rate.
        step_per: ``"batch"`` or ``"epoch"``; default ``"batch"``, and ``"epoch"`` for
            reduce-on-plateau (which only supports ``"epoch"``).
        monitor: the metric a reduce-on-plateau schedule watches: ``"test_loss"``
            (default), ``"train_loss"``, ``"test_accuracy"`` or ``"train_accuracy"``
            (accuracies need ``mode="max"``).
        seed: seeds the initialisation and the order of the examples (integer >= 0).
        n_train: use only the first ``n_train`` training images (default: all).
        n_test: use only the first ``n_test`` test images (default: all).
        device: ``"cpu"``, ``"cuda"`` or a ``torch.device``; default CUDA if available.
        num_threads: CPU threads for PyTorch during this call (default 1, see the
            module's notes on reproducibility; ``None`` keeps PyTorch's current
            setting, ``torch.get_num_threads()``).
        progress: show a ``tqdm.auto`` progress bar (epoch, training loss, test
            accuracy, learning rate). Default: ``$LRBOOK_PROGRESS`` if set (``0`` off,
            ``1`` on), else on in a terminal and in a notebook run by a person, off
            when a notebook is executed unattended (as when the website is built). The
            bar disappears when training ends.

    Returns:
        A :class:`History`.

    Raises:
        TypeError, ValueError: a bad argument (the message names it).

    Examples:
        >>> import lrbook
        >>> from lrbook.train import fit
        >>> h = fit(lrbook.cosine_annealing(0.1, t_max=120), epochs=2,
        ...         n_train=3000, progress=False)  # doctest: +SKIP
        >>> h  # doctest: +SKIP
        History(epochs=2, updates=94, schedule=cosine_annealing(...), test accuracy ...)
        >>> h.plot()  # doctest: +SKIP
    """
    epochs = check.integer("epochs", epochs, minimum=1)
    seed = check.integer("seed", seed, minimum=0)
    batch_size = check.integer("batch_size", batch_size, minimum=1)
    step_per = _choice_or_none("step_per", step_per, ("batch", "epoch"))
    monitor = check.choice("monitor", monitor, _MONITORS)
    if num_threads is not None:
        num_threads = check.integer("num_threads", num_threads, minimum=1)
    _check_optimizer_args(optimizer, momentum, weight_decay)
    show = _progress_enabled(progress)
    dev, (x_train, y_train, x_test, y_test) = _prepare(
        data, n_train, n_test, device, batch_size
    )
    n = x_train.shape[0]
    upe = -(-n // batch_size)  # ceil: the last minibatch may be smaller

    net, model_name = _build_model(model, seed)
    if isinstance(optimizer, torch.optim.Optimizer):
        if not isinstance(model, nn.Module):
            raise ValueError(
                "an Optimizer object needs model= to be the nn.Module "
                "whose parameters it updates"
            )
        own = {id(p) for p in net.parameters()}
        if not all(id(p) in own for g in optimizer.param_groups for p in g["params"]):
            raise ValueError("optimizer updates parameters that are not model's")
    net.to(dev)
    net.train()
    driver = _Driver(schedule, optimizer, net.parameters(), lr, momentum, weight_decay)
    if driver.steps_on_metric:
        if step_per == "batch":
            raise ValueError(
                "step_per='batch' is not possible with reduce-on-plateau: "
                "it steps once per epoch, on the monitored metric; use "
                "step_per='epoch' (the default for it)"
            )
        step_per = "epoch"
        upward = monitor.endswith("accuracy")
        if upward != (driver.mode == "max"):
            raise ValueError(
                f"monitor={monitor!r} improves when it goes "
                f"{'up' if upward else 'down'}, but the plateau schedule "
                f"has mode={driver.mode!r}; use mode="
                f"{'max' if upward else 'min'!r}"
            )
    step_per = step_per or "batch"
    total = epochs * upe
    last_step = total - 1 if step_per == "batch" else epochs - 1
    if driver.max_step is not None and last_step > driver.max_step:
        raise ValueError(
            f"the schedule {driver.description} is defined for steps "
            f"0..{driver.max_step}, but training with epochs={epochs}, "
            f"batch_size={batch_size} and step_per={step_per!r} needs steps "
            f"0..{last_step} (there are {upe} updates per epoch)"
        )

    driver.start(last_step + 1)
    opt = driver.optimizer
    group = opt.param_groups[0]
    gen = torch.Generator().manual_seed(seed)
    sync_each = _read_loss_every_update(dev)
    per_batch = step_per == "batch"
    # Plain lists in the loop: any NumPy call there costs microseconds (cold caches).
    lrs: list[float] = []
    losses: list[float] = []
    weights = np.full(upe, float(batch_size))
    weights[-1] = n - batch_size * (upe - 1)
    ep_train_loss, ep_train_acc, ep_test_loss, ep_test_acc = [], [], [], []
    diverged, message, t = False, "", 0
    train_s = eval_s = 0.0

    bar = _progress_bar(show, total, "fit", "update")
    with _reproducible(dev, num_threads, seed) as threads:
        try:
            for epoch in range(epochs):
                start = time.perf_counter()
                perm = torch.randperm(n, generator=gen).to(dev)
                ys = y_train.index_select(0, perm)  # labels are small: one gather
                predictions: list[torch.Tensor] = []
                pending: list[torch.Tensor] = []
                first = t
                for i in range(0, n, batch_size):
                    xb = x_train.index_select(0, perm[i : i + batch_size])
                    yb = ys[i : i + batch_size]
                    lrs.append(group["lr"])
                    out = net(xb)
                    loss = F.cross_entropy(out, yb)
                    if sync_each:  # free on the CPU: the value is already there
                        value = loss.item()
                        losses.append(value)
                        if not math.isfinite(value):
                            diverged = True
                            t += 1
                            break
                    else:
                        pending.append(loss.detach())
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                    predictions.append(out.argmax(1))  # integers: no autograd
                    t += 1
                    if pending and (
                        len(pending) == _CUDA_CHECK_EVERY or i + batch_size >= n
                    ):
                        diverged = _flush(pending, losses)
                        pending = []
                        if diverged:
                            t = len(losses)
                            del lrs[t:]
                            break
                    if per_batch and t < total:
                        driver.step()
                    if bar is not None:
                        bar.update()
                train_s += time.perf_counter() - start
                if diverged:
                    k = t - 1
                    message = (
                        f"diverged at update {k}, learning rate {lrs[k]:g}: the "
                        f"loss became {losses[k]} (epoch {epoch + 1}); try a "
                        f"smaller learning rate"
                    )
                    break
                ep_train_loss.append(float(np.dot(losses[first:t], weights)) / n)
                hits = (torch.cat(predictions) == ys).sum()
                ep_train_acc.append(hits.item() / n)
                start = time.perf_counter()
                test_loss, test_acc = _evaluate(net, x_test, y_test)
                eval_s += time.perf_counter() - start
                ep_test_loss.append(test_loss)
                ep_test_acc.append(test_acc)
                if bar is not None:
                    bar.set_postfix(
                        {
                            "epoch": f"{epoch + 1}/{epochs}",
                            "loss": f"{ep_train_loss[-1]:.3f}",
                            "test acc": f"{100 * test_acc:.1f}%",
                            "lr": f"{group['lr']:.3g}",
                        },
                        refresh=False,
                    )
                if epoch < epochs - 1:  # no step after the last update: none follows
                    if driver.steps_on_metric:
                        metrics = {
                            "test_loss": test_loss,
                            "test_accuracy": test_acc,
                            "train_loss": ep_train_loss[-1],
                            "train_accuracy": ep_train_acc[-1],
                        }
                        driver.step(metrics[monitor])
                    elif not per_batch:
                        driver.step()
        finally:
            _close_bar(bar)

    if diverged:
        warnings.warn(message, RuntimeWarning, stacklevel=2)
    config = {
        "schedule": driver.description,
        "model": model_name,
        "epochs": epochs,
        "batch_size": batch_size,
        "optimizer": optimizer if isinstance(optimizer, str) else type(opt).__name__,
        "momentum": opt.defaults.get("momentum"),
        "weight_decay": opt.defaults.get("weight_decay"),
        "step_per": step_per,
        "monitor": monitor if driver.steps_on_metric else None,
        "seed": seed,
        "n_train": n,
        "n_test": int(x_test.shape[0]),
        "data": data.source,
        "device": str(dev),
        "num_threads": threads,
        "torch": torch.__version__,
    }
    return History(
        lr=np.array(lrs, dtype=np.float64),
        loss=np.array(losses, dtype=np.float64),
        train_loss=np.array(ep_train_loss),
        train_accuracy=np.array(ep_train_acc),
        test_loss=np.array(ep_test_loss),
        test_accuracy=np.array(ep_test_acc),
        updates_per_epoch=upe,
        diverged=diverged,
        message=message,
        config=config,
        train_seconds=train_s,
        eval_seconds=eval_s,
        model=net,
    )


def _read_loss_every_update(device: torch.device) -> bool:
    """Read each loss at once (CPU: free) or collect them (GPU: avoids a sync)."""
    return device.type == "cpu"


def _flush(pending: list[torch.Tensor], losses: list[float]) -> bool:
    """Append buffered (GPU) losses to ``losses`` up to the first NaN/inf, if any."""
    values = torch.stack(pending).double().cpu().tolist()
    for value in values:
        losses.append(value)
        if not math.isfinite(value):
            return True
    return False


# ------------------------------------------------------------------ lr_range_test


@dataclass(eq=False, repr=False)
class LRRangeTest:
    """The result of :func:`lr_range_test`.

    Attributes:
        lr: learning rate of each update of the sweep.
        loss: minibatch loss of each update.
        smoothed_loss: exponential moving average of ``loss``, bias-corrected.
        lr_steepest: the rate where the smoothed loss falls fastest (per decade of
            learning rate), before its minimum.
        lr_min_loss: the rate where the smoothed loss is smallest.
        suggested_range: ``(low, high)``: from the steepest descent to a tenth of the
            minimum's rate (ordered), a reasonable span for cyclic or one-cycle
            schedules; ``high`` alone is a reasonable constant rate.
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

    @_styled
    def plot(self, ax=None):
        """Plot the loss against the learning rate (log scale), with the suggestions.

        Args:
            ax: a matplotlib Axes to draw into (default: a new figure in the book's
                style).

        Returns:
            The matplotlib Figure (shown once as a notebook cell's value, as
            :meth:`History.plot`).
        """
        fig, ax = _axes(ax, 1)
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
        ax.legend()
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
    smoothing: float = 0.98,
    diverge_factor: float = 4.0,
    seed: int = 0,
    n_train: int | None = None,
    device=None,
    num_threads: int | None = 1,
    progress: bool | None = None,
) -> LRRangeTest:
    r"""Sweep the learning rate exponentially and watch the loss (LR range test).

    Update :math:`t = 0, \dots, T-1` uses the rate

    .. math::
        \alpha_t = \alpha_{\text{start}}
            \left(\alpha_{\text{end}} / \alpha_{\text{start}}\right)^{t / (T - 1)},

    on a freshly initialised network. The minibatch losses are smoothed with a
    bias-corrected exponential moving average, :math:`m_t = \beta m_{t-1} + (1 - \beta)
    \ell_t`, :math:`\hat m_t = m_t / (1 - \beta^{t+1})`, and the sweep stops once
    :math:`\hat m_t` exceeds ``diverge_factor`` times its minimum so far (or the loss is
    NaN). Too small a rate barely changes the loss; a good one makes it fall fast; too
    large a rate makes it explode (Smith, 2017; fastai's ``lr_find``).

    Args:
        data: the data (default: ``load_mnist()``).
        model: ``"mlp"``, ``"cnn"`` or a function returning a fresh ``nn.Module``.
        optimizer: ``"sgd"`` (momentum default 0.9) or ``"adam"``.
        momentum: SGD's momentum in [0, 1).
        weight_decay: L2 penalty coefficient (>= 0).
        start_lr: the first rate (> 0).
        end_lr: the last rate (> ``start_lr``).
        num_updates: length :math:`T` of the sweep (integer >= 10).
        batch_size: images per update (integer >= 1).
        smoothing: :math:`\beta`, in [0, 1).
        diverge_factor: stop when the smoothed loss exceeds this multiple of its
            minimum (> 1).
        seed: seeds the initialisation and the order of the examples.
        n_train: use only the first ``n_train`` training images.
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
    if isinstance(model, nn.Module):
        raise TypeError(
            "model must be 'mlp', 'cnn' or a function returning a fresh "
            "nn.Module: the range test trains a network of its own"
        )
    if not isinstance(optimizer, str):
        raise TypeError(
            f"optimizer must be 'sgd' or 'adam', got {type(optimizer).__name__}"
        )
    _check_optimizer_args(optimizer, momentum, weight_decay)
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
    if num_threads is not None:
        num_threads = check.integer("num_threads", num_threads, minimum=1)
    show = _progress_enabled(progress)
    dev, (x_train, y_train, _, _) = _prepare(data, n_train, None, device, batch_size)
    n = x_train.shape[0]

    net, model_name = _build_model(model, seed)
    net.to(dev)
    net.train()
    schedule = (
        start_lr * (end_lr / start_lr) ** (np.arange(num_updates) / (num_updates - 1))
    ).tolist()
    opt = _make_optimizer(
        optimizer, net.parameters(), schedule[0], momentum, weight_decay
    )
    gen = torch.Generator().manual_seed(seed)
    lrs, losses, smooth = [], [], []
    avg, best, message = 0.0, math.inf, ""
    perm = ys = None
    pos = n
    bar = _progress_bar(show, num_updates, "lr range test", "update")
    with _reproducible(dev, num_threads, seed) as threads:
        try:
            for t in range(num_updates):
                if pos + batch_size > n:  # a new pass in a new order (full batches)
                    perm = torch.randperm(n, generator=gen).to(dev)
                    ys, pos = y_train.index_select(0, perm), 0  # labels: one gather
                # as in fit: gather one minibatch of images, never a copy of them all
                xb = x_train.index_select(0, perm[pos : pos + batch_size])
                yb = ys[pos : pos + batch_size]
                pos += batch_size
                lr_t = schedule[t]
                for g in opt.param_groups:
                    g["lr"] = lr_t
                loss = F.cross_entropy(net(xb), yb)
                value = loss.item()
                avg = beta * avg + (1 - beta) * value
                smoothed = avg / (1 - beta ** (t + 1))
                lrs.append(lr_t)
                losses.append(value)
                smooth.append(smoothed)
                if not math.isfinite(value) or smoothed > factor * best:
                    message = (
                        f"stopped at update {t}, learning rate {lr_t:g}: the "
                        f"smoothed loss {smoothed:.4g} exceeds {factor:g} x its "
                        f"minimum {best:.4g}"
                    )
                    break
                best = min(best, smoothed)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                if bar is not None:
                    bar.update()
        finally:
            _close_bar(bar)
    lr_arr, loss_arr, sm = np.array(lrs), np.array(losses), np.array(smooth)
    steep, lowest = _suggest(lr_arr, sm)
    hi = lowest / 10.0
    config = {
        "model": model_name,
        "optimizer": optimizer,
        "momentum": opt.defaults.get("momentum"),
        "batch_size": batch_size,
        "start_lr": start_lr,
        "end_lr": end_lr,
        "num_updates": num_updates,
        "smoothing": beta,
        "diverge_factor": factor,
        "seed": seed,
        "n_train": n,
        "data": data.source,
        "device": str(dev),
        "num_threads": threads,
    }
    return LRRangeTest(
        lr=lr_arr,
        loss=loss_arr,
        smoothed_loss=sm,
        lr_steepest=steep,
        lr_min_loss=lowest,
        suggested_range=(min(steep, hi), max(steep, hi)),
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


# ------------------------------------------------------------------------ compare


@dataclass(eq=False, repr=False)
class Comparison:
    """The result of :func:`compare`: every run, and a table of final test results.

    Attributes:
        histories: for each schedule name, one :class:`History` per seed.
        seeds: the seeds used, in order.
        table: one dict per schedule (plain data): ``schedule``, ``runs``,
            ``diverged`` (how many runs diverged), ``test_accuracy_mean``,
            ``test_accuracy_std``, ``test_loss_mean``, ``test_loss_std`` (over the runs
            that did not diverge; the spread is the sample standard deviation, 0 for a
            single run; NaN if every run diverged).
    """

    histories: dict[str, list[History]]
    seeds: tuple[int, ...]
    table: list[dict] = field(default_factory=list)

    def __post_init__(self):
        if not self.table:
            self.table = [_summary(name, runs) for name, runs in self.histories.items()]

    def _cells(self) -> list[list[str]]:
        rows = [["schedule", "test accuracy (%)", "test loss", "runs", "diverged"]]
        for r in self.table:
            if math.isnan(r["test_accuracy_mean"]):
                acc = loss = "diverged"
            else:
                acc = (
                    f"{100 * r['test_accuracy_mean']:.2f} ± "
                    f"{100 * r['test_accuracy_std']:.2f}"
                )
                loss = f"{r['test_loss_mean']:.4f} ± {r['test_loss_std']:.4f}"
            rows.append([r["schedule"], acc, loss, str(r["runs"]), str(r["diverged"])])
        return rows

    def __str__(self) -> str:
        rows = self._cells()
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = [
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in rows
        ]
        seeds = ", ".join(map(str, self.seeds))
        return "\n".join(lines + [f"(mean ± standard deviation over seeds {seeds})"])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        import html

        rows = self._cells()
        head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
            for row in rows[1:]
        )
        seeds = ", ".join(map(str, self.seeds))
        return (
            f'<table class="lrbook-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
            f"<p>mean ± standard deviation over seeds {seeds}</p>"
        )

    @_styled
    def plot(self, axes=None):
        """Plot, per schedule, the learning rate, the training loss and the test
        accuracy, with a band of ± one standard deviation across seeds.

        The loss panel averages the runs that did not diverge (a diverged run alone is
        drawn if all did, leaving through the top of the panel).

        Args:
            axes: three matplotlib Axes to draw into (default: a new figure in the
                book's style).

        Returns:
            The matplotlib Figure (shown once as a notebook cell's value, as
            :meth:`History.plot`).
        """
        fig, (ax_lr, ax_loss, ax_acc) = _axes(axes, 3)
        start, low = 0.0, math.inf
        for i, (name, runs) in enumerate(self.histories.items()):
            c = color(i)
            ax_lr.plot(np.arange(runs[0].updates), runs[0].lr, color=c, label=name)
            upe = runs[0].updates_per_epoch
            # Diverged runs (losses up to 1e30 or inf) would make the band meaningless.
            kept = [h for h in runs if not h.diverged] or runs[:1]
            loss = _stack([_running_mean(h.loss, max(1, upe // 4)) for h in kept])
            _band(ax_loss, np.arange(loss.shape[1]), loss, c, name)
            finite = loss[np.isfinite(loss) & (loss > 0)]
            if finite.size:
                start = max(start, float(np.nanmax(loss[:, 0])))
                low = min(low, float(finite.min()))
            acc = _stack([100 * h.test_accuracy for h in runs])
            _band(ax_acc, np.arange(1, acc.shape[1] + 1), acc, c, name, marker="o")
        ax_lr.set(xlabel=_UPDATE, ylabel=_LR, title="learning rate (first seed)")
        ax_loss.set(
            xlabel=_UPDATE,
            ylabel=axis_label("training loss", "nats, running mean"),
            title="training loss (mean ± sd)",
        )
        if ax_loss.has_data() and math.isfinite(low) and start > 0:
            ax_loss.set_yscale("log")
            # A diverged run would stretch the axis to 1e30: it leaves through the top.
            ax_loss.set_ylim(0.8 * low, 2.0 * start)
        ax_acc.set(
            xlabel=_EPOCH,
            ylabel=axis_label("test accuracy", "%"),
            title="test accuracy (mean ± sd)",
        )
        _integer_ticks(ax_acc)
        ax_lr.legend()
        return fig

    def explorer(
        self,
        metrics: Sequence[str] = ("test_accuracy", "test_loss", "loss"),
        *,
        lr_panel: bool = True,
        smooth: int | None = None,
        max_points: int = 400,
        title: str | None = None,
        max_bytes: int | None = None,
    ):
        """The training-curve explorer: every run of the comparison, one click away.

        The reader chooses a schedule (or all of them), a metric and a seed (or the
        mean of the seeds, with a dotted band of ± one standard deviation when a single
        schedule is shown, or every seed at once). Nothing is trained again: the
        explorer draws the numbers stored in :attr:`histories`, so it also works on the
        website, where no kernel runs.

        The horizontal axis counts epochs for every metric: update ``t`` is drawn at
        ``t / updates_per_epoch``, and a per-epoch measurement after epoch ``e`` at
        ``e``. Accuracies are drawn in percent, losses in nats.

        Args:
            metrics: the metrics offered in the menu, in order: names of
                :class:`History` fields. ``"loss"`` is the training minibatch loss of
                every update (drawn as a running mean, see ``smooth``), ``"lr"`` the
                learning rate of every update; ``"train_loss"``, ``"train_accuracy"``,
                ``"test_loss"`` and ``"test_accuracy"`` are measured once per epoch.
            lr_panel: also draw the learning rate in a panel of its own, on the left,
                for the same schedules and seeds (the cause next to the effect).
            smooth: the window, in updates, of the running mean of ``"loss"`` (1 draws
                the raw minibatch losses); default a quarter of an epoch.
            max_points: per-update curves longer than this are thinned to every
                ``k``-th update (and the last) for the web version's size; the
                learning rate is never thinned (its jumps stay exact).
            title: the explorer's title.
            max_bytes: the size budget of the web version (default
                :data:`lrbook.explore.MAX_BYTES`).

        Returns:
            An :class:`lrbook.explore.Explorer` with the controls ``schedule``
            (``"all"`` or a name), ``metric`` (when there are two or more) and ``seed``
            (``"mean"`` and ``"all"`` when there are two or more seeds, then each
            seed).

        Raises:
            ValueError: an unknown metric (the message lists the known ones), or an
                explorer over its size budget.

        Examples:
            >>> import lrbook
            >>> c = compare({"constant": lrbook.constant(0.05),
            ...              "step": lrbook.step_decay(0.05, step_size=2)},
            ...             epochs=3, step_per="epoch")  # doctest: +SKIP
            >>> ex = c.explorer()  # doctest: +SKIP
            >>> ex.set(schedule="step", seed=1).values  # doctest: +SKIP
            {'schedule': 'step', 'metric': 'test_accuracy', 'seed': 1}
            >>> ex  # the last expression of a notebook cell shows it  # doctest: +SKIP
        """
        from . import explore

        if isinstance(metrics, str):
            metrics = (metrics,)
        metrics = tuple(metrics)
        if not metrics:
            raise ValueError("metrics must name at least one metric, got none")
        for m in metrics:
            if not isinstance(m, str) or m not in _METRICS:
                raise ValueError(
                    f"metrics must be names of History fields "
                    f"({', '.join(_METRICS)}), got {m!r}"
                )
        if len(set(metrics)) != len(metrics):
            raise ValueError(f"metrics must be distinct, got {list(metrics)}")
        if not isinstance(lr_panel, bool):
            raise TypeError(f"lr_panel must be True or False, got {lr_panel!r}")
        if smooth is not None:
            smooth = check.integer("smooth", smooth, minimum=1)
        max_points = check.integer("max_points", max_points, minimum=2)

        names = list(self.histories)
        seeds = list(self.seeds)
        several = len(seeds) > 1
        seed_options = (["mean", "all"] if several else []) + seeds
        seed_labels = (["mean ± sd", "every seed"] if several else []) + [
            f"seed {s}" for s in seeds
        ]
        controls = []
        if len(names) > 1:
            controls.append(
                explore.dropdown(
                    "schedule", {"all": "all", **{n: n for n in names}}, "all"
                )
            )
        if len(metrics) > 1:
            controls.append(
                explore.dropdown(
                    "metric", {_METRICS[m][0]: m for m in metrics}, metrics[0]
                )
            )
        controls.append(
            explore.dropdown(
                "seed", dict(zip(seed_labels, seed_options, strict=True)), None
            )
        )

        def lines(labelled):
            out = {}
            for i, name in enumerate(names):
                out[name] = explore.Line(
                    label=name if labelled else None, color=i, width=1.8
                )
                band = explore.Line(color=i, dash="dotted", width=1.2)
                out[f"{name} +sd"] = band
                out[f"{name} -sd"] = band
                for s in seeds[1:]:
                    out[f"{name} seed {s}"] = explore.Line(color=i, width=1.8)
            return out

        epoch_label = axis_label("epoch")
        groups = {_METRICS[m][2] for m in metrics}
        if len(metrics) == 1:
            ylabel = _METRICS[metrics[0]][1]
            panel_title = _METRICS[metrics[0]][0]
        else:
            ylabel = " or ".join(g for g in _METRIC_GROUPS if g in groups)
            panel_title = "the chosen metric"
        panels = []
        if lr_panel:
            panels.append(
                explore.Panel(
                    xlabel=epoch_label,
                    ylabel=_LR,
                    lines=lines(False),
                    title="learning rate",
                    log_toggle=True,
                    ylim=(0, None),
                )
            )
        panels.append(
            explore.Panel(
                xlabel=epoch_label,
                ylabel=ylabel,
                lines=lines(True),
                title=panel_title,
                log_toggle=True,
                ylim="auto",
            )
        )
        curves: dict = {}

        def curve(name, metric):
            key = (name, metric)
            if key not in curves:
                curves[key] = _explorer_curves(
                    self.histories[name], metric, smooth, max_points
                )
            return curves[key]

        def compute(seed, schedule="all", metric=metrics[0]):
            shown = names if schedule == "all" else [schedule]
            wanted = (["lr"] if lr_panel else []) + [metric]
            out = [{} for _ in wanted]
            diverged = []
            for name in shown:
                for p, m in enumerate(wanted):
                    runs, mean, sd = curve(name, m)
                    if seed == "mean":
                        if mean is not None:
                            out[p][name] = mean
                            if sd is not None and len(shown) == 1:
                                x, y = mean
                                out[p][f"{name} +sd"] = (x, y + sd)
                                out[p][f"{name} -sd"] = (x, y - sd)
                    elif seed == "all":
                        for k, s in enumerate(seeds):
                            if runs[k] is not None:
                                out[p][name if k == 0 else f"{name} seed {s}"] = runs[k]
                    elif runs[seeds.index(seed)] is not None:
                        out[p][name] = runs[seeds.index(seed)]
                bad = [
                    s
                    for s, h in zip(seeds, self.histories[name], strict=True)
                    if h.diverged
                ]
                if bad and (seed in ("mean", "all") or seed in bad):
                    diverged.append((name, bad))
            what = _METRICS[metric][0]
            if metric == "loss":
                upe = self.histories[names[0]][0].updates_per_epoch
                window = smooth or max(1, upe // 4)
                what += f" (running mean over {window} updates)" if window > 1 else ""
            if seed == "mean":
                who = "mean over seeds " + ", ".join(map(str, seeds))
                if several and len(shown) == 1:
                    who += "; dotted: ± 1 standard deviation"
                elif several:
                    who += " (choose one schedule to see ± 1 standard deviation)"
            elif seed == "all":
                who = "one line per seed (" + ", ".join(map(str, seeds)) + ")"
            else:
                who = f"seed {seed}"
            note = [f"{what}: {who}"]
            for name, bad in diverged:
                tail = " (left out of the mean)" if seed == "mean" else ""
                note.append(
                    f"{name}: seed{'s' if len(bad) > 1 else ''} "
                    f"{', '.join(map(str, bad))} diverged{tail}"
                )
            return explore.Frame(out if len(out) > 1 else out[0], "\n".join(note))

        kwargs = {} if max_bytes is None else {"max_bytes": max_bytes}
        return explore.Explorer(
            controls,
            compute,
            panels,
            title=title,
            **kwargs,
        )


def _summary(name: str, runs: list[History]) -> dict:
    ok = [h for h in runs if not h.diverged and h.epochs]
    acc = np.array([h.test_accuracy[-1] for h in ok])
    loss = np.array([h.test_loss[-1] for h in ok])

    def spread(a):
        return float(a.std(ddof=1)) if a.size > 1 else (0.0 if a.size else math.nan)

    return {
        "schedule": name,
        "runs": len(runs),
        "diverged": len(runs) - len(ok),
        "test_accuracy_mean": float(acc.mean()) if acc.size else math.nan,
        "test_accuracy_std": spread(acc),
        "test_loss_mean": float(loss.mean()) if loss.size else math.nan,
        "test_loss_std": spread(loss),
    }


def _running_mean(x: np.ndarray, window: int) -> np.ndarray:
    if x.size < window:
        return x.copy()
    c = np.cumsum(np.insert(x, 0, 0.0))
    out = np.empty_like(x)
    out[window - 1 :] = (c[window:] - c[:-window]) / window
    out[: window - 1] = c[1:window] / np.arange(1, window)
    return out


def _stack(curves: list[np.ndarray]) -> np.ndarray:
    """Stack curves of unequal length (diverged runs are shorter), padding with NaN."""
    width = max((c.size for c in curves), default=0)
    out = np.full((len(curves), width), np.nan)
    for i, c in enumerate(curves):
        out[i, : c.size] = c
    return out


def _band(ax, x, ys, c, label, marker=None):
    if ys.shape[1] == 0:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        mean = np.nanmean(ys, axis=0)
        sd = np.nanstd(ys, axis=0, ddof=1) if ys.shape[0] > 1 else np.zeros_like(mean)
    sd = np.nan_to_num(sd)
    ax.plot(x, mean, color=c, label=label, marker=marker)
    ax.fill_between(x, mean - sd, mean + sd, color=c, alpha=0.2, lw=0)


# What Comparison.explorer can draw: History field -> (menu entry, y label alone,
# y label shared with the metrics of the same unit).
_METRICS = {
    "test_accuracy": (
        "test accuracy",
        axis_label("test accuracy", "%"),
        "accuracy (%)",
    ),
    "test_loss": ("test loss", axis_label("test loss", "nats"), "loss (nats)"),
    "loss": (
        "training loss per update",
        axis_label("training loss", "nats"),
        "loss (nats)",
    ),
    "train_loss": (
        "training loss per epoch",
        axis_label("training loss", "nats"),
        "loss (nats)",
    ),
    "train_accuracy": (
        "training accuracy",
        axis_label("training accuracy", "%"),
        "accuracy (%)",
    ),
    "lr": ("learning rate", _LR, _LR),
}
_METRIC_GROUPS = ("accuracy (%)", "loss (nats)", _LR)


def _explorer_curves(
    runs: list[History], metric: str, smooth: int | None, max_points: int
):
    """One metric of every run of a schedule, as drawn by :meth:`Comparison.explorer`.

    Returns ``(curves, mean, sd)``: ``curves`` holds an ``(x, y)`` pair per run (or
    ``None`` for a run with nothing finite to draw; a diverged run is cut before its
    first non-finite value); ``mean`` is the ``(x, y)`` mean of the runs that did not
    diverge (``None`` if all did) and ``sd`` their sample standard deviation at each
    point (``None`` for fewer than two runs, or when the runs agree exactly, as the
    learning rate of a fixed schedule does; the mean is then the common curve itself,
    bit for bit).
    """
    upe = runs[0].updates_per_epoch
    per_update = metric in ("lr", "loss")
    scale = 100.0 if metric.endswith("accuracy") else 1.0
    window = (smooth or max(1, upe // 4)) if metric == "loss" else 1
    curves, full = [], []
    for h in runs:
        y = np.asarray(getattr(h, metric), dtype=np.float64) * scale
        if window > 1:
            with np.errstate(over="ignore", invalid="ignore"):
                y = _running_mean(y, window)
        finite = np.isfinite(y)
        n = y.size if finite.all() else int(np.argmin(finite))
        if n == 0:
            curves.append(None)
            continue
        idx = np.arange(n)
        if metric == "loss" and n > max_points:
            idx = np.arange(0, n, -(-n // max_points))
            if idx[-1] != n - 1:
                idx = np.append(idx, n - 1)
        x = idx / upe if per_update else idx + 1.0
        curves.append((x, y[idx]))
        if not h.diverged:
            full.append((x, y[idx]))
    if not full:
        return curves, None, None
    length = min(c[0].size for c in full)
    x = full[0][0][:length]
    ys = np.stack([c[1][:length] for c in full])
    if (ys == ys[0]).all():
        return curves, (x, ys[0].copy()), None
    sd = ys.std(axis=0, ddof=1) if len(full) > 1 else None
    return curves, (x, ys.mean(axis=0)), sd


def compare(
    schedules: Mapping[str, Any],
    *,
    seeds: Sequence[int] = (0, 1, 2),
    epochs: int = 3,
    data: MNIST | None = None,
    progress: bool | None = None,
    **fit_kwargs,
) -> Comparison:
    """Train with each schedule and each seed under the same budget; tabulate results.

    Every run uses the same data, network, optimizer, batch size and number of epochs
    (so the same number of updates); only the schedule and the seed change. The seed
    sets the initial weights and the order of the examples, so each schedule sees the
    same set of initialisations and orders.

    Args:
        schedules: a dict ``{name: schedule}``; each schedule is anything :func:`fit`
            accepts.
        seeds: the seeds (distinct integers >= 0; at least one).
        epochs: epochs per run (integer >= 1).
        data: the data (default: ``load_mnist()``).
        progress: one progress bar over all the runs (default as in :func:`fit`).
        **fit_kwargs: further arguments of :func:`fit` shared by every run (``model``,
            ``batch_size``, ``optimizer``, ``n_train``, ...); ``model`` must be a name
            or a function so that every run starts from a fresh network.

    Returns:
        A :class:`Comparison`: print it (or show it in a notebook) for the table, read
        ``.table`` for the numbers, call ``.plot()`` for the curves.

    Examples:
        >>> import lrbook
        >>> from lrbook.train import compare
        >>> c = compare({"constant": lrbook.constant(0.05),
        ...              "cosine": lrbook.cosine_annealing(0.05, t_max=189)},
        ...             epochs=3, progress=False)  # doctest: +SKIP
        >>> print(c)  # doctest: +SKIP
        schedule  test accuracy (%)  test loss        runs  diverged
        constant  ...
    """
    if not isinstance(schedules, Mapping):
        raise TypeError(
            f"schedules must be a dict {{name: schedule}}, got "
            f"{type(schedules).__name__}"
        )
    if not schedules:
        raise ValueError("schedules must hold at least one schedule, got an empty dict")
    for name in schedules:
        if not isinstance(name, str):
            raise TypeError(f"schedules' keys must be names (str), got {name!r}")
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence):
        raise TypeError(f"seeds must be a sequence of integers, got {seeds!r}")
    seeds = tuple(
        check.integer(f"seeds[{i}]", s, minimum=0) for i, s in enumerate(seeds)
    )
    if not seeds:
        raise ValueError("seeds must hold at least one seed, got none")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct, got {list(seeds)}")
    epochs = check.integer("epochs", epochs, minimum=1)
    for key in ("seed", "progress", "epochs", "data"):
        if key in fit_kwargs:
            raise TypeError(
                f"compare() got {key!r} among the fit arguments; "
                f"use compare's own parameter"
            )
    if isinstance(fit_kwargs.get("model"), nn.Module):
        raise TypeError(
            "model must be 'mlp', 'cnn' or a function returning a fresh "
            "nn.Module, so that every run starts from a fresh network"
        )
    if isinstance(fit_kwargs.get("optimizer"), torch.optim.Optimizer):
        raise TypeError(
            "optimizer must be 'sgd' or 'adam' in compare (every run needs"
            " its own optimizer)"
        )
    data = _data(data)
    show = _progress_enabled(progress)
    bar = _progress_bar(show, len(schedules) * len(seeds), "compare", "run")
    histories: dict[str, list[History]] = {}
    try:
        for name, schedule in schedules.items():
            runs = []
            for seed in seeds:
                if bar is not None:
                    bar.set_postfix(schedule=name, seed=seed, refresh=False)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # counted instead
                    h = fit(
                        schedule,
                        data=data,
                        epochs=epochs,
                        seed=seed,
                        progress=False,
                        **fit_kwargs,
                    )
                h.model = None  # keep the comparison light
                runs.append(h)
                if bar is not None:
                    bar.update()
            histories[name] = runs
    finally:
        _close_bar(bar)
    return Comparison(histories=histories, seeds=seeds)
