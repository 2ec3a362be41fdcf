r"""Ready-made explorers of chapter 5: cosine annealing, warm restarts, warm-up.

* :func:`cosine`: ``CosineAnnealingLR`` drawn past :math:`T_{\max}`, where PyTorch's
  rate rises again, next to the schedule stopped at :math:`T_{\max}`;
* :func:`warm_restarts`: ``CosineAnnealingWarmRestarts`` with its restart steps;
* :func:`warmup_cosine`: a linear warm-up followed by a cosine, with the curve of a
  PyTorch ``SequentialLR`` built from the same numbers overlaid. Its values are
  computed by running PyTorch's scheduler here, in Python, when the explorer is built,
  so the web page (which has no kernel) shows PyTorch's real numbers.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from ... import _checks as check
from ... import plotting
from ... import schedules as _schedules
from ...schedules.cosine import restart_steps
from ...torch_bridge import record_rates
from ..controls import dropdown, slider
from ..core import Explorer
from ..panels import Frame, Line, Panel
from ..recipes import rebuildable
from ..web import MAX_BYTES

__all__ = ["PYTORCH_WARMUPS", "cosine", "warm_restarts", "warmup_cosine"]

X_LABEL = plotting.UPDATE_LABEL
Y_LABEL = plotting.LR_LABEL

#: The ``SequentialLR`` constructions :func:`warmup_cosine` can overlay: the one that
#: joins the phases, and two classic slips.
PYTORCH_WARMUPS = {
    "joined": "LinearLR(total_iters=T_w), CosineAnnealingLR(T_max=T - T_w)",
    "T_max = T": "LinearLR(total_iters=T_w), CosineAnnealingLR(T_max=T)",
    "ramp too long": "LinearLR(total_iters=2 T_w), CosineAnnealingLR(T_max=T - T_w)",
}


def _values(name: str, values) -> list:
    if isinstance(values, np.ndarray):
        values = values.tolist()
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(
            f"{name} must be a list of numbers, got {type(values).__name__} {values!r}"
        )
    return list(values)


@rebuildable(module="lrbook.explore.topics.cosine")
def cosine(
    lrs: Sequence[float] = (0.05, 0.1, 0.2),
    t_maxs: Sequence[int] = (50, 100, 150),
    eta_mins: Sequence[float] = (0.0, 0.005, 0.01, 0.02),
    horizons: Sequence[float] = (1.0, 1.5, 2.0, 3.0),
    *,
    lr: float = 0.1,
    t_max: int = 100,
    eta_min: float = 0.0,
    horizon: float = 2.0,
    title: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Explorer:
    r"""An explorer of ``CosineAnnealingLR`` over a horizon past :math:`T_{\max}`.

    Draws :func:`lrbook.cosine_annealing` (PyTorch's values) for
    :math:`t = 0 \dots H T_{\max}`, where :math:`H` is the horizon in units of
    :math:`T_{\max}`: past :math:`T_{\max}` the cosine carries on and the rate rises
    back to :math:`\alpha_0` at :math:`2T_{\max}`. The dashed line is the schedule
    stopped at :math:`T_{\max}` (held at :math:`\eta_{\min}`); the dot marks
    :math:`(T_{\max}, \eta_{\min})`.

    Args:
        lrs: the values of the :math:`\alpha_0` slider (> 0).
        t_maxs: the values of the :math:`T_{\max}` slider (integers >= 1).
        eta_mins: the values of the :math:`\eta_{\min}` slider (>= 0).
        horizons: the values of the horizon slider, in units of :math:`T_{\max}`
            (>= 1).
        lr, t_max, eta_min, horizon: the initial values (one of each list).
        title: the figure's title.
        max_bytes: size budget of the web version.

    Returns:
        An :class:`~lrbook.explore.Explorer`.

    Raises:
        TypeError: a list of values of the wrong type.
        ValueError: a value the schedule rejects or a horizon below 1.

    Examples:
        >>> ex = cosine()
        >>> ex.values
        {'lr': 0.1, 't_max': 100, 'eta_min': 0.0, 'horizon': 2.0}
        >>> x, y = ex.series()[0]["pytorch"]
        >>> float(y[100]), float(y[200])
        (0.0, 0.1)
    """
    horizons = _values("horizons", horizons)
    for h in horizons:
        check.finite("horizons", h, minimum=1.0)
    controls = [
        slider("lr", _values("lrs", lrs), lr, label=r"initial rate $\alpha_0$"),
        slider(
            "t_max", _values("t_maxs", t_maxs), t_max, label=r"$T_{\max}$ (updates)"
        ),
        slider(
            "eta_min",
            _values("eta_mins", eta_mins),
            eta_min,
            label=r"final rate $\eta_{\min}$",
        ),
        slider(
            "horizon", horizons, horizon, label=r"horizon ($\times T_{\max}$)"
        ),
    ]
    for c in controls[:3]:
        for v in c.values:
            _schedules.cosine_annealing(**{"lr": 0.1, "t_max": 1, c.name: v})

    def compute(lr, t_max, eta_min, horizon):
        s = _schedules.cosine_annealing(lr, t_max=t_max, eta_min=eta_min)
        end = int(round(horizon * t_max))
        t = np.arange(end + 1)
        series = {"pytorch": (t, s(t)), "t_max": ([t_max], [s(t_max)])}
        if end > t_max:
            after = t[t >= t_max]
            series["stopped"] = (after, np.full(after.shape, s(t_max)))
        note = f"{s!r}\nrate at 2 T_max = {2 * t_max}: {s(2 * t_max):.4g}"
        return Frame(series, note)

    panel = Panel(
        xlabel=X_LABEL,
        ylabel=Y_LABEL,
        lines={
            "pytorch": "CosineAnnealingLR (not clamped)",
            "stopped": Line("stopped at $T_{\\max}$", dash="dashed"),
            "t_max": Line(r"$(T_{\max}, \eta_{\min})$", color=7, marker=True),
        },
        log_toggle=False,
        ylim=(0, None),
    )
    return Explorer(
        controls,
        compute,
        panel,
        title=title or "CosineAnnealingLR past $T_{\\max}$",
        max_bytes=max_bytes,
    )


@rebuildable(module="lrbook.explore.topics.cosine")
def warm_restarts(
    t_0s: Sequence[int] = (10, 25, 50, 100),
    t_mults: Sequence[int] = (1, 2, 3),
    eta_mins: Sequence[float] = (0.0, 0.01, 0.02),
    *,
    lr: float = 0.1,
    t_0: int = 25,
    t_mult: int = 2,
    eta_min: float = 0.0,
    horizon: int = 400,
    title: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Explorer:
    r"""An explorer of ``CosineAnnealingWarmRestarts`` and its restart steps.

    Draws :func:`lrbook.cosine_warm_restarts` for :math:`t = 0 \dots` ``horizon - 1``
    with a dot at every restart (:func:`lrbook.schedules.cosine.restart_steps`, where
    the rate jumps back to :math:`\alpha_0`).

    Args:
        t_0s: the values of the :math:`T_0` slider (integers >= 1).
        t_mults: the values of the :math:`T_{\text{mult}}` (``T_mult``) slider
            (integers >= 1).
        eta_mins: the values of the :math:`\eta_{\min}` slider (>= 0).
        lr: :math:`\alpha_0 \ge 0`, fixed.
        t_0, t_mult, eta_min: the initial values (one of each list).
        horizon: the number of updates drawn (>= 2).
        title: the figure's title.
        max_bytes: size budget of the web version.

    Returns:
        An :class:`~lrbook.explore.Explorer`.

    Raises:
        TypeError: a list of values or an argument of the wrong type.
        ValueError: a value the schedule rejects or a horizon below 2.

    Examples:
        >>> ex = warm_restarts()
        >>> ex.values
        {'t_0': 25, 't_mult': 2, 'eta_min': 0.0}
        >>> ex.series()[0]["restarts"][0].tolist()
        [25.0, 75.0, 175.0, 375.0]
    """
    lr = check.learning_rate("lr", lr)
    horizon = check.integer("horizon", horizon, minimum=2)
    controls = [
        slider("t_0", _values("t_0s", t_0s), t_0, label="$T_0$ (updates)"),
        slider(
            "t_mult",
            _values("t_mults", t_mults),
            t_mult,
            label=r"growth factor $T_{\text{mult}}$",
        ),
        slider(
            "eta_min",
            _values("eta_mins", eta_mins),
            eta_min,
            label=r"final rate $\eta_{\min}$",
        ),
    ]
    for c in controls:
        for v in c.values:
            _schedules.cosine_warm_restarts(**{"lr": lr, "t_0": 1, c.name: v})

    def compute(t_0, t_mult, eta_min):
        s = _schedules.cosine_warm_restarts(lr, t_0=t_0, t_mult=t_mult, eta_min=eta_min)
        t = np.arange(horizon)
        series = {"schedule": (t, s(t))}
        steps = restart_steps(t_0, t_mult, horizon)
        if steps:
            series["restarts"] = (steps, s(np.asarray(steps)))
        return Frame(series, f"{s!r}\nrestarts at t = {steps}")

    panel = Panel(
        xlabel=X_LABEL,
        ylabel=Y_LABEL,
        lines={
            "schedule": "CosineAnnealingWarmRestarts",
            "restarts": Line("restarts", color=7, marker=True, width=0.0),
        },
        log_toggle=False,
        ylim=(0, None),
    )
    return Explorer(
        controls,
        compute,
        panel,
        title=title or "Cosine annealing with warm restarts",
        max_bytes=max_bytes,
    )


def pytorch_warmup_cosine(
    lr: float, total: int, steps: int, start_factor: float, construction: str
) -> np.ndarray:
    r"""The first ``total`` rates of a PyTorch ``SequentialLR`` warm-up + cosine.

    Runs ``SequentialLR(opt, [LinearLR(opt, start_factor, 1.0, n), CosineAnnealingLR(
    opt, T_max)], milestones=[steps])`` for ``total`` updates, with ``n`` and
    ``T_max`` as :data:`PYTORCH_WARMUPS` names them (``"joined"``: ``n = steps``,
    ``T_max = total - steps``).

    Args:
        lr: the optimizer's rate :math:`\alpha_0 > 0`.
        total: the number of updates :math:`T > ` ``steps``.
        steps: the milestone :math:`T_w \ge 1`, the end of the warm-up.
        start_factor: :math:`f_s \in (0, 1]`.
        construction: a key of :data:`PYTORCH_WARMUPS`.

    Returns:
        The rates of updates ``0 ... total - 1`` (float64).

    Examples:
        >>> r = pytorch_warmup_cosine(0.1, 100, 10, 0.1, "joined")
        >>> round(float(r[0]), 12), round(float(r[10]), 12)
        (0.01, 0.1)
    """
    import torch

    lr = check.learning_rate("lr", lr, positive=True)
    steps = check.integer("steps", steps, minimum=1)
    total = check.integer("total", total, minimum=steps + 1)
    construction = check.choice("construction", construction, tuple(PYTORCH_WARMUPS))
    ramp_iters = 2 * steps if construction == "ramp too long" else steps
    t_max = total if construction == "T_max = T" else total - steps
    tls = torch.optim.lr_scheduler
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = tls.SequentialLR(
            opt,
            [
                tls.LinearLR(opt, start_factor, 1.0, ramp_iters),
                tls.CosineAnnealingLR(opt, t_max),
            ],
            milestones=[steps],
        )
        return record_rates(sched, total)


@rebuildable(module="lrbook.explore.topics.cosine")
def warmup_cosine(
    steps: Sequence[int] = (5, 10, 20, 40),
    start_factors: Sequence[float] = (0.01, 0.1, 0.25, 0.5),
    constructions: Sequence[str] = tuple(PYTORCH_WARMUPS),
    *,
    lr: float = 0.1,
    total: int = 200,
    warmup_steps: int = 20,
    start_factor: float = 0.1,
    construction: str = "ramp too long",
    title: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Explorer:
    r"""An explorer of a linear warm-up followed by a cosine, against PyTorch.

    The solid line is the schedule intended: :func:`lrbook.warmup` of
    ``cosine_annealing(lr, t_max=total - T_w)`` over ``total`` updates, which reaches 0
    at the last step. The dashed line is a PyTorch ``SequentialLR`` built with the
    numbers of the dropdown (:data:`PYTORCH_WARMUPS`), its rates computed by running
    PyTorch when the explorer is built (:func:`pytorch_warmup_cosine`). With the
    ``"joined"`` construction the two coincide; the slips show where they part.

    Args:
        steps: the values of the warm-up length slider :math:`T_w` (>= 1, < total).
        start_factors: the values of the start factor slider :math:`f_s \in (0, 1]`.
        constructions: the dropdown's PyTorch constructions (keys of
            :data:`PYTORCH_WARMUPS`).
        lr: :math:`\alpha_0 > 0`, fixed.
        total: the number of updates :math:`T` drawn.
        warmup_steps, start_factor, construction: the initial values.
        title: the figure's title.
        max_bytes: size budget of the web version.

    Returns:
        An :class:`~lrbook.explore.Explorer`.

    Raises:
        TypeError: a list of values or an argument of the wrong type.
        ValueError: a value out of range (the message names it).

    Examples:
        >>> ex = warmup_cosine(constructions=["joined"], construction="joined")
        >>> panel = ex.series()[0]
        >>> bool(abs(panel["lrbook"][1] - panel["pytorch"][1]).max() < 1e-12)
        True
    """
    lr = check.learning_rate("lr", lr, positive=True)
    total = check.integer("total", total, minimum=3)
    if isinstance(constructions, str) or not isinstance(constructions, Sequence):
        raise TypeError(
            f"constructions must be a list of names ({', '.join(PYTORCH_WARMUPS)}),"
            f" got {constructions!r}"
        )
    for c in constructions:
        check.choice("constructions", c, tuple(PYTORCH_WARMUPS))
    controls = [
        slider(
            "warmup_steps",
            _values("steps", steps),
            warmup_steps,
            label="warm-up $T_w$ (updates)",
        ),
        slider(
            "start_factor",
            _values("start_factors", start_factors),
            start_factor,
            label="start factor $f_s$",
        ),
        dropdown(
            "construction",
            list(constructions),
            construction,
            label="PyTorch SequentialLR",
        ),
    ]
    for n in controls[0].values:
        check.integer("steps", n, minimum=1)
        if n >= total:
            raise ValueError(f"steps must be < total = {total}, got {n}")
    for f in controls[1].values:
        _schedules.linear(lr, f, 1.0, 1)

    def compute(warmup_steps, start_factor, construction):
        ours = _schedules.warmup(
            _schedules.cosine_annealing(lr, t_max=total - warmup_steps),
            warmup_steps,
            start_factor,
        )
        t = np.arange(total)
        theirs = pytorch_warmup_cosine(
            lr, total, warmup_steps, start_factor, construction
        )
        gap = np.abs(theirs - ours(t))
        worst = int(np.argmax(gap))
        note = (
            f"{ours!r}\nPyTorch: SequentialLR({PYTORCH_WARMUPS[construction]},"
            f" milestones=[T_w])\nlargest difference {gap[worst]:.3g} at t = {worst}"
        )
        return Frame({"lrbook": (t, ours(t)), "pytorch": (t, theirs)}, note)

    panel = Panel(
        xlabel=X_LABEL,
        ylabel=Y_LABEL,
        lines={
            "lrbook": "intended: lrbook.warmup(cosine_annealing)",
            "pytorch": Line("PyTorch SequentialLR", dash="dashed"),
        },
        log_toggle=False,
        ylim=(0, None),
    )
    return Explorer(
        controls,
        compute,
        panel,
        title=title or "Warm-up then cosine, and PyTorch's SequentialLR",
        max_bytes=max_bytes,
    )
