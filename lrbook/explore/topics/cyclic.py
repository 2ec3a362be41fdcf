r"""Ready-made explorers of chapter 6: cyclical rates and the one-cycle policy.

* :func:`cyclic`: ``CyclicLR`` in its three modes, with the base and peak rates, the
  step sizes up and down, and :math:`\gamma` of ``exp_range``;
* :func:`one_cycle`: ``OneCycleLR``'s rate (left) and the momentum it cycles inversely
  by default (right, :func:`lrbook.one_cycle_momentum`), with the peak rate,
  ``pct_start``, the two division factors and the three-phase variant.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ... import _checks as check
from ... import plotting
from ... import schedules as _schedules
from ..controls import dropdown, slider, toggle
from ..core import Explorer
from ..panels import Frame, Line, Panel
from ..recipes import rebuildable
from ..web import MAX_BYTES

__all__ = ["cyclic", "one_cycle"]

MOMENTUM_LABEL = r"momentum $\beta_t$"


def _values(name: str, values) -> list:
    if isinstance(values, np.ndarray):
        values = values.tolist()
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(
            f"{name} must be a list of numbers, got {type(values).__name__} {values!r}"
        )
    return list(values)


@rebuildable(module="lrbook.explore.topics.cyclic")
def cyclic(
    base_lrs: Sequence[float] = (0.001, 0.01),
    max_lrs: Sequence[float] = (0.05, 0.1, 0.2),
    step_sizes_up: Sequence[int] = (10, 25, 50),
    step_sizes_down: Sequence[int] = (10, 25, 50),
    gammas: Sequence[float] = (0.99, 0.995, 0.999),
    *,
    mode: str = "triangular",
    base_lr: float = 0.01,
    max_lr: float = 0.1,
    step_size_up: int = 25,
    step_size_down: int = 25,
    gamma: float = 0.995,
    horizon: int = 300,
    title: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Explorer:
    r"""An explorer of ``CyclicLR``: mode, bounds, step sizes and :math:`\gamma`.

    Draws :func:`lrbook.cyclic` (PyTorch's values) for :math:`t = 0 \dots`
    ``horizon - 1``, with the envelope :math:`\alpha_{\mathrm{base}} +
    (\alpha_{\max} - \alpha_{\mathrm{base}}) A_t` of its mode dashed (1,
    :math:`2^{-(c-1)}` or :math:`\gamma^t`).

    Args:
        base_lrs: the values of the :math:`\alpha_{\mathrm{base}}` slider (>= 0).
        max_lrs: the values of the :math:`\alpha_{\max}` slider (>= every base).
        step_sizes_up: the values of the :math:`T_{\text{up}}` slider (integers >= 1).
        step_sizes_down: the values of the :math:`T_{\text{down}}` slider (integers
            >= 1).
        gammas: the values of the :math:`\gamma` slider (> 0; ``exp_range`` only).
        mode, base_lr, max_lr, step_size_up, step_size_down, gamma: initial values.
        horizon: the number of updates drawn (>= 2).
        title: the figure's title.
        max_bytes: size budget of the web version.

    Returns:
        An :class:`~lrbook.explore.Explorer`.

    Raises:
        TypeError: a list of values of the wrong type.
        ValueError: a value the schedule rejects.

    Examples:
        >>> ex = cyclic()
        >>> ex.values["mode"], ex.values["max_lr"]
        ('triangular', 0.1)
        >>> x, y = ex.series()[0]["rate"]
        >>> round(float(y[25]), 12), round(float(y[50]), 12)
        (0.1, 0.01)
    """
    horizon = check.integer("horizon", horizon, minimum=2)
    controls = [
        dropdown("mode", ("triangular", "triangular2", "exp_range"), mode),
        slider(
            "base_lr",
            _values("base_lrs", base_lrs),
            base_lr,
            label=r"base rate $\alpha_{\mathrm{base}}$",
        ),
        slider(
            "max_lr", _values("max_lrs", max_lrs), max_lr, label=r"peak $\alpha_{\max}$"
        ),
        slider(
            "step_size_up",
            _values("step_sizes_up", step_sizes_up),
            step_size_up,
            label=r"step size up $T_{\text{up}}$ (updates)",
        ),
        slider(
            "step_size_down",
            _values("step_sizes_down", step_sizes_down),
            step_size_down,
            label=r"step size down $T_{\text{down}}$ (updates)",
        ),
        slider(
            "gamma",
            _values("gammas", gammas),
            gamma,
            label=r"$\gamma$ (exp_range)",
            idle="acts in the exp_range mode only",
        ),
    ]
    for b in controls[1].values:
        for m in controls[2].values:
            _schedules.cyclic(b, m)
    for c in controls[3:]:
        for v in c.values:
            _schedules.cyclic(0.0, 1.0, **{c.name: v})

    def compute(mode, base_lr, max_lr, step_size_up, step_size_down, gamma):
        s = _schedules.cyclic(
            base_lr, max_lr, step_size_up, step_size_down, mode=mode, gamma=gamma
        )
        t = np.arange(horizon)
        cycle = np.floor(1 + t / (step_size_up + step_size_down))
        amplitude = {
            "triangular": np.ones(horizon),
            "triangular2": 1 / 2.0 ** (cycle - 1),
            "exp_range": gamma ** t.astype(np.float64),
        }[mode]
        envelope = base_lr + (max_lr - base_lr) * amplitude
        length = step_size_up + step_size_down
        note = f"{s!r}\ncycle length T_up + T_down = {length} updates"
        return Frame({"rate": (t, s(t)), "envelope": (t, envelope)}, note)

    panel = Panel(
        xlabel=plotting.UPDATE_LABEL,
        ylabel=plotting.LR_LABEL,
        lines={
            "rate": "CyclicLR",
            "envelope": Line(r"envelope, amplitude factor $A_t$", dash="dashed"),
        },
        log_toggle=False,
        ylim=(0, None),
    )
    return Explorer(
        controls,
        compute,
        panel,
        title=title or "CyclicLR: triangular, triangular2, exp_range",
        max_bytes=max_bytes,
    )


@rebuildable(module="lrbook.explore.topics.cyclic")
def one_cycle(
    max_lrs: Sequence[float] = (0.1, 0.3, 1.0),
    pct_starts: Sequence[float] = (0.1, 0.25, 0.3, 0.45),
    div_factors: Sequence[float] = (5.0, 25.0, 100.0),
    final_div_factors: Sequence[float] = (10.0, 1e2, 1e4),
    *,
    max_lr: float = 0.3,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    three_phase: bool = False,
    anneal_strategy: str = "cos",
    base_momentum: float = 0.85,
    max_momentum: float = 0.95,
    total_steps: int = 200,
    title: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Explorer:
    r"""An explorer of ``OneCycleLR``: the rate, and the momentum it cycles.

    Left, :func:`lrbook.one_cycle` over :math:`T` = ``total_steps`` updates; right,
    :func:`lrbook.one_cycle_momentum` with the same phases (PyTorch's momentum with its
    default ``cycle_momentum=True``). The dot marks the peak, at step
    :math:`\mathrm{pct\_start}\cdot T - 1`.

    Args:
        max_lrs: the values of the :math:`\alpha_{\max}` slider (> 0).
        pct_starts: the values of the ``pct_start`` slider, in (0, 0.5) so that the
            three-phase variant accepts them.
        div_factors: the values of the ``div_factor`` slider (> 0).
        final_div_factors: the values of the ``final_div_factor`` slider (> 0).
        max_lr, pct_start, div_factor, final_div_factor, three_phase: initial values.
        anneal_strategy: ``"cos"`` or ``"linear"``, fixed.
        base_momentum, max_momentum: :math:`\beta_{\min} \le \beta_{\max}` in [0, 1),
            fixed.
        total_steps: :math:`T`, fixed.
        title: the figure's title.
        max_bytes: size budget of the web version.

    Returns:
        An :class:`~lrbook.explore.Explorer`.

    Raises:
        TypeError: a list of values of the wrong type.
        ValueError: a value the schedules reject.

    Examples:
        >>> ex = one_cycle()
        >>> ex.values["three_phase"], ex.values["pct_start"]
        (False, 0.3)
        >>> rate, momentum = ex.series()
        >>> float(rate["rate"][1].max()), float(momentum["momentum"][1].min())
        (0.3, 0.85)
    """
    controls = [
        slider(
            "max_lr", _values("max_lrs", max_lrs), max_lr, label=r"peak $\alpha_{\max}$"
        ),
        slider(
            "pct_start",
            _values("pct_starts", pct_starts),
            pct_start,
            label="pct_start (fraction of T)",
        ),
        slider(
            "div_factor",
            _values("div_factors", div_factors),
            div_factor,
            label="div_factor",
        ),
        slider(
            "final_div_factor",
            _values("final_div_factors", final_div_factors),
            final_div_factor,
            label="final_div_factor",
        ),
        toggle("three_phase", three_phase, label="three_phase"),
    ]
    for c in controls[:4]:
        for v in c.values:
            for three in (False, True):
                _schedules.one_cycle(
                    **{"max_lr": 1.0, "total_steps": total_steps, c.name: v},
                    three_phase=three,
                )
    _schedules.one_cycle_momentum(
        total_steps, base_momentum=base_momentum, max_momentum=max_momentum
    )

    def compute(max_lr, pct_start, div_factor, final_div_factor, three_phase):
        s = _schedules.one_cycle(
            max_lr,
            total_steps,
            pct_start,
            anneal_strategy,
            div_factor,
            final_div_factor,
            three_phase,
        )
        m = _schedules.one_cycle_momentum(
            total_steps,
            pct_start,
            anneal_strategy,
            base_momentum,
            max_momentum,
            three_phase,
        )
        t = np.arange(total_steps)
        peak = [pct_start * total_steps - 1]
        peak_step = int(np.argmax(s(t)))
        note = (
            f"initial {s(0):.3g}, peak {max_lr:g} at update {peak_step}, "
            f"final {s(total_steps - 1):.3g}"
        )
        rate = {"rate": (t, s(t)), "peak": (peak, [max_lr])}
        momentum = {"momentum": (t, m(t)), "low": (peak, [base_momentum])}
        return Frame([rate, momentum], note)

    panels = [
        Panel(
            xlabel=plotting.UPDATE_LABEL,
            ylabel=plotting.LR_LABEL,
            lines={
                "rate": "OneCycleLR rate",
                "peak": Line("peak", color=7, marker=True),
            },
            ylim=(0, None),
            log_toggle=False,
        ),
        Panel(
            xlabel=plotting.UPDATE_LABEL,
            ylabel=MOMENTUM_LABEL,
            lines={
                "momentum": Line("momentum (cycle_momentum=True)", color=1),
                "low": Line(r"$\beta_{\min}$", color=7, marker=True),
            },
            log_toggle=False,
        ),
    ]
    return Explorer(
        controls,
        compute,
        panels,
        title=title or "OneCycleLR: the rate and the momentum",
        max_bytes=max_bytes,
    )
