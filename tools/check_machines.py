"""Do the book's claims survive another processor? Execute every chapter under
different CPU arithmetic and report any cell that fails.

The book pins PyTorch's CPU arithmetic (:mod:`lrbook.numerics`), so on x86-64 with the
book's torch every chapter computes the same numbers everywhere. A reader on another
machine (Apple silicon, Colab's own torch) computes slightly different numbers, and a
chapter's assertions must still hold there. This script switches the pinning off
(``LRBOOK_NATIVE_NUMERICS=1``) and executes each chapter under each setting:

* ``pinned``: the book's arithmetic (the reference);
* ``native``: this processor's own kernels (AVX-512 here, where available);
* ``avx2``: ATen forced to its AVX2 kernels and MKL to AVX2;
* ``portable``: ATen's portable kernels with MKL unpinned.

Each is a different rounding of the same computations, so a claim that flips under one
of them was not decided by the experiment. Two more settings keep the pinning on and
simulate another processor for everything else the chapters compute with:

* ``simulated``: MKL and oneDNN limited to AVX2, ATen preset to AVX2 and OpenBLAS to
  its Haswell kernels (lrbook must override both), NumPy's AVX-512 dispatch off;
* ``sse``: MKL limited to SSE4.2, oneDNN to SSE4.1, NumPy without AVX2 or AVX-512,
  OpenBLAS preset to its oldest kernels (Katmai; lrbook must override it).

Under these, every glued number must be exactly the ``pinned`` run's (``--glue``
compares them, and executes ``pinned`` too for the reference). Not part of the test
suite (it executes the book several times: about 2 minutes per setting on 2 cores)::

    .venv/bin/python tools/check_machines.py --glue      # every setting and chapter
    .venv/bin/python tools/check_machines.py --settings native avx2 --chapters ch02 ch03
    .venv/bin/python tools/check_machines.py --jobs 1

Exit status 0 when nothing failed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SETTINGS: dict[str, dict[str, str]] = {
    "pinned": {},
    "native": {"LRBOOK_NATIVE_NUMERICS": "1"},
    "avx2": {
        "LRBOOK_NATIVE_NUMERICS": "1",
        "ATEN_CPU_CAPABILITY": "avx2",
        "MKL_ENABLE_INSTRUCTIONS": "AVX2",
    },
    "portable": {"LRBOOK_NATIVE_NUMERICS": "1", "ATEN_CPU_CAPABILITY": "default"},
    "simulated": {
        "ATEN_CPU_CAPABILITY": "avx2",
        "MKL_ENABLE_INSTRUCTIONS": "AVX2",
        "ONEDNN_MAX_CPU_ISA": "AVX2",
        "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
        "OPENBLAS_CORETYPE": "Haswell",
    },
    "sse": {
        "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
        "ONEDNN_MAX_CPU_ISA": "SSE41",
        "NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
        "OPENBLAS_CORETYPE": "Katmai",
    },
}
_CLEARED = (
    "LRBOOK_NATIVE_NUMERICS",
    "ATEN_CPU_CAPABILITY",
    "MKL_ENABLE_INSTRUCTIONS",
    "ONEDNN_MAX_CPU_ISA",
    "NPY_DISABLE_CPU_FEATURES",
    "OPENBLAS_CORETYPE",
)
PINNED_SETTINGS = ("simulated", "sse")


def chapters(root: Path = ROOT) -> list[Path]:
    """The book's MyST notebooks: every ``book/*.md`` with a kernelspec."""
    found = []
    for path in sorted((root / "book").glob("*.md")):
        head = path.read_text(encoding="utf-8")[:2000]
        if "kernelspec:" in head:
            found.append(path)
    return found


def glued(nb) -> dict:
    """``{key: text}`` of every value a notebook glues (myst-nb's scrapbook outputs)."""
    out = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name is None:
                continue
            data = output.get("data", {})
            text = [
                v for k, v in data.items() if k.endswith(("text/plain", "markdown"))
            ]
            out[name] = "".join(text[0]) if text else repr(sorted(data))
    return out


def _run(path: str, setting: str, timeout: int):
    """Execute one chapter under one setting in a fresh kernel (a worker process)."""
    for name in _CLEARED:
        os.environ.pop(name, None)
    os.environ.update(SETTINGS[setting])
    os.environ.setdefault("LRBOOK_PROGRESS", "0")
    from jupyter_cache.executors.utils import single_nb_execution
    from myst_nb.core.read import read_myst_markdown_notebook

    nb = read_myst_markdown_notebook(Path(path).read_text(encoding="utf-8"))
    start = time.perf_counter()
    result = single_nb_execution(
        nb, cwd=str(Path(path).parent), timeout=timeout, allow_errors=False
    )
    seconds = time.perf_counter() - start
    if result.err is None:
        return path, setting, seconds, None, glued(result.nb)
    text = result.exc_string or repr(result.err)
    return path, setting, seconds, text[-2500:], {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--settings",
        nargs="+",
        choices=list(SETTINGS),
        default=["native", "avx2", "portable"],
        help="arithmetic settings to execute under (default: native avx2 portable)",
    )
    parser.add_argument(
        "--chapters",
        nargs="+",
        default=None,
        help="chapter name prefixes, e.g. ch02 ch07 (default: every notebook)",
    )
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="kernels at a time"
    )
    parser.add_argument("--timeout", type=int, default=900, help="seconds per chapter")
    parser.add_argument(
        "--glue",
        action="store_true",
        help="also run the pinned simulations (simulated, sse) and require their glued "
        "values to equal the pinned run's",
    )
    args = parser.parse_args(argv)
    if args.glue:
        extra = ["pinned", *PINNED_SETTINGS]
        args.settings = [s for s in args.settings if s not in extra] + extra
    if args.jobs < 1:
        parser.error(f"--jobs must be >= 1, got {args.jobs}")
    paths = chapters()
    if args.chapters:
        paths = [p for p in paths if any(p.name.startswith(c) for c in args.chapters)]
        if not paths:
            parser.error(f"no chapter matches {args.chapters}")
    tasks = [(str(p), s, args.timeout) for s in args.settings for p in paths]
    failures = 0
    glues: dict[tuple[str, str], dict] = {}
    with cf.ProcessPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(_run, *t) for t in tasks]
        for future in cf.as_completed(futures):
            path, setting, seconds, error, values = future.result()
            glues[(path, setting)] = values
            name = Path(path).name
            if error is None:
                print(f"ok      {setting:9s} {name:34s} {seconds:6.1f} s", flush=True)
            else:
                failures += 1
                print(f"FAILED  {setting:9s} {name:34s} {seconds:6.1f} s", flush=True)
                print("        " + error.replace("\n", "\n        "), flush=True)
    checks = len(tasks)
    if args.glue:
        for path in paths:
            reference = glues.get((str(path), "pinned"))
            for setting in PINNED_SETTINGS:
                values = glues.get((str(path), setting))
                if not reference or values is None:
                    continue
                checks += 1
                differ = sorted(
                    k
                    for k in set(reference) | set(values)
                    if reference.get(k) != values.get(k)
                )
                if differ:
                    failures += 1
                    print(f"DIFFERS {setting:9s} {path.name:34s} {len(differ)} glued")
                    for k in differ[:10]:
                        print(f"        {k}: {reference.get(k)!r} -> {values.get(k)!r}")
                else:
                    print(
                        f"same    {setting:9s} {path.name:34s} all {len(values)} glued "
                        "values equal the pinned run's"
                    )
    print(f"{checks - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
