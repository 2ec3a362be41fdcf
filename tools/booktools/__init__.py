"""The book's build side: what turns ``book/`` into the website, the learners'
notebooks and the course assignments. Not part of :mod:`lrbook` (learners never install
Sphinx code); the dev environment installs it (``tools/env.sh``: ``pip install -e
tools``).

* :mod:`booktools.execution`: the lrbook-keyed jupyter-cache and parallel execution (a
  Sphinx extension);
* :mod:`booktools.notebooks`: the notebook builder (a Sphinx extension): the learners'
  Jupyter-native twins and the assignments' tagged cells, written from each resolved
  page into ``_build/notebooks/``;
* :mod:`booktools.twins`: copies the build's twins into ``book/`` (``--check``
  compares them), and serves them from the download button (a Sphinx extension);
* :mod:`booktools.site_assets`: pages load only the scripts they use (a Sphinx
  extension);
* :mod:`booktools.offline`: no widget state and no CDN loader on any page (a Sphinx
  extension);
* :mod:`booktools.statements`: exercise statements quote their answer key (``{{name}}``
  filled in from :mod:`lrbook.exercises`, a Sphinx extension);
* :mod:`booktools.answers`: the website's answer boxes, checked in the browser with the
  engine's rules, from the same answer keys (a Sphinx extension, HTML only);
* :mod:`booktools.assign` and :mod:`booktools.grading`: the Otter course assignments
  and their sandboxed grading (``python -m booktools.assign``);
* :mod:`booktools.binder`: Binder's pinned environment.
"""
