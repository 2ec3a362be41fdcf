"""The :class:`Schedule` object every factory returns, and step validation.

A schedule is a pure function from the update number ``t`` to the learning rate. It is
evaluated in closed form on 1-d int64 arrays of steps, in blocks that fit in the CPU
cache; a scalar call goes through the same array path, so ``s(t)`` equals
``s(np.arange(n))[t]`` bit for bit.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

__all__ = ["MAX_STEP", "Schedule", "as_steps", "make_schedule", "scaled"]


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
        steps, scalar = as_steps(t, self.max_step, self.name)
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


def as_steps(t, max_step: int | None, name: str) -> tuple[np.ndarray, bool]:
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


def scaled(a, factor: np.ndarray) -> np.ndarray:
    """``a * factor``, where a zero ``a`` gives 0 even if the factor overflowed (as in
    PyTorch, whose rate stays 0 when multiplied step by step)."""
    return np.where(a == 0, 0.0, a * factor)


def make_schedule(factory: Callable, params: dict, fn, max_step: int | None = None):
    """The :class:`Schedule` that ``factory`` returns: named after it, with its doc."""
    return Schedule(
        factory.__name__, params, fn, max_step=max_step, doc=factory.__doc__
    )
