r"""Verdicts from paired intervals: the only words the book uses to compare.

A comparison of two schedules is a set of paired per-seed differences
:math:`d_s = m_s(A) - m_s(B)` of a final metric (same seed, so the same initial
weights and order of examples). Their mean has Student's t interval
:math:`\bar d \pm t_{n-1}\, s_d/\sqrt n`. The book draws its conclusions from that
interval and nothing else:

* the interval lies entirely on the better side of 0: ``A`` has a **lower** loss (or a
  **higher** accuracy) than ``B``;
* it lies entirely on the worse side: the opposite;
* it contains 0: **no difference detected** with ``n`` seeds (which is not a tie: more
  seeds could find one);
* "equivalent" only with a stated margin :math:`\delta` that the whole interval lies
  inside, :math:`-\delta < \text{low} \le \text{high} < \delta`.

The decision rule of the book (:func:`choose`, stated in chapter 2): the candidates
are listed from the simplest to the most complex; a candidate is *detectably worse*
when its paired interval against some other candidate lies entirely on the worse side
of 0; the rule picks the simplest candidate that no other candidate detectably beats.
The *leader* (the lowest mean validation loss) is always such a candidate, since no
candidate can be detectably better than the lowest mean.

Examples:
    >>> row = {"schedule": "cosine", "baseline": "constant", "metric": "val_loss",
    ...        "n": 5, "mean": -0.047, "low": -0.094, "high": 0.001}
    >>> v = verdict(row)
    >>> v.outcome
    'no difference detected'
    >>> v.words
    'no difference in validation loss detected with 5 seeds'
    >>> v.interval
    '−0.047 [−0.094, +0.001] nats'
    >>> verdict({**row, "high": -0.002}).words
    'lower validation loss'
    >>> verdict({**row, "mean": -0.002, "low": -0.009, "high": 0.004},
    ...         margin=0.01).outcome
    'equivalent'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from . import _checks as check

__all__ = ["Verdict", "Choice", "paired_interval", "verdict", "choose", "OUTCOMES"]

#: Every outcome a :class:`Verdict` can have.
OUTCOMES = (
    "better",
    "worse",
    "equivalent",
    "no difference detected",
    "too few seeds",
)

_SPLITS = {"val": "validation", "test": "test", "train": "training"}
_MINUS = "\u2212"


def paired_interval(differences, *, level: float = 0.95) -> dict:
    r"""Student's t interval of the mean of paired differences (NaNs left out).

    Args:
        differences: the per-seed differences, a sequence of numbers (NaN for a seed
            where a run diverged; left out).
        level: the confidence level, strictly between 0 and 1.

    Returns:
        ``{"n", "mean", "low", "high"}``; ``low`` and ``high`` are NaN with fewer
        than 2 finite differences, ``mean`` is NaN with none.

    Examples:
        >>> r = paired_interval([0.1, 0.3, 0.2])
        >>> r["n"], round(r["mean"], 6), round(r["low"], 4), round(r["high"], 4)
        (3, 0.2, -0.0484, 0.4484)
    """
    level = check.finite(
        "level", level, minimum=0.0, strict=True, maximum=1.0, strict_max=True
    )
    try:
        d = np.asarray(differences, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise TypeError(
            f"differences must be a sequence of numbers, got {differences!r}"
        ) from None
    ok = d[np.isfinite(d)]
    mean = float(ok.mean()) if ok.size else math.nan
    low = high = math.nan
    if ok.size >= 2:
        from scipy import stats

        half = stats.t.ppf(0.5 + level / 2, ok.size - 1) * ok.std(ddof=1)
        half /= math.sqrt(ok.size)
        low, high = mean - half, mean + half
    return {"n": int(ok.size), "mean": mean, "low": float(low), "high": float(high)}


def _metric_parts(metric: str) -> tuple[str, str]:
    split, _, quantity = metric.partition("_")
    if split not in _SPLITS or quantity not in ("loss", "accuracy"):
        raise ValueError(
            "metric must be one of 'val_loss', 'val_accuracy', 'test_loss', "
            f"'test_accuracy', 'train_loss', 'train_accuracy', got {metric!r}"
        )
    return _SPLITS[split], quantity


def _signed(x: float, digits: int) -> str:
    text = f"{x:+.{digits}f}"
    return text.replace("-", _MINUS)


@dataclass(frozen=True)
class Verdict:
    """What a paired interval lets one say: see :func:`verdict`.

    Attributes:
        schedule, baseline: the two things compared (difference = schedule −
            baseline).
        metric: e.g. ``"val_loss"``.
        n, mean, low, high: the paired interval (``low``/``high`` NaN if ``n < 2``).
        margin: the equivalence margin (same unit as the metric), or None.
        outcome: one of :data:`OUTCOMES`: ``"better"``/``"worse"`` (the interval
            excludes 0; better means lower loss or higher accuracy), ``"equivalent"``
            (inside ±margin), ``"no difference detected"`` or ``"too few seeds"``.
    """

    schedule: str
    baseline: str
    metric: str
    n: int
    mean: float
    low: float
    high: float
    margin: float | None
    outcome: str

    @property
    def better(self) -> bool | None:
        """True if the schedule is detectably better, False if detectably worse, None
        when the interval cannot tell (or shows equivalence)."""
        return {"better": True, "worse": False}.get(self.outcome)

    @property
    def detected(self) -> bool:
        """Whether the interval excludes 0 (a difference was detected)."""
        return self.outcome in ("better", "worse")

    @property
    def _split_quantity(self) -> tuple[str, str]:
        return _metric_parts(self.metric)

    @property
    def unit(self) -> str:
        """``"nats"`` for a loss, ``"points"`` (percentage points) for an accuracy."""
        return "nats" if self._split_quantity[1] == "loss" else "points"

    @property
    def scale(self) -> float:
        """The factor from the metric to its displayed unit (100 for accuracies)."""
        return 1.0 if self._split_quantity[1] == "loss" else 100.0

    @property
    def digits(self) -> int:
        """Decimals shown: 3 for a loss, 1 for an accuracy in points."""
        return 3 if self._split_quantity[1] == "loss" else 1

    @property
    def interval(self) -> str:
        """The difference and its interval in the metric's unit, e.g. ``'−0.047
        [−0.094, +0.001] nats'`` or ``'+1.2 [+0.3, +2.1] points'``."""
        s, k = self.scale, self.digits
        if math.isnan(self.mean):
            return "n/a"
        text = _signed(s * self.mean, k)
        if not math.isnan(self.low):
            text += f" [{_signed(s * self.low, k)}, {_signed(s * self.high, k)}]"
        return f"{text} {self.unit}"

    @property
    def words(self) -> str:
        """The verdict in words, without the names, e.g. ``'lower validation loss'``
        or ``'no difference in validation loss detected with 5 seeds'``."""
        split, quantity = self._split_quantity
        lower_is_better = quantity == "loss"
        if self.outcome in ("better", "worse"):
            lower = (self.outcome == "better") == lower_is_better
            return f"{'lower' if lower else 'higher'} {split} {quantity}"
        if self.outcome == "equivalent":
            m = _signed(self.scale * self.margin, self.digits).lstrip("+")
            return f"equivalent in {split} {quantity} within ±{m} {self.unit}"
        if self.outcome == "too few seeds":
            return f"too few seeds ({self.n}) for an interval"
        return f"no difference in {split} {quantity} detected with {self.n} seeds"

    @property
    def sentence(self) -> str:
        """A whole sentence: ``'cosine has a lower validation loss than constant
        (difference −0.047 [−0.094, −0.002] nats, 5 seeds).'``"""
        split, quantity = self._split_quantity
        detail = f"(difference {self.interval}, {self.n} seeds)"
        if self.outcome in ("better", "worse"):
            return f"{self.schedule} has a {self.words} than {self.baseline} {detail}."
        if self.outcome == "equivalent":
            return f"{self.schedule} and {self.baseline} are {self.words} {detail}."
        if self.outcome == "too few seeds":
            return f"{self.schedule} against {self.baseline}: {self.words}."
        return (
            f"Between {self.schedule} and {self.baseline}, no difference in {split} "
            f"{quantity} was detected with {self.n} seeds (difference {self.interval})."
        )

    def __str__(self) -> str:
        return f"{self.schedule} vs {self.baseline}: {self.words} ({self.interval})"


def verdict(row: Mapping, *, margin: float | None = None) -> Verdict:
    """Turn one paired interval into the book's words.

    Args:
        row: a paired interval as :meth:`lrbook.Comparison.paired` gives it: a mapping
            with ``schedule``, ``baseline``, ``metric`` (``"val_loss"``,
            ``"val_accuracy"``, ``"test_loss"``, ``"test_accuracy"``, ``"train_..."``),
            ``n``, ``mean``, ``low``, ``high``.
        margin: an equivalence margin (> 0, in the metric's own unit: nats, or a
            fraction for accuracies). With a margin, an interval that lies entirely
            inside ``(-margin, margin)`` is "equivalent"; without one, nothing is.

    Returns:
        A :class:`Verdict`.

    Raises:
        TypeError: ``row`` is not a mapping.
        ValueError: a key is missing, the metric is unknown, the interval is not
            ordered, or the margin is not a positive number.
    """
    if not isinstance(row, Mapping):
        raise TypeError(
            f"row must be a mapping like the rows of Comparison.paired(), got "
            f"{type(row).__name__}"
        )
    missing = [
        k
        for k in ("schedule", "baseline", "metric", "n", "mean", "low", "high")
        if k not in row
    ]
    if missing:
        raise ValueError(f"row is missing {', '.join(missing)}: got keys {list(row)}")
    metric = str(row["metric"])
    _metric_parts(metric)
    n = check.integer("row['n']", row["n"], minimum=0)
    mean, low, high = (float(row[k]) for k in ("mean", "low", "high"))
    if margin is not None:
        margin = check.finite("margin", margin, minimum=0.0, strict=True)
    if not (math.isnan(low) or math.isnan(high)) and not low <= mean <= high:
        raise ValueError(
            f"row must have low <= mean <= high, got low={low}, mean={mean}, "
            f"high={high}"
        )
    lower_is_better = metric.endswith("_loss")
    if n < 2 or math.isnan(low) or math.isnan(high):
        outcome = "too few seeds"
    elif high < 0 or low > 0:
        below = high < 0
        outcome = "better" if below == lower_is_better else "worse"
    elif margin is not None and -margin < low and high < margin:
        outcome = "equivalent"
    else:
        outcome = "no difference detected"
    return Verdict(
        schedule=str(row["schedule"]),
        baseline=str(row["baseline"]),
        metric=metric,
        n=n,
        mean=mean,
        low=low,
        high=high,
        margin=margin,
        outcome=outcome,
    )


@dataclass(frozen=True)
class Choice:
    """The book's decision rule applied to a comparison (see :func:`choose`).

    Attributes:
        name: the chosen candidate.
        leader: the candidate with the best mean ``metric``.
        tied: the candidates (leader excluded) that no other candidate detectably
            beats, in the candidates' order: the rule could not separate them from
            the leader or from anyone else.
        verdicts: for every candidate other than the leader, its :class:`Verdict`
            against the leader.
        metric: the metric decided on.
        order: the candidates, simplest first.
        beaten: for every candidate, the candidates that detectably beat it (an
            empty tuple when none does), in the candidates' order.
    """

    name: str
    leader: str
    tied: tuple[str, ...]
    verdicts: dict
    metric: str
    order: tuple[str, ...]
    beaten: dict

    @property
    def passed_over(self) -> tuple[str, ...]:
        """Candidates simpler than :attr:`name` that are not detectably worse than
        the leader, but that another candidate detectably beats (so the rule passes
        over them)."""
        out = []
        for k in self.order:
            if k == self.name:
                break
            v = self.verdicts.get(k)
            if v is not None and not v.detected and self.beaten.get(k):
                out.append(k)
        return tuple(out)

    @property
    def reason(self) -> str:
        """Why the rule picked :attr:`name`, in one or two sentences."""
        split, quantity = _metric_parts(self.metric)
        best = "lowest" if quantity == "loss" else "highest"
        head = f"{self.leader} has the {best} mean {split} {quantity}"
        if not self.tied:
            if self.passed_over:
                return f"{head}.{self._passed_over_text()}"
            return f"{head}, and every other candidate is detectably worse."
        if self.name == self.leader:
            others = ", ".join(self.tied)
            if len(self.tied) == 1:
                middle = f"{others} is not detectably worse, but it does not"
            else:
                middle = f"{others} are not detectably worse, but none of them does"
            return (
                f"{head}; {middle} come before {self.leader} in the rule's order "
                f"(simplest first), so the rule keeps {self.leader}."
            ) + self._passed_over_text()
        v = self.verdicts[self.name]
        text = (
            f"{head}, but {self.name} is not detectably worse (difference {v.interval}, "
            f"{v.n} seeds), and no other candidate detectably beats it, so the rule "
            f"picks the simpler {self.name}."
        )
        return text + self._passed_over_text()

    @property
    def pairs(self) -> str:
        """Who detectably beats whom, over every pair of candidates (what the rule
        checks), in one or two sentences.

        Examples:
            >>> c = choose({"a": [0.52, 0.62, 0.42, 0.72],
            ...             "c": [0.50, 0.60, 0.40, 0.70],
            ...             "b": [0.30, 0.80, 0.20, 0.60]})
            >>> print(c.pairs)
            A has a higher validation loss than c. No candidate detectably beats c
            and b: 4 seeds did not separate them from each other, which is not a
            tie, since more seeds could.
        """
        split, quantity = _metric_parts(self.metric)
        worse = "higher" if quantity == "loss" else "lower"
        beaten = {k: by for k, by in self.beaten.items() if by}
        free = [k for k in self.order if not self.beaten[k]]
        seeds = next(iter(self.verdicts.values())).n if self.verdicts else 0
        if not beaten:
            if len(self.order) == 1:
                return f"{self.order[0]} is the only candidate."
            return f"No candidate is detectably worse than another with {seeds} seeds."
        text = "; ".join(
            f"{k} has a {worse} {split} {quantity} than {_names(by)}"
            for k, by in beaten.items()
        )
        text = _capitalised(text)
        if len(free) == 1:
            return f"{text}. {_capitalised(free[0])} is the only candidate none beats."
        return (
            f"{text}. No candidate detectably beats {_names(free)}: {seeds} seeds did"
            " not separate them from each other, which is not a tie, since more seeds"
            " could."
        )

    def _passed_over_text(self) -> str:
        parts = []
        for k in self.passed_over:
            by = " and ".join(self.beaten[k])
            parts.append(
                f" The rule passes over the simpler {k}: it is not detectably worse "
                f"than {self.leader}, but {by} detectably "
                f"{'beats' if len(self.beaten[k]) == 1 else 'beat'} it."
            )
        return "".join(parts)

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


def _capitalised(text: str) -> str:
    """``text`` with its first letter in upper case (a sentence may start with a
    candidate's name)."""
    return text[:1].upper() + text[1:]


def _names(names: Sequence[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def choose(
    finals: Mapping[str, Sequence[float]],
    *,
    metric: str = "val_loss",
    level: float = 0.95,
) -> Choice:
    """The book's decision rule, on per-seed final metrics.

    Among the candidates (the keys of ``finals``, listed **simplest first**), a
    candidate is detectably worse when its paired interval against some other
    candidate lies entirely on the worse side of 0; the rule picks the first, in the
    given order, of the candidates that no other candidate detectably beats. The
    leader (the best mean: lowest loss, highest accuracy) is always one of them, so
    the rule always picks. Comparing with every candidate, not only the leader,
    means the rule never picks a candidate that another detectably beats, even when
    it is not detectably worse than the leader. A candidate with a diverged run
    (non-finite) can neither lead nor be picked.

    Args:
        finals: ``{candidate: per-seed final metric}``, every sequence the same
            length (the same seeds, in the same order).
        metric: the metric the numbers are (``"val_loss"`` by default).
        level: the confidence level of the intervals.

    Returns:
        A :class:`Choice`.

    Examples:
        >>> c = choose({"constant": [0.30, 0.32, 0.31], "cosine": [0.29, 0.32, 0.30]})
        >>> c.leader, c.name
        ('cosine', 'constant')

        A candidate not separated from the leader but beaten by a third is passed
        over:

        >>> c = choose({"a": [0.52, 0.62, 0.42, 0.72], "c": [0.50, 0.60, 0.40, 0.70],
        ...             "b": [0.30, 0.80, 0.20, 0.60]})
        >>> c.leader, c.name, c.beaten["a"], c.passed_over
        ('b', 'c', ('c',), ('a',))
    """
    if not isinstance(finals, Mapping) or len(finals) < 1:
        raise ValueError(
            f"finals must be a non-empty mapping {{candidate: per-seed values}}, "
            f"got {finals!r}"
        )
    _, quantity = _metric_parts(metric)
    values = {
        str(k): np.asarray(v, dtype=np.float64).reshape(-1) for k, v in finals.items()
    }
    lengths = {v.size for v in values.values()}
    if len(lengths) != 1 or 0 in lengths:
        raise ValueError(
            "finals must give every candidate the same non-zero number of seeds, got "
            + ", ".join(f"{k}: {v.size}" for k, v in values.items())
        )
    sign = 1.0 if quantity == "loss" else -1.0
    eligible = {k: v for k, v in values.items() if np.all(np.isfinite(v))}
    if not eligible:
        raise ValueError("finals: every candidate has a diverged (non-finite) run")
    leader = min(eligible, key=lambda k: sign * float(eligible[k].mean()))

    def against(name: str, other: str) -> Verdict:
        interval = paired_interval(values[name] - values[other], level=level)
        return verdict(
            {"schedule": name, "baseline": other, "metric": metric, **interval}
        )

    verdicts = {name: against(name, leader) for name in values if name != leader}
    beaten = {
        name: tuple(
            other
            for other in eligible
            if other != name
            and name in eligible
            and (verdicts[name] if other == leader else against(name, other)).outcome
            == "worse"
        )
        for name in values
    }
    tied = tuple(k for k in values if k != leader and k in eligible and not beaten[k])
    order = tuple(values)
    name = next(k for k in order if k == leader or k in tied)
    return Choice(
        name=name,
        leader=leader,
        tied=tied,
        verdicts=verdicts,
        metric=metric,
        order=order,
        beaten=beaten,
    )
