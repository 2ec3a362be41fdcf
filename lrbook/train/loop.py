"""The one minibatch loop of :func:`~lrbook.train.fit` and
:func:`~lrbook.train.lr_range_test`, and the evaluation on the test set.

How it stays fast: the images are already one normalised float tensor on the device
(:func:`lrbook.train.context.prepare`); each pass over the training set draws a random
permutation of the examples, and each minibatch is gathered with one ``index_select`` by
a slice of it (no ``DataLoader``, no per-example Python). The loss of every update is
read without waiting: on the CPU it is already computed; on a GPU losses are collected
and read every :data:`GPU_LOSSES_READ_EVERY` updates, which is also how often a NaN is
looked for there.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .driver import ScheduleDriver, momentum_key

GPU_LOSSES_READ_EVERY = 50  # on a GPU, read the losses (and look for a NaN) this often
EVAL_BATCH = 1000  # test images per forward pass when evaluating


def updates_per_epoch(n: int, batch_size: int) -> int:
    """Minibatches in a pass over ``n`` examples (the last one may be smaller)."""
    return -(-n // batch_size)


def read_loss_every_update(device: torch.device) -> bool:
    """Read each loss at once (CPU: free) or collect them (GPU: avoids a sync)."""
    return device.type == "cpu"


class MinibatchLoop:
    """Updates of a network on minibatches of the training set, each recorded.

    Every update records the learning rate it uses (:attr:`lrs`), its momentum
    (:attr:`momenta`: SGD's ``momentum``, Adam's ``betas[0]``, NaN for an optimizer
    with neither) and the minibatch loss
    it computes before its step (:attr:`losses`), then steps the optimizer and, if
    ``step_per_update``, the schedule. Training stops at the first loss that is NaN or
    infinite, or for which ``watch(loss)`` is true (:attr:`stopped`); the records then
    end with that update, which made no step. (When losses are collected, on a GPU,
    the updates after it up to the next reading made theirs, and are not recorded.)

    Args:
        net: the network, on the device of ``x``.
        driver: the optimizer and its schedule (already started).
        x: the training images, ``(N, ...)``, on the device.
        y: their labels, ``(N,)``.
        batch_size: images per update.
        seed: seeds the order of the examples (one ``torch.Generator``).
        planned_updates: the updates of the whole run (the schedule is not stepped
            after the last one: none follows).
        step_per_update: step the schedule after every update.
        watch: called with each loss as soon as it is computed; returning true stops
            training. With ``watch``, every loss is read at once, on a GPU too.
        bar: a progress bar to advance by one per update (or None).
    """

    def __init__(
        self,
        net: nn.Module,
        driver: ScheduleDriver,
        x: torch.Tensor,
        y: torch.Tensor,
        *,
        batch_size: int,
        seed: int,
        planned_updates: int,
        step_per_update: bool,
        watch: Callable[[float], bool] | None = None,
        bar=None,
    ):
        self.net, self.driver, self.optimizer = net, driver, driver.optimizer
        self.x, self.y, self.batch_size = x, y, batch_size
        self.planned_updates = planned_updates
        self.step_per_update = step_per_update
        self.watch, self.bar = watch, bar
        self.read_each_loss = watch is not None or read_loss_every_update(x.device)
        self.generator = torch.Generator().manual_seed(seed)
        self.n = int(x.shape[0])
        per_epoch = updates_per_epoch(self.n, batch_size)
        self._batch_sizes = np.full(per_epoch, float(batch_size))
        self._batch_sizes[-1] = self.n - batch_size * (per_epoch - 1)
        self._group = self.optimizer.param_groups[0]
        self._momentum_key = momentum_key(self.optimizer)
        self._pending: list[torch.Tensor] = []  # losses not read yet (GPU)
        # Plain lists: any NumPy call in the loop costs microseconds (cold caches).
        self.lrs: list[float] = []
        self.momenta: list[float] = []
        self.losses: list[float] = []
        self.stopped = False

    def snapshot(self) -> dict:
        """The records so far and the state of the random order, for :meth:`restore`
        (between epochs, when no loss waits to be read)."""
        if self._pending:
            raise RuntimeError("snapshot() between epochs only: losses wait unread")
        return {
            "lrs": list(self.lrs),
            "momenta": list(self.momenta),
            "losses": list(self.losses),
            "stopped": self.stopped,
            "generator": self.generator.get_state(),
        }

    def restore(self, state: dict) -> None:
        """Continue from a :meth:`snapshot` (of a loop over the same examples)."""
        self.lrs = list(state["lrs"])
        self.momenta = list(state["momenta"])
        self.losses = list(state["losses"])
        self.stopped = state["stopped"]
        self.generator.set_state(state["generator"])

    @property
    def updates(self) -> int:
        """Updates made so far (with the one that stopped training, if any)."""
        return len(self.lrs)

    def epoch(self) -> tuple[float, float] | None:
        """One pass over the training set in a new random order, every example once
        (the last minibatch may be smaller).

        Returns:
            The pass's mean training loss (over its minibatches, weighted by their
            sizes) and training accuracy (of the network as it changed during the
            pass); None if training stopped during the pass.
        """
        first = self.updates
        order, labels = self._new_order()
        predictions: list[torch.Tensor] = []
        for i in range(0, self.n, self.batch_size):
            end = i + self.batch_size
            out = self._update(order[i:end], labels[i:end], end >= self.n)
            if out is None:
                return None
            predictions.append(out.argmax(1))  # integers: no autograd
        loss = float(np.dot(self.losses[first:], self._batch_sizes)) / self.n
        hits = (torch.cat(predictions) == labels).sum()
        return loss, hits.item() / self.n

    def full_batches(self, count: int) -> None:
        """``count`` updates on full minibatches, each pass in a new random order (the
        examples left over at the end of a pass, fewer than a minibatch, are skipped).
        """
        position = self.n  # start with a new order
        for k in range(count):
            if position + self.batch_size > self.n:
                order, labels, position = *self._new_order(), 0
            end = position + self.batch_size
            last = k == count - 1  # then read any losses still collected
            if self._update(order[position:end], labels[position:end], last) is None:
                return
            position = end

    def _new_order(self) -> tuple[torch.Tensor, torch.Tensor]:
        """A random permutation of the examples, and the labels in that order."""
        order = torch.randperm(self.n, generator=self.generator).to(self.x.device)
        return order, self.y.index_select(0, order)  # labels are small: one gather

    def _update(self, index, labels, read_losses: bool) -> torch.Tensor | None:
        """One update on the examples ``index``: the network's output, or None if
        training stopped. ``read_losses``: read the collected losses after it."""
        images = self.x.index_select(0, index)  # one minibatch, not a copy of all
        self.lrs.append(self._group["lr"])
        self.momenta.append(self._momentum())
        out = self.net(images)
        loss = F.cross_entropy(out, labels)
        if self.read_each_loss:  # free on the CPU: the value is already there
            if self._stops(loss.item()):
                return None
        else:
            self._pending.append(loss.detach())
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        pending = len(self._pending)
        if pending and (pending == GPU_LOSSES_READ_EVERY or read_losses):
            if self._read_pending():
                return None
        if self.step_per_update and self.updates < self.planned_updates:
            self.driver.step()
        if self.bar is not None:
            self.bar.update()
        return out

    def _momentum(self) -> float:
        """The momentum the next update uses (NaN if the optimizer has none)."""
        if self._momentum_key == "momentum":
            return float(self._group["momentum"])
        if self._momentum_key == "betas":
            return float(self._group["betas"][0])
        return math.nan

    def _stops(self, loss: float) -> bool:
        """Record ``loss``; whether training stops there."""
        self.losses.append(loss)
        stop = self.watch is not None and self.watch(loss)
        self.stopped = stop or not math.isfinite(loss)
        return self.stopped

    def _read_pending(self) -> bool:
        """Record the collected (GPU) losses up to the first NaN/inf, if any, and
        forget the updates after it; whether training stops."""
        values = torch.stack(self._pending).double().cpu().tolist()
        self._pending = []
        for value in values:
            if self._stops(value):
                del self.lrs[len(self.losses) :]
                del self.momenta[len(self.losses) :]
                return True
        return False


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """Mean cross-entropy (nats) and accuracy of ``model`` on ``(x, y)``, as
    :func:`~lrbook.train.fit` measures its runs: in eval mode (the model's mode is
    restored after), without gradients kept, in batches of :data:`EVAL_BATCH`.

    Args:
        model: an ``nn.Module`` mapping images ``(N, 1, 28, 28)`` to 10 logits.
        x: the images, as :func:`~lrbook.train.data_tensors` gives them.
        y: their labels (int64).

    Returns:
        ``(loss, accuracy)``: floats, the loss in nats, the accuracy in [0, 1].

    Examples:
        >>> import torch
        >>> net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
        >>> _ = torch.nn.init.zeros_(net[1].weight), torch.nn.init.zeros_(net[1].bias)
        >>> x, y = torch.zeros(4, 1, 28, 28), torch.tensor([0, 1, 2, 3])
        >>> loss, acc = evaluate(net, x, y)
        >>> round(loss, 6), acc  # equal logits: ln 10 nats, class 0 predicted
        (2.302585, 0.25)
    """
    was_training = model.training
    model.eval()
    total = torch.zeros((), dtype=torch.float64, device=x.device)
    correct = torch.zeros((), dtype=torch.int64, device=x.device)
    for i in range(0, x.shape[0], EVAL_BATCH):
        out = model(x[i : i + EVAL_BATCH])
        yb = y[i : i + EVAL_BATCH]
        total += F.cross_entropy(out, yb, reduction="sum").double()
        correct += (out.argmax(1) == yb).sum()
    model.train(was_training)
    n = x.shape[0]
    return total.item() / n, correct.item() / n
