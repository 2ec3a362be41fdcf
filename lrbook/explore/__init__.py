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

The package: :mod:`~lrbook.explore.controls` (sliders, dropdowns, toggles),
:mod:`~lrbook.explore.panels` (what is drawn), :mod:`~lrbook.explore.core` (the
:class:`Explorer`: frames and limits), :mod:`~lrbook.explore.live` (the ipywidgets
view), :mod:`~lrbook.explore.web` and :mod:`~lrbook.explore.payload` (the kernel-free
view and its data), :mod:`~lrbook.explore.tex` (the labels' TeX subset),
:mod:`~lrbook.explore.recipes` (rebuilding an explorer elsewhere) and
:mod:`~lrbook.explore.topics` (ready-made explorers: :func:`schedule`,
:func:`compare_schedules`, :func:`gradient_descent`).
"""

from .controls import IDLE_REASON, MAX_FRAMES, Control, dropdown, slider, toggle
from .core import Explorer
from .panels import LOG_DECADES, Frame, Line, Panel
from .payload import decode, decode_limits
from .recipes import rebuild, rebuildable
from .tex import tex_html, tex_label_html, tex_plain, tex_unicode
from .topics.cosine import cosine, warm_restarts, warmup_cosine  # noqa: F401  (ch. 5)
from .topics.gradient_descent import GD_OBJECTIVES, GD_RATIOS, gradient_descent
from .topics.plateau import plateau  # noqa: F401  (chapter 4's explorer)
from .topics.schedules import (
    FACTORIES,
    X_LABEL,
    Y_LABEL,
    compare_schedules,
    schedule,
)
from .web import MAX_BYTES, page_library

__all__ = [
    "FACTORIES",
    "GD_OBJECTIVES",
    "GD_RATIOS",
    "IDLE_REASON",
    "LOG_DECADES",
    "MAX_BYTES",
    "MAX_FRAMES",
    "X_LABEL",
    "Y_LABEL",
    "Control",
    "Explorer",
    "Frame",
    "Line",
    "Panel",
    "compare_schedules",
    "decode",
    "decode_limits",
    "dropdown",
    "gradient_descent",
    "page_library",
    "rebuild",
    "rebuildable",
    "schedule",
    "slider",
    "tex_html",
    "tex_label_html",
    "tex_plain",
    "tex_unicode",
    "toggle",
]
