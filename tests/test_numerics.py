"""Machine independence: the same training numbers under simulated processors.

Each case runs ``numerics_fingerprint.py`` in a fresh process whose environment makes
PyTorch's libraries behave as on another processor: MKL limited to an older
instruction set (``MKL_ENABLE_INSTRUCTIONS``), oneDNN limited likewise
(``ONEDNN_MAX_CPU_ISA``) and ATen's kernels preset to this machine's own
(``ATEN_CPU_CAPABILITY``, which lrbook must override), and NumPy's OpenBLAS preset to
another processor's kernels (``OPENBLAS_CORETYPE``, overridden too). With lrbook's
pinning, a short MLP ``fit``, a two-schedule ``compare``, a CNN ``fit`` and NumPy's
matrix arithmetic (scikit-learn's network among it) must give the fingerprints below in
every case; they were computed with the book's torch on an x86-64 machine
and are the same on any (the test fails if the pinning is removed: see
``test_without_pinning_the_kernels_change_the_numbers`` and its OpenBLAS twin).

Those runs (about a minute of CPU) are marked ``e2e``: the fast inner loop
(``-m "not e2e"``) leaves them to the full suite.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "numerics_fingerprint.py"

PINNED = {
    "mlp": "5d82d02e649cc811",
    "compare": "3d70d9d2ec03fbb5",
    "cnn": "5501ff768a95a40d",
    # NumPy's and SciPy's OpenBLAS on its Nehalem kernels: a product, a solve and one
    # epoch of scikit-learn's MLPClassifier (the numbers/scikit-learn of the lock)
    "blas": "3d9ce0f6bb922314",
}

pytestmark = pytest.mark.skipif(
    platform.machine().lower() not in ("x86_64", "amd64"),
    reason="the pinned fingerprints are those of x86-64",
)

SIMULATED = {
    "sse4.2 machine": {
        "ATEN_CPU_CAPABILITY": "default",
        "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
        "ONEDNN_MAX_CPU_ISA": "SSE41",
        "OPENBLAS_CORETYPE": "Katmai",
    },
    "avx2 machine": {
        "ATEN_CPU_CAPABILITY": "avx2",
        "MKL_ENABLE_INSTRUCTIONS": "AVX2",
        "ONEDNN_MAX_CPU_ISA": "AVX2",
        "OPENBLAS_CORETYPE": "Haswell",
    },
    "avx-512 machine": {
        "ATEN_CPU_CAPABILITY": "avx512",
        "MKL_ENABLE_INSTRUCTIONS": "AVX512",
        "ONEDNN_MAX_CPU_ISA": "AVX512_CORE",
        "OPENBLAS_CORETYPE": "SkylakeX",
    },
    "this machine, as it is": {},
}

_CLEARED = (
    "ATEN_CPU_CAPABILITY",
    "MKL_ENABLE_INSTRUCTIONS",
    "ONEDNN_MAX_CPU_ISA",
    "MKL_CBWR",
    "OPENBLAS_CORETYPE",
    "LRBOOK_NATIVE_NUMERICS",
)


def fingerprints(extra: dict, *args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env.update(extra)
    out = subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def status_after(imports: str, extra: dict | None = None) -> dict:
    """``lrbook.numerics.status()`` in a fresh interpreter (warnings are errors) after
    ``import <imports>``, in this environment without the pinning variables, plus
    ``extra``."""
    code = f"import {imports}, json; print(json.dumps(lrbook.numerics.status()))"
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env.update(extra or {})
    out = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)


@pytest.mark.e2e  # trains in fresh interpreters
@pytest.mark.parametrize("case", list(SIMULATED))
def test_pinned_numbers_on_every_simulated_processor(case):
    got = fingerprints(SIMULATED[case])
    assert {k: got[k] for k in PINNED} == PINNED, got
    assert got["status"]["pinned"] and got["status"]["aten_capability"] == "DEFAULT"
    assert got["status"]["mkl_cbwr"] in ("COMPATIBLE", "unknown")
    assert got["status"]["openblas"] == "Nehalem"
    assert got["warnings"] == []


@pytest.mark.e2e  # trains in fresh interpreters
def test_without_pinning_the_kernels_change_the_numbers():
    """The control: with LRBOOK_NATIVE_NUMERICS=1, ATen's AVX2 kernels and its
    portable ones give different MLP trainings, so the test above can fail."""
    native = {"LRBOOK_NATIVE_NUMERICS": "1"}
    avx2 = fingerprints({**native, "ATEN_CPU_CAPABILITY": "avx2"})
    portable = fingerprints({**native, "ATEN_CPU_CAPABILITY": "default"})
    assert avx2["status"]["pinned"] is False
    assert avx2["status"]["aten_capability"] == "AVX2"
    assert avx2["mlp"] != portable["mlp"]
    assert avx2["mlp"] != PINNED["mlp"]


def test_without_pinning_openblas_kernels_change_numpy_numbers():
    """The control for NumPy's matrix arithmetic: unpinned, OpenBLAS's kernels of an
    old processor (Katmai, SSE) and of a newer one (Sandybridge, AVX) give different
    numbers, so the "blas" fingerprint above can fail; pinned, a preset
    OPENBLAS_CORETYPE is overridden."""
    native = {"LRBOOK_NATIVE_NUMERICS": "1"}
    old = fingerprints({**native, "OPENBLAS_CORETYPE": "Katmai"}, "--blas-only")
    newer = fingerprints({**native, "OPENBLAS_CORETYPE": "Sandybridge"}, "--blas-only")
    assert (old["status"]["openblas"], newer["status"]["openblas"]) == (
        "Katmai",
        "Sandybridge",
    )
    assert old["blas"] != newer["blas"]
    assert PINNED["blas"] not in (old["blas"], newer["blas"])
    pinned = fingerprints({"OPENBLAS_CORETYPE": "Sandybridge"}, "--blas-only")
    assert pinned["status"]["openblas"] == "Nehalem"
    assert pinned["blas"] == PINNED["blas"]


def test_numpy_imported_before_lrbook_is_reported():
    """NumPy loads OpenBLAS when it is imported: lrbook cannot pin it afterwards, and
    status() says so (no warning: PyTorch's numbers are unaffected)."""
    # this machine's kernels, simulated
    status = status_after("numpy, lrbook", {"OPENBLAS_CORETYPE": "Sandybridge"})
    assert status["openblas"] == "Sandybridge" and status["reproducible"]


@pytest.mark.e2e  # trains in fresh interpreters
def test_torch_used_before_lrbook_warns_once():
    got = fingerprints({}, "--torch-first")
    assert len(got["warnings"]) == 1
    assert "numbers may differ slightly from the book's" in got["warnings"][0]
    assert got["status"]["reproducible"] is False


def test_import_torch_before_lrbook_is_fine():
    """Importing torch (without computing) before lrbook still pins."""
    status = status_after("torch, lrbook, lrbook.train")
    assert status["aten_capability"] == "DEFAULT" and status["pinned"]


def test_status_as_documented():
    import lrbook

    s = lrbook.numerics.status()
    assert set(s) == {
        "pinned",
        "aten_capability",
        "mkl_cbwr",
        "openblas",
        "torch",
        "machine",
        "reproducible",
    }
    assert lrbook.numerics.check() in (True, False)
