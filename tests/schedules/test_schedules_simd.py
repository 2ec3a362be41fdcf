"""Schedules give the same doubles whatever SIMD kernels NumPy picks for the CPU.

NumPy's vectorised ``power``/``exp``/``log`` round differently from Python's ``**``
and ``math.exp`` in the last bit on CPUs with AVX-512, and agree with them when
NumPy's AVX-512 dispatch is off. Each case below evaluates every schedule in a
subprocess, once with NumPy's native dispatch and once with
``NPY_DISABLE_CPU_FEATURES`` switching AVX-512 off (the kernels of an AVX2 CPU), and
checks that both runs give identical arrays, equal to PyTorch's closed form computed
with Python floats in this process.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import warnings

import numpy as np
import pytest
from test_schedules import CLOSED_FORM

import lrbook
from lrbook.torch_bridge import torch_reference

pytestmark = pytest.mark.skipif(
    platform.machine().lower() not in ("x86_64", "amd64"),
    reason="NumPy's x86-64 CPU dispatch",
)

#: NumPy's AVX-512 targets (the names of NumPy >= 2.4).
NO_AVX512 = "X86_V4 AVX512_ICL AVX512_SPR"

N = 3000

#: One or more schedules per factory, with the case hypothesis found for exp_range.
CASES = [
    "cyclic(0.0625, 0.1875, step_size_up=1, mode='exp_range', gamma=0.9375)",
    "cyclic(0.001, 0.1, 10, 30, 'exp_range', gamma=0.9995)",
    "cyclic(0.001, 0.1, 3, 5, 'triangular2')",
    "cyclic(0.001, 0.1, 7, mode='triangular')",
    "cyclic_momentum(4, 9, mode='exp_range', gamma=0.9375)",
    "one_cycle(0.3, 2999, 0.25)",
    "one_cycle(0.3, 2999, 0.2, 'linear', three_phase=True)",
    "one_cycle_momentum(2999, 0.3)",
    "cosine_warm_restarts(0.1, 7, 3, 0.001)",
    "inverse_time_decay(0.1, 0.7, decay_steps=3)",
    "inverse_sqrt(0.1, 37)",
    "step_decay(0.1, 7, 0.9375)",
    "multistep_decay(0.1, [5, 50, 500], 0.9375)",
    "exponential_decay(0.1, 0.9375)",
    "exponential_decay(0.7, 0.999)",
    "linear(0.1, 0.3, 0.9, 700)",
    "constant_factor(0.1, 0.3, 70)",
    "polynomial_decay(0.1, 2500, 0.7)",
    "polynomial_decay(0.1, 999, 1.3)",
    "cosine_annealing(0.1, 1000, 0.001)",
    "warmup_stable_decay(0.1, 100, 500, 1000, '1-sqrt')",
    "warmup(exponential_decay(0.1, 0.999), 50, 0.1)",
    "chained([exponential_decay(0.1, 0.999), step_decay(0.1, 9, 0.9375)])",
    "sequential([linear(0.1, 0.1, 1.0, 10), polynomial_decay(0.1, 900, 2.5)], [10])",
]

SCRIPT = """
import json, sys
import numpy as np
import lrbook
out = {}
for case in json.loads(sys.argv[1]):
    s = eval(case, vars(lrbook))
    n = min(__N__, s.max_step + 1) if s.max_step is not None else __N__
    out[case] = s(np.arange(n)).tobytes().hex()
t = np.arange(300)
python = [0.9375 ** int(k) for k in t]
control = int((np.power(0.9375, t.astype(float)) != python).sum())
print(json.dumps({"arrays": out, "control": control}))
""".replace("__N__", str(N))


def _run(disable: str | None) -> dict:
    env = dict(os.environ)
    env.pop("NPY_DISABLE_CPU_FEATURES", None)
    if disable:
        env["NPY_DISABLE_CPU_FEATURES"] = disable
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(CASES)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["arrays"] = {
        k: np.frombuffer(bytes.fromhex(v), dtype=np.float64)
        for k, v in result["arrays"].items()
    }
    return result


@pytest.fixture(scope="module")
def runs():
    return {"native": _run(None), "no AVX-512": _run(NO_AVX512)}


def _has_avx512() -> bool:
    from numpy._core._multiarray_umath import __cpu_features__

    return bool(__cpu_features__.get("X86_V4") or __cpu_features__.get("AVX512_SKX"))


def test_the_two_runs_use_different_numpy_kernels(runs):
    # Control: without AVX-512 NumPy's power is the C library's; with it, it is not
    # (on a CPU that has AVX-512; elsewhere both runs use the same kernels).
    assert runs["no AVX-512"]["control"] == 0
    if _has_avx512() and "NPY_DISABLE_CPU_FEATURES" not in os.environ:
        assert runs["native"]["control"] > 0


@pytest.mark.parametrize("case", CASES)
def test_same_doubles_with_and_without_avx512(runs, case):
    native = runs["native"]["arrays"][case]
    plain = runs["no AVX-512"]["arrays"][case]
    assert native.tobytes() == plain.tobytes(), case
    s = eval(case, vars(lrbook))
    here = s(np.arange(native.size))
    assert here.tobytes() == native.tobytes(), case
    # The scalar path is the vectorised path (Schedule.__call__), value by value.
    for t in (0, 1, 2, native.size // 3, native.size - 1):
        assert s(t) == native[t], (case, t)


@pytest.mark.parametrize("case", [c for c in CASES if c.split("(")[0] in CLOSED_FORM])
def test_closed_forms_equal_python_scalar_math_in_both_runs(runs, case):
    s = eval(case, vars(lrbook))
    n = runs["native"]["arrays"][case].size
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = torch_reference(s, n)  # PyTorch's scheduler: Python floats
    for run in runs.values():
        assert run["arrays"][case].tobytes() == ref.tobytes(), case


def test_numpy_cos_and_sqrt_are_the_c_librarys():
    # The schedules use np.cos and np.sqrt as they are: NumPy's float64 cos is the
    # C library's (its SIMD version is disabled) and sqrt is correctly rounded.
    # Should a NumPy release vectorise cos, this test says so.
    import math

    x = np.linspace(0.0, math.pi, 100_001)
    assert np.cos(x).tolist() == [math.cos(v) for v in x.tolist()]
    y = np.linspace(0.0, 10.0, 100_001)
    assert np.sqrt(y).tolist() == [math.sqrt(v) for v in y.tolist()]


def _python_pow(base: float, k: int) -> float:
    try:
        return base**k
    except OverflowError:
        return float("inf")


def test_the_math_pow_fallback_gives_the_same_doubles(monkeypatch):
    # Powers come from NumPy's element-by-element loop when the first use finds it
    # equal to math.pow (here), else from math.pow: both give Python's doubles.
    from lrbook.schedules import _libm

    assert _libm._numpy_loop_is_python_pow()
    k = np.arange(5000)
    cases = [(0.9375, k), (1.5, k), (0.99999, np.array([0, 3, 2**21, 2**40]))]
    fast = [_libm.int_powers(b, e) for b, e in cases]
    poly = _libm.polynomial_factors(np.arange(2001), 2000, 0.7)
    _libm._power_table.cache_clear()
    _libm._polynomial_table.cache_clear()
    monkeypatch.setattr(_libm, "_numpy_loop_is_python_pow", lambda: False)
    try:
        slow = [_libm.int_powers(b, e) for b, e in cases]
        slow_poly = _libm.polynomial_factors(np.arange(2001), 2000, 0.7)
    finally:
        _libm._power_table.cache_clear()
        _libm._polynomial_table.cache_clear()
    for (b, e), f, s in zip(cases, fast, slow, strict=True):
        assert f.tobytes() == s.tobytes(), b
        assert f.tolist() == [_python_pow(b, x) for x in e.tolist()], b
    assert poly.tobytes() == slow_poly.tobytes()
    assert poly.tolist() == [(1.0 - m / 2000) ** 0.7 for m in range(2001)]
