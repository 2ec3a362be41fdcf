#!/usr/bin/env bash
# Install everything the tests need (pinned Python packages in .venv, plus Debian's Chromium for
# the browser test and bubblewrap for the grading sandbox) and run the whole test suite. Extra
# arguments are passed to pytest.
set -euo pipefail
source "$(dirname "$0")/env.sh"
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v bwrap >/dev/null || missing+=(bubblewrap)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing ${missing[*]} for the browser test and the grading sandbox (apt-get)..."
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "Missing: ${missing[*]}: install (Debian: sudo apt-get install ${missing[*]})." >&2
    fi
fi
# axe-core (tests/axe, pinned by its package-lock.json) for the accessibility check of the
# built site in tests/e2e/test_site_render.py.
if [ ! -d tests/axe/node_modules/axe-core ]; then
    if command -v npm >/dev/null; then
        npm ci --prefix tests/axe --no-audit --no-fund --loglevel=error
    else
        echo "Missing: npm (Debian: sudo apt-get install npm) for the accessibility test." >&2
    fi
fi
# Two or more workers (pytest-xdist; one per core, at most 4): most tests use one core,
# the book build and Run All in Jupyter use one per notebook. --dist loadgroup keeps a
# module marked xdist_group (the Otter tests, with their expensive fixtures) on one
# worker. Pass -n 0 to run in this process (e.g. for pdb).
# The workers share the cores, so lrbook's comparisons run serially in each (the tests of
# lrbook.train.parallel ask for their worker processes explicitly).
export LRBOOK_JOBS="${LRBOOK_JOBS:-1}"
workers=${LRBOOK_TEST_WORKERS:-$(python -c 'import os; print(max(2, min(4, os.cpu_count() or 1)))')}
python -m pytest -n "$workers" --dist loadgroup "$@"
