r"""Ready-made explorer of reduce-on-plateau on hand-made metrics: :func:`plateau`.

Every frame replays a metric sequence of
:mod:`lrbook.explore.topics.plateau_sequences` through
:class:`lrbook.ReduceLROnPlateau` with :func:`lrbook.schedules.plateau.replay`; the
explorer draws what the replay records and computes nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ... import _checks as check
from ... import plotting
from ...schedules.plateau import ReduceLROnPlateau, replay
from ..controls import dropdown, slider
from ..core import Explorer
from ..panels import Frame, Line, Panel
from ..recipes import rebuildable
from ..web import MAX_BYTES
from .plateau_sequences import SEQUENCES, metric_sequence

#: The initial control values of :func:`plateau` (when they are among the choices).
#: Why a slider can change nothing (the others get the generic reason).
IDLE = {
    "factor": "with these settings the rate is never cut, so the factor changes nothing"
}

PLATEAU_START = {"factor": 0.5, "patience": 2, "threshold": 1e-4, "cooldown": 0}

_EPOCH_END = plotting.axis_label("end of epoch", symbol="e")


def _values(name: str, values) -> list:
    """The slider values of ``name``, as a list (TypeError if not a sequence)."""
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(
        values, (Sequence, np.ndarray)
    ):
        raise TypeError(
            f"{name} must be a list of numbers, got {type(values).__name__} {values!r}"
        )
    return list(values)


def _sequence_names(sequences) -> list:
    if isinstance(sequences, str):
        sequences = [sequences]
    if not isinstance(sequences, (Sequence, np.ndarray)) or not len(sequences):
        raise TypeError(
            f"sequences must be a non-empty list of names from {SEQUENCES}, got "
            f"{type(sequences).__name__} {sequences!r}"
        )
    for s in sequences:
        if s not in SEQUENCES:
            raise ValueError(
                f"sequences must name sequences from {SEQUENCES}, got {s!r}"
            )
    return list(sequences)


def plateau_frame(
    sequence: str,
    factor: float,
    patience: int,
    threshold: float,
    cooldown: int,
    *,
    lr: float = 0.1,
    min_lr: float = 1e-4,
    epochs: int = 40,
) -> Frame:
    """One frame of :func:`plateau`: the replay of ``sequence`` with these settings.

    Returns:
        A :class:`~lrbook.explore.Frame` with three panels: ``metric``, ``best`` and
        ``bound`` (the value each epoch had to beat); ``count`` (bad epochs in a row)
        and ``level`` (``patience + 1``, where a cut comes); ``rate`` (a staircase,
        the rate of each epoch) and ``cuts`` (the new rate at each cut, when any).

    Examples:
        >>> f = plateau_frame("plateau", 0.5, 2, 0.0, 0)
        >>> f.series[2]["cuts"][0].tolist()[:2]
        [12.0]
    """
    p = ReduceLROnPlateau(
        lr,
        factor=factor,
        patience=patience,
        threshold=threshold,
        cooldown=cooldown,
        min_lr=min_lr,
    )
    trace = replay(p, metric_sequence(sequence, epochs))
    k = trace.epochs.astype(np.float64)
    edges = np.arange(epochs + 1, dtype=np.float64)
    metric_panel = {
        "metric": (k, trace.metrics),
        "best": (k, trace.best),
        "bound": (k[1:], trace.bound[1:]),
    }
    count_panel = {
        "count": (k, trace.bad_epochs.astype(np.float64)),
        "level": (edges[[0, -1]], np.full(2, patience + 1.0)),
    }
    rate_panel = {
        "rate": (np.repeat(edges, 2)[1:-1], np.repeat(trace.lr_used, 2)),
    }
    cuts = np.array(trace.cuts, dtype=np.int64)
    if cuts.size:
        rate_panel["cuts"] = (cuts.astype(np.float64), trace.lr[cuts - 1])
        listed = ", ".join(str(c) for c in trace.cuts)
        said = f"cuts after epochs {listed}; final rate {trace.lr[-1]:.3g}"
    else:
        said = "no cut"
    return Frame([metric_panel, count_panel, rate_panel], f"{p!r}\n{said}")


@rebuildable(module="lrbook.explore")
def plateau(
    sequences: Sequence[str] = SEQUENCES,
    *,
    factor: Sequence[float] = (0.1, 0.2, 0.5),
    patience: Sequence[int] = (0, 1, 2, 3, 5),
    threshold: Sequence[float] = (0.0, 1e-4, 0.01, 0.05),
    cooldown: Sequence[int] = (0, 1, 2, 4),
    lr: float = 0.1,
    min_lr: float = 1e-4,
    epochs: int = 40,
    title: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Explorer:
    r"""An explorer of reduce-on-plateau on hand-made metric sequences.

    A dropdown picks the metric (:func:`lrbook.explore.topics.plateau_sequences
    .metric_sequence`), sliders set ``factor``, ``patience``, ``threshold`` (relative,
    :math:`\delta`) and ``cooldown`` of :class:`lrbook.ReduceLROnPlateau` (mode
    ``"min"``). Three panels: the metric :math:`M_e` with the running best
    :math:`M^\ast` and the bound each epoch had to beat, :math:`M^\ast(1-\delta)`; the
    count of bad epochs in a row against the cut level ``patience + 1``; the learning
    rate of each epoch (log axis) with the cuts marked. The note under the figure is
    the ``ReduceLROnPlateau`` call and the epochs of the cuts. Every value comes from
    :func:`lrbook.schedules.plateau.replay`.

    Args:
        sequences: names from
            :data:`~lrbook.explore.topics.plateau_sequences.SEQUENCES`.
        factor: the slider values of ``factor``, increasing, each in (0, 1).
        patience: the slider values of ``patience``, increasing integers >= 0.
        threshold: the slider values of the relative ``threshold``, increasing, >= 0.
        cooldown: the slider values of ``cooldown``, increasing integers >= 0.
        lr: the initial learning rate (> 0).
        min_lr: the floor of the rate (>= 0).
        epochs: the length of the sequences, 20 to 200.
        title: the figure's title.
        max_bytes: size budget of the web version.

    Returns:
        An :class:`~lrbook.explore.Explorer`; it starts at factor 0.5, patience 2,
        threshold 1e-4 and cooldown 0 when those are among the values.

    Raises:
        TypeError: an argument of the wrong type (the message names it).
        ValueError: an unknown sequence, slider values that are not increasing or
            that ``ReduceLROnPlateau`` rejects (the message names them).

    Examples:
        >>> from lrbook import explore
        >>> ex = explore.plateau()
        >>> [c.name for c in ex.controls]
        ['sequence', 'factor', 'patience', 'threshold', 'cooldown']
        >>> ex.values["patience"], ex.n_frames
        (2, 1200)
        >>> metric, count, rate = ex.series(sequence="plateau", threshold=0.0)
        >>> rate["cuts"][0].tolist()[:2]
        [12.0]

    PyTorch equivalent: ``torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer,
    factor=..., patience=..., threshold=..., cooldown=..., min_lr=...)`` stepped once
    per metric value.
    """
    names = _sequence_names(sequences)
    lists = {
        "factor": _values("factor", factor),
        "patience": _values("patience", patience),
        "threshold": _values("threshold", threshold),
        "cooldown": _values("cooldown", cooldown),
    }
    lr = check.learning_rate("lr", lr, positive=True)
    min_lr = check.learning_rate("min_lr", min_lr)
    for key, values in lists.items():
        for v in values:
            ReduceLROnPlateau(lr, min_lr=min_lr, **{key: v})
    metric_sequence(names[0], epochs)
    start = {
        k: (v if v in lists[k] else lists[k][len(lists[k]) // 2])
        for k, v in PLATEAU_START.items()
    }
    labels = {
        "factor": r"factor $\gamma$",
        "patience": "patience (epochs)",
        "threshold": r"threshold $\delta$ (relative)",
        "cooldown": "cooldown (epochs)",
    }
    controls = [dropdown("sequence", names, label="metric sequence")]
    for key, values in lists.items():
        controls.append(
            slider(
                key,
                values,
                start[key],
                label=labels[key],
                fmt="{:g}",
                idle=IDLE.get(key),
            )
        )

    def compute(sequence, factor, patience, threshold, cooldown):
        return plateau_frame(
            sequence,
            factor,
            patience,
            threshold,
            cooldown,
            lr=lr,
            min_lr=min_lr,
            epochs=epochs,
        )

    panels = [
        Panel(
            xlabel=_EPOCH_END,
            ylabel=plotting.axis_label("validation loss", "nats", symbol="M_e"),
            lines={
                "metric": Line("metric $M_e$", marker=True, width=1.2, simplify=False),
                "best": Line(r"best $M^{*}$", simplify=False),
                "bound": Line(
                    r"to beat: $M^{*}(1-\delta)$",
                    dash="dashed",
                    width=1.4,
                    simplify=False,
                ),
            },
            title="metric and running best",
        ),
        Panel(
            xlabel=_EPOCH_END,
            ylabel=plotting.axis_label("bad epochs in a row"),
            lines={
                "count": Line("count", marker=True, simplify=False),
                "level": Line("cut at patience + 1", dash="dotted", color=7),
            },
            title="epochs without improvement",
            ylim=(0, None),
        ),
        Panel(
            xlabel=plotting.EPOCH_LABEL,
            ylabel=plotting.axis_label("learning rate", symbol=r"\alpha"),
            lines={
                "rate": Line("rate of the epoch", simplify=False),
                "cuts": Line("cut", marker=True, width=0.0, color=0),
            },
            title="learning rate",
            yscale="log",
        ),
    ]
    return Explorer(
        controls,
        compute,
        panels,
        title=title or "Reduce-on-plateau on a hand-made validation loss",
        max_bytes=max_bytes,
    )
