"""The networks of the book's experiments, and building one from ``fit``'s argument."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from .. import _checks as check

#: Mean and standard deviation of MNIST's training pixels (in [0, 1]), used to
#: normalise the images.
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def mlp(hidden: int = 128) -> nn.Sequential:
    """A one-hidden-layer perceptron for 28x28 images: 784 -> ``hidden`` -> 10.

    Args:
        hidden: width of the hidden layer (integer >= 1).

    Returns:
        ``nn.Sequential(Flatten, Linear(784, hidden), ReLU, Linear(hidden, 10))``.

    Examples:
        >>> sum(p.numel() for p in mlp().parameters())
        101770
    """
    hidden = check.integer("hidden", hidden, minimum=1)
    return nn.Sequential(
        nn.Flatten(), nn.Linear(28 * 28, hidden), nn.ReLU(), nn.Linear(hidden, 10)
    )


def cnn() -> nn.Sequential:
    """A small convolutional network for 28x28 images (two 3x3 convolutions).

    Returns:
        conv(1->8) - ReLU - maxpool - conv(8->16) - ReLU - maxpool - Linear(784, 10).

    Examples:
        >>> sum(p.numel() for p in cnn().parameters())
        9098
    """
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 7 * 7, 10),
    )


#: The networks known by name: ``model="mlp"`` or ``model="cnn"``.
MODELS: dict[str, Callable[[], nn.Module]] = {"mlp": mlp, "cnn": cnn}


def initial_model(model="mlp", seed: int = 0) -> nn.Module:
    """The network a run of :func:`~lrbook.train.fit` (``lr_range_test``, ``compare``)
    with ``model`` and ``seed`` starts from: the same initial weights, built without
    touching the caller's random state. Use it to train the book's network with an
    optimizer ``fit`` does not build (``fit(..., model=net, optimizer=opt)``), paired
    with ``fit``'s own runs of the same seed.

    Args:
        model: ``"mlp"`` (:func:`mlp`), ``"cnn"`` (:func:`cnn`), or a function
            returning a fresh ``nn.Module`` (called under ``torch.manual_seed(seed)``).
        seed: the seed of the initialisation (an integer >= 0).

    Returns:
        A new ``nn.Module``.

    Raises:
        ValueError: an unknown model name, or a negative seed.
        TypeError: ``model`` is neither a name nor a function, ``model()`` does not
            return an ``nn.Module``, or ``seed`` is not an integer.

    Examples:
        >>> import torch
        >>> a, b = initial_model("mlp", seed=3), initial_model("mlp", seed=3)
        >>> all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
        True
    """
    if isinstance(model, nn.Module):
        raise TypeError(
            "model must be 'mlp', 'cnn' or a function returning an nn.Module (a "
            "network given as it is has its weights already), got an nn.Module"
        )
    seed = check.integer("seed", seed, minimum=0)
    return build_model(model, seed)[0]


def build_model(model, seed: int) -> tuple[nn.Module, str]:
    """The network, initialised under ``seed``, and a short description of it.

    Args:
        model: a name of :data:`MODELS`, a function returning a fresh ``nn.Module``
            (called under ``torch.manual_seed(seed)``, the caller's random state left
            untouched), or an ``nn.Module`` (returned as it is).
        seed: the seed of the initialisation.

    Returns:
        ``(network, description)``.
    """
    if isinstance(model, nn.Module):
        return model, type(model).__name__ + " (given)"
    if isinstance(model, str):
        if model not in MODELS:
            raise ValueError(
                f"model must be one of 'mlp', 'cnn', an nn.Module or a "
                f"function returning one, got {model!r}"
            )
        factory, name = MODELS[model], model
    elif callable(model):
        factory, name = model, getattr(model, "__name__", repr(model))
    else:
        raise TypeError(
            f"model must be 'mlp', 'cnn', an nn.Module or a function "
            f"returning one, got {model!r} ({type(model).__name__})"
        )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = factory()
    if not isinstance(net, nn.Module):
        raise TypeError(f"model() must return an nn.Module, got {type(net).__name__}")
    return net, name
