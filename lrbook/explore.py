r"""Interactive figures ("explorers") that respond everywhere: live and kernel-free.

An explorer is declared once:

* its **controls**: sliders, dropdowns and toggles, each with a *finite* list of values
  (:func:`slider`, :func:`dropdown`, :func:`toggle`);
* a pure **compute** function from the control values to the data drawn (it calls
  ``lrbook``: a schedule's values, a gradient-descent path, a stored training curve);
* how it is **drawn**: one or more :class:`Panel` side by side, each with named
  :class:`Line` series, axis labels with units, linear or log axes.

Displayed in a notebook (``explorer`` as the last expression of a cell), it is both:

* in a live kernel (JupyterLab, Notebook 7, VS Code, Colab): an ``ipywidgets`` UI over
  a matplotlib figure that is updated in place (the lines' data, not a new figure);
* everywhere else (the book's website, front ends without a widget manager): the same
  output's ``text/html``, a self-contained HTML/SVG/JavaScript figure with the same
  controls. The data of *every* combination of control values is computed here, in
  Python, and embedded compactly (float32, de-duplicated, deflate-compressed); the
  JavaScript only draws it and re-implements no formula.

The book's configuration makes the website use the ``text/html`` view, so a reader never
sees a control that does nothing.

Examples:
    >>> import lrbook
    >>> from lrbook import explore
    >>> ex = explore.schedule("step_decay", {"gamma": [0.1, 0.5, 0.9]}, lr=0.1,
    ...                       step_size=30, horizon=100)
    >>> [c.name for c in ex.controls], ex.values
    (['gamma'], {'gamma': 0.5})
    >>> x, y = ex.series()[0]["step_decay"]
    >>> float(y[30]) == lrbook.step_decay(0.1, 30, 0.5)(30)
    True
    >>> ex.set(gamma=0.9).values
    {'gamma': 0.9}
    >>> ex.payload_size() < 300_000
    True

A custom explorer, here a (made-up) noisy quadratic, in a few lines:

    >>> import numpy as np
    >>> def f(scale, log):
    ...     x = np.linspace(0, 1, 50)
    ...     return {"f": (x, scale * x**2 + 0.1), "g": (x, scale * x + 0.1)}
    >>> ex = explore.Explorer(
    ...     [explore.slider("scale", [1, 2, 4]), explore.toggle("log")],
    ...     f, explore.Panel(xlabel="x (m)", ylabel="y (m)", lines=["f", "g"]))
    >>> len(ex.series()[0])
    2
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html as _html
import importlib
import io
import itertools
import json
import math
import numbers
import re
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import _env, plotting
from . import schedules as _schedules

__all__ = [
    "Control",
    "Explorer",
    "Frame",
    "Line",
    "Panel",
    "compare",
    "decode",
    "decode_limits",
    "dropdown",
    "rebuild",
    "reproducible",
    "schedule",
    "slider",
    "toggle",
]

#: Largest number of control-value combinations an explorer may have.
MAX_FRAMES = 4096
#: Default size budget of one explorer's ``text/html`` (bytes).
MAX_BYTES = 300_000
#: A log-scaled axis with fixed limits shows at most this many decades below the
#: largest value (the lines go on below the axis).
LOG_DECADES = 6

_HERE = Path(__file__).resolve().parent
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


# --------------------------------------------------------------------------------------
# Controls
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Control:
    """One control of an explorer: a finite list of values, one of them selected.

    Made by :func:`slider`, :func:`dropdown` or :func:`toggle`.

    Attributes:
        name: the keyword under which the value is passed to ``compute``.
        kind: ``"slider"``, ``"dropdown"`` or ``"toggle"``.
        values: the values, in order.
        labels: how each value is shown to the reader.
        index: the index of the value selected at first.
        label: the control's label (may contain ``$...$`` TeX, as axis labels).
    """

    name: str
    kind: str
    values: tuple
    labels: tuple
    index: int
    label: str

    @property
    def default(self):
        """The value selected at first."""
        return self.values[self.index]

    def index_of(self, value) -> int:
        """The index of ``value`` in :attr:`values` (ValueError naming the control)."""
        for i, v in enumerate(self.values):
            if _same(v, value):
                return i
        shown = ", ".join(self.labels)
        raise ValueError(
            f"{self.name} must be one of the values of its {self.kind}"
            f" ({shown}), got {value!r}"
        )


def _same(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, numbers.Real) and isinstance(b, numbers.Real):
        return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)
    return a == b


def _plain(value):
    """A NumPy scalar as the matching Python scalar; anything else unchanged."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def _check_name(kind: str, name) -> str:
    if not isinstance(name, str):
        raise TypeError(
            f"the name of a {kind} must be a str (a Python identifier), got "
            f"{type(name).__name__} {name!r}"
        )
    if not _NAME.match(name):
        raise ValueError(
            f"the name of a {kind} must be a Python identifier, got {name!r}"
        )
    return name


def _format_number(v) -> str:
    if isinstance(v, numbers.Integral):
        return str(int(v))
    return f"{float(v):.6g}"


def _pick_default(name: str, kind: str, values: tuple, labels: tuple, default) -> int:
    if default is None:
        return (len(values) - 1) // 2
    for i, v in enumerate(values):
        if _same(v, default):
            return i
    raise ValueError(
        f"the default of {kind} {name!r} must be one of its values "
        f"({', '.join(labels)}), got {default!r}"
    )


def slider(
    name: str,
    values: Sequence,
    default=None,
    *,
    label: str | None = None,
    fmt: str | Callable | None = None,
) -> Control:
    r"""A slider over a finite, strictly increasing list of numbers.

    Args:
        name: keyword passed to ``compute``.
        values: two or more finite numbers, strictly increasing.
        default: the value selected at first (one of ``values``; default the middle).
        label: what the reader sees (TeX allowed: ``r"decay $\gamma$"``); default
            ``name``.
        fmt: a format string (``"{:.0%}"``) or function turning a value into its label.

    Returns:
        A :class:`Control`.

    Examples:
        >>> slider("gamma", [0.1, 0.5, 0.9]).default
        0.5
        >>> slider("gamma", [0.5, 0.1])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: the values of slider 'gamma' must be strictly increasing, got ...
    """
    name = _check_name("slider", name)
    if isinstance(values, (str, bytes)) or not isinstance(
        values, (Sequence, np.ndarray)
    ):
        raise TypeError(
            f"the values of slider {name!r} must be a list of numbers, got "
            f"{type(values).__name__} {values!r}"
        )
    vals = tuple(_plain(v) for v in values)
    if len(vals) < 2:
        raise ValueError(f"slider {name!r} needs at least 2 values, got {list(vals)}")
    for v in vals:
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(
                f"the values of slider {name!r} must be numbers, got "
                f"{type(v).__name__} {v!r}"
            )
        if not math.isfinite(v):
            raise ValueError(
                f"the values of slider {name!r} must be finite numbers, got {v!r}"
            )
    if any(b <= a for a, b in zip(vals, vals[1:], strict=False)):
        raise ValueError(
            f"the values of slider {name!r} must be strictly increasing, "
            f"got {list(vals)}"
        )
    labels = tuple(_labels(name, vals, fmt))
    return Control(
        name,
        "slider",
        vals,
        labels,
        _pick_default(name, "slider", vals, labels, default),
        name if label is None else label,
    )


def _labels(name, values, fmt):
    for v in values:
        if fmt is None:
            yield _format_number(v) if isinstance(v, numbers.Number) else str(v)
        elif callable(fmt):
            yield str(fmt(v))
        elif isinstance(fmt, str):
            yield fmt.format(v)
        else:
            raise TypeError(
                f"fmt of control {name!r} must be a format string or a "
                f"function, got {type(fmt).__name__} {fmt!r}"
            )


def dropdown(
    name: str, options: Sequence | Mapping, default=None, *, label: str | None = None
) -> Control:
    """A dropdown menu over a finite list of values of any kind.

    Args:
        name: keyword passed to ``compute``.
        options: the values (shown with ``str``), or a mapping ``{shown label: value}``.
        default: the value selected at first (default the first).
        label: what the reader sees; default ``name``.

    Returns:
        A :class:`Control`.

    Examples:
        >>> dropdown("mode", ["triangular", "triangular2"]).default
        'triangular'
        >>> dropdown("run", {"SGD, 0.1": "sgd-0.1", "Adam": "adam"}).labels
        ('SGD, 0.1', 'Adam')
    """
    name = _check_name("dropdown", name)
    if isinstance(options, Mapping):
        labels = tuple(str(k) for k in options)
        vals = tuple(_plain(v) for v in options.values())
    elif isinstance(options, (str, bytes)) or not isinstance(
        options, (Sequence, np.ndarray)
    ):
        raise TypeError(
            f"the options of dropdown {name!r} must be a list or a dict, "
            f"got {type(options).__name__} {options!r}"
        )
    else:
        vals = tuple(_plain(v) for v in options)
        labels = tuple(_labels(name, vals, None))
    if not vals:
        raise ValueError(f"dropdown {name!r} needs at least 1 option, got none")
    if len(set(labels)) != len(labels):
        raise ValueError(
            f"the options of dropdown {name!r} must have distinct labels, "
            f"got {list(labels)}"
        )
    index = (
        0 if default is None else _pick_default(name, "dropdown", vals, labels, default)
    )
    return Control(
        name, "dropdown", vals, labels, index, name if label is None else label
    )


def toggle(name: str, default: bool = False, *, label: str | None = None) -> Control:
    """An on/off checkbox; ``compute`` receives ``False`` or ``True``.

    Examples:
        >>> toggle("momentum", True).values, toggle("momentum", True).default
        ((False, True), True)
    """
    name = _check_name("toggle", name)
    if not isinstance(default, bool):
        raise TypeError(
            f"the default of toggle {name!r} must be True or False, got "
            f"{type(default).__name__} {default!r}"
        )
    return Control(
        name,
        "toggle",
        (False, True),
        ("off", "on"),
        int(default),
        name if label is None else label,
    )


# --------------------------------------------------------------------------------------
# Drawing specification
# --------------------------------------------------------------------------------------

_DASHES = {"solid": None, "dashed": "6 4", "dotted": "1.5 3", "dashdot": "6 3 1.5 3"}
_MPL_DASHES = {"solid": "-", "dashed": "--", "dotted": ":", "dashdot": "-."}


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
class _Frame:
    panels: list  # one dict per panel: name -> (x float64, y float64)
    note: str | None = None


@dataclass
class _PanelSpec:
    panel: Panel
    names: list
    lines: list  # resolved Line objects, with colours
    contours: list = field(default_factory=list)


def _resolve_panel(i: int, panel, start_color: int) -> tuple[_PanelSpec, int]:
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
        if not isinstance(name, str):
            raise TypeError(
                f"lines of panels[{i}] must be named by strings, got "
                f"{type(name).__name__} {name!r}"
            )
        if not name:
            raise ValueError(
                f"lines of panels[{i}] must be named by non-empty strings, got ''"
            )
        if name in names:
            raise ValueError(f"lines of panels[{i}]: duplicate series name {name!r}")
        if line is None or isinstance(line, str):
            line = Line(label=line)
        if not isinstance(line, Line):
            raise TypeError(
                f"lines[{name!r}] of panels[{i}] must be a Line, a label "
                f"or None, got {type(line).__name__} {line!r}"
            )
        if line.dash not in _DASHES:
            raise ValueError(
                f"dash of line {name!r} must be one of {list(_DASHES)}, "
                f"got {line.dash!r}"
            )
        if line.color is None:
            c = plotting.color(color)
            color += 1
        elif isinstance(line.color, numbers.Integral) and not isinstance(
            line.color, bool
        ):
            c = plotting.color(int(line.color))
        elif isinstance(line.color, str) and re.match(r"^#[0-9a-fA-F]{6}$", line.color):
            c = line.color
        else:
            error = ValueError if isinstance(line.color, str) else TypeError
            raise error(
                f"color of line {name!r} must be a palette index or "
                f"'#rrggbb', got {line.color!r}"
            )
        names.append(name)
        lines.append(
            Line(
                line.label,
                c,
                line.dash,
                float(line.width),
                bool(line.marker),
                bool(line.simplify),
            )
        )
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
    if panel.image is not None:
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
    return _PanelSpec(panel, names, lines, contours), color


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


# --------------------------------------------------------------------------------------
# A tiny TeX subset for labels ($\alpha_t$, $T_{\max}$, $10^{-3}$), shared by the SVG
# version and the widget labels. matplotlib renders the same strings with mathtext.
# --------------------------------------------------------------------------------------

_GREEK = dict(
    alpha="α",
    beta="β",
    gamma="γ",
    delta="δ",
    epsilon="ε",
    varepsilon="ε",
    zeta="ζ",
    eta="η",
    theta="θ",
    kappa="κ",
    lambda_="λ",
    mu="μ",
    nu="ν",
    xi="ξ",
    pi="π",
    rho="ρ",
    sigma="σ",
    tau="τ",
    phi="φ",
    varphi="φ",
    chi="χ",
    psi="ψ",
    omega="ω",
    Gamma="Γ",
    Delta="Δ",
    Theta="Θ",
    Lambda="Λ",
    Xi="Ξ",
    Pi="Π",
    Sigma="Σ",
    Phi="Φ",
    Psi="Ψ",
    Omega="Ω",
    nabla="∇",
    partial="∂",
    ell="ℓ",
)
_GREEK["lambda"] = _GREEK.pop("lambda_")
_SYMBOLS = {
    "cdot": "·",
    "times": "×",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "infty": "∞",
    "approx": "≈",
    "to": "→",
    "rightarrow": "→",
    "pm": "±",
    ",": "\u2009",
    ";": "\u2005",
    ":": "\u2005",
    "quad": "\u2003",
    " ": " ",
    "%": "%",
    "{": "{",
    "}": "}",
    "_": "_",
    "$": "$",
    "ldots": "…",
    "dots": "…",
    "prime": "′",
    "star": "⋆",
    "circ": "∘",
    "mid": "|",
}
_UPRIGHT_CMDS = {"mathrm", "text", "operatorname", "textrm", "mathsf"}


def _tex_runs(text: str) -> list:
    """Split a label into runs ``[text, flags]``; flags: i(talic), b (sub), p (sup)."""
    runs: list = []

    def add(s: str, flags: str) -> None:
        if not s:
            return
        if runs and runs[-1][1] == flags:
            runs[-1][0] += s
        else:
            runs.append([s, flags])

    parts = re.split(r"(?<!\\)\$", text)
    if len(parts) % 2 == 0:  # unbalanced dollars: show the text as it is
        add(text, "")
        return runs
    for k, part in enumerate(parts):
        if k % 2 == 0:
            add(part.replace(r"\$", "$"), "")
        else:
            _math_runs(part, "", add)
    return runs


def _math_runs(s: str, level: str, add) -> None:
    i = 0
    n = len(s)

    def group(j: int) -> tuple[str, int]:
        """The argument starting at s[j]: a {...} group, a command, or one char."""
        while j < n and s[j] == " ":
            j += 1
        if j >= n:
            return "", j
        if s[j] == "{":
            depth, k = 1, j + 1
            while k < n and depth:
                depth += {"{": 1, "}": -1}.get(s[k], 0)
                k += 1
            return s[j + 1 : k - 1], k
        if s[j] == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", s[j:])
            return m.group(0), j + len(m.group(0))
        return s[j], j + 1

    while i < n:
        ch = s[i]
        if ch in "_^":
            arg, i = group(i + 1)
            _math_runs(arg, level or ("b" if ch == "_" else "p"), add)
        elif ch == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", s[i:])
            cmd = m.group(1)
            i += len(m.group(0))
            if cmd in _UPRIGHT_CMDS:
                arg, i = group(i)
                add(arg, level)
            elif cmd in ("frac", "tfrac", "dfrac"):
                num, i = group(i)
                den, i = group(i)
                _math_runs(num, level, add)
                add("/", level)
                _math_runs(den, level, add)
            elif cmd in ("left", "right", "bigl", "bigr", "Bigl", "Bigr"):
                continue
            elif cmd in _GREEK:
                g = _GREEK[cmd]
                add(g, level + ("i" if g.islower() else ""))
            elif cmd in _SYMBOLS:
                add(_SYMBOLS[cmd], level)
            else:  # \max, \min, \log, \exp, \sin ...: upright operator names
                add(cmd, level)
        elif ch in "{}":
            i += 1
        elif ch.isalpha():
            add(ch, level + "i")
            i += 1
        elif ch == "-":
            add("−", level)
            i += 1
        else:
            add(ch, level)
            i += 1


def _runs_html(runs: list) -> str:
    out = []
    for text, flags in runs:
        t = _html.escape(text)
        if "i" in flags:
            t = f"<i>{t}</i>"
        if "b" in flags:
            t = f"<sub>{t}</sub>"
        elif "p" in flags:
            t = f"<sup>{t}</sup>"
        out.append(t)
    return "".join(out)


def tex_html(text: str) -> str:
    r"""A label with ``$...$`` TeX as HTML (the subset the explorers understand).

    Examples:
        >>> tex_html(r"learning rate $\alpha_t$")
        'learning rate <i>α</i><sub><i>t</i></sub>'
    """
    return _runs_html(_tex_runs(text))


def tex_plain(text: str) -> str:
    r"""A label with ``$...$`` TeX as plain Unicode text (for ``aria-label``).

    Examples:
        >>> tex_plain(r"$T_{\max}$ (steps)")
        'T_max (steps)'
    """
    out = []
    for t, flags in _tex_runs(text):
        out.append(("_" if "b" in flags else "^" if "p" in flags else "") + t)
    return re.sub(r"(?<=[_^])([_^])", "", "".join(out))


# --------------------------------------------------------------------------------------
# The explorer
# --------------------------------------------------------------------------------------


class Explorer:
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
            decorated with :func:`reproducible`, such as :func:`schedule`); lets the
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
        if isinstance(controls, Control):
            controls = [controls]
        if isinstance(controls, (str, bytes, Mapping)) or not isinstance(
            controls, Iterable
        ):
            raise TypeError(
                f"controls must be a list of controls (slider(), dropdown(), "
                f"toggle()), got {type(controls).__name__} {controls!r}"
            )
        controls = tuple(controls)
        names = set()
        for i, c in enumerate(controls):
            if not isinstance(c, Control):
                raise TypeError(
                    f"controls[{i}] must be made by slider(), dropdown() "
                    f"or toggle(), got {type(c).__name__} {c!r}"
                )
            if c.name in names:
                raise ValueError(f"controls: two controls are named {c.name!r}")
            names.add(c.name)
        n_frames = math.prod(len(c.values) for c in controls)
        if n_frames > MAX_FRAMES:
            sizes = " x ".join(f"{c.name}: {len(c.values)}" for c in controls)
            raise ValueError(
                f"controls have {n_frames} combinations of values "
                f"({sizes}), more than {MAX_FRAMES}: give the controls "
                f"fewer values"
            )
        if not callable(compute):
            raise TypeError(
                f"compute must be a function, got {type(compute).__name__} {compute!r}"
            )
        if isinstance(panels, Panel):
            panels = [panels]
        if isinstance(panels, (str, bytes, Mapping)) or not isinstance(
            panels, Iterable
        ):
            raise TypeError(
                f"panels must be a Panel or a list of 1 to 3 Panel objects, got "
                f"{type(panels).__name__} {panels!r}"
            )
        panels = list(panels)
        if not 1 <= len(panels) <= 3:
            raise ValueError(
                f"panels must hold 1 to 3 Panel objects, got {len(panels)}"
            )
        specs, color = [], 0
        for i, p in enumerate(panels):
            spec, color = _resolve_panel(i, p, color)
            specs.append(spec)
        self._controls = controls
        self._compute = compute
        self._specs = specs
        self._index = [c.index for c in controls]
        self._ylog = [p.yscale == "log" for p in panels]
        self.title = title
        self.caption = caption
        self.recipe = recipe
        self.max_bytes = int(max_bytes)
        self._size = (width, height)
        self._frames: list | None = None
        self._limits: list | None = None
        self._frame_limits: list | None = None
        self._html: tuple | None = None
        self._fig = None
        self._widget = None
        self._background = None
        self._background_key = None

    # -- state ---------------------------------------------------------------------
    @property
    def controls(self) -> tuple:
        """The controls, in order."""
        return self._controls

    @property
    def panels(self) -> list:
        """The panels, in order."""
        return [s.panel for s in self._specs]

    @property
    def values(self) -> dict:
        """The current value of every control, ``{name: value}``."""
        return {
            c.name: c.values[i]
            for c, i in zip(self._controls, self._index, strict=True)
        }

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
        if self._widget is not None:
            self._sync_widgets()
            self._redraw()
        return self

    def set_log(self, panel: int = 0, log: bool = True) -> Explorer:
        """Switch the y axis of a panel with a log toggle between linear and log.

        Raises:
            TypeError: ``panel`` is not an integer.
            ValueError: no such panel, or it has no log toggle.
        """
        n = len(self._specs)
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
        if not self._specs[panel].panel.log_toggle:
            toggles = [p for p, s in enumerate(self._specs) if s.panel.log_toggle]
            raise ValueError(
                f"panel={panel}: panels[{panel}] has no log toggle (log_toggle=False);"
                f" panels with one: {toggles or 'none'}"
            )
        self._ylog[panel] = bool(log)
        if self._widget is not None:
            self._sync_widgets()
            self._redraw()
        return self

    # -- data ----------------------------------------------------------------------
    def _frame_number(self, index: Sequence[int]) -> int:
        k = 0
        for c, i in zip(self._controls, index, strict=True):
            k = k * len(c.values) + i
        return k

    def _combinations(self):
        return itertools.product(*(range(len(c.values)) for c in self._controls))

    def compute(self, **values) -> _Frame:
        """Call ``compute`` for these control values and check what it returns."""
        for name, value in values.items():  # validate names and values
            self._control(name).index_of(value)
        missing = [c.name for c in self._controls if c.name not in values]
        if missing:
            raise ValueError(f"values are missing for controls {missing}")
        return self._normalise(self._compute(**values), values)

    def _control(self, name: str) -> Control:
        for c in self._controls:
            if c.name == name:
                return c
        raise ValueError(f"{name} is not a control of this explorer")

    def _normalise(self, out, values) -> _Frame:
        where = ", ".join(f"{k}={v!r}" for k, v in values.items()) or "no controls"
        note = None
        if isinstance(out, Frame):
            note = None if out.note is None else str(out.note)
            out = out.series
        if isinstance(out, Mapping):
            out = [out]
        if not isinstance(out, (list, tuple)) or len(out) != len(self._specs):
            raise ValueError(
                f"compute must return a dict of series per panel "
                f"({len(self._specs)} panel(s)), got {type(out).__name__} "
                f"(at {where})"
            )
        panels = []
        for p, (series, spec) in enumerate(zip(out, self._specs, strict=True)):
            if not isinstance(series, Mapping):
                raise ValueError(
                    f"compute must return a dict {{name: (x, y)}} for "
                    f"panel {p}, got {type(series).__name__} (at {where})"
                )
            clean = {}
            for name, xy in series.items():
                if name not in spec.names:
                    raise ValueError(
                        f"compute returned series {name!r}, which panel "
                        f"{p} does not declare (lines: {spec.names}; at "
                        f"{where})"
                    )
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
                clean[name] = (x, y)
            panels.append(clean)
        return _Frame(panels, note)

    def _all_frames(self) -> list:
        if self._frames is None:
            frames = []
            for index in self._combinations():
                values = {
                    c.name: c.values[i]
                    for c, i in zip(self._controls, index, strict=True)
                }
                frames.append(self._normalise(self._compute(**values), values))
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
        ``None`` for an ``"auto"`` axis, whose limits follow each combination's data
        (see :meth:`frame_limits`). ``"ylog"`` is for a panel's log toggle (``None``
        without one).
        """
        if self._limits is None:
            frames = self._all_frames()
            out = []
            for p, spec in enumerate(self._specs):
                panel = spec.panel
                x_all, y_all = self._panel_values(p, frames)
                lim = {"x": _fixed(panel.xlim, x_all, panel.xscale == "log", 0.0)}
                lim["y"] = _fixed(panel.ylim, y_all, panel.yscale == "log", 0.05)
                lim["ylog"] = (
                    _fixed(panel.ylim, y_all, True, 0.05) if panel.log_toggle else None
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
        value, plus the margins).

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
                    axis != "ylog" or self._specs[p].panel.log_toggle
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
                out = []
                for frame in self._all_frames():
                    lims = [dict(lim) for lim in fixed]
                    values = {}
                    for p, axis in auto:
                        if p not in values:
                            values[p] = self._panel_values(p, [frame])
                        panel = self._specs[p].panel
                        if axis == "x":
                            log, v, margin = panel.xscale == "log", values[p][0], 0.0
                        else:
                            log = axis == "ylog" or panel.yscale == "log"
                            v, margin = values[p][1], 0.05
                        lims[p][axis] = _fixed(None, v, log, margin)
                    out.append(lims)
                self._frame_limits = out
        return self._frame_limits[f]

    def _panel_values(self, p: int, frames: list) -> tuple:
        """All the x and all the y values panel ``p`` shows in ``frames``."""
        spec = self._specs[p]
        xs = [s[0] for f in frames for s in f.panels[p].values()]
        ys = [s[1] for f in frames for s in f.panels[p].values()]
        xs += [c[0] for c in spec.contours]
        ys += [c[1] for c in spec.contours]
        if spec.panel.image is not None:
            e = tuple(float(v) for v in spec.panel.image[1])
            xs.append(np.array(e[:2]))
            ys.append(np.array(e[2:]))
        x_all = np.concatenate(xs) if xs else np.zeros(1)
        y_all = np.concatenate(ys) if ys else np.zeros(1)
        return x_all, y_all

    # -- live view: matplotlib + ipywidgets ---------------------------------------
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
        n = len(self._specs)
        width, height = self._size
        fig, axes = plotting.figure(n, width=width, height=height)
        self._artists = []
        self._legends = [None] * n
        self._legend_keys = [()] * n
        with plotting.style():
            for ax, spec in zip(axes, self._specs, strict=True):
                panel = spec.panel
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
                for cx, cy in spec.contours:
                    ax.plot(cx, cy, color="#a8b0ba", linewidth=0.8, zorder=1)
                artists = {}
                for name, line in zip(spec.names, spec.lines, strict=True):
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
                self._artists.append(artists)
                if panel.equal_aspect:
                    ax.set_aspect("equal", adjustable="box")
        self._fig, self._axes = fig, axes
        self._apply(self._frame_number(self._index))

    def _apply(self, f: int) -> None:
        """Put frame ``f``'s data into the existing artists; set axes and legends."""
        frame = self._all_frames()[f]
        limits = self._limits_of(f)
        for p, (ax, spec) in enumerate(zip(self._axes, self._specs, strict=True)):
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
                for name, line in zip(spec.names, spec.lines, strict=True)
                if line.label and name in series
            )
            if shown != self._legend_keys[p]:
                self._set_legend(p, shown)
            log = self._ylog[p]
            scale = "log" if log else "linear"
            if ax.get_yscale() != scale:
                ax.set_yscale(scale)
            lim = limits[p]
            ax.set_xlim(*lim["x"])
            ax.set_ylim(*(lim["ylog"] if (log and spec.panel.log_toggle) else lim["y"]))

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
        axis limits or scales, or (the legend) with the set of series drawn; they are
        drawn once and kept as a bitmap (blitting). A change of control then redraws
        the lines only.
        """
        canvas = self.figure.canvas
        key = tuple(
            (ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(), shown)
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
    def _note_html(frame: _Frame) -> str:
        if not frame.note:
            return ""
        lines = "<br>".join(_html.escape(t) for t in frame.note.splitlines())
        return f'<div style="font-family:monospace;font-size:85%">{lines}</div>'

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
        rows = []
        style = {"description_width": "initial"}
        html_ok = int(W.__version__.split(".")[0]) >= 8  # Colab still has ipywidgets 7

        def describe(text: str) -> dict:
            if html_ok:
                return dict(
                    description=tex_html(text), description_allow_html=True, style=style
                )
            return dict(description=tex_plain(text), style=style)

        for k, c in enumerate(self._controls):
            common = describe(c.label)
            if c.kind == "slider":
                w = W.SelectionSlider(
                    options=[(lab, i) for i, lab in enumerate(c.labels)],
                    value=self._index[k],
                    continuous_update=True,
                    readout=True,
                    layout=W.Layout(width="min(100%, 34rem)"),
                    **common,
                )
            elif c.kind == "dropdown":
                w = W.Dropdown(
                    options=[(lab, i) for i, lab in enumerate(c.labels)],
                    value=self._index[k],
                    **common,
                )
            else:
                w = W.Checkbox(value=bool(self._index[k]), indent=False, **common)
            w.observe(functools.partial(self._on_control, k), names="value")
            self._control_widgets[c.name] = w
            rows.append(w)
        for p, spec in enumerate(self._specs):
            if spec.panel.log_toggle:
                label = "log scale" + (
                    f" ({spec.panel.title})"
                    if len(self._specs) > 1 and spec.panel.title
                    else ""
                )
                w = W.Checkbox(value=self._ylog[p], indent=False, **describe(label))
                w.observe(functools.partial(self._on_log, p), names="value")
                self._control_widgets[f"log:{p}"] = w
                rows.append(w)
        px = int(round(self.figure.get_figwidth() * self.figure.dpi))
        self._image = W.Image(
            value=self._render_png(),
            format="png",
            layout=W.Layout(width="100%", max_width=f"{px}px"),
        )
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
        self._redraw()

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
            for p, _spec in enumerate(self._specs):
                w = self._control_widgets.get(f"log:{p}")
                if w is not None:
                    w.value = self._ylog[p]
        finally:
            self._syncing = False

    # -- kernel-free view: HTML + SVG + JavaScript --------------------------------
    def payload(self) -> dict:
        """The JSON specification embedded in the web version (with the data blob)."""
        return self._build_html()[1]

    def payload_size(self) -> int:
        """Size in bytes of the ``text/html`` version (everything it embeds)."""
        return len(self.to_html().encode("utf-8"))

    def to_html(self) -> str:
        """The self-contained HTML/SVG/JavaScript version of the explorer."""
        return self._build_html()[0]

    def _build_html(self):
        key = (tuple(self._index), tuple(self._ylog))
        if self._html is None or self._html[0] != key:
            spec = self._spec()
            text = _render_html(spec, self._static_png(), self.title)
            size = len(text.encode("utf-8"))
            if size > self.max_bytes:
                raise ValueError(
                    f"the explorer's web version is {size / 1000:.0f} KB, over its "
                    f"budget max_bytes={self.max_bytes / 1000:.0f} KB: give the "
                    f"controls fewer values, shorten the series, or raise max_bytes"
                )
            self._html = (key, text, spec)
        return self._html[1], self._html[2]

    def _spec(self) -> dict:
        frames = self._all_frames()
        limits = self.limits()
        pool = _Pool()
        slots = [(p, name) for p, s in enumerate(self._specs) for name in s.names]
        table = np.full((len(frames), len(slots), 2), -1, dtype=np.int32)
        for f, frame in enumerate(frames):
            for k, (p, name) in enumerate(slots):
                if name in frame.panels[p]:
                    x, y = frame.panels[p][name]
                    line = self._specs[p].lines[self._specs[p].names.index(name)]
                    if line.simplify and not line.marker:
                        keep = _simplify_mask(x, y, self._specs[p].panel, limits[p])
                        x, y = x[keep], y[keep]
                    table[f, k] = (pool.add(x), pool.add(y))
        # "auto" limits, computed here for every frame: the page only reads them
        auto = self._auto_axes()
        auto_at = {key: 2 * k for k, key in enumerate(auto)}
        frame_limits = np.array(
            [
                [v for p, axis in auto for v in self._limits_of(f)[p][axis]]
                for f in range(len(frames))
            ],
            dtype="<f8",
        ).reshape(len(frames), 2 * len(auto))
        panels = []
        for p, spec in enumerate(self._specs):
            panel = spec.panel
            contours = [[pool.add(cx), pool.add(cy)] for cx, cy in spec.contours]
            lim = limits[p]
            panels.append(
                {
                    "title": _tex_runs(panel.title) if panel.title else None,
                    "xlabel": _tex_runs(panel.xlabel),
                    "ylabel": _tex_runs(panel.ylabel),
                    "xscale": panel.xscale,
                    "yscale": panel.yscale,
                    "logToggle": bool(panel.log_toggle),
                    "log": bool(self._ylog[p]),
                    "xlim": _jsonlim(lim["x"]),
                    "ylim": _jsonlim(lim["y"]),
                    "ylimLog": _jsonlim(lim["ylog"]),
                    # where a frame's "auto" limits are in its row of the limits table
                    "autoLim": {
                        axis: auto_at.get((p, axis)) for axis in ("x", "y", "ylog")
                    },
                    "equal": bool(panel.equal_aspect),
                    "contours": contours,
                    "image": _image_uri(panel.image)
                    if panel.image is not None
                    else None,
                    "imageExtent": (
                        None
                        if panel.image is None
                        else [float(e) for e in panel.image[1]]
                    ),
                    "lines": [
                        {
                            "name": n,
                            "label": _tex_runs(ln.label) if ln.label else None,
                            "text": tex_plain(ln.label) if ln.label else n,
                            "color": ln.color,
                            "dash": _DASHES[ln.dash],
                            "width": ln.width,
                            "marker": ln.marker,
                        }
                        for n, ln in zip(spec.names, spec.lines, strict=True)
                    ],
                }
            )
        notes = [f.note for f in frames]
        has_notes = any(n is not None for n in notes)
        note_bytes = b""
        note_index = None
        if has_notes:
            uniq: dict = {}
            note_index = np.array(
                [uniq.setdefault(n or "", len(uniq)) for n in notes], dtype=np.int32
            )
            note_bytes = json.dumps(list(uniq), ensure_ascii=False).encode("utf-8")
        blob, n_arrays = pool.blob(table, note_index, frame_limits, note_bytes)
        body = {
            "v": 1,
            "title": _tex_runs(self.title) if self.title else None,
            "caption": _tex_runs(self.caption) if self.caption else None,
            "controls": [
                {
                    "name": c.name,
                    "kind": c.kind,
                    "label": _tex_runs(c.label),
                    "text": tex_plain(c.label),
                    "labels": list(c.labels),
                    "index": i,
                }
                for c, i in zip(self._controls, self._index, strict=True)
            ],
            "panels": panels,
            "nFrames": len(frames),
            "nSlots": len(slots),
            "nArrays": n_arrays,
            "notes": len(note_bytes) if has_notes else None,
            "nLimits": frame_limits.shape[1],
            "font": plotting.FONT,
            "grid": plotting.GRID,
            "blob": base64.b64encode(blob).decode("ascii"),
        }
        digest = hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest()
        body["id"] = "lrx-" + digest[:10]
        body["recipe"] = _recipe_json(self.recipe)
        if self.recipe is None:
            # No way to rebuild this explorer elsewhere: embed, at full precision, what
            # one combination (every control at its last value) must draw, so that a
            # browser test can still compare the page with Python's values.
            last = [len(c.values) - 1 for c in self._controls]
            body["check"] = {
                "index": last,
                "series": [
                    {name: [_b64_f64(x), _b64_f64(y)] for name, (x, y) in panel.items()}
                    for panel in frames[self._frame_number(last)].panels
                ],
            }
        return body

    def _static_png(self) -> str:
        """The current frame as a small PNG data URI, for where JavaScript is off."""
        from PIL import Image

        fig = self.figure
        old = fig.get_dpi()
        try:
            fig.set_dpi(72)
            canvas = fig.canvas
            canvas.draw()
            img = Image.frombuffer(
                "RGBA",
                canvas.get_width_height(physical=True),
                canvas.buffer_rgba(),
                "raw",
                "RGBA",
                0,
                1,
            )
            img = img.convert("RGB").quantize(
                colors=32, method=Image.Quantize.MEDIANCUT
            )
            buf = io.BytesIO()
            img.save(buf, format="PNG", optimize=True)
        finally:
            fig.set_dpi(old)
            self._background = None
        return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()

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


def _agg_canvas():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    return FigureCanvasAgg


def _fixed(spec, values: np.ndarray, log: bool, margin: float):
    """Fixed axis limits from all the data (``spec``: None, 'auto' or (lo, hi))."""
    if spec == "auto":
        return None
    lo_s, hi_s = (None, None) if spec is None else spec
    if log:  # a bound <= 0 (e.g. a linear axis from 0) cannot be drawn on a log axis
        lo_s = None if lo_s is None or lo_s <= 0 else lo_s
        hi_s = None if hi_s is None or hi_s <= 0 else hi_s
    if lo_s is not None and hi_s is not None:
        return (float(lo_s), float(hi_s))
    v = values[values > 0] if log else values
    if v.size == 0:
        v = np.array([1.0])
    lo, hi = float(v.min()), float(v.max())
    if lo_s is not None:
        lo = float(lo_s)
    if hi_s is not None:
        hi = float(hi_s)
    if log:
        if lo_s is None:  # a tail far below the rest would squash everything else
            lo = max(lo, hi / 10**LOG_DECADES)
        a, b = math.log10(lo), math.log10(hi)
        if a == b:
            a, b = a - 0.5, b + 0.5
        pad = (b - a) * margin
        return (
            10 ** (a - (pad if lo_s is None else 0)),
            10 ** (b + (pad if hi_s is None else 0)),
        )
    if lo == hi:
        d = abs(lo) * 0.1 or 1.0
        lo, hi = (lo - d if lo_s is None else lo), (hi + d if hi_s is None else hi)
    pad = (hi - lo) * margin
    return (lo - (pad if lo_s is None else 0), hi + (pad if hi_s is None else 0))


def _jsonlim(lim):
    return None if lim is None else [float(lim[0]), float(lim[1])]


def _simplify_mask(
    x: np.ndarray, y: np.ndarray, panel: Panel, lim: dict, tol: float = 5e-4
) -> np.ndarray:
    """Points to keep so the polyline moves by < ``tol`` of the axes (each scale)."""
    n = x.size
    if n <= 2:
        return np.ones(n, dtype=bool)

    def norm(v, scale, limit):
        if scale == "log":
            v = np.log10(np.where(v > 0, v, np.nan))
            limit = None if limit is None else tuple(math.log10(t) for t in limit)
        finite = v[np.isfinite(v)]
        if finite.size == 0:
            return v
        lo, hi = (float(finite.min()), float(finite.max())) if limit is None else limit
        return (v - lo) / ((hi - lo) or 1.0)

    keep = np.zeros(n, dtype=bool)
    nx = norm(x, panel.xscale, lim["x"])
    scales = [("log" if panel.yscale == "log" else "linear", lim["y"])]
    if panel.log_toggle:
        scales.append(("log", lim["ylog"]))
    for scale, limit in scales:
        ny = norm(y, scale, limit)
        ok = np.isfinite(nx) & np.isfinite(ny)
        keep |= ~ok  # points a log axis cannot show break the line: keep them all
        # simplify each run of drawable points on its own
        edges = np.flatnonzero(np.diff(np.concatenate(([0], ok.astype(np.int8), [0]))))
        for start, stop in zip(edges[::2], edges[1::2], strict=True):
            keep[start:stop] |= _rdp(nx[start:stop], ny[start:stop], tol)
    return keep


def _rdp(x: np.ndarray, y: np.ndarray, tol: float) -> np.ndarray:
    """Ramer-Douglas-Peucker: the points within ``tol`` of the simplified polyline."""
    n = x.size
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        xs, ys = x[i + 1 : j], y[i + 1 : j]
        dx, dy = x[j] - x[i], y[j] - y[i]
        d2 = dx * dx + dy * dy
        if d2 == 0:
            dist = np.hypot(xs - x[i], ys - y[i])
        else:
            t = np.clip(((xs - x[i]) * dx + (ys - y[i]) * dy) / d2, 0.0, 1.0)
            dist = np.hypot(xs - (x[i] + t * dx), ys - (y[i] + t * dy))
        k = int(np.argmax(dist))
        if dist[k] > tol:
            m = i + 1 + k
            keep[m] = True
            stack.append((i, m))
            stack.append((m, j))
    return keep


class _Pool:
    """De-duplicated float32 arrays, packed with the frame table into one blob."""

    def __init__(self):
        self._index: dict = {}
        self._arrays: list = []

    def add(self, a: np.ndarray) -> int:
        a32 = np.ascontiguousarray(a, dtype="<f4")
        key = a32.tobytes()
        k = self._index.get(key)
        if k is None:
            k = self._index[key] = len(self._arrays)
            self._arrays.append(a32)
        return k

    def blob(
        self, table: np.ndarray, note_index, limits: np.ndarray, note_bytes: bytes
    ) -> tuple:
        """Array lengths (uint32), the frame table (int32), the note of each frame
        (int32, if any), the auto axis limits of each frame (float64, ``nLimits`` per
        frame), the arrays (float32, byte-shuffled), the notes (JSON); deflated."""
        lengths = np.array([a.size for a in self._arrays], dtype="<u4")
        parts = [lengths.tobytes(), table.astype("<i4").tobytes()]
        if note_index is not None:
            parts.append(note_index.astype("<i4").tobytes())
        parts.append(np.ascontiguousarray(limits, dtype="<f8").tobytes())
        data = np.concatenate(self._arrays) if self._arrays else np.zeros(0, "<f4")
        parts.append(_shuffle(data.astype("<f4")))
        parts.append(note_bytes)
        return zlib.compress(b"".join(parts), 9), len(self._arrays)


def _b64_f64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f8").tobytes()).decode()


def _shuffle(a32: np.ndarray) -> bytes:
    """Byte-shuffle float32 data (all first bytes, then all second...): packs better."""
    return a32.view(np.uint8).reshape(-1, 4).T.tobytes()


def decode(spec: dict) -> list:
    """Decode an explorer's embedded data, as the page's JavaScript does.

    Args:
        spec: :meth:`Explorer.payload` (or the JSON embedded in a page).

    Returns:
        One entry per frame (combination of control values, the last control varying
        fastest): a list per panel of ``{name: (x, y)}`` float32 arrays, and the note.
    """
    raw = zlib.decompress(base64.b64decode(spec["blob"]))
    n, n_frames, n_slots = spec["nArrays"], spec["nFrames"], spec["nSlots"]
    lengths = np.frombuffer(raw, "<u4", n, 0)
    off = 4 * n
    table = np.frombuffer(raw, "<i4", n_frames * n_slots * 2, off).reshape(
        n_frames, n_slots, 2
    )
    off += table.nbytes
    notes_idx = None
    if spec["notes"] is not None:
        notes_idx = np.frombuffer(raw, "<i4", n_frames, off)
        off += notes_idx.nbytes
    off += 8 * n_frames * spec.get("nLimits", 0)  # see decode_limits
    total = int(lengths.sum())
    shuffled = np.frombuffer(raw, np.uint8, 4 * total, off)
    data = shuffled.reshape(4, total).T.copy().view("<f4").ravel()
    off += 4 * total
    notes = json.loads(raw[off:].decode("utf-8")) if notes_idx is not None else None
    arrays, start = [], 0
    for length in lengths:
        arrays.append(data[start : start + length])
        start += int(length)
    slots = [
        (p, line["name"])
        for p, panel in enumerate(spec["panels"])
        for line in panel["lines"]
    ]
    out = []
    for f in range(n_frames):
        panels = [{} for _ in spec["panels"]]
        for k, (p, name) in enumerate(slots):
            ix, iy = table[f, k]
            if ix >= 0:
                panels[p][name] = (arrays[ix], arrays[iy])
        out.append((panels, None if notes is None else notes[notes_idx[f]] or None))
    return out


def decode_limits(spec: dict) -> list:
    """The axis limits an explorer's page draws, frame by frame, as its JavaScript does.

    Fixed limits come from the panels of ``spec``; an ``"auto"`` axis reads its
    frame's limits from the embedded table (computed by :meth:`Explorer.frame_limits`;
    the page computes none itself).

    Args:
        spec: :meth:`Explorer.payload` (or the JSON embedded in a page).

    Returns:
        One entry per frame (in the order of :func:`decode`): per panel
        ``{"x": (lo, hi), "y": (lo, hi), "ylog": (lo, hi) or None}``.
    """
    raw = zlib.decompress(base64.b64decode(spec["blob"]))
    n, n_frames, n_slots = spec["nArrays"], spec["nFrames"], spec["nSlots"]
    off = 4 * n + 4 * n_frames * n_slots * 2
    if spec["notes"] is not None:
        off += 4 * n_frames
    n_lim = spec.get("nLimits", 0)
    table = np.frombuffer(raw, "<f8", n_frames * n_lim, off).reshape(n_frames, n_lim)
    out = []
    for f in range(n_frames):
        panels = []
        for panel in spec["panels"]:
            lim = {}
            for axis, key in (("x", "xlim"), ("y", "ylim"), ("ylog", "ylimLog")):
                at = panel.get("autoLim", {}).get(axis)
                fixed = panel[key]
                if at is not None:
                    lim[axis] = (float(table[f, at]), float(table[f, at + 1]))
                else:
                    lim[axis] = None if fixed is None else tuple(fixed)
            panels.append(lim)
        out.append(panels)
    return out


def _image_uri(image) -> str:
    from matplotlib import colormaps
    from PIL import Image

    arr = np.asarray(image[0], dtype=np.float64)
    lo, hi = float(arr.min()), float(arr.max())
    rgba = colormaps["Blues"]((arr - lo) / ((hi - lo) or 1.0))
    rgba[..., 3] = 0.55
    img = Image.fromarray((rgba[::-1] * 255).astype(np.uint8), "RGBA")
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


# --------------------------------------------------------------------------------------
# HTML assembly
# --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _library() -> str:
    """The page-side library (drawing only) and its CSS, lightly minified."""
    js = (_HERE / "_explore.js").read_text(encoding="utf-8")
    css = (_HERE / "_explore.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"\s*\n\s*", "", css)
    js = js.replace('"__LRBOOK_CSS__"', json.dumps(css))
    lines = []
    for line in js.splitlines():
        s = line.strip()
        if not s or s.startswith("//"):
            continue
        lines.append(s)
    return "\n".join(lines)


def _script_safe(text: str) -> str:
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _render_html(spec: dict, static_png: str, title: str | None) -> str:
    data = _script_safe(json.dumps(spec, separators=(",", ":"), ensure_ascii=False))
    alt = tex_plain(title) if title else "interactive figure"
    return (
        f'<div class="lrbook-explorer" id="{spec["id"]}" data-lrbook-explorer="'
        f'{spec["id"]}" role="group" aria-label="{_html.escape(alt)}">'
        f'<script type="application/json" class="lrx-spec">{data}</script>'
        f'<img class="lrx-static" src="{static_png}" alt="{_html.escape(alt)} '
        f'(a static picture: the interactive version needs JavaScript)" '
        f'style="max-width:100%;height:auto">'
        f"</div>\n<script>{_script_safe(_library())}</script>"
    )


# --------------------------------------------------------------------------------------
# Recipes: rebuild an explorer from JSON in another process (used by the browser test)
# --------------------------------------------------------------------------------------


def _to_json(v):
    v = _plain(v)
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        if not math.isfinite(v):
            raise TypeError("non-finite float")
        return v
    if isinstance(v, _schedules.Schedule):
        return {"$schedule": v.name, "params": _to_json(v.params)}
    if callable(v) and getattr(_schedules, getattr(v, "__name__", ""), None) is v:
        return {"$factory": v.__name__}
    if isinstance(v, Control):
        return {
            "$control": v.kind,
            "name": v.name,
            "values": _to_json(list(v.values)),
            "labels": list(v.labels),
            "index": v.index,
            "label": v.label,
        }
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_to_json(u) for u in v]
    if isinstance(v, Mapping) and all(isinstance(k, str) for k in v):
        if any(k.startswith("$") for k in v):
            raise TypeError("reserved key")
        return {k: _to_json(u) for k, u in v.items()}
    raise TypeError(f"cannot encode {type(v).__name__}")


def _from_json(v):
    if isinstance(v, list):
        return [_from_json(u) for u in v]
    if isinstance(v, dict):
        if "$schedule" in v:
            return getattr(_schedules, v["$schedule"])(**_from_json(v["params"]))
        if "$factory" in v:
            return getattr(_schedules, v["$factory"])
        if "$control" in v:
            return Control(
                v["name"],
                v["$control"],
                tuple(_from_json(v["values"])),
                tuple(v["labels"]),
                v["index"],
                v["label"],
            )
        return {k: _from_json(u) for k, u in v.items()}
    return v


def _recipe_json(recipe):
    return None if recipe is None else json.loads(json.dumps(recipe))


def reproducible(func: Callable) -> Callable:
    """Decorate a function of ``lrbook`` that returns an :class:`Explorer`.

    The explorer then carries a *recipe* (the function's name and JSON-encoded
    arguments) so that :func:`rebuild` can make the same explorer in another process;
    the browser test uses it to compute, itself, what each explorer of the website
    should draw. Arguments that cannot be encoded simply leave the recipe out.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        ex = func(*args, **kwargs)
        if isinstance(ex, Explorer) and ex.recipe is None:
            try:
                ex.recipe = {
                    "call": f"{func.__module__}.{func.__qualname__}",
                    "args": _to_json(list(args)),
                    "kwargs": _to_json(kwargs),
                }
            except TypeError:
                ex.recipe = None
        return ex

    wrapper._lrbook_reproducible = True
    return wrapper


def rebuild(recipe: dict) -> Explorer:
    """Make the explorer described by a recipe (see :func:`reproducible`).

    Raises:
        ValueError: the recipe does not name a reproducible function of ``lrbook``.
    """
    call = recipe.get("call", "") if isinstance(recipe, dict) else ""
    module, _, name = call.rpartition(".")
    if not (module == "lrbook" or module.startswith("lrbook.")):
        raise ValueError(f"recipe must call a function of lrbook, got {call!r}")
    func = getattr(importlib.import_module(module), name, None)
    if not getattr(func, "_lrbook_reproducible", False):
        raise ValueError(f"recipe calls {call!r}, which is not marked @reproducible")
    return func(
        *_from_json(recipe.get("args", [])), **_from_json(recipe.get("kwargs", {}))
    )


# --------------------------------------------------------------------------------------
# Schedules: lrbook.explore.schedule(...)
# --------------------------------------------------------------------------------------

FACTORIES = {name: getattr(_schedules, name) for name in _schedules.FACTORIES}

#: How a schedule parameter is shown on a slider: (symbol in TeX, unit).
PARAMETERS = {
    "lr": (r"\alpha_0", None),
    "gamma": (r"\gamma", None),
    "step_size": ("s", "steps"),
    "milestones": (None, "steps"),
    "t_max": (r"T_{\max}", "steps"),
    "eta_min": (r"\eta_{\min}", None),
    "t_0": ("T_0", "steps"),
    "t_mult": ("m", None),
    "base_lr": (r"\alpha_{\mathrm{base}}", None),
    "max_lr": (r"\alpha_{\max}", None),
    "step_size_up": ("u", "steps"),
    "step_size_down": ("d", "steps"),
    "total_steps": ("N", "steps"),
    "pct_start": (None, "fraction of N"),
    "div_factor": (None, None),
    "final_div_factor": (None, None),
    "start_factor": ("f_s", None),
    "end_factor": ("f_e", None),
    "total_iters": ("T", "steps"),
}

X_LABEL = plotting.axis_label("update", "optimizer steps", symbol="t")
Y_LABEL = plotting.axis_label("learning rate", symbol=r"\alpha_t")


def _param_label(param: str, owner: str | None = None) -> str:
    symbol, unit = PARAMETERS.get(param, (None, None))
    text = param
    if symbol:
        text += f" ${symbol}$"
    extra = ", ".join(u for u in (unit, owner) if u)
    return f"{text} ({extra})" if extra else text


def _factory(item, where: str):
    if isinstance(item, str):
        if item not in FACTORIES:
            raise ValueError(
                f"{where} must name an lrbook schedule "
                f"({', '.join(FACTORIES)}), got {item!r}"
            )
        return FACTORIES[item]
    for f in FACTORIES.values():
        if item is f:
            return f
    # a function but not one of FACTORIES: a wrong value; anything else: a wrong type
    error = ValueError if callable(item) else TypeError
    raise error(
        f"{where} must be an lrbook schedule, a factory such as "
        f"lrbook.step_decay ({', '.join(FACTORIES)}), or its name, got "
        f"{type(item).__name__} {item!r}"
    )


@reproducible
def schedule(
    spec,
    sliders: Mapping | None = None,
    *,
    horizon: int | None = None,
    labels: Sequence[str] | None = None,
    title: str | None = None,
    log: bool = False,
    log_toggle: bool = True,
    ylim=(0, None),
    max_bytes: int = MAX_BYTES,
    **params,
) -> Explorer:
    r"""An explorer of one learning-rate schedule, or a comparison of several.

    Args:
        spec: the schedule: a factory (``lrbook.step_decay``) or its name
            (``"step_decay"``) whose fixed arguments are ``**params``; or a
            :class:`~lrbook.schedules.Schedule`; or, to compare, a list of schedules
            or ``(factory or name, {params})`` pairs, drawn on one plot.
        sliders: ``{parameter: values}``: a slider (numbers), a dropdown (strings) or a
            toggle (``[False, True]``) per parameter; a :class:`Control` is used as
            given. In a comparison, ``"gamma"`` moves every schedule that has a
            ``gamma``; ``"step_decay.gamma"`` or ``"0.gamma"`` only the one so named
            (by factory name or position).
        horizon: the number of steps drawn (``t = 0 ... horizon - 1``); default the
            schedules' length when they have one (``one_cycle``), else 100.
        labels: legend labels of a comparison (default the factory names).
        title: the figure's title.
        log: start with a log-scaled y axis.
        log_toggle: offer a "log scale" checkbox.
        ylim: y limits, as for :class:`Panel` (default from 0 to the largest rate).
        max_bytes: size budget of the web version.
        **params: the fixed arguments of a single factory (a parameter that also has a
            slider sets the slider's initial value).

    Returns:
        An :class:`Explorer`.

    Raises:
        TypeError: an argument of the wrong type, e.g. slider values that are not a
            list (the message names it).
        ValueError: an unknown schedule or parameter (the message names it), a slider
            value the factory rejects, or an explorer over its budget.

    Examples:
        >>> import lrbook
        >>> ex = schedule(lrbook.cosine_annealing, {"t_max": [50, 100]}, lr=0.1,
        ...               horizon=120)
        >>> ex.values
        {'t_max': 50}
        >>> cmp = schedule([lrbook.step_decay(0.1, 30, 0.5),
        ...                 ("cosine_annealing", {"lr": 0.1, "t_max": 100})],
        ...                sliders={"lr": [0.05, 0.1, 0.2]}, horizon=100)
        >>> sorted(cmp.series()[0])
        ['cosine_annealing', 'step_decay']
    """
    entries = _entries(spec, params)
    if sliders is not None and not isinstance(sliders, Mapping):
        raise TypeError(
            f"sliders must be a dict {{parameter: values}} or None, got "
            f"{type(sliders).__name__} {sliders!r}"
        )
    sliders = dict(sliders or {})
    names = [e[0].__name__ for e in entries]
    if labels is None:  # the factory names; numbered when one is compared with itself
        labels = [
            n if names.count(n) == 1 else f"{n} {names[: k + 1].count(n)}"
            for k, n in enumerate(names)
        ]
    labels = list(labels)
    if len(labels) != len(entries):
        raise ValueError(
            f"labels must hold one label per schedule ({len(entries)}), "
            f"got {len(labels)}"
        )
    if len(set(labels)) != len(labels):
        raise ValueError(f"labels must be distinct (name the schedules), got {labels}")
    # map every slider to the (entry, parameter) pairs it moves
    import inspect

    controls, targets = [], []
    for key, values in sliders.items():
        if not isinstance(key, str):
            raise TypeError(
                f"sliders keys must be parameter names (str), got "
                f"{type(key).__name__} {key!r}"
            )
        owner, _, param = key.rpartition(".")
        hits = []
        for k, (factory, _fixed) in enumerate(entries):
            if owner and owner not in (str(k), names[k], labels[k]):
                continue
            if param in inspect.signature(factory).parameters:
                hits.append(k)
        if not hits:
            where = f"schedule {owner!r}" if owner else "any of the schedules"
            raise ValueError(
                f"{key} is not a parameter of {where} ({', '.join(names)})"
            )
        ctrl_name = key.replace(".", "_")
        if not ctrl_name.isidentifier():
            ctrl_name = "p_" + ctrl_name
        default = entries[hits[0]][1].get(param) if len(entries) == 1 or owner else None
        label = _param_label(
            param, (labels[hits[0]] if owner and len(entries) > 1 else None)
        )
        if isinstance(values, np.ndarray):
            values = values.tolist()  # e.g. np.linspace(...): plain numbers
        if not isinstance(values, Control) and (
            isinstance(values, (str, bytes)) or not isinstance(values, Sequence)
        ):
            raise TypeError(
                f"sliders[{key!r}] must be a list of values (numbers, strings or "
                f"[False, True]) or a Control, got {type(values).__name__} {values!r}"
            )
        if isinstance(values, Control):
            ctrl = values
            ctrl_name = ctrl.name
        elif values and all(isinstance(v, bool) for v in values):
            ctrl = toggle(
                ctrl_name, bool(default) if default is not None else False, label=label
            )
        elif values and all(isinstance(v, str) for v in values):
            ctrl = dropdown(
                ctrl_name,
                list(values),
                default if default in values else None,
                label=label,
            )
        else:
            try:
                ctrl = slider(ctrl_name, values, label=label)
            except (TypeError, ValueError) as err:
                raise type(err)(f"sliders[{key!r}]: {err}") from None
            if default is not None:
                try:
                    ctrl = slider(ctrl_name, values, default, label=label)
                except ValueError:
                    raise ValueError(
                        f"{param}={default!r} must be one of the values of its slider "
                        f"{list(ctrl.values)} (it sets the slider's initial value)"
                    ) from None
        controls.append(ctrl)
        targets.append((ctrl.name, param, hits))

    # check every combination makes valid schedules now, with a message naming it
    def make(values):
        out = []
        for k, (factory, fixed) in enumerate(entries):
            kw = dict(fixed)
            for cname, param, hits in targets:
                if k in hits:
                    kw[param] = values[cname]
            try:
                out.append(factory(**kw))
            except (TypeError, ValueError) as err:
                moved = ", ".join(f"{c}={values[c]!r}" for c, _, h in targets if k in h)
                raise ValueError(
                    f"{labels[k]} rejects {moved or 'its arguments'}: {err}"
                ) from None
        return out

    make({c.name: c.default for c in controls})
    if horizon is None:
        # Long enough for the longest setting of the controls, not just the default.
        ends = [
            s.max_step
            for combo in itertools.product(*(c.values for c in controls))
            for s in make(dict(zip((c.name for c in controls), combo, strict=True)))
        ]
        horizon = max(e + 1 for e in ends) if all(e is not None for e in ends) else 100
    if isinstance(horizon, bool) or not isinstance(horizon, numbers.Integral):
        raise TypeError(
            f"horizon must be an integer >= 2 or None, got "
            f"{type(horizon).__name__} {horizon!r}"
        )
    if horizon < 2:
        raise ValueError(f"horizon must be an integer >= 2, got {horizon!r}")
    horizon = int(horizon)

    def compute(**values):
        series, notes = {}, []
        for label, s in zip(labels, make(values), strict=True):
            n = horizon if s.max_step is None else min(horizon, s.max_step + 1)
            t = np.arange(n)
            series[label] = (t, s(t))
            notes.append(repr(s))
        return Frame(series, "\n".join(notes))

    single = len(entries) == 1
    panel = Panel(
        xlabel=X_LABEL,
        ylabel=Y_LABEL,
        lines={lab: Line(label=None if single else lab) for lab in labels},
        log_toggle=log_toggle,
        yscale="log" if log and not log_toggle else "linear",
        ylim=ylim,
    )
    ex = Explorer(controls, compute, panel, title=title, max_bytes=max_bytes)
    if log and log_toggle:
        ex._ylog[0] = True
    return ex


def _entries(spec, params: dict) -> list:
    """Normalise ``spec`` into ``[(factory, fixed params), ...]``."""
    if isinstance(spec, (list, tuple)):
        if params:
            raise ValueError(
                f"fixed parameters {sorted(params)} apply to a single "
                f"schedule; in a comparison give each its own"
            )
        if len(spec) < 1:
            raise ValueError("spec must hold at least one schedule")
        out = []
        for k, item in enumerate(spec):
            if isinstance(item, _schedules.Schedule):
                out.append((_factory(item.name, f"spec[{k}]"), item.params))
            elif (
                isinstance(item, (tuple, list))
                and len(item) == 2
                and isinstance(item[1], Mapping)
            ):
                out.append((_factory(item[0], f"spec[{k}]"), dict(item[1])))
            else:
                out.append((_factory(item, f"spec[{k}]"), {}))
        return out
    if isinstance(spec, _schedules.Schedule):
        fixed = spec.params
        fixed.update(params)
        return [(_factory(spec.name, "spec"), fixed)]
    return [(_factory(spec, "spec"), dict(params))]


@reproducible
def compare(*schedules, sliders: Mapping | None = None, **kwargs) -> Explorer:
    """Compare two or more schedules on one plot: ``schedule(list(schedules), ...)``.

    Examples:
        >>> import lrbook
        >>> ex = compare(lrbook.step_decay(0.1, 30),
        ...              lrbook.exponential_decay(0.1, 0.97),
        ...              sliders={"gamma": [0.5, 0.9, 0.97]}, horizon=100)
        >>> len(ex.series()[0])
        2
    """
    if len(schedules) < 2:
        raise ValueError(f"compare needs 2 or more schedules, got {len(schedules)}")
    return schedule.__wrapped__(list(schedules), sliders, **kwargs)


# --------------------------------------------------------------------------------------
# Gradient descent on a toy function: lrbook.explore.gradient_descent(...)
# --------------------------------------------------------------------------------------

#: The :mod:`lrbook.gd` objectives an explorer can name (``"noisy"`` wraps another).
GD_OBJECTIVES = ("quadratic_1d", "quadratic", "ill_conditioned", "rosenbrock", "noisy")

#: Default slider of :func:`gradient_descent` in units of the stability limit 2/L.
GD_RATIOS = (0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9, 0.97, 1.03, 1.1)

_GD_CONTOUR_COLOR = "#8c959f"  # a quiet grey, >= 3:1 on the light and the dark page


def _gd_objective(spec, where: str):
    """An lrbook.gd objective from a name, a ``(name, params)`` pair or an object."""
    from . import gd as _gd

    if isinstance(spec, _gd.Objective):
        return spec
    name, params = spec, {}
    if (
        isinstance(spec, (tuple, list))
        and len(spec) == 2
        and isinstance(spec[1], Mapping)
    ):
        name, params = spec[0], dict(spec[1])
    if not isinstance(name, str) or name not in GD_OBJECTIVES:
        raise ValueError(
            f"{where} must be an lrbook.gd objective, one of the names "
            f"{', '.join(GD_OBJECTIVES)}, or a (name, {{parameters}}) pair, "
            f"got {spec!r}"
        )
    if name == "noisy":
        params = dict(params)
        if "objective" not in params:
            raise ValueError(
                f"{where}: a noisy objective needs the objective it wraps, e.g. "
                f"('noisy', {{'objective': 'quadratic_1d', 'sigma': 0.5}})"
            )
        params["objective"] = _gd_objective(params["objective"], f"{where}.objective")
    try:
        return getattr(_gd, name)(**params)
    except TypeError as err:
        raise ValueError(f"{where}: {err}") from None


def _gd_contours(f, bounds, n: int = 161) -> list:
    """Level sets of ``f`` over ``bounds``, as (x, y) polylines, at f* + gap0 * 4^k."""
    import contourpy

    (x_lo, x_hi), (y_lo, y_hi) = bounds
    xx, yy = np.meshgrid(np.linspace(x_lo, x_hi, n), np.linspace(y_lo, y_hi, n))
    zz = f.loss(xx, yy)
    f_star = f.f_min
    gap0 = f.loss(f.x0) - f_star
    if not gap0 > 0:
        gap0 = float(np.median(zz) - f_star) or 1.0
    gen = contourpy.contour_generator(xx, yy, zz, line_type="Separate")
    out = []
    for level in f_star + gap0 * 4.0 ** np.arange(-5, 2):
        for seg in gen.lines(float(level)):
            if len(seg) >= 2:
                out.append((seg[:, 0].copy(), seg[:, 1].copy()))
    return out


@reproducible
def gradient_descent(
    objective="ill_conditioned",
    lrs: Sequence[float] | None = None,
    *,
    lr: float | None = None,
    relative: bool | None = None,
    steps: int = 100,
    momentum: float | None = None,
    x0=None,
    seed: int | None = None,
    loss_ylim=None,
    title: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Explorer:
    r"""An explorer of gradient descent with a fixed step size on a toy function.

    A slider sets the learning rate :math:`\alpha`; optionally a dropdown picks the
    function (among :mod:`lrbook.gd` objectives) and a checkbox switches heavy-ball
    momentum on. Two panels:

    * the path :math:`x_0, x_1, \dots` of
      :math:`x_{t+1} = x_t - \alpha \nabla f(x_t)` (``lrbook.gd.descend``) over the
      contours of :math:`f` (for a 1-D function: the iterates on the graph of
      :math:`f`);
    * the loss gap :math:`f(x_t) - f^\star` against the update :math:`t`, on a log
      axis.

    A note under the figure gives :math:`\alpha`, its ratio to the stability limit
    :math:`2/L`, and the final loss, or the update at which the path diverged (the
    ``diverged_at`` of :class:`lrbook.gd.Path`). Every path is computed here with
    :func:`lrbook.gd.descend_many`, so it equals ``lrbook.gd.descend(f, alpha, ...)``
    exactly.

    Args:
        objective: the function: an :mod:`lrbook.gd` objective
            (``lrbook.gd.rosenbrock()``), the name of a factory in
            :data:`GD_OBJECTIVES` (``"ill_conditioned"``), or a ``(name, {params})``
            pair (``("ill_conditioned", {"kappa": 10})``; a ``"noisy"`` one names
            what it wraps: ``("noisy", {"objective": "quadratic_1d", "sigma": 0.5,
            "seed": 0})``). A dict ``{label: function}`` of several (all 1-D or all
            2-D) adds a dropdown; the plotting window is then the union of their
            windows.
        lrs: the learning rates of the slider (two or more, increasing, > 0). Default:
            :data:`GD_RATIOS` times :math:`2/L` (rounded to 3 significant digits, or
            as ratios when ``relative``).
        lr: the slider's initial value (one of ``lrs``; default: the middle one).
        relative: read ``lrs`` as multiples of each function's stability limit,
            :math:`\alpha = r \cdot 2/L` (``r * lrbook.gd.stability_limit(f)``). The
            default is ``True`` for several functions (their :math:`L` differ), else
            ``False``.
        steps: the number of updates :math:`T` (1 to 2000).
        momentum: a heavy-ball coefficient :math:`\beta \in (0, 1)`: adds a checkbox
            that switches it on (``lrbook.gd.descend(..., momentum=beta)``). ``None``
            or 0: no checkbox.
        x0: the start point (default each function's ``x0``).
        seed: the noise seed of noisy functions (default their own).
        loss_ylim: ``(low, high)`` of the loss axis. Default: from the smallest loss
            drawn (at least :math:`10^{-10}` times the smallest initial gap) to
            :math:`10^3` times the largest initial gap; a diverging path leaves
            through the top. A loss curve that falls below a thousandth of ``low``
            (even to exactly 0) ends there, at that level, out of sight: the web
            version's float32 numbers and a log axis could not draw it further.
        title: the figure's title.
        max_bytes: size budget of the web version.

    Returns:
        An :class:`Explorer` with controls ``lr`` (and ``function``, ``momentum``).

    Raises:
        ValueError: an unknown function or a bad argument (the message names it).

    Examples:
        >>> import lrbook
        >>> ex = gradient_descent("ill_conditioned", [0.02, 0.04, 0.07, 0.09],
        ...                       steps=60)
        >>> path, loss = ex.series(lr=0.07)
        >>> p = lrbook.gd.descend(lrbook.gd.ill_conditioned(), 0.07, steps=60)
        >>> bool((path["path"][0] == p.xs[:, 0]).all())
        True
        >>> ex.set(lr=0.09).note().splitlines()[-1]
        'diverged at t = 32: the loss blew up (run stopped)'
    """
    from . import gd as _gd

    # ---- the functions
    if isinstance(objective, Mapping):
        if not objective:
            raise ValueError("objective must name at least one function, got {}")
        labels = [str(k) for k in objective]
        funcs = [_gd_objective(v, f"objective[{k!r}]") for k, v in objective.items()]
    else:
        funcs = [_gd_objective(objective, "objective")]
        labels = [repr(funcs[0])]
    dims = {f.dim for f in funcs}
    if len(dims) > 1:
        raise ValueError(
            "objective: the functions of a dropdown must all be 1-D or all 2-D, got "
            + ", ".join(
                f"{lab} (dim {f.dim})" for lab, f in zip(labels, funcs, strict=True)
            )
        )
    dim = dims.pop()
    if dim not in (1, 2):
        raise ValueError(
            f"objective must be a 1-D or 2-D function to be drawn, {labels[0]} has "
            f"dim {dim}"
        )
    several = len(funcs) > 1
    if relative is None:
        relative = several
    if not isinstance(relative, bool):
        raise TypeError(f"relative must be True, False or None, got {relative!r}")

    # ---- the controls
    if lrs is None:
        if several and not relative:
            raise ValueError(
                "lrs: give the learning rates of the slider, or relative=True, for "
                "several functions (their stability limits 2/L differ)"
            )
        if relative:
            lrs = list(GD_RATIOS)
        else:
            limit = _gd.stability_limit(funcs[0])
            lrs = sorted({float(f"{r * limit:.3g}") for r in GD_RATIOS})
    if isinstance(lrs, (str, bytes)) or not isinstance(lrs, (Sequence, np.ndarray)):
        raise TypeError(f"lrs must be a list of learning rates, got {lrs!r}")
    lrs = [_plain(v) for v in lrs]
    for v in lrs:
        if (
            isinstance(v, bool)
            or not isinstance(v, numbers.Real)
            or not math.isfinite(v)
            or v <= 0
        ):
            raise ValueError(f"lrs must be finite numbers > 0, got {v!r} in {lrs}")
    if relative:
        lr_label = r"learning rate $\alpha$ (times $2/L$)"
        lr_ctrl = slider("lr", lrs, lr, label=lr_label, fmt=lambda r: f"{r:g} × 2/L")
    else:
        lr_ctrl = slider("lr", lrs, lr, label=r"learning rate $\alpha$")
    controls = [lr_ctrl]
    if several:
        controls.append(dropdown("function", labels, label="function"))
    if momentum is not None and (
        isinstance(momentum, bool) or not isinstance(momentum, numbers.Real)
    ):
        raise TypeError(f"momentum must be a number in [0, 1), got {momentum!r}")
    beta = 0.0 if momentum is None else float(momentum)
    if not (0.0 <= beta < 1.0):
        raise ValueError(f"momentum must be a number in [0, 1), got {momentum!r}")
    if beta:
        controls.append(toggle("momentum", label=rf"momentum $\beta = {beta:g}$"))
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        raise TypeError(f"steps must be an integer from 1 to 2000, got {steps!r}")
    if not 1 <= steps <= 2000:
        raise ValueError(f"steps must be an integer from 1 to 2000, got {steps!r}")
    steps = int(steps)

    # ---- every path, computed once (one vectorised run per function and momentum)
    betas = (0.0, beta) if beta else (0.0,)
    runs = {}
    for k, f in enumerate(funcs):
        limit = _gd.stability_limit(f)
        alphas = [r * limit for r in lrs] if relative else list(lrs)
        for b in betas:
            try:
                paths = _gd.descend_many(
                    f, alphas, x0=x0, steps=steps, momentum=b, seed=seed
                )
            except (TypeError, ValueError) as err:
                raise ValueError(f"{labels[k]}: {err}") from None
            for i, p in enumerate(paths):
                runs[k, i, b] = p
    gaps0 = [
        float(f.loss(runs[k, 0, 0.0].xs[0]) - f.f_min) for k, f in enumerate(funcs)
    ]

    # ---- the panels
    if dim == 2:
        lows = [f.bounds for f in funcs]
        window = (
            (min(b[0][0] for b in lows), max(b[0][1] for b in lows)),
            (min(b[1][0] for b in lows), max(b[1][1] for b in lows)),
        )
        contours = [_gd_contours(f, window) for f in funcs]
        n_c = max(len(c) for c in contours) if several else 0
        lines = {
            f"contour {j}": Line(None, _GD_CONTOUR_COLOR, width=0.8) for j in range(n_c)
        }
        lines["minimum"] = Line(r"minimum $x^\star$", 1, width=1.0, marker=True)
        lines["path"] = Line(r"iterates $x_t$", 0, width=1.5, marker=True)
        path_panel = Panel(
            xlabel="$x$",
            ylabel="$y$",
            lines=lines,
            title="path over the contours of $f$",
            xlim=window[0],
            ylim=window[1],
            contours=[] if several else contours[0],
            equal_aspect=True,
        )
    else:
        window = (
            (min(f.bounds[0][0] for f in funcs), max(f.bounds[0][1] for f in funcs)),
        )
        grids = [np.linspace(*window[0], 201) for _ in funcs]
        top = max(float(f.loss(g).max()) for f, g in zip(funcs, grids, strict=True))
        path_panel = Panel(
            xlabel="$x$",
            ylabel="$f(x)$",
            lines={
                "f": Line(None, _GD_CONTOUR_COLOR, width=1.2),
                "minimum": Line(r"minimum $x^\star$", 1, width=1.0, marker=True),
                "path": Line(r"iterates $x_t$", 0, width=1.5, marker=True),
            },
            title="iterates on the graph of $f$",
            xlim=window[0],
            ylim=(-0.05 * top, 1.1 * top),
        )
    if loss_ylim is None:
        drawn = [p.losses - p.objective.f_min for p in runs.values()]
        positive = np.concatenate([g[g > 0] for g in drawn] + [np.zeros(0)])
        lowest = 1e-10 * min(gaps0) if min(gaps0) > 0 else 1e-10
        lo = max(float(positive.min()), lowest) if positive.size else lowest
        hi = 1e3 * max(max(gaps0), lo)
        loss_ylim = (lo, max(hi, 10 * lo))
    ok = (
        isinstance(loss_ylim, (tuple, list))
        and len(loss_ylim) == 2
        and all(
            isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)
            for v in loss_ylim
        )
        and 0 < loss_ylim[0] < loss_ylim[1]
    )
    if not ok:
        raise ValueError(
            f"loss_ylim must be (low, high) with 0 < low < high, got {loss_ylim!r}"
        )
    loss_ylim = (float(loss_ylim[0]), float(loss_ylim[1]))
    floor = loss_ylim[0] * 1e-3  # gaps below it are drawn at it (below the axis)
    loss_panel = Panel(
        xlabel=plotting.axis_label("update", "optimizer steps", symbol="t"),
        ylabel=r"loss gap $f(x_t) - f^\star$",
        lines={"loss": Line(None, 0)},
        title="loss (log scale)",
        yscale="log",
        xlim=(0, steps),
        ylim=loss_ylim,
    )

    def compute(lr, function=None, momentum=False):
        k = labels.index(function) if several else 0
        f, i = funcs[k], lrs.index(lr)
        b = beta if momentum else 0.0
        p = runs[k, i, b]
        limit = _gd.stability_limit(f)
        alpha = lr * limit if relative else lr
        t = np.arange(len(p.losses))
        gap = p.losses - f.f_min
        if dim == 2:
            first = {
                f"contour {j}": c for j, c in enumerate(contours[k] if several else [])
            }
            first["minimum"] = ([f.minimum[0]], [f.minimum[1]])
            first["path"] = (p.xs[:, 0], p.xs[:, 1])
        else:
            first = {
                "f": (grids[k], f.loss(grids[k])),
                "minimum": ([f.minimum[0]], [f.f_min]),
                "path": (p.xs[:, 0], p.losses),
            }
        head = f"α = {alpha:.4g} = {alpha / limit:.3g} × 2/L (2/L = {limit:.4g})"
        if b:
            head += f", momentum β = {b:g}"
        if p.diverged:
            tail = f"diverged at t = {p.diverged_at}: the loss blew up (run stopped)"
        else:
            tail = f"after {p.steps} updates: loss gap {gap[0]:.3g} → {gap[-1]:.3g}"
        lines_ = ([f"{labels[k]}"] if several else []) + [head, tail]
        # Far below the axis (float32 would round 1e-56 to 0, which a log axis cannot
        # draw) the line is cut: it ends at the floor, out through the bottom.
        below = np.flatnonzero(gap < floor)
        if below.size:
            n = int(below[0])
            t, gap = t[: n + 1], np.append(gap[:n], floor)
        return Frame([first, {"loss": (t, gap)}], "\n".join(lines_))

    return Explorer(
        controls,
        compute,
        [path_panel, loss_panel],
        title=title,
        max_bytes=max_bytes,
    )


# --------------------------------------------------------------------------------------
# Sphinx: keep the website free of widget state and CDN loaders
# --------------------------------------------------------------------------------------


def _offline_page(app, pagename, templatename, context, doctree) -> None:
    """Drop what would make a page load a dead widget or reach for a CDN."""
    meta = getattr(app.env, "nb_metadata", None)
    if meta and pagename in meta:
        js_files = meta[pagename].get("js_files", {})
        for key in [k for k in js_files if k.startswith("ipywidgets")]:
            del js_files[key]
    # sphinx-thebe (always loaded by Jupyter Book) declares its CDN URL twice per page,
    # a JavaScript error; thebe is switched off (launch_buttons.thebe: false).
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if isinstance(assets, list):
            assets[:] = [a for a in assets if not _is_thebe(a)]


def _is_thebe(asset) -> bool:
    name = str(getattr(asset, "filename", "") or "")
    body = str(getattr(asset, "attributes", {}).get("body", ""))
    return "thebe" in name or "THEBE_JS_URL" in body


def setup(app):
    """Sphinx extension (``_config.yml``: ``sphinx.extra_extensions``) for the website.

    The explorers' ``text/html`` version is what the website shows (see
    ``nb_mime_priority_overrides`` in ``_config.yml``), so the ipywidgets state that
    executing a notebook records is dropped from the pages, with the scripts that would
    fetch a widget manager from a CDN; so is the unused thebe loader.
    """
    app.connect("html-page-context", _offline_page, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
