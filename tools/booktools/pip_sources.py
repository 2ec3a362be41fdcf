"""Print pip's configured package sources as uv's options, one word per line.

``tools/env.sh`` installs the lock with uv, which does not read pip's configuration.
This turns what ``pip config list`` reports (configuration files and ``PIP_*``
variables) into the same options for uv: ``find-links``, ``index-url``,
``extra-index-url`` and ``constraint``. With none configured it prints nothing, and uv
uses PyPI, as pip would.

    .venv/bin/python tools/booktools/pip_sources.py

(run as a file: ``env.sh`` needs it before booktools is installed).
"""

from __future__ import annotations

import re
import subprocess
import sys

#: pip's option -> uv's option
OPTIONS = {
    "find-links": "--find-links",
    "index-url": "--index-url",
    "extra-index-url": "--extra-index-url",
    "constraint": "--constraint",
}
LINE = re.compile(r"(?::env:|global|install)\.([\w-]+)='(.*)'")


def sources(config_list: str) -> list[str]:
    """uv's options for the sources in ``pip config list``'s output, each once."""
    out: list[str] = []
    seen: set[tuple[str, str]] = set()
    for line in config_list.splitlines():
        match = LINE.fullmatch(line.strip())
        if not match or match.group(1) not in OPTIONS:
            continue
        for value in match.group(2).split():
            if (match.group(1), value) not in seen:
                seen.add((match.group(1), value))
                out += [OPTIONS[match.group(1)], value]
    return out


def main() -> int:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"],
        capture_output=True,
        text=True,
        check=False,
    )
    options = sources(done.stdout)
    if options:  # nothing at all (not an empty line) when pip has no sources set
        print("\n".join(options))
    return 0


if __name__ == "__main__":
    sys.exit(main())
