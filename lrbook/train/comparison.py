"""Several schedules, several seeds, one budget: :func:`compare` and its
:class:`Comparison`."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from .. import _checks as check
from ..data import MNIST, book_mnist
from ..plotting import axis_label, color
from ..verdicts import Choice, Verdict, choose, paired_interval, verdict
from . import parallel
from .context import close_bar, progress_bar, progress_enabled, resolve_data
from .fitting import History
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
    """The result of :func:`compare`: every run, a table to decide on, and the test
    results to report once.

    The printed table shows the **validation** metrics, the ones to choose a schedule
    with: for each schedule the mean ± standard deviation over the seeds, and the
    paired difference from the baseline (:meth:`paired`). Report the test set once,
    for the final choice, with :meth:`test`.

    Attributes:
        histories: for each schedule name, one :class:`History` per seed.
        seeds: the seeds used, in order.
        baseline: the schedule the others are compared with (default the first).
        level: the confidence level of the paired intervals (default 0.95).
        table: one dict per schedule (plain data): ``schedule``, ``runs``,
            ``diverged`` (how many runs diverged), and for ``split`` in ``val`` and
            ``test`` and ``metric`` in ``accuracy`` and ``loss``, ``{split}_{metric}
            _mean`` and ``_std`` (over the runs that did not diverge; the spread is
            the sample standard deviation, 0 for a single run; NaN if every run
            diverged or, for ``val``, without a validation split).
    """

    histories: dict[str, list[History]]
    seeds: tuple[int, ...]
    table: list[dict] = field(default_factory=list)
    baseline: str | None = None
    level: float = 0.95

    def __post_init__(self):
        if self.baseline is None:
            self.baseline = next(iter(self.histories))
        if self.baseline not in self.histories:
            raise ValueError(
                f"baseline must be one of the schedules ({', '.join(self.histories)})"
                f", got {self.baseline!r}"
            )
        self.level = check.finite(
            "level", self.level, minimum=0.0, strict=True, maximum=1.0, strict_max=True
        )
        if not self.table:
            self.table = [_summary(name, runs) for name, runs in self.histories.items()]

    @property
    def _split(self) -> str:
        """``"val"``, or ``"test"`` for runs without a validation split."""
        first = next(iter(self.histories.values()))[0]
        return "val" if first.val_loss.size or first.diverged else "test"

    def paired(
        self, metric: str = "val_loss", baseline: str | None = None
    ) -> dict[str, dict]:
        r"""Paired per-seed differences from the baseline, with a confidence interval.

        For every schedule and every seed :math:`s`, :math:`d_s = m_s - b_s`: the
        final ``metric`` of the schedule's run minus the baseline's run *with the same
        seed* (the same initial weights and order of the examples). The interval is
        Student's t interval of the mean of the :math:`d_s`, :math:`\bar d \pm
        t_{n-1} s_d / \sqrt n`, at :attr:`level`. The pairing removes the part of the
        seed-to-seed spread that both runs share, so the interval is usually much
        narrower than the two separate spreads suggest. A seed where either run
        diverged is left out.

        Args:
            metric: ``"val_loss"``, ``"val_accuracy"``, ``"test_loss"`` or
                ``"test_accuracy"`` (the test metrics for the final report only);
                or ``"train_loss"``, ``"train_accuracy"`` (the last epoch's training
                metrics: how well a schedule fits, not how well it generalises).
            baseline: the schedule to subtract (default :attr:`baseline`).

        Returns:
            A dict, schedule name -> its row, for every schedule other than the
            baseline, in the comparison's order. A row is a dict: ``schedule``,
            ``baseline``, ``metric``, ``differences`` (per seed, in the order of
            :attr:`seeds`; NaN where a run diverged), ``n`` (seeds used), ``mean``,
            ``low`` and ``high`` (NaN with fewer than 2 seeds for the interval).

        Examples:
            >>> c.paired("val_loss")["step"]  # doctest: +SKIP
            {'schedule': 'step', 'baseline': 'constant', 'metric': 'val_loss', ...}
        """
        metric = check.choice(
            "metric",
            metric,
            (
                "val_loss",
                "val_accuracy",
                "test_loss",
                "test_accuracy",
                "train_loss",
                "train_accuracy",
            ),
        )
        base = self.baseline if baseline is None else baseline
        if base not in self.histories:
            raise ValueError(
                f"baseline must be one of the schedules ({', '.join(self.histories)})"
                f", got {base!r}"
            )
        reference = _finals(self.histories[base], metric)
        return {
            name: _paired_row(
                name, base, metric, _finals(runs, metric) - reference, self.level
            )
            for name, runs in self.histories.items()
            if name != base
        }

    def verdict(
        self,
        name: str,
        metric: str = "val_loss",
        *,
        baseline: str | None = None,
        margin: float | None = None,
        names: Mapping[str, str] | None = None,
    ) -> Verdict:
        """The book's verdict on ``name`` against ``baseline`` (see
        :func:`lrbook.verdict`): from the paired interval of :meth:`paired`.

        Args:
            name: a schedule of the comparison (not the baseline).
            metric: as in :meth:`paired`.
            baseline: as in :meth:`paired` (default :attr:`baseline`).
            margin: an equivalence margin in the metric's unit, or None.
            names: how the verdict's words name the schedules, a mapping from a
                schedule's key in the comparison to its name in the prose (a key
                left out keeps its own name); default: the keys themselves.

        Returns:
            A :class:`lrbook.verdicts.Verdict`; ``str()`` of it, ``.words``,
            ``.interval`` and ``.sentence`` are the texts the chapters glue.

        Raises:
            ValueError: an unknown ``name``, or ``name`` is the baseline.
            TypeError: ``names`` is not a mapping of strings to strings.

        Examples:
            >>> c.verdict("step", names={"step": "step decay"})  # doctest: +SKIP
            Verdict(schedule='step decay', baseline='constant', ...)
        """
        base = self.baseline if baseline is None else baseline
        if name == base or name not in self.histories:
            others = [k for k in self.histories if k != base]
            raise ValueError(
                f"name must be one of the schedules other than the baseline "
                f"{base!r} ({', '.join(others)}), got {name!r}"
            )
        if names is None:
            names = {}
        if not isinstance(names, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in names.items()
        ):
            raise TypeError(
                f"names must be a mapping of schedule names to the names the words "
                f"use (str -> str), got {names!r}"
            )
        row = self.paired(metric, base)[name]
        row = {
            **row,
            "schedule": names.get(name, name),
            "baseline": names.get(base, base),
        }
        return verdict(row, margin=margin)

    def choose(self, metric: str = "val_loss", *, among=None) -> Choice:
        """The book's decision rule (:func:`lrbook.choose`) over this comparison's
        schedules, simplest first in the order they were given to :func:`compare`.

        Args:
            metric: ``"val_loss"`` (the book's rule) or ``"val_accuracy"``.
            among: the candidates to choose from, simplest first (default: every
                schedule, in the comparison's order).

        Returns:
            A :class:`lrbook.verdicts.Choice`: ``.name``, ``.leader``, ``.tied``,
            ``.reason``.
        """
        metric = check.choice("metric", metric, ("val_loss", "val_accuracy"))
        names = list(self.histories) if among is None else list(among)
        unknown = [n for n in names if n not in self.histories]
        if unknown or not names:
            raise ValueError(
                f"among must list schedules of the comparison "
                f"({', '.join(self.histories)}), got {among!r}"
            )
        return choose(
            {n: _finals(self.histories[n], metric) for n in names},
            metric=metric,
            level=self.level,
        )

    def test(self, name: str) -> dict:
        """The test-set results of one schedule: report them once, for the final
        choice, after choosing on validation data.

        Args:
            name: the chosen schedule.

        Returns:
            ``{"schedule", "runs", "test_accuracy_mean", "test_accuracy_std",
            "test_loss_mean", "test_loss_std"}`` and, unless ``name`` is the
            baseline, the paired test differences from it: ``"accuracy_vs_baseline"``
            and ``"loss_vs_baseline"`` (rows as :meth:`paired` returns).
        """
        if name not in self.histories:
            raise ValueError(
                f"name must be one of the schedules ({', '.join(self.histories)}), "
                f"got {name!r}"
            )
        row = next(r for r in self.table if r["schedule"] == name)
        out = {k: v for k, v in row.items() if not k.startswith("val_")}
        if name != self.baseline:
            for metric in ("accuracy", "loss"):
                out[f"{metric}_vs_baseline"] = self.paired(f"test_{metric}")[name]
        return out

    def _cells(self) -> list[list[str]]:
        split = self._split
        name = "validation" if split == "val" else "test"
        vs = f"vs {self.baseline}"
        rows = [
            [
                "schedule",
                f"{name} accuracy (%)",
                f"{name} loss",
                f"accuracy difference {vs} (points)",
                f"loss difference {vs}",
                "runs",
                "diverged",
            ]
        ]
        deltas = {
            metric: self.paired(f"{split}_{metric}")
            for metric in ("accuracy", "loss")
        }
        for r in self.table:
            if math.isnan(r[f"{split}_accuracy_mean"]):
                acc = loss = "diverged"
            else:
                acc = (
                    f"{100 * r[f'{split}_accuracy_mean']:.2f} ± "
                    f"{100 * r[f'{split}_accuracy_std']:.2f}"
                )
                loss = f"{r[f'{split}_loss_mean']:.4f} ± {r[f'{split}_loss_std']:.4f}"
            acc_delta = _interval_text(deltas["accuracy"].get(r["schedule"]), 100, 2)
            loss_delta = _interval_text(deltas["loss"].get(r["schedule"]), 1, 4)
            rows.append(
                [
                    r["schedule"],
                    acc,
                    loss,
                    acc_delta,
                    loss_delta,
                    str(r["runs"]),
                    str(r["diverged"]),
                ]
            )
        return rows

    def _footnote(self) -> str:
        seeds = ", ".join(map(str, self.seeds))
        return (
            f"mean ± standard deviation over seeds {seeds}; difference: mean paired difference "
            f"from {self.baseline} [{100 * self.level:g} % confidence interval]"
        )

    def __str__(self) -> str:
        rows = self._cells()
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = [
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in rows
        ]
        return "\n".join(lines + [f"({self._footnote()})"])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        rows = self._cells()
        head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
            for row in rows[1:]
        )
        return (
            f'<table class="lrbook-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
            f"<p>{html.escape(self._footnote())}</p>"
        )

    @styled
    def plot(self, axes=None):
        """Plot, per schedule, the learning rate, the training loss and the
        validation accuracy (test accuracy without a validation split), with a band
        of ± one standard deviation across seeds.

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
            acc = stack_padded(
                [
                    100 * (h.val_accuracy if h.val_accuracy.size else h.test_accuracy)
                    for h in runs
                ]
            )
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
        held_out = "validation" if self._split == "val" else "test"
        ax_acc.set(
            xlabel=EPOCH_LABEL,
            ylabel=axis_label(f"{held_out} accuracy", "%"),
            title=f"{held_out} accuracy (mean ± sd)",
        )
        integer_ticks(ax_acc)
        ax_lr.legend()
        return fig

    def explorer(
        self,
        metrics: Sequence[str] = ("val_accuracy", "val_loss", "loss"),
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
                ``"val_loss"``, ``"val_accuracy"``, ``"test_loss"`` and
                ``"test_accuracy"`` are measured once per epoch.
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
            {'schedule': 'step', 'metric': 'val_accuracy', 'seed': 1}
            >>> ex  # the last expression of a notebook cell shows it  # doctest: +SKIP
        """
        from .explorer import training_curves

        return training_curves(
            self,
            metrics,
            lr_panel=lr_panel,
            smooth=smooth,
            max_points=max_points,
            title=title,
            max_bytes=max_bytes,
        )


def _finals(runs: list[History], metric: str) -> np.ndarray:
    """The final value of ``metric`` of each run (NaN where it diverged)."""
    return np.array([getattr(h, f"final_{metric}") for h in runs], dtype=np.float64)


def _paired_row(name, baseline, metric, differences: np.ndarray, level) -> dict:
    """One row of :meth:`Comparison.paired`: the mean difference and its interval."""
    return {
        "schedule": name,
        "baseline": baseline,
        "metric": metric,
        "differences": differences.tolist(),
        **paired_interval(differences, level=level),
    }


def _interval_text(row: dict | None, scale: float, digits: int) -> str:
    """``+0.12 [-0.05, +0.29]`` (scaled), or ``-`` for the baseline itself."""
    if row is None:
        return "–"
    if math.isnan(row["mean"]):
        return "n/a"
    text = f"{scale * row['mean']:+.{digits}f}"
    if not math.isnan(row["low"]):
        low, high = scale * row["low"], scale * row["high"]
        text += f" [{low:+.{digits}f}, {high:+.{digits}f}]"
    return text


def _summary(name: str, runs: list[History]) -> dict:
    """A row of :attr:`Comparison.table`."""

    def spread(a):
        return float(a.std(ddof=1)) if a.size > 1 else (0.0 if a.size else math.nan)

    row = {
        "schedule": name,
        "runs": len(runs),
        "diverged": sum(1 for h in runs if h.diverged or not h.epochs),
    }
    for split in ("val", "test"):
        for metric in ("accuracy", "loss"):
            values = _finals(runs, f"{split}_{metric}")
            values = values[np.isfinite(values)]
            row[f"{split}_{metric}_mean"] = (
                float(values.mean()) if values.size else math.nan
            )
            row[f"{split}_{metric}_std"] = spread(values)
    return row


def compare(
    schedules: Mapping[str, Any],
    *,
    seeds: Sequence[int] = (0, 1, 2),
    epochs: int = 3,
    data: MNIST | None = None,
    baseline: str | None = None,
    validation: float | None = None,
    progress: bool | None = None,
    jobs: int | None = None,
    executor=None,
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
        data: the data (default: the book's image set, :func:`lrbook.book_mnist`).
        baseline: the schedule the others are compared with, seed by seed (default
            the first).
        validation: the validation split, as in :func:`fit` (held out once, the same
            for every run).
        progress: one progress bar over all the runs (default as in :func:`fit`).
        jobs: worker processes running the runs at once (default: one per CPU core,
            or ``$LRBOOK_JOBS``); ``1`` trains in this process, one run after another.
            The histories are bit-identical either way (:mod:`lrbook.train.parallel`).
        executor: a :class:`concurrent.futures.Executor` to run on instead (e.g. a
            Dask cluster's ``client.get_executor()``); ``jobs`` is then ignored.
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
    if baseline is not None and baseline not in schedules:
        raise ValueError(
            f"baseline must be one of the schedules ({', '.join(schedules)}), got "
            f"{baseline!r}"
        )
    grid = [(name, seed) for name in schedules for seed in seeds]
    runs = fit_grid(
        [(schedules[name], seed) for name, seed in grid],
        [f"schedule {name!r}, seed {seed}" for name, seed in grid],
        data=data,
        validation=validation,
        epochs=epochs,
        progress=progress,
        desc="compare",
        jobs=jobs,
        executor=executor,
        fit_kwargs=fit_kwargs,
    )
    histories: dict[str, list[History]] = {name: [] for name in schedules}
    for (name, _), history in zip(grid, runs, strict=True):
        histories[name].append(history)
    return Comparison(histories=histories, seeds=seeds, baseline=baseline)


def fit_grid(
    settings,
    labels,
    *,
    data,
    validation,
    epochs: int,
    progress,
    desc: str,
    jobs,
    executor,
    fit_kwargs: dict,
) -> list[History]:
    """Train every ``(schedule, seed)`` of ``settings`` with the same data and budget,
    serially or in parallel (:func:`lrbook.train.parallel.run_fits`), under one
    progress bar; the histories in the order of ``settings``."""
    parallel.check_executor(executor)
    serial = executor is None and parallel.resolve_jobs(jobs) == 1
    resolved = resolve_data(data, validation)
    if data is not None and data is book_mnist():
        data = None  # the workers load the book's images themselves, once each
    if serial or data is not None:
        # In this process (or data of the caller's own): the held-out split itself.
        shared = {"data": resolved}
    else:
        # Workers rebuild the book's images and the same split (fixed seed) themselves.
        shared = {"data": None, "validation": validation}
    runs = [
        {
            "schedule": schedule,
            **shared,
            "epochs": epochs,
            "seed": seed,
            "progress": False,
            **fit_kwargs,
        }
        for schedule, seed in settings
    ]
    bar = progress_bar(progress_enabled(progress), len(runs), desc, "run")
    try:
        return parallel.run_fits(
            runs,
            labels,
            jobs=1 if serial else jobs,
            executor=executor,
            on_done=None if bar is None else (lambda i: bar.update()),
        )
    finally:
        close_bar(bar)


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
            "optimizer must be 'sgd', 'adam' or 'adamw' in compare (every run needs"
            " its own optimizer)"
        )
    return seeds, epochs
