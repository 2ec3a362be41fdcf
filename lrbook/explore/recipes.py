"""Recipes: rebuild an explorer from JSON in another process (used by the browser test).

A function decorated with :func:`rebuildable` gives the explorers it returns a
*recipe*: the function's public name and its arguments, JSON-encoded (schedules,
factories and controls included). :func:`rebuild` calls the function again.
"""

from __future__ import annotations

import functools
import importlib
import math
from collections.abc import Callable, Mapping

import numpy as np

from .. import schedules as _schedules
from .controls import Control, _python_scalar
from .core import Explorer


def _to_recipe_json(v):
    """An argument as JSON (TypeError for what cannot be encoded)."""
    v = _python_scalar(v)
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        if not math.isfinite(v):
            raise TypeError("non-finite float")
        return v
    if isinstance(v, _schedules.Schedule):
        return {"$schedule": v.name, "params": _to_recipe_json(v.params)}
    if callable(v) and getattr(_schedules, getattr(v, "__name__", ""), None) is v:
        return {"$factory": v.__name__}
    if isinstance(v, Control):
        return {
            "$control": v.kind,
            "name": v.name,
            "values": _to_recipe_json(list(v.values)),
            "labels": list(v.labels),
            "index": v.index,
            "label": v.label,
        }
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_to_recipe_json(u) for u in v]
    if isinstance(v, Mapping) and all(isinstance(k, str) for k in v):
        if any(k.startswith("$") for k in v):
            raise TypeError("reserved key")
        return {k: _to_recipe_json(u) for k, u in v.items()}
    raise TypeError(f"cannot encode {type(v).__name__}")


def _from_recipe_json(v):
    """The argument that :func:`_to_recipe_json` encoded as ``v``."""
    if isinstance(v, list):
        return [_from_recipe_json(u) for u in v]
    if isinstance(v, dict):
        if "$schedule" in v:
            params = _from_recipe_json(v["params"])
            return getattr(_schedules, v["$schedule"])(**params)
        if "$factory" in v:
            return getattr(_schedules, v["$factory"])
        if "$control" in v:
            return Control(
                v["name"],
                v["$control"],
                tuple(_from_recipe_json(v["values"])),
                tuple(v["labels"]),
                v["index"],
                v["label"],
            )
        return {k: _from_recipe_json(u) for k, u in v.items()}
    return v


def rebuildable(func: Callable | None = None, *, module: str | None = None):
    """Decorate a function of ``lrbook`` that returns an :class:`Explorer`.

    The explorer then carries a *recipe* (the function's name and JSON-encoded
    arguments) so that :func:`rebuild` can make the same explorer in another process;
    the browser test uses it to compute, itself, what each explorer of the website
    should draw. Arguments that cannot be encoded simply leave the recipe out.

    Args:
        func: the function (``@rebuildable``).
        module: the module readers import the function from, if not the one that
            defines it (``@rebuildable(module="lrbook.explore")``): the recipe calls
            ``<module>.<name>``.
    """
    if func is None:
        return functools.partial(rebuildable, module=module)
    call = f"{module or func.__module__}.{func.__qualname__}"

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        ex = func(*args, **kwargs)
        if isinstance(ex, Explorer) and ex.recipe is None:
            try:
                ex.recipe = {
                    "call": call,
                    "args": _to_recipe_json(list(args)),
                    "kwargs": _to_recipe_json(kwargs),
                }
            except TypeError:
                ex.recipe = None
        return ex

    wrapper._lrbook_rebuildable = True
    return wrapper


def rebuild(recipe: dict) -> Explorer:
    """Make the explorer described by a recipe (see :func:`rebuildable`).

    Raises:
        ValueError: the recipe does not name a rebuildable function of ``lrbook``.
    """
    call = recipe.get("call", "") if isinstance(recipe, dict) else ""
    module, _, name = call.rpartition(".")
    if not (module == "lrbook" or module.startswith("lrbook.")):
        raise ValueError(f"recipe must call a function of lrbook, got {call!r}")
    func = getattr(importlib.import_module(module), name, None)
    if not getattr(func, "_lrbook_rebuildable", False):
        raise ValueError(f"recipe calls {call!r}, which is not marked @rebuildable")
    return func(
        *_from_recipe_json(recipe.get("args", [])),
        **_from_recipe_json(recipe.get("kwargs", {})),
    )
