"""A fair tournament of schedule families: :func:`tournament` and its
:class:`Tournament`.

Fair means three things. Every family gets the same budget of tuning trials (the same
number of candidate settings). Every candidate is tuned on **validation** data with
its own seeds, and the winners are then trained again with *other* seeds, so that the
luck of the tuning seeds does not flatter the winner. And the families are compared
seed by seed (paired) against a baseline, with confidence intervals; the test set is
reported once, at the end (:meth:`Tournament.test`).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import _checks as check
from ..data import MNIST
from ..plotting import axis_label, color
from .comparison import Comparison, _check_compare_args, compare, fit_grid
from .plots import new_axes, styled

__all__ = ["Tournament", "tournament"]

METRICS = ("val_loss", "val_accuracy")


@dataclass(eq=False, repr=False)
class Tournament:
    """The result of :func:`tournament`.

    Attributes:
        trials: one dict per tuning trial: ``family``, ``candidate`` (its label),
            ``metric`` (the tuning metric's name), ``value`` (its mean over the tuning
            seeds; NaN if a run diverged) and ``chosen`` (whether it won its family).
        chosen: for each family, the label of the winning candidate.
        final: the :class:`Comparison` of the winners, trained with the final seeds
            (validation table, paired intervals against :attr:`final.baseline`).
        tune_seeds: the seeds of the tuning runs.
        metric: the tuning metric, ``"val_loss"`` or ``"val_accuracy"``.
    """

    trials: list[dict]
    chosen: dict[str, str]
    final: Comparison
    tune_seeds: tuple[int, ...]
    metric: str = "val_loss"
    tuning: dict[str, Comparison] = field(default_factory=dict)

    def test(self) -> list[dict]:
        """The test-set results of every family's winner, reported once, at the end:
        one :meth:`Comparison.test` row per family (the baseline's without paired
        differences)."""
        return [
            {"family": name, "candidate": self.chosen[name], **self.final.test(name)}
            for name in self.final.histories
        ]

    def _tuning_rows(self) -> list[list[str]]:
        rows = [["family", "chosen candidate", f"{self.metric} (tuning)", "trials"]]
        for family, label in self.chosen.items():
            mine = [t for t in self.trials if t["family"] == family]
            best = next(t for t in mine if t["chosen"])
            rows.append([family, label, _number(best["value"]), str(len(mine))])
        return rows

    def __str__(self) -> str:
        rows = self._tuning_rows()
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        tuning = [
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in rows
        ]
        seeds = ", ".join(map(str, self.tune_seeds))
        return "\n".join(
            [f"Tuning (seeds {seeds}, validation data):", *tuning, ""]
            + ["Final runs of the winners (other seeds):", str(self.final)]
        )

    __repr__ = __str__

    def _repr_html_(self) -> str:
        rows = self._tuning_rows()
        head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
            for r in rows[1:]
        )
        seeds = ", ".join(map(str, self.tune_seeds))
        return (
            f"<p>Tuning (seeds {seeds}, validation data):</p>"
            f'<table class="lrbook-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
            "<p>Final runs of the winners (other seeds):</p>" + self.final._repr_html_()
        )

    @styled
    def plot(self, axes=None, split: str = "val"):
        """Each family's paired difference from the baseline, with its interval.

        Args:
            axes: two matplotlib Axes (loss, accuracy); default a new figure.
            split: ``"val"`` (the decision) or ``"test"`` (the final report).

        Returns:
            The matplotlib Figure.
        """
        from matplotlib.ticker import MaxNLocator

        split = check.choice("split", split, ("val", "test"))
        fig, (ax_loss, ax_acc) = new_axes(axes, 2)
        for ax, metric, scale, unit in (
            (ax_loss, "loss", 1.0, "nats"),
            (ax_acc, "accuracy", 100.0, "% points"),
        ):
            rows = self.final.paired(f"{split}_{metric}")
            for i, r in enumerate(rows):
                y = len(rows) - 1 - i
                ax.plot(scale * r["mean"], y, "o", color=color(i))
                if not math.isnan(r["low"]):
                    ax.plot(
                        [scale * r["low"], scale * r["high"]], [y, y], color=color(i)
                    )
            ax.axvline(0.0, color=color(7), lw=1)
            # at most 5 ticks: 3-decimal labels ran together at a phone's width
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
            ax.set_yticks(range(len(rows)), [r["schedule"] for r in rows][::-1])
            name = "validation" if split == "val" else "test"
            ax.set(
                xlabel=axis_label(
                    f"{name} {metric} minus {self.final.baseline}'s", unit
                ),
                title=f"{name} {metric}, paired "
                f"({100 * self.final.level:g} % interval)",
            )
        return fig


def _number(x: float) -> str:
    return "diverged" if math.isnan(x) else f"{x:.4f}"


def tournament(
    candidates: Mapping[str, Mapping[str, Any]],
    *,
    tune_seeds: Sequence[int] = (0,),
    final_seeds: Sequence[int] = (1, 2, 3, 4, 5),
    epochs: int = 3,
    data: MNIST | None = None,
    baseline: str | None = None,
    metric: str = "val_loss",
    validation: float | None = None,
    progress: bool | None = None,
    jobs: int | None = None,
    executor=None,
    **fit_kwargs,
) -> Tournament:
    """Tune every schedule family with the same budget, then compare the winners.

    1. **Tuning.** Every candidate of every family is trained with each of the
       ``tune_seeds``; its score is the mean final ``metric`` on the validation
       images. Each family's best candidate (lowest loss, or highest accuracy) wins.
       Every family must offer the same number of candidates: the same budget.
    2. **Final runs.** The winners are trained again with the ``final_seeds``, which
       must differ from the tuning seeds (a winner chosen on some seeds looks better on
       those same seeds than it is), and compared seed by seed with the ``baseline``
       family (:class:`Comparison`, paired intervals on validation data).
    3. **Report.** :meth:`Tournament.test` gives the test-set results of the winners,
       once.

    Every run has the same data, network, optimizer, batch size and number of epochs,
    so the same number of updates. To scale up: more ``final_seeds``, full MNIST
    (``data=lrbook.load_mnist()``), more epochs, or a GPU (``device="cuda"``).

    Args:
        candidates: ``{family: {label: schedule}}``: for each family (e.g.
            ``"constant"``, ``"step"``, ``"cosine"``), its candidate settings, each
            anything :func:`fit` accepts, with a label (e.g. ``"lr=0.1"``). The same
            number of candidates per family.
        tune_seeds: the seeds of the tuning runs (distinct integers >= 0).
        final_seeds: the seeds of the final runs (distinct, none a tuning seed).
        epochs: epochs per run (integer >= 1).
        data: the data (default the book's images, :func:`lrbook.book_mnist`).
        baseline: the family the others are compared with (default the first).
        metric: the tuning metric, ``"val_loss"`` (default) or ``"val_accuracy"``.
        validation: the validation split, as in :func:`fit`.
        progress: progress bars (default as in :func:`fit`).
        jobs: worker processes (default one per CPU core, or ``$LRBOOK_JOBS``;
            ``1``: in this process), as in :func:`compare`. All the tuning runs of
            every family go to the workers at once, then the final runs.
        executor: a :class:`concurrent.futures.Executor` to run on instead (e.g. a
            Dask cluster's ``client.get_executor()``).
        **fit_kwargs: further arguments of :func:`fit` shared by every run
            (``model``, ``optimizer``, ``batch_size``, ``weight_decay``...).

    Returns:
        A :class:`Tournament`.

    Raises:
        TypeError, ValueError: bad arguments, families with different numbers of
            candidates, or tuning and final seeds that overlap (the message says
            which).

    Examples:
        >>> import lrbook
        >>> t = lrbook.tournament(
        ...     {"constant": {"lr=0.05": 0.05, "lr=0.1": 0.1},
        ...      "step": {"lr=0.1, drop@2": lrbook.step_decay(0.1, 100),
        ...               "lr=0.2, drop@2": lrbook.step_decay(0.2, 100)}},
        ...     final_seeds=(1, 2, 3), epochs=3, progress=False)  # doctest: +SKIP
        >>> print(t)  # doctest: +SKIP
        Tuning (seeds 0, validation data):
        family    chosen candidate  val_loss (tuning)  trials
        ...
        >>> t.test()  # the test set, once  # doctest: +SKIP
    """
    families = _check_candidates(candidates)
    tune = _seeds("tune_seeds", tune_seeds)
    final = _seeds("final_seeds", final_seeds)
    shared = sorted(set(tune) & set(final))
    if shared:
        raise ValueError(
            f"final_seeds must differ from tune_seeds (a winner chosen on some seeds "
            f"looks better on them than it is); both hold {shared}"
        )
    metric = check.choice("metric", metric, METRICS)
    baseline = families[0] if baseline is None else baseline
    if baseline not in families:
        raise ValueError(
            f"baseline must be one of the families ({', '.join(families)}), got "
            f"{baseline!r}"
        )
    _check_compare_args(candidates[families[0]], tune, epochs, fit_kwargs)
    grid = [
        (family, label, seed)
        for family in families
        for label in candidates[family]
        for seed in tune
    ]
    histories = fit_grid(
        [(candidates[f][label], seed) for f, label, seed in grid],
        [f"family {f!r}, candidate {label!r}, seed {seed}" for f, label, seed in grid],
        data=data,
        validation=validation,
        epochs=epochs,
        progress=progress,
        desc="tuning",
        jobs=jobs,
        executor=executor,
        fit_kwargs=fit_kwargs,
    )
    runs_of: dict[str, dict[str, list]] = {f: {} for f in families}
    for (family, label, _), history in zip(grid, histories, strict=True):
        runs_of[family].setdefault(label, []).append(history)
    trials, chosen, tuning = [], {}, {}
    for family in families:
        runs = Comparison(histories=runs_of[family], seeds=tune)
        tuning[family] = runs
        scores = {
            label: float(np.mean([getattr(h, f"final_{metric}") for h in hs]))
            for label, hs in runs.histories.items()
        }
        chosen[family] = _best(scores, metric)
        trials += [
            {
                "family": family,
                "candidate": label,
                "metric": metric,
                "value": value,
                "chosen": label == chosen[family],
            }
            for label, value in scores.items()
        ]
    winners = {family: candidates[family][chosen[family]] for family in families}
    result = compare(
        winners,
        seeds=final,
        epochs=epochs,
        data=data,
        validation=validation,
        baseline=baseline,
        progress=progress,
        jobs=jobs,
        executor=executor,
        **fit_kwargs,
    )
    return Tournament(trials, chosen, result, tune, metric, tuning)


def _best(scores: dict[str, float], metric: str) -> str:
    """The label with the best score (NaN, a diverged run, never wins)."""
    sign = -1.0 if metric.endswith("accuracy") else 1.0
    finite = {k: v for k, v in scores.items() if math.isfinite(v)}
    if not finite:
        return next(iter(scores))
    return min(finite, key=lambda k: sign * finite[k])


def _check_candidates(candidates) -> list[str]:
    if not isinstance(candidates, Mapping) or not candidates:
        raise TypeError(
            "candidates must be a non-empty dict {family: {label: schedule}}, got "
            f"{type(candidates).__name__}"
        )
    sizes = {}
    for family, options in candidates.items():
        if not isinstance(family, str):
            raise TypeError(f"candidates' keys must be family names, got {family!r}")
        if not isinstance(options, Mapping) or not options:
            raise TypeError(
                f"candidates[{family!r}] must be a non-empty dict {{label: schedule}}"
                f", got {type(options).__name__}"
            )
        sizes[family] = len(options)
    if len(set(sizes.values())) > 1:
        raise ValueError(
            "every family must get the same budget of tuning trials (the same number "
            f"of candidates), got {sizes}"
        )
    return list(candidates)


def _seeds(name: str, seeds) -> tuple[int, ...]:
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence):
        raise TypeError(f"{name} must be a sequence of integers, got {seeds!r}")
    out = tuple(
        check.integer(f"{name}[{i}]", s, minimum=0) for i, s in enumerate(seeds)
    )
    if not out:
        raise ValueError(f"{name} must hold at least one seed")
    if len(set(out)) != len(out):
        raise ValueError(f"{name} must be distinct, got {list(out)}")
    return out
