"""Runs INSIDE the sandbox: execute one notebook, export its answers as plain data.

    python runner.py FOLDER

``FOLDER/spec.json`` names the notebook (in ``FOLDER``), the soft time limit and the
questions (answer variable, kind, steps). The runner executes every code cell in
order (errors do not stop it), interrupts a cell that runs past the soft limit and
skips the rest, then runs one more cell in the same kernel that exports each answer
variable as JSON data: a number, a list of numbers, a string, or a function's values
at the exercise's steps. ``FOLDER/result.json`` receives the answers, the failed cells
and whether time ran out.

Nothing here is trusted: the student's code runs in the same sandbox and may replace
any of it. The parent process only reads ``result.json`` as data, checks every field,
and marks the answers with the answer keys, which this sandbox never sees.
"""

from __future__ import annotations

import json
import os
import sys
import time

MIME = "application/x-lrbook-answers+json"
EXPORT_SECONDS = 60.0  # the export cell's own limit (a student's function may loop)

# The export cell, in the student's kernel. Defines nothing in the student's namespace
# except one name, and reads the answer variables from it.
EXPORT = r"""
def _lrbook_export(questions, mime):
    import numbers

    def number(value):
        if isinstance(value, bool) or type(value).__name__ == "bool_":
            return None
        if isinstance(value, numbers.Real):
            return float(value)
        kind = getattr(getattr(value, "dtype", None), "kind", None)
        if getattr(value, "ndim", None) == 0 and kind in ("i", "u", "f"):
            return float(value)
        return None

    def one(question, space):
        if question["variable"] not in space:
            return {"type": "missing"}
        value = space[question["variable"]]
        if value is None or value is Ellipsis:
            return {"type": "none"}
        if isinstance(value, str):
            return {"type": "string", "value": value[:10000]}
        x = number(value)
        if x is not None:
            return {"type": "number", "value": x}
        if callable(value):
            values = []
            for t in question["steps"]:
                try:
                    values.append(number(value(t)))
                except Exception:
                    values.append(None)
            return {"type": "function", "values": values}
        if isinstance(value, (list, tuple, range)) or getattr(value, "ndim", 0) == 1:
            items = [number(v) for v in list(value)[:100000]]
            if all(v is not None for v in items):
                return {"type": "numbers", "values": items}
        return {"type": "other", "what": type(value).__name__[:100]}

    space = globals()
    out = {}
    for question in questions:
        try:
            out[question["name"]] = one(question, space)
        except BaseException as exc:
            out[question["name"]] = {"type": "other", "what": type(exc).__name__}
    from IPython.display import display

    display({mime: out}, raw=True)
"""


def main(folder: str) -> int:
    os.chdir(folder)
    with open("spec.json", encoding="utf-8") as f:
        spec = json.load(f)
    result = {"answers": None, "cells": 0, "errors": [], "timeout": None, "error": None}
    try:
        run(spec, result)
    except BaseException as exc:  # the notebook or the kernel failed as a whole
        result["error"] = f"{type(exc).__name__}: {exc}"[:500]
    with open("result.json", "w", encoding="utf-8") as f:
        json.dump(result, f)
    return 0


def run(spec: dict, result: dict) -> None:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError
    from nbclient.util import run_sync

    deadline = time.monotonic() + float(spec["timeout"])
    nb = nbformat.read(spec["notebook"], as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        allow_errors=True,
        record_timing=False,
        resources={"metadata": {"path": os.getcwd()}},
    )
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                result["timeout"] = index
                break
            client.timeout = max(1, int(remaining))
            result["cells"] += 1
            try:
                client.execute_cell(cell, index)
            except CellTimeoutError:
                result["timeout"] = index
                run_sync(client.km.interrupt_kernel)()
                break
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error" and len(result["errors"]) < 20:
                    result["errors"].append(
                        {
                            "cell": index,
                            "ename": str(output.get("ename", ""))[:100],
                            "evalue": str(output.get("evalue", ""))[:300],
                        }
                    )
        export = nbformat.v4.new_code_cell(
            f"{EXPORT}\n_lrbook_export({spec['questions']!r}, {MIME!r})\n"
            "del _lrbook_export"
        )
        nb.cells.append(export)
        client.timeout = int(EXPORT_SECONDS)
        if result["timeout"] is not None:
            time.sleep(1.0)  # let the interrupted cell end before the export runs
        try:
            client.execute_cell(export, len(nb.cells) - 1)
        except CellTimeoutError:
            result["error"] = "the kernel did not stop when interrupted: no answer"
            return
        for output in export.get("outputs", []):
            data = output.get("data", {})
            if MIME in data:
                result["answers"] = data[MIME]
            elif output.get("output_type") == "error":
                result["error"] = f"export failed: {output.get('ename')}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
