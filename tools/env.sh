# Sourced by tools/book.sh and tools/test.sh: makes .venv (Python 3.11) with every pinned
# requirement and lrbook itself installed in editable mode. Idempotent and quick when done.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.lrbook-requirements
want=$(cat requirements.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    # --no-compile: Python compiles what is imported, when first imported; compiling
    # every file of every package at install time took half of the install (100 s of
    # 200 s here, mostly torch).
    .venv/bin/python -m pip install --quiet --no-compile -r requirements.txt
    .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
    echo "$want" > "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
