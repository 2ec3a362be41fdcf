"""lrbook: the helper package of the interactive textbook on learning-rate schedules.

Schedules are pure functions of the update number that reproduce PyTorch's
``torch.optim.lr_scheduler`` exactly; see :mod:`lrbook.schedules`.
"""

from . import exercises, explore, gd, plotting
from .data import MNIST, book_mnist, load_mnist
from .schedules import (
    ReduceLROnPlateau,
    Schedule,
    chained,
    constant,
    constant_factor,
    cosine_annealing,
    cosine_warm_restarts,
    cyclic,
    cyclic_momentum,
    exponential_decay,
    gamma_for,
    half_life,
    inverse_sqrt,
    inverse_time_decay,
    linear,
    multistep_decay,
    one_cycle,
    one_cycle_momentum,
    per_epoch,
    polynomial_decay,
    sequential,
    step_decay,
    warmup,
    warmup_stable_decay,
)
from .torch_bridge import as_torch_scheduler

__version__ = "0.1.0"

__all__ = [
    "MNIST",
    "book_mnist",
    "load_mnist",
    "fit",
    "History",
    "lr_range_test",
    "compare",
    "LRRangeTest",
    "Comparison",
    "tournament",
    "Tournament",
    "exercises",
    "explore",
    "gd",
    "plotting",
    "ReduceLROnPlateau",
    "Schedule",
    "as_torch_scheduler",
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
    "multistep_decay",
    "one_cycle",
    "one_cycle_momentum",
    "per_epoch",
    "polynomial_decay",
    "sequential",
    "step_decay",
    "warmup",
    "warmup_stable_decay",
]

# The trainer needs torch; load it on first use so that ``import lrbook`` stays light.
_TRAIN = {
    "fit",
    "History",
    "lr_range_test",
    "compare",
    "LRRangeTest",
    "Comparison",
    "tournament",
    "Tournament",
}


def __getattr__(name):
    if name in _TRAIN:
        from . import train

        return getattr(train, name)
    raise AttributeError(f"module 'lrbook' has no attribute {name!r}")
