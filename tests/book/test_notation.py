"""One symbol, one meaning: every symbol a page writes in its mathematics is on the
notation page, either as one of the book's symbols or as a local letter of that page.

The scan is deliberately simple. A *symbol* is a Latin letter, a Greek letter or a
calligraphic capital in ``$...$``, ``$$...$$`` or a ``{math}`` block, without its
subscripts' words: ``T_{\\max}`` counts as ``T``. Words in ``\\text{}``, ``\\mathrm{}``,
``\\texttt{}`` and ``\\operatorname{}`` are not symbols (so Euler's number is written
``\\mathrm{e}`` and the expectation ``\\mathbb{E}``), and neither are the function names
TeX sets upright (``\\cos``, ``\\ln``, ``\\max``...).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[2] / "book"
NOTATION = BOOK / "notation.md"

GREEK = set(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa "
    "lambda mu nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi "
    "omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega ell".split()
)
#: Commands whose braced argument is words, not symbols.
WORDS = r"text|textrm|textbf|textit|mathrm|operatorname|texttt|textsf|mbox|mathbb|label|tag"


def math_of(text: str) -> list[str]:
    """The mathematics of a MyST page: inline, display and ``{math}`` blocks."""
    text = re.sub(r"```\{code-cell\}.*?```", "", text, flags=re.S)
    blocks = re.findall(r"```\{math\}(.*?)```", text, flags=re.S)
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)  # inline code, roles
    blocks += re.findall(r"\$\$(.*?)\$\$", text, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$", "", text, flags=re.S)
    blocks += re.findall(r"(?<![\\$])\$([^$\n]+?)\$", text)
    return blocks


def symbols_of(math: str) -> set[str]:
    """The symbols of one piece of mathematics (see the module docstring)."""
    for _ in range(3):  # nested braces, e.g. \text{a_{b}}
        math = re.sub(r"\\(?:%s)\s*\{[^{}]*\}" % WORDS, " ", math)
    found = {"\\mathcal{%s}" % c for c in re.findall(r"\\mathcal\{([A-Za-z])\}", math)}
    math = re.sub(r"\\mathcal\{[A-Za-z]\}", " ", math)
    for command in re.findall(r"\\([A-Za-z]+)", math):
        if command in GREEK:
            found.add("\\" + command)
    math = re.sub(r"\\[A-Za-z]+", " ", math)
    # subscripts name or index a symbol (T_w, f_s, x_t, c_{t,i}): not symbols of their own
    for _ in range(3):
        math = re.sub(r"_\s*\{[^{}]*\}", " ", math)
    math = re.sub(r"_\s*[A-Za-z0-9]", " ", math)
    found |= set(re.findall(r"(?<![A-Za-z])([A-Za-z])(?![A-Za-z])", math))
    return found


def pages() -> dict[str, Path]:
    return {p.stem: p for p in sorted(BOOK.glob("*.md")) if p.stem != "bibliography"}


def page_symbols(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    if path == NOTATION:  # the local letters it lists are other pages' letters
        text = text.partition("(local-letters)=")[0]
    found: set[str] = set()
    for math in math_of(text):
        found |= symbols_of(math)
    return found


def _rows(section: str) -> list[list[str]]:
    rows = []
    for line in section.splitlines():
        if line.startswith("|") and not re.match(r"\|\s*-", line):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows[1:] if rows else rows  # without the header


def notation() -> tuple[set[str], dict[str, set[str]]]:
    """The book's symbols and ``{page: local letters}``, read from the notation page."""
    text = NOTATION.read_text(encoding="utf-8")
    head, _, tail = text.partition("(local-letters)=")
    assert tail, "the notation page has no '(local-letters)=' section"
    book: set[str] = set()
    for section in re.split(r"\n## ", head)[1:]:
        for row in _rows(section):
            # a row's first cell may contain a '|' inside math ($|1 - \alpha a_i|$):
            # only the symbol column (the first) defines symbols
            for math in math_of(row[0]):
                book |= symbols_of(math)
    local: dict[str, set[str]] = {}
    for row in _rows(tail):
        page = re.fullmatch(r"\{doc\}`([^`<]+)`", row[0])
        assert page, f"a local letter's page must be a {{doc}} link, got {row[0]!r}"
        letters = set()
        for math in math_of(row[1]):
            letters |= symbols_of(math)
        assert letters, f"no letter in the row {row}"
        local.setdefault(page.group(1), set()).update(letters)
    return book, local


def test_the_scan_finds_symbols_and_skips_words():
    assert symbols_of(r"\alpha_t = \alpha_0\gamma^{\lfloor t/\Delta \rfloor}") == {
        "\\alpha",
        "t",
        "\\gamma",
        "\\Delta",
    }
    assert symbols_of(r"\eta_{\min} + \cos(\pi t / T_{\max})") == {"\\eta", "\\pi", "t", "T"}
    assert symbols_of(r"T_w + f_s + c_{t,i} + x_t^{2}") == {"T", "f", "c", "x"}
    assert symbols_of(r"\mathbb{E}[x_t^2] \exp(-t/\tau) \mathrm{e}^{x}") == {
        "x",
        "t",
        "\\tau",
    }
    assert symbols_of(r"\nabla \mathcal{L}(\theta) \text{ for every } x") == {
        "\\mathcal{L}",
        "\\theta",
        "x",
    }
    assert math_of("a `$HOME` and $s(t)$ and\n$$\nT_w\n$$\n") == ["\nT_w\n", "s(t)"]


def test_the_notation_page_is_read():
    book, local = notation()
    assert {"\\alpha", "t", "s", "\\Delta", "\\mathcal{L}", "L", "\\lambda"} <= book
    assert local, "the local-letters table is empty"


def test_no_local_letter_is_one_of_the_books_symbols():
    book, local = notation()
    clashes = {page: sorted(letters & book) for page, letters in local.items()}
    assert not any(clashes.values()), f"local letters that are book symbols: {clashes}"


def test_local_letters_belong_to_real_pages_and_are_used_there():
    _, local = notation()
    known = pages()
    for page, letters in local.items():
        assert page in known, f"the local-letters table names an unknown page {page!r}"
        unused = letters - page_symbols(known[page])
        assert not unused, f"{page}: listed as local letters but not used: {sorted(unused)}"


def test_every_book_symbol_is_used():
    book, _ = notation()
    used = set()
    for stem, path in pages().items():
        if stem == "notation":  # its prose, not its tables
            text = path.read_text(encoding="utf-8")
            prose = "\n".join(x for x in text.splitlines() if not x.startswith("|"))
            for math in math_of(prose):
                used |= symbols_of(math)
        else:
            used |= page_symbols(path)
    assert not (book - used), f"on the notation page but on no other page: {sorted(book - used)}"


@pytest.mark.parametrize("stem", sorted(pages()))
def test_every_symbol_of_a_page_is_on_the_notation_page(stem):
    book, local = notation()
    missing = page_symbols(pages()[stem]) - book - local.get(stem, set())
    assert not missing, (
        f"{stem} uses symbols that are neither on the notation page nor among its "
        f"local letters: {sorted(missing)}"
    )
