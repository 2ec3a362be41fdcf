#!/usr/bin/env bash
# Install everything into .venv and build the book into _build/html/ (open _build/html/index.html).
set -euo pipefail
source "$(dirname "$0")/env.sh"
rm -rf _build/html _build/jupyter_execute _build/.doctrees
jupyter-book build . -W -n --keep-going
echo "Book built: open $PWD/_build/html/index.html"
