r"""Cyclical learning rates and the one-cycle policy (chapter 6), and the momentum
schedules that go with them.

PyTorch's ``CyclicLR`` and ``OneCycleLR`` set the learning rate *and*, by default
(``cycle_momentum=True``), the momentum: SGD's ``momentum`` or Adam's ``beta1``
(``betas[0]``), moved inversely to the rate between ``base_momentum`` and
``max_momentum``. lrbook keeps the two apart: :func:`cyclic` and :func:`one_cycle` are
schedules of the rate (their PyTorch builders use ``cycle_momentum=False``), and
:func:`cyclic_momentum` and :func:`one_cycle_momentum` are schedules of the momentum,
pure functions of the step like every other schedule. The pair

    ``one_cycle(max_lr, N, pct_start, anneal_strategy, div_factor, final_div_factor,
    three_phase)`` + ``one_cycle_momentum(N, pct_start, anneal_strategy,
    base_momentum, max_momentum, three_phase)``

is PyTorch's ``OneCycleLR(optimizer, max_lr, N, pct_start, anneal_strategy,
cycle_momentum=True, base_momentum, max_momentum, div_factor, final_div_factor,
three_phase)``, and ``cyclic(...)`` + ``cyclic_momentum(...)`` with the same cycle is
``CyclicLR(..., cycle_momentum=True, base_momentum, max_momentum)``;
:func:`native_torch_pair` builds it (after checking that the two share their cycle),
and ``lrbook.fit(rate, momentum_schedule=momentum)`` trains with it.
"""

from __future__ import annotations

import numpy as np

from .. import _checks as check
from ._libm import int_powers
from .core import Schedule, make_schedule, scaled
from .registry import GAMMA, Declaration, Parameter, declare

__all__ = [
    "MOMENTUM_DECLARATIONS",
    "cyclic",
    "cyclic_momentum",
    "native_torch_pair",
    "one_cycle",
    "one_cycle_momentum",
]

#: The momentum schedules, declared like the rate schedules (PyTorch builder, slider
#: metadata) but kept out of :func:`lrbook.schedules.registry.declarations`, whose
#: schedules set the learning rate. Their ``build(tls, optimizer, rate, momentum)``
#: returns PyTorch's scheduler for the pair (see :func:`native_torch_pair`).
MOMENTUM_DECLARATIONS: dict[str, Declaration] = {}

BASE_MOMENTUM = Parameter(r"\beta_{\min}")
MAX_MOMENTUM = Parameter(r"\beta_{\max}")


def _declare_momentum(*, pytorch: str, rate: str, torch, parameters):
    """Declare a momentum schedule that pairs with the rate schedule ``rate``."""

    def register(factory):
        MOMENTUM_DECLARATIONS[factory.__name__] = Declaration(
            factory.__name__, factory, "cyclic", pytorch, torch, dict(parameters)
        )
        factory.pairs_with = rate
        return factory

    return register


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
        "step_size_up": Parameter(r"T_{\text{up}}", "steps"),
        "step_size_down": Parameter(r"T_{\text{down}}", "steps"),
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

    With :math:`T_{\mathrm{up}}` = ``step_size_up``, :math:`T_{\mathrm{down}}` =
    ``step_size_down``, cycle :math:`c = \lfloor 1 + t/(T_{\mathrm{up}} +
    T_{\mathrm{down}}) \rfloor` and position :math:`\varphi = 1 + t/(T_{\mathrm{up}} +
    T_{\mathrm{down}}) - c \in [0, 1)` within it:

    .. math::
        \alpha_t = \alpha_{\mathrm{base}} + (\alpha_{\max} - \alpha_{\mathrm{base}})\,
                   h(\varphi)\, A_t, \qquad
        h(\varphi) = \begin{cases}
            \varphi\,(T_{\mathrm{up}} + T_{\mathrm{down}})/T_{\mathrm{up}}
                & \varphi \le T_{\mathrm{up}}/(T_{\mathrm{up}} + T_{\mathrm{down}}) \\
            (1 - \varphi)\,(T_{\mathrm{up}} + T_{\mathrm{down}})/T_{\mathrm{down}}
                & \text{otherwise}
        \end{cases}

    where the amplitude :math:`A_t` is 1 (``"triangular"``), :math:`2^{-(c-1)}`
    (``"triangular2"``: halved every cycle) or :math:`\gamma^t` (``"exp_range"``:
    shrinks with the total step count :math:`t`).
    After 1024 cycles the ``"triangular2"`` amplitude is below the smallest float and
    the rate stays at ``base_lr`` (PyTorch raises ``OverflowError`` there).

    Args:
        base_lr: the lower bound :math:`\alpha_{\mathrm{base}} \ge 0`.
        max_lr: the upper bound :math:`\alpha_{\max} \ge` ``base_lr``.
        step_size_up: :math:`T_{\mathrm{up}} \ge 1`, steps from the bottom to the top
            of a cycle.
        step_size_down: :math:`T_{\mathrm{down}} \ge 1`, steps from the top back down
            (default :math:`T_{\mathrm{up}}`).
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
    up, down, mode, gamma = _check_cycle(step_size_up, step_size_down, mode, gamma)

    def fn(t):
        cycle, scale = _cycle_position(t, up, down)
        height = (max_lr - base_lr) * scale
        return base_lr + _amplitude(height, mode, gamma, cycle, t)

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
        "total_steps": Parameter("T", "steps"),
        "pct_start": Parameter(None, "fraction of T"),
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
    that goes from :math:`\alpha_{\mathrm{from}}` to :math:`\alpha_{\mathrm{to}}` and is
    a fraction :math:`p \in [0, 1]` done, the rate is

    .. math::
        \text{cos:}\; \alpha_{\mathrm{to}} + \tfrac{\alpha_{\mathrm{from}} -
            \alpha_{\mathrm{to}}}{2}\,(1 + \cos \pi p), \qquad
        \text{linear:}\; \alpha_{\mathrm{from}} + (\alpha_{\mathrm{to}} -
            \alpha_{\mathrm{from}})\,p .

    The warm-up ends at step :math:`\mathrm{pct\_start} \cdot T - 1` (:math:`T` =
    ``total_steps``). With ``three_phase`` the rate first goes back down to
    :math:`\alpha_{\mathrm{init}}` symmetrically, then anneals to :math:`\alpha_{\min}`.
    The schedule is defined for steps :math:`0 \le t \le T - 1` only.

    Args:
        max_lr: the peak learning rate :math:`\alpha_{\max} > 0`.
        total_steps: :math:`T \ge 1`, the number of optimizer updates in training.
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
    total, pct, anneal = _check_one_cycle(
        total_steps, pct_start, anneal_strategy, three_phase
    )
    div = check.finite("div_factor", div_factor, minimum=0.0, strict=True)
    final_div = check.finite(
        "final_div_factor", final_div_factor, minimum=0.0, strict=True
    )
    initial = max_lr / div
    final = initial / final_div
    phases = _one_cycle_phases(
        total, pct, three_phase, (initial, max_lr, initial, final), (initial, max_lr)
    )

    def fn(t):
        return _anneal_phases(t, phases, anneal)

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


@_declare_momentum(
    pytorch="CyclicLR",
    rate="cyclic",
    torch=lambda tls, optimizer, rate, m: tls.CyclicLR(
        optimizer,
        rate["base_lr"],
        rate["max_lr"],
        step_size_up=rate["step_size_up"],
        step_size_down=rate["step_size_down"],
        mode=rate["mode"],
        gamma=rate["gamma"],
        cycle_momentum=True,
        base_momentum=m["base_momentum"],
        max_momentum=m["max_momentum"],
    ),
    parameters={
        "step_size_up": Parameter(r"T_{\text{up}}", "steps"),
        "step_size_down": Parameter(r"T_{\text{down}}", "steps"),
        "gamma": GAMMA,
        "base_momentum": BASE_MOMENTUM,
        "max_momentum": MAX_MOMENTUM,
    },
)
def cyclic_momentum(
    step_size_up: int = 2000,
    step_size_down: int | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
    base_momentum: float = 0.8,
    max_momentum: float = 0.9,
) -> Schedule:
    r"""The momentum that ``CyclicLR`` sets: the cycle of :func:`cyclic`, upside down.

    With the triangle :math:`h(\varphi)` and amplitude :math:`A_t` of
    :func:`cyclic` (same ``step_size_up``, ``step_size_down``, ``mode``, ``gamma``),
    the momentum of update :math:`t` (SGD's ``momentum``, Adam's :math:`\beta_1`) is

    .. math::
        \beta_t = \beta_{\max} - (\beta_{\max} - \beta_{\min})\, h(\varphi)\, A_t ,

    so it is :math:`\beta_{\max}` where the rate is ``base_lr`` and
    :math:`\beta_{\min}` where the rate peaks.

    Args:
        step_size_up: :math:`T_{\mathrm{up}} \ge 1`, steps from the bottom to the top of a rate
            cycle.
        step_size_down: :math:`T_{\mathrm{down}} \ge 1`, steps back down (default
            :math:`T_{\mathrm{up}}`).
        mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``.
        gamma: :math:`\gamma > 0`, used by ``"exp_range"`` only.
        base_momentum: :math:`\beta_{\min}`, in [0, 1), the momentum at the rate's
            peak.
        max_momentum: :math:`\beta_{\max}`, in [``base_momentum``, 1), the momentum
            at the rate's trough.

    Returns:
        A :class:`Schedule` of the momentum.

    Examples:
        >>> m = cyclic_momentum(step_size_up=5)
        >>> [round(m(t), 12) for t in (0, 5, 10)]
        [0.9, 0.8, 0.9]

    PyTorch equivalent: the momentum of ``torch.optim.lr_scheduler.CyclicLR(optimizer,
    base_lr, max_lr, step_size_up, step_size_down, mode, gamma, cycle_momentum=True,
    base_momentum=base_momentum, max_momentum=max_momentum)``, read from
    ``optimizer.param_groups[0]["momentum"]`` (``["betas"][0]`` for Adam); the rate
    is :func:`cyclic`. :func:`native_torch_pair` builds it from the two.

    References:
        Smith, "Cyclical Learning Rates for Training Neural Networks", WACV 2017;
        Smith, "A disciplined approach to neural network hyper-parameters: Part 1",
        2018 (cyclical momentum).
    """
    up, down, mode, gamma = _check_cycle(step_size_up, step_size_down, mode, gamma)
    low, high = _check_momenta(base_momentum, max_momentum)

    def fn(t):
        cycle, scale = _cycle_position(t, up, down)
        height = (high - low) * scale
        return high - _amplitude(height, mode, gamma, cycle, t)

    params = {
        "step_size_up": up,
        "step_size_down": step_size_down if step_size_down is None else down,
        "mode": mode,
        "gamma": gamma,
        "base_momentum": low,
        "max_momentum": high,
    }
    return make_schedule(cyclic_momentum, params, fn)


@_declare_momentum(
    pytorch="OneCycleLR",
    rate="one_cycle",
    torch=lambda tls, optimizer, rate, m: tls.OneCycleLR(
        optimizer,
        rate["max_lr"],
        total_steps=rate["total_steps"],
        pct_start=rate["pct_start"],
        anneal_strategy=rate["anneal_strategy"],
        cycle_momentum=True,
        base_momentum=m["base_momentum"],
        max_momentum=m["max_momentum"],
        div_factor=rate["div_factor"],
        final_div_factor=rate["final_div_factor"],
        three_phase=rate["three_phase"],
    ),
    parameters={
        "total_steps": Parameter("T", "steps"),
        "pct_start": Parameter(None, "fraction of T"),
        "base_momentum": BASE_MOMENTUM,
        "max_momentum": MAX_MOMENTUM,
    },
)
def one_cycle_momentum(
    total_steps: int,
    pct_start: float = 0.3,
    anneal_strategy: str = "cos",
    base_momentum: float = 0.85,
    max_momentum: float = 0.95,
    three_phase: bool = False,
) -> Schedule:
    r"""The momentum that ``OneCycleLR`` sets: down while the rate warms up, back up
    while it anneals.

    The phases are those of :func:`one_cycle` with the same ``total_steps``
    (:math:`T`), ``pct_start`` and ``three_phase``, and within a phase that goes
    from :math:`\beta_{\mathrm{from}}` to :math:`\beta_{\mathrm{to}}` and is a fraction
    :math:`p` done, the same interpolation (``anneal_strategy``):

    .. math::
        \text{cos:}\; \beta_t = \beta_{\mathrm{to}} + \tfrac{\beta_{\mathrm{from}} -
            \beta_{\mathrm{to}}}{2}\,(1 + \cos \pi p), \qquad
        \text{linear:}\; \beta_t = \beta_{\mathrm{from}} + (\beta_{\mathrm{to}} -
            \beta_{\mathrm{from}})\,p ,

    going :math:`\beta_{\max} \to \beta_{\min}` during the warm-up and
    :math:`\beta_{\min} \to \beta_{\max}` during the anneal (with ``three_phase``:
    :math:`\beta_{\max} \to \beta_{\min} \to \beta_{\max}`, then constant at
    :math:`\beta_{\max}`). Defined for steps :math:`0 \le t \le T - 1`.

    Args:
        total_steps: :math:`T \ge 1`, the number of optimizer updates in training.
        pct_start: the fraction of the steps spent warming up, in (0, 1) (below 0.5
            with ``three_phase``); ``pct_start * total_steps`` must exceed 1.
        anneal_strategy: ``"cos"`` or ``"linear"``.
        base_momentum: :math:`\beta_{\min}`, in [0, 1), the momentum at the rate's
            peak.
        max_momentum: :math:`\beta_{\max}`, in [``base_momentum``, 1), the momentum
            at the start and the end.
        three_phase: whether to use the three-phase variant.

    Returns:
        A :class:`Schedule` of the momentum, with ``max_step == total_steps - 1``.

    Examples:
        >>> m = one_cycle_momentum(100, pct_start=0.25)
        >>> m(0), m(24), m(99)
        (0.95, 0.85, 0.95)

    PyTorch equivalent: the momentum of ``torch.optim.lr_scheduler.OneCycleLR(
    optimizer, max_lr, total_steps, pct_start, anneal_strategy, cycle_momentum=True,
    base_momentum=base_momentum, max_momentum=max_momentum, three_phase=three_phase)``
    (its defaults), read from ``optimizer.param_groups[0]["momentum"]`` (SGD) or
    ``["betas"][0]`` (Adam); the rate is :func:`one_cycle`. :func:`native_torch_pair`
    builds it from the two.

    References:
        Smith and Topin, "Super-Convergence: Very Fast Training of Neural Networks Using
        Large Learning Rates", 2018; Smith, "A disciplined approach to neural network
        hyper-parameters: Part 1", 2018.
    """
    total, pct, anneal = _check_one_cycle(
        total_steps, pct_start, anneal_strategy, three_phase
    )
    low, high = _check_momenta(base_momentum, max_momentum)
    phases = _one_cycle_phases(
        total, pct, three_phase, (high, low, high, high), (high, low)
    )

    def fn(t):
        return _anneal_phases(t, phases, anneal)

    params = {
        "total_steps": total,
        "pct_start": pct,
        "anneal_strategy": anneal,
        "base_momentum": low,
        "max_momentum": high,
        "three_phase": three_phase,
    }
    return make_schedule(one_cycle_momentum, params, fn, max_step=total - 1)


#: What a rate schedule and its momentum schedule must share to be one PyTorch
#: scheduler.
_SHARED = {
    "cyclic": ("step_size_up", "step_size_down", "mode", "gamma"),
    "one_cycle": ("total_steps", "pct_start", "anneal_strategy", "three_phase"),
}


def native_torch_pair(optimizer, rate: Schedule, momentum: Schedule):
    """PyTorch's one scheduler for a rate schedule and its momentum schedule.

    ``one_cycle`` + ``one_cycle_momentum`` becomes ``OneCycleLR(...,
    cycle_momentum=True, base_momentum, max_momentum)`` and ``cyclic`` +
    ``cyclic_momentum`` becomes ``CyclicLR(..., cycle_momentum=True, ...)``; the two
    must share their cycle (the same ``total_steps``, ``pct_start``,
    ``anneal_strategy``, ``three_phase``, or ``step_size_up``, ``step_size_down``,
    ``mode``, ``gamma``). After ``t`` calls of ``scheduler.step()`` the optimizer's
    rate is ``rate(t)`` and its momentum (SGD's ``momentum``, Adam's ``betas[0]``)
    ``momentum(t)``. (For a rate schedule alone,
    :func:`lrbook.torch_bridge.native_torch_scheduler` builds the same class with
    ``cycle_momentum=False``.)

    Args:
        optimizer: a ``torch.optim.Optimizer`` with a momentum or ``betas``.
        rate: an lrbook ``cyclic`` or ``one_cycle`` schedule.
        momentum: the matching ``cyclic_momentum`` or ``one_cycle_momentum``.

    Returns:
        A ``torch.optim.lr_scheduler.CyclicLR`` or ``OneCycleLR``.

    Examples:
        >>> import torch
        >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1,
        ...                       momentum=0.9)
        >>> sched = native_torch_pair(opt, one_cycle(0.1, 100),
        ...                           one_cycle_momentum(100))
        >>> type(sched).__name__, opt.param_groups[0]["momentum"]
        ('OneCycleLR', 0.95)

    References:
        PyTorch, ``torch.optim.lr_scheduler.OneCycleLR`` and ``CyclicLR``.
    """
    import torch.optim.lr_scheduler as tls

    if not isinstance(rate, Schedule) or rate.name not in _SHARED:
        raise TypeError(
            f"rate must be an lrbook cyclic or one_cycle schedule, got {rate!r}"
        )
    wanted = f"{rate.name}_momentum"
    if not isinstance(momentum, Schedule) or momentum.name != wanted:
        raise TypeError(
            f"momentum must be an lrbook {wanted} schedule to pair with {rate!r}, "
            f"got {momentum!r}"
        )
    r, m = rate.params, momentum.params
    for key in _SHARED[rate.name]:
        if r[key] != m[key]:
            raise ValueError(
                f"rate and momentum must share {key} to be one PyTorch scheduler, got "
                f"{key}={r[key]!r} (rate) and {key}={m[key]!r} (momentum)"
            )
    return MOMENTUM_DECLARATIONS[wanted].build(tls, optimizer, r, m)


def _check_cycle(step_size_up, step_size_down, mode, gamma):
    """The validated cycle of :func:`cyclic`: ``(up, down, mode, gamma)``."""
    up = check.integer("step_size_up", step_size_up, minimum=1)
    down = (
        up
        if step_size_down is None
        else check.integer("step_size_down", step_size_down, minimum=1)
    )
    mode = check.choice("mode", mode, ("triangular", "triangular2", "exp_range"))
    gamma = check.finite("gamma", gamma, minimum=0.0, strict=True)
    return up, down, mode, gamma


def _cycle_position(t: np.ndarray, up: int, down: int):
    """The cycle :math:`c` (from 1) of each step, and :math:`h(\varphi)` in [0, 1] (PyTorch's
    ``scale_factor``), computed in PyTorch's order of operations."""
    total_size = float(up) + float(down)
    step_ratio = float(up) / total_size
    cycle = np.floor(1 + t / total_size)
    x = 1.0 + t / total_size - cycle
    scale = np.where(x <= step_ratio, x / step_ratio, (x - 1) / (step_ratio - 1))
    return cycle, scale


def _amplitude(height: np.ndarray, mode: str, gamma: float, cycle, t) -> np.ndarray:
    """``height`` times the amplitude :math:`A_t` of ``mode``."""
    if mode == "triangular":
        return height * 1.0
    if mode == "triangular2":
        # PyTorch's 1 / 2.0 ** (c - 1) is an exact power of 2 (ldexp); from cycle
        # 1025 on PyTorch overflows, and the amplitude here is 0.
        halvings = np.minimum(cycle - 1, 1100).astype(np.int64)
        return height * np.where(halvings >= 1024, 0.0, np.ldexp(1.0, -halvings))
    return scaled(height, int_powers(gamma, t))


def _check_momenta(base_momentum, max_momentum) -> tuple[float, float]:
    """``0 <= base_momentum <= max_momentum < 1``."""
    low = check.finite(
        "base_momentum", base_momentum, minimum=0.0, maximum=1.0, strict_max=True
    )
    high = check.finite(
        "max_momentum", max_momentum, minimum=0.0, maximum=1.0, strict_max=True
    )
    if high < low:
        raise ValueError(
            f"max_momentum must be >= base_momentum ({low!r}), got {max_momentum!r}"
        )
    return low, high


def _check_one_cycle(total_steps, pct_start, anneal_strategy, three_phase):
    """The validated shape of a one-cycle run: ``(total, pct, anneal)``."""
    total = check.integer("total_steps", total_steps, minimum=1)
    if not isinstance(three_phase, bool):
        raise TypeError(f"three_phase must be a bool, got {three_phase!r}")
    pct = check.finite(
        "pct_start",
        pct_start,
        minimum=0.0,
        strict=True,
        maximum=0.5 if three_phase else 1.0,
        strict_max=True,
    )
    anneal = check.choice("anneal_strategy", anneal_strategy, ("cos", "linear"))
    if not pct * total > 1:
        raise ValueError(
            f"pct_start * total_steps must be > 1 so that the warm-up lasts at least"
            f" one step, got pct_start={pct!r} with total_steps={total}"
        )
    return total, pct, anneal


def _one_cycle_phases(total, pct, three_phase, values3, values2):
    """PyTorch's phases ``(end_step, start, end)``: three through the four
    ``values3``, or two through ``values2`` and ``values3[-1]``."""
    if three_phase:
        a, b, c, d = values3
        return [
            (float(pct * total) - 1, a, b),
            (float(2 * pct * total) - 2, b, c),
            (total - 1, c, d),
        ]
    a, b = values2
    return [(float(pct * total) - 1, a, b), (total - 1, b, values3[-1])]


def _anneal_phases(t: np.ndarray, phases, anneal: str) -> np.ndarray:
    """Interpolate within each phase as PyTorch's ``_annealing_cos``/``_linear``."""
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
