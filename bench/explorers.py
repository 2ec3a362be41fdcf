"""Explorer performance: live redraw time, web payload size, page size.

    .venv/bin/python bench/explorers.py

Prints, each against its goal (the ratio is value / goal; <= 1 meets it):

* the median time to redraw a schedule explorer in a live kernel after a slider moves
  (compute lookup, artists updated in place, Agg render, PNG for the ipywidgets Image);
* the time to build the web version of a training-curve explorer (chapter 2's shape:
  5 schedules x 5 seeds x 12 epochs of 50 updates, synthetic noisy curves), and the
  ratio of simplifying every frame's curves one by one to lrbook's way, which
  simplifies each distinct curve once (a curve appears in many frames);
* the largest explorer payload (its whole ``text/html``) of the built site, and of the
  book's demo explorers built here;
* the largest page of the built site (``_build/html``; HTML with its inline data).

Not a test: nothing here is asserted.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import lrbook  # noqa: E402
from lrbook import explore  # noqa: E402
from lrbook.explore import payload  # noqa: E402
from lrbook.train import History  # noqa: E402

GOAL_MS, GOAL_KB, GOAL_MB = 30.0, 300.0, 2.0
EXPLORER_HTML = r'<div class="lrbook-explorer".*?</div>\s*<script>.*?</script>'


def line(what: str, value: float, unit: str, goal: float) -> None:
    print(
        f"{what:<52} {value:9.2f} {unit:<3} (goal <= {goal:g} {unit}, "
        f"ratio {value / goal:.2f})"
    )


def redraw_ms(repeats: int = 200) -> tuple[float, float]:
    ex = explore.schedule(
        lrbook.step_decay,
        {"gamma": [0.1, 0.25, 0.5, 0.75, 0.9], "step_size": [10, 20, 30, 40, 50]},
        lr=0.1,
        step_size=30,
        gamma=0.5,
        horizon=150,
    )
    ex.widget()
    slider = ex.control_widgets["gamma"]
    n = len(ex.controls[0].values)
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        slider.value = i % n  # the observer updates the figure and the Image widget
        times.append(time.perf_counter() - t0)
    log = ex.control_widgets["log:0"]
    full = []
    for _ in range(20):  # a scale change redraws everything (axes, ticks, layout)
        t0 = time.perf_counter()
        log.value = not log.value
        full.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times), 1000 * statistics.median(full)


def training_comparison(seeds: int = 5, epochs: int = 12, per_epoch: int = 50):
    """A :class:`lrbook.Comparison` of chapter 2's shape with synthetic, noisy curves
    (no training: the payload's cost depends only on the curves)."""
    rng = np.random.default_rng(0)
    histories = {}
    for k, name in enumerate(
        ["constant 0.1", "constant 0.01", "step 4", "drop 6", "drop 8"]
    ):
        runs = []
        for _ in range(seeds):
            t = np.arange(epochs * per_epoch)
            loss = 2.3 * np.exp(-t / (200 + 50 * k)) + 0.1 * rng.random(t.size) + 0.2
            ends = np.arange(1, epochs + 1)
            val = 0.3 + np.exp(-ends / (3 + k)) + 0.01 * rng.random(epochs)
            acc = 1 - val / 3
            runs.append(
                History(
                    lr=np.full(t.size, 0.1 / (k + 1)),
                    loss=loss,
                    train_loss=val,
                    train_accuracy=acc,
                    test_loss=val,
                    test_accuracy=acc,
                    val_loss=val,
                    val_accuracy=acc,
                    updates_per_epoch=per_epoch,
                )
            )
        histories[name] = runs
    return lrbook.Comparison(histories, seeds=tuple(range(seeds)))


def training_payload(repeats: int = 3) -> tuple[float, float]:
    """Seconds (fastest of ``repeats``) to simplify and pack the curves of a
    training-curve explorer's web version: lrbook's way (its series table, which
    simplifies each distinct curve once) and frame by frame (a table per frame)."""
    ex = training_comparison().explorer(title="bench")
    frames, limits = ex._all_frames(), ex.limits()
    once, each = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        payload._series_table(ex, frames, limits, payload._Pool())
        once.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for frame in frames:  # one frame at a time: nothing is reused across frames
            payload._series_table(ex, [frame], limits, payload._Pool())
        each.append(time.perf_counter() - t0)
    return min(once), min(each)


def demo_payload_kb() -> float:
    demos = [
        explore.schedule(
            lrbook.step_decay,
            {"gamma": [0.1, 0.25, 0.5, 0.75, 0.9], "step_size": [10, 20, 30, 40, 50]},
            lr=0.1,
            step_size=30,
            gamma=0.5,
            horizon=150,
        ),
        explore.compare_schedules(
            lrbook.step_decay(0.1, step_size=30, gamma=0.5),
            lrbook.cosine_annealing(0.1, t_max=100, eta_min=0.001),
            sliders={
                "lr": [0.05, 0.1, 0.2],
                "step_decay.gamma": [0.25, 0.5, 0.75],
                "cosine_annealing.t_max": [50, 75, 100, 125, 150],
            },
            horizon=150,
        ),
        explore.schedule(
            lrbook.one_cycle,
            {
                "max_lr": [0.05, 0.1, 0.2, 0.4],
                "pct_start": [0.1, 0.2, 0.3, 0.4, 0.5],
                "anneal_strategy": ["cos", "linear"],
            },
            total_steps=300,
        ),
    ]
    return max(d.payload_size() for d in demos) / 1000


def site_sizes(html_dir: Path) -> tuple[float, float, str, str] | None:
    pages = sorted(p for p in html_dir.rglob("*.html") if "_static" not in p.parts)
    if not pages:
        return None
    biggest_page, page_name, biggest_explorer, explorer_page = 0, "", 0, ""
    for page in pages:
        text = page.read_text(encoding="utf-8")
        size = len(text.encode("utf-8"))
        if size > biggest_page:
            biggest_page, page_name = size, str(page.relative_to(html_dir))
        for block in re.findall(EXPLORER_HTML, text, re.S):
            b = len(block.encode("utf-8"))
            if b > biggest_explorer:
                biggest_explorer, explorer_page = b, str(page.relative_to(html_dir))
    return biggest_explorer / 1000, biggest_page / 1e6, explorer_page, page_name


def main() -> None:
    fast, full = redraw_ms()
    line("live redraw after a slider move, median", fast, "ms", GOAL_MS)
    print(f"{'  (a log-scale switch redraws everything: ' + f'{full:.1f} ms)':<52}")
    once, each = training_payload()
    print(
        f"{'web version of a training-curve explorer: curves':<52} {once:9.2f} s   "
        f"(simplified frame by frame: {each:.2f} s; ratio {each / once:.1f})"
    )
    line("largest demo explorer payload (built here)", demo_payload_kb(), "KB", GOAL_KB)
    sizes = site_sizes(ROOT / "_build" / "html")
    if sizes is None:
        print(
            "no built site in _build/html: build it (bash tools/book.sh) for the "
            "page sizes"
        )
        return
    explorer_kb, page_mb, explorer_page, page_name = sizes
    if explorer_kb:
        line(
            f"largest explorer payload on the site ({explorer_page})",
            explorer_kb,
            "KB",
            GOAL_KB,
        )
    else:
        print("the built site has no explorer")
    line(f"largest page of the site ({page_name})", page_mb, "MB", GOAL_MB)


if __name__ == "__main__":
    main()
