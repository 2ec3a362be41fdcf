"""lrbook: the helper package of the interactive textbook on learning-rate schedules.

Schedules are pure functions of the update number that reproduce PyTorch's
``torch.optim.lr_scheduler`` exactly; see :mod:`lrbook.schedules`.
"""

# Pin the CPU arithmetic before anything computes with torch (see lrbook.numerics).
from . import numerics

numerics.pin()

from . import exercises, explore, gd, plotting  # noqa: E402
from .data import MNIST, book_mnist, load_mnist  # noqa: E402
from .schedules import (  # noqa: E402
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
    multiplicative,
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
from .torch_bridge import as_torch_scheduler  # noqa: E402
from .verdicts import Choice, Verdict, choose, paired_interval, verdict  # noqa: E402

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
    "numerics",
    "verdicts",
    "Verdict",
    "Choice",
    "verdict",
    "choose",
    "paired_interval",
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
    "multiplicative",
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
