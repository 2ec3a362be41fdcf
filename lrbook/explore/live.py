"""The live view of an explorer: ``ipywidgets`` controls over a matplotlib figure.

A change of control puts the new frame's data into the existing line artists (no new
figure) and redraws only the lines over a cached bitmap of the axes (blitting). The
figure is rendered to a PNG shown by an ``ipywidgets.Image``, so no interactive
matplotlib backend is needed. ``ipywidgets`` is imported only when a widget is built.
"""

from __future__ import annotations

import functools
import html as _html
import io
import math

import numpy as np

from .. import plotting
from .panels import _CheckedFrame
from .tex import tex_html, tex_label_html, tex_unicode

_MPL_DASHES = {"solid": "-", "dashed": "--", "dotted": ":", "dashdot": "-."}


class LiveView:
    """The live view of :class:`~lrbook.explore.Explorer` (a mixin).

    It reads the explorer's state: ``_controls``, ``_index`` (the selected index of
    each control), ``_ylog`` (each panel's log toggle), ``_resolved`` (the resolved
    panels), ``_size``, ``title``, ``caption``, and its frames and limits
    (``_all_frames``, ``_frame_number``, ``_limits_of``), and which controls are idle
    (``idle``, ``_idle_table``).
    """

    def _init_live_view(self) -> None:
        self._idle_notes: dict = {}
        self._fig = None
        self._widget = None
        self._background = None
        self._background_key = None

    def _refresh_live_view(self) -> None:
        """After a change of state: update the live view, if there is one."""
        if self._widget is not None:
            self._sync_widgets()
            self._redraw()

    # -- the matplotlib figure -------------------------------------------------------
    @property
    def figure(self):
        """The matplotlib figure of the live view (made on first use, then reused)."""
        if self._fig is None:
            self._build_figure()
        return self._fig

    @property
    def artists(self) -> list:
        """Per panel ``{name: Line2D}``: the artists updated in place on a change."""
        self.figure  # noqa: B018  (builds the figure)
        return self._artists

    def _build_figure(self):
        n = len(self._resolved)
        width, height = self._size
        fig, axes = plotting.figure(n, width=width, height=height)
        self._artists = []
        self._legends = [None] * n
        self._legend_keys = [()] * n
        with plotting.style():
            for ax, resolved in zip(axes, self._resolved, strict=True):
                self._artists.append(_draw_panel(ax, resolved))
        self._fig, self._axes = fig, axes
        self._apply(self._frame_number(self._index))

    def _apply(self, f: int) -> None:
        """Put frame ``f``'s data into the existing artists; set axes and legends."""
        frame = self._all_frames()[f]
        limits = self._limits_of(f)
        for p, (ax, resolved) in enumerate(
            zip(self._axes, self._resolved, strict=True)
        ):
            series = frame.panels[p]
            for name, art in self._artists[p].items():
                if name in series:
                    art.set_data(*series[name])
                    art.set_visible(True)
                elif art.get_visible():
                    art.set_visible(False)
                    art.set_data([], [])  # nor seen by the legend's loc="best"
            shown = tuple(
                name
                for name, line in zip(resolved.names, resolved.lines, strict=True)
                if line.label and name in series
            )
            if shown != self._legend_keys[p]:
                self._set_legend(p, shown)
            ylabel = self._ylabel(p, self._index)
            if ax.get_ylabel() != ylabel:
                ax.set_ylabel(ylabel)
            log = self._ylog[p]
            scale = "log" if log else "linear"
            if ax.get_yscale() != scale:
                ax.set_yscale(scale)
            lim = limits[p]
            ax.set_xlim(*lim["x"])
            ax.set_ylim(
                *(lim["ylog"] if (log and resolved.panel.log_toggle) else lim["y"])
            )

    def _set_legend(self, p: int, shown: tuple) -> None:
        """Give panel ``p`` a legend of the series ``shown`` (the ones drawn now).

        Rebuilt only when the set of series drawn changes (a dropdown that picks some
        of them), not when a slider moves their data; the legend is part of the cached
        background (see :meth:`_render`), whose key includes ``shown``.
        """
        if self._legends[p] is not None:
            self._legends[p].remove()
            self._legends[p] = None
        if shown:
            handles = [self._artists[p][name] for name in shown]
            with plotting.style():
                self._legends[p] = self._axes[p].legend(handles=handles, loc="best")
        self._legend_keys[p] = shown

    def _render(self) -> None:
        """Draw the current frame into the Agg buffer, as cheaply as possible.

        The axes, ticks, labels, legend and static backgrounds only change with the
        axis limits, scales or y labels, or (the legend) with the set of series
        drawn; they are drawn once and kept as a bitmap (blitting). A change of
        control then redraws the lines only.
        """
        canvas = self.figure.canvas
        key = tuple(
            (
                ax.get_xlim(),
                ax.get_ylim(),
                ax.get_xscale(),
                ax.get_yscale(),
                ax.get_ylabel(),
                shown,
            )
            for ax, shown in zip(self._axes, self._legend_keys, strict=True)
        )
        if self._background is None or key != self._background_key:
            lines = [a for arts in self._artists for a in arts.values()]
            for a in lines:
                a.set_animated(True)
            try:
                canvas.draw()
                self._background = canvas.copy_from_bbox(self._fig.bbox)
                self._background_key = key
            finally:
                for a in lines:
                    a.set_animated(False)
        else:
            canvas.restore_region(self._background)
        for ax, arts in zip(self._axes, self._artists, strict=True):
            for a in arts.values():
                if a.get_visible():
                    ax.draw_artist(a)

    def _render_png(self) -> bytes:
        from PIL import Image

        self._render()
        canvas = self.figure.canvas
        img = Image.frombuffer(
            "RGBA",
            canvas.get_width_height(physical=True),
            canvas.buffer_rgba(),
            "raw",
            "RGBA",
            0,
            1,
        )
        buf = io.BytesIO()
        img.convert("RGB").save(buf, format="PNG", compress_level=1)
        return buf.getvalue()

    def _redraw(self) -> None:
        f = self._frame_number(self._index)
        frame = self._all_frames()[f]
        self._apply(f)
        if self._widget is not None:
            self._image.value = self._render_png()
            self._note.value = self._note_html(frame)
        if not isinstance(self._fig.canvas, _agg_canvas()):
            self._fig.canvas.draw_idle()  # an interactive canvas (e.g. ipympl)

    @staticmethod
    def _note_html(frame: _CheckedFrame) -> str:
        if not frame.note:
            return ""
        lines = "<br>".join(_html.escape(t) for t in frame.note.splitlines())
        # ipywidgets' HTML has the line height of a control (28 px): one of text here
        return (
            '<div style="font-family:monospace;font-size:85%;line-height:1.4">'
            f"{lines}</div>"
        )

    # -- the widgets -------------------------------------------------------------------
    def widget(self):
        """The live view: an ``ipywidgets`` box of controls over the figure."""
        if self._widget is None:
            self._widget = self._build_widget()
        return self._widget

    @property
    def control_widgets(self) -> dict:
        """``{control name: ipywidget}`` of the live view (plus ``"log:<panel>"``)."""
        self.widget()
        return dict(self._control_widgets)

    def _build_widget(self):
        import ipywidgets as W

        self.figure  # noqa: B018
        self._control_widgets = {}
        self._syncing = False
        log_labels = {
            p: "log scale"
            + (
                f" ({resolved.panel.title})"
                if len(self._resolved) > 1 and resolved.panel.title
                else ""
            )
            for p, resolved in enumerate(self._resolved)
            if resolved.panel.log_toggle
        }
        px = int(round(self.figure.get_figwidth() * self.figure.dpi))
        # one description width and one width for every control: the sliders' tracks,
        # the dropdowns and the checkboxes start at one x and end at another
        describe = _describer(W, [c.label for c in self._controls])
        width = f"min(100%, {px}px)"
        rows = []
        idle_table = self._idle_table()
        self._idle_notes = {}
        for k, c in enumerate(self._controls):
            w = _control_widget(W, c, self._index[k], describe(c.label), width)
            w.observe(functools.partial(self._on_control, k), names="value")
            self._control_widgets[c.name] = w
            rows.append(w)
            if idle_table[:, k].any():
                # shown, with the control disabled, while moving it changes nothing
                note = W.HTML(
                    f"<small><i>{tex_html(c.label)}: "
                    f"{_html.escape(c.idle_reason)}</i></small>",
                    layout=W.Layout(display="none"),
                )
                self._idle_notes[c.name] = note
                rows.append(note)
        for p, label in log_labels.items():
            w = W.Checkbox(
                value=self._ylog[p],
                indent=True,
                layout=W.Layout(width=width),
                **describe(label),
            )
            w.observe(functools.partial(self._on_log, p), names="value")
            self._control_widgets[f"log:{p}"] = w
            rows.append(w)
        self._image = W.Image(
            value=self._render_png(),
            format="png",
            layout=W.Layout(width="100%", max_width=f"{px}px"),
        )
        self._update_idle()
        frame = self._all_frames()[self._frame_number(self._index)]
        self._note = W.HTML(self._note_html(frame))
        children = []
        if self.title:
            children.append(W.HTML(f"<b>{tex_html(self.title)}</b>"))
        children += [W.VBox(rows), self._image, self._note]
        if self.caption:
            children.append(W.HTML(f"<small>{tex_html(self.caption)}</small>"))
        return W.VBox(children, layout=W.Layout(max_width=f"{px + 40}px"))

    def _on_control(self, k: int, change) -> None:
        if self._syncing:
            return
        new = change["new"]
        self._index[k] = int(new)
        self._update_idle()
        self._redraw()

    def _update_idle(self) -> None:
        """Disable the controls that change nothing now; show why under each."""
        idle = self.idle
        for name, note in self._idle_notes.items():
            off = name in idle
            self._control_widgets[name].disabled = off
            note.layout.display = None if off else "none"

    def _on_log(self, p: int, change) -> None:
        if self._syncing:
            return
        self._ylog[p] = bool(change["new"])
        self._redraw()

    def _sync_widgets(self) -> None:
        self._syncing = True
        try:
            for k, c in enumerate(self._controls):
                w = self._control_widgets[c.name]
                w.value = bool(self._index[k]) if c.kind == "toggle" else self._index[k]
            for p in range(len(self._resolved)):
                w = self._control_widgets.get(f"log:{p}")
                if w is not None:
                    w.value = self._ylog[p]
            self._update_idle()
        finally:
            self._syncing = False


def _draw_panel(ax, resolved) -> dict:
    """Draw a panel's static parts on ``ax``; return its (empty) line artists."""
    panel = resolved.panel
    ax.set_xlabel(panel.xlabel)
    ax.set_ylabel(panel.ylabel)
    if panel.title:
        ax.set_title(panel.title)
    ax.set_xscale(panel.xscale)
    if panel.image is not None:
        arr, extent = panel.image
        ax.imshow(
            np.asarray(arr, dtype=np.float64),
            extent=extent,
            origin="lower",
            aspect="auto",
            cmap="Blues",
            alpha=0.55,
            zorder=0,
            interpolation="bilinear",
        )
    for cx, cy in resolved.contours:
        ax.plot(cx, cy, color="#a8b0ba", linewidth=0.8, zorder=1)
    artists = {}
    for name, line in zip(resolved.names, resolved.lines, strict=True):
        (art,) = ax.plot(
            [],
            [],
            color=line.color,
            linewidth=line.width,
            linestyle=_MPL_DASHES[line.dash],
            marker="o" if line.marker else None,
            markersize=3.5,
            label=line.label or "_nolegend_",
            zorder=3,
        )
        artists[name] = art
    if panel.equal_aspect:
        ax.set_aspect("equal", adjustable="box")
    return artists


def description_width(labels) -> str:
    """The CSS width of the descriptions of an explorer's controls: the longest label.

    Measured in ``ch`` (the width of a digit, a little more than an average letter in
    the front ends' sans-serif fonts), from the label as plain text (its TeX as
    :func:`~lrbook.explore.tex.tex_unicode` writes it); the log checkbox's label
    ("log scale") counts too.
    """
    n = max([len(tex_unicode(t)) for t in labels] + [len("log scale")])
    return f"{math.ceil(0.95 * n) + 1}ch"


def _describer(W, labels):
    """``describe(label)``: the keyword arguments that label a widget with ``label``.

    Every widget so labelled has the same description width (that of the longest of
    ``labels``), so that the controls line up.
    """
    style = {"description_width": description_width(labels)}
    html_ok = int(W.__version__.split(".")[0]) >= 8  # Colab still has ipywidgets 7

    def describe(text: str) -> dict:
        if html_ok:  # italics, and scripts that survive ipywidgets 8's sanitiser
            return dict(
                description=tex_label_html(text),
                description_allow_html=True,
                style=dict(style),
            )
        return dict(description=tex_unicode(text), style=dict(style))

    return describe


def _control_widget(W, control, index: int, labelled: dict, width: str):
    """The ipywidget of ``control`` with value number ``index`` selected.

    ``labelled``: its description and style (see :func:`_describer`); ``width``: its
    CSS width, the same for every control of an explorer.
    """
    layout = W.Layout(width=width)
    if control.kind == "slider":
        return W.SelectionSlider(
            options=[(lab, i) for i, lab in enumerate(control.labels)],
            value=index,
            continuous_update=True,
            readout=True,
            layout=layout,
            **labelled,
        )
    if control.kind == "dropdown":
        return W.Dropdown(
            options=[(lab, i) for i, lab in enumerate(control.labels)],
            value=index,
            layout=layout,
            **labelled,
        )
    return W.Checkbox(value=bool(index), indent=True, layout=layout, **labelled)


def _agg_canvas():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    return FigureCanvasAgg
