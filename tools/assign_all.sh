#!/usr/bin/env bash
# Build every chapter's assignment and grade, for each, a mixed folder of honest, broken
# and hostile submissions (tests/e2e/test_assign_hostile.py with LRBOOK_ASSIGN_ALL=1:
# every case of the teacher's review, on every chapter). CI runs the same on chapter 1
# only. Slow (about 3 minutes per chapter on 2 cores): on a shared machine, run it through
# `heavy`. Prints each build's time ("built ... in N s") and each grading run's ("wrote
# ...: N submissions ... in N s"). Extra arguments go to pytest (e.g. -k ch04).
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/env.sh
LRBOOK_ASSIGN_ALL=1 python -m pytest -n 0 -p no:cacheprovider -s -rA -m e2e \
    tests/e2e/test_assign_hostile.py "$@"
