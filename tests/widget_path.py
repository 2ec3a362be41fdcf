"""The live-widget path of ``lrbook.explore`` under whatever ipywidgets is installed.

Run as a script by ``tests/e2e/test_ipywidgets.py``, in ``.venv`` (ipywidgets 8) and in
a second environment with ipywidgets 7 (Colab's), without a kernel: for each kind of
explorer it builds the ``ipywidgets`` view (``explorer.widget()``), sets every control
to another of its values, and checks that the figure's PNG changed each time. Prints one
JSON line with what it did; exits non-zero on the first failure.

    python tests/widget_path.py
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def explorers() -> dict:
    """One explorer of each kind the chapters use, small (no torch, no training)."""
    import numpy as np

    import lrbook
    from lrbook import explore

    def curves(scale, shape, shifted):
        x = np.linspace(0.0, 1.0, 40)
        y = scale * (x**2 if shape == "square" else np.sqrt(x)) + 0.1
        return {"f": (x, y + 0.5 * shifted), "g": (x, y / 2)}

    return {
        "schedule (slider)": explore.schedule(
            "step_decay", {"gamma": [0.1, 0.5, 0.9]}, lr=0.1, step_size=30, horizon=100
        ),
        "compare (sliders, dropdown, log)": explore.compare_schedules(
            lrbook.step_decay(0.1, step_size=30, gamma=0.1),
            lrbook.multistep_decay(0.1, milestones=[60, 90], gamma=0.1),
            labels=["StepLR", "MultiStepLR"],
            sliders={
                "lr": [0.05, 0.1, 0.2],
                "StepLR.step_size": [20, 30, 40],
                "gamma": explore.slider(
                    "gamma", [0.05, 0.1, 0.2], 0.1, label=r"gamma $\gamma$"
                ),
                "MultiStepLR.milestones": explore.dropdown(
                    "milestones", {"60, 90": [60, 90], "40, 80": [40, 80]}, [60, 90]
                ),
            },
            horizon=120,
            log=True,
        ),
        "gradient descent (dropdown, slider, checkbox)": explore.gradient_descent(
            {
                "bowl": ("quadratic", {"a": 1.0, "b": 4.0}),
                "ill-conditioned": "ill_conditioned",
            },
            momentum=0.9,
            steps=30,
        ),
        "custom (slider, dropdown, toggle)": explore.Explorer(
            [
                explore.slider("scale", [1, 2, 4], label=r"scale $\alpha_0$"),
                explore.dropdown("shape", ["square", "root"]),
                explore.toggle("shifted"),
            ],
            curves,
            explore.Panel(xlabel="x (m)", ylabel="y (m)", lines=["f", "g"]),
        ),
    }


def _image(widget, W):
    """The ipywidgets Image of an explorer's view (searched in its boxes)."""
    stack = [widget]
    while stack:
        w = stack.pop()
        if isinstance(w, W.Image):
            return w
        stack.extend(getattr(w, "children", ()))
    raise AssertionError("the view has no Image")


def other_value(w, W):
    if isinstance(w, W.Checkbox):
        return not w.value
    values = [v for _, v in w.options] if isinstance(w.options[0], tuple) else w.options
    values = list(values)
    return values[(values.index(w.value) + 1) % len(values)]


def main() -> int:
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import ipywidgets as W

    report = {"ipywidgets": W.__version__, "explorers": {}}
    for name, ex in explorers().items():
        view = ex.widget()
        assert isinstance(view, W.Box), f"{name}: widget() is {type(view)}"
        image = _image(view, W)
        assert image.format == "png" and image.value[:8] == b"\x89PNG\r\n\x1a\n", name
        controls = ex.control_widgets
        assert controls, f"{name}: no controls"
        moved = []
        for key, w in controls.items():
            assert w.description, f"{name}: control {key} has no label"
            before = bytes(image.value)
            w.value = other_value(w, W)
            assert bytes(image.value) != before, (
                f"{name}: setting {key} to {w.value!r} did not change the figure"
            )
            moved.append(f"{type(w).__name__} {key}: {w.description!r}")
        report["explorers"][name] = moved
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
