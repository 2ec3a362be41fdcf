"""The answer key of chapter 4, reduce on plateau (``"ch04-ex-*"``).

:mod:`lrbook.exercises` imports this module and calls :func:`register` the first time
one of these ids is used; the expected answers are computed with :mod:`lrbook` itself
(:func:`lrbook.schedules.plateau.replay` of :class:`lrbook.ReduceLROnPlateau`).
"""

from __future__ import annotations

from ..schedules.plateau import ReduceLROnPlateau, replay
from . import engine


def register() -> None:
    """Register the exercises of chapter 4 (called on first use, once)."""
    _cuts()
    _bounds()
    _mode()
    _max_cuts()
    _per_batch()
    _fix_loop()


def _cut_epochs(metrics, lr: float = 0.1, **settings) -> list[float]:
    trace = replay(ReduceLROnPlateau(lr, **settings), metrics)
    return [float(c) for c in trace.cuts]


def _cuts() -> None:
    """Register ``ch04-ex-cuts``."""
    metrics = [1.0, 0.8, 0.8, 0.79, 0.8, 0.78, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
    settings = dict(lr=0.1, factor=0.5, patience=2, threshold=0.05, cooldown=1)
    tau, patience = settings["threshold"], settings["patience"]
    expected = _cut_epochs(metrics, **settings)
    engine.register(
        "ch04-ex-cuts",
        "numbers",
        expected,
        hint=(
            f"an epoch improves only if its loss is below best·(1 − {tau:g});"
            f" {patience} bad epochs in a row are tolerated, the next one brings the"
            " cut; the epoch after a cut is not counted."
        ),
        atol=1e-9,
        mistakes=[
            (
                _cut_epochs(metrics, **{**settings, "threshold": 0.0}),
                "That counts every lower value as an improvement; with a relative"
                f" threshold of {tau:g} a loss must fall below {100 * (1 - tau):g} %"
                " of the best.",
            ),
            (
                _cut_epochs(metrics, **{**settings, "cooldown": 0}),
                "That ignores the cooldown: the epoch after a cut is not counted.",
            ),
            (
                _cut_epochs(metrics, **{**settings, "patience": patience - 1}),
                f"With patience={patience}, {patience} bad epochs are tolerated; the"
                " cut comes on the next one.",
            ),
        ],
        params={"metrics": metrics, **settings},
    )


def _bounds() -> None:
    """Register ``ch04-ex-bounds``."""
    tau = 0.05
    min_best, max_best, neg_best = 0.40, 0.90, -2.0
    expected = [
        ReduceLROnPlateau(0.1, threshold=tau).improvement_bound(min_best),
        ReduceLROnPlateau(0.1, mode="max", threshold=tau).improvement_bound(max_best),
        ReduceLROnPlateau(0.1, mode="max", threshold=tau).improvement_bound(neg_best),
    ]
    engine.register(
        "ch04-ex-bounds",
        "numbers",
        expected,
        hint="write out the comparison is_better makes in each mode, and solve it.",
        rtol=1e-9,
        mistakes=[
            (
                [min_best * (1 - tau), max_best * (1 + tau), neg_best * (1 - tau)],
                "PyTorch multiplies by (1 + δ) in max mode whatever the sign of the"
                " best; for a negative best that bound lies *below* it.",
            ),
            (
                [min_best - tau, max_best + tau, neg_best + tau],
                "Those are the absolute-threshold bounds (threshold_mode='abs').",
            ),
            (
                [min_best * (1 + tau), max_best * (1 - tau), neg_best * (1 - tau)],
                "The signs are swapped: in min mode the metric must go *down*.",
            ),
        ],
        params={
            "threshold": tau,
            "min_best": min_best,
            "max_best": max_best,
            "neg_best": neg_best,
        },
    )


def _mode() -> None:
    """Register ``ch04-ex-mode``."""
    engine.register(
        "ch04-ex-mode",
        "choice",
        "max",
        hint="which direction is an improvement of an accuracy?",
        choices=["min", "max"],
        mistakes=[
            (
                "min",
                "In 'min' mode a rising accuracy is 'no improvement': the rate is"
                " cut while the model is getting better.",
            )
        ],
    )


def max_cuts(epochs: int, patience: int, cooldown: int) -> int:
    """The most cuts ReduceLROnPlateau can make in ``epochs`` epochs (no floor:
    ``min_lr=0``, ``eps=0``).

    The first epoch always improves on the initial best (infinity), so the first cut
    comes at epoch ``patience + 2`` at the earliest, and each later one
    ``cooldown + patience + 1`` epochs after the previous.

    Examples:
        >>> [max_cuts(e, 3, 2) for e in (4, 5, 10, 11, 17)]
        [0, 1, 1, 2, 3]
    """
    if epochs < patience + 2:
        return 0
    return 1 + (epochs - patience - 2) // (cooldown + patience + 1)


def _max_cuts() -> None:
    """Register ``ch04-ex-max-cuts`` (the worked solution also gives the lowest rate
    from ``lr`` with the factor ``factor``)."""
    p, c, lr, factor = 3, 2, 0.1, 0.1
    engine.register(
        "ch04-ex-max-cuts",
        "function",
        lambda t: max_cuts(int(t), p, c),
        hint=(
            "which epoch can be the first bad one? After a cut, how many epochs pass"
            " before the next?"
        ),
        steps=range(0, 121),
        mistakes=[
            (
                lambda t: int(t) // (p + 1),
                "That cuts every patience + 1 epochs from epoch 0: the first epoch"
                " always improves, and cooldown epochs do not count.",
            ),
            (
                lambda t: 0 if t < p + 2 else 1 + (int(t) - p - 2) // (p + 1),
                "That forgets the cooldown between cuts.",
            ),
            (
                lambda t: 0 if t < p + 1 else 1 + (int(t) - p - 1) // (c + p + 1),
                "Off by one: the first epoch improves on the initial best, so the"
                " first bad epoch is epoch 2.",
            ),
        ],
        params={"patience": p, "cooldown": c, "lr": lr, "factor": factor},
    )


def _per_batch() -> None:
    """Register ``ch04-ex-per-batch``."""
    patience = 10
    first = _cut_epochs([1.0] * 40, patience=patience)[0]
    engine.register(
        "ch04-ex-per-batch",
        "number",
        first,
        hint="the first call always improves on the initial best.",
        atol=1e-9,
        mistakes=[
            (
                float(patience),
                "The patience is how many bad steps are tolerated; the cut comes"
                " one later.",
            ),
            (
                float(patience + 1),
                "The first step is always an improvement (the best starts at"
                " infinity), so the first bad step is step 2.",
            ),
        ],
        params={"patience": patience},
    )


def _fix_loop() -> None:
    """Register ``ch04-ex-fix-loop``."""
    engine.register(
        "ch04-ex-fix-loop",
        "choice",
        "b",
        hint="what should the metric measure, and how often is it measured?",
        choices=["a", "b", "c", "d"],
        mistakes=[
            ("a", "ReduceLROnPlateau.step needs the metric: without it, TypeError."),
            (
                "c",
                "One minibatch's loss is noise, and training loss is not what"
                " generalisation needs: monitor the validation loss.",
            ),
            (
                "d",
                "The batch loss is noisy: single lucky batches set a best that later"
                " ones cannot beat, and it measures training, not validation.",
            ),
        ],
    )
