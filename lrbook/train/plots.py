"""What the plots of training results share: the book's style, axes, labels, bands."""

from __future__ import annotations

import functools
import warnings

import numpy as np

from ..plotting import (  # noqa: F401  (re-exported for the train modules)
    EPOCH_LABEL,
    FIGSIZE,
    LR_LABEL,
    UPDATE_LABEL,
    running_mean,
    stacked_figsize,
    style,
)


def styled(plot):
    """Run a ``plot`` method entirely in the book's style (titles, legends and lines
    too, not only the axes)."""

    @functools.wraps(plot)
    def wrapper(*args, **kwargs):
        with style():
            return plot(*args, **kwargs)

    return wrapper


def new_axes(axes, n: int):
    """``n`` new axes in the book's style, or the ones given.

    Several new panels are stacked in one column
    (:func:`lrbook.plotting.stacked_figsize`), so that the figure stays readable on a
    phone; one new panel has the book's default size.
    """
    import matplotlib.pyplot as plt  # also sets up inline display in notebooks

    if axes is None:
        size = FIGSIZE if n == 1 else stacked_figsize(n)
        fig, new = plt.subplots(n, 1, figsize=size, squeeze=False)
        plt.close(fig)  # shown once, as the caller's value, not again by pyplot
        return fig, tuple(new[:, 0]) if n > 1 else new[0, 0]
    if n == 1:
        return axes.figure, axes
    axes = tuple(np.ravel(axes))
    if len(axes) != n:
        raise ValueError(f"axes must be {n} matplotlib Axes, got {len(axes)}")
    return axes[0].figure, axes


def integer_ticks(ax) -> None:
    """Ticks of the horizontal axis at whole numbers only (epochs)."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def stack_padded(curves: list[np.ndarray]) -> np.ndarray:
    """Stack curves of unequal length (diverged runs are shorter), padding with NaN."""
    width = max((c.size for c in curves), default=0)
    out = np.full((len(curves), width), np.nan)
    for i, c in enumerate(curves):
        out[i, : c.size] = c
    return out


def mean_band(ax, x, ys, color, label, marker=None) -> None:
    """The mean of the rows of ``ys`` and a band of ± one standard deviation."""
    if ys.shape[1] == 0:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        mean = np.nanmean(ys, axis=0)
        sd = np.nanstd(ys, axis=0, ddof=1) if ys.shape[0] > 1 else np.zeros_like(mean)
    sd = np.nan_to_num(sd)
    ax.plot(x, mean, color=color, label=label, marker=marker)
    ax.fill_between(x, mean - sd, mean + sd, color=color, alpha=0.2, lw=0)
