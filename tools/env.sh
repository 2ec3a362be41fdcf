# Sourced by tools/book.sh and tools/test.sh: makes .venv (Python 3.11) with every pinned
# requirement, lrbook and booktools (tools/booktools, the build side) installed in
# editable mode. Idempotent and quick when done.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.lrbook-requirements
want=$(cat requirements.txt pyproject.toml tools/pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    # Not --no-compile, although it halves the install: with PYTHONDONTWRITEBYTECODE
    # set (as on these machines) nothing is compiled later either, and every kernel and
    # worker would compile torch from source at import (the suite took 6 minutes more).
    .venv/bin/python -m pip install --quiet -r requirements.txt
    .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
    # booktools (tools/booktools): the build side, for the build and the tests only.
    .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e tools
    echo "$want" > "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
