r"""The schedules of today's large-model recipes (chapter 7): warmup–stable–decay and
inverse square-root decay with warm-up. Linear decay to zero is
:func:`~lrbook.schedules.decay.polynomial_decay` with ``power=1``.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _checks as check
from .core import Schedule, make_schedule
from .decay import ramp_torch
from .registry import LR, Parameter, declare

__all__ = ["inverse_sqrt", "warmup_stable_decay"]

DECAY_SHAPES = ("linear", "cosine", "1-sqrt")


def _decay_factor(shape: str, p: np.ndarray, end: float) -> np.ndarray:
    """The factor of the decay phase at progress ``p`` in [0, 1], from 1 to ``end``."""
    if shape == "linear":
        return 1.0 - (1.0 - end) * p
    if shape == "cosine":
        return end + (1.0 - end) * (1 + np.cos(np.pi * p)) / 2
    return 1.0 - (1.0 - end) * np.sqrt(p)


def _wsd_torch(tls, optimizer, p):
    """SequentialLR of LinearLR (warm-up), a constant LinearLR (stable) and the decay:
    LinearLR, CosineAnnealingLR (then a constant LambdaLR), or LambdaLR for the
    1-sqrt shape."""
    warm, stable, decay = p["warmup_steps"], p["stable_steps"], p["decay_steps"]
    end, shape = p["end_factor"], p["decay_shape"]
    phases, lengths = [], []
    if warm:
        phases.append(ramp_torch(tls, optimizer, p["start_factor"], 1.0, warm))
        lengths.append(warm)
    if stable:
        phases.append(tls.LinearLR(optimizer, 1.0, 1.0, stable))
        lengths.append(stable)
    if shape == "linear":
        phases.append(tls.LinearLR(optimizer, 1.0, end, decay))
    elif shape == "cosine":
        # CosineAnnealingLR rises again after T_max: hold the end rate after it.
        phases.append(tls.CosineAnnealingLR(optimizer, decay, eta_min=end * p["lr"]))
        lengths.append(decay)
        phases.append(tls.LambdaLR(optimizer, lambda t: end))
    else:
        phases.append(
            tls.LambdaLR(
                optimizer,
                lambda t: 1.0 - (1.0 - end) * math.sqrt(min(t, decay) / decay),
            )
        )
    if len(phases) == 1:
        return phases[0]
    milestones = list(np.cumsum(lengths).tolist())
    return tls.SequentialLR(optimizer, phases, milestones)


@declare(
    family="large_model",
    pytorch="SequentialLR",
    torch=_wsd_torch,
    parameters={
        "lr": LR,
        "warmup_steps": Parameter("T_w", "steps"),
        "stable_steps": Parameter("T_s", "steps"),
        "decay_steps": Parameter("T_d", "steps"),
        "start_factor": Parameter("f_s"),
        "end_factor": Parameter("f_e"),
    },
)
def warmup_stable_decay(
    lr: float,
    warmup_steps: int,
    stable_steps: int,
    decay_steps: int,
    decay_shape: str = "linear",
    start_factor: float = 0.01,
    end_factor: float = 0.0,
) -> Schedule:
    r"""Warmup–stable–decay (WSD, "trapezoidal"): warm up, hold the rate, then decay.

    With :math:`T_w, T_s, T_d` the lengths of the three phases and :math:`p = (t - T_w
    - T_s) / T_d` the progress of the decay,

    .. math::
        \alpha_t = \alpha_0 \cdot \begin{cases}
            f_s + (1 - f_s)\, t / T_w & t < T_w \\
            1 & T_w \le t < T_w + T_s \\
            D(\min(p, 1)) & t \ge T_w + T_s
        \end{cases}

    where the decay shape :math:`D` falls from 1 to :math:`f_e`: linearly,
    :math:`1 - (1 - f_e)\,p`; along a half cosine, :math:`f_e + (1 - f_e)(1 + \cos \pi
    p)/2`; or as :math:`1 - (1 - f_e)\sqrt p` (``"1-sqrt"``, which Hägele et al. found
    best). The rate stays at :math:`f_e \alpha_0` after the decay. Because the stable
    phase is a constant rate, a run can be extended or stopped at any point: keep a
    checkpoint of the stable phase and add a short decay when training should end.

    Args:
        lr: the peak rate :math:`\alpha_0 \ge 0`.
        warmup_steps: :math:`T_w \ge 0`.
        stable_steps: :math:`T_s \ge 0`.
        decay_steps: :math:`T_d \ge 1`.
        decay_shape: ``"linear"``, ``"cosine"`` or ``"1-sqrt"``.
        start_factor: :math:`f_s \in [0, 1]`, the first rate of the warm-up as a
            fraction of :math:`\alpha_0` (0: from 0, as Hugging Face's warm-ups).
        end_factor: :math:`f_e \in [0, 1]`, the last rate as a fraction of
            :math:`\alpha_0`.

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = warmup_stable_decay(0.1, warmup_steps=2, stable_steps=3, decay_steps=4,
        ...                         start_factor=0.5)
        >>> [round(s(t), 12) for t in range(10)]
        [0.05, 0.075, 0.1, 0.1, 0.1, 0.1, 0.075, 0.05, 0.025, 0.0]

    PyTorch equivalent: ``SequentialLR(opt, [LinearLR(opt, start_factor, 1.0,
    warmup_steps), LinearLR(opt, 1.0, 1.0, stable_steps), LinearLR(opt, 1.0,
    end_factor, decay_steps)], milestones=[warmup_steps, warmup_steps +
    stable_steps])`` (for the cosine shape ``CosineAnnealingLR(opt, decay_steps,
    eta_min=end_factor * lr)`` followed by ``LambdaLR(opt, lambda t: end_factor)``,
    since the cosine would rise again; a ``LambdaLR`` for the 1-sqrt shape).

    References:
        Hu et al., "MiniCPM: Unveiling the Potential of Small Language Models with
        Scalable Training Strategies", 2024; Hägele et al., "Scaling Laws and
        Compute-Optimal Training Beyond Fixed Training Durations", NeurIPS 2024.
    """
    lr = check.learning_rate("lr", lr)
    warm = check.integer("warmup_steps", warmup_steps, minimum=0)
    stable = check.integer("stable_steps", stable_steps, minimum=0)
    decay = check.integer("decay_steps", decay_steps, minimum=1)
    shape = check.choice("decay_shape", decay_shape, DECAY_SHAPES)
    fs = check.finite("start_factor", start_factor, minimum=0.0, maximum=1.0)
    fe = check.finite("end_factor", end_factor, minimum=0.0, maximum=1.0)
    decay_start = warm + stable

    def fn(t):
        ramp = fs + (1.0 - fs) * t / max(warm, 1)
        progress = np.clip((t - decay_start) / decay, 0.0, 1.0)
        factor = np.where(
            t < warm,
            ramp,
            np.where(t < decay_start, 1.0, _decay_factor(shape, progress, fe)),
        )
        # After the decay the factor is exactly end_factor (as PyTorch's LinearLR).
        return lr * np.where(t >= decay_start + decay, fe, factor)

    params = {
        "lr": lr,
        "warmup_steps": warm,
        "stable_steps": stable,
        "decay_steps": decay,
        "decay_shape": shape,
        "start_factor": fs,
        "end_factor": fe,
    }
    return make_schedule(warmup_stable_decay, params, fn)


def _inverse_sqrt_torch(tls, optimizer, p):
    w, offset = p["warmup_steps"], p.get("offset", 1)
    tau = p.get("timescale") or w

    def factor(t):
        s = t + offset
        return s / w if s < w else math.sqrt(tau / (s + (tau - w)))

    return tls.LambdaLR(optimizer, factor)


@declare(
    family="large_model",
    pytorch="LambdaLR",
    torch=_inverse_sqrt_torch,
    parameters={
        "lr": LR,
        "warmup_steps": Parameter("T_w", "steps"),
        "timescale": Parameter(r"\tau", "steps"),
    },
)
def inverse_sqrt(
    lr: float, warmup_steps: int, *, offset: int = 1, timescale: int | None = None
) -> Schedule:
    r"""Linear warm-up, then inverse square-root decay: the original Transformer's
    schedule.

    .. math::
        \alpha_t = \alpha_0 \min\left(\frac{t + 1}{T_w},
                   \sqrt{\frac{T_w}{t + 1}}\right)

    The rate climbs linearly to its peak :math:`\alpha_0` at update :math:`t = T_w -
    1`, then falls like :math:`1/\sqrt t`: slowly enough that
    :math:`\sum_t \alpha_t = \infty` (training can go on) but without ever reaching 0.
    Vaswani et al. write it as :math:`h^{-1/2} \min((t+1)^{-1/2}, (t+1)\,T_w^{-3/2})`
    with :math:`h` the model width (their :math:`d_{\mathrm{model}}`), the same curve
    with peak :math:`(h\,T_w)^{-1/2}`.

    Hugging Face's ``get_inverse_sqrt_schedule`` counts from :math:`t` instead of
    :math:`t + 1` (``offset=0``: its rate is 0 at step 0 and peaks at :math:`t = T_w`)
    and decays on its own ``timescale`` :math:`\tau`; in general, with the count
    :math:`t' = t + \mathrm{offset}`,

    .. math::
        \alpha_t = \alpha_0 \begin{cases} t' / T_w & t' < T_w \\
                   \sqrt{\tau / (t' + \tau - T_w)} & t' \ge T_w \end{cases}

    which is the formula above for ``offset=1`` and :math:`\tau = T_w`.

    Args:
        lr: the peak rate :math:`\alpha_0 \ge 0`.
        warmup_steps: :math:`T_w \ge 0` (0: no warm-up; then ``timescale`` is
            needed).
        offset: 1 (the Transformer counts :math:`t + 1`) or 0 (Hugging Face).
        timescale: :math:`\tau \ge 1`, the steps over which the decay's
            :math:`1/\sqrt{\cdot}` is measured (default :math:`T_w`).

    Returns:
        A :class:`Schedule`.

    Examples:
        >>> s = inverse_sqrt(0.1, warmup_steps=4)
        >>> [round(s(t), 12) for t in (0, 3, 15)]
        [0.025, 0.1, 0.05]
        >>> hf = inverse_sqrt(0.1, warmup_steps=4, offset=0)
        >>> [round(hf(t), 12) for t in (0, 4, 16)]
        [0.0, 0.1, 0.05]

    PyTorch equivalent: ``LambdaLR(opt, lambda t: min((t + 1) / warmup_steps,
    math.sqrt(warmup_steps / (t + 1))))`` with the optimizer's rate ``lr`` (equal bit
    for bit; ``x ** 0.5`` can differ from the correctly rounded ``math.sqrt(x)`` in
    the last bit). Hugging Face: ``get_inverse_sqrt_schedule(opt, warmup_steps,
    timescale)`` is ``inverse_sqrt(lr, warmup_steps, offset=0, timescale=...)``.

    References:
        Vaswani et al., "Attention Is All You Need", NeurIPS 2017, section 5.3.
    """
    lr = check.learning_rate("lr", lr)
    w = check.integer("warmup_steps", warmup_steps, minimum=0)
    offset = check.integer("offset", offset, minimum=0)
    if offset > 1:
        raise ValueError(f"offset must be 0 or 1, got {offset!r}")
    if timescale is None and w == 0:
        raise ValueError(
            "timescale must be given (an integer >= 1) when warmup_steps is 0, got None"
        )
    tau = w if timescale is None else check.integer("timescale", timescale, minimum=1)
    params = {"lr": lr, "warmup_steps": w}
    if offset != 1 or tau != w:
        params.update(offset=offset, timescale=tau)

    def fn(t):
        s = t + offset
        warm = s / max(w, 1)
        decay = np.sqrt(tau / np.maximum(s + (tau - w), 1))
        return lr * np.where(s < w, warm, decay)

    return make_schedule(inverse_sqrt, params, fn)
