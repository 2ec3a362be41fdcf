"""Ready-made explorers of learning-rate schedules: :func:`schedule` and
:func:`compare_schedules`.

A schedule is drawn with one slider (or dropdown, or toggle) per parameter that moves;
the note under the figure is the ``lrbook`` call that draws the current curve.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import numbers
from collections.abc import Mapping, Sequence

import numpy as np

from ... import plotting
from ... import schedules as _schedules
from ..controls import Control, dropdown, slider, toggle
from ..core import Explorer
from ..panels import Frame, Line, Panel
from ..recipes import rebuildable
from ..web import MAX_BYTES

FACTORIES = {name: getattr(_schedules, name) for name in _schedules.FACTORY_NAMES}

X_LABEL = plotting.UPDATE_LABEL
Y_LABEL = plotting.LR_LABEL


def _parameter_label(factory, param: str, owner: str | None = None) -> str:
    """The label of a parameter's slider: name, symbol and unit from the factory's
    declaration (:mod:`lrbook.schedules.registry`), and the owner in a comparison."""
    declared = _schedules.registry.declaration(factory.__name__).parameter(param)
    symbol, unit = declared.symbol, declared.unit
    text = param
    if symbol:
        text += f" ${symbol}$"
    extra = ", ".join(u for u in (unit, owner) if u)
    return f"{text} ({extra})" if extra else text


def _factory_of(item, where: str):
    """The factory of :data:`FACTORIES` that ``item`` is or names (``where``: which)."""
    if isinstance(item, str):
        if item not in FACTORIES:
            raise ValueError(
                f"{where} must name an lrbook schedule "
                f"({', '.join(FACTORIES)}), got {item!r}"
            )
        return FACTORIES[item]
    for f in FACTORIES.values():
        if item is f:
            return f
    # a function but not one of FACTORIES: a wrong value; anything else: a wrong type
    error = ValueError if callable(item) else TypeError
    raise error(
        f"{where} must be an lrbook schedule, a factory such as "
        f"lrbook.step_decay ({', '.join(FACTORIES)}), or its name, got "
        f"{type(item).__name__} {item!r}"
    )


@rebuildable(module="lrbook.explore")
def schedule(
    spec,
    sliders: Mapping | None = None,
    *,
    horizon: int | None = None,
    labels: Sequence[str] | None = None,
    title: str | None = None,
    log: bool = False,
    log_toggle: bool = True,
    ylim=(0, None),
    max_bytes: int = MAX_BYTES,
    **params,
) -> Explorer:
    r"""An explorer of one learning-rate schedule, or a comparison of several.

    Args:
        spec: the schedule: a factory (``lrbook.step_decay``) or its name
            (``"step_decay"``) whose fixed arguments are ``**params``; or a
            :class:`~lrbook.schedules.Schedule`; or, to compare, a list of schedules
            or ``(factory or name, {params})`` pairs, drawn on one plot.
        sliders: ``{parameter: values}``: a slider (numbers), a dropdown (strings) or a
            toggle (``[False, True]``) per parameter; a :class:`Control` is used as
            given. In a comparison, ``"gamma"`` moves every schedule that has a
            ``gamma``; ``"step_decay.gamma"`` or ``"0.gamma"`` only the one so named
            (by factory name or position).
        horizon: the number of steps drawn (``t = 0 ... horizon - 1``); default the
            schedules' length when they have one (``one_cycle``), else 100.
        labels: legend labels of a comparison (default the factory names).
        title: the figure's title.
        log: start with a log-scaled y axis.
        log_toggle: offer a "log scale" checkbox.
        ylim: y limits, as for :class:`Panel` (default from 0 to the largest rate).
        max_bytes: size budget of the web version.
        **params: the fixed arguments of a single factory (a parameter that also has a
            slider sets the slider's initial value).

    Returns:
        An :class:`Explorer`.

    Raises:
        TypeError: an argument of the wrong type, e.g. slider values that are not a
            list (the message names it).
        ValueError: an unknown schedule or parameter (the message names it), a slider
            value the factory rejects, or an explorer over its budget.

    Examples:
        >>> import lrbook
        >>> ex = schedule(lrbook.cosine_annealing, {"t_max": [50, 100]}, lr=0.1,
        ...               horizon=120)
        >>> ex.values
        {'t_max': 50}
        >>> cmp = schedule([lrbook.step_decay(0.1, 30, 0.5),
        ...                 ("cosine_annealing", {"lr": 0.1, "t_max": 100})],
        ...                sliders={"lr": [0.05, 0.1, 0.2]}, horizon=100)
        >>> sorted(cmp.series()[0])
        ['cosine_annealing', 'step_decay']
    """
    entries = _schedule_entries(spec, params)
    if sliders is not None and not isinstance(sliders, Mapping):
        raise TypeError(
            f"sliders must be a dict {{parameter: values}} or None, got "
            f"{type(sliders).__name__} {sliders!r}"
        )
    names = [e[0].__name__ for e in entries]
    labels = _legend_labels(names, labels)
    controls, targets = [], []
    for key, values in dict(sliders or {}).items():
        ctrl, param, hits = _parameter_control(key, values, entries, names, labels)
        controls.append(ctrl)
        targets.append((ctrl.name, param, hits))
    make = functools.partial(_make_schedules, entries, targets, labels)
    make({c.name: c.default for c in controls})  # the defaults, checked now
    horizon = _horizon(horizon, controls, make)

    def compute(**values):
        series, notes = {}, []
        for label, s in zip(labels, make(values), strict=True):
            n = horizon if s.max_step is None else min(horizon, s.max_step + 1)
            t = np.arange(n)
            series[label] = (t, s(t))
            notes.append(repr(s))
        return Frame(series, "\n".join(notes))

    single = len(entries) == 1
    panel = Panel(
        xlabel=X_LABEL,
        ylabel=Y_LABEL,
        lines={lab: Line(label=None if single else lab) for lab in labels},
        log_toggle=log_toggle,
        yscale="log" if log and not log_toggle else "linear",
        ylim=ylim,
    )
    ex = Explorer(controls, compute, panel, title=title, max_bytes=max_bytes)
    if log and log_toggle:
        ex._ylog[0] = True
    return ex


def _schedule_entries(schedule_arg, params: dict) -> list:
    """Normalise the ``spec`` argument of :func:`schedule` into ``[(factory, fixed
    params), ...]`` (``params``: the fixed arguments of a single factory)."""
    if isinstance(schedule_arg, (list, tuple)):
        if params:
            raise ValueError(
                f"fixed parameters {sorted(params)} apply to a single "
                f"schedule; in a comparison give each its own"
            )
        if len(schedule_arg) < 1:
            raise ValueError("spec must hold at least one schedule")
        out = []
        for k, item in enumerate(schedule_arg):
            if isinstance(item, _schedules.Schedule):
                out.append((_factory_of(item.name, f"spec[{k}]"), item.params))
            elif (
                isinstance(item, (tuple, list))
                and len(item) == 2
                and isinstance(item[1], Mapping)
            ):
                out.append((_factory_of(item[0], f"spec[{k}]"), dict(item[1])))
            else:
                out.append((_factory_of(item, f"spec[{k}]"), {}))
        return out
    if isinstance(schedule_arg, _schedules.Schedule):
        fixed = schedule_arg.params
        fixed.update(params)
        return [(_factory_of(schedule_arg.name, "spec"), fixed)]
    return [(_factory_of(schedule_arg, "spec"), dict(params))]


def _legend_labels(names: list, labels) -> list:
    """The legend labels: ``labels`` checked, or the factory ``names`` (numbered when
    one is compared with itself)."""
    if labels is None:
        labels = [
            n if names.count(n) == 1 else f"{n} {names[: k + 1].count(n)}"
            for k, n in enumerate(names)
        ]
    labels = list(labels)
    if len(labels) != len(names):
        raise ValueError(
            f"labels must hold one label per schedule ({len(names)}), got {len(labels)}"
        )
    if len(set(labels)) != len(labels):
        raise ValueError(f"labels must be distinct (name the schedules), got {labels}")
    return labels


def _parameter_control(key, values, entries: list, names: list, labels: list):
    """The control of ``sliders[key]``, the parameter it sets and the schedules it
    moves (their positions in ``entries``).

    Returns:
        ``(control, parameter name, [entry numbers])``.
    """
    if not isinstance(key, str):
        raise TypeError(
            f"sliders keys must be parameter names (str), got "
            f"{type(key).__name__} {key!r}"
        )
    owner, _, param = key.rpartition(".")
    hits = []
    for k, (factory, _params) in enumerate(entries):
        if owner and owner not in (str(k), names[k], labels[k]):
            continue
        if param in inspect.signature(factory).parameters:
            hits.append(k)
    if not hits:
        where = f"schedule {owner!r}" if owner else "any of the schedules"
        raise ValueError(f"{key} is not a parameter of {where} ({', '.join(names)})")
    ctrl_name = key.replace(".", "_")
    if not ctrl_name.isidentifier():
        ctrl_name = "p_" + ctrl_name
    default = entries[hits[0]][1].get(param) if len(entries) == 1 or owner else None
    label = _parameter_label(
        entries[hits[0]][0],
        param,
        labels[hits[0]] if owner and len(entries) > 1 else None,
    )
    if isinstance(values, np.ndarray):
        values = values.tolist()  # e.g. np.linspace(...): plain numbers
    if not isinstance(values, Control) and (
        isinstance(values, (str, bytes)) or not isinstance(values, Sequence)
    ):
        raise TypeError(
            f"sliders[{key!r}] must be a list of values (numbers, strings or "
            f"[False, True]) or a Control, got {type(values).__name__} {values!r}"
        )
    if isinstance(values, Control):
        return values, param, hits
    if values and all(isinstance(v, bool) for v in values):
        ctrl = toggle(
            ctrl_name, bool(default) if default is not None else False, label=label
        )
    elif values and all(isinstance(v, str) for v in values):
        ctrl = dropdown(
            ctrl_name, list(values), default if default in values else None, label=label
        )
    else:
        ctrl = _parameter_slider(key, param, ctrl_name, values, default, label)
    return ctrl, param, hits


def _parameter_slider(key: str, param: str, name: str, values, default, label: str):
    """The slider of ``sliders[key]``, at the parameter's fixed value ``default``."""
    try:
        ctrl = slider(name, values, label=label)
    except (TypeError, ValueError) as err:
        raise type(err)(f"sliders[{key!r}]: {err}") from None
    if default is not None:
        try:
            ctrl = slider(name, values, default, label=label)
        except ValueError:
            raise ValueError(
                f"{param}={default!r} must be one of the values of its slider "
                f"{list(ctrl.values)} (it sets the slider's initial value)"
            ) from None
    return ctrl


def _make_schedules(entries: list, targets: list, labels: list, values: dict) -> list:
    """The schedules drawn for these control ``values``, one per entry.

    ``targets`` holds ``(control name, parameter, entry numbers)`` per control. A value
    that a factory rejects raises a ValueError naming the schedule and the values.
    """
    out = []
    for k, (factory, fixed) in enumerate(entries):
        kw = dict(fixed)
        for cname, param, hits in targets:
            if k in hits:
                kw[param] = values[cname]
        try:
            out.append(factory(**kw))
        except (TypeError, ValueError) as err:
            moved = ", ".join(f"{c}={values[c]!r}" for c, _, h in targets if k in h)
            raise ValueError(
                f"{labels[k]} rejects {moved or 'its arguments'}: {err}"
            ) from None
    return out


def _horizon(horizon, controls: list, make) -> int:
    """``horizon`` checked; by default long enough for the longest setting of the
    controls (not just the default), or 100 for schedules without an end."""
    if horizon is None:
        ends = [
            s.max_step
            for combo in itertools.product(*(c.values for c in controls))
            for s in make(dict(zip((c.name for c in controls), combo, strict=True)))
        ]
        horizon = max(e + 1 for e in ends) if all(e is not None for e in ends) else 100
    if isinstance(horizon, bool) or not isinstance(horizon, numbers.Integral):
        raise TypeError(
            f"horizon must be an integer >= 2 or None, got "
            f"{type(horizon).__name__} {horizon!r}"
        )
    if horizon < 2:
        raise ValueError(f"horizon must be an integer >= 2, got {horizon!r}")
    return int(horizon)


@rebuildable(module="lrbook.explore")
def compare_schedules(*schedules, sliders: Mapping | None = None, **kwargs) -> Explorer:
    """Compare two or more schedules on one plot: ``schedule(list(schedules), ...)``.

    Examples:
        >>> import lrbook
        >>> ex = compare_schedules(lrbook.step_decay(0.1, 30),
        ...              lrbook.exponential_decay(0.1, 0.97),
        ...              sliders={"gamma": [0.5, 0.9, 0.97]}, horizon=100)
        >>> len(ex.series()[0])
        2
    """
    if len(schedules) < 2:
        raise ValueError(
            f"compare_schedules needs 2 or more schedules, got {len(schedules)}"
        )
    return schedule.__wrapped__(list(schedules), sliders, **kwargs)
