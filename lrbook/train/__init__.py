r"""Train small networks on MNIST with a learning-rate schedule, fast and reproducibly.

Three entry points, used by every chapter's experiment:

* :func:`fit` trains a small network (an MLP by default, or a small CNN) with an lrbook
  schedule, a :class:`~lrbook.ReduceLROnPlateau` or a PyTorch scheduler, and returns a
  :class:`History` of the learning rate and loss at every update.
* :func:`lr_range_test` sweeps the learning rate exponentially over a few hundred
  updates (Smith, 2017; fastai's ``lr_find``) and suggests a range.
* :func:`compare` runs several schedules over several seeds under the same budget and
  reports the mean and spread of the final test accuracy and loss; its
  :meth:`Comparison.explorer` draws every run.

Smaller public helpers, for experiments that step outside ``fit``:
:func:`initial_model` (the network a run starts from), :func:`data_tensors` (the images
as ``fit`` trains on them) and :func:`evaluate` (a network's loss and accuracy, as
``fit`` measures them). :func:`start_workers` starts the worker processes of
``compare`` and ``tournament`` ahead of time, in the background.

The modules, in the order a run uses them: :mod:`~lrbook.train.models` (the
networks), :mod:`~lrbook.train.context` (device, data tensors, reproducibility,
progress bars), :mod:`~lrbook.train.driver` (the optimizer and the schedule that sets
its rate), :mod:`~lrbook.train.loop` (the one minibatch loop of ``fit`` and
``lr_range_test``), then one module per entry point (``fitting``, ``range_test``,
``comparison``) and the training-curve explorer of a comparison
(:mod:`~lrbook.train.explorer`).

How it stays fast: the images are normalised once into one float tensor on the device;
each epoch draws a random permutation of the examples, and each minibatch is gathered
with one ``index_select`` by a slice of it (no ``DataLoader``, no per-example Python).
The optimizers use PyTorch's fused implementations, the loss of every update is read
without waiting (on the CPU it is already computed; on a GPU losses are collected and
read every few dozen updates), and the progress bar is updated cheaply.

How it stays reproducible: the network is initialised under
``torch.manual_seed(seed)`` (inside ``torch.random.fork_rng``, so the caller's global
random state is untouched), the order of the examples comes from a ``torch.Generator``
seeded with ``seed``, and on the CPU ``torch.use_deterministic_algorithms(True)`` is in
force during training. PyTorch runs on **one CPU thread** by default here
(``torch.set_num_threads(1)`` for the duration of the call, then restored): the result
of a matrix product can depend on how it is split between threads, so a fixed count
makes a run reproducible on machines with different numbers of cores; and for networks
this small, extra threads help little when the machine is idle (about 1.3 times faster
with two threads) but slow training down tens of times when other programs compete for
the cores (each thread waits for the others at every operation). Two runs with the same
arguments give bit-identical histories on the same kind of CPU with the same PyTorch
version; the settings are recorded in ``History.config``. Across processors the
arithmetic is pinned by :mod:`lrbook.numerics` (set up by ``import lrbook``; importing
this package checks it took effect and switches oneDNN's convolutions off), so the
histories are bit-identical on every x86-64 CPU with the book's PyTorch.
"""

from .. import numerics as _numerics

_numerics.pin()  # a no-op after import lrbook (which runs first); kept for clarity
_numerics.check()
_numerics.disable_onednn()

from .comparison import Comparison, compare  # noqa: E402
from .context import Tensors, data_tensors  # noqa: E402
from .fitting import History, fit  # noqa: E402
from .loop import evaluate  # noqa: E402
from .lr_range import LRRangeTest, lr_range_test  # noqa: E402
from .models import MNIST_MEAN, MNIST_STD, cnn, initial_model, mlp  # noqa: E402
from .parallel import start_workers  # noqa: E402
from .tournament import Tournament, tournament  # noqa: E402

__all__ = [
    "History",
    "LRRangeTest",
    "Comparison",
    "fit",
    "lr_range_test",
    "compare",
    "tournament",
    "start_workers",
    "Tournament",
    "mlp",
    "cnn",
    "initial_model",
    "data_tensors",
    "Tensors",
    "evaluate",
    "MNIST_MEAN",
    "MNIST_STD",
]
