r"""Cyclical learning rates and the one-cycle policy (chapter 6)."""

from __future__ import annotations

import numpy as np

from .. import _checks as check
from .core import Schedule, make_schedule, scaled
from .registry import GAMMA, Parameter, declare

__all__ = ["cyclic", "one_cycle"]


@declare(
    family="cyclic",
    pytorch="CyclicLR",
    torch=lambda tls, optimizer, p: tls.CyclicLR(
        optimizer,
        p["base_lr"],
        p["max_lr"],
        step_size_up=p["step_size_up"],
        step_size_down=p["step_size_down"],
        mode=p["mode"],
        gamma=p["gamma"],
        cycle_momentum=False,
    ),
    parameters={
        "base_lr": Parameter(r"\alpha_{\mathrm{base}}"),
        "max_lr": Parameter(r"\alpha_{\max}"),
        "step_size_up": Parameter("u", "steps"),
        "step_size_down": Parameter("d", "steps"),
        "gamma": GAMMA,
    },
)
def cyclic(
    base_lr: float,
    max_lr: float,
    step_size_up: int = 2000,
    step_size_down: int | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
) -> Schedule:
    r"""Cyclical learning rate (CLR): the rate goes up and down between two bounds.

    With :math:`u` = ``step_size_up``, :math:`d` = ``step_size_down``, and position
    :math:`x \in [0, 1)` within cycle :math:`c = \lfloor 1 + t/(u+d) \rfloor`:

    .. math::
        \alpha_t = \alpha_{\mathrm{base}} + (\alpha_{\max} - \alpha_{\mathrm{base}})\,
                   h(x)\, \sigma_t, \qquad
        h(x) = \begin{cases} x / r & x \le r \\ (x - 1)/(r - 1) & x > r \end{cases}

    where :math:`r = u/(u+d)` and the amplitude :math:`\sigma_t` is 1
    (``"triangular"``), :math:`2^{-(c-1)}` (``"triangular2"``: halved every cycle) or
    :math:`\gamma^t` (``"exp_range"``: shrinks with the total step count :math:`t`).
    After 1024 cycles the ``"triangular2"`` amplitude is below the smallest float and
    the rate stays at ``base_lr`` (PyTorch raises ``OverflowError`` there).

    Args:
        base_lr: the lower bound :math:`\alpha_{\mathrm{base}} \ge 0`.
        max_lr: the upper bound :math:`\alpha_{\max} \ge` ``base_lr``.
        step_size_up: :math:`u \ge 1`, steps from the bottom to the top of a cycle.
        step_size_down: :math:`d \ge 1`, steps from the top back down (default
            :math:`u`).
        mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``.
        gamma: :math:`\gamma > 0`, used by ``"exp_range"`` only.

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = cyclic(0.01, 0.1, step_size_up=5)
        >>> [round(s(t), 12) for t in (0, 5, 10, 15)]
        [0.01, 0.1, 0.01, 0.1]
        >>> s2 = cyclic(0.01, 0.1, step_size_up=5, mode="triangular2")
        >>> round(s2(15), 12)
        0.055

    PyTorch equivalent: ``torch.optim.lr_scheduler.CyclicLR(optimizer, base_lr, max_lr,
    step_size_up, step_size_down, mode, gamma)`` (note that by default it also cycles
    the momentum, ``cycle_momentum=True``).

    References:
        Smith, "Cyclical Learning Rates for Training Neural Networks", WACV 2017.
    """
    base_lr = check.learning_rate("base_lr", base_lr)
    max_lr = check.learning_rate("max_lr", max_lr)
    if max_lr < base_lr:
        raise ValueError(f"max_lr must be >= base_lr ({base_lr!r}), got {max_lr!r}")
    up = check.integer("step_size_up", step_size_up, minimum=1)
    down = (
        up
        if step_size_down is None
        else check.integer("step_size_down", step_size_down, minimum=1)
    )
    mode = check.choice("mode", mode, ("triangular", "triangular2", "exp_range"))
    gamma = check.finite("gamma", gamma, minimum=0.0, strict=True)
    total_size = float(up) + float(down)
    step_ratio = float(up) / total_size

    def fn(t):
        cycle = np.floor(1 + t / total_size)
        x = 1.0 + t / total_size - cycle
        scale = np.where(x <= step_ratio, x / step_ratio, (x - 1) / (step_ratio - 1))
        height = (max_lr - base_lr) * scale
        if mode == "triangular":
            return base_lr + height * 1.0
        if mode == "triangular2":
            return base_lr + height * (1 / (2.0 ** (cycle - 1)))
        return base_lr + scaled(height, gamma ** t.astype(np.float64))

    params = {
        "base_lr": base_lr,
        "max_lr": max_lr,
        "step_size_up": up,
        "step_size_down": step_size_down if step_size_down is None else down,
        "mode": mode,
        "gamma": gamma,
    }
    return make_schedule(
        cyclic,
        params,
        fn,
    )


@declare(
    family="cyclic",
    pytorch="OneCycleLR",
    torch=lambda tls, optimizer, p: tls.OneCycleLR(
        optimizer,
        p["max_lr"],
        total_steps=p["total_steps"],
        pct_start=p["pct_start"],
        anneal_strategy=p["anneal_strategy"],
        cycle_momentum=False,
        div_factor=p["div_factor"],
        final_div_factor=p["final_div_factor"],
        three_phase=p["three_phase"],
    ),
    parameters={
        "max_lr": Parameter(r"\alpha_{\max}"),
        "total_steps": Parameter("N", "steps"),
        "pct_start": Parameter(None, "fraction of N"),
    },
)
def one_cycle(
    max_lr: float,
    total_steps: int,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    three_phase: bool = False,
) -> Schedule:
    r"""The one-cycle policy: one warm-up to ``max_lr``, then one long anneal.

    The rate starts at :math:`\alpha_{\mathrm{init}} = \alpha_{\max}/\mathrm{div}`,
    rises to :math:`\alpha_{\max}` over the first ``pct_start`` of the
    ``total_steps``, then falls to
    :math:`\alpha_{\min} = \alpha_{\mathrm{init}}/\mathrm{final\_div}`. Within a phase
    that goes from :math:`a` to :math:`b` and is a fraction :math:`p \in [0, 1]` done,
    the rate is

    .. math::
        \text{cos:}\; b + \tfrac{a - b}{2}\,(1 + \cos \pi p), \qquad
        \text{linear:}\; a + (b - a)\,p .

    The warm-up ends at step :math:`\mathrm{pct\_start} \cdot N - 1` (:math:`N` =
    ``total_steps``). With ``three_phase`` the rate first goes back down to
    :math:`\alpha_{\mathrm{init}}` symmetrically, then anneals to :math:`\alpha_{\min}`.
    The schedule is defined for steps :math:`0 \le t \le N - 1` only.

    Args:
        max_lr: the peak learning rate :math:`\alpha_{\max} > 0`.
        total_steps: :math:`N \ge 1`, the number of optimizer updates in training.
        pct_start: the fraction of the steps spent warming up, in (0, 1) (below 0.5
            with ``three_phase``); ``pct_start * total_steps`` must exceed 1.
        anneal_strategy: ``"cos"`` or ``"linear"``.
        div_factor: :math:`\mathrm{div} > 0`, with :math:`\alpha_{\mathrm{init}} =
            \alpha_{\max}/\mathrm{div}`.
        final_div_factor: :math:`\mathrm{final\_div} > 0`, with :math:`\alpha_{\min} =
            \alpha_{\mathrm{init}}/\mathrm{final\_div}`.
        three_phase: whether to use the three-phase variant.

    Returns:
        A :class:`Schedule` with ``max_step == total_steps - 1``.

    Examples:
        >>> s = one_cycle(1.0, total_steps=100, pct_start=0.25, div_factor=10.0)
        >>> s(0), s(24), s(99)
        (0.1, 1.0, 1e-05)

    PyTorch equivalent: ``torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr,
    total_steps, pct_start, anneal_strategy, div_factor=div_factor,
    final_div_factor=final_div_factor, three_phase=three_phase)`` (which by default
    also cycles the momentum).

    References:
        Smith and Topin, "Super-Convergence: Very Fast Training of Neural Networks Using
        Large Learning Rates", 2018.
    """
    max_lr = check.learning_rate("max_lr", max_lr, positive=True)
    total = check.integer("total_steps", total_steps, minimum=1)
    pct = check.finite(
        "pct_start",
        pct_start,
        minimum=0.0,
        strict=True,
        maximum=0.5 if three_phase else 1.0,
        strict_max=True,
    )
    anneal = check.choice("anneal_strategy", anneal_strategy, ("cos", "linear"))
    div = check.finite("div_factor", div_factor, minimum=0.0, strict=True)
    final_div = check.finite(
        "final_div_factor", final_div_factor, minimum=0.0, strict=True
    )
    if not isinstance(three_phase, bool):
        raise TypeError(f"three_phase must be a bool, got {three_phase!r}")
    if not pct * total > 1:
        raise ValueError(
            f"pct_start * total_steps must be > 1 so that the warm-up lasts at least"
            f" one step, got pct_start={pct!r} with total_steps={total}"
        )
    initial = max_lr / div
    final = initial / final_div
    if three_phase:
        phases = [
            (float(pct * total) - 1, initial, max_lr),
            (float(2 * pct * total) - 2, max_lr, initial),
            (total - 1, initial, final),
        ]
    else:
        phases = [(float(pct * total) - 1, initial, max_lr), (total - 1, max_lr, final)]

    def fn(t):
        out = np.empty(t.shape, dtype=np.float64)
        todo = np.ones(t.shape, dtype=bool)
        start_step = 0.0
        for i, (end_step, a, b) in enumerate(phases):
            here = todo & (t <= end_step) if i < len(phases) - 1 else todo
            p = (t[here] - start_step) / (end_step - start_step)
            if anneal == "cos":
                out[here] = b + (a - b) / 2.0 * (np.cos(np.pi * p) + 1)
            else:
                out[here] = (b - a) * p + a
            todo &= ~here
            start_step = end_step
        return out

    params = {
        "max_lr": max_lr,
        "total_steps": total,
        "pct_start": pct,
        "anneal_strategy": anneal,
        "div_factor": div,
        "final_div_factor": final_div,
        "three_phase": three_phase,
    }
    return make_schedule(one_cycle, params, fn, max_step=total - 1)
