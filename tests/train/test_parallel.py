"""Comparisons in worker processes and on a Dask cluster (lrbook.train.parallel).

The runs of ``compare`` and ``tournament`` are independent trainings. Run in worker
processes (``jobs=2``), on any ``concurrent.futures`` executor, or on a Dask
``LocalCluster``, every history must be bit-identical to the serial run's: the
fingerprints below hash every recorded curve. A run that raises names its schedule and
seed, and Ctrl-C stops every worker.

The two tests that run a script in a fresh interpreter and stop it from outside (Ctrl-C,
a killed parent) are marked ``e2e``: the fast inner loop (``-m "not e2e"``) skips them.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import lrbook
from lrbook.train import parallel

SMALL = {"epochs": 1, "n_train": 320, "n_test": 200, "progress": False}
SCHEDULES = {
    "constant": 0.1,
    "cosine": lrbook.cosine_annealing(0.1, t_max=5),
    "step": lrbook.step_decay(0.1, step_size=2, gamma=0.5),
}


def digest(comparison) -> dict[str, str]:
    """One hash per schedule over every curve of every seed."""
    out = {}
    for name, runs in comparison.histories.items():
        h = hashlib.sha256()
        for run in runs:
            for curve in ("lr", "loss", "val_loss", "val_accuracy", "test_loss"):
                h.update(getattr(run, curve).astype("float64").tobytes())
            h.update(repr(run.diverged).encode())
        out[name] = h.hexdigest()[:16]
    return out


@pytest.fixture(scope="module")
def serial():
    return digest(lrbook.compare(SCHEDULES, seeds=(0, 1), jobs=1, **SMALL))


def test_worker_processes_give_the_serial_histories(serial):
    parallel_run = lrbook.compare(SCHEDULES, seeds=(0, 1), jobs=2, **SMALL)
    assert digest(parallel_run) == serial
    assert list(parallel_run.histories) == list(SCHEDULES)  # the caller's order
    assert len(parallel_run.histories["cosine"]) == 2
    assert all(h.model is None for hs in parallel_run.histories.values() for h in hs)


def test_started_workers_are_the_ones_compare_uses(serial):
    """start_workers starts the pool ahead of time (nothing with one job); compare
    then runs on it and gets the serial histories."""
    parallel.shutdown()
    parallel.start_workers(jobs=1)
    assert parallel._pools == {}
    parallel.start_workers(jobs=2)
    pool = parallel._pools[2]
    parallel.start_workers(jobs=2)  # running already: nothing new
    assert parallel._pools == {2: pool} and len(pool._processes) == 2
    run = lrbook.compare(SCHEDULES, seeds=(0, 1), jobs=2, **SMALL)
    assert parallel._pools == {2: pool}
    assert digest(run) == serial


def test_the_cnn_in_worker_processes_gives_the_serial_histories():
    kwargs = dict(SMALL, model="cnn", n_train=192, batch_size=32)
    one = lrbook.compare({"a": 0.05, "b": 0.02}, seeds=(0, 1), jobs=1, **kwargs)
    two = lrbook.compare({"a": 0.05, "b": 0.02}, seeds=(0, 1), jobs=2, **kwargs)
    assert digest(one) == digest(two)


def test_any_executor_gives_the_serial_histories(serial):
    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(2, mp_context=ctx) as pool:
        run = lrbook.compare(SCHEDULES, seeds=(0, 1), executor=pool, **SMALL)
    assert digest(run) == serial


def test_a_dask_local_cluster_gives_the_serial_histories(serial):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",  # any free port: 8787 may be taken
    ) as cluster, distributed.Client(cluster) as client:
        run = lrbook.compare(
            SCHEDULES, seeds=(0, 1), executor=client.get_executor(), **SMALL
        )
        # the workers pinned PyTorch's arithmetic before it computed
        status = client.run(lambda: __import__("lrbook").numerics.status())
    assert digest(run) == serial
    assert len(status) == 2 and all(s["pinned"] for s in status.values())


def test_the_tournament_in_worker_processes_gives_the_serial_result():
    families = {
        "constant": {"0.1": 0.1, "0.05": 0.05},
        "cosine": {
            "0.1": lrbook.cosine_annealing(0.1, t_max=5),
            "0.2": lrbook.cosine_annealing(0.2, t_max=5),
        },
    }
    kwargs = dict(SMALL, tune_seeds=(0,), final_seeds=(1, 2))
    one = lrbook.tournament(families, jobs=1, **kwargs)
    two = lrbook.tournament(families, jobs=2, **kwargs)
    assert one.chosen == two.chosen
    assert digest(one.final) == digest(two.final)
    assert one.trials == two.trials
    for family in families:
        assert digest(one.tuning[family]) == digest(two.tuning[family])


def test_divergence_in_a_worker_is_recorded_as_in_the_serial_run():
    runs = {"huge": 1e30, "fine": 0.1}
    one = lrbook.compare(runs, seeds=(0,), jobs=1, **SMALL)
    two = lrbook.compare(runs, seeds=(0,), jobs=2, **SMALL)
    assert one.histories["huge"][0].diverged and two.histories["huge"][0].diverged
    assert digest(one) == digest(two)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_that_raises_names_its_schedule_and_seed(jobs):
    schedules = {"fine": 0.1, "broken": lambda optimizer: 1 / 0}
    with pytest.raises(ZeroDivisionError) as info:
        lrbook.compare(schedules, seeds=(0, 3), jobs=jobs, **SMALL)
    notes = getattr(info.value, "__notes__", [])
    assert any("schedule 'broken', seed 0" in n or "schedule 'broken', seed 3" in n
               for n in notes), notes


def test_one_progress_bar_counts_every_run(monkeypatch, capsys):
    from lrbook.train import comparison

    seen = []
    close = comparison.close_bar

    def record(bar):
        seen.append((bar.n, bar.total))
        close(bar)

    monkeypatch.setattr(comparison, "close_bar", record)
    lrbook.compare(SCHEDULES, seeds=(0, 1), jobs=2, **dict(SMALL, progress=True))
    assert seen == [(6, 6)]
    assert "compare" in capsys.readouterr().err


def test_jobs_and_executor_are_checked(monkeypatch):
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match=f"jobs must be an integer >= 1.*{bad!r}"):
            lrbook.compare(SCHEDULES, seeds=(0,), jobs=bad, **SMALL)
    with pytest.raises(TypeError, match="executor must be None or a concurrent"):
        lrbook.compare(SCHEDULES, seeds=(0,), executor="dask", **SMALL)
    monkeypatch.setenv("LRBOOK_JOBS", "3")
    assert parallel.resolve_jobs(None) == 3
    assert parallel.resolve_jobs(2) == 2
    for bad in ("0", "two", "-4"):
        monkeypatch.setenv("LRBOOK_JOBS", bad)
        with pytest.raises(ValueError, match=f"LRBOOK_JOBS must be .*{bad!r}"):
            parallel.resolve_jobs(None)
    monkeypatch.delenv("LRBOOK_JOBS")
    assert parallel.resolve_jobs(None) == max(1, os.cpu_count() or 1)
    with pytest.raises(ValueError, match="one label per run"):
        parallel.run_fits([{}], [])


def _started_workers(psutil, proc) -> tuple:
    """``(parent, its worker processes)`` once ``proc`` has spawned two workers."""
    parent = psutil.Process(proc.pid)
    workers: list = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        workers = [
            p
            for p in parent.children(recursive=True)
            if "spawn_main" in " ".join(p.cmdline())
        ]
        if len(workers) >= 2:
            break
        time.sleep(0.2)
    assert len(workers) >= 2, "the worker processes never started"
    return parent, workers


@pytest.mark.e2e  # a whole script in a fresh interpreter, stopped from outside
def test_ctrl_c_stops_every_worker_and_leaves_no_orphan(tmp_path):
    psutil = pytest.importorskip("psutil")
    script = tmp_path / "long.py"
    script.write_text(
        textwrap.dedent(
            """
            import faulthandler, signal
            faulthandler.register(signal.SIGUSR1, all_threads=True)  # stacks if stuck
            # Ctrl-C as in a terminal: a background job (CI's runner) starts with
            # SIGINT ignored, and a child inherits that
            signal.signal(signal.SIGINT, signal.default_int_handler)
            import lrbook
            print("started", flush=True)
            lrbook.compare({"a": 0.1, "b": 0.05}, seeds=(0, 1, 2, 3), epochs=200,
                           jobs=2, progress=False)
            print("finished", flush=True)
            """
        )
    )
    env = dict(os.environ, LRBOOK_PROGRESS="0")
    env.pop("LRBOOK_JOBS", None)
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        parent, workers = _started_workers(psutil, proc)
        time.sleep(8)  # let the workers import torch and start training
        assert proc.poll() is None
        everyone = parent.children(recursive=True)
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGUSR1)  # every thread's stack, for the report
            time.sleep(2)
            proc.kill()
            out, err = proc.communicate()
            pytest.fail(f"Ctrl-C did not stop the run within 120 s:\n{err[-8000:]}")
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0 and "KeyboardInterrupt" in err, err[-2000:]
    assert "finished" not in out
    _, alive = psutil.wait_procs(everyone, timeout=15)
    alive = [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]
    assert not alive, f"orphan processes left: {[p.cmdline() for p in alive]}"


@pytest.mark.e2e  # a whole script in a fresh interpreter, stopped from outside
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_killed_parent_leaves_no_worker_training(tmp_path):
    """A parent killed outright (SIGKILL: a Jupyter kernel restarted mid-tournament)
    cannot stop its workers; they must notice and exit on their own."""
    psutil = pytest.importorskip("psutil")
    script = tmp_path / "long.py"
    script.write_text(
        textwrap.dedent(
            """
            import lrbook
            lrbook.compare({"a": 0.1, "b": 0.05}, seeds=(0, 1), epochs=200, jobs=2,
                           progress=False)
            """
        )
    )
    env = dict(os.environ, LRBOOK_PROGRESS="0")
    env.pop("LRBOOK_JOBS", None)
    proc = subprocess.Popen([sys.executable, str(script)], env=env)
    try:
        parent, workers = _started_workers(psutil, proc)
        time.sleep(5)  # the workers are importing torch or training
    finally:
        proc.kill()
        proc.wait()
    _, alive = psutil.wait_procs(workers, timeout=30)
    alive = [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]
    for p in alive:
        p.kill()
    assert not alive, f"workers still running after their parent died: {alive}"
