"""Argument checks shared by lrbook's modules.

Every check raises a ``TypeError`` (wrong kind of value) or a ``ValueError``
(right kind, wrong value) whose message names the parameter, the value received
and what is allowed.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence


def _show(value: object) -> str:
    return f"{value!r} ({type(value).__name__})"


def real(name: str, value: object) -> float:
    """``value`` as a float if it is a real number (not a bool), else TypeError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_show(value)}")
    return float(value)


def finite(
    name: str,
    value: object,
    *,
    minimum: float | None = None,
    strict: bool = False,
    maximum: float | None = None,
    strict_max: bool = False,
) -> float:
    """A finite real number, optionally bounded below/above (strictly or not)."""
    x = real(name, value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    low_ok = minimum is None or (x > minimum if strict else x >= minimum)
    high_ok = maximum is None or (x < maximum if strict_max else x <= maximum)
    if not (low_ok and high_ok):
        raise ValueError(
            f"{name} must be {_interval(minimum, strict, maximum, strict_max)}"
            f", got {value!r}"
        )
    return x


def _interval(lo, strict, hi, strict_max) -> str:
    parts = []
    if lo is not None:
        parts.append(f"{'>' if strict else '>='} {lo:g}")
    if hi is not None:
        parts.append(f"{'<' if strict_max else '<='} {hi:g}")
    return " and ".join(parts) if parts else "finite"


def learning_rate(name: str, value: object, *, positive: bool = False) -> float:
    """A finite learning rate, >= 0 (or > 0 when ``positive``)."""
    return finite(name, value, minimum=0.0, strict=positive)


def integer(name: str, value: object, *, minimum: int | None = None) -> int:
    """An integer (Python or NumPy, not bool) >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_show(value)}")
    v = int(value)
    if minimum is not None and v < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {v}")
    return v


def choice(name: str, value: object, allowed: Sequence[str]) -> str:
    """One of the strings in ``allowed``."""
    if not isinstance(value, str) or value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


def increasing_integers(name: str, values: object, *, minimum: int) -> tuple[int, ...]:
    """A sequence of strictly increasing integers, each >= ``minimum``."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a sequence of integers, got {_show(values)}")
    out = tuple(values)
    for i, v in enumerate(out):
        integer(f"{name}[{i}]", v, minimum=minimum)
    ints = tuple(int(v) for v in out)
    for a, b in zip(ints, ints[1:], strict=False):
        if b <= a:
            raise ValueError(f"{name} must be strictly increasing, got {list(ints)}")
    return ints
