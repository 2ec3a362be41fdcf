"""Benchmark: lrbook.train.fit against hand-written PyTorch training loops.

Prints, for the same data (the 5,000-image MNIST subset: 4,000 training images), the
same network, optimizer and batch size, and the same number of CPU threads:

* the training throughput (images per second) of ``fit``, of a tight hand-written loop
  over pre-loaded tensors, and of a textbook ``DataLoader(TensorDataset(...),
  shuffle=True)`` loop, and the ratios fit/tight loop (goal >= 0.9) and fit/DataLoader
  (goal >= 1.5);
* the wall time of one epoch of ``fit`` over the subset (training on the 4,000 images,
  then evaluating on the 1,000 test images).

``fit`` runs with a real schedule (cosine annealing, stepped after every update), so its
bookkeeping (learning rate and loss of every update, NaN check, scheduler, accuracy) is
included; the hand-written loops do none of it. The methods take turns for several
rounds and the median of each is reported, which evens out other programs competing for
the CPU. No test asserts these figures.

Each measurement is made with one CPU thread (``fit``'s default) and with PyTorch's
default number of threads, every method using the same number.

Usage: ``python bench/train.py [--rounds 5] [--epochs 3] [--threads 1 2] [--model mlp]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

import lrbook
from lrbook import train
from lrbook.data import book_slice
from lrbook.train import context, models


def tight_loop(x, y, model, epochs, batch_size, seed):
    """The fastest obvious loop: index slices of a random permutation, no extras."""
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    gen = torch.Generator().manual_seed(seed)
    n = x.shape[0]
    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(n, generator=gen)
        for i in range(0, n, batch_size):
            idx = perm[i : i + batch_size]
            opt.zero_grad()
            loss = F.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
    return epochs * n / (time.perf_counter() - start)


def dataloader_loop(x, y, model, epochs, batch_size, seed):
    """The textbook loop: DataLoader(TensorDataset(...), shuffle=True)."""
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loader = DataLoader(
        TensorDataset(x, y),
        batch_size=batch_size,
        shuffle=True,
        generator=torch.Generator().manual_seed(seed),
    )
    start = time.perf_counter()
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
    return epochs * x.shape[0] / (time.perf_counter() - start)


def measure(data, x, y, args, threads: int) -> dict:
    """Median images/s of each method, all on ``threads`` CPU threads."""
    torch.set_num_threads(threads)
    make = models.MODELS[args.model]
    n_train = x.shape[0]
    total_updates = args.epochs * -(-n_train // args.batch_size)
    schedule = lrbook.cosine_annealing(0.05, t_max=total_updates)
    results = {"tight": [], "loader": [], "fit": [], "fit_call": []}
    for r in range(args.rounds):
        torch.manual_seed(r)
        results["tight"].append(
            tight_loop(x, y, make(), args.epochs, args.batch_size, r)
        )
        torch.manual_seed(r)
        results["loader"].append(
            dataloader_loop(x, y, make(), args.epochs, args.batch_size, r)
        )
        start = time.perf_counter()
        h = train.fit(
            schedule,
            data=data,
            model=args.model,
            epochs=args.epochs,
            batch_size=args.batch_size,
            seed=r,
            device="cpu",
            num_threads=threads,
            progress=False,
        )
        call_s = time.perf_counter() - start
        results["fit"].append(args.epochs * n_train / h.train_seconds)
        results["fit_call"].append(args.epochs * n_train / call_s)
    return {k: statistics.median(v) for k, v in results.items()}


def report(med: dict, label: str) -> None:
    print(f"[{label}]")
    print(f"  tight loop (pre-loaded tensors):      {med['tight']:>10,.0f} images/s")
    print(f"  DataLoader(TensorDataset) loop:       {med['loader']:>10,.0f} images/s")
    print(f"  fit, training:                        {med['fit']:>10,.0f} images/s")
    print(f"  fit, whole call (with test-set eval): {med['fit_call']:>10,.0f} images/s")
    print(
        f"fit/tight-loop throughput ratio: {med['fit'] / med['tight']:.2f} "
        f"(goal >= 0.9) [{label}]"
    )
    print(
        f"fit/DataLoader throughput ratio: {med['fit'] / med['loader']:.2f} "
        f"(goal >= 1.5) [{label}]"
    )
    whole = med["fit_call"]
    print(
        f"  (whole fit call, evaluation included: {whole / med['tight']:.2f} of the "
        f"tight loop, {whole / med['loader']:.2f} x the DataLoader loop)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument(
        "--threads",
        type=int,
        nargs="*",
        default=None,
        help="thread counts to measure (default: 1, fit's default, "
        "and PyTorch's default if different)",
    )
    parser.add_argument("--model", choices=("mlp", "cnn"), default="mlp")
    args = parser.parse_args()
    torch_default = torch.get_num_threads()
    threads = args.threads or sorted({1, torch_default})

    start = time.perf_counter()
    # fit holds out a validation split; the loops train on exactly fit's images.
    data = context.resolve_data(book_slice())
    load_s = time.perf_counter() - start
    x, y, *_ = context.prepare_tensors(data, None, None, torch.device("cpu"))
    n_train = x.shape[0]
    print(
        f"bench/train.py: torch {torch.__version__}, CPU; data {data.source} "
        f"({n_train:,} train / {data.n_test:,} test images); model {args.model}, "
        f"SGD momentum 0.9, batch {args.batch_size}; {args.epochs} epochs per "
        f"measurement, {args.rounds} rounds, medians; every method on the same "
        f"number of threads"
    )
    for k in threads:
        label = f"{k} thread{'s' if k > 1 else ''}"
        if k == 1:
            label += ", fit's default"
        if k == torch_default:
            label += ", PyTorch's default here"
        report(measure(data, x, y, args, k), label)

    # One epoch from scratch with fit's defaults: preparing the tensors, building the
    # network, training on the 4,000 images and evaluating on the 1,000 test images.
    times = []
    for r in range(args.rounds):
        context.clear_tensor_cache()
        start = time.perf_counter()
        train.fit(
            0.05,
            data=data,
            model=args.model,
            epochs=1,
            batch_size=args.batch_size,
            seed=r,
            device="cpu",
            progress=False,
        )
        times.append(time.perf_counter() - start)
    torch.set_num_threads(torch_default)
    print(
        f"one epoch over the 5,000-image subset (fit with its defaults, {n_train:,} "
        f"train + {data.n_test:,} test images): {statistics.median(times):.3f} s "
        f"wall (plus {load_s:.3f} s to read the subset)"
    )
    # The very first fit of a fresh Python process also pays PyTorch's one-time setup
    # (creating the first optimizer imports torch._dynamo).
    code = (
        "import time; from lrbook.train import fit; "
        "from lrbook.data import book_slice; d = book_slice(); "
        "s = time.perf_counter(); fit(0.05, data=d, epochs=1, progress=False); "
        "print(time.perf_counter() - s)"
    )
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=str(root))
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    print(
        f"  (the same epoch as the first fit call in a fresh process: "
        f"{float(out.split()[-1]):.2f} s wall, PyTorch's one-time setup included)"
    )


if __name__ == "__main__":
    main()
