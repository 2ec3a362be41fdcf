"""The built website, opened in headless Chromium with the network cut.

For every page of the table of contents: no request leaves 127.0.0.1, the console has
no error, MathJax (served by the site itself) typeset every formula, and every explorer
responds: the test moves each control with the keyboard and checks that what the page
draws equals the values ``lrbook`` computes here, in the test process. Full-page
screenshots go to ``_build/screenshots/``: ``<page>.png`` as loaded (light theme) and
``<page>-dark.png`` after the test moved the controls (dark theme).
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
import yaml
from _load import load

import lrbook
from booktools import twins as TWINS
from lrbook import explore
from lrbook.explore.tex import _tex_runs

pytestmark = pytest.mark.e2e  # builds the book, opens its pages in Chromium
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "_build" / "screenshots"
EXPLORER_HTML = r'<div class="lrbook-explorer".*?</div>\s*<script>.*?</script>'


TOC_FILES = TWINS.toc_files(ROOT)
PAGES = [p.relative_to(ROOT).with_suffix(".html").as_posix() for p in TOC_FILES]
NOTEBOOKS = [
    p.relative_to(ROOT).with_suffix("").as_posix() for p in TWINS.notebooks(ROOT)
]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------
# The HTML files themselves
# --------------------------------------------------------------------------------------


def test_every_toc_page_is_built(built_site):
    missing = [p for p in PAGES if not (built_site / p).is_file()]
    assert not missing, f"pages listed in _toc.yml but not built: {missing}"


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_nothing_from_other_hosts(built_site, page):
    html = (built_site / page).read_text(encoding="utf-8")
    assert "application/vnd.jupyter.widget-" not in html, (
        "a widget view or widget state would be dead on a static page"
    )
    for needle in (
        "require.js",
        "require.min.js",
        "embed-amd",
        "html-manager",
        "fonts.googleapis",
        "fonts.gstatic",
        "cdn.jsdelivr",
        "unpkg.com",
        "cdnjs.cloudflare",
        "thebe@",
    ):
        assert needle not in html, f"{page} refers to {needle}"
    # resources the browser would fetch (scripts, styles, images, fonts, iframes)
    fetched = re.findall(
        r"<(?:script|img|iframe|source|embed)\b[^>]*\bsrc=\"([^\"]+)\"", html
    )
    fetched += re.findall(r"<link\b[^>]*\bhref=\"([^\"]+)\"", html)
    fetched += re.findall(r"url\(['\"]?(https?:[^)'\"]+)", html)
    outside = [
        u
        for u in fetched
        if urlsplit(u).scheme in ("http", "https") or u.startswith("//")
    ]
    assert not outside, f"{page} loads from other hosts: {outside}"


def test_mathjax_is_served_by_the_site(built_site):
    assert (built_site / "_static" / "mathjax" / "tex-chtml.js").is_file()
    fonts = list((built_site / "_static" / "mathjax").rglob("*.woff"))
    assert fonts, "MathJax's fonts must be copied with it"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_launch_and_download_buttons(built_site, name):
    html = (built_site / f"{name}.html").read_text(encoding="utf-8")
    repo = CONFIG["repository"]["url"].rstrip("/")
    branch = CONFIG["repository"]["branch"]
    org_repo = urlsplit(repo).path.strip("/")
    colab = f"https://colab.research.google.com/github/{org_repo}/blob/{branch}/{name}.ipynb"
    assert colab in html, f"the Colab button must open the .ipynb twin: {colab}"
    assert (ROOT / f"{name}.ipynb").is_file(), "the twin the Colab button opens"
    binder = (
        f"https://mybinder.org/v2/gh/{org_repo}/{branch}?urlpath=lab/tree/{name}.ipynb"
    )
    assert binder in html, f"missing Binder button {binder}"
    assert "download-notebook-button" in html and "download-source-button" in html
    assert (built_site / "_sources" / f"{name}.ipynb").is_file(), (
        "the download button's .ipynb"
    )


def test_static_figures_are_rendered(built_site):
    """The chapters' matplotlib figures appear (MPLBACKEND=Agg in a kernel hid them)."""
    html = (built_site / "book" / "schedules-at-a-glance.html").read_text("utf-8")
    outputs = re.findall(
        r'<div class="cell_output docutils container">(.*?)</div>\n</div>', html, re.S
    )
    assert any("<img" in o for o in outputs), "the page's static figure is missing"


# --------------------------------------------------------------------------------------
# In the browser
# --------------------------------------------------------------------------------------

WAIT_READY = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const roots = Array.from(document.querySelectorAll('[data-lrbook-explorer]'));
  await Promise.all(roots.map(r => r.lrbookExplorer && r.lrbookExplorer.whenReady));
  return roots.length;
}"""

EXPLORERS = """() => Array.from(document.querySelectorAll('[data-lrbook-explorer]'))
.map(r => ({
  id: r.id,
  ready: !!(r.lrbookExplorer && r.lrbookExplorer.isReady()),
  error: r.getAttribute('data-error'),
  recipe: r.lrbookExplorer ? r.lrbookExplorer.recipe() : null,
  check: r.lrbookExplorer ? r.lrbookExplorer.check() : null,
  controls: r.lrbookExplorer ? r.lrbookExplorer.controls() : [],
  panels: r.querySelectorAll('svg.lrx-svg').length,
}))"""

STATE = """(id) => {
  const h = document.getElementById(id).lrbookExplorer;
  const svgs = Array.from(document.getElementById(id).querySelectorAll('svg.lrx-svg'));
  return {indices: h.indices(), series: h.currentSeries(), note: h.note(),
          ylabels: h.ylabels(),
          scales: svgs.map(s => s.getAttribute('data-yscale')),
          paths: svgs.map(s => Object.fromEntries(
            Array.from(s.querySelectorAll('path[data-series]'))
              .filter(p => p.getAttribute('d'))
              .map(p => [p.getAttribute('data-series'),
                         +p.getAttribute('data-points')])))};
}"""

MATH = """() => {
  const article = document.querySelector('article') || document.body;
  const maths = Array.from(article.querySelectorAll('.math'));
  const untypeset = maths.filter(m => !m.querySelector('mjx-container')).length;
  const clone = article.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, .lrbook-explorer, mjx-container, '
                         + '.cell_output').forEach(n => n.remove());
  return {maths: maths.length, untypeset: untypeset,
          containers: article.querySelectorAll('mjx-container').length,
          text: clone.textContent};
}"""


def _plain(label: str) -> str:
    """A label as the page writes it as text (its runs joined, without TeX)."""
    return "".join(t for t, _ in _tex_runs(label))


def _values(ex: explore.Explorer, indices: dict) -> dict:
    return {c.name: c.values[indices[c.name]] for c in ex.controls}


def _assert_drawn_is(drawn: list, expected: list, where: str) -> None:
    """The drawn points are a subsequence of the expected ones (the web version drops
    points the eye cannot see), ends included, each equal up to float32 rounding."""
    assert len(drawn) == len(expected), where
    for p, (dpanel, epanel) in enumerate(zip(drawn, expected, strict=False)):
        assert set(dpanel) == set(epanel), f"{where}, panel {p}: series differ"
        for name, (ex, ey) in epanel.items():
            dx = np.asarray(dpanel[name]["x"], dtype=np.float64)
            dy = np.asarray(dpanel[name]["y"], dtype=np.float64)
            scale = max(float(np.max(np.abs(ey))), float(np.max(np.abs(ex))), 1e-300)

            def close(a, b, scale=scale):
                return np.isclose(a, b, rtol=1e-6, atol=1e-9 * scale)

            assert dx.size >= 1, f"{where}: {name} draws nothing"
            assert close(dx[0], ex[0]) and close(dy[0], ey[0]), (
                f"{where}: {name} starts at ({dx[0]}, {dy[0]}), lrbook at "
                f"({ex[0]}, {ey[0]})"
            )
            assert close(dx[-1], ex[-1]) and close(dy[-1], ey[-1]), (
                f"{where}: {name} ends at ({dx[-1]}, {dy[-1]}), lrbook at ({ex[-1]}, "
                f"{ey[-1]})"
            )
            j = 0
            for i in range(dx.size):
                while j < ex.size and not (close(dx[i], ex[j]) and close(dy[i], ey[j])):
                    j += 1
                assert j < ex.size, (
                    f"{where}: {name} draws ({dx[i]}, {dy[i]}), "
                    f"which is not lrbook's value there"
                )
                j += 1


def _assert_schedule_notes(state: dict, where: str) -> None:
    """Independent check of schedule explorers: the note names the lrbook call of each
    curve; evaluating it here must give the drawn values at the drawn steps."""
    namespace = {k: getattr(lrbook, k) for k in lrbook.__all__}
    calls = [line for line in (state["note"] or "").splitlines() if line]
    drawn = state["series"][0]
    assert len(calls) == len(drawn), f"{where}: one call per curve: {calls}"
    for call, xy in zip(calls, drawn.values(), strict=False):
        s = eval(call, {"__builtins__": {}}, namespace)  # noqa: S307 (an lrbook repr)
        assert isinstance(s, lrbook.Schedule), f"{where}: {call}"
        t = np.asarray(xy["x"], dtype=np.int64)
        np.testing.assert_allclose(
            xy["y"], s(t), rtol=1e-6, atol=1e-12, err_msg=f"{where}: {call}"
        )


def _exercise(page, info: dict, idle_seen: list) -> int:
    """Move every control of one explorer and compare the drawing with lrbook.

    A disabled control (idle: lrbook computed that it changes nothing now) is moved
    through the page's API instead, and must change nothing; it goes into
    ``idle_seen``."""
    eid = info["id"]
    root = page.locator(f"#{eid}")
    rebuilt = explore.rebuild(info["recipe"]) if info["recipe"] else None
    is_schedule = bool(info["recipe"]) and info["recipe"]["call"] in (
        "lrbook.explore.schedule",
        "lrbook.explore.compare_schedules",
    )
    checks = 0

    def verify(where: str, before=None) -> dict:
        nonlocal checks
        state = page.evaluate(STATE, eid)
        for p, paths in enumerate(state["paths"]):
            assert paths == {k: len(v["x"]) for k, v in state["series"][p].items()}, (
                f"{where}: the SVG paths do not show the current data"
            )
        disabled = root.locator("[data-control]:disabled").evaluate_all(
            "els => els.map(e => e.dataset.control)"
        )
        idle_seen.extend(f"{eid}:{name}" for name in disabled)
        if rebuilt is not None:
            values = _values(rebuilt, state["indices"])
            idle = rebuilt.set(**values).idle
            assert sorted(disabled) == sorted(idle), (
                f"{where}: disabled {disabled}, but lrbook finds idle {sorted(idle)}"
            )
            expected = rebuilt.series(**values)
            _assert_drawn_is(state["series"], expected, f"{eid} at {values}")
            assert state["note"] == rebuilt.set(**values).note(), where
            labels = [_plain(t) for t in rebuilt.set(**values).ylabels]
            assert state["ylabels"] == labels, f"{where}: y labels are not lrbook's"
            if is_schedule:
                _assert_schedule_notes(state, where)
        if before is not None:
            assert state["series"] != before["series"], (
                f"{where}: the drawing did not change"
            )
        checks += 1
        return state

    state = verify(f"{eid} as loaded")
    for control in info["controls"]:
        name, n = control["name"], len(control["labels"])
        target = root.locator(f'[data-control="{name}"]')
        assert target.count() == 1, f"{eid}: control {name} is not on the page"
        label = root.locator(f'label[for="{target.get_attribute("id")}"]')
        assert label.count() == 1 and label.inner_text().strip(), (
            f"{eid}: control {name} has no label"
        )
        start = state["indices"][name]
        if target.is_disabled():
            # idle: lrbook found it changes nothing now. It says why, and moving it
            # anyway (through the page's API) indeed leaves the drawing unchanged.
            reason = root.locator(f'[id="{target.get_attribute("id")}-idle"]')
            assert reason.is_visible() and reason.inner_text().strip(), (
                f"{eid}: control {name} is disabled without a reason shown"
            )
            assert target.get_attribute("aria-describedby") == reason.get_attribute(
                "id"
            ), f"{eid}: the reason of idle control {name} is not its description"
            if rebuilt is not None:
                assert name in rebuilt.set(**_values(rebuilt, state["indices"])).idle
            for other in (i for i in range(n) if i != start):
                page.evaluate(
                    "([id, n, i]) => document.getElementById(id).lrbookExplorer"
                    ".setIndex(n, i)",
                    [eid, name, other],
                )
                moved = verify(f"{eid}: idle {name} moved by script")
                assert moved["series"] == state["series"], (
                    f"{eid}: idle control {name} changes the drawing"
                )
            page.evaluate(
                "([id, n, i]) => document.getElementById(id).lrbookExplorer"
                ".setIndex(n, i)",
                [eid, name, start],
            )
            continue
        if control["kind"] == "slider":
            target.focus()
            page.keyboard.press("Home" if start == n - 1 else "End")
            state = verify(f"{eid}: {name} moved with the keyboard", state)
            assert state["indices"][name] in (0, n - 1)
            output = root.locator(f'output[for="{target.get_attribute("id")}"]')
            assert (
                output.inner_text().strip() == control["labels"][state["indices"][name]]
            ), f"{eid}: {name} does not show its value"
            page.keyboard.press("ArrowLeft" if state["indices"][name] else "ArrowRight")
            state = verify(f"{eid}: {name} one step", state)
        elif control["kind"] == "dropdown":
            if n > 1:
                target.select_option(index=(start + 1) % n)
                state = verify(f"{eid}: {name} selected", state)
        else:
            target.focus()
            page.keyboard.press("Space")
            state = verify(f"{eid}: {name} toggled", state)
    for p in range(info["panels"]):
        log = root.locator(f'[data-control="log:{p}"]')
        if log.count():
            before = state["scales"][p]
            log.focus()
            page.keyboard.press("Space")
            state = verify(f"{eid}: log scale of panel {p}")
            assert state["scales"][p] != before, f"{eid}: the log toggle does nothing"
    if rebuilt is None:
        check = info["check"]
        assert check, f"{eid}: no recipe and no embedded check values"
        for c, i in zip(info["controls"], check["index"], strict=False):
            page.evaluate(
                "([id, n, i]) => document.getElementById(id).lrbookExplorer"
                ".setIndex(n, i)",
                [eid, c["name"], i],
            )
        state = page.evaluate(STATE, eid)
        expected = [
            {
                k: tuple(np.frombuffer(base64.b64decode(b), "<f8") for b in v)
                for k, v in panel.items()
            }
            for panel in check["series"]
        ]
        _assert_drawn_is(state["series"], expected, f"{eid} (embedded check)")
        assert state["ylabels"] == check["ylabels"], (
            f"{eid} (embedded check): the y labels drawn are not lrbook's"
        )
        checks += 1
    return checks


@pytest.mark.parametrize("page_path", PAGES)
def test_page_in_browser(browser, site_url, page_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    outside, errors = [], []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    def route(r):
        url = r.request.url
        if url.startswith(site_url) or url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    try:
        page.goto(site_url + page_path, wait_until="load")
        n_explorers = page.evaluate(WAIT_READY)
        math = page.evaluate(MATH)
        assert math["untypeset"] == 0, f"{math['untypeset']} formulas not typeset"
        leftovers = [t for t in ("$$", "\\(", "\\[", "\\begin{") if t in math["text"]]
        assert not leftovers, f"raw TeX left on the page: {leftovers}"
        if (ROOT / page_path).with_suffix(".md").read_text("utf-8").count("$") >= 2:
            assert math["containers"] > 0, "the page has formulas: MathJax must run"
        name = page_path.replace("/", "-").removesuffix(".html")
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        infos = page.evaluate(EXPLORERS)
        assert len(infos) == n_explorers
        idle_seen: list = []
        for info in infos:
            assert info["ready"], (
                f"explorer {info['id']} did not start: {info['error']}"
            )
            assert _exercise(page, info, idle_seen) >= 2
        if "ch06" in page_path:
            # CyclicLR's gamma acts in exp_range only: disabled, with its reason
            assert any(s.endswith(":gamma") for s in idle_seen), idle_seen
        page.evaluate(
            "() => { document.activeElement && document.activeElement.blur();"
            " window.scrollTo(0, 0); }"
        )
        page.emulate_media(color_scheme="dark")
        page.evaluate("() => { document.documentElement.dataset.theme = 'dark'; }")
        page.screenshot(path=str(SHOTS / f"{name}-dark.png"), full_page=True)
        assert not outside, f"requests to other hosts: {outside}"
        assert not errors, f"console errors: {errors}"
    finally:
        context.close()


def _unit_tests_module():
    return load("tests/explore/test_explore.py", "lrbook_test_explore_samples")


def test_custom_explorers_in_browser(browser):
    """A chapter-style explorer (two panels: a path with markers over contours and an
    image, and a log-scaled loss; no recipe, so it embeds values to check) and a
    three-schedule comparison, in a bare page: same checks as on the site."""
    samples = _unit_tests_module()
    explorers = [samples.gd_explorer(), samples.two_schedules()]
    body = "".join(
        f"<h2>explorer {i}</h2>{ex.to_html()}" for i, ex in enumerate(explorers)
    )
    outside, errors = [], []
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()

    def route(r):
        outside.append(r.request.url)
        r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    try:
        page.set_content(
            f"<!doctype html><html><head><meta charset='utf-8'></head>"
            f"<body style='font-family:sans-serif;max-width:1000px'>{body}"
            f"</body></html>"
        )
        assert page.evaluate(WAIT_READY) == 2
        infos = page.evaluate(EXPLORERS)
        assert [i["panels"] for i in infos] == [2, 1]
        assert infos[0]["recipe"] is None and infos[0]["check"]
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "custom-explorers.png"), full_page=True)
        for info in infos:
            assert info["ready"], info["error"]
            assert _exercise(page, info, []) >= 2
        assert page.locator("image.lrx-image").count() == 1
        assert page.locator("path.lrx-contour").count() == 3
        assert page.locator("g[data-series=path] circle").count() == 21
        assert not outside, f"requests to other hosts: {outside}"
        assert not errors, f"console errors: {errors}"
    finally:
        context.close()


def test_explorer_ids_are_unique(built_site):
    for page in PAGES:
        html = (built_site / page).read_text(encoding="utf-8")
        ids = re.findall(r'data-lrbook-explorer="([^"]+)"', html)
        assert len(ids) == len(set(ids)), f"{page}: duplicate explorer ids {ids}"


def test_explorers_fit_their_budget(built_site):
    total = 0
    for page in PAGES:
        html = (built_site / page).read_text(encoding="utf-8")
        page_bytes = len(html.encode("utf-8"))
        assert page_bytes <= 2_000_000, f"{page} is {page_bytes / 1e6:.2f} MB"
        for block in re.findall(EXPLORER_HTML, html, re.S):
            size = len(block.encode("utf-8"))
            assert size <= explore.MAX_BYTES, f"{page}: an explorer is {size / 1e3} KB"
        total += page_bytes
    assert total > 0


def test_recipes_are_json(built_site):
    for page in PAGES:
        html = (built_site / page).read_text(encoding="utf-8")
        for raw in re.findall(
            r'<script type="application/json" class="lrx-spec">(.*?)'
            r"</script>",
            html,
            re.S,
        ):
            spec = json.loads(raw.replace("<\\/", "</"))
            assert spec["id"].startswith("lrx-")
