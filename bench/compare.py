"""Benchmark: a comparison run serially, in worker processes, and on a Dask cluster.

The same ``lrbook.compare`` (chapter 4's size by default: 5 schedules x 3 seeds, 3
epochs on the book's images) is timed three ways, taking turns for several rounds so
that other programs on the machine affect all three alike:

* ``jobs=1``: every run in this process, one after another;
* ``jobs=N`` (default: the number of cores): lrbook's worker processes (kept for the
  session, so their start-up is paid once; it is reported separately);
* ``executor=client.get_executor()`` on a Dask ``LocalCluster`` with N single-threaded
  worker processes on 127.0.0.1 (skipped if ``distributed`` is not installed).

It prints the median wall time of each and the ratios serial/parallel (goal >= 1.8 on 2
cores) and serial/Dask, and checks that every history is bit-identical to the serial
one.

Then runs that share their first epochs (:mod:`lrbook.train.sharing`): chapter 2's five
schedules (two constant rates, step decay, one drop at one half and at two thirds of
the budget, stepped per epoch; ``--share-epochs``, 12 by default), one seed, in this
process, trained one by one with ``fit`` and together with ``fit_shared``, taking turns;
it prints the ratio independent/shared (the epochs trained fall from 60 to 42) and
checks that the histories are bit-identical. No test asserts these figures
(``tests/e2e/test_bench.py`` only runs ``--quick``).

Usage: ``python bench/compare.py [--rounds 3] [--jobs N] [--epochs 3] [--quick]``
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time

import numpy as np

import lrbook
from lrbook.train import parallel


def same(a, b) -> bool:
    curves = ("lr", "loss", "val_loss", "val_accuracy", "test_loss")
    return all(
        np.array_equal(getattr(x, c), getattr(y, c))
        for name in a.histories
        for x, y in zip(a.histories[name], b.histories[name], strict=True)
        for c in curves
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (medians)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-train", type=int, default=None)
    parser.add_argument("--share-epochs", type=int, default=12)
    parser.add_argument(
        "--quick", action="store_true", help="smallest setting (1 round, tiny runs)"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.epochs, args.seeds, args.n_train = 1, 1, 2, 320
        args.share_epochs = 3
    data = lrbook.book_mnist()
    T = args.epochs * -(-(args.n_train or 3200) // 64)
    schedules = {
        "constant": 0.1,
        "step": lrbook.step_decay(0.1, step_size=max(1, T // 3), gamma=0.1),
        "exponential": lrbook.exponential_decay(0.1, gamma=0.01 ** (1 / T)),
        "cosine": lrbook.cosine_annealing(0.1, t_max=T),
        "one-cycle": lrbook.one_cycle(0.1, total_steps=T),
    }
    kwargs = dict(
        seeds=tuple(range(args.seeds)),
        epochs=args.epochs,
        data=data,
        progress=False,
        n_train=args.n_train,
    )
    n_runs = len(schedules) * args.seeds
    print(
        f"bench/compare.py: {len(schedules)} schedules x {args.seeds} seeds = {n_runs} "
        f"runs, {args.epochs} epoch(s) each, {os.cpu_count()} cores; serial against "
        f"jobs={args.jobs} and a Dask LocalCluster of {args.jobs} workers; "
        f"{args.rounds} round(s), medians"
    )

    start = time.perf_counter()
    reference = lrbook.compare(schedules, jobs=args.jobs, **kwargs)  # starts the pool
    cold = time.perf_counter() - start

    cluster = client = None
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        print("  (distributed is not installed: no Dask measurement)")
    else:
        start = time.perf_counter()
        cluster = LocalCluster(
            n_workers=args.jobs,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=":0",  # any free port: 8787 may be taken
            # Dask's own log lines stay out of the output: on a loaded machine a worker
            # can log "Failed to communicate with scheduler during heartbeat", with a
            # traceback, while the cluster closes (seen once in CI). A real failure
            # still shows: a run that fails raises here, in compare().
            silence_logs=logging.CRITICAL,
        )
        client = Client(cluster)
        lrbook.compare(schedules, executor=client.get_executor(), **kwargs)  # warm-up
        dask_start = time.perf_counter() - start

    times: dict[str, list[float]] = {"serial": [], "parallel": [], "dask": []}
    identical = True
    try:
        for _ in range(args.rounds):
            for how in ("serial", "parallel", "dask"):
                if how == "dask" and client is None:
                    continue
                way = {
                    "serial": {"jobs": 1},
                    "parallel": {"jobs": args.jobs},
                    "dask": {"executor": client and client.get_executor()},
                }[how]
                start = time.perf_counter()
                result = lrbook.compare(schedules, **way, **kwargs)
                times[how].append(time.perf_counter() - start)
                identical &= same(reference, result)
    finally:
        if client is not None:
            client.close()
            cluster.close()
        parallel.shutdown()

    med = {k: statistics.median(v) for k, v in times.items() if v}
    print(f"  serial (jobs=1):                 {med['serial']:8.2f} s")
    print(
        f"  worker processes (jobs={args.jobs}):      {med['parallel']:8.2f} s  "
        f"(first call, starting the workers: {cold:.2f} s)"
    )
    if "dask" in med:
        print(
            f"  Dask LocalCluster ({args.jobs} workers):   {med['dask']:8.2f} s  "
            f"(starting the cluster and a first call: {dask_start:.2f} s)"
        )
    print(
        f"serial/parallel ratio: {med['serial'] / med['parallel']:.2f} "
        f"(goal >= 1.8 on 2 cores)"
    )
    if "dask" in med:
        print(f"serial/Dask ratio: {med['serial'] / med['dask']:.2f}")
    print(f"every history bit-identical to the serial run: {identical}")
    if not identical:
        raise SystemExit("histories differ between serial and parallel runs")
    shared_prefixes(args.rounds, args.share_epochs, args.n_train)


def shared_prefixes(rounds: int, epochs: int, n_train: int | None) -> None:
    """Chapter 2's comparison for one seed: five fits against one fit_shared."""
    from lrbook.train import fit
    from lrbook.train.sharing import fit_shared, plan

    schedules = {
        "constant 0.1": lrbook.constant(0.1),
        "constant 0.01": lrbook.constant(0.01),
        "StepLR": lrbook.step_decay(0.1, step_size=max(1, epochs // 3), gamma=0.1),
        "drop at 1/2": lrbook.multistep_decay(0.1, [max(1, epochs // 2)], 0.1),
        "drop at 2/3": lrbook.multistep_decay(0.1, [max(1, 2 * epochs // 3)], 0.1),
    }
    runs = [
        dict(schedule=s, epochs=epochs, step_per="epoch", seed=0, n_train=n_train,
             progress=False)
        for s in schedules.values()
    ]
    tasks = plan(runs)
    times: dict[str, list[float]] = {"independent": [], "shared": []}
    identical = True
    for _ in range(rounds):
        start = time.perf_counter()
        alone = [fit(**r) for r in runs]
        times["independent"].append(time.perf_counter() - start)
        start = time.perf_counter()
        together = fit_shared(runs)
        times["shared"].append(time.perf_counter() - start)
        curves = ("lr", "loss", "train_loss", "val_loss", "val_accuracy", "test_loss")
        identical &= all(
            np.array_equal(getattr(a, c), getattr(b, c))
            for a, b in zip(alone, together, strict=True)
            for c in curves
        )
    med = {k: statistics.median(v) for k, v in times.items()}
    print(
        f"shared prefixes: chapter 2's {len(runs)} schedules, {epochs} epochs, one "
        f"seed, in this process ({len(tasks)} task(s): {tasks})"
    )
    print(f"  one fit per run:                 {med['independent']:8.2f} s")
    print(f"  fit_shared:                      {med['shared']:8.2f} s")
    print(f"independent/shared ratio: {med['independent'] / med['shared']:.2f}")
    print(f"every shared history bit-identical to its own fit: {identical}")
    if not identical:
        raise SystemExit("shared histories differ from independent fits")


if __name__ == "__main__":
    main()
