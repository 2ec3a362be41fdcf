"""Grading course assignments outside the student's Python session (booktools.assign).

* :mod:`grading.sandbox`: one ``bwrap`` sandbox per submission (no network, not root,
  no capabilities, read-only system, a private folder, limits, nothing left behind);
* :mod:`grading.runner`: runs *inside* the sandbox: executes the notebook and exports
  the answer variables as plain data (numbers, lists, strings, functions sampled at
  the exercise's steps);
* :mod:`grading.marking`: runs in the trusted parent process: reads the exported data
  defensively and marks it with the answer keys of :mod:`lrbook.exercises`;
* :mod:`grading.keys`: the answer keys as the sandbox sees them (parameters kept,
  expected answers and classic mistakes withheld).
"""
