r"""Hand-made metric sequences for studying reduce-on-plateau without training.

Each sequence is a made-up validation loss over a number of epochs (lower is better),
shaped to show one behaviour of :class:`~lrbook.schedules.plateau.ReduceLROnPlateau`:

* ``"smooth"``: :math:`M_e = 0.3 + 0.9\,\mathrm{e}^{-e/6}`, an ever-improving loss
  whose relative improvements shrink below any threshold :math:`\delta > 0`;
* ``"noisy"``: the smooth curve plus fixed pseudo-random noise of standard deviation
  0.03 (seed 4), so that single epochs go up by chance;
* ``"plateau"``: a fast fall, then a flat stretch of exactly equal values (equal is not
  an improvement), then improvements of 0.05 % per epoch, which only a threshold below
  that counts;
* ``"spike"``: the smooth curve with a two-epoch upward spike (a bad epoch by chance);
* ``"dip"``: the smooth curve with one lucky epoch far below it, which sets a best that
  the following epochs cannot beat.

The metrics do not respond to the learning rate, as a real validation loss would: the
sequences isolate the rule that turns metrics into cuts.
"""

from __future__ import annotations

import numpy as np

from ... import _checks as check

__all__ = ["SEQUENCES", "metric_sequence"]

#: The names :func:`metric_sequence` accepts, in the order an explorer offers them.
SEQUENCES = ("smooth", "noisy", "plateau", "spike", "dip")


def metric_sequence(name: str = "smooth", epochs: int = 40) -> np.ndarray:
    r"""A hand-made validation-loss sequence :math:`m_1, \dots, m_E` (float64).

    Args:
        name: one of :data:`SEQUENCES` (described in the module docstring).
        epochs: the number of epochs :math:`E`, an integer from 20 to 200 (the
            features of ``"plateau"``, ``"spike"`` and ``"dip"`` sit in the first 20).

    Returns:
        The metric of epochs 1 to ``epochs``, positive, float64.

    Raises:
        ValueError: an unknown name, or ``epochs`` out of range.
        TypeError: ``epochs`` not an integer.

    Examples:
        >>> m = metric_sequence("smooth", epochs=20)
        >>> m.shape, round(float(m[0]), 4)
        ((20,), 1.0618)
        >>> bool(np.all(np.diff(m) < 0))
        True
        >>> p = metric_sequence("plateau")
        >>> bool(p[9] == p[10] == p[11])
        True

    PyTorch equivalent: none; feed the values to ``scheduler.step(m)`` one by one.
    """
    name = check.choice("name", name, SEQUENCES)
    epochs = check.integer("epochs", epochs, minimum=20)
    if epochs > 200:
        raise ValueError(f"epochs must be an integer from 20 to 200, got {epochs}")
    k = np.arange(1, epochs + 1, dtype=np.float64)
    smooth = 0.3 + 0.9 * np.exp(-k / 6.0)
    if name == "smooth":
        return smooth
    if name == "noisy":
        noise = np.random.default_rng(4).normal(0.0, 0.03, size=epochs)
        return smooth + noise
    if name == "spike":
        out = smooth.copy()
        out[[9, 10]] += (0.25, 0.12)
        return out
    if name == "dip":
        out = smooth.copy()
        out[7] -= 0.2
        return out
    return _plateau(k)


def _plateau(k: np.ndarray) -> np.ndarray:
    """The ``"plateau"`` sequence: fall to epoch 9, flat to 14, then 0.05 % a step."""
    fall = 0.4 + 0.8 * np.exp(-k / 3.0)
    level = float(fall[8])
    out = np.where(k <= 9, fall, level)
    late = k > 14
    out[late] = level * 0.9995 ** (k[late] - 14)
    return out
