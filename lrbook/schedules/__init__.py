r"""Learning-rate schedules as pure functions of the update number.

Each factory in this package returns a :class:`Schedule` ``s``. ``s(t)`` is the learning
rate in effect for optimizer update number ``t`` (0-based): exactly the value PyTorch
puts in ``optimizer.param_groups[0]["lr"]`` after ``t`` calls of ``scheduler.step()``
(each after ``optimizer.step()``), for the PyTorch scheduler built with the same
parameters. Parameter names mirror PyTorch's, lower-cased.

PyTorch computes most of its schedules *recursively* ("chainable" form: the new rate is
the old rate times a factor). Here every schedule is evaluated in *closed form*, so a
whole schedule is one vectorised NumPy expression, and it gives the same doubles on
every CPU (powers are Python's ``**``, never NumPy's processor-specific SIMD kernels;
see :mod:`._libm`). Where PyTorch also computes in closed form with Python floats
(``CyclicLR``, ``OneCycleLR``, ``CosineAnnealingWarmRestarts`` and the ``LambdaLR`` of
:func:`inverse_time_decay` and :func:`inverse_sqrt`) the rates are equal bit for bit.
Where PyTorch is chainable (``StepLR``, ``MultiStepLR``, ``ExponentialLR``,
``LinearLR``, ``ConstantLR``, ``PolynomialLR``, ``CosineAnnealingLR`` and their
compositions) each of its steps rounds once, and the rate at step ``t`` is within
``t + 1`` ULPs of the peak rate of lrbook's; past ``t_max`` PyTorch's cosine restarts
from its trough and amplifies its own rounding by up to ``t_max ** 2 / 2``. The tests
check both, with NumPy's AVX-512 dispatch on and off. :func:`multiplicative`
(``MultiplicativeLR``, whose factor is any function of the step) has no closed form:
it multiplies step by step in PyTorch's order and gives PyTorch's doubles.

One module per family, each holding what one chapter teaches: :mod:`.decay` (step,
multi-step, exponential, multiplicative, inverse-time, polynomial; the linear and
constant-factor ramps), :mod:`.cosine`, :mod:`.cyclic` (cyclic and one-cycle),
:mod:`.large_model` (warmup-stable-decay, inverse square root), :mod:`.compose`
(sequential, chained, warm-up, per-epoch) and :mod:`.plateau` (reduce-on-plateau, the
one schedule that is not a function of the step). Every factory is declared once in
:mod:`.registry`, with its PyTorch builder and its slider metadata.

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

from . import registry
from .compose import chained, per_epoch, sequential, warmup
from .core import MAX_STEP, Schedule
from .cosine import cosine_annealing, cosine_warm_restarts
from .cyclic import cyclic, cyclic_momentum, one_cycle, one_cycle_momentum
from .decay import (
    constant,
    constant_factor,
    exponential_decay,
    gamma_for,
    half_life,
    inverse_time_decay,
    linear,
    multiplicative,
    multistep_decay,
    polynomial_decay,
    step_decay,
)
from .large_model import inverse_sqrt, warmup_stable_decay
from .plateau import ReduceLROnPlateau

#: The names of every declared schedule factory, in the order the book teaches them
#: (``explore.schedule`` accepts any of them; each has a PyTorch parity test).
FACTORY_NAMES = tuple(d.name for d in registry.declarations())

__all__ = [
    "FACTORY_NAMES",
    "MAX_STEP",
    "ReduceLROnPlateau",
    "Schedule",
    "chained",
    "constant",
    "constant_factor",
    "cosine_annealing",
    "cosine_warm_restarts",
    "cyclic",
    "cyclic_momentum",
    "exponential_decay",
    "gamma_for",
    "half_life",
    "inverse_sqrt",
    "inverse_time_decay",
    "linear",
    "multiplicative",
    "multistep_decay",
    "one_cycle",
    "one_cycle_momentum",
    "per_epoch",
    "polynomial_decay",
    "registry",
    "sequential",
    "step_decay",
    "warmup",
    "warmup_stable_decay",
]
