#!/usr/bin/env bash
# Install everything the tests need (pinned Python packages in .venv, plus Debian's Chromium for
# the browser test) and run the whole test suite. Extra arguments are passed to pytest.
set -euo pipefail
source "$(dirname "$0")/env.sh"
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing Chromium for the browser test (apt-get)..."
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "Chromium is missing: install it (Debian: sudo apt-get install chromium)." >&2
    fi
fi
python -m pytest "$@"
