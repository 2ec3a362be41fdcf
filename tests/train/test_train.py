"""lrbook.train: the schedule the optimizer sees, reproducibility, divergence, plateau.

Runs on a few hundred images of the real 5,000-image MNIST subset (offline), so the
whole module takes seconds.
"""

from __future__ import annotations

import math
import sys
import types
import warnings

import numpy as np
import pytest
import torch

import lrbook
from lrbook import _env, train
from lrbook.data import book_slice
from lrbook.torch_bridge import record_rates
from lrbook.train import (
    History,
    compare,
    context,
    driver,
    fit,
    loop,
    lr_range,
    lr_range_test,
)
from lrbook.train.models import build_model

FIELDS = ("lr", "loss", "train_loss", "train_accuracy", "test_loss", "test_accuracy")


@pytest.fixture(scope="module")
def mnist():
    return book_slice(n_train=640, n_test=200)


def run(mnist, schedule, **kwargs):
    kwargs.setdefault("epochs", 2)
    kwargs.setdefault("batch_size", 64)
    kwargs.setdefault("validation", 0)  # every image trains (validation: own tests)
    return fit(schedule, data=mnist, device="cpu", progress=False, **kwargs)


def same(a: History, b: History) -> bool:
    return all(np.array_equal(getattr(a, f), getattr(b, f)) for f in FIELDS)


# ------------------------------------------------- the learning rate of every update


@pytest.mark.parametrize(
    "schedule",
    [
        lrbook.cosine_annealing(0.1, t_max=20, eta_min=0.001),
        lrbook.step_decay(0.1, step_size=7, gamma=0.5),
        lrbook.one_cycle(0.2, total_steps=20),  # defined for exactly the 20 updates
        lrbook.cosine_warm_restarts(0.1, t_0=3, t_mult=2),
    ],
)
def test_lr_per_batch_is_the_schedule(mnist, schedule):
    h = run(mnist, schedule)
    assert h.updates_per_epoch == 10 and h.updates == 20
    np.testing.assert_array_equal(h.lr, schedule(np.arange(20)))  # bit for bit
    assert h.config["step_per"] == "batch"


def test_rates_are_those_of_as_torch_scheduler(mnist):
    s = lrbook.sequential(
        [lrbook.linear(0.1, 0.1, 1.0, 5), lrbook.cosine_annealing(0.1, t_max=15)], [5]
    )
    h = run(mnist, s)
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    expected = record_rates(lrbook.as_torch_scheduler(opt, s), 20)
    assert h.lr.tolist() == expected.tolist()


def test_lr_per_epoch_is_the_schedule(mnist):
    s = lrbook.step_decay(0.2, step_size=1, gamma=0.5)
    h = run(mnist, s, epochs=3, step_per="epoch", batch_size=100)
    assert h.updates_per_epoch == 7  # 640 = 6 x 100 + 40: the last batch is smaller
    np.testing.assert_array_equal(h.lr, np.repeat(s(np.arange(3)), 7))
    np.testing.assert_array_equal(np.unique(h.lr), [0.05, 0.1, 0.2])


def test_schedule_with_an_end_per_epoch(mnist):
    s = lrbook.one_cycle(0.2, total_steps=3, pct_start=0.5)  # epochs 0, 1, 2 only
    h = run(mnist, s, epochs=3, step_per="epoch")
    np.testing.assert_array_equal(h.lr, np.repeat(s(np.arange(3)), 10))


def test_seed_sets_the_initial_weights(mnist):
    h = run(mnist, 0.0, epochs=1, seed=5)  # learning rate 0: the weights stay put
    torch.manual_seed(5)
    reference = train.mlp()
    for p, q in zip(h.model.parameters(), reference.parameters(), strict=True):
        assert torch.equal(p, q)


def test_epoch_metrics_are_exact(mnist):
    h = run(mnist, 0.0, epochs=2, batch_size=100)  # rate 0: the network stays fixed
    x, y, _, _, xt, yt = context.prepare_tensors(
        mnist, None, None, torch.device("cpu")
    )
    with torch.no_grad():
        out, out_test = h.model(x), h.model(xt)
    acc = (out.argmax(1) == y).double().mean().item()
    loss = torch.nn.functional.cross_entropy(out.double(), y).item()
    np.testing.assert_array_equal(h.train_accuracy, [acc, acc])
    np.testing.assert_allclose(h.train_loss, [loss, loss], rtol=1e-5)
    test_acc = (out_test.argmax(1) == yt).double().mean().item()
    np.testing.assert_array_equal(h.test_accuracy, [test_acc, test_acc])
    np.testing.assert_allclose(
        h.test_loss[0],
        torch.nn.functional.cross_entropy(out_test.double(), yt).item(),
        rtol=1e-5,
    )


def test_a_number_is_a_constant_rate(mnist):
    h = run(mnist, 0.05, epochs=1)
    np.testing.assert_array_equal(h.lr, np.full(10, 0.05))
    assert h.config["schedule"] == "constant(lr=0.05)"


def test_torch_scheduler_factory_and_object(mnist):
    h = run(
        mnist, lambda opt: torch.optim.lr_scheduler.StepLR(opt, 4, gamma=0.5), lr=0.1
    )
    np.testing.assert_allclose(
        h.lr, lrbook.step_decay(0.1, 4, 0.5)(np.arange(20)), rtol=1e-12
    )
    net = train.mlp()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    h = run(mnist, sched, model=net, optimizer=opt, step_per="epoch")
    np.testing.assert_allclose(h.lr, np.repeat([0.1, 0.05], 10), rtol=1e-12)
    assert h.model is net  # a given network is trained in place


def test_schedule_too_short_for_the_run_is_refused(mnist):
    with pytest.raises(ValueError, match=r"defined for steps 0\.\.18.*0\.\.19"):
        run(mnist, lrbook.one_cycle(0.1, total_steps=19))


@pytest.mark.parametrize("total_steps", [19, 18, 5])
def test_pytorch_one_cycle_too_short_for_the_run_is_refused(mnist, total_steps):
    """OneCycleLR passed as a factory: one step short would otherwise train silently
    (its step total_steps runs the last phase past its end), and is refused before
    training, naming total_steps and the value that fits."""
    with pytest.raises(
        ValueError,
        match=rf"OneCycleLR.*0\.\.{total_steps - 1}.*0\.\.19.*total_steps=20",
    ):
        run(mnist, lambda opt: torch.optim.lr_scheduler.OneCycleLR(
            opt, 0.1, total_steps=total_steps))


def test_pytorch_one_cycle_object_too_short_is_refused(mnist):
    net = train.mlp()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=19)
    with pytest.raises(ValueError, match=r"total_steps=20"):
        run(mnist, sched, model=net, optimizer=opt)


def test_pytorch_one_cycle_of_the_run_s_length_trains(mnist):
    h = run(mnist, lambda opt: torch.optim.lr_scheduler.OneCycleLR(
        opt, 0.1, total_steps=20, cycle_momentum=False))
    np.testing.assert_array_equal(
        h.lr, lrbook.one_cycle(0.1, total_steps=20)(np.arange(20)))
    h = run(mnist, lambda opt: torch.optim.lr_scheduler.OneCycleLR(
        opt, 0.1, total_steps=30))
    assert h.updates == 20  # longer than the run: allowed, as for lrbook schedules


# -------------------------------------------------------------------- reproducible


def test_same_seed_gives_bit_identical_histories(mnist):
    before = torch.get_rng_state()
    threads = torch.get_num_threads()
    deterministic = torch.are_deterministic_algorithms_enabled()
    s = lrbook.cosine_annealing(0.1, t_max=20)
    a, b = run(mnist, s, seed=3), run(mnist, s, seed=3)
    assert same(a, b)
    for pa, pb in zip(a.model.parameters(), b.model.parameters(), strict=True):
        assert torch.equal(pa, pb)
    c = run(mnist, s, seed=4)
    assert not np.array_equal(a.loss, c.loss)
    # The caller's random state and global settings are left as they were.
    assert torch.equal(torch.get_rng_state(), before)
    assert torch.get_num_threads() == threads
    assert torch.are_deterministic_algorithms_enabled() == deterministic
    assert a.config["num_threads"] == 1 and a.config["device"] == "cpu"


def test_models_with_dropout_are_reproducible(mnist):
    # Dropout draws from PyTorch's global generator during training: fit seeds it.
    def dropout_mlp():
        return torch.nn.Sequential(
            torch.nn.Flatten(),
            torch.nn.Linear(784, 32),
            torch.nn.Dropout(0.5),
            torch.nn.ReLU(),
            torch.nn.Linear(32, 10),
        )

    small = mnist.subset(n_train=256, n_test=64)
    before = torch.get_rng_state()
    a = run(small, 0.05, model=dropout_mlp, epochs=1)
    torch.manual_seed(12345)  # a different global state must not matter
    b = run(small, 0.05, model=dropout_mlp, epochs=1)
    assert same(a, b)
    torch.set_rng_state(before)


def test_cnn_and_adam_are_reproducible_too(mnist):
    small = mnist.subset(n_train=192, n_test=100)
    kwargs = {"model": "cnn", "optimizer": "adam", "epochs": 1, "batch_size": 32}
    a = run(small, 1e-3, **kwargs)
    b = run(small, 1e-3, **kwargs)
    assert same(a, b) and a.updates == 6
    assert a.config["optimizer"] == "adam" and a.config["model"] == "cnn"


def test_training_learns(mnist):
    h = run(mnist, 0.05, epochs=3)
    assert h.test_accuracy[-1] > 0.6  # chance is 0.1
    assert h.loss[-10:].mean() < h.loss[:5].mean()
    assert h.train_loss.shape == h.test_accuracy.shape == (3,)
    assert np.all((0 <= h.train_accuracy) & (h.train_accuracy <= 1))
    assert "test accuracy" in repr(h)


# ---------------------------------------------------------------------- divergence


def test_divergence_stops_cleanly_with_a_warning(mnist):
    with pytest.warns(
        RuntimeWarning,
        match=r"diverged at update \d+, learning rate "
        r"1e\+06",
    ):
        h = run(mnist, 1e6, epochs=3)
    assert h.diverged
    assert h.message.startswith(f"diverged at update {h.updates - 1}, ")
    assert not math.isfinite(h.loss[-1])
    assert np.all(np.isfinite(h.loss[:-1]))  # it stopped at the first bad loss
    assert h.updates < 3 * h.updates_per_epoch
    assert h.lr.shape == h.loss.shape
    assert math.isnan(h.final_test_accuracy)
    assert "diverged" in repr(h)
    fig = h.plot()
    assert len(fig.axes) == 3


def test_buffered_loss_path_of_the_gpu_gives_the_same_history(mnist, monkeypatch):
    sync = run(mnist, 0.05)
    with pytest.warns(RuntimeWarning, match="diverged"):
        sync_bad = run(mnist, 1e6, epochs=3)
    monkeypatch.setattr(loop, "read_loss_every_update", lambda device: False)
    monkeypatch.setattr(loop, "GPU_LOSSES_READ_EVERY", 3)
    assert same(run(mnist, 0.05), sync)
    with pytest.warns(RuntimeWarning, match="diverged"):
        bad = run(mnist, 1e6, epochs=3)
    assert bad.diverged and bad.message == sync_bad.message
    np.testing.assert_array_equal(bad.lr, sync_bad.lr)
    np.testing.assert_array_equal(bad.loss, sync_bad.loss)  # NaN == NaN here


def test_no_divergence_no_warning(mnist):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = run(mnist, 0.01, epochs=1)
    assert not h.diverged and h.message == ""


# ------------------------------------------------------------------------- plateau


def test_plateau_is_driven_by_the_validation_loss(mnist):
    plateau = lrbook.ReduceLROnPlateau(0.1, factor=0.5, patience=0, threshold=0.3)
    h = run(mnist, plateau, epochs=5, validation=0.2)
    assert h.config["step_per"] == "epoch" and h.config["monitor"] == "val_loss"
    assert (h.config["n_train"], h.config["n_val"]) == (512, 128)
    per_epoch = h.lr[:: h.updates_per_epoch]
    # Replay: the rate of epoch e+1 is what the plateau rule makes of val losses 0..e.
    replay = lrbook.ReduceLROnPlateau(0.1, factor=0.5, patience=0, threshold=0.3)
    expected = [0.1] + [replay.step(x) for x in h.val_loss[:-1]]
    np.testing.assert_array_equal(per_epoch, expected)
    assert len(set(expected)) > 1  # the rate was actually cut
    assert np.all(np.diff(per_epoch) <= 0)
    assert plateau.lr == 0.1 and plateau.last_epoch == 0  # the reader's is untouched
    # PyTorch's own ReduceLROnPlateau, stepped the same way, gives the same run.
    h_torch = run(
        mnist,
        lambda opt: torch.optim.lr_scheduler.ReduceLROnPlateau(
            opt, factor=0.5, patience=0, threshold=0.3
        ),
        lr=0.1,
        epochs=5,
        validation=0.2,
    )
    assert same(h, h_torch)
    assert np.array_equal(h.val_loss, h_torch.val_loss)


def test_plateau_refuses_the_test_set_and_a_missing_validation_split(mnist):
    p = lrbook.ReduceLROnPlateau(0.1)
    with pytest.raises(ValueError, match="would steer the schedule with the test set"):
        run(mnist, p, monitor="test_loss")
    with pytest.raises(ValueError, match="needs validation images, but validation=0"):
        run(mnist, p, validation=0)


def test_plateau_on_train_loss_and_accuracy(mnist):
    p = lrbook.ReduceLROnPlateau(0.1, factor=0.5, patience=0, threshold=0.3)
    h = run(mnist, p, epochs=4, monitor="train_loss")
    replay = lrbook.ReduceLROnPlateau(0.1, factor=0.5, patience=0, threshold=0.3)
    expected = [0.1] + [replay.step(x) for x in h.train_loss[:-1]]
    np.testing.assert_array_equal(h.lr[:: h.updates_per_epoch], expected)
    with pytest.raises(ValueError, match="mode='max'"):
        run(mnist, p, monitor="val_accuracy", validation=0.2)
    with pytest.raises(ValueError, match="step_per='batch' is not possible"):
        run(mnist, p, step_per="batch")


# ---------------------------------------------------------------- argument checks


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"epochs": 0}, ValueError, "epochs must be an integer >= 1, got 0"),
        ({"epochs": 1.5}, TypeError, "epochs must be an integer"),
        ({"batch_size": 10_000}, ValueError, r"batch_size must be at most .*\(640\)"),
        ({"optimizer": "rmsprop"}, ValueError, "optimizer must be 'sgd', 'adam'"),
        ({"optimizer": "adam", "momentum": 0.9}, ValueError, "momentum applies to"),
        ({"momentum": 1.0}, ValueError, "momentum"),
        ({"step_per": "week"}, ValueError, "step_per must be one of"),
        ({"monitor": "loss"}, ValueError, "monitor must be one of"),
        ({"model": "resnet"}, ValueError, "model must be one of 'mlp', 'cnn'"),
        ({"model": 3}, TypeError, "model must be"),
        ({"lr": 0.1}, ValueError, "lr=0.1 conflicts with the schedule"),
        ({"seed": -1}, ValueError, "seed"),
        ({"n_train": 10_000}, ValueError, "n_train must be at most 640"),
        ({"progress": "yes"}, TypeError, "progress"),
        ({"device": "gpu0"}, ValueError, "device"),
        ({"num_threads": 0}, ValueError, "num_threads"),
    ],
)
def test_bad_arguments_are_named(mnist, kwargs, error, match):
    with pytest.raises(error, match=match):
        fit(0.1, **{"data": mnist, "progress": False, "validation": 0, **kwargs})


@pytest.mark.parametrize(
    "schedule, match",
    [
        ("cosine", "schedule must be a learning rate"),
        (True, "schedule must be a learning rate"),
        (lambda opt: 0.1, "the function returned float"),
    ],
)
def test_bad_schedules_are_named(mnist, schedule, match):
    with pytest.raises(TypeError, match=match):
        run(mnist, schedule)


def test_data_must_be_mnist():
    with pytest.raises(TypeError, match="data must be an lrbook.data.MNIST"):
        fit(0.1, data=np.zeros((3, 28, 28)), progress=False)


# -------------------------------------------------------------- progress and plots


def test_progress_setting(monkeypatch, mnist, capsys):
    monkeypatch.setenv("LRBOOK_PROGRESS", "0")
    assert context.progress_enabled(None) is False
    monkeypatch.setenv("LRBOOK_PROGRESS", "1")
    assert context.progress_enabled(None) is True
    assert context.progress_enabled(False) is False
    monkeypatch.delenv("LRBOOK_PROGRESS")

    class Kernel:
        _allow_stdin = False  # how nbclient (Jupyter Book, papermill) runs cells

    monkeypatch.setattr(_env, "jupyter_kernel", lambda: Kernel)
    assert context.progress_enabled(None) is False
    Kernel._allow_stdin = True  # a person at JupyterLab, VS Code or Colab
    assert context.progress_enabled(None) is True
    monkeypatch.setattr(_env, "jupyter_kernel", lambda: None)
    assert context.progress_enabled(None) is False  # pytest: stderr is not a terminal
    h = fit(0.05, data=mnist, epochs=1, progress=True, validation=0)  # a bar, gone
    assert h.updates == 10
    assert capsys.readouterr().out == ""


def fake_ipython(monkeypatch, shell):
    """Pretend that IPython is running ``shell`` (as ``get_ipython()`` returns it)."""
    module = types.ModuleType("IPython")
    module.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", module)


def test_one_answer_to_are_we_in_a_notebook(monkeypatch):
    monkeypatch.delenv("LRBOOK_PROGRESS", raising=False)

    class Kernel:
        _allow_stdin = False  # nbclient (Jupyter Book, papermill)

    class KernelShell:  # ipykernel's shell: it has a kernel
        kernel = Kernel()

    class TerminalShell:  # terminal IPython: a shell without a kernel
        pass

    fake_ipython(monkeypatch, KernelShell())
    assert _env.jupyter_kernel() is KernelShell.kernel and _env.in_kernel()
    assert context.progress_enabled(None) is False  # executed unattended: no bars
    Kernel._allow_stdin = True
    assert context.progress_enabled(None) is True  # a person runs the notebook
    fake_ipython(monkeypatch, TerminalShell())
    assert isinstance(_env.ipython_shell(), TerminalShell)
    assert _env.jupyter_kernel() is None and not _env.in_kernel()
    fake_ipython(monkeypatch, None)
    assert _env.ipython_shell() is None and not _env.in_kernel()
    monkeypatch.delitem(sys.modules, "IPython")  # never imported: never a notebook
    assert _env.ipython_shell() is None and not _env.in_kernel()
    assert "IPython" not in sys.modules  # ... and asking does not import it
    former = ("_jupyter_kernel", "_in_kernel", "_ipython")  # one implementation now
    for module in (train, lrbook.explore, lrbook.exercises):
        assert not any(name in vars(module) for name in former)


def test_history_plot_is_labelled(mnist):
    fig = run(mnist, lrbook.cosine_annealing(0.1, t_max=20)).plot()
    labels = [ax.get_xlabel() + " | " + ax.get_ylabel() for ax in fig.axes]
    assert "update $t$ (optimizer steps) | learning rate $\\alpha_t$" in labels
    assert any("nats" in s for s in labels) and any("%" in s for s in labels)
    # Drawn entirely in the book's style: titles on the left, legends in the style's
    # box (white, 85 % opaque, no edge: a curve under a legend does not cross its text).
    titled = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert titled and not any(ax.get_title(loc="center") for ax in fig.axes)
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    assert legends
    for legend in legends:
        frame = legend.get_frame()
        assert legend.get_frame_on() and frame.get_alpha() == pytest.approx(0.85)
        assert frame.get_edgecolor()[3] == 0.0  # edgecolor "none"


# ------------------------------------------------------------- lr_range_test, compare


def test_lr_range_test_smoke(mnist):
    r = lr_range_test(
        data=mnist, num_updates=60, start_lr=1e-4, end_lr=1.0, progress=False
    )
    assert r.lr[0] == pytest.approx(1e-4) and r.lr.size <= 60
    ratios = r.lr[1:] / r.lr[:-1]
    np.testing.assert_allclose(ratios, (1e4) ** (1 / 59), rtol=1e-9)  # exponential
    # smoothed without lag: the forward-backward average of the losses
    np.testing.assert_array_equal(
        r.smoothed_loss, lr_range.zero_lag_average(r.loss, 0.9)
    )
    lo, hi = r.suggested_range
    assert 1e-4 <= lo <= hi <= 1.0
    assert r.lr_min_loss == r.lr[np.nanargmin(r.smoothed_loss)]
    assert "suggested_range" in repr(r)
    assert r.plot().axes[0].get_xscale() == "log"


def _causal_average(values, beta):
    m, out = 0.0, []
    for t, v in enumerate(values):
        m = beta * m + (1 - beta) * v
        out.append(m / (1 - beta ** (t + 1)))
    return np.array(out)


def test_range_test_suggestion_does_not_trail_the_raw_curve():
    """A loss curve whose steepest descent is known (at 10**-2.5): read off the
    zero-lag average, the suggestion lands there; read off fastai's causal average
    (beta 0.98, 50 updates per decade), it trails by almost half a decade."""
    lr = np.logspace(-5, 0, 250)
    x = np.log10(lr)
    rng = np.random.default_rng(0)
    loss = 2.3 - 2.0 / (1 + np.exp(-(x + 2.5) / 0.3)) + 0.05 * rng.standard_normal(250)
    steep, _ = lr_range._suggest(lr, lr_range.zero_lag_average(loss, 0.9))
    assert abs(np.log10(steep) + 2.5) < 0.15
    lagged, _ = lr_range._suggest(lr, _causal_average(loss, 0.98))
    assert np.log10(lagged) + 2.5 > 0.3  # the bias the zero-lag average removes


def test_zero_lag_average_is_centred_and_keeps_an_explosion_infinite():
    ramp = np.arange(100.0)
    smooth = lr_range.zero_lag_average(ramp, 0.9)
    np.testing.assert_allclose(smooth[40:60], ramp[40:60], atol=1.0)  # lag < 1
    assert (_causal_average(ramp, 0.9)[40:60] < ramp[40:60] - 8).all()  # lags ~9
    out = lr_range.zero_lag_average(np.array([1.0, 2.0, np.nan]), 0.5)
    assert np.isfinite(out[:2]).all() and out[2] == np.inf


def test_lr_range_test_stops_when_the_loss_explodes(mnist):
    r = lr_range_test(data=mnist, num_updates=100, end_lr=1e4, progress=False)
    assert r.stopped_early and r.lr.size < 100
    assert "stopped at update" in r.message
    last = r.smoothed_loss[-1]
    assert not math.isfinite(last) or last > 4 * np.nanmin(r.smoothed_loss[:-1])
    with pytest.raises(ValueError, match="end_lr must be greater than start_lr"):
        lr_range_test(data=mnist, start_lr=0.1, end_lr=0.01)


def test_lr_range_test_gathers_minibatches_as_before(mnist):
    """One index_select per minibatch (as fit) gives the very numbers of the former
    whole-pass copy ``x_train[perm]``: the same examples, in the same order."""
    kw = dict(num_updates=30, batch_size=96, start_lr=1e-3, end_lr=0.5, seed=3)
    r = lr_range_test(data=mnist, device="cpu", progress=False, validation=0, **kw)
    assert not r.stopped_early and r.lr.size == 30  # 5 passes of 6 full batches
    dev = torch.device("cpu")
    x_train, y_train, *_ = context.prepare_tensors(mnist, None, None, dev)
    n, b, t_max = x_train.shape[0], kw["batch_size"], kw["num_updates"]
    net, _ = build_model("mlp", kw["seed"])
    lrs = kw["start_lr"] * (kw["end_lr"] / kw["start_lr"]) ** (
        np.arange(t_max) / (t_max - 1)
    )
    opt = driver.make_optimizer("sgd", net.parameters(), lrs[0], None, 0.0)
    gen = torch.Generator().manual_seed(kw["seed"])
    losses, pos = [], n
    with context.deterministic_run(dev, 1, kw["seed"]):
        for t in range(t_max):
            if pos + b > n:
                perm = torch.randperm(n, generator=gen)
                xs, ys, pos = x_train[perm], y_train[perm], 0  # the former copy
            xb, yb = xs[pos : pos + b], ys[pos : pos + b]
            pos += b
            for g in opt.param_groups:
                g["lr"] = float(lrs[t])
            loss = torch.nn.functional.cross_entropy(net(xb), yb)
            losses.append(loss.item())
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    np.testing.assert_array_equal(r.loss, losses)  # bit for bit


def test_compare_smoke(mnist):
    small = mnist.subset(n_train=256, n_test=100)
    c = compare(
        {
            "constant": 0.05,
            "cosine": lrbook.cosine_annealing(0.05, t_max=8),
            "constant again": lrbook.constant(0.05),
            "too big": 1e6,
        },
        seeds=(0, 1),
        epochs=2,
        data=small,
        progress=False,
    )
    rows = {r["schedule"]: r for r in c.table}
    assert list(rows) == ["constant", "cosine", "constant again", "too big"]
    assert rows["constant"]["runs"] == 2 and rows["constant"]["diverged"] == 0
    for name in ("constant", "cosine"):
        assert 0 <= rows[name]["test_accuracy_mean"] <= 1
        assert rows[name]["test_accuracy_std"] >= 0
        assert rows[name]["test_loss_mean"] > 0
    # Same budget, same seeds: the same schedule gives the same numbers.
    same_cols = ("test_accuracy_mean", "test_accuracy_std", "test_loss_mean")
    assert all(rows["constant"][k] == rows["constant again"][k] for k in same_cols)
    assert rows["too big"]["diverged"] == 2
    assert math.isnan(rows["too big"]["test_accuracy_mean"])
    seeds_used = [h.config["seed"] for h in c.histories["cosine"]]
    assert seeds_used == [0, 1]
    text = str(c)
    assert "constant" in text and "±" in text and "diverged" in text
    assert '<table class="lrbook-table">' in c._repr_html_()
    assert len(c.plot().axes) == 3


def test_compare_checks_its_arguments(mnist):
    with pytest.raises(ValueError, match="at least one schedule"):
        compare({}, data=mnist)
    with pytest.raises(ValueError, match="seeds must be distinct"):
        compare({"a": 0.1}, seeds=(1, 1), data=mnist)
    with pytest.raises(TypeError, match="fresh network"):
        compare({"a": 0.1}, model=train.mlp(), data=mnist)
    with pytest.raises(TypeError, match="use compare's own parameter"):
        compare({"a": 0.1}, seed=3, data=mnist)


# ------------------------------------------- the public helpers outside fit's loop


def test_initial_model_is_where_fit_starts_and_leaves_the_random_state(mnist):
    before = torch.get_rng_state()
    net = train.initial_model("mlp", seed=5)
    assert torch.equal(before, torch.get_rng_state())
    given = fit(
        0.05, data=mnist, model=net, seed=5, epochs=1, progress=False, validation=0
    )
    named = fit(0.05, data=mnist, seed=5, epochs=1, progress=False, validation=0)
    assert np.array_equal(given.loss, named.loss)
    other = train.initial_model("mlp", seed=6)
    assert not torch.equal(other[1].weight, train.initial_model("mlp", 5)[1].weight)
    assert isinstance(train.initial_model(train.cnn, 0)[0], torch.nn.Conv2d)
    with pytest.raises(ValueError, match="model must be one of"):
        train.initial_model("resnet")
    with pytest.raises(TypeError, match="a network given as it is"):
        train.initial_model(torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        train.initial_model("mlp", -1)


def test_data_tensors_and_evaluate_measure_as_fit_does(mnist):
    t = train.data_tensors(mnist)
    assert isinstance(t, train.Tensors)
    assert t.x_train.dtype == torch.float32 and t.y_train.dtype == torch.int64
    assert t.x_train.shape[1:] == (1, 28, 28)
    assert t.x_train.shape[0] + t.x_val.shape[0] == 640 and t.x_test.shape[0] == 200
    expected = (mnist.test_images[:3] / 255.0 - train.MNIST_MEAN) / train.MNIST_STD
    np.testing.assert_allclose(t.x_test[:3, 0].numpy(), expected, rtol=1e-6)
    net = train.initial_model("mlp", seed=1)
    h = fit(0.05, data=mnist, model=net, seed=1, epochs=1, progress=False)
    assert train.evaluate(net, t.x_val, t.y_val) == (
        h.final_val_loss,
        h.final_val_accuracy,
    )
    assert train.evaluate(net, t.x_test, t.y_test) == (
        h.final_test_loss,
        h.final_test_accuracy,
    )
    none = train.data_tensors(mnist, validation=0)
    assert none.x_val is None and none.x_train.shape[0] == 640
    with pytest.raises(TypeError, match="data must be an lrbook.data.MNIST"):
        train.data_tensors("mnist")
    with pytest.raises(ValueError, match="device must be"):
        train.data_tensors(mnist, device="tpu")
