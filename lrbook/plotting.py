r"""The book's one figure style: palette, fonts, axes, and axis labels with units.

Every figure of the book, static (matplotlib) or interactive (:mod:`lrbook.explore`,
which draws with matplotlib in a live kernel and with SVG on the website), uses this
module, so that they all look alike.

The palette is readable on the light *and* the dark theme of the website: every colour
has a contrast ratio of at least 3:1 (WCAG's minimum for graphical objects) against
both :data:`BACKGROUND` colours. Static figures are drawn on a white card, so they read
the same in both themes.

Examples:
    >>> axis_label("update", "optimizer steps", symbol="t")
    'update $t$ (optimizer steps)'
    >>> axis_label("learning rate", symbol=r"\alpha_t")
    'learning rate $\\alpha_t$'
    >>> contrast_ratio("#ffffff", "#000000")
    21.0
    >>> all(contrast_ratio(c, bg) >= 3 for c in PALETTE for bg in BACKGROUND.values())
    True
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

__all__ = [
    "BACKGROUND",
    "EPOCH_LABEL",
    "FIGSIZE",
    "PANEL_SIZE",
    "LR_LABEL",
    "UPDATE_LABEL",
    "GRID",
    "PALETTE",
    "axis_label",
    "color",
    "contrast_ratio",
    "running_mean",
    "stacked_figsize",
    "figure",
    "label_axes",
    "rc_params",
    "style",
    "use",
]

#: Line colours, in the order series are given them. Colour-blind-distinguishable hues
#: of medium luminance (contrast >= 3:1 on both backgrounds of :data:`BACKGROUND`).
PALETTE: tuple[str, ...] = (
    "#3a7dc9",  # blue
    "#c9731d",  # orange
    "#2e9e5b",  # green
    "#9b6bd6",  # purple
    "#d63c3c",  # red (a vermilion was too close to the orange)
    "#1c9aa8",  # teal
    "#c0609e",  # pink
    "#7f7f7f",  # grey
)

#: The page backgrounds of the website's light and dark themes (pydata-sphinx-theme).
BACKGROUND: dict[str, str] = {"light": "#ffffff", "dark": "#14181e"}

#: Colour of grid lines and contour lines (light grey, drawn behind the data).
GRID = "#d9dde3"

#: Default size (inches) of a one-panel figure: narrow enough that its smallest text
#: (``FONT["small"]`` points at 100 dpi, 12.5 px) is still >= 10 px when a 390 px phone
#: shows it 358 px wide. Figures of several panels stack them (:func:`stacked_figsize`).
FIGSIZE: tuple[float, float] = (4.0, 2.9)

#: Size (inches) of one panel of a figure whose panels are stacked vertically (see
#: :func:`stacked_figsize`): narrow enough that, shown 358 px wide on a 390 px phone
#: screen, its smallest text (``FONT["small"]`` points at 100 dpi) is still >= 10 px.
PANEL_SIZE: tuple[float, float] = (4.0, 2.6)

#: Font sizes (points) shared by matplotlib figures and the SVG explorers.
FONT = {"base": 10.0, "small": 9.0, "title": 11.0}


def rc_params() -> dict:
    """The matplotlib ``rcParams`` of the book's style, as a dict."""
    from cycler import cycler

    return {
        "figure.figsize": FIGSIZE,
        "figure.dpi": 100,
        "figure.facecolor": "white",
        "figure.constrained_layout.use": True,
        "savefig.facecolor": "white",
        "savefig.bbox": "tight",
        "font.size": FONT["base"],
        "axes.titlesize": FONT["title"],
        "axes.titleweight": "normal",
        "axes.titlelocation": "left",
        "axes.labelsize": FONT["base"],
        "axes.prop_cycle": cycler(color=list(PALETTE)),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#444444",
        "axes.labelcolor": "#222222",
        "axes.grid": True,
        "axes.axisbelow": True,
        "grid.color": GRID,
        "grid.linewidth": 0.8,
        "xtick.color": "#444444",
        "ytick.color": "#444444",
        "xtick.labelsize": FONT["small"],
        "ytick.labelsize": FONT["small"],
        "lines.linewidth": 2.0,
        "lines.markersize": 4.0,
        # a legend box: a curve that passes under the legend does not cross its text
        "legend.frameon": True,
        "legend.framealpha": 0.85,
        "legend.facecolor": "white",
        "legend.edgecolor": "none",
        "legend.fontsize": FONT["small"],
        "image.cmap": "Blues",
        "mathtext.fontset": "dejavusans",
    }


@contextlib.contextmanager
def style() -> Iterator[None]:
    """A context manager that applies the book's style to the figures made inside it.

    Examples:
        >>> import matplotlib.pyplot as plt
        >>> with style():
        ...     fig, ax = plt.subplots()
        >>> plt.close(fig)
    """
    import matplotlib as mpl

    # Restore only the style's own keys afterwards. mpl.rc_context() would restore every
    # rcParam, including the "interactive" flag that Jupyter's inline backend turns on
    # when the first pyplot figure is made: made inside rc_context, that figure would
    # leave interactive mode off and every later inline figure would silently vanish.
    params = rc_params()
    saved = {key: mpl.rcParams[key] for key in params}
    mpl.rcParams.update(params)
    try:
        yield
    finally:
        mpl.rcParams.update(saved)


def use() -> None:
    """Apply the book's style to every figure made from now on (``rcParams.update``)."""
    import matplotlib as mpl

    mpl.rcParams.update(rc_params())


def color(i: int) -> str:
    """The ``i``-th colour of the palette (cycling).

    Examples:
        >>> color(0) == PALETTE[0] == color(len(PALETTE))
        True
    """
    return PALETTE[int(i) % len(PALETTE)]


def axis_label(
    quantity: str, unit: str | None = None, *, symbol: str | None = None
) -> str:
    r"""An axis label "quantity $symbol$ (unit)", the book's one way to write them.

    Args:
        quantity: what is plotted, in words ("learning rate").
        unit: its unit ("optimizer steps", "nats"); ``None`` for a pure number.
        symbol: its symbol in TeX, without dollars (``r"\alpha_t"``), or ``None``.

    Returns:
        The label, with the symbol in matplotlib mathtext (``$...$``); the SVG
        explorers render the same small TeX subset.
    """
    text = quantity
    if symbol:
        text += f" ${symbol}$"
    if unit:
        text += f" ({unit})"
    return text


#: The book's axis labels for the update number, the learning rate and the epoch.
UPDATE_LABEL = axis_label("update", "optimizer steps", symbol="t")
LR_LABEL = axis_label("learning rate", symbol=r"\alpha_t")
EPOCH_LABEL = axis_label("epoch", symbol="e")


def running_mean(x: np.ndarray, window: int) -> np.ndarray:
    """Mean of the last ``window`` values at each point (of fewer at the start).

    Examples:
        >>> running_mean(np.array([1.0, 3.0, 5.0, 7.0]), 2).tolist()
        [1.0, 2.0, 4.0, 6.0]
    """
    if x.size < window:
        return x.copy()
    c = np.cumsum(np.insert(x, 0, 0.0))
    out = np.empty_like(x)
    out[window - 1 :] = (c[window:] - c[:-window]) / window
    out[: window - 1] = c[1:window] / np.arange(1, window)
    return out


def label_axes(
    ax, x: str | None = None, y: str | None = None, *, title: str | None = None
) -> None:
    """Label an axes' x and y axis (use :func:`axis_label` for the strings)."""
    if x is not None:
        ax.set_xlabel(x)
    if y is not None:
        ax.set_ylabel(y)
    if title is not None:
        ax.set_title(title)


def stacked_figsize(n: int) -> tuple[float, float]:
    """The size (inches) of a figure of ``n`` panels stacked in one column.

    Panels compared with each other are stacked rather than put side by side, so that
    the figure keeps one panel's width and its text stays readable on a phone.

    Examples:
        >>> stacked_figsize(1) == PANEL_SIZE
        True
        >>> stacked_figsize(3)
        (4.0, 7.8)
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    return (PANEL_SIZE[0], round(PANEL_SIZE[1] * int(n), 6))


def figure(ncols: int = 1, *, width: float | None = None, height: float | None = None):
    """A new figure in the book's style, *not* registered with pyplot.

    The figure is not shown automatically by the notebook's inline backend (the
    explorers render it themselves), and it is freed when no longer referenced.

    Returns:
        ``(fig, axes)``: a :class:`matplotlib.figure.Figure` with an Agg canvas and a
        list of ``ncols`` axes side by side.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    w = width if width is not None else (FIGSIZE[0] if ncols == 1 else 4.4 * ncols)
    h = height if height is not None else FIGSIZE[1] + (0.3 if ncols > 1 else 0.0)
    with style():
        fig = Figure(figsize=(w, h), layout="constrained")
        FigureCanvasAgg(fig)
        axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    return fig, axes


def contrast_ratio(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""

    def luminance(hex_color: str) -> float:
        h = hex_color.lstrip("#")
        channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [
            c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
            for c in channels
        ]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return round((hi + 0.05) / (lo + 0.05), 10)
