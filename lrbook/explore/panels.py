"""What an explorer draws: panels of named lines, and what ``compute`` returns.

:class:`Panel` and :class:`Line` declare the drawing, :class:`Frame` is what a compute
function returns when it has a note; the private helpers check them (with messages that
name the offending argument) and compute the axis limits shared by the live and the web
view.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .. import plotting

#: A log-scaled axis shows at most this many decades below the largest value (the
#: lines go on below the axis).
LOG_DECADES = 6

#: The dash styles of a :class:`Line`, as SVG ``stroke-dasharray`` values.
_SVG_DASHES = {
    "solid": None,
    "dashed": "6 4",
    "dotted": "1.5 3",
    "dashdot": "6 3 1.5 3",
}


@dataclass(frozen=True)
class Line:
    """How one named series is drawn.

    Attributes:
        label: its legend entry (TeX allowed); ``None`` for no legend entry.
        color: a palette index, a ``#rrggbb`` colour, or ``None`` for the next colour.
        dash: ``"solid"``, ``"dashed"``, ``"dotted"`` or ``"dashdot"``.
        width: line width in points.
        marker: draw a dot at every point (e.g. the iterates of gradient descent).
        simplify: drop points that the eye cannot see (within 1/2000 of the axes)
            from the web version; every point drawn is still an exact value.
    """

    label: str | None = None
    color: int | str | None = None
    dash: str = "solid"
    width: float = 2.0
    marker: bool = False
    simplify: bool = True


@dataclass
class Panel:
    """One plot of an explorer; up to three panels are drawn side by side.

    Attributes:
        xlabel, ylabel: axis labels with units, e.g. from
            :func:`lrbook.plotting.axis_label` (TeX allowed in ``$...$``).
        lines: the series ``compute`` may return for this panel: a list of names, or a
            mapping ``{name: Line or legend label}``. Order sets colours and legend.
        title: the panel's title.
        xscale, yscale: ``"linear"`` or ``"log"``.
        log_toggle: add a "log scale" checkbox that switches the y axis.
        xlim, ylim: ``None`` (fixed: all the data of every combination fits, so the
            axes do not jump when a control moves), ``"auto"`` (fit each combination),
            or ``(low, high)`` with ``None`` for a side taken from the data.
        contours: static polylines drawn once behind the series, as ``(x, y)`` pairs
            (e.g. level sets of a loss, from ``matplotlib``'s ``contour``).
        image: a static background ``(array2d, (x0, x1, y0, y1))``, drawn once with
            the ``"Blues"`` colour map, lowest row at ``y0``.
        equal_aspect: draw x and y to the same scale (for paths in the plane).
        ylabel_by: ``(control, {value: label})``: the y label follows that control,
            e.g. the metric menu of a training-curve explorer, so the axis always
            names what it shows; values missing from the mapping keep ``ylabel``.
    """

    xlabel: str
    ylabel: str
    lines: Sequence[str] | Mapping[str, Line | str | None] = ("y",)
    title: str | None = None
    xscale: str = "linear"
    yscale: str = "linear"
    log_toggle: bool = False
    xlim: object = None
    ylim: object = None
    contours: Sequence = ()
    image: object = None
    equal_aspect: bool = False
    ylabel_by: tuple | None = None


@dataclass
class Frame:
    """What ``compute`` returns when it also has a note for the reader.

    Attributes:
        series: ``{name: (x, y)}`` for a single panel, or one such dict per panel.
        note: a short text shown under the figure (e.g. ``"diverged after 12 steps"``).
    """

    series: object
    note: str | None = None


@dataclass
class _CheckedFrame:
    """What ``compute`` returned for one combination of values, checked."""

    panels: list  # one dict per panel: name -> (x float64, y float64)
    note: str | None = None


@dataclass
class _ResolvedPanel:
    """A :class:`Panel` checked, with its lines resolved (colours assigned)."""

    panel: Panel
    names: list
    lines: list  # resolved Line objects, with colours
    contours: list = field(default_factory=list)


def _resolve_panels(panels) -> list:
    """The panels of an :class:`~lrbook.explore.Explorer`, checked and resolved."""
    if isinstance(panels, Panel):
        panels = [panels]
    if isinstance(panels, (str, bytes, Mapping)) or not isinstance(panels, Iterable):
        raise TypeError(
            f"panels must be a Panel or a list of 1 to 3 Panel objects, got "
            f"{type(panels).__name__} {panels!r}"
        )
    panels = list(panels)
    if not 1 <= len(panels) <= 3:
        raise ValueError(f"panels must hold 1 to 3 Panel objects, got {len(panels)}")
    resolved, color = [], 0
    for i, p in enumerate(panels):
        r, color = _resolve_panel(i, p, color)
        resolved.append(r)
    return resolved


def _resolve_panel(i: int, panel, start_color: int) -> tuple[_ResolvedPanel, int]:
    """Check ``panels[i]``; its lines take palette colours from ``start_color`` on.

    Returns:
        The resolved panel and the next free palette colour.
    """
    if not isinstance(panel, Panel):
        raise TypeError(
            f"panels[{i}] must be an lrbook.explore.Panel, got "
            f"{type(panel).__name__} {panel!r}"
        )
    for attr in ("xscale", "yscale"):
        if getattr(panel, attr) not in ("linear", "log"):
            raise ValueError(
                f"{attr} of panels[{i}] must be 'linear' or 'log', got "
                f"{getattr(panel, attr)!r}"
            )
    for attr in ("xlim", "ylim"):
        _check_limits(f"{attr} of panels[{i}]", getattr(panel, attr))
    raw = panel.lines
    if isinstance(raw, str):
        raw = [raw]
    items = list(raw.items()) if isinstance(raw, Mapping) else [(n, None) for n in raw]
    if not items:
        raise ValueError(f"lines of panels[{i}] must name at least one series")
    names, lines = [], []
    color = start_color
    for name, line in items:
        _check_series_name(i, name, names)
        line, color = _resolve_line(i, name, line, color)
        names.append(name)
        lines.append(line)
    contours = _resolve_contours(i, panel)
    _check_image(i, panel)
    return _ResolvedPanel(panel, names, lines, contours), color


def _check_series_name(i: int, name, taken: list) -> None:
    if not isinstance(name, str):
        raise TypeError(
            f"lines of panels[{i}] must be named by strings, got "
            f"{type(name).__name__} {name!r}"
        )
    if not name:
        raise ValueError(
            f"lines of panels[{i}] must be named by non-empty strings, got ''"
        )
    if name in taken:
        raise ValueError(f"lines of panels[{i}]: duplicate series name {name!r}")


def _resolve_line(i: int, name: str, line, color: int) -> tuple[Line, int]:
    """Line ``name`` of ``panels[i]`` with its colour; ``color`` is the next free one.

    Returns:
        The resolved :class:`Line` and the next free palette colour.
    """
    if line is None or isinstance(line, str):
        line = Line(label=line)
    if not isinstance(line, Line):
        raise TypeError(
            f"lines[{name!r}] of panels[{i}] must be a Line, a label "
            f"or None, got {type(line).__name__} {line!r}"
        )
    if line.dash not in _SVG_DASHES:
        raise ValueError(
            f"dash of line {name!r} must be one of {list(_SVG_DASHES)}, "
            f"got {line.dash!r}"
        )
    if line.color is None:
        c = plotting.color(color)
        color += 1
    elif isinstance(line.color, numbers.Integral) and not isinstance(line.color, bool):
        c = plotting.color(int(line.color))
    elif isinstance(line.color, str) and re.match(r"^#[0-9a-fA-F]{6}$", line.color):
        c = line.color
    else:
        error = ValueError if isinstance(line.color, str) else TypeError
        raise error(
            f"color of line {name!r} must be a palette index or "
            f"'#rrggbb', got {line.color!r}"
        )
    resolved = Line(
        line.label,
        c,
        line.dash,
        float(line.width),
        bool(line.marker),
        bool(line.simplify),
    )
    return resolved, color


def _resolve_contours(i: int, panel: Panel) -> list:
    """The contours of ``panels[i]`` as float64 ``(x, y)`` pairs, checked."""
    contours = []
    for k, c in enumerate(panel.contours or ()):
        try:
            cx, cy = c
            cx = np.asarray(cx, dtype=np.float64).ravel()
            cy = np.asarray(cy, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise ValueError(
                f"contours[{k}] of panels[{i}] must be an (x, y) pair of arrays"
            ) from None
        if cx.shape != cy.shape or cx.size < 2 or not np.all(np.isfinite(cx + cy)):
            raise ValueError(
                f"contours[{k}] of panels[{i}] must be two finite arrays "
                f"of the same length >= 2"
            )
        contours.append((cx, cy))
    return contours


def _check_image(i: int, panel: Panel) -> None:
    if panel.image is None:
        return
    try:
        arr, extent = panel.image
        arr = np.asarray(arr, dtype=np.float64)
        extent = tuple(float(e) for e in extent)
    except (TypeError, ValueError):
        raise ValueError(
            f"image of panels[{i}] must be (array2d, (x0, x1, y0, y1))"
        ) from None
    if arr.ndim != 2 or len(extent) != 4 or not np.all(np.isfinite(arr)):
        raise ValueError(
            f"image of panels[{i}] must be (array2d, (x0, x1, y0, "
            f"y1)) with finite values"
        )
    if panel.xscale == "log" or panel.yscale == "log" or panel.log_toggle:
        raise ValueError(f"image of panels[{i}] needs linear axes")


def _check_limits(what: str, lim) -> None:
    if lim is None or (isinstance(lim, str) and lim == "auto"):
        return
    if not isinstance(lim, (tuple, list, str)):
        raise TypeError(
            f"{what} must be None, 'auto' or (low, high), got "
            f"{type(lim).__name__} {lim!r}"
        )
    ok = (
        isinstance(lim, (tuple, list))
        and len(lim) == 2
        and all(
            v is None or (isinstance(v, numbers.Real) and math.isfinite(v)) for v in lim
        )
    )
    if not ok:
        raise ValueError(f"{what} must be None, 'auto' or (low, high), got {lim!r}")


def _axis_limits(requested, values: np.ndarray, log: bool, margin: float):
    """Axis limits fixed from all the data ``values``; ``None`` for an "auto" axis.

    Args:
        requested: the panel's ``xlim`` or ``ylim``: ``None``, ``"auto"``, or
            ``(low, high)`` with ``None`` for a side taken from the data.
        values: every value drawn along the axis.
        log: the axis is log-scaled (at most :data:`LOG_DECADES` decades below the
            largest value, unless ``low`` is given).
        margin: padding on each side taken from the data, as a fraction of the span
            (of the decades on a log axis).

    Returns:
        ``(low, high)`` floats, or ``None`` when ``requested`` is ``"auto"``.
    """
    if requested == "auto":
        return None
    lo_given, hi_given = (None, None) if requested is None else requested
    if log:  # a bound <= 0 (e.g. a linear axis from 0) cannot be drawn on a log axis
        lo_given = None if lo_given is None or lo_given <= 0 else lo_given
        hi_given = None if hi_given is None or hi_given <= 0 else hi_given
    if lo_given is not None and hi_given is not None:
        return (float(lo_given), float(hi_given))
    v = values[values > 0] if log else values
    if v.size == 0:
        v = np.array([1.0])
    lo, hi = float(v.min()), float(v.max())
    if lo_given is not None:
        lo = float(lo_given)
    if hi_given is not None:
        hi = float(hi_given)
    if log:
        if lo_given is None:  # a tail far below the rest would squash everything else
            lo = max(lo, hi / 10**LOG_DECADES)
        a, b = math.log10(lo), math.log10(hi)
        if a == b:
            a, b = a - 0.5, b + 0.5
        pad = (b - a) * margin
        return (
            10 ** (a - (pad if lo_given is None else 0)),
            10 ** (b + (pad if hi_given is None else 0)),
        )
    if lo == hi:
        d = abs(lo) * 0.1 or 1.0
        lo, hi = (
            (lo - d if lo_given is None else lo),
            (hi + d if hi_given is None else hi),
        )
    pad = (hi - lo) * margin
    return (
        lo - (pad if lo_given is None else 0),
        hi + (pad if hi_given is None else 0),
    )


def _fits_log(requested, log: bool) -> bool:
    """Whether a log-scaled axis with these requested limits is fitted frame by frame.

    Its low limit is not given (or given <= 0, which a log axis cannot draw) and it is
    not ``"auto"`` (fitted entirely): see :func:`_log_limits`.
    """
    if not log or requested == "auto":
        return False
    lo_given = None if requested is None else requested[0]
    return lo_given is None or lo_given <= 0


def _log_limits(requested, values: np.ndarray, every: np.ndarray, margin: float):
    """The limits of a log-scaled axis for one frame: fixed top, bottom fitted to it.

    The one rule both views draw (the live figure sets these limits, the web page reads
    them from its payload). The top is fixed from ``every`` value of every frame, so a
    control that scales the data (a base rate) moves the lines, not the axis. The
    bottom follows the data of this frame, ``values``: its smallest positive value
    (at most :data:`LOG_DECADES` below the top), less a margin, rounded down to a half
    decade, so that it moves only in steps of half a decade and the axis never spans
    decades that no line of the frame reaches.

    Args:
        requested: the panel's ``ylim`` (``None`` or ``(low, high)``; a ``high`` given
            is the top; a ``low`` must be ``None`` or <= 0, see :func:`_fits_log`).
        values: the values the frame draws along the axis.
        every: the values of every frame along the axis.
        margin: padding as a fraction of the decades spanned (at the top: of the
            decades spanned by every frame, at most :data:`LOG_DECADES`).

    Returns:
        ``(low, high)`` floats.
    """
    hi_given = None if requested is None else requested[1]
    hi_given = None if hi_given is None or hi_given <= 0 else float(hi_given)
    pos = every[every > 0]
    if pos.size == 0:
        pos = np.array([1.0])
    top = math.log10(hi_given if hi_given is not None else float(pos.max()))
    span_all = min(top - math.log10(float(pos.min())), LOG_DECADES) or 1.0
    high = top + (0.0 if hi_given is not None else margin * span_all)
    mine = values[(values > 0) & (values <= 10**top)]
    low = math.log10(float(mine.min())) if mine.size else top - span_all
    low = max(low, top - LOG_DECADES)
    low -= max(margin * (top - low), 0.05)
    low = max(math.floor(2 * low + 1e-9) / 2, top - LOG_DECADES * (1 + margin))
    return (10.0**low, 10.0**high)
