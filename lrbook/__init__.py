"""lrbook: the helper package of the interactive textbook on learning-rate schedules.

Schedules are pure functions of the update number that reproduce PyTorch's
``torch.optim.lr_scheduler`` exactly; see :mod:`lrbook.schedules`.
"""

from . import exercises, explore, gd, plotting
from .plateau import ReduceLROnPlateau
from .schedules import (
    Schedule,
    constant,
    cosine_annealing,
    cosine_warm_restarts,
    cyclic,
    exponential_decay,
    linear,
    multistep_decay,
    one_cycle,
    per_epoch,
    sequential,
    step_decay,
)
from .torch_bridge import as_torch_scheduler

__version__ = "0.1.0"

__all__ = [
    "exercises",
    "explore",
    "gd",
    "plotting",
    "ReduceLROnPlateau",
    "Schedule",
    "as_torch_scheduler",
    "constant",
    "cosine_annealing",
    "cosine_warm_restarts",
    "cyclic",
    "exponential_decay",
    "linear",
    "multistep_decay",
    "one_cycle",
    "per_epoch",
    "sequential",
    "step_decay",
]
