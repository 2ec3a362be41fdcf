"""The front matter states only what the book shows: the schedules it covers and the
size of the parity test it quotes."""

from __future__ import annotations

import importlib.util
import inspect
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"


def _code_cells(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return "\n".join(re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", text, flags=re.S))


def _test_schedules():
    """tests/schedules/test_schedules.py as a module (its strategies and parity
    settings)."""
    spec = importlib.util.spec_from_file_location(
        "_lrbook_test_schedules", ROOT / "tests" / "schedules" / "test_schedules.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)
    return module


def test_every_pytorch_scheduler_is_run_in_a_chapter():
    # the intro: "write every schedule PyTorch ships ... and use it in PyTorch"
    tls = pytest.importorskip("torch.optim.lr_scheduler")
    shipped = {
        name
        for name, obj in vars(tls).items()
        if inspect.isclass(obj)
        and not name.startswith("_")
        and name != "LRScheduler"
        and (issubclass(obj, tls.LRScheduler) or name == "ReduceLROnPlateau")
    }
    assert len(shipped) >= 15, sorted(shipped)
    chapters = sorted(BOOK.glob("ch0*.md"))
    prose = "\n".join(p.read_text(encoding="utf-8") for p in chapters)
    code = "\n".join(_code_cells(p) for p in chapters)
    unnamed = sorted(n for n in shipped if not re.search(rf"\b{n}\b", prose))
    assert not unnamed, f"PyTorch schedulers no chapter names: {unnamed}"
    # run: built by name in a chapter's code, or the twin of an lrbook schedule, which
    # the chapters' parity cells build through lrbook.torch_reference
    from lrbook.schedules import registry

    twins = {d.pytorch for d in registry.declarations() if d.build is not None}
    unrun = sorted(n for n in shipped if not re.search(rf"\b{n}\(", code) and n not in twins)
    assert not unrun, f"PyTorch schedulers no chapter runs: {unrun}"


def test_the_intro_quotes_the_real_size_of_the_parity_test():
    text = " ".join((BOOK / "intro.md").read_text(encoding="utf-8").split())
    said = re.search(
        r"each of the (\d+) schedules that have a PyTorch counterpart, on (\d+) "
        r"settings per schedule drawn at random by Hypothesis \((\d+) in all\), and on "
        r"(\d+) settings that are known traps",
        text,
    )
    assert said, "the intro's sentence on the parity test has changed: update this test"
    families, per, total, traps = map(int, said.groups())
    module = _test_schedules()
    assert families == len(module.ALL)
    assert per == module.PARITY.max_examples
    assert total == families * per
    (parametrize,) = [
        m for m in module.test_parity_known_traps.pytestmark if m.name == "parametrize"
    ]
    assert traps == len(parametrize.args[1])
