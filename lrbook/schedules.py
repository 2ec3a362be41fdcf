r"""Learning-rate schedules as pure functions of the update number.

Each factory in this module returns a :class:`Schedule` ``s``. ``s(t)`` is the learning
rate in effect for optimizer update number ``t`` (0-based): exactly the value PyTorch
puts in ``optimizer.param_groups[0]["lr"]`` after ``t`` calls of ``scheduler.step()``
(each after ``optimizer.step()``), for the PyTorch scheduler built with the same
parameters. Parameter names mirror PyTorch's, lower-cased.

PyTorch computes most of its schedules *recursively* ("chainable" form: the new rate is
the old rate times a factor). Here every schedule is evaluated in *closed form*, so a
whole schedule is one vectorised NumPy expression. The two agree to rounding error; the
tests check it to a relative tolerance of 1e-9.

Examples:
    >>> import numpy as np
    >>> s = cosine_annealing(0.1, t_max=100, eta_min=1e-3)
    >>> s(0)
    0.1
    >>> s(np.arange(3)).round(6)
    array([0.1     , 0.099976, 0.099902])
    >>> s
    cosine_annealing(lr=0.1, t_max=100, eta_min=0.001)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

import numpy as np

from . import _checks as check

__all__ = [
    "FACTORIES",
    "Schedule",
    "constant",
    "step_decay",
    "multistep_decay",
    "exponential_decay",
    "linear",
    "cosine_annealing",
    "cosine_warm_restarts",
    "cyclic",
    "one_cycle",
    "sequential",
    "per_epoch",
    "inverse_time_decay",
    "gamma_for",
    "half_life",
    "ReduceLROnPlateau",
]


#: The factories of the schedules that PyTorch implements (one class each), in the
#: order the book teaches them; ``explore.schedule`` accepts any of their names.
FACTORIES = (
    "constant",
    "step_decay",
    "multistep_decay",
    "exponential_decay",
    "linear",
    "cosine_annealing",
    "cosine_warm_restarts",
    "cyclic",
    "one_cycle",
    "sequential",
)


class Schedule:
    """A learning-rate schedule: a pure function from update number to learning rate.

    Made by the factories of :mod:`lrbook.schedules` (``step_decay(...)`` etc.), not
    directly. Calling it with an ``int`` returns a Python ``float``; with an array of
    steps it returns a ``float64`` array of the same shape, computed in closed form.

    Attributes:
        name: the factory that made it, e.g. ``"step_decay"``.
        params: the factory's arguments, as a dict (a copy).
        max_step: the last step at which the schedule is defined, or ``None`` when it is
            defined for every ``t >= 0``.
    """

    def __init__(
        self,
        name: str,
        params: dict,
        fn: Callable[[np.ndarray], np.ndarray],
        max_step: int | None = None,
        doc: str | None = None,
    ):
        self.name = name
        self._params = dict(params)
        self._fn = fn
        self.max_step = max_step
        self.__doc__ = doc

    @property
    def params(self) -> dict:
        return dict(self._params)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._params.items())
        return f"{self.name}({args})"

    def __call__(self, t):
        steps, scalar = _as_steps(t, self.max_step, self.name)
        # Always evaluate a 1-d array: NumPy's scalar and array loops for pow/cos can
        # round differently, and s(t) must equal s(array)[i] bit for bit.
        values = self._eval(steps.reshape(-1)).reshape(steps.shape)
        return float(values) if scalar else values

    def _eval(self, steps: np.ndarray) -> np.ndarray:
        """Evaluate at validated 1-d int64 ``steps`` and check the result is finite.

        Long inputs are evaluated in blocks of ``_BLOCK`` steps: the temporaries of a
        block stay in the CPU cache, which makes a 200,000-step schedule several times
        faster than one pass over the whole array.
        """
        values = np.empty(steps.shape, dtype=np.float64)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            for i in range(0, steps.size, _BLOCK):
                values[i : i + _BLOCK] = self._fn(steps[i : i + _BLOCK])
        if not np.isfinite(values).all():
            bad = steps[~np.isfinite(values)].min()
            raise ValueError(
                f"{self!r} is not a finite number at step t={bad} (it overflows);"
                " use a smaller horizon or a gamma closer to 1"
            )
        return values


_BLOCK = 16_384


#: The largest step a schedule accepts: beyond 2**53, float64 cannot tell steps apart.
MAX_STEP = 2**53


def _as_steps(t, max_step: int | None, name: str) -> tuple[np.ndarray, bool]:
    """Validate ``t`` and return it as an int64 array, plus whether it was a scalar."""
    allowed = "an integer step t >= 0 or an array of them"
    if isinstance(t, (bool, np.bool_)):
        raise ValueError(f"t must be {allowed}, got {t!r} (bool)")
    if isinstance(t, numbers.Number):
        scalar = True
        arr = np.asarray(t)
    elif isinstance(t, (np.ndarray, list, tuple, range)):
        scalar = False
        arr = np.asarray(t)
    else:
        raise ValueError(f"t must be {allowed}, got {t!r} ({type(t).__name__})")
    kind = arr.dtype.kind
    if kind == "O" and all(isinstance(v, numbers.Integral) for v in arr.flat):
        arr = np.asarray(arr, dtype=np.float64)  # Python ints beyond int64
        kind = "f"
    if kind == "f":
        if arr.size and not np.all(np.isfinite(arr)):
            raise ValueError(f"t must be {allowed}, got a non-finite step ({t!r})")
        if arr.size and not np.all(arr == np.floor(arr)):
            raise ValueError(f"t must be {allowed}, got a fractional step ({t!r})")
    elif kind not in "iu":
        raise ValueError(f"t must be {allowed}, got {t!r} (dtype {arr.dtype})")
    if arr.size:
        if arr.min() < 0:
            raise ValueError(f"t must be >= 0, got {arr.min().item()!r}")
        if arr.max() > MAX_STEP:
            raise ValueError(
                f"t must be <= 2**53 = {MAX_STEP}, got {arr.max().item()!r}"
            )
        if max_step is not None and arr.max() > max_step:
            raise ValueError(
                f"{name} is defined for steps 0..{max_step}, got t={int(arr.max())}"
            )
    steps = arr.astype(np.int64, copy=False)
    return steps, scalar


def _times(a, factor: np.ndarray) -> np.ndarray:
    """``a * factor``, where a zero ``a`` gives 0 even if the factor overflowed (as in
    PyTorch, whose rate stays 0 when multiplied step by step)."""
    return np.where(a == 0, 0.0, a * factor)


def _make(
    name: str, params: dict, fn, factory, max_step: int | None = None
) -> Schedule:
    return Schedule(name, params, fn, max_step=max_step, doc=factory.__doc__)


def constant(lr: float) -> Schedule:
    r"""A constant learning rate: plain gradient descent with a fixed step size.

    .. math::
        \alpha_t = \alpha_0

    Args:
        lr: the learning rate :math:`\alpha_0 \ge 0`.

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = constant(0.1)
        >>> s(0), s(1000)
        (0.1, 0.1)

    PyTorch equivalent: no scheduler (``torch.optim.SGD(params, lr=lr)`` alone).
    """
    lr = check.learning_rate("lr", lr)
    return _make("constant", {"lr": lr}, lambda t: np.full(t.shape, lr), constant)


def step_decay(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    r"""Step decay: multiply the learning rate by ``gamma`` every ``step_size`` steps.

    .. math::
        \alpha_t = \alpha_0 \, \gamma^{\lfloor t / s \rfloor}

    where :math:`s` is ``step_size``.

    Args:
        lr: the initial learning rate :math:`\alpha_0 \ge 0`.
        step_size: the period :math:`s \ge 1` of the drops, in steps.
        gamma: the factor :math:`\gamma > 0` of each drop (below 1 to decay).

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = step_decay(0.1, step_size=30, gamma=0.5)
        >>> s(29), s(30), s(60)
        (0.1, 0.05, 0.025)

    PyTorch equivalent: ``torch.optim.lr_scheduler.StepLR(optimizer, step_size,
    gamma)``.

    References:
        He et al., "Deep Residual Learning for Image Recognition", CVPR 2016 (drops by
        10x at fixed epochs).
    """
    lr = check.learning_rate("lr", lr)
    step_size = check.integer("step_size", step_size, minimum=1)
    gamma = check.finite("gamma", gamma, minimum=0.0, strict=True)
    return _make(
        "step_decay",
        {"lr": lr, "step_size": step_size, "gamma": gamma},
        lambda t: _times(lr, np.power(gamma, (t // step_size).astype(np.float64))),
        step_decay,
    )


def multistep_decay(
    lr: float, milestones: Sequence[int], gamma: float = 0.1
) -> Schedule:
    r"""Multi-step decay: multiply the learning rate by ``gamma`` at each milestone.

    .. math::
        \alpha_t = \alpha_0 \, \gamma^{\#\{m_i \le t\}}

    where :math:`m_1 < m_2 < \dots` are the milestones.

    Args:
        lr: the initial learning rate :math:`\alpha_0 \ge 0`.
        milestones: strictly increasing steps :math:`m_i \ge 0` at which the rate drops.
        gamma: the factor :math:`\gamma > 0` of each drop.

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = multistep_decay(0.1, milestones=[30, 80], gamma=0.1)
        >>> s(29), s(30), round(s(80), 12)
        (0.1, 0.010000000000000002, 0.001)

    PyTorch equivalent: ``torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones,
    gamma)``.

    References:
        He et al., "Deep Residual Learning for Image Recognition", CVPR 2016.
    """
    lr = check.learning_rate("lr", lr)
    ms = check.increasing_integers("milestones", milestones, minimum=0)
    gamma = check.finite("gamma", gamma, minimum=0.0, strict=True)
    edges = np.asarray(ms, dtype=np.int64)

    def fn(t):
        drops = np.searchsorted(edges, t, side="right").astype(np.float64)
        return _times(lr, np.power(gamma, drops))

    return _make(
        "multistep_decay",
        {"lr": lr, "milestones": list(ms), "gamma": gamma},
        fn,
        multistep_decay,
    )


def exponential_decay(lr: float, gamma: float) -> Schedule:
    r"""Exponential decay: multiply the learning rate by ``gamma`` at every step.

    .. math::
        \alpha_t = \alpha_0 \, \gamma^{t}

    The rate halves every :math:`\ln 2 / \ln(1/\gamma)` steps (its half-life).

    Args:
        lr: the initial learning rate :math:`\alpha_0 \ge 0`.
        gamma: the factor :math:`\gamma > 0` per step (below 1 to decay).

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = exponential_decay(0.1, gamma=0.5)
        >>> s(0), s(1), s(3)
        (0.1, 0.05, 0.0125)

    PyTorch equivalent: ``torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma)``.
    """
    lr = check.learning_rate("lr", lr)
    gamma = check.finite("gamma", gamma, minimum=0.0, strict=True)
    return _make(
        "exponential_decay",
        {"lr": lr, "gamma": gamma},
        lambda t: _times(lr, np.power(gamma, t.astype(np.float64))),
        exponential_decay,
    )


def linear(
    lr: float,
    start_factor: float = 1.0 / 3,
    end_factor: float = 1.0,
    total_iters: int = 5,
) -> Schedule:
    r"""Linear ramp of the learning rate, used for warm-up.

    .. math::
        \alpha_t = \alpha_0 \left(f_s + (f_e - f_s)\,\frac{\min(t, T)}{T}\right)

    where :math:`f_s` is ``start_factor``, :math:`f_e` is ``end_factor`` and :math:`T`
    is ``total_iters``: the rate moves linearly from :math:`f_s \alpha_0` to
    :math:`f_e \alpha_0` over :math:`T` steps, then stays there.

    Args:
        lr: the base learning rate :math:`\alpha_0 \ge 0`.
        start_factor: :math:`f_s \in (0, 1]`.
        end_factor: :math:`f_e \in [0, 1]`.
        total_iters: :math:`T \ge 1`, the length of the ramp in steps.

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = linear(0.1, start_factor=0.25, end_factor=1.0, total_iters=3)
        >>> [round(s(t), 12) for t in range(5)]
        [0.025, 0.05, 0.075, 0.1, 0.1]

    PyTorch equivalent: ``torch.optim.lr_scheduler.LinearLR(optimizer, start_factor,
    end_factor, total_iters)``.

    References:
        Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour", 2017
        (gradual warm-up).
    """
    lr = check.learning_rate("lr", lr)
    fs = check.finite(
        "start_factor", start_factor, minimum=0.0, strict=True, maximum=1.0
    )
    fe = check.finite("end_factor", end_factor, minimum=0.0, maximum=1.0)
    total = check.integer("total_iters", total_iters, minimum=1)
    return _make(
        "linear",
        {"lr": lr, "start_factor": fs, "end_factor": fe, "total_iters": total},
        # After the ramp the factor is exactly end_factor (as in PyTorch's chainable
        # form); the closed form alone can round to -1e-16 when end_factor is 0.
        lambda t: lr * np.where(t >= total, fe, fs + (fe - fs) * t / total),
        linear,
    )


def cosine_annealing(lr: float, t_max: int, eta_min: float = 0.0) -> Schedule:
    r"""Cosine annealing from ``lr`` down to ``eta_min`` over ``t_max`` steps.

    .. math::
        \alpha_t = \eta_{\min} + \tfrac12 (\alpha_0 - \eta_{\min})
                   \left(1 + \cos\frac{\pi t}{T_{\max}}\right)

    Like PyTorch, the formula is not clamped: after :math:`T_{\max}` the cosine carries
    on, so the rate rises again and is back at :math:`\alpha_0` at :math:`t = 2T_{\max}`
    (a period of :math:`2T_{\max}`). Stop training at :math:`T_{\max}`, or use
    :func:`cosine_warm_restarts` for deliberate restarts.

    Args:
        lr: the initial learning rate :math:`\alpha_0 \ge 0`.
        t_max: :math:`T_{\max} \ge 1`, the number of steps to reach ``eta_min``.
        eta_min: :math:`\eta_{\min} \ge 0`, the rate at :math:`t = T_{\max}`.

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = cosine_annealing(0.1, t_max=100, eta_min=0.001)
        >>> s(0), round(s(50), 12), round(s(100), 12), round(s(200), 12)
        (0.1, 0.0505, 0.001, 0.1)

    PyTorch equivalent: ``torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max,
    eta_min)``.

    References:
        Loshchilov and Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts",
        ICLR 2017.
    """
    lr = check.learning_rate("lr", lr)
    t_max = check.integer("t_max", t_max, minimum=1)
    eta_min = check.learning_rate("eta_min", eta_min)
    return _make(
        "cosine_annealing",
        {"lr": lr, "t_max": t_max, "eta_min": eta_min},
        lambda t: eta_min + (lr - eta_min) * (1 + np.cos(np.pi * t / t_max)) / 2,
        cosine_annealing,
    )


def _restart_position(t: np.ndarray, t_0: int, t_mult: int):
    """Steps since the last restart and the current period, for every step ``t``."""
    if t_mult == 1:
        return t % t_0, t_0
    # Periods grow geometrically, so there are only a few dozen of them: list their
    # start steps (exact integers) and look each step up.
    starts, lengths = [0], [t_0]
    last = int(t.max()) if t.size else 0
    while starts[-1] + lengths[-1] <= last:
        starts.append(starts[-1] + lengths[-1])
        lengths.append(lengths[-1] * t_mult)
    starts = np.asarray(starts, dtype=np.int64)
    idx = np.searchsorted(starts, t, side="right") - 1
    # float64 lengths: exact below 2**53, and a huge t_mult cannot overflow int64.
    return t - starts[idx], np.asarray(lengths, dtype=np.float64)[idx]


def cosine_warm_restarts(
    lr: float, t_0: int, t_mult: int = 1, eta_min: float = 0.0
) -> Schedule:
    r"""Cosine annealing with warm restarts (SGDR).

    .. math::
        \alpha_t = \eta_{\min} + \tfrac12 (\alpha_0 - \eta_{\min})
                   \left(1 + \cos\frac{\pi T_{\mathrm{cur}}}{T_i}\right)

    where :math:`T_i = T_0 m^i` is the length of the current period :math:`i`
    (``t_mult`` is :math:`m`) and :math:`T_{\mathrm{cur}}` counts the steps since the
    last restart. At a restart the rate jumps back to :math:`\alpha_0`.

    Args:
        lr: the rate :math:`\alpha_0 \ge 0` at the start of each period.
        t_0: :math:`T_0 \ge 1`, the length of the first period in steps.
        t_mult: :math:`m \ge 1`, the integer factor by which each period grows.
        eta_min: :math:`\eta_{\min} \ge 0`, the rate the cosine tends to.

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = cosine_warm_restarts(0.1, t_0=10, t_mult=2)
        >>> round(s(5), 12), s(10), round(s(20), 12), s(30)
        (0.05, 0.1, 0.05, 0.1)

    PyTorch equivalent: ``torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(
    optimizer, T_0, T_mult, eta_min)``, stepped without an epoch argument.

    References:
        Loshchilov and Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts",
        ICLR 2017.
    """
    lr = check.learning_rate("lr", lr)
    t_0 = check.integer("t_0", t_0, minimum=1)
    t_mult = check.integer("t_mult", t_mult, minimum=1)
    eta_min = check.learning_rate("eta_min", eta_min)

    def fn(t):
        t_cur, t_i = _restart_position(t, t_0, t_mult)
        return eta_min + (lr - eta_min) * (1 + np.cos(np.pi * t_cur / t_i)) / 2

    return _make(
        "cosine_warm_restarts",
        {"lr": lr, "t_0": t_0, "t_mult": t_mult, "eta_min": eta_min},
        fn,
        cosine_warm_restarts,
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
        return base_lr + _times(height, gamma ** t.astype(np.float64))

    params = {
        "base_lr": base_lr,
        "max_lr": max_lr,
        "step_size_up": up,
        "step_size_down": step_size_down if step_size_down is None else down,
        "mode": mode,
        "gamma": gamma,
    }
    return _make("cyclic", params, fn, cyclic)


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
    return _make("one_cycle", params, fn, one_cycle, max_step=total - 1)


def sequential(schedules: Sequence[Schedule], milestones: Sequence[int]) -> Schedule:
    r"""Run schedules one after another, switching at the milestones.

    .. math::
        \alpha_t = s_i(t - m_i) \quad \text{for } m_i \le t < m_{i+1},

    with :math:`m_0 = 0`: schedule :math:`s_i` starts from its own step 0 at milestone
    :math:`m_i`. The classic use is a warm-up followed by a decay.

    Args:
        schedules: two or more :class:`Schedule` objects.
        milestones: ``len(schedules) - 1`` strictly increasing steps :math:`\ge 1`.

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> warmup = linear(0.1, start_factor=0.1, total_iters=5)
        >>> decay = cosine_annealing(0.1, t_max=95)
        >>> s = sequential([warmup, decay], milestones=[5])
        >>> round(s(0), 12), s(5), round(s(100), 12)
        (0.01, 0.1, 0.0)

    PyTorch equivalent: ``torch.optim.lr_scheduler.SequentialLR(optimizer, schedulers,
    milestones)``. In PyTorch all the schedulers share the optimizer's initial rate as
    their base rate; give the lrbook schedules the same ``lr`` to match it.
    """
    if isinstance(schedules, Schedule) or not isinstance(schedules, Sequence):
        raise TypeError(
            f"schedules must be a list of Schedule objects, got {schedules!r}"
        )
    schedules = list(schedules)
    for i, s in enumerate(schedules):
        if not isinstance(s, Schedule):
            raise TypeError(
                f"schedules[{i}] must be a Schedule (made by an lrbook "
                f"factory), got {s!r} ({type(s).__name__})"
            )
    if len(schedules) < 2:
        raise ValueError(
            f"schedules must hold at least 2 schedules, got {len(schedules)}"
        )
    ms = check.increasing_integers("milestones", milestones, minimum=1)
    if len(ms) != len(schedules) - 1:
        raise ValueError(
            f"milestones must hold len(schedules) - 1 = {len(schedules) - 1}"
            f" steps, got {len(ms)}: {list(ms)}"
        )
    starts = (0, *ms)
    for i, s in enumerate(schedules[:-1]):
        span = starts[i + 1] - starts[i]
        if s.max_step is not None and s.max_step < span - 1:
            raise ValueError(
                f"schedules[{i}] = {s!r} is defined for {s.max_step + 1} "
                f"steps but must run for {span} (milestones {list(ms)})"
            )
    last = schedules[-1]
    max_step = None if last.max_step is None else starts[-1] + last.max_step
    edges = np.asarray(ms, dtype=np.int64)
    offsets = np.asarray(starts, dtype=np.int64)

    def fn(t):
        idx = np.searchsorted(edges, t, side="right")
        local = t - offsets[idx]
        out = np.empty(t.shape, dtype=np.float64)
        for i, s in enumerate(schedules):
            here = idx == i
            if here.any():
                out[here] = s._eval(local[here])
        return out

    return _make(
        "sequential",
        {"schedules": schedules, "milestones": list(ms)},
        fn,
        sequential,
        max_step=max_step,
    )


def inverse_time_decay(
    lr: float, decay_rate: float, decay_steps: int = 1, staircase: bool = False
) -> Schedule:
    r"""Inverse-time ("time-based") decay: the rate falls like :math:`1/t`.

    .. math::
        \alpha_t = \frac{\alpha_0}{1 + k\, t / d}

    where :math:`k` is ``decay_rate`` and :math:`d` is ``decay_steps``; with
    ``staircase`` the ratio :math:`t/d` is rounded down, so the rate changes every
    :math:`d` steps. Rates that shrink like :math:`1/t` are the classic condition of
    stochastic approximation (Robbins and Monro): :math:`\sum_t \alpha_t = \infty`
    but :math:`\sum_t \alpha_t^2 < \infty`.

    Args:
        lr: the initial learning rate :math:`\alpha_0 \ge 0`.
        decay_rate: :math:`k \ge 0`.
        decay_steps: :math:`d \ge 1`.
        staircase: whether to round :math:`t/d` down.

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = inverse_time_decay(0.1, decay_rate=1.0, decay_steps=10)
        >>> s(0), s(10), s(30)
        (0.1, 0.05, 0.025)

    PyTorch equivalent: no dedicated class; ``torch.optim.lr_scheduler.LambdaLR(
    optimizer, lambda t: 1 / (1 + decay_rate * t / decay_steps))`` (Keras calls it
    ``InverseTimeDecay``).

    References:
        Robbins and Monro, "A Stochastic Approximation Method", 1951; Darken and Moody,
        "Towards Faster Stochastic Gradient Search", NeurIPS 1991.
    """
    lr = check.learning_rate("lr", lr)
    k = check.finite("decay_rate", decay_rate, minimum=0.0)
    d = check.integer("decay_steps", decay_steps, minimum=1)
    if not isinstance(staircase, bool):
        raise TypeError(f"staircase must be a bool, got {staircase!r}")

    def fn(t):
        ratio = (t // d).astype(np.float64) if staircase else t / d
        return lr / (1 + k * ratio)

    params = {"lr": lr, "decay_rate": k, "decay_steps": d, "staircase": staircase}
    return _make("inverse_time_decay", params, fn, inverse_time_decay)


def gamma_for(lr_start: float, lr_end: float, steps: int) -> float:
    r"""The per-step factor :math:`\gamma` that takes ``lr_start`` to ``lr_end``.

    Solves :math:`\alpha_0 \gamma^{T} = \alpha_T` for :math:`\gamma`:

    .. math::
        \gamma = \left(\frac{\alpha_T}{\alpha_0}\right)^{1/T}

    Args:
        lr_start: :math:`\alpha_0 > 0`.
        lr_end: :math:`\alpha_T > 0`.
        steps: :math:`T \ge 1`.

    Returns:
        :math:`\gamma` as a float.

    Examples:
        >>> g = gamma_for(0.1, 0.001, steps=100)
        >>> round(g, 6), round(exponential_decay(0.1, g)(100), 12)
        (0.954993, 0.001)
    """
    a = check.learning_rate("lr_start", lr_start, positive=True)
    b = check.learning_rate("lr_end", lr_end, positive=True)
    n = check.integer("steps", steps, minimum=1)
    return (b / a) ** (1.0 / n)


def half_life(gamma: float) -> float:
    r"""How many steps exponential decay with factor ``gamma`` takes to halve the rate.

    .. math::
        t_{1/2} = \frac{\ln 2}{\ln(1/\gamma)}

    Args:
        gamma: :math:`0 < \gamma < 1`.

    Returns:
        :math:`t_{1/2}` in steps (a float; the rate is exactly halved there).

    Examples:
        >>> round(half_life(0.5), 12), round(half_life(0.99), 2)
        (1.0, 68.97)
    """
    g = check.finite(
        "gamma", gamma, minimum=0.0, strict=True, maximum=1.0, strict_max=True
    )
    return math.log(2.0) / math.log(1.0 / g)


def per_epoch(schedule: Schedule, steps_per_epoch: int) -> Schedule:
    r"""Hold a schedule constant within each epoch: step it once per epoch.

    .. math::
        \alpha_t = s\left(\lfloor t / B \rfloor\right)

    where :math:`B` is the number of updates (batches) per epoch and :math:`s` is the
    schedule, read in epochs. This is what happens in PyTorch when
    ``scheduler.step()`` is called once per epoch instead of once per batch.

    Args:
        schedule: an lrbook :class:`Schedule` whose step counts epochs.
        steps_per_epoch: :math:`B \ge 1`.

    Returns:
        A :class:`Schedule` whose step counts updates.

    Examples:
        >>> s = per_epoch(step_decay(0.1, step_size=2, gamma=0.5), steps_per_epoch=3)
        >>> [s(t) for t in range(7)]
        [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05]

    PyTorch equivalent: the same scheduler with ``scheduler.step()`` at the end of
    every epoch rather than after every ``optimizer.step()``.
    """
    if not isinstance(schedule, Schedule):
        raise TypeError(
            f"schedule must be a Schedule (made by an lrbook factory), got "
            f"{schedule!r} ({type(schedule).__name__})"
        )
    b = check.integer("steps_per_epoch", steps_per_epoch, minimum=1)
    max_step = None if schedule.max_step is None else (schedule.max_step + 1) * b - 1
    return _make(
        "per_epoch",
        {"schedule": schedule, "steps_per_epoch": b},
        lambda t: schedule._eval(t // b),
        per_epoch,
        max_step=max_step,
    )


from .plateau import ReduceLROnPlateau  # noqa: E402  (re-exported here by design)
