r"""Python's scalar ``**`` on arrays: the same doubles on every CPU.

NumPy evaluates ``np.power``, ``np.exp`` and ``np.log`` with SIMD kernels chosen for
the processor it runs on (AVX-512 on recent x86-64 CPUs), and those kernels round
differently from the C library's ``pow``/``exp``/``log`` in the last bit for some
inputs. Python's ``x ** y`` and ``math.pow`` call the C library, and so do
PyTorch's schedulers, which compute in Python floats. A schedule that used
``np.power`` would therefore match PyTorch bit for bit on one machine and not on
another, and its rates (hence a training run) would depend on the CPU.

The schedules never call ``np.power``/``np.exp``/``np.log`` on a contiguous array. A
power is taken on each *distinct* exponent (or base) and broadcast: step decay has a
handful of them, exponential decay one per step. It is the C library's ``pow``,
reached in one of two ways. NumPy runs its SIMD kernel only on arrays it can load
in blocks; on a reversed view it runs its element-by-element loop, which calls the
C library (ten times faster than :func:`math.pow` from Python). That is NumPy's
internals, not its promise, so the first use checks it: if ``np.power`` on a
reversed view differs from ``math.pow`` on 12,288 powers (where the AVX-512 kernel
differs in about 1 in 20), every power is taken with :func:`math.pow` instead. The
tables of the last few bases are cached, so a schedule evaluated again (an explorer
redraw, the parity test after the plot) costs an index look-up.

``np.cos`` and ``np.sqrt`` are used as they are: NumPy computes float64 ``cos`` with
the C library (its SIMD version is disabled) and ``sqrt`` is correctly rounded by
IEEE 754; the tests check both, under NumPy's CPU dispatch on and off.
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np

__all__ = ["int_powers", "polynomial_factors", "pow_of_table", "powers"]

#: Tables up to this many entries are cached (8 MB each); larger exponents are
#: evaluated on their distinct values only.
_TABLE_MAX = 2**20


@functools.lru_cache(maxsize=16)
def _power_table(base: float, size: int) -> np.ndarray:
    """``[base ** k for k in range(size)]`` as Python computes it (read-only)."""
    exponents = np.arange(size, dtype=np.float64)
    if _numpy_loop_is_python_pow():
        table = _reversed_pow(np.full(size, base), exponents)
    else:
        table = _map_pow(itertools.repeat(base), exponents.tolist(), size)
    table.flags.writeable = False
    return table


def _pow(base: float, exponent: float) -> float:
    """``base ** exponent`` as Python's float power, with ``inf`` for an overflow
    (where Python raises ``OverflowError``)."""
    try:
        return math.pow(base, exponent)
    except OverflowError:
        return math.inf


def _reversed_pow(bases, exponents) -> np.ndarray:
    """``np.power`` through NumPy's element-by-element loop (the C library's pow):
    the arguments are reversed views, which NumPy's SIMD kernels do not take."""
    a = np.ascontiguousarray(bases, dtype=np.float64)[::-1]
    b = np.ascontiguousarray(exponents, dtype=np.float64)[::-1]
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        return np.ascontiguousarray(np.power(a, b)[::-1])


@functools.cache
def _numpy_loop_is_python_pow() -> bool:
    """Whether :func:`_reversed_pow` gives Python's ``**`` here (checked once)."""
    k = np.arange(4096, dtype=np.float64)
    for base in (0.9375, 0.99999, 0.1):
        ours = _reversed_pow(np.full(k.shape, base), k)
        if ours.tolist() != [math.pow(base, e) for e in k.tolist()]:
            return False
    return True


def _map_pow(bases, exponents, count: int) -> np.ndarray:
    """``math.pow`` over two re-iterable sequences (lists or ``repeat`` objects)."""
    try:
        values = map(math.pow, bases, exponents)
        return np.fromiter(values, dtype=np.float64, count=count)
    except OverflowError:
        values = map(_pow, bases, exponents)
        return np.fromiter(values, dtype=np.float64, count=count)


def int_powers(base: float, k: np.ndarray) -> np.ndarray:
    """``base ** k`` for an int64 array ``k >= 0``: each value is Python's
    ``base ** int(k)`` (the C library's ``pow``), whatever the CPU.

    Args:
        base: a finite float > 0.
        k: an int64 array of exponents >= 0.

    Returns:
        A float64 array shaped like ``k`` (``inf`` where the power overflows).

    Examples:
        >>> int_powers(0.9375, np.array([0, 1, 2, 10])).tolist() == [
        ...     0.9375 ** t for t in (0, 1, 2, 10)]
        True
    """
    if k.size == 0:
        return np.empty(k.shape, dtype=np.float64)
    top = int(k.max())
    if top < _TABLE_MAX:
        size = 1 << max(top, 1).bit_length()  # a power of 2, so tables are reused
        return _power_table(base, min(size, _TABLE_MAX))[k]
    distinct, index = np.unique(k, return_inverse=True)
    exponents = distinct.astype(np.float64)
    if _numpy_loop_is_python_pow():
        values = _reversed_pow(np.full(exponents.shape, base), exponents)
    else:
        values = _map_pow(itertools.repeat(base), exponents.tolist(), distinct.size)
    return values[index].reshape(k.shape)


def pow_of_table(bases: np.ndarray, exponent: float) -> np.ndarray:
    """``b ** exponent`` for each of a few distinct ``bases`` (Python's values).

    Args:
        bases: a float64 array of bases >= 0 (usually one per distinct step).
        exponent: a finite float.

    Returns:
        A float64 array shaped like ``bases``.

    Examples:
        >>> pow_of_table(np.array([0.25, 0.5]), 0.5).tolist()
        [0.5, 0.7071067811865476]
    """
    flat = bases.ravel()
    if _numpy_loop_is_python_pow():
        values = _reversed_pow(flat, np.full(flat.shape, exponent))
    else:
        values = _map_pow(flat.tolist(), itertools.repeat(exponent), flat.size)
    return values.reshape(bases.shape)


@functools.lru_cache(maxsize=16)
def _polynomial_table(total: int, power: float) -> np.ndarray:
    table = pow_of_table(1.0 - np.arange(total + 1) / total, power)
    table.flags.writeable = False
    return table


def polynomial_factors(m: np.ndarray, total: int, power: float) -> np.ndarray:
    """``(1 - m / total) ** power`` for an int64 array ``0 <= m <= total``, each value
    as Python computes it.

    Examples:
        >>> polynomial_factors(np.array([0, 1, 2]), 4, 2.0).tolist()
        [1.0, 0.5625, 0.25]
    """
    if total < _TABLE_MAX:
        return _polynomial_table(total, power)[m]
    distinct, index = np.unique(m, return_inverse=True)
    return pow_of_table(1.0 - distinct / total, power)[index].reshape(m.shape)


def powers(bases, exponents) -> np.ndarray:
    """``b ** e`` elementwise for float arrays (broadcast), each value as Python's
    float power computes it, evaluated once per distinct pair.

    Examples:
        >>> powers(np.array([0.25, 0.25, 0.5]), 0.5).tolist()
        [0.5, 0.5, 0.7071067811865476]
    """
    b, e = np.broadcast_arrays(
        np.asarray(bases, dtype=np.float64), np.asarray(exponents, dtype=np.float64)
    )
    if b.size == 0:
        return np.empty(b.shape, dtype=np.float64)
    pairs = np.stack([b.ravel(), e.ravel()], axis=1)
    distinct, index = np.unique(pairs, axis=0, return_inverse=True)
    if _numpy_loop_is_python_pow():
        values = _reversed_pow(distinct[:, 0], distinct[:, 1])
    else:
        values = _map_pow(
            distinct[:, 0].tolist(), distinct[:, 1].tolist(), len(distinct)
        )
    return values[index.reshape(-1)].reshape(b.shape)
