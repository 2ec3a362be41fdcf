"""Print the fingerprints of three short trainings and of NumPy's matrix arithmetic as
JSON (run by test_numerics.py in subprocesses that simulate other processors).

``--torch-first``: torch computes before lrbook is imported; ``--blas-only``: only the
NumPy/SciPy/scikit-learn fingerprint (``blas``), no PyTorch training."""

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

    result = {}
    if "--blas-only" not in sys.argv:
        mlp = lrbook.fit(0.1, epochs=1, n_train=1280, progress=False)
        comparison = lrbook.compare(
            {"constant": 0.1, "cosine": lrbook.cosine_annealing(0.1, t_max=20)},
            seeds=(0, 1),
            epochs=1,
            n_train=640,
            progress=False,
        )
        cnn = lrbook.fit(0.05, model="cnn", epochs=1, n_train=640, progress=False)
        result = {
            "mlp": digest(mlp),
            "compare": digest(
                *[h for runs in comparison.histories.values() for h in runs]
            ),
            "cnn": digest(cnn),
        }
    result["blas"] = blas_digest(lrbook.book_mnist())
    result["status"] = lrbook.numerics.status()
    result["warnings"] = [str(w.message) for w in caught]
    print(json.dumps(result))


def blas_digest(data) -> str:
    """NumPy's and SciPy's matrix arithmetic (OpenBLAS), on one thread: a product, a
    solve, and one epoch of scikit-learn's MLPClassifier on 640 of the book's images
    (chapter 4 quotes such a network's losses)."""
    import numpy as np
    import scipy.linalg
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    h = hashlib.sha256()
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((64, 784)), rng.standard_normal((784, 128))
    square = rng.standard_normal((200, 200))
    x = data.train_images[:640].reshape(640, -1).astype(np.float64) / 255
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning after one epoch
        h.update((a @ b).tobytes())
        h.update(scipy.linalg.solve(square @ square.T + 200 * np.eye(200), a[0, :200]))
        net = MLPClassifier(
            hidden_layer_sizes=(32,),
            solver="sgd",
            batch_size=64,
            learning_rate_init=0.1,
            random_state=0,
            max_iter=1,
        )
        net.partial_fit(x, data.train_labels[:640], classes=np.arange(10))
    for w in net.coefs_:
        h.update(w.tobytes())
    return h.hexdigest()[:16]


if __name__ == "__main__":
    main()
