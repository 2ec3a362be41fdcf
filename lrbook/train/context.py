"""The context of a run, set up before its first update: the device, the data as
tensors on it, reproducible settings and a progress bar."""

from __future__ import annotations

import contextlib
import os
import sys
import weakref
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import torch

from .. import _checks as check
from .. import _env
from ..data import MNIST, VALIDATION, VALIDATION_SEED, book_mnist
from .models import MNIST_MEAN, MNIST_STD

# ------------------------------------------------------------------------ the device


def resolve_device(device) -> torch.device:
    """``device`` as a ``torch.device``; by default CUDA if available, else the CPU."""
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (TypeError, RuntimeError):
        raise ValueError(
            f"device must be None, 'cpu', 'cuda' or a torch.device, got {device!r}"
        ) from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} but CUDA is not available; use 'cpu'")
    return resolved


# -------------------------------------------------------------------------- the data

_held_out: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def resolve_data(data: MNIST | None, validation: float | None = None) -> MNIST:
    """``data`` (by default the book's image set, :func:`lrbook.book_mnist`) with a
    validation split.

    ``validation=None`` keeps the data's own split, or holds out
    :data:`lrbook.data.VALIDATION` of the training images when they have none; a
    number holds out that share (``0``: no validation split). The split is stratified
    by digit and uses the seed :data:`lrbook.data.VALIDATION_SEED` whatever the run's
    seed, so that every schedule and seed is judged on the same validation images; it
    is computed once per data object.
    """
    if data is None:
        data = book_mnist()
    if not isinstance(data, MNIST):
        raise TypeError(
            f"data must be an lrbook.data.MNIST (from lrbook.book_mnist() or "
            f"lrbook.load_mnist()) or None, got {type(data).__name__}"
        )
    if validation is None:
        if data.val_images is not None:
            return data
        validation = VALIDATION
    else:
        validation = check.finite(
            "validation", validation, minimum=0.0, maximum=1.0, strict_max=True
        )
        if data.val_images is not None:
            raise ValueError(
                f"validation={validation!r}, but the data already hold a validation "
                f"split of {data.n_val} images; leave validation out to use it"
            )
        if validation == 0:
            return data
    splits = _held_out.setdefault(data, {})
    if validation not in splits:
        splits[validation] = data.holdout(validation, VALIDATION_SEED)
    return splits[validation]


@dataclass(frozen=True)
class _TensorCache:
    """The last prepared data: which MNIST object, which slice and device, and the
    tensors. One copy, reused while the same MNIST object is trained on repeatedly
    (compare, or a chapter calling fit often)."""

    source: weakref.ref
    key: tuple
    tensors: tuple


_cache: _TensorCache | None = None


def clear_tensor_cache() -> None:
    """Forget the prepared tensors (the next run prepares them again)."""
    global _cache
    _cache = None


def prepare_tensors(
    data: MNIST, n_train: int | None, n_test: int | None, device: torch.device
) -> tuple[torch.Tensor, ...]:
    """The first ``n_train`` training and ``n_test`` test images and labels, and the
    validation images and labels, on ``device``: images normalised to float32
    ``(N, 1, 28, 28)``, labels int64.

    Returns:
        ``(x_train, y_train, x_val, y_val, x_test, y_test)``, the validation tensors
        ``None`` when the data have no validation split (cached, see
        :func:`clear_tensor_cache`).
    """
    global _cache
    train_count = _count("n_train", n_train, data.n_train)
    test_count = _count("n_test", n_test, data.n_test)
    key = (train_count, test_count, str(device))
    if _cache is not None and _cache.source() is data and _cache.key == key:
        return _cache.tensors

    def own(a):  # a writable copy of read-only arrays (book_mnist's), for torch
        return np.ascontiguousarray(a) if a.flags.writeable else np.array(a)

    def images(a):
        x = torch.from_numpy(own(a)).to(device)
        return x.to(torch.float32).div_(255.0).sub_(MNIST_MEAN).div_(MNIST_STD)[:, None]

    def labels(a):
        return torch.from_numpy(own(a.astype(np.int64, copy=False))).to(device)

    tensors = (
        images(data.train_images[:train_count]),
        labels(data.train_labels[:train_count]),
        None if data.val_images is None else images(data.val_images),
        None if data.val_labels is None else labels(data.val_labels),
        images(data.test_images[:test_count]),
        labels(data.test_labels[:test_count]),
    )
    _cache = _TensorCache(weakref.ref(data), key, tensors)
    return tensors


class Tensors(NamedTuple):
    """The images and labels of a run as tensors (see :func:`data_tensors`)."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor | None
    y_val: torch.Tensor | None
    x_test: torch.Tensor
    y_test: torch.Tensor


def data_tensors(
    data: MNIST | None = None, *, device="cpu", validation: float | None = None
) -> Tensors:
    """The images and labels exactly as :func:`~lrbook.train.fit` trains and measures
    on them: images normalised with :data:`~lrbook.train.MNIST_MEAN` and
    :data:`~lrbook.train.MNIST_STD` to float32 ``(N, 1, 28, 28)``, labels int64, on
    ``device``; the validation split is the one ``fit`` uses (the data's own, or
    :data:`lrbook.data.VALIDATION` held out with its seed). Use them to feed another
    library the book's data, or to measure a network with :func:`evaluate`.

    Args:
        data: an :class:`lrbook.data.MNIST` (default :func:`lrbook.book_mnist`).
        device: ``"cpu"`` (default), ``"cuda"``, a ``torch.device`` or None (CUDA if
            available).
        validation: as ``fit``'s ``validation`` (None: the data's own split, or the
            book's rule).

    Returns:
        A :class:`Tensors` named tuple ``(x_train, y_train, x_val, y_val, x_test,
        y_test)``; ``x_val`` and ``y_val`` are None without a validation split. The
        tensors are shared with the runs on the same data: do not modify them.

    Raises:
        TypeError: ``data`` is not an MNIST object.
        ValueError: an unknown or unavailable device, or a bad ``validation``.

    Examples:
        >>> t = data_tensors()  # doctest: +SKIP
        >>> t.x_train.shape, t.x_val.shape  # doctest: +SKIP
        (torch.Size([3200, 1, 28, 28]), torch.Size([800, 1, 28, 28]))
    """
    where = resolve_device(device)
    mnist = resolve_data(data, validation)
    return Tensors(*prepare_tensors(mnist, None, None, where))


def _count(name: str, value, available: int) -> int:
    if value is None:
        return available
    v = check.integer(name, value, minimum=1)
    if v > available:
        raise ValueError(
            f"{name} must be at most {available} (the images available), got {v}"
        )
    return v


@dataclass(frozen=True, eq=False)
class Prepared:
    """The data of a run, on its device."""

    data: MNIST
    device: torch.device
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor | None
    y_val: torch.Tensor | None
    x_test: torch.Tensor
    y_test: torch.Tensor

    @property
    def n_train(self) -> int:
        return int(self.x_train.shape[0])

    @property
    def n_test(self) -> int:
        return int(self.x_test.shape[0])

    @property
    def n_val(self) -> int:
        return 0 if self.x_val is None else int(self.x_val.shape[0])


def prepare(
    data, n_train, n_test, device, batch_size: int, validation: float | None = None
) -> Prepared:
    """The device and the data (with a validation split, see :func:`resolve_data`)
    as tensors on it, shared by fit and lr_range_test; checks that one minibatch fits
    in the training set."""
    where = resolve_device(device)
    mnist = resolve_data(data, validation)
    prepared = Prepared(mnist, where, *prepare_tensors(mnist, n_train, n_test, where))
    if batch_size > prepared.n_train:
        raise ValueError(
            f"batch_size must be at most the number of training images "
            f"({prepared.n_train}), got {batch_size}"
        )
    return prepared


# ------------------------------------------------------------------ reproducibility


@contextlib.contextmanager
def deterministic_run(device: torch.device, num_threads: int | None, seed: int):
    """Deterministic algorithms, a fixed thread count and a seeded global random state
    (for dropout and other randomness inside a model), all restored after.

    Yields:
        The number of CPU threads PyTorch uses inside the context.
    """
    was_deterministic = torch.are_deterministic_algorithms_enabled()
    was_warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    threads_before = torch.get_num_threads()
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
            torch.use_deterministic_algorithms(
                was_deterministic, warn_only=was_warn_only
            )
            if num_threads is not None:
                torch.set_num_threads(threads_before)


def check_num_threads(num_threads) -> int | None:
    """``num_threads``: an integer >= 1, or None (keep PyTorch's setting)."""
    if num_threads is None:
        return None
    return check.integer("num_threads", num_threads, minimum=1)


# ----------------------------------------------------------------------- progress


def progress_enabled(progress: bool | None) -> bool:
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


def progress_bar(enabled: bool, total: int, desc: str, unit: str):
    """A ``tqdm.auto`` bar that disappears when closed, or None if not ``enabled``."""
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


def close_bar(bar) -> None:
    """Close a bar of :func:`progress_bar` (None is fine)."""
    if bar is not None:
        bar.total = bar.n  # an early stop is not an error bar left on the page
        bar.close()
