"""Where lrbook is running: an IPython shell, a Jupyter kernel, or plain Python.

The one place that answers "are we in a notebook?" for the package: progress bars
(:mod:`lrbook.train`), the explorers' live widgets (:mod:`lrbook.explore`) and the
exercise checkers' display (:mod:`lrbook.exercises`). Imports nothing: IPython is only
looked up if something has already imported it (no shell runs without it).

Examples:
    >>> from lrbook import _env
    >>> _env.ipython_shell() is None or hasattr(_env.ipython_shell(), "user_ns")
    True
    >>> isinstance(_env.in_kernel(), bool)
    True
"""

from __future__ import annotations

import sys


def ipython_shell():
    """The running IPython shell (a Jupyter kernel's or terminal IPython), or None."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    return None if get is None else get()


def jupyter_kernel():
    """The running Jupyter kernel object (ipykernel's ``Kernel``), or None outside one.

    Terminal IPython has a shell but no kernel; so has plain Python (neither).
    """
    return getattr(ipython_shell(), "kernel", None)


def in_kernel() -> bool:
    """Whether the code runs in a Jupyter kernel (a notebook, VS Code, Colab...)."""
    return jupyter_kernel() is not None
