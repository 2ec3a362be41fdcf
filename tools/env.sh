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
    # The pinned requirements with uv when it can be had (≈ 30 s here, against ≈ 85 s
    # with pip: the same packages, `pip freeze` identical), else with pip. uv lives in a
    # venv of its own inside .venv, so it is not in the lock. It reads pip's own
    # configuration (find-links, indexes, constraints: booktools/pip_sources.py), and
    # "unsafe-best-match" picks across the indexes as pip does (PyTorch's CPU wheel
    # from the local find-links, not the CUDA build of PyPI).
    # Bytecode is compiled at install (not --no-compile / uv's default, although it
    # halves the install): with PYTHONDONTWRITEBYTECODE set (as on these machines)
    # nothing is compiled later either, and every kernel and worker would compile torch
    # from source at import (the suite took 6 minutes more).
    installed=
    if [ -z "${LRBOOK_NO_UV:-}" ] && { [ -x .venv/uv-tool/bin/uv ] || {
        "$PYTHON" -m venv .venv/uv-tool &&
            .venv/uv-tool/bin/python -m pip install --quiet uv; }; } 2>/dev/null; then
        mapfile -t sources < <(.venv/bin/python tools/booktools/pip_sources.py)
        if .venv/uv-tool/bin/uv pip install --quiet --python .venv/bin/python \
            --compile-bytecode --index-strategy unsafe-best-match "${sources[@]}" \
            -r requirements.txt; then
            installed=uv
        else
            echo "uv could not install requirements.txt; installing with pip" >&2
        fi
    fi
    if [ -z "$installed" ]; then
        .venv/bin/python -m pip install --quiet -r requirements.txt
    fi
    .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
    # booktools (tools/booktools): the build side, for the build and the tests only.
    .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e tools
    echo "$want" > "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
