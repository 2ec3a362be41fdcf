"""Several schedules, several seeds, one budget: :func:`compare` and its
:class:`Comparison`."""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from .. import _checks as check
from ..data import MNIST
from ..plotting import axis_label, color
from .context import close_bar, progress_bar, progress_enabled, resolve_data
from .fitting import History, fit
from .plots import (
    EPOCH_LABEL,
    LR_LABEL,
    UPDATE_LABEL,
    integer_ticks,
    mean_band,
    new_axes,
    running_mean,
    stack_padded,
    styled,
)


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

    @styled
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
        fig, (ax_lr, ax_loss, ax_acc) = new_axes(axes, 3)
        first_loss, lowest_loss = 0.0, math.inf
        for i, (name, runs) in enumerate(self.histories.items()):
            c = color(i)
            ax_lr.plot(np.arange(runs[0].updates), runs[0].lr, color=c, label=name)
            window = max(1, runs[0].updates_per_epoch // 4)
            # Diverged runs (losses up to 1e30 or inf) would make the band meaningless.
            kept = [h for h in runs if not h.diverged] or runs[:1]
            loss = stack_padded([running_mean(h.loss, window) for h in kept])
            mean_band(ax_loss, np.arange(loss.shape[1]), loss, c, name)
            finite = loss[np.isfinite(loss) & (loss > 0)]
            if finite.size:
                first_loss = max(first_loss, float(np.nanmax(loss[:, 0])))
                lowest_loss = min(lowest_loss, float(finite.min()))
            acc = stack_padded([100 * h.test_accuracy for h in runs])
            mean_band(ax_acc, np.arange(1, acc.shape[1] + 1), acc, c, name, marker="o")
        ax_lr.set(
            xlabel=UPDATE_LABEL, ylabel=LR_LABEL, title="learning rate (first seed)"
        )
        ax_loss.set(
            xlabel=UPDATE_LABEL,
            ylabel=axis_label("training loss", "nats, running mean"),
            title="training loss (mean ± sd)",
        )
        if ax_loss.has_data() and math.isfinite(lowest_loss) and first_loss > 0:
            ax_loss.set_yscale("log")
            # A diverged run would stretch the axis to 1e30: it leaves through the top.
            ax_loss.set_ylim(0.8 * lowest_loss, 2.0 * first_loss)
        ax_acc.set(
            xlabel=EPOCH_LABEL,
            ylabel=axis_label("test accuracy", "%"),
            title="test accuracy (mean ± sd)",
        )
        integer_ticks(ax_acc)
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
        from ..explore.topics.training import training_curves

        return training_curves(
            self,
            metrics,
            lr_panel=lr_panel,
            smooth=smooth,
            max_points=max_points,
            title=title,
            max_bytes=max_bytes,
        )


def _summary(name: str, runs: list[History]) -> dict:
    """A row of :attr:`Comparison.table`."""
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
    seeds, epochs = _check_compare_args(schedules, seeds, epochs, fit_kwargs)
    data = resolve_data(data)
    show = progress_enabled(progress)
    bar = progress_bar(show, len(schedules) * len(seeds), "compare", "run")
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
        close_bar(bar)
    return Comparison(histories=histories, seeds=seeds)


def _check_compare_args(schedules, seeds, epochs, fit_kwargs: dict):
    """Check :func:`compare`'s own arguments and what it passes on to every
    :func:`fit`; return the seeds (a tuple) and the epochs."""
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
    return seeds, epochs
