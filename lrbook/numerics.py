"""Pinned arithmetic: the same training numbers on every x86-64 processor.

PyTorch chooses its CPU kernels per processor. ATen's vectorised kernels exist for
AVX2 and AVX-512; Intel's MKL (matrix products) picks a code path per instruction set;
oneDNN (convolutions) generates code for the widest instruction set it finds; and
NumPy's OpenBLAS picks its matrix kernels per processor too. Each path rounds
differently, so the same seed trains along a different trajectory on a
laptop with AVX2 and a server with AVX-512, and the book's numbers would depend on the
reader's processor.

``import lrbook`` pins the arithmetic before PyTorch first computes anything (and, when
it comes first, before NumPy loads OpenBLAS):

=========================== ================================================ ==========
what                        how                                              where
=========================== ================================================ ==========
ATen's element-wise kernels ``ATEN_CPU_CAPABILITY=default`` (the portable     read once
                            build that every x86-64 processor runs)          by torch
matrix products (MKL)       ``MKL_CBWR=COMPATIBLE`` (Intel's conditional      read once
                            numerical reproducibility)                       by MKL
convolutions                oneDNN off (``torch.backends.mkldnn``): ATen's    each run
                            own im2col + MKL path
reductions                  one thread per run (``fit(num_threads=1)``) and   each run
                            deterministic algorithms
NumPy's and SciPy's matrix  ``OPENBLAS_CORETYPE=Nehalem`` (OpenBLAS's SSE4.2  read once
products (OpenBLAS; e.g.    kernels: NumPy 2's own baseline, so every        by NumPy
scikit-learn's networks)    processor that runs NumPy runs them; x86-64 only)
=========================== ================================================ ==========

The two PyTorch variables are read when PyTorch first computes, not when it is imported:
``import torch`` before ``import lrbook`` is fine, but a tensor operation before
``import lrbook`` is too late, and lrbook then warns once (:func:`check`) that the
numbers may differ from the book's. OpenBLAS reads its variable when NumPy is first
imported: after ``import numpy`` before ``import lrbook`` (common in scripts, never in
the chapters, whose first cell imports lrbook) NumPy keeps its per-processor kernels.
That touches only numbers computed by NumPy's matrix products, such as chapter 4's
scikit-learn network (their last digits), never a PyTorch training; :func:`status`
reports it as ``openblas``, without a warning. The number of OpenBLAS threads is left
alone: the book limits scikit-learn to one thread where it quotes its numbers
(``threadpoolctl``), since some routines (``numpy.linalg.solve``) round differently
with another thread count.

With the book's pinned ``torch`` on x86-64 the numbers are bit-identical on every
processor (``tests/test_numerics.py`` simulates other processors). With another
PyTorch version, or on ARM (Apple silicon), they are close but not identical, and
every claim the book makes still holds.

Set ``LRBOOK_NATIVE_NUMERICS=1`` before ``import lrbook`` to keep PyTorch's and
OpenBLAS's native, per-processor kernels (the book's "claims survive another CPU" check
does).

Examples:
    >>> from lrbook import numerics
    >>> numerics.PINNED_ENV["ATEN_CPU_CAPABILITY"]
    'default'
    >>> sorted(numerics.status())  # doctest: +NORMALIZE_WHITESPACE
    ['aten_capability', 'machine', 'mkl_cbwr', 'openblas', 'pinned', 'reproducible',
     'torch']
"""

from __future__ import annotations

import ctypes
import os
import platform
import sys
import warnings

__all__ = [
    "PINNED_ENV",
    "OPENBLAS_CORE",
    "BOOK_TORCH",
    "pinning_requested",
    "pin",
    "check",
    "status",
]

_X86 = platform.machine().lower() in ("x86_64", "amd64")

#: OpenBLAS's kernels when pinned: its SSE4.2 ones (x86-64 only; ARM has other names).
OPENBLAS_CORE = "Nehalem"

#: The environment that pins the CPU arithmetic: PyTorch's (read when torch first
#: computes) and, on x86-64, OpenBLAS's (read when NumPy is first imported).
PINNED_ENV = {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE"}
if _X86:
    PINNED_ENV["OPENBLAS_CORETYPE"] = OPENBLAS_CORE

#: The PyTorch version the book's numbers were computed with.
BOOK_TORCH = "2.13.0"

_NATIVE_VARIABLE = "LRBOOK_NATIVE_NUMERICS"
_warned = False


def pinning_requested() -> bool:
    """Whether lrbook pins the arithmetic (unless ``LRBOOK_NATIVE_NUMERICS`` is set to
    ``1``, ``true``, ``yes`` or ``on``)."""
    value = os.environ.get(_NATIVE_VARIABLE, "").strip().lower()
    return value not in ("1", "true", "yes", "on")


def pin() -> None:
    """Set :data:`PINNED_ENV` in this process (and the processes it starts), unless
    pinning is switched off. Called by ``import lrbook``; calling it again is harmless.

    Values set before (for example ``ATEN_CPU_CAPABILITY=avx512``) are overridden: the
    point is the same arithmetic whatever the machine or its settings.
    """
    if pinning_requested():
        os.environ.update(PINNED_ENV)


def _mkl_cbwr() -> str:
    """MKL's reproducibility branch as MKL reports it, or 'unknown'."""
    torch = sys.modules.get("torch")
    if torch is None:
        return "unknown"
    names = {0: "OFF", 1: "BRANCH_OFF", 2: "AUTO", 3: "COMPATIBLE"}
    try:
        lib = ctypes.CDLL(
            os.path.join(os.path.dirname(torch.__file__), "lib", "libtorch_cpu.so")
        )
        get = lib.mkl_serv_cbwr_get
    except (OSError, AttributeError):  # not Linux, or a torch without MKL
        return "unknown"
    get.restype, get.argtypes = ctypes.c_int, [ctypes.c_int]
    return names.get(get(1), "unknown")


def _openblas_cores() -> str:
    """The kernels of the OpenBLAS libraries loaded in this process (NumPy's, and
    SciPy's once imported), as ``threadpoolctl`` reports them: e.g. ``'Nehalem'``, or
    ``'Haswell, Nehalem'`` when they differ; ``'unknown'`` without threadpoolctl or
    OpenBLAS (a NumPy built on another BLAS)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown"
    cores = sorted(
        {
            str(info.get("architecture"))
            for info in threadpool_info()
            if info.get("internal_api") == "openblas" and info.get("architecture")
        }
    )
    return ", ".join(cores) if cores else "unknown"


def status() -> dict:
    """What the arithmetic is pinned to in this process (imports torch).

    Returns:
        A dict: ``pinned`` (pinning requested), ``aten_capability`` (the kernels ATen
        uses, ``'DEFAULT'`` when pinned), ``mkl_cbwr`` (``'COMPATIBLE'`` when pinned;
        ``'unknown'`` where MKL cannot be asked), ``openblas`` (the kernels of NumPy's
        OpenBLAS: ``'Nehalem'`` when pinned on x86-64, the processor's own if NumPy was
        imported before lrbook, ``'unknown'`` where threadpoolctl cannot tell),
        ``torch``, ``machine`` and ``reproducible``: whether this process computes the
        book's PyTorch numbers bit for bit (pinned, x86-64, the book's torch). The
        book's few NumPy-computed numbers (scikit-learn's, chapter 4) need
        ``openblas`` to be ``'Nehalem'`` too.
    """
    import torch

    capability = torch.backends.cpu.get_cpu_capability()
    cbwr = _mkl_cbwr()
    machine = platform.machine().lower()
    return {
        "pinned": pinning_requested(),
        "aten_capability": capability,
        "mkl_cbwr": cbwr,
        "openblas": _openblas_cores(),
        "torch": torch.__version__.split("+")[0],
        "machine": machine,
        "reproducible": (
            pinning_requested()
            and capability == "DEFAULT"
            and cbwr in ("COMPATIBLE", "unknown")
            and machine in ("x86_64", "amd64")
            and torch.__version__.split("+")[0] == BOOK_TORCH
        ),
    }


def check() -> bool:
    """Whether the pinning took effect; if not (torch computed before ``import
    lrbook``), warn once that the numbers may differ from the book's.

    Called when lrbook's trainer is first imported. Never raises.
    """
    global _warned
    if not pinning_requested():
        return False
    import torch

    capability = torch.backends.cpu.get_cpu_capability()
    cbwr = _mkl_cbwr()
    ok = capability == "DEFAULT" and cbwr in ("COMPATIBLE", "unknown")
    if not ok and not _warned:
        _warned = True
        warnings.warn(
            f"PyTorch computed something before lrbook was imported, so its CPU "
            f"arithmetic is not pinned (kernels: {capability}, MKL: {cbwr}): your "
            f"numbers may differ slightly from the book's. Restart the kernel and "
            f"import lrbook before using torch.",
            RuntimeWarning,
            stacklevel=2,
        )
    return ok


def disable_onednn() -> None:
    """Switch oneDNN's convolutions off (when pinning), so that convolutions take ATen's
    own path, whose arithmetic does not depend on the instruction set."""
    if pinning_requested():
        import torch

        torch.backends.mkldnn.enabled = False
