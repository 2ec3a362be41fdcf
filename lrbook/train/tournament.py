"""A fair tournament of schedule families: :func:`tournament` and its
:class:`Tournament`.

Fair means three things. Every family gets the same budget of tuning trials (the same
number of candidate settings). Every candidate is tuned on **validation** data with
its own seeds, and the winners are then trained again with *other* seeds, so that the
luck of the tuning seeds does not flatter the winner. And the families are compared
seed by seed (paired) against a baseline, with confidence intervals; the test set is
reported once, at the end, for the family finally chosen (:meth:`Tournament.test`).
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

    def test(self, family: str) -> dict:
        """The test-set result of the final choice, reported once, at the end, after
        every choice (within and across families) was made on validation data.

        Only one family's result is returned: looking at the test results of every
        family invites choosing among them on the test set.

        Args:
            family: the family finally chosen (one of :attr:`chosen`).

        Returns:
            The :meth:`Comparison.test` row of the family's winner, with ``family``
            and ``candidate`` (its label) added.
        """
        if family not in self.chosen:
            raise ValueError(
                f"family must be one of the families ({', '.join(self.chosen)}), got "
                f"{family!r}"
            )
        return {
            "family": family,
            "candidate": self.chosen[family],
            **self.final.test(family),
        }

    def on_edge(self, grid: slice | None = None) -> dict[str, str]:
        """The families whose winner sits on the edge of their candidate grid.

        The candidates of each family are taken in the order they were given, which
        should be the order of the tuned setting (for example increasing peak rates).
        A winner on the first or last candidate says that a better setting may lie
        outside the grid: widen the grid and tune again (the first warning of Google's
        Deep Learning Tuning Playbook).

        Args:
            grid: ``None`` for the whole grid, or a slice of every family's
                candidates (e.g. ``slice(0, 4)``): the winners of that narrower grid,
                by the tuning's own rule and from the trials already run, and its
                edges. It answers "would a narrower grid have been enough?".

        Returns:
            ``{family: "lowest" or "highest"}`` for each family whose winner is its
            first or last candidate (a family with fewer than three candidates always
            is); empty when every winner is inside its grid.
        """
        if grid is not None and not isinstance(grid, slice):
            raise TypeError(
                f"grid must be None or a slice of the candidates, got {grid!r}"
            )
        edges = {}
        for family in self.chosen:
            mine = [t for t in self.trials if t["family"] == family][grid or slice(None)]
            if not mine:
                raise ValueError(f"grid {grid!r} keeps no candidate of {family!r}")
            labels = [t["candidate"] for t in mine]
            label = _best({t["candidate"]: t["value"] for t in mine}, self.metric)
            if len(labels) < 3 or label in (labels[0], labels[-1]):
                edges[family] = "lowest" if label == labels[0] else "highest"
        return edges

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
            rows = list(self.final.paired(f"{split}_{metric}").values())
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
    tune_candidates: Mapping[str, Mapping[str, Any]] | None = None,
    tune_fit: Mapping[str, Any] | None = None,
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
    3. **Report.** Choose one family on validation data (for example with
       ``final.choose()``), then :meth:`Tournament.test` gives its test-set result,
       once. :meth:`Tournament.on_edge` lists the families whose winner sits on the
       edge of its grid.

    Every run has the same data, network, optimizer, batch size and number of epochs,
    so the same number of updates. To scale up: more ``final_seeds``, full MNIST
    (``data=lrbook.load_mnist()``), more epochs, or a GPU (``device="cuda"``).

    Args:
        candidates: ``{family: {label: schedule}}``: for each family (e.g.
            ``"constant"``, ``"step"``, ``"cosine"``), its candidate settings, each
            anything :func:`fit` accepts, with a label (e.g. ``"lr=0.1"``). The same
            number of candidates per family, in increasing order of the setting
            tuned (so that :meth:`Tournament.on_edge` can tell a winner on the edge).
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
        tune_candidates: the schedules of the tuning runs, with the same families
            and labels as ``candidates`` (default ``candidates``). To tune on a
            cheaper budget (``tune_fit``), give here the same settings written for
            the tuning runs' number of updates; the winners' ``candidates`` entries
            are then trained with the final seeds.
        tune_fit: arguments of :func:`fit` for the tuning runs only, overriding
            ``fit_kwargs`` (e.g. ``{"n_train": 1600}``: tune on half the training
            images, half the updates). Not ``data``, ``seed``, ``epochs`` or
            ``validation``: the choices are made on the same validation images.
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
        >>> t.on_edge()  # two candidates: every winner is on an edge  # doctest: +SKIP
        {'constant': 'highest', 'step': 'lowest'}
        >>> t.test(t.final.choose().name)  # the test set, once  # doctest: +SKIP
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
    tuned = _check_tune_candidates(candidates, tune_candidates)
    tune_fit = dict(tune_fit or {})
    bad = sorted(set(tune_fit) & {"data", "seed", "epochs", "validation"})
    if bad:
        raise ValueError(
            f"tune_fit must not set {', '.join(bad)}: the tuning and the final runs "
            "share the data, the epochs and the validation images"
        )
    grid = [
        (family, label, seed)
        for family in families
        for label in candidates[family]
        for seed in tune
    ]
    histories = fit_grid(
        [(tuned[f][label], seed) for f, label, seed in grid],
        [f"family {f!r}, candidate {label!r}, seed {seed}" for f, label, seed in grid],
        data=data,
        validation=validation,
        epochs=epochs,
        progress=progress,
        desc="tuning",
        jobs=jobs,
        executor=executor,
        fit_kwargs={**fit_kwargs, **tune_fit},
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


def _check_tune_candidates(candidates, tune_candidates):
    if tune_candidates is None:
        return candidates
    _check_candidates(tune_candidates)
    same = list(tune_candidates) == list(candidates) and all(
        list(tune_candidates[f]) == list(candidates[f]) for f in candidates
    )
    if not same:
        raise ValueError(
            "tune_candidates must have the same families and labels as candidates, "
            "in the same order"
        )
    return tune_candidates


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
