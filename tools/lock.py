"""Regenerate requirements.txt (the full lock) from .venv, keeping its header comments.

    .venv/bin/python tools/lock.py           # rewrite requirements.txt from pip freeze
    .venv/bin/python tools/lock.py --check   # exit 1 if it differs from pip freeze

The lock is ``pip freeze`` of the environment the book is built and tested with, minus
``lrbook`` itself (installed in editable mode) and with PyTorch's local version label
dropped (``torch==2.13.0``, not ``2.13.0+cpu``: pip accepts the CPU build for it, and
the same line works where the CPU wheel comes from another index). Install the new
package into .venv first, then run this, then ``pip check``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.txt"


def header(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        out.append(line)
    return out


def frozen(python: str = sys.executable) -> list[str]:
    lines = subprocess.run(
        [python, "-m", "pip", "freeze", "--exclude-editable"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    out = []
    for line in lines:
        if not line or line.startswith("#") or line.startswith("-e "):
            continue
        if re.match(r"(?i)lrbook(==|\s|@|$)", line):
            continue
        line = re.sub(r"^(torch==[^+\s]+)\+\S+$", r"\1", line)
        out.append(line)
    return list(dict.fromkeys(out))  # pip's order (by project name)


def lock_text() -> str:
    current = LOCK.read_text(encoding="utf-8") if LOCK.exists() else ""
    return "\n".join(header(current) + frozen()) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    text = lock_text()
    if args.check:
        same = LOCK.read_text(encoding="utf-8") == text
        if not same:
            print("requirements.txt differs from pip freeze of .venv", file=sys.stderr)
        return 0 if same else 1
    LOCK.write_text(text, encoding="utf-8")
    print(f"wrote {LOCK.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
