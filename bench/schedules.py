"""Benchmark: evaluate a whole 200,000-step schedule with lrbook vs step PyTorch's.

For every schedule the book teaches, prints how much faster ``s(np.arange(N))`` (one
closed-form NumPy expression) is than stepping the equivalent PyTorch scheduler N times
and reading the learning rate after each step. Both are measured side by side in the
same run; the lrbook figure is the median of several repeats. Goal: >= 100x each.

Run: .venv/bin/python bench/schedules.py [N]
"""

from __future__ import annotations

import statistics
import sys
import time
import warnings

import numpy as np
import torch

import lrbook
from lrbook.torch_bridge import native_torch_scheduler

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
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


def time_lrbook(s, repeats=7):
    t = np.arange(N)
    times = []
    for _ in range(repeats):
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
        f"{'schedule':<22} {'lrbook ms':>10} {'PyTorch ms':>11} {'speed-up':>9}"
        f"  max rel. diff"
    )
    ratios = []
    for s in SCHEDULES:
        ours = time_lrbook(s)
        theirs, ref = time_torch(s)
        diff = np.max(np.abs(s(np.arange(N)) - ref) / np.abs(ref))
        ratios.append(theirs / ours)
        label = s.name if s.name != "cyclic" else f"cyclic/{s.params['mode']}"
        if s.name == "one_cycle" and s.params["three_phase"]:
            label = "one_cycle/3-phase"
        print(
            f"{label:<22} {ours * 1e3:>10.2f} {theirs * 1e3:>11.1f} "
            f"{theirs / ours:>8.0f}x  {diff:.1e}"
        )
    print(f"smallest speed-up: {min(ratios):.0f}x (goal >= 100x)")


if __name__ == "__main__":
    main()
