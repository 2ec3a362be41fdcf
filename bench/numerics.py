"""What pinned arithmetic costs: training time with lrbook's pinned numerics against
PyTorch's native, per-processor kernels, for the MLP and the CNN.

Each measurement is a fresh process (the settings are read when PyTorch first
computes), run alternately pinned / native, ``--rounds`` times; the ratio compares the
fastest of each (native time / pinned time: 1.0 means free, the goal is >= 0.9).

    .venv/bin/python bench/numerics.py         # 3 rounds, MLP 3 epochs, CNN 1 epoch
    .venv/bin/python bench/numerics.py --rounds 1 --small
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

CHILD = r"""
import json, sys, time
import lrbook, lrbook.train
model, epochs, n_train = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lrbook.fit(0.05, model=model, epochs=1, n_train=256, progress=False)  # warm-up
start = time.perf_counter()
h = lrbook.fit(0.05, model=model, epochs=epochs, n_train=n_train, progress=False)
print(json.dumps({"seconds": time.perf_counter() - start,
                  "status": lrbook.numerics.status()}))
"""


def measure(native: bool, model: str, epochs: int, n_train: int) -> tuple[float, str]:
    env = dict(os.environ)
    env.pop("LRBOOK_NATIVE_NUMERICS", None)
    if native:
        env["LRBOOK_NATIVE_NUMERICS"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", CHILD, model, str(epochs), str(n_train)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return data["seconds"], data["status"]["aten_capability"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternations (>= 1)")
    parser.add_argument("--small", action="store_true", help="tiny runs (smoke test)")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error(f"--rounds must be >= 1, got {args.rounds}")
    cases = {
        "mlp": (1, 640) if args.small else (3, 3200),
        "cnn": (1, 256) if args.small else (1, 3200),
    }
    print(f"{'model':6s} {'pinned (s)':>11s} {'native (s)':>11s}  ratio  kernels")
    for model, (epochs, n_train) in cases.items():
        pinned, native, kernels = [], [], ""
        for _ in range(args.rounds):
            pinned.append(measure(False, model, epochs, n_train)[0])
            seconds, kernels = measure(True, model, epochs, n_train)
            native.append(seconds)
        ratio = min(native) / min(pinned)
        print(
            f"{model:6s} {min(pinned):11.3f} {min(native):11.3f}  {ratio:5.2f}  "
            f"pinned DEFAULT vs native {kernels} (goal >= 0.90)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
