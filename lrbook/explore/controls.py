"""Controls of an explorer: sliders, dropdowns and toggles over finite lists of values.

Every control has a *finite* list of values, so that the web version can embed the data
of every combination of them (at most :data:`MAX_FRAMES`).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

#: Largest number of control-value combinations an explorer may have.
MAX_FRAMES = 4096

#: Shown next to a control that changes nothing in the current state, unless the
#: control gives its own reason (``idle=``).
IDLE_REASON = "no effect with the other settings as they are"

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


@dataclass(frozen=True)
class Control:
    """One control of an explorer: a finite list of values, one of them selected.

    Made by :func:`slider`, :func:`dropdown` or :func:`toggle`.

    Attributes:
        name: the keyword under which the value is passed to ``compute``.
        kind: ``"slider"``, ``"dropdown"`` or ``"toggle"``.
        values: the values, in order.
        labels: how each value is shown to the reader.
        index: the index of the value selected at first.
        label: the control's label (may contain ``$...$`` TeX, as axis labels).
        idle: what the reader is told when moving the control would change nothing
            with the other controls as they are (the control is then shown disabled);
            ``""`` for the generic reason, :data:`IDLE_REASON`.
    """

    name: str
    kind: str
    values: tuple
    labels: tuple
    index: int
    label: str
    idle: str = ""

    @property
    def idle_reason(self) -> str:
        """The reason shown next to the control while it has no effect."""
        return self.idle or IDLE_REASON

    @property
    def default(self):
        """The value selected at first."""
        return self.values[self.index]

    def index_of(self, value) -> int:
        """The index of ``value`` in :attr:`values` (ValueError naming the control)."""
        for i, v in enumerate(self.values):
            if _same_value(v, value):
                return i
        shown = ", ".join(self.labels)
        raise ValueError(
            f"{self.name} must be one of the values of its {self.kind}"
            f" ({shown}), got {value!r}"
        )


def _same_value(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, numbers.Real) and isinstance(b, numbers.Real):
        return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)
    return a == b


def _python_scalar(value):
    """A NumPy scalar as the matching Python scalar; anything else unchanged."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def _check_name(kind: str, name) -> str:
    if not isinstance(name, str):
        raise TypeError(
            f"the name of a {kind} must be a str (a Python identifier), got "
            f"{type(name).__name__} {name!r}"
        )
    if not _IDENTIFIER.match(name):
        raise ValueError(
            f"the name of a {kind} must be a Python identifier, got {name!r}"
        )
    return name


def _check_idle(kind: str, name: str, idle) -> str:
    if idle is None:
        return ""
    if not isinstance(idle, str):
        raise TypeError(
            f"idle of {kind} {name!r} must be a str (why the control can have no "
            f"effect) or None, got {type(idle).__name__} {idle!r}"
        )
    return idle.strip()


def _format_number(v) -> str:
    if isinstance(v, numbers.Integral):
        return str(int(v))
    return f"{float(v):.6g}"


def _default_index(name: str, kind: str, values: tuple, labels: tuple, default) -> int:
    if default is None:
        return (len(values) - 1) // 2
    for i, v in enumerate(values):
        if _same_value(v, default):
            return i
    raise ValueError(
        f"the default of {kind} {name!r} must be one of its values "
        f"({', '.join(labels)}), got {default!r}"
    )


def slider(
    name: str,
    values: Sequence,
    default=None,
    *,
    label: str | None = None,
    fmt: str | Callable | None = None,
    idle: str | None = None,
) -> Control:
    r"""A slider over a finite, strictly increasing list of numbers.

    Args:
        name: keyword passed to ``compute``.
        values: two or more finite numbers, strictly increasing.
        default: the value selected at first (one of ``values``; default the middle).
        label: what the reader sees (TeX allowed: ``r"decay $\gamma$"``); default
            ``name``.
        fmt: a format string (``"{:.0%}"``) or function turning a value into its label.
        idle: why the slider can have no effect (``"acts in exp_range mode only"``):
            shown, with the slider disabled, in every state where moving it would
            change nothing; default :data:`IDLE_REASON`. Which states those are is
            computed from the explorer's data, not declared.

    Returns:
        A :class:`Control`.

    Examples:
        >>> slider("gamma", [0.1, 0.5, 0.9]).default
        0.5
        >>> slider("gamma", [0.5, 0.1])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: the values of slider 'gamma' must be strictly increasing, got ...
    """
    name = _check_name("slider", name)
    if isinstance(values, (str, bytes)) or not isinstance(
        values, (Sequence, np.ndarray)
    ):
        raise TypeError(
            f"the values of slider {name!r} must be a list of numbers, got "
            f"{type(values).__name__} {values!r}"
        )
    vals = tuple(_python_scalar(v) for v in values)
    if len(vals) < 2:
        raise ValueError(f"slider {name!r} needs at least 2 values, got {list(vals)}")
    for v in vals:
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(
                f"the values of slider {name!r} must be numbers, got "
                f"{type(v).__name__} {v!r}"
            )
        if not math.isfinite(v):
            raise ValueError(
                f"the values of slider {name!r} must be finite numbers, got {v!r}"
            )
    if any(b <= a for a, b in zip(vals, vals[1:], strict=False)):
        raise ValueError(
            f"the values of slider {name!r} must be strictly increasing, "
            f"got {list(vals)}"
        )
    labels = tuple(_value_labels(name, vals, fmt))
    return Control(
        name,
        "slider",
        vals,
        labels,
        _default_index(name, "slider", vals, labels, default),
        name if label is None else label,
        _check_idle("slider", name, idle),
    )


def _value_labels(name, values, fmt):
    for v in values:
        if fmt is None:
            yield _format_number(v) if isinstance(v, numbers.Number) else str(v)
        elif callable(fmt):
            yield str(fmt(v))
        elif isinstance(fmt, str):
            yield fmt.format(v)
        else:
            raise TypeError(
                f"fmt of control {name!r} must be a format string or a "
                f"function, got {type(fmt).__name__} {fmt!r}"
            )


def dropdown(
    name: str,
    options: Sequence | Mapping,
    default=None,
    *,
    label: str | None = None,
    idle: str | None = None,
) -> Control:
    """A dropdown menu over a finite list of values of any kind.

    Args:
        name: keyword passed to ``compute``.
        options: the values (shown with ``str``), or a mapping ``{shown label: value}``.
        default: the value selected at first (default the first).
        label: what the reader sees; default ``name``.
        idle: why the menu can have no effect, as for :func:`slider`.

    Returns:
        A :class:`Control`.

    Examples:
        >>> dropdown("mode", ["triangular", "triangular2"]).default
        'triangular'
        >>> dropdown("run", {"SGD, 0.1": "sgd-0.1", "Adam": "adam"}).labels
        ('SGD, 0.1', 'Adam')
    """
    name = _check_name("dropdown", name)
    if isinstance(options, Mapping):
        labels = tuple(str(k) for k in options)
        vals = tuple(_python_scalar(v) for v in options.values())
    elif isinstance(options, (str, bytes)) or not isinstance(
        options, (Sequence, np.ndarray)
    ):
        raise TypeError(
            f"the options of dropdown {name!r} must be a list or a dict, "
            f"got {type(options).__name__} {options!r}"
        )
    else:
        vals = tuple(_python_scalar(v) for v in options)
        labels = tuple(_value_labels(name, vals, None))
    if not vals:
        raise ValueError(f"dropdown {name!r} needs at least 1 option, got none")
    if len(set(labels)) != len(labels):
        raise ValueError(
            f"the options of dropdown {name!r} must have distinct labels, "
            f"got {list(labels)}"
        )
    index = (
        0
        if default is None
        else _default_index(name, "dropdown", vals, labels, default)
    )
    return Control(
        name,
        "dropdown",
        vals,
        labels,
        index,
        name if label is None else label,
        _check_idle("dropdown", name, idle),
    )


def toggle(
    name: str,
    default: bool = False,
    *,
    label: str | None = None,
    idle: str | None = None,
) -> Control:
    """An on/off checkbox; ``compute`` receives ``False`` or ``True``.

    ``idle``: why the checkbox can have no effect, as for :func:`slider`.

    Examples:
        >>> toggle("momentum", True).values, toggle("momentum", True).default
        ((False, True), True)
    """
    name = _check_name("toggle", name)
    if not isinstance(default, bool):
        raise TypeError(
            f"the default of toggle {name!r} must be True or False, got "
            f"{type(default).__name__} {default!r}"
        )
    return Control(
        name,
        "toggle",
        (False, True),
        ("off", "on"),
        int(default),
        name if label is None else label,
        _check_idle("toggle", name, idle),
    )


def _check_controls(controls) -> tuple:
    """The controls of an :class:`~lrbook.explore.Explorer`, checked, as a tuple."""
    if isinstance(controls, Control):
        controls = [controls]
    if isinstance(controls, (str, bytes, Mapping)) or not isinstance(
        controls, Iterable
    ):
        raise TypeError(
            f"controls must be a list of controls (slider(), dropdown(), "
            f"toggle()), got {type(controls).__name__} {controls!r}"
        )
    controls = tuple(controls)
    names = set()
    for i, c in enumerate(controls):
        if not isinstance(c, Control):
            raise TypeError(
                f"controls[{i}] must be made by slider(), dropdown() "
                f"or toggle(), got {type(c).__name__} {c!r}"
            )
        if c.name in names:
            raise ValueError(f"controls: two controls are named {c.name!r}")
        names.add(c.name)
    n_frames = math.prod(len(c.values) for c in controls)
    if n_frames > MAX_FRAMES:
        sizes = " x ".join(f"{c.name}: {len(c.values)}" for c in controls)
        raise ValueError(
            f"controls have {n_frames} combinations of values "
            f"({sizes}), more than {MAX_FRAMES}: give the controls "
            f"fewer values"
        )
    return controls
