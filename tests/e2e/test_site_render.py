"""How the built website renders on a phone (390 px) and a desktop (1,280 px).

For every page of the table of contents, at both widths, in headless Chromium:

- no page is wider than the screen (a long formula, code literal or table scrolls inside
  its own box), and nothing is cut off without a way to scroll to it (an inline formula,
  an explorer's slider values and menus);
- no raw TeX (``$``, ``\\(``, ``\\frac``...) is left outside MathJax's output;
- no exercise shows failure feedback before the reader has answered anything;
- the navigation works: on a phone the ☰ button opens the table of contents (every
  page's link visible) and the page-contents button opens the page's sections; on a
  desktop ☰ collapses and expands the sidebar;
- the text of every matplotlib figure, and of every explorer's drawing, is at least
  10 px high as displayed.

Figure text is measured from the figure's own numbers, not from its pixels: the book's
smallest figure text is ``lrbook.plotting.FONT["small"]`` points, which at the PNG's
resolution (its pHYs chunk, in dots per inch) is ``FONT["small"] * dpi / 72`` image
pixels high; the browser scales the image by its displayed width over its natural
width. (A figure drawn with a smaller font than the book's style would escape this
check; the book's figures use the style.)

The sources are checked too: a line of a chapter that starts with ``+ ``, ``- `` or
``* `` inside a formula is read by Markdown as a list item and breaks the formula
(this garbled Solution 7.3). Those checks need no build: they are not marked ``e2e``.

Screenshots (viewport, light and dark) go to ``_build/screenshots/render/``.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

from booktools import twins as TWINS
from lrbook.plotting import FONT

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "_build" / "screenshots" / "render"

TOC_FILES = TWINS.toc_files(ROOT)
PAGES = [p.relative_to(ROOT).with_suffix(".html").as_posix() for p in TOC_FILES]
MIN_TEXT_PX = 10.0

WIDTHS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 1,
    },
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}

WAIT_READY = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const roots = Array.from(document.querySelectorAll('[data-lrbook-explorer]'));
  await Promise.all(roots.map(r => r.lrbookExplorer && r.lrbookExplorer.whenReady));
  return roots.length;
}"""

# Everything that is wider than it shows, without a way to scroll to the rest.
CLIPPED = """() => {
  const out = [];
  const describe = (el) => {
    const text = (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
    return el.tagName.toLowerCase() + '.' + Array.from(el.classList).join('.')
      + ' "' + text + '"';
  };
  // A formula is cut off when what MathJax drew (mjx-math) ends past the end of its box
  // and the box cannot scroll (pydata-sphinx-theme's span.math has overflow: hidden).
  for (const m of document.querySelectorAll('article span.math, article div.math')) {
    const drawn = m.querySelector('mjx-math');
    if (!drawn || !m.getClientRects().length) continue;
    const ox = getComputedStyle(m).overflowX;
    const hidden = drawn.getBoundingClientRect().right - m.getBoundingClientRect().right;
    if ((ox === 'hidden' || ox === 'clip') && hidden > 1) {
      out.push(describe(m) + ' cuts off ' + Math.round(hidden) + ' px of its formula');
    }
  }
  const sel = 'p, li, td, th, dd, .lrbook-explorer, .lrx-controls, .cell_output, '
            + '.admonition';
  for (const el of document.querySelectorAll('article ' + sel)) {
    if (!el.getClientRects().length) continue;          // not displayed (collapsed)
    const ox = getComputedStyle(el).overflowX;
    if ((ox === 'hidden' || ox === 'clip') && el.scrollWidth > el.clientWidth + 1) {
      out.push(describe(el) + ' hides ' + (el.scrollWidth - el.clientWidth) + ' px');
    }
  }
  // An explorer's controls (sliders, their values, menus) stay inside the explorer.
  for (const root of document.querySelectorAll('.lrbook-explorer')) {
    const box = root.getBoundingClientRect();
    if (!box.width) continue;
    for (const c of root.querySelectorAll('.lrx-controls input, .lrx-controls select, '
                                          + '.lrx-controls output, .lrx-controls label')) {
      const r = c.getBoundingClientRect();
      if (r.width && r.right > box.right + 1) {
        out.push('in ' + root.id + ': ' + describe(c) + ' reaches '
                 + Math.round(r.right - box.right) + ' px past the explorer');
      }
    }
  }
  return out;
}"""

WIDEST = """(limit) => {
  const out = [];
  const scrolls = (el) => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(a).overflowX)
          && a !== document.body && a !== document.documentElement) return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll('article *')) {
    const r = el.getBoundingClientRect();
    if (r.right > limit + 1 && el.children.length === 0 && !scrolls(el)) {
      out.push(el.tagName.toLowerCase() + ' "' + (el.textContent || '').trim()
               .slice(0, 50) + '" ends at ' + Math.round(r.right));
    }
  }
  return out.slice(0, 8);
}"""

RAW_TEX = """() => {
  const article = document.querySelector('article') || document.body;
  const clone = article.cloneNode(true);
  clone.querySelectorAll('pre, code, script, style, .lrbook-explorer, mjx-container, '
                         + '.cell_output, .MathJax_Preview').forEach(n => n.remove());
  return clone.textContent;
}"""

# Boxes (formulas, tables), at their start, that hide content without the fade
# (lrbook-scroll-more) that tells the reader so, or fade although nothing is hidden.
NO_SCROLL_CUE = """() => [...document.querySelectorAll(
    '.bd-article div.math, .bd-article span.math, '
    + '.bd-article mjx-container[display="true"], '
    + '.bd-article .pst-scrollable-table-container')]
  .filter(b => b.getClientRects().length && b.scrollLeft < 1
               && !b.querySelector('span.math, mjx-container[display="true"]'))
  .map(b => {
    // what is cut off at the right: the glyphs past the box's edge (a formula), or
    // the width that scrolls (a table)
    const edge = b.getBoundingClientRect().right;
    const glyphs = [...b.querySelectorAll('mjx-c, mjx-utext')]
      .map(g => g.getBoundingClientRect()).filter(r => r.width > 0);
    const hidden = glyphs.length
      ? Math.max(...glyphs.map(r => r.right)) - edge
      : b.scrollWidth - b.clientWidth;
    const fades = b.classList.contains('lrbook-scroll-more');
    const text = b.textContent.slice(0, 60);
    if (hidden > 4 && !fades) return 'hides ' + Math.round(hidden) + ' px with no fade: ' + text;
    if (hidden <= 0 && fades) return 'fades although nothing is hidden: ' + text;
    return null;
  })
  .filter(x => x)"""

MATH_BACKSLASH = """() => [...document.querySelectorAll('article mjx-container')]
  .map(m => m.textContent).filter(t => t.includes(String.fromCharCode(92)))"""

FIGURES = """() => Array.from(document.querySelectorAll('article .cell_output img'))
  .filter(img => img.getClientRects().length && img.naturalWidth)
  .map(img => ({src: new URL(img.src).pathname, natural: img.naturalWidth,
                shown: img.getBoundingClientRect().width}))"""

TOGGLE = """(selector) => {
  const visible = Array.from(document.querySelectorAll(selector))
    .filter(b => { const r = b.getBoundingClientRect(); return r.width && r.height; });
  return visible.length;
}"""


def png_dpi(path: Path) -> float:
    """The resolution a PNG declares (pHYs, pixels per metre), in dots per inch;
    matplotlib writes the figure's dpi there. 100 (the book's dpi) when absent."""
    data = path.read_bytes()
    pos = 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"pHYs":
            ppu_x, _, unit = struct.unpack(">IIB", data[pos + 8 : pos + 17])
            if unit == 1:
                return ppu_x * 0.0254
        if kind == b"IDAT":
            break
        pos += 12 + length
    return 100.0


def _visible(page, selector: str):
    return page.locator(f"{selector} >> visible=true").first


def _check_navigation(page, width: str) -> list[str]:
    problems = []
    if width == "phone":
        if not page.evaluate(TOGGLE, ".primary-toggle"):
            return ["no visible ☰ (site navigation) button"]
        _visible(page, ".primary-toggle").click()
        dialog = page.locator("#pst-primary-sidebar-modal")
        try:
            page.wait_for_function(
                "() => document.querySelector('#pst-primary-sidebar-modal').open",
                timeout=3000,
            )
        except Exception:  # noqa: BLE001 (reported below)
            return ["☰ did not open the navigation"]
        links = dialog.locator("a.reference.internal >> visible=true")
        hrefs = {
            (links.nth(i).get_attribute("href") or "").split("#")[0].split("/")[-1]
            for i in range(links.count())
        }
        wanted = {Path(p).name for p in PAGES}
        missing = wanted - hrefs - {Path(page.url).name}
        if missing:
            problems.append(f"the open navigation lacks links to {sorted(missing)}")
        page.keyboard.press("Escape")
        page.wait_for_function(
            "() => !document.querySelector('#pst-primary-sidebar-modal').open",
            timeout=3000,
        )
        if page.evaluate(TOGGLE, ".secondary-toggle"):
            _visible(page, ".secondary-toggle").click()
            try:
                page.wait_for_function(
                    "() => document.querySelector('#pst-secondary-sidebar-modal').open",
                    timeout=3000,
                )
                page.keyboard.press("Escape")
            except Exception:  # noqa: BLE001
                problems.append("the page-contents button did not open the contents")
    else:
        sidebar = page.locator("#pst-primary-sidebar")
        if not sidebar.is_visible():
            return ["the sidebar is not shown on a desktop"]
        if not page.evaluate(TOGGLE, ".primary-toggle"):
            return ["no visible ☰ button on a desktop"]
        _visible(page, ".primary-toggle").click()
        page.wait_for_timeout(400)
        if sidebar.is_visible() and sidebar.bounding_box()["width"] > 1:
            problems.append("☰ does not collapse the sidebar on a desktop")
        _visible(page, ".primary-toggle").click()
        page.wait_for_timeout(400)
        if not sidebar.is_visible():
            problems.append("☰ does not bring the sidebar back on a desktop")
    return problems


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("page_path", PAGES)
@pytest.mark.e2e
def test_page_renders(browser, site_url, built_site, page_path, width):
    settings = WIDTHS[width]
    screen = settings["viewport"]["width"]
    context = browser.new_context(**settings)
    page = context.new_page()
    page.route(
        "**/*",
        lambda r: r.continue_()
        if r.request.url.startswith((site_url, "data:", "blob:"))
        else r.abort(),
    )
    problems: list[str] = []
    try:
        page.goto(site_url + page_path, wait_until="load")
        page.evaluate(WAIT_READY)
        name = page_path.replace("/", "-").removesuffix(".html")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"))

        # 1. nothing wider than the screen, nothing cut off
        wide = page.evaluate(
            "() => Math.max(document.documentElement.scrollWidth,"
            " document.body.scrollWidth)"
        )
        if wide > screen:
            problems.append(
                f"the page is {wide} px wide on a {screen} px screen: "
                f"{page.evaluate(WIDEST, screen)}"
            )
        problems += page.evaluate(CLIPPED)
        for text in page.evaluate(NO_SCROLL_CUE):
            problems.append(f"a formula or table box {text!r}")

        # 2. no raw TeX
        text = page.evaluate(RAW_TEX)
        for needle in ("$", "\\(", "\\[", "\\frac", "\\begin", "\\alpha"):
            if needle in text:
                at = text.index(needle)
                problems.append(
                    f"raw TeX {needle!r} on the page: ...{text[max(0, at - 40) : at + 40]!r}"
                )

        # 2b. no macro left as text inside typeset math (MathJax shows a macro it
        # does not know in a text box, e.g. \texttt{exp\_range} as "exp\_range")
        for shown in page.evaluate(MATH_BACKSLASH):
            problems.append(f"typeset math shows a backslash: {shown[:80]!r}")

        # 3. no failure feedback before any answer
        wrong = page.locator(".lrbook-check-wrong")
        if wrong.count():
            problems.append(
                f"{wrong.count()} exercise(s) show failure feedback before any answer: "
                f"{wrong.first.inner_text()[:120]!r}"
            )

        # 4. figure text of at least 10 px
        for fig in page.evaluate(FIGURES):
            local = built_site / fig["src"].lstrip("/")
            if local.suffix.lower() != ".png" or not local.exists():
                continue
            px = FONT["small"] * png_dpi(local) / 72 * fig["shown"] / fig["natural"]
            if px < MIN_TEXT_PX:
                problems.append(
                    f"figure {local.name} ({fig['natural']} px wide, shown at "
                    f"{fig['shown']:.0f} px): its smallest text is {px:.1f} px"
                )

        # 4b. explorer drawings (SVG) too: font size times the drawing's scale
        for svg in page.evaluate(EXPLORER_TEXT):
            if svg["px"] < MIN_TEXT_PX:
                problems.append(
                    f"explorer {svg['id']} panel {svg['panel']} (drawn {svg['units']} "
                    f"units wide, shown at {svg['shown']:.0f} px): its smallest text is "
                    f"{svg['px']:.1f} px"
                )

        # 4c. an explorer's y label clear of its tick labels
        for clash in page.evaluate(EXPLORER_OVERLAP):
            problems.append(
                f"explorer {clash['id']} panel {clash['panel']}: the y label overlaps "
                f"the tick label {clash['tick']!r}"
            )

        # 5. the navigation works
        problems += _check_navigation(page, width)

        page.emulate_media(color_scheme="dark")
        page.evaluate("() => { document.documentElement.dataset.theme = 'dark'; }")
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(SHOTS / f"{name}-{width}-dark.png"))
    finally:
        context.close()
    assert not problems, f"{page_path} at {screen} px:\n" + "\n".join(problems)


# The smallest text of each explorer drawing as displayed: its font size (SVG units)
# times the drawing's scale (shown width over its viewBox width).
EXPLORER_TEXT = """() => [...document.querySelectorAll('svg.lrx-svg')]
  .filter(s => s.getBoundingClientRect().width > 0)
  .map(s => {
    const shown = s.getBoundingClientRect().width, units = s.viewBox.baseVal.width;
    const sizes = [...s.querySelectorAll('text')]
      .map(t => parseFloat(t.getAttribute('font-size'))).filter(x => x > 0);
    return {id: s.closest('.lrbook-explorer').id, panel: s.dataset.panel, units: units,
            shown: shown, px: sizes.length ? Math.min(...sizes) * shown / units : 99};
  })"""


# Explorer panels whose rotated y label overlaps one of its tick labels (as drawn).
EXPLORER_OVERLAP = """() => {
  const out = [];
  for (const s of document.querySelectorAll('svg.lrx-svg')) {
    if (!s.getBoundingClientRect().width) continue;
    const label = [...s.querySelectorAll('text')]
      .find(t => (t.getAttribute('transform') || '').includes('rotate(-90)'));
    if (!label) continue;
    const a = label.getBoundingClientRect();
    for (const t of s.querySelectorAll('text[text-anchor="end"]')) {
      const b = t.getBoundingClientRect();
      if (a.left < b.right - 0.5 && b.left < a.right - 0.5 &&
          a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) {
        out.push({id: s.closest('.lrbook-explorer').id, panel: s.dataset.panel,
                  tick: t.textContent});
      }
    }
  }
  return out;
}"""


MATH_LIST_LINE = re.compile(r"^\s*[-+*] ")


def _math_list_lines(text: str) -> list[tuple[int, str]]:
    """Lines outside code that start with a list marker inside a formula (inside a
    ``$$`` block, or after an odd number of ``$`` in the same paragraph)."""
    found, paragraph, in_code = [], [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            in_code, paragraph = not in_code, []
            continue
        if in_code:
            continue
        if not line.strip():
            paragraph = []
            continue
        if MATH_LIST_LINE.match(line) and paragraph:
            before = "\n".join(paragraph)
            dollars = len(re.findall(r"(?<!\\)\$", before))
            if dollars % 2 or before.count("$$") % 2:
                found.append((number, line))
        paragraph.append(line)
    return found


def test_no_formula_line_starts_like_a_list_item():
    bad = [
        f"{path.relative_to(ROOT)}:{n}: {line}"
        for path in TOC_FILES
        if path.suffix == ".md"
        for n, line in _math_list_lines(path.read_text(encoding="utf-8"))
    ]
    assert not bad, (
        "Markdown reads these lines as list items and cuts their formula; join them "
        "to the line before:\n" + "\n".join(bad)
    )


def test_the_math_line_check_can_fail():
    text = "so the step is $\\alpha\\, g/(|g|\n+ \\epsilon)$ and\n\n- a list item\n"
    assert _math_list_lines(text) == [(2, "+ \\epsilon)$ and")]
    assert _math_list_lines("$$\na\n- b\n$$\n") == [(3, "- b")]


# --------------------------------------------------------------------------------------
# Accessibility: axe-core (npm, tests/axe) on every page, light and dark
# --------------------------------------------------------------------------------------

AXE = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"

# Rules switched off for one selector each, where the markup is not ours to fix:
AXE_EXCLUDE: list[list[str]] = []

AXE_RUN = """async (exclude) => {
  const results = await axe.run({include: [document], exclude: exclude}, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                    'wcag22aa']},
    resultTypes: ['violations'],
  });
  return results.violations
    .filter(v => v.impact === 'critical' || v.impact === 'serious')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 4).map(n => n.target.join(' '))}));
}"""


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE.exists():
        message = (
            f"{AXE} is missing: run npm ci --prefix tests/axe (tools/test.sh does)"
        )
        if __import__("os").environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return AXE


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("page_path", PAGES)
@pytest.mark.e2e
def test_page_has_no_serious_accessibility_violation(
    browser, site_url, axe_script, page_path, scheme
):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, color_scheme=scheme
    )
    page = context.new_page()
    try:
        page.goto(site_url + page_path, wait_until="load")
        page.evaluate(WAIT_READY)
        page.add_script_tag(path=str(axe_script))
        violations = page.evaluate(AXE_RUN, AXE_EXCLUDE)
    finally:
        context.close()
    assert not violations, f"{page_path} ({scheme}): " + "\n".join(
        f"{v['impact']} {v['id']} ({v['help']}): {v['nodes']}" for v in violations
    )
