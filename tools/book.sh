#!/usr/bin/env bash
# Install everything into .venv and build the book into _build/html/ (open _build/html/index.html).
# Notebooks are executed in parallel into a cache keyed by lrbook/ and the requirements
# (booktools.execution): a rebuild re-executes only the notebooks whose code changed,
# and everything once lrbook changes. The build writes the Jupyter-native twins from the
# resolved pages (booktools.notebooks, into _build/notebooks/); then they are copied
# into book/*.ipynb, where Colab and Binder open them, with the build's glued values
# (python -m booktools.twins --from-build), and Binder's requirements are refreshed
# from the lock (python -m booktools.binder).
set -euo pipefail
source "$(dirname "$0")/env.sh"
rm -rf _build/html _build/jupyter_execute _build/.doctrees
env -u MPLBACKEND jupyter-book build . -W -n --keep-going
python -m booktools.twins --from-build
python -m booktools.binder
echo "Book built: open $PWD/_build/html/index.html"
