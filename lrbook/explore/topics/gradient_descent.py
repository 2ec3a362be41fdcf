"""Ready-made explorer of gradient descent on a toy function: :func:`gradient_descent`.

The paths are computed with :mod:`lrbook.gd` (one vectorised run per function and
momentum setting) and drawn over the function's contours (2-D) or graph (1-D), with
the loss gap on a log axis beside them.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence

import numpy as np

from ... import plotting
from ..controls import _python_scalar, dropdown, slider, toggle
from ..core import Explorer
from ..panels import Frame, Line, Panel
from ..recipes import rebuildable
from ..web import MAX_BYTES

#: The :mod:`lrbook.gd` objectives an explorer can name (``"noisy"`` wraps another).
GD_OBJECTIVES = ("quadratic_1d", "quadratic", "ill_conditioned", "rosenbrock", "noisy")

#: Default slider of :func:`gradient_descent` in units of the stability limit 2/L.
GD_RATIOS = (0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9, 0.97, 1.03, 1.1)

_CONTOUR_COLOR = "#8c959f"  # a quiet grey, >= 3:1 on the light and the dark page


@rebuildable(module="lrbook.explore")
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
        relative: read ``lrs`` as multiples of each function's stability limit
            :math:`2/L` (the rate is ``ratio * lrbook.gd.stability_limit(f)``). The
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
    from ... import gd as _gd

    labels, funcs, dim = _functions(objective)
    several = len(funcs) > 1
    if relative is None:
        relative = several
    if not isinstance(relative, bool):
        raise TypeError(f"relative must be True, False or None, got {relative!r}")
    lrs = _learning_rates(lrs, funcs[0], several, relative)
    controls, beta = _controls(lrs, lr, relative, labels if several else None, momentum)
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        raise TypeError(f"steps must be an integer from 1 to 2000, got {steps!r}")
    if not 1 <= steps <= 2000:
        raise ValueError(f"steps must be an integer from 1 to 2000, got {steps!r}")
    steps = int(steps)
    runs = _descend_all(funcs, labels, lrs, relative, beta, x0, steps, seed)
    gaps0 = [
        float(f.loss(runs[k, 0, 0.0].xs[0]) - f.f_min) for k, f in enumerate(funcs)
    ]
    if dim == 2:
        path_panel, contours = _contour_panel(funcs, several)
    else:
        path_panel, grids = _graph_panel(funcs)
    loss_ylim = _loss_limits(loss_ylim, runs, gaps0)
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
        if dim == 2:
            first = _path_on_contours(f, p, contours[k] if several else [])
        else:
            first = _path_on_graph(f, p, grids[k])
        alpha = lr * _gd.stability_limit(f) if relative else lr
        note = _note(f, p, alpha, b, labels[k] if several else None)
        return Frame([first, {"loss": _loss_gap(f, p, floor)}], note)

    return Explorer(
        controls,
        compute,
        [path_panel, loss_panel],
        title=title,
        max_bytes=max_bytes,
    )


def _objective(objective, where: str):
    """An lrbook.gd objective from a name, a ``(name, params)`` pair or an object."""
    from ... import gd as _gd

    if isinstance(objective, _gd.Objective):
        return objective
    name, params = objective, {}
    if (
        isinstance(objective, (tuple, list))
        and len(objective) == 2
        and isinstance(objective[1], Mapping)
    ):
        name, params = objective[0], dict(objective[1])
    if not isinstance(name, str) or name not in GD_OBJECTIVES:
        raise ValueError(
            f"{where} must be an lrbook.gd objective, one of the names "
            f"{', '.join(GD_OBJECTIVES)}, or a (name, {{parameters}}) pair, "
            f"got {objective!r}"
        )
    if name == "noisy":
        params = dict(params)
        if "objective" not in params:
            raise ValueError(
                f"{where}: a noisy objective needs the objective it wraps, e.g. "
                f"('noisy', {{'objective': 'quadratic_1d', 'sigma': 0.5}})"
            )
        params["objective"] = _objective(params["objective"], f"{where}.objective")
    try:
        return getattr(_gd, name)(**params)
    except TypeError as err:
        raise ValueError(f"{where}: {err}") from None


def _functions(objective) -> tuple:
    """``(labels, objectives, dim)`` of the ``objective`` argument (1 or a dict)."""
    if isinstance(objective, Mapping):
        if not objective:
            raise ValueError("objective must name at least one function, got {}")
        labels = [str(k) for k in objective]
        funcs = [_objective(v, f"objective[{k!r}]") for k, v in objective.items()]
    else:
        funcs = [_objective(objective, "objective")]
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
    return labels, funcs, dim


def _learning_rates(lrs, first, several: bool, relative: bool) -> list:
    """The slider's learning rates: ``lrs`` checked, or :data:`GD_RATIOS` (times
    ``2/L`` of the ``first`` function unless ``relative``)."""
    from ... import gd as _gd

    if lrs is None:
        if several and not relative:
            raise ValueError(
                "lrs: give the learning rates of the slider, or relative=True, for "
                "several functions (their stability limits 2/L differ)"
            )
        if relative:
            lrs = list(GD_RATIOS)
        else:
            limit = _gd.stability_limit(first)
            lrs = sorted({float(f"{r * limit:.3g}") for r in GD_RATIOS})
    if isinstance(lrs, (str, bytes)) or not isinstance(lrs, (Sequence, np.ndarray)):
        raise TypeError(f"lrs must be a list of learning rates, got {lrs!r}")
    lrs = [_python_scalar(v) for v in lrs]
    for v in lrs:
        if (
            isinstance(v, bool)
            or not isinstance(v, numbers.Real)
            or not math.isfinite(v)
            or v <= 0
        ):
            raise ValueError(f"lrs must be finite numbers > 0, got {v!r} in {lrs}")
    return lrs


def _controls(lrs: list, lr, relative: bool, labels, momentum) -> tuple:
    """``(controls, beta)``: the learning-rate slider, the function dropdown (when
    ``labels`` name several) and the momentum toggle (when ``beta``, checked, > 0)."""
    if relative:
        lr_label = r"learning rate $\alpha$ (times $2/L$)"
        lr_ctrl = slider("lr", lrs, lr, label=lr_label, fmt=lambda r: f"{r:g} × 2/L")
    else:
        lr_ctrl = slider("lr", lrs, lr, label=r"learning rate $\alpha$")
    controls = [lr_ctrl]
    if labels is not None:
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
    return controls, beta


def _descend_all(funcs, labels, lrs, relative, beta, x0, steps, seed) -> dict:
    """Every path, ``{(function, lr number, momentum): lrbook.gd.Path}``."""
    from ... import gd as _gd

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
    return runs


def _contour_lines(f, bounds, n: int = 161) -> list:
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


def _contour_panel(funcs: list, several: bool) -> tuple:
    """The path panel of 2-D functions and each function's contours.

    One function: its contours are the panel's static background. Several: they are
    series (``"contour <j>"``) that change with the dropdown.
    """
    lows = [f.bounds for f in funcs]
    window = (
        (min(b[0][0] for b in lows), max(b[0][1] for b in lows)),
        (min(b[1][0] for b in lows), max(b[1][1] for b in lows)),
    )
    contours = [_contour_lines(f, window) for f in funcs]
    n_c = max(len(c) for c in contours) if several else 0
    lines = {f"contour {j}": Line(None, _CONTOUR_COLOR, width=0.8) for j in range(n_c)}
    lines["minimum"] = Line(r"minimum $x^\star$", 1, width=1.0, marker=True)
    lines["path"] = Line(r"iterates $x_t$", 0, width=1.5, marker=True)
    panel = Panel(
        xlabel="$x$",
        ylabel="$y$",
        lines=lines,
        title="path over the contours of $f$",
        xlim=window[0],
        ylim=window[1],
        contours=[] if several else contours[0],
        equal_aspect=True,
    )
    return panel, contours


def _graph_panel(funcs: list) -> tuple:
    """The path panel of 1-D functions and the grid of x each graph is drawn on."""
    window = ((min(f.bounds[0][0] for f in funcs), max(f.bounds[0][1] for f in funcs)),)
    grids = [np.linspace(*window[0], 201) for _ in funcs]
    top = max(float(f.loss(g).max()) for f, g in zip(funcs, grids, strict=True))
    panel = Panel(
        xlabel="$x$",
        ylabel="$f(x)$",
        lines={
            "f": Line(None, _CONTOUR_COLOR, width=1.2),
            "minimum": Line(r"minimum $x^\star$", 1, width=1.0, marker=True),
            "path": Line(r"iterates $x_t$", 0, width=1.5, marker=True),
        },
        title="iterates on the graph of $f$",
        xlim=window[0],
        ylim=(-0.05 * top, 1.1 * top),
    )
    return panel, grids


def _loss_limits(loss_ylim, runs: dict, gaps0: list) -> tuple:
    """``loss_ylim`` checked, or the default (see :func:`gradient_descent`)."""
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
    return (float(loss_ylim[0]), float(loss_ylim[1]))


def _path_on_contours(f, p, contours: list) -> dict:
    """The series of the path panel of a 2-D function (``contours``: as series)."""
    first = {f"contour {j}": c for j, c in enumerate(contours)}
    first["minimum"] = ([f.minimum[0]], [f.minimum[1]])
    first["path"] = (p.xs[:, 0], p.xs[:, 1])
    return first


def _path_on_graph(f, p, grid: np.ndarray) -> dict:
    """The series of the path panel of a 1-D function, its graph over ``grid``."""
    return {
        "f": (grid, f.loss(grid)),
        "minimum": ([f.minimum[0]], [f.f_min]),
        "path": (p.xs[:, 0], p.losses),
    }


def _note(f, p, alpha: float, b: float, label: str | None) -> str:
    """The note under the figure: the step size, its ratio to 2/L, and the outcome."""
    from ... import gd as _gd

    limit = _gd.stability_limit(f)
    gap = p.losses - f.f_min
    head = f"α = {alpha:.4g} = {alpha / limit:.3g} × 2/L (2/L = {limit:.4g})"
    if b:
        head += f", momentum β = {b:g}"
    if p.diverged:
        tail = f"diverged at t = {p.diverged_at}: the loss blew up (run stopped)"
    else:
        tail = f"after {p.steps} updates: loss gap {gap[0]:.3g} → {gap[-1]:.3g}"
    return "\n".join(([f"{label}"] if label is not None else []) + [head, tail])


def _loss_gap(f, p, floor: float) -> tuple:
    """``(t, f(x_t) - f*)``, cut where the gap falls below ``floor``.

    Far below the axis (float32 would round 1e-56 to 0, which a log axis cannot draw)
    the line is cut: it ends at the floor, out through the bottom.
    """
    t = np.arange(len(p.losses))
    gap = p.losses - f.f_min
    below = np.flatnonzero(gap < floor)
    if below.size:
        n = int(below[0])
        t, gap = t[: n + 1], np.append(gap[:n], floor)
    return t, gap
