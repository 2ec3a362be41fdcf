"""The training-curve explorer: every run of a comparison, one click away.

Nothing is trained here: the explorer draws the numbers stored in the runs'
:class:`~lrbook.train.History` objects (their public fields only), so it also works on
the website, where no kernel runs. :meth:`lrbook.train.Comparison.explorer` is the way
in; this module is imported when it is first called. It builds on the explorer engine
(:mod:`lrbook.explore.core`, ``.controls``, ``.panels``), one floor below ``train``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import _checks as check
from ..explore.controls import dropdown
from ..explore.core import Explorer
from ..explore.panels import Frame, Line, Panel
from ..plotting import EPOCH_LABEL, LR_LABEL, axis_label, running_mean

# What the explorer can draw: History field -> (menu entry, y label).
METRICS = {
    "val_accuracy": ("validation accuracy", axis_label("validation accuracy", "%")),
    "val_loss": ("validation loss", axis_label("validation loss", "nats")),
    "test_accuracy": ("test accuracy", axis_label("test accuracy", "%")),
    "test_loss": ("test loss", axis_label("test loss", "nats")),
    "loss": ("training loss per update", axis_label("training loss", "nats")),
    "train_loss": ("training loss per epoch", axis_label("training loss", "nats")),
    "train_accuracy": ("training accuracy", axis_label("training accuracy", "%")),
    "lr": ("learning rate", LR_LABEL),
}


def training_curves(
    comparison,
    metrics: Sequence[str] = ("val_accuracy", "val_loss", "loss"),
    *,
    lr_panel: bool = True,
    smooth: int | None = None,
    max_points: int = 400,
    title: str | None = None,
    max_bytes: int | None = None,
):
    """The explorer of :meth:`lrbook.train.Comparison.explorer` (which documents the
    arguments), for ``comparison``: anything with ``histories`` (a dict, name -> one
    :class:`~lrbook.train.History` per seed) and ``seeds``.

    Returns:
        An :class:`lrbook.Explorer`.
    """
    if isinstance(metrics, str):
        metrics = (metrics,)
    metrics = tuple(metrics)
    _check_metrics(metrics)
    if not isinstance(lr_panel, bool):
        raise TypeError(f"lr_panel must be True or False, got {lr_panel!r}")
    if smooth is not None:
        smooth = check.integer("smooth", smooth, minimum=1)
    max_points = check.integer("max_points", max_points, minimum=2)
    training = _TrainingCurves(comparison, metrics, lr_panel, smooth, max_points)
    kwargs = {} if max_bytes is None else {"max_bytes": max_bytes}
    return Explorer(
        training.controls(),
        training,
        training.panels(),
        title=title,
        **kwargs,
    )


def _check_metrics(metrics: tuple) -> None:
    if not metrics:
        raise ValueError("metrics must name at least one metric, got none")
    for m in metrics:
        if not isinstance(m, str) or m not in METRICS:
            raise ValueError(
                f"metrics must be names of History fields "
                f"({', '.join(METRICS)}), got {m!r}"
            )
    if len(set(metrics)) != len(metrics):
        raise ValueError(f"metrics must be distinct, got {list(metrics)}")


class _TrainingCurves:
    """The explorer's controls, panels and compute function, over one comparison."""

    def __init__(self, comparison, metrics, lr_panel, smooth, max_points):
        self.histories = comparison.histories
        self.names = list(comparison.histories)
        self.seeds = list(comparison.seeds)
        self.metrics, self.lr_panel = metrics, lr_panel
        self.smooth, self.max_points = smooth, max_points
        self._curves: dict = {}

    def controls(self) -> list:
        names, seeds, metrics = self.names, self.seeds, self.metrics
        several = len(seeds) > 1
        seed_options = (["mean", "all"] if several else []) + seeds
        seed_labels = (["mean ± sd", "every seed"] if several else []) + [
            f"seed {s}" for s in seeds
        ]
        controls = []
        if len(names) > 1:
            controls.append(
                dropdown(
                    "schedule", {"all": "all", **{n: n for n in names}}, "all"
                )
            )
        if len(metrics) > 1:
            controls.append(
                dropdown(
                    "metric", {METRICS[m][0]: m for m in metrics}, metrics[0]
                )
            )
        controls.append(
            dropdown(
                "seed", dict(zip(seed_labels, seed_options, strict=True)), None
            )
        )
        return controls

    def _lines(self, labelled: bool) -> dict:
        """Every series a panel may draw: per schedule, its line, band and seeds."""
        out = {}
        for i, name in enumerate(self.names):
            label = name if labelled else None
            out[name] = Line(label=label, color=i, width=1.8)
            band = Line(color=i, dash="dotted", width=1.2)
            out[f"{name} +sd"] = band
            out[f"{name} -sd"] = band
            for s in self.seeds[1:]:
                out[f"{name} seed {s}"] = Line(color=i, width=1.8)
        return out

    def panels(self) -> list:
        metrics = self.metrics
        ylabel, title = METRICS[metrics[0]][1], METRICS[metrics[0]][0]
        # with a metric menu, the axis names the metric chosen, with its unit
        by = None
        if len(metrics) > 1:
            by = ("metric", {m: METRICS[m][1] for m in metrics})
            title = "the chosen metric"
        panels = []
        if self.lr_panel:
            panels.append(
                Panel(
                    xlabel=EPOCH_LABEL,
                    ylabel=LR_LABEL,
                    lines=self._lines(False),
                    title="learning rate",
                    log_toggle=True,
                    ylim=(0, None),
                )
            )
        panels.append(
            Panel(
                xlabel=EPOCH_LABEL,
                ylabel=ylabel,
                lines=self._lines(True),
                title=title,
                log_toggle=True,
                ylim="auto",
                ylabel_by=by,
            )
        )
        return panels

    def curve(self, name: str, metric: str):
        """:func:`curves` of one schedule and metric (computed once)."""
        key = (name, metric)
        if key not in self._curves:
            self._curves[key] = curves(
                self.histories[name], metric, self.smooth, self.max_points
            )
        return self._curves[key]

    def __call__(self, seed, schedule="all", metric=None) -> Frame:
        """The series of every panel, and the note, for these control values."""
        metric = self.metrics[0] if metric is None else metric
        shown = self.names if schedule == "all" else [schedule]
        wanted = (["lr"] if self.lr_panel else []) + [metric]
        out = [self._series(shown, m, seed) for m in wanted]
        return Frame(
            out if len(out) > 1 else out[0], self._note(shown, metric, seed)
        )

    def _series(self, shown: list[str], metric: str, seed) -> dict:
        """One panel: ``metric`` of the ``shown`` schedules, for ``seed`` (a seed,
        ``"mean"`` or ``"all"``)."""
        out = {}
        for name in shown:
            runs, mean, sd = self.curve(name, metric)
            if seed == "mean":
                if mean is not None:
                    out[name] = mean
                    if sd is not None and len(shown) == 1:
                        x, y = mean
                        out[f"{name} +sd"] = (x, y + sd)
                        out[f"{name} -sd"] = (x, y - sd)
            elif seed == "all":
                for k, s in enumerate(self.seeds):
                    if runs[k] is not None:
                        out[name if k == 0 else f"{name} seed {s}"] = runs[k]
            elif runs[self.seeds.index(seed)] is not None:
                out[name] = runs[self.seeds.index(seed)]
        return out

    def _note(self, shown: list[str], metric: str, seed) -> str:
        """What is drawn, and which runs diverged."""
        seeds = self.seeds
        what = METRICS[metric][0]
        if metric == "loss":
            per_epoch = self.histories[self.names[0]][0].updates_per_epoch
            window = self.smooth or max(1, per_epoch // 4)
            what += f" (running mean over {window} updates)" if window > 1 else ""
        if seed == "mean":
            who = "mean over seeds " + ", ".join(map(str, seeds))
            if len(seeds) > 1 and len(shown) == 1:
                who += "; dotted: ± 1 standard deviation"
            elif len(seeds) > 1:
                who += " (choose one schedule to see ± 1 standard deviation)"
        elif seed == "all":
            who = "one line per seed (" + ", ".join(map(str, seeds)) + ")"
        else:
            who = f"seed {seed}"
        note = [f"{what}: {who}"]
        for name in shown:
            runs = self.histories[name]
            bad = [s for s, h in zip(seeds, runs, strict=True) if h.diverged]
            if bad and (seed in ("mean", "all") or seed in bad):
                tail = " (left out of the mean)" if seed == "mean" else ""
                note.append(
                    f"{name}: seed{'s' if len(bad) > 1 else ''} "
                    f"{', '.join(map(str, bad))} diverged{tail}"
                )
        return "\n".join(note)


def curves(runs: list, metric: str, smooth: int | None, max_points: int):
    """One metric of every run of a schedule, as the explorer draws it.

    Args:
        runs: the :class:`~lrbook.train.History` of each seed.
        metric: a name of :data:`METRICS`.
        smooth: the window of the running mean of ``"loss"`` (default a quarter of an
            epoch).
        max_points: ``"loss"`` curves longer than this are thinned.

    Returns:
        ``(curves, mean, sd)``: ``curves`` holds an ``(x, y)`` pair per run (or
        ``None`` for a run with nothing finite to draw; a diverged run is cut before
        its first non-finite value); ``mean`` is the ``(x, y)`` mean of the runs that
        did not diverge (``None`` if all did) and ``sd`` their sample standard
        deviation at each point (``None`` for fewer than two runs, or when the runs
        agree exactly, as the learning rate of a fixed schedule does; the mean is then
        the common curve itself, bit for bit).
    """
    per_epoch = runs[0].updates_per_epoch
    per_update = metric in ("lr", "loss")
    scale = 100.0 if metric.endswith("accuracy") else 1.0
    window = (smooth or max(1, per_epoch // 4)) if metric == "loss" else 1
    drawn, full = [], []
    for h in runs:
        y = np.asarray(getattr(h, metric), dtype=np.float64) * scale
        if window > 1:
            with np.errstate(over="ignore", invalid="ignore"):
                y = running_mean(y, window)
        finite = np.isfinite(y)
        n = y.size if finite.all() else int(np.argmin(finite))
        if n == 0:
            drawn.append(None)
            continue
        idx = np.arange(n)
        if metric == "loss" and n > max_points:
            idx = np.arange(0, n, -(-n // max_points))
            if idx[-1] != n - 1:
                idx = np.append(idx, n - 1)
        x = idx / per_epoch if per_update else idx + 1.0
        drawn.append((x, y[idx]))
        if not h.diverged:
            full.append((x, y[idx]))
    if not full:
        return drawn, None, None
    length = min(c[0].size for c in full)
    x = full[0][0][:length]
    ys = np.stack([c[1][:length] for c in full])
    if (ys == ys[0]).all():
        return drawn, (x, ys[0].copy()), None
    sd = ys.std(axis=0, ddof=1) if len(full) > 1 else None
    return drawn, (x, ys.mean(axis=0)), sd
