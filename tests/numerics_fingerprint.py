"""Print the fingerprints of three short trainings as JSON (run by test_numerics.py in
subprocesses that simulate other processors)."""

import hashlib
import json
import sys
import warnings


def main() -> None:
    if "--torch-first" in sys.argv:  # torch computes before lrbook is imported
        import torch

        torch.ones(8, 8) @ torch.ones(8, 8)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import lrbook
        import lrbook.train  # noqa: F401

    def digest(*histories) -> str:
        h = hashlib.sha256()
        for run in histories:
            for name in ("lr", "loss", "val_loss", "val_accuracy", "test_loss"):
                h.update(getattr(run, name).astype("float64").tobytes())
        return h.hexdigest()[:16]

    mlp = lrbook.fit(0.1, epochs=1, n_train=1280, progress=False)
    comparison = lrbook.compare(
        {"constant": 0.1, "cosine": lrbook.cosine_annealing(0.1, t_max=20)},
        seeds=(0, 1),
        epochs=1,
        n_train=640,
        progress=False,
    )
    cnn = lrbook.fit(0.05, model="cnn", epochs=1, n_train=640, progress=False)
    print(
        json.dumps(
            {
                "mlp": digest(mlp),
                "compare": digest(
                    *[h for runs in comparison.histories.values() for h in runs]
                ),
                "cnn": digest(cnn),
                "status": lrbook.numerics.status(),
                "warnings": [str(w.message) for w in caught],
            }
        )
    )


if __name__ == "__main__":
    main()
