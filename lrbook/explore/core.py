"""The :class:`Explorer`: controls, a pure compute function, and the panels to draw.

This module holds what does not depend on where the explorer is shown: the controls and
their current values, every frame (the checked output of ``compute`` for one combination
of control values) and the axis limits. The two views are mixed in:
:class:`~lrbook.explore.live.LiveView` (ipywidgets over matplotlib, in a kernel) and
:class:`~lrbook.explore.web.WebView` (self-contained HTML/SVG, everywhere else).
"""

from __future__ import annotations

import hashlib
import itertools
import math
import numbers
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from .. import _env
from .controls import Control, _check_controls
from .live import LiveView
from .panels import (
    Frame,
    Panel,
    _axis_limits,
    _CheckedFrame,
    _fits_log,
    _log_limits,
    _resolve_panels,
)
from .tex import tex_plain
from .web import MAX_BYTES, WebView


class Explorer(LiveView, WebView):
    """An interactive figure: controls, a pure compute function, and panels to draw.

    Args:
        controls: the :class:`Control` objects (from :func:`slider`, :func:`dropdown`,
            :func:`toggle`), at most ``MAX_FRAMES`` combinations of values in all.
        compute: a function called as ``compute(**values)`` (one keyword per control)
            that returns, for one panel, ``{series name: (x, y)}``; for several panels,
            a list of such dicts, one per panel; or a :class:`Frame` (with a note).
            A series left out is not drawn for those values.
        panels: a :class:`Panel`, or a list of up to 3 drawn side by side.
        title: the figure's title (TeX allowed).
        caption: a sentence under the figure.
        recipe: how to rebuild this explorer in another process (set by the functions
            decorated with :func:`rebuildable`, such as :func:`schedule`); lets the
            browser test compare the web page with values it computes itself.
        max_bytes: size budget of the ``text/html`` version; a larger explorer raises a
            ValueError (fewer control values or a shorter horizon fix it).
        width: width of the figure in inches (default from :mod:`lrbook.plotting`).
        height: height of the figure in inches.

    Raises:
        TypeError: a control, a panel or ``compute`` is of the wrong type (the message
            names it).
        ValueError: a control, panel or ``compute`` output is malformed (the message
            names it), or the explorer is over its size budget.
    """

    def __init__(
        self,
        controls: Sequence[Control],
        compute: Callable,
        panels: Panel | Sequence[Panel],
        *,
        title: str | None = None,
        caption: str | None = None,
        recipe: dict | None = None,
        max_bytes: int = MAX_BYTES,
        width: float | None = None,
        height: float | None = None,
    ):
        controls = _check_controls(controls)
        if not callable(compute):
            raise TypeError(
                f"compute must be a function, got {type(compute).__name__} {compute!r}"
            )
        self._resolved = _resolve_panels(panels)
        self._controls = controls
        self._ylabel_by = [
            _check_ylabel_by(p, r.panel, controls) for p, r in enumerate(self._resolved)
        ]
        self._compute = compute
        self._index = [c.index for c in controls]
        self._ylog = [r.panel.yscale == "log" for r in self._resolved]
        self.title = title
        self.caption = caption
        self.recipe = recipe
        self.max_bytes = int(max_bytes)
        self._size = (width, height)
        self._frames: list | None = None
        self._idle: np.ndarray | None = None
        self._limits: list | None = None
        self._frame_limits: list | None = None
        self._init_live_view()
        self._init_web_view()

    # -- state ---------------------------------------------------------------------
    @property
    def controls(self) -> tuple:
        """The controls, in order."""
        return self._controls

    @property
    def panels(self) -> list:
        """The panels, in order."""
        return [r.panel for r in self._resolved]

    @property
    def values(self) -> dict:
        """The current value of every control, ``{name: value}``."""
        return {
            c.name: c.values[i]
            for c, i in zip(self._controls, self._index, strict=True)
        }

    @property
    def ylabels(self) -> list:
        """The y label of each panel for the current control values (a panel's
        ``ylabel``, or the one its ``ylabel_by`` gives now)."""
        return [self._ylabel(p, self._index) for p in range(len(self._resolved))]

    def _ylabel(self, p: int, index: Sequence[int]) -> str:
        by = self._ylabel_by[p]
        if by is None:
            return self._resolved[p].panel.ylabel
        k, labels = by
        return labels[index[k]]

    @property
    def n_frames(self) -> int:
        """The number of combinations of control values."""
        return math.prod(len(c.values) for c in self._controls)

    def set(self, **values) -> Explorer:
        """Select control values by name (``ex.set(gamma=0.5)``); redraws if shown.

        Raises:
            ValueError: an unknown control, or a value that is not one of its values.
        """
        new = list(self._index)
        byname = {c.name: k for k, c in enumerate(self._controls)}
        for name, value in values.items():
            if name not in byname:
                raise ValueError(
                    f"{name} is not a control of this explorer (controls: "
                    f"{', '.join(byname) or 'none'})"
                )
            new[byname[name]] = self._controls[byname[name]].index_of(value)
        self._index = new
        self._refresh_live_view()
        return self

    @property
    def idle(self) -> dict:
        """The controls that have no effect now, ``{name: reason}``.

        A control is idle when every one of its values draws the same thing (the same
        series and y labels; the note below the plot, which may just echo the values,
        does not count) with the other controls as they are: chapter 6's
        :math:`\\gamma` outside ``exp_range``, for example. Computed from the data of
        every combination, not declared; the live and web views show an idle control
        disabled, with its reason (:attr:`Control.idle_reason`).
        """
        table = self._idle_table()
        f = self._frame_number(self._index)
        return {
            c.name: c.idle_reason for k, c in enumerate(self._controls) if table[f, k]
        }

    def _idle_table(self) -> np.ndarray:
        """``[frame, control]``: True where moving the control changes nothing."""
        if self._idle is None:
            sizes = [len(c.values) for c in self._controls]
            digests: dict[bytes, int] = {}
            ids = np.array(
                [
                    digests.setdefault(self._digest(frame, index), len(digests))
                    for frame, index in zip(
                        self._all_frames(), self._combinations(), strict=True
                    )
                ],
                dtype=np.int64,
            ).reshape(sizes or [1])
            table = np.zeros((ids.size, len(sizes)), dtype=bool)
            for k, n in enumerate(sizes):
                if n < 2:
                    continue  # one value: nothing to move
                same = (ids == ids.take([0], axis=k)).all(axis=k, keepdims=True)
                table[:, k] = np.broadcast_to(same, ids.shape).reshape(-1)
            self._idle = table
        return self._idle

    def _digest(self, frame: _CheckedFrame, index) -> bytes:
        """A fingerprint of what a frame draws: its series and y labels."""
        h = hashlib.blake2b(digest_size=16)
        for p, series in enumerate(frame.panels):
            h.update(f"panel {p}|{self._ylabel(p, index)}".encode())
            for name in sorted(series):
                x, y = series[name]
                h.update(f"|{name}|{x.size}|".encode())
                h.update(np.ascontiguousarray(x, dtype=np.float64).tobytes())
                h.update(np.ascontiguousarray(y, dtype=np.float64).tobytes())
        return h.digest()

    def set_log(self, panel: int = 0, log: bool = True) -> Explorer:
        """Switch the y axis of a panel with a log toggle between linear and log.

        Raises:
            TypeError: ``panel`` is not an integer.
            ValueError: no such panel, or it has no log toggle.
        """
        n = len(self._resolved)
        if isinstance(panel, bool) or not isinstance(panel, numbers.Integral):
            raise TypeError(
                f"panel must be an integer from 0 to {n - 1} (the index of a panel), "
                f"got {type(panel).__name__} {panel!r}"
            )
        if not 0 <= panel < n:
            raise ValueError(
                f"panel must be from 0 to {n - 1} (this explorer has {n} "
                f"panel{'s' if n > 1 else ''}), got {panel}"
            )
        panel = int(panel)
        if not isinstance(log, (bool, np.bool_)):
            raise TypeError(
                f"log must be True or False, got {type(log).__name__} {log!r}"
            )
        if not self._resolved[panel].panel.log_toggle:
            toggles = [p for p, r in enumerate(self._resolved) if r.panel.log_toggle]
            raise ValueError(
                f"panel={panel}: panels[{panel}] has no log toggle (log_toggle=False);"
                f" panels with one: {toggles or 'none'}"
            )
        self._ylog[panel] = bool(log)
        self._refresh_live_view()
        return self

    # -- data ----------------------------------------------------------------------
    def _frame_number(self, index: Sequence[int]) -> int:
        k = 0
        for c, i in zip(self._controls, index, strict=True):
            k = k * len(c.values) + i
        return k

    def _combinations(self):
        return itertools.product(*(range(len(c.values)) for c in self._controls))

    def compute(self, **values) -> _CheckedFrame:
        """Call ``compute`` for these control values and check what it returns."""
        for name, value in values.items():  # validate names and values
            self._control(name).index_of(value)
        missing = [c.name for c in self._controls if c.name not in values]
        if missing:
            raise ValueError(f"values are missing for controls {missing}")
        return self._check_output(self._compute(**values), values)

    def _control(self, name: str) -> Control:
        for c in self._controls:
            if c.name == name:
                return c
        raise ValueError(f"{name} is not a control of this explorer")

    def _check_output(self, out, values) -> _CheckedFrame:
        """``compute``'s output ``out`` for ``values``, checked, as float64 arrays."""
        where = ", ".join(f"{k}={v!r}" for k, v in values.items()) or "no controls"
        note = None
        if isinstance(out, Frame):
            note = None if out.note is None else str(out.note)
            out = out.series
        if isinstance(out, Mapping):
            out = [out]
        if not isinstance(out, (list, tuple)) or len(out) != len(self._resolved):
            raise ValueError(
                f"compute must return a dict of series per panel "
                f"({len(self._resolved)} panel(s)), got {type(out).__name__} "
                f"(at {where})"
            )
        panels = []
        for p, (series, resolved) in enumerate(zip(out, self._resolved, strict=True)):
            if not isinstance(series, Mapping):
                raise ValueError(
                    f"compute must return a dict {{name: (x, y)}} for "
                    f"panel {p}, got {type(series).__name__} (at {where})"
                )
            clean = {}
            for name, xy in series.items():
                if name not in resolved.names:
                    raise ValueError(
                        f"compute returned series {name!r}, which panel "
                        f"{p} does not declare (lines: {resolved.names}; at "
                        f"{where})"
                    )
                clean[name] = _checked_series(name, xy, where)
            panels.append(clean)
        return _CheckedFrame(panels, note)

    def _all_frames(self) -> list:
        if self._frames is None:
            frames = []
            for index in self._combinations():
                values = {
                    c.name: c.values[i]
                    for c, i in zip(self._controls, index, strict=True)
                }
                frames.append(self._check_output(self._compute(**values), values))
            self._frames = frames
        return self._frames

    def series(self, **values) -> list:
        """The data drawn for these values (default: the current ones), full precision.

        Returns:
            One dict per panel, ``{name: (x, y)}`` with float64 arrays.
        """
        index = list(self._index)
        names = [c.name for c in self._controls]
        for name, value in values.items():
            if name not in names:
                raise ValueError(
                    f"{name} is not a control of this explorer (controls: "
                    f"{', '.join(names) or 'none'})"
                )
            k = names.index(name)
            index[k] = self._controls[k].index_of(value)
        return self._all_frames()[self._frame_number(index)].panels

    def note(self) -> str | None:
        """The note shown for the current values (``None`` if none)."""
        return self._all_frames()[self._frame_number(self._index)].note

    # -- axis limits (shared by matplotlib and the web version) ---------------------
    def limits(self) -> list:
        """Per panel ``{"x": (lo, hi) or None, "y": ..., "ylog": ...}`` (None: auto).

        Limits fixed for every combination of control values (all the data fits);
        ``None`` for an axis whose limits follow each combination's data (see
        :meth:`frame_limits`): an ``"auto"`` axis, and a log-scaled y axis whose low
        limit is not given (its top is fixed, its bottom fitted to the data drawn).
        ``"ylog"`` is for a panel's log toggle (``None`` without one).
        """
        if self._limits is None:
            frames = self._all_frames()
            out = []
            self._every_y = []
            for p, resolved in enumerate(self._resolved):
                panel = resolved.panel
                x_all, y_all = self._panel_values(p, frames)
                self._every_y.append(y_all)
                ylog = panel.yscale == "log"
                lim = {"x": _axis_limits(panel.xlim, x_all, panel.xscale == "log", 0.0)}
                lim["y"] = (
                    None
                    if _fits_log(panel.ylim, ylog)
                    else _axis_limits(panel.ylim, y_all, ylog, 0.05)
                )
                lim["ylog"] = (
                    None
                    if not panel.log_toggle or _fits_log(panel.ylim, True)
                    else _axis_limits(panel.ylim, y_all, True, 0.05)
                )
                out.append(lim)
            self._limits = out
        return self._limits

    def frame_limits(self, **values) -> list:
        """The axis limits drawn for these values (default: the current ones).

        Like :meth:`limits`, with every ``"auto"`` axis resolved from the data of this
        combination of control values. Both views draw exactly these limits: the live
        figure sets them, the web version reads them from its payload (computed here,
        once; a log axis spans at most ``LOG_DECADES`` decades below the largest
        value, plus the margins, and, unless its low limit is given, its bottom
        follows the data of these values, see ``lrbook.explore.panels._log_limits``).

        Returns:
            Per panel ``{"x": (lo, hi), "y": (lo, hi), "ylog": (lo, hi) or None}``.
        """
        index = list(self._index)
        for name, value in values.items():
            k = self._controls.index(self._control(name))
            index[k] = self._controls[k].index_of(value)
        return self._limits_of(self._frame_number(index))

    def _auto_axes(self) -> list:
        """The ``(panel, axis)`` pairs whose limits follow each frame's data."""
        out = []
        for p, lim in enumerate(self.limits()):
            for axis in ("x", "y", "ylog"):
                if lim[axis] is None and (
                    axis != "ylog" or self._resolved[p].panel.log_toggle
                ):
                    out.append((p, axis))
        return out

    def _limits_of(self, f: int) -> list:
        """:meth:`frame_limits` of frame number ``f`` (all frames computed once)."""
        if self._frame_limits is None:
            fixed = self.limits()
            auto = self._auto_axes()
            if not auto:
                self._frame_limits = [fixed] * self.n_frames
            else:
                self._frame_limits = [
                    self._auto_limits(frame, fixed, auto)
                    for frame in self._all_frames()
                ]
        return self._frame_limits[f]

    def _auto_limits(self, frame: _CheckedFrame, fixed: list, auto: list) -> list:
        """The limits of one frame: ``fixed``, with the ``auto`` axes from its data."""
        lims = [dict(lim) for lim in fixed]
        values = {}
        for p, axis in auto:
            if p not in values:
                values[p] = self._panel_values(p, [frame])
            panel = self._resolved[p].panel
            if axis == "x":
                log, v, margin = panel.xscale == "log", values[p][0], 0.0
            else:
                log = axis == "ylog" or panel.yscale == "log"
                v, margin = values[p][1], 0.05
                if _fits_log(panel.ylim, log):
                    lims[p][axis] = _log_limits(panel.ylim, v, self._every_y[p], margin)
                    continue
            lims[p][axis] = _axis_limits(None, v, log, margin)
        return lims

    def _panel_values(self, p: int, frames: list) -> tuple:
        """All the x and all the y values panel ``p`` shows in ``frames``."""
        resolved = self._resolved[p]
        xs = [s[0] for f in frames for s in f.panels[p].values()]
        ys = [s[1] for f in frames for s in f.panels[p].values()]
        xs += [c[0] for c in resolved.contours]
        ys += [c[1] for c in resolved.contours]
        if resolved.panel.image is not None:
            e = tuple(float(v) for v in resolved.panel.image[1])
            xs.append(np.array(e[:2]))
            ys.append(np.array(e[2:]))
        x_all = np.concatenate(xs) if xs else np.zeros(1)
        y_all = np.concatenate(ys) if ys else np.zeros(1)
        return x_all, y_all

    # -- display ---------------------------------------------------------------------
    def __repr__(self) -> str:
        names = ", ".join(
            f"{c.name}={c.values[i]!r}"
            for c, i in zip(self._controls, self._index, strict=True)
        )
        title = f" {tex_plain(self.title)!r}" if self.title else ""
        return f"<lrbook explorer{title}: {names or 'no controls'}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/plain": repr(self), "text/html": self.to_html()}
        if _env.in_kernel():
            try:
                widget = self.widget()
            except ImportError:  # no ipywidgets: the HTML version is all there is
                return data
            # what ipywidgets 7 and 8 both display for a widget
            data["application/vnd.jupyter.widget-view+json"] = {
                "version_major": 2,
                "version_minor": 0,
                "model_id": widget.model_id,
            }
        return data


def _check_ylabel_by(p: int, panel, controls) -> tuple | None:
    """``panel.ylabel_by`` checked: ``None``, or ``(control number, one label per
    value of that control)``."""
    by = panel.ylabel_by
    if by is None:
        return None
    where = f"ylabel_by of panels[{p}]"
    if not (isinstance(by, tuple) and len(by) == 2 and isinstance(by[1], Mapping)):
        raise TypeError(
            f"{where} must be (control name, {{value: label}}), got "
            f"{type(by).__name__} {by!r}"
        )
    name, labels = by
    names = [c.name for c in controls]
    if name not in names:
        raise ValueError(
            f"{where} names control {name!r}, which is not a control of this explorer "
            f"(controls: {', '.join(names) or 'none'})"
        )
    k = names.index(name)
    values = list(controls[k].values)
    for value, label in labels.items():
        if value not in values:
            raise ValueError(
                f"{where}: {value!r} is not a value of control {name!r} "
                f"(values: {values})"
            )
        if not isinstance(label, str) or not label:
            raise TypeError(
                f"{where}: the label of {value!r} must be a non-empty string, got "
                f"{label!r}"
            )
    return k, [labels.get(v, panel.ylabel) for v in values]


def _checked_series(name: str, xy, where: str) -> tuple:
    """Series ``name`` as two finite float64 arrays of one length (at ``where``)."""
    try:
        x, y = xy
        x = np.asarray(x, dtype=np.float64).ravel()
        y = np.asarray(y, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError(
            f"series {name!r} must be an (x, y) pair of arrays (at {where})"
        ) from None
    if x.shape != y.shape or x.size == 0:
        raise ValueError(
            f"series {name!r} needs x and y of the same, "
            f"non-zero length, got {x.size} and {y.size} (at "
            f"{where})"
        )
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError(
            f"series {name!r} has non-finite values (at "
            f"{where}); clip or cut it in compute"
        )
    return x, y
