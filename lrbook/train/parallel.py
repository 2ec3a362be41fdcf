"""Many independent trainings at once: worker processes, or any executor.

:func:`~lrbook.train.compare` and :func:`~lrbook.train.tournament` train many small
networks that do not depend on each other (schedules × seeds × candidate rates). They
hand them to :func:`run_fits`, which runs them

* one after another in this process (``jobs=1``);
* in ``jobs`` worker processes of a pool kept for the session (the default: one per
  core, or ``$LRBOOK_JOBS``); or
* on any :class:`concurrent.futures.Executor` (``executor=``), for example a Dask
  cluster's ``Client.get_executor()``.

Every worker imports lrbook before PyTorch computes, so its arithmetic is pinned
(:mod:`lrbook.numerics`) and each run trains on one thread with its own seed: the
histories are bit-identical to the serial run's, whichever way they ran. A run that
raises is reported with its schedule and seed; Ctrl-C stops every worker.

Examples:
    >>> from lrbook.train import parallel
    >>> parallel.resolve_jobs(1)
    1
    >>> parallel.resolve_jobs(0)
    Traceback (most recent call last):
    ...
    ValueError: jobs must be an integer >= 1 or None (one per core), got 0
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Sequence

__all__ = ["resolve_jobs", "run_fits", "shutdown"]

_pools: dict[int, cf.ProcessPoolExecutor] = {}


def resolve_jobs(jobs) -> int:
    """The number of worker processes: ``jobs`` if given (an integer >= 1), else
    ``$LRBOOK_JOBS``, else the number of CPU cores."""
    if jobs is None:
        env = os.environ.get("LRBOOK_JOBS", "").strip()
        if env:
            try:
                value = int(env)
            except ValueError:
                value = 0
            if value < 1:
                raise ValueError(
                    f"LRBOOK_JOBS must be an integer >= 1, got {env!r}"
                ) from None
            return value
        return max(1, os.cpu_count() or 1)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(
            f"jobs must be an integer >= 1 or None (one per core), got {jobs!r}"
        )
    return jobs


def check_executor(executor) -> None:
    """``executor`` must be None or a :class:`concurrent.futures.Executor`."""
    if executor is not None and not isinstance(executor, cf.Executor):
        raise TypeError(
            "executor must be None or a concurrent.futures.Executor (for example "
            "ProcessPoolExecutor, or a Dask client's get_executor()), got "
            f"{type(executor).__name__}"
        )


def _worker_init() -> None:
    """In each worker: leave Ctrl-C to the parent, exit with the parent, and pin the
    arithmetic (by importing lrbook) before anything computes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        # A parent that dies without stopping its workers (a kernel restarted in
        # Jupyter, a killed script) must not leave them training on: the worker
        # leaves as soon as the parent's process sentinel says it is gone.
        threading.Thread(
            target=_exit_with, args=(parent,), daemon=True, name="lrbook-parent"
        ).start()
    import lrbook.train  # noqa: F401


def _exit_with(parent) -> None:
    parent.join()
    os._exit(1)


def _pool(jobs: int) -> cf.ProcessPoolExecutor:
    pool = _pools.get(jobs)
    if pool is None or getattr(pool, "_broken", False):
        pool = cf.ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
        )
        _pools[jobs] = pool
    return pool


def shutdown() -> None:
    """Stop the worker processes kept for the session (they start again when next
    needed). Called at exit."""
    while _pools:
        _, pool = _pools.popitem()
        _kill(pool)


atexit.register(shutdown)


def _kill(pool: cf.ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)


@contextlib.contextmanager
def _main_not_imported():
    """While worker processes start: do not make them import the caller's script.

    A spawned worker normally imports the ``__main__`` module again, so a script that
    calls :func:`compare` at top level (without ``if __name__ == "__main__":``) would
    run again in every worker. The workers need nothing from it: the runs are sent with
    cloudpickle, which carries functions defined in ``__main__`` by value.
    """
    main = sys.modules.get("__main__")
    missing = object()
    saved = {
        name: getattr(main, name, missing) for name in ("__spec__", "__file__")
    }
    try:
        if main is not None:
            main.__spec__ = None
            if saved["__file__"] is not missing:
                del main.__file__
        yield
    finally:
        if main is not None:
            for name, value in saved.items():
                if value is not missing:
                    setattr(main, name, value)


def _fit_remote(payload: bytes):
    """Run one :func:`~lrbook.train.fit` in a worker; return its history (without the
    trained network, which stays in the worker)."""
    import cloudpickle

    import lrbook.train  # pins the arithmetic before torch computes

    kwargs = cloudpickle.loads(payload)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # divergence is counted
        history = lrbook.train.fit(**kwargs)
    history.model = None
    return history


def run_fits(
    runs: Sequence[dict],
    labels: Sequence[str],
    *,
    jobs: int | None = None,
    executor: cf.Executor | None = None,
    on_done: Callable[[int], None] | None = None,
) -> list:
    """Run ``fit(**runs[i])`` for every ``i``; return the histories in that order.

    Args:
        runs: the keyword arguments of each :func:`~lrbook.train.fit`.
        labels: one label per run (e.g. ``"schedule 'cosine', seed 2"``), added to
            the error of a run that raises.
        jobs: worker processes (default: one per core, or ``$LRBOOK_JOBS``); ``1``
            runs in this process, one after another. Ignored with ``executor``.
        executor: any :class:`concurrent.futures.Executor` to run on instead.
        on_done: called with each run's index as it finishes (a progress bar).

    Returns:
        The :class:`~lrbook.train.History` of each run, ``model`` set to None.
    """
    if len(labels) != len(runs):
        raise ValueError(
            f"labels must give one label per run ({len(runs)}), got {len(labels)}"
        )
    check_executor(executor)
    n_jobs = None if executor is not None else resolve_jobs(jobs)
    if executor is None and (n_jobs == 1 or len(runs) <= 1):
        return _serial(runs, labels, on_done)
    owned = executor is None
    pool = _pool(min(n_jobs, len(runs))) if owned else executor
    import cloudpickle

    futures: dict[cf.Future, int] = {}
    results: list = [None] * len(runs)
    try:
        # The first submit starts the pool's processes (spawned, not forked).
        with _main_not_imported() if owned else contextlib.nullcontext():
            for i, kwargs in enumerate(runs):
                futures[pool.submit(_fit_remote, cloudpickle.dumps(kwargs))] = i
        for future in cf.as_completed(futures):
            i = futures[future]
            try:
                results[i] = future.result()
            except Exception as exc:
                for other in futures:
                    other.cancel()
                if isinstance(exc, cf.process.BrokenProcessPool):
                    _pools.pop(min(n_jobs, len(runs)), None)
                exc.add_note(f"lrbook: in the run {labels[i]}")
                raise
            if on_done is not None:
                on_done(i)
    except KeyboardInterrupt:
        for future in futures:
            future.cancel()
        if owned:
            _pools.pop(min(n_jobs, len(runs)), None)
            _kill(pool)
        raise
    return results


def _serial(runs, labels, on_done) -> list:
    from .fitting import fit

    out = []
    for i, (kwargs, label) in enumerate(zip(runs, labels, strict=True)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # divergence counted
                history = fit(**kwargs)
        except Exception as exc:
            exc.add_note(f"lrbook: in the run {label}")
            raise
        history.model = None
        out.append(history)
        if on_done is not None:
            on_done(i)
    return out
