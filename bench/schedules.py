"""Benchmark: evaluate a whole 200,000-step schedule with lrbook vs step PyTorch's.

For every schedule the book teaches, prints how much faster ``s(np.arange(N))`` (one
closed-form NumPy expression) is than stepping the equivalent PyTorch scheduler N times
and reading the learning rate after each step. Both are measured side by side in the
same run; the lrbook figures are medians of several repeats: "cold" is the first call
of a freshly built schedule with lrbook's tables of powers emptied, "warm" a repeated
call (an explorer redraw). Goal: >= 100x each. The last column is the largest
difference from PyTorch in ULPs of the peak rate (0 where PyTorch computes in closed
form: bit for bit).

Run: .venv/bin/python bench/schedules.py [--steps N] [--repeats R]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import numpy as np
import torch

import lrbook
from lrbook.schedules import _libm
from lrbook.torch_bridge import native_torch_scheduler

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument(
    "--steps", type=int, default=200_000, help="schedule length N (200,000)"
)
parser.add_argument(
    "--repeats", type=int, default=7, help="repeats of each lrbook timing (7)"
)
ARGS = parser.parse_args()
N = ARGS.steps
if N < 20_000:
    parser.error(f"--steps must be >= 20000 (the schedules below need it), got {N}")
torch.set_num_threads(1)

SCHEDULES = [
    lrbook.step_decay(0.1, step_size=30_000, gamma=0.5),
    lrbook.multistep_decay(0.1, milestones=[60_000, 120_000, 160_000]),
    lrbook.exponential_decay(0.1, gamma=0.99999),
    lrbook.linear(0.1, start_factor=0.01, total_iters=10_000),
    lrbook.inverse_time_decay(0.1, decay_rate=1.0, decay_steps=10_000),
    lrbook.cosine_annealing(0.1, t_max=N, eta_min=1e-4),
    lrbook.cosine_warm_restarts(0.1, t_0=1_000, t_mult=2, eta_min=1e-4),
    lrbook.cyclic(0.001, 0.1, step_size_up=2_000, mode="triangular"),
    lrbook.cyclic(0.001, 0.1, step_size_up=2_000, mode="triangular2"),
    lrbook.cyclic(0.001, 0.1, step_size_up=2_000, mode="exp_range", gamma=0.99999),
    lrbook.one_cycle(0.1, total_steps=N),
    lrbook.one_cycle(0.1, total_steps=N, anneal_strategy="linear", three_phase=True),
    lrbook.sequential(
        [
            lrbook.linear(0.1, 0.01, 1.0, 5_000),
            lrbook.cosine_annealing(0.1, t_max=N - 5_000),
        ],
        [5_000],
    ),
]


def time_lrbook(s, cold: bool):
    t = np.arange(N)
    times = []
    for _ in range(ARGS.repeats):
        if cold:
            _libm._power_table.cache_clear()
            _libm._polynomial_table.cache_clear()
            s = eval(repr(s), vars(lrbook))
        start = time.perf_counter()
        s(t)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_torch(s):
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=1.0, momentum=0.9)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "scheduler.step() before optimizer.step()"
        sched = native_torch_scheduler(opt, s)
        out = np.empty(N)
        group = opt.param_groups[0]
        start = time.perf_counter()
        for i in range(N):
            out[i] = group["lr"]
            if i < N - 1:
                sched.step()
        elapsed = time.perf_counter() - start
    return elapsed, out


def main():
    print(
        f"lrbook vs PyTorch, whole schedule of N = {N:,} steps "
        f"(torch {torch.__version__}, numpy {np.__version__})"
    )
    print(
        f"{'schedule':<22} {'cold ms':>8} {'warm ms':>8} {'PyTorch ms':>11}"
        f" {'cold':>7} {'warm':>7}  max ULPs"
    )
    cold_ratios, warm_ratios = [], []
    for s in SCHEDULES:
        cold = time_lrbook(s, cold=True)
        warm = time_lrbook(s, cold=False)
        theirs, ref = time_torch(s)
        ulps = np.max(np.abs(s(np.arange(N)) - ref)) / np.spacing(np.abs(ref).max())
        cold_ratios.append(theirs / cold)
        warm_ratios.append(theirs / warm)
        label = s.name if s.name != "cyclic" else f"cyclic/{s.params['mode']}"
        if s.name == "one_cycle" and s.params["three_phase"]:
            label = "one_cycle/3-phase"
        print(
            f"{label:<22} {cold * 1e3:>8.2f} {warm * 1e3:>8.2f} {theirs * 1e3:>11.1f}"
            f" {theirs / cold:>6.0f}x {theirs / warm:>6.0f}x  {ulps:.0f}"
        )
    print(
        f"smallest speed-up: cold {min(cold_ratios):.0f}x, warm {min(warm_ratios):.0f}x"
        " (goal >= 100x)"
    )


if __name__ == "__main__":
    main()
