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

__all__ = ["resolve_jobs", "run_fits", "shutdown", "start_workers"]

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


def _fits_remote(payload: bytes) -> list:
    """Run runs that share their first epochs in a worker
    (:func:`lrbook.train.sharing.fit_shared`); return their histories."""
    import cloudpickle

    import lrbook.train  # pins the arithmetic before torch computes
    from lrbook.train.sharing import fit_shared

    runs = cloudpickle.loads(payload)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # divergence is counted
        histories = fit_shared(runs)
    for history in histories:
        history.model = None
    return histories


def _warm_up() -> None:
    """In a new worker: what the first run would otherwise wait for (PyTorch's
    compiler module, which its optimizers import when they first step, and the book's
    images as tensors)."""
    import torch._dynamo  # noqa: F401

    from lrbook.train.context import prepare_tensors, resolve_data, resolve_device

    prepare_tensors(resolve_data(None), None, None, resolve_device("cpu"))


def start_workers(jobs: int | None = None) -> None:
    """Start the worker processes now, in the background, so that the first
    :func:`~lrbook.train.compare` or :func:`~lrbook.train.tournament` does not wait
    for them: each imports lrbook and PyTorch and prepares the book's images (a few
    seconds) while this process goes on. Does nothing with ``jobs=1`` (or
    ``$LRBOOK_JOBS=1``) or when the workers are running already.

    Args:
        jobs: worker processes, as in :func:`run_fits` (default: one per core, or
            ``$LRBOOK_JOBS``).
    """
    n_jobs = resolve_jobs(jobs)
    if n_jobs == 1 or n_jobs in _pools:
        return
    pool = _pool(n_jobs)
    with _main_not_imported():
        for _ in range(n_jobs):  # each submit starts one process
            pool.submit(_warm_up)


def run_fits(
    runs: Sequence[dict],
    labels: Sequence[str],
    *,
    jobs: int | None = None,
    executor: cf.Executor | None = None,
    on_done: Callable[[int], None] | None = None,
) -> list:
    """Run ``fit(**runs[i])`` for every ``i``; return the histories in that order.

    Runs that share their first epochs (the same seed and settings, schedules that
    agree at first) train them once, in one task
    (:mod:`lrbook.train.sharing`); the histories are the same. The tasks that train
    the most epochs start first.

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
    from .sharing import plan

    tasks = plan(runs)
    if executor is None and (n_jobs == 1 or len(tasks) <= 1):
        return _serial(runs, labels, tasks, on_done)
    owned = executor is None
    size = n_jobs if n_jobs in _pools else min(n_jobs or 1, len(tasks))
    pool = _pool(size) if owned else executor
    import cloudpickle

    futures: dict[cf.Future, list[int]] = {}
    results: list = [None] * len(runs)
    try:
        # The first submit starts the pool's processes (spawned, not forked).
        with _main_not_imported() if owned else contextlib.nullcontext():
            for task in tasks:
                if len(task) == 1:
                    payload = cloudpickle.dumps(runs[task[0]])
                    future = pool.submit(_fit_remote, payload)
                else:
                    payload = cloudpickle.dumps([runs[i] for i in task])
                    future = pool.submit(_fits_remote, payload)
                futures[future] = task
        for future in cf.as_completed(futures):
            task = futures[future]
            try:
                histories = future.result()
            except Exception as exc:
                for other in futures:
                    other.cancel()
                if owned and isinstance(exc, cf.process.BrokenProcessPool):
                    _pools.pop(size, None)
                failed = task[getattr(exc, "lrbook_run", 0)] if len(task) > 1 else (
                    task[0]
                )
                exc.add_note(f"lrbook: in the run {labels[failed]}")
                raise
            if len(task) == 1:
                histories = [histories]
            for i, history in zip(task, histories, strict=True):
                results[i] = history
                if on_done is not None:
                    on_done(i)
    except KeyboardInterrupt:
        for future in futures:
            future.cancel()
        if owned:
            _pools.pop(size, None)
            _kill(pool)
        raise
    return results


def _serial(runs, labels, tasks, on_done) -> list:
    from .fitting import fit
    from .sharing import fit_shared

    out: list = [None] * len(runs)
    for task in tasks:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # divergence counted
                if len(task) == 1:
                    histories = [fit(**runs[task[0]])]
                else:
                    histories = fit_shared([runs[i] for i in task])
        except Exception as exc:
            failed = task[getattr(exc, "lrbook_run", 0)] if len(task) > 1 else task[0]
            exc.add_note(f"lrbook: in the run {labels[failed]}")
            raise
        for i, history in zip(task, histories, strict=True):
            history.model = None
            out[i] = history
            if on_done is not None:
                on_done(i)
    return out
