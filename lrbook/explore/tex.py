r"""A tiny TeX subset for labels (``$\alpha_t$``, ``$T_{\max}$``, ``$10^{-3}$``).

Shared by the web version (HTML and SVG text) and the live view's widget labels;
matplotlib renders the same strings with its mathtext. A label is split into *runs*
``[text, flags]`` (flags: ``i`` italic, ``b`` subscript, ``p`` superscript), which the
web page draws itself and :func:`tex_html` and :func:`tex_plain` turn into text.
"""

from __future__ import annotations

import html as _html
import re

_GREEK = dict(
    alpha="α",
    beta="β",
    gamma="γ",
    delta="δ",
    epsilon="ε",
    varepsilon="ε",
    zeta="ζ",
    eta="η",
    theta="θ",
    kappa="κ",
    lambda_="λ",
    mu="μ",
    nu="ν",
    xi="ξ",
    pi="π",
    rho="ρ",
    sigma="σ",
    tau="τ",
    phi="φ",
    varphi="φ",
    chi="χ",
    psi="ψ",
    omega="ω",
    Gamma="Γ",
    Delta="Δ",
    Theta="Θ",
    Lambda="Λ",
    Xi="Ξ",
    Pi="Π",
    Sigma="Σ",
    Phi="Φ",
    Psi="Ψ",
    Omega="Ω",
    nabla="∇",
    partial="∂",
    ell="ℓ",
)
_GREEK["lambda"] = _GREEK.pop("lambda_")
_SYMBOLS = {
    "cdot": "·",
    "times": "×",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "infty": "∞",
    "approx": "≈",
    "to": "→",
    "rightarrow": "→",
    "pm": "±",
    ",": "\u2009",
    ";": "\u2005",
    ":": "\u2005",
    "quad": "\u2003",
    " ": " ",
    "%": "%",
    "{": "{",
    "}": "}",
    "_": "_",
    "$": "$",
    "ldots": "…",
    "dots": "…",
    "prime": "′",
    "star": "⋆",
    "circ": "∘",
    "mid": "|",
}
_UPRIGHT_CMDS = {"mathrm", "text", "operatorname", "textrm", "mathsf"}


def _tex_runs(text: str) -> list:
    """Split a label into runs ``[text, flags]``; flags: i(talic), b (sub), p (sup)."""
    runs: list = []

    def add(s: str, flags: str) -> None:
        if not s:
            return
        if runs and runs[-1][1] == flags:
            runs[-1][0] += s
        else:
            runs.append([s, flags])

    parts = re.split(r"(?<!\\)\$", text)
    if len(parts) % 2 == 0:  # unbalanced dollars: show the text as it is
        add(text, "")
        return runs
    for k, part in enumerate(parts):
        if k % 2 == 0:
            add(part.replace(r"\$", "$"), "")
        else:
            _math_runs(part, "", add)
    return runs


def _math_runs(s: str, level: str, add) -> None:
    i = 0
    n = len(s)

    def group(j: int) -> tuple[str, int]:
        """The argument starting at s[j]: a {...} group, a command, or one char."""
        while j < n and s[j] == " ":
            j += 1
        if j >= n:
            return "", j
        if s[j] == "{":
            depth, k = 1, j + 1
            while k < n and depth:
                depth += {"{": 1, "}": -1}.get(s[k], 0)
                k += 1
            return s[j + 1 : k - 1], k
        if s[j] == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", s[j:])
            return m.group(0), j + len(m.group(0))
        return s[j], j + 1

    while i < n:
        ch = s[i]
        if ch in "_^":
            arg, i = group(i + 1)
            _math_runs(arg, level or ("b" if ch == "_" else "p"), add)
        elif ch == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", s[i:])
            cmd = m.group(1)
            i += len(m.group(0))
            if cmd in _UPRIGHT_CMDS:
                arg, i = group(i)
                add(arg, level)
            elif cmd in ("frac", "tfrac", "dfrac"):
                num, i = group(i)
                den, i = group(i)
                _math_runs(num, level, add)
                add("/", level)
                _math_runs(den, level, add)
            elif cmd in ("left", "right", "bigl", "bigr", "Bigl", "Bigr"):
                continue
            elif cmd in _GREEK:
                g = _GREEK[cmd]
                add(g, level + ("i" if g.islower() else ""))
            elif cmd in _SYMBOLS:
                add(_SYMBOLS[cmd], level)
            else:  # \max, \min, \log, \exp, \sin ...: upright operator names
                add(cmd, level)
        elif ch in "{}":
            i += 1
        elif ch.isalpha():
            add(ch, level + "i")
            i += 1
        elif ch == "-":
            add("−", level)
            i += 1
        else:
            add(ch, level)
            i += 1


def _runs_html(runs: list) -> str:
    out = []
    for text, flags in runs:
        t = _html.escape(text)
        if "i" in flags:
            t = f"<i>{t}</i>"
        if "b" in flags:
            t = f"<sub>{t}</sub>"
        elif "p" in flags:
            t = f"<sup>{t}</sup>"
        out.append(t)
    return "".join(out)


def tex_html(text: str) -> str:
    r"""A label with ``$...$`` TeX as HTML (the subset the explorers understand).

    Examples:
        >>> tex_html(r"learning rate $\alpha_t$")
        'learning rate <i>α</i><sub><i>t</i></sub>'
    """
    return _runs_html(_tex_runs(text))


def tex_plain(text: str) -> str:
    r"""A label with ``$...$`` TeX as plain Unicode text (for ``aria-label``).

    Examples:
        >>> tex_plain(r"$T_{\max}$ (steps)")
        'T_max (steps)'
    """
    out = []
    for t, flags in _tex_runs(text):
        out.append(("_" if "b" in flags else "^" if "p" in flags else "") + t)
    return re.sub(r"(?<=[_^])([_^])", "", "".join(out))


_SUB = dict(
    zip(
        "0123456789+-−=()aehijklmnoprstuvxβγρφχ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
        strict=True,
    )
)
_SUP = dict(
    zip(
        "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθφχ′",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᵠᵡ′",
        strict=True,
    )
)


def _level(flags: str) -> str:
    return "b" if "b" in flags else "p" if "p" in flags else ""


def _script_groups(text: str) -> list:
    """The runs of a label grouped by level: ``[(level, [[text, flags], ...]), ...]``
    (level ``""``, ``"b"`` or ``"p"``), so that a whole sub- or superscript is written
    in Unicode only if every character of it has a form."""
    groups: list = []
    for t, flags in _tex_runs(text):
        level = _level(flags)
        if groups and groups[-1][0] == level:
            groups[-1][1].append([t, flags])
        else:
            groups.append((level, [[t, flags]]))
    return groups


def _unicode_script(text: str, level: str) -> str | None:
    """``text`` in Unicode sub- (``"b"``) or superscript (``"p"``) characters, or
    ``None`` if one of them has no such form."""
    table = _SUB if level == "b" else _SUP
    if all(ch in table for ch in text):
        return "".join(table[ch] for ch in text)
    return None


def tex_unicode(text: str) -> str:
    r"""A label with ``$...$`` TeX as plain text, with Unicode sub- and superscripts.

    A sub- or superscript is written in Unicode's subscript (superscript) characters
    when every character of it has one (``α₀``, ``Tₘₐₓ``, ``10⁻³``), else after ``_``
    (``^``) as in :func:`tex_plain` (``x_bd``). For widget labels: plain text shows in
    every Jupyter front end and ipywidgets version, where HTML ``<sub>`` does not.

    Examples:
        >>> tex_unicode(r"lr $\alpha_0$, $T_{\max}$ (steps), $10^{-3}$, $x_{bd}$")
        'lr α₀, Tₘₐₓ (steps), 10⁻³, x_bd'
    """
    out = []
    for level, runs in _script_groups(text):
        t = "".join(r[0] for r in runs)
        if not level:
            out.append(t)
            continue
        script = _unicode_script(t, level)
        out.append(script if script is not None else ("_" if level == "b" else "^") + t)
    return "".join(out)


def tex_label_html(text: str) -> str:
    r"""A label with ``$...$`` TeX as the inline HTML that ipywidgets 8 keeps.

    ipywidgets 8 sanitises a widget's ``description`` (``description_allow_html``):
    ``<i>`` and ``<span style=...>`` are kept, ``<sub>`` and ``<sup>`` are removed with
    their meaning. Scripts are therefore written as :func:`tex_unicode` writes them,
    and those without a Unicode form as a lowered (raised) smaller ``<span>``.

    Examples:
        >>> tex_label_html(r"lr $\alpha_0$")
        'lr <i>α</i>₀'
        >>> tex_label_html(r"$x_{bd}$")
        '<i>x</i><span style="vertical-align:sub;font-size:75%"><i>bd</i></span>'
    """
    out = []
    for level, runs in _script_groups(text):
        t = "".join(r[0] for r in runs)
        script = _unicode_script(t, level) if level else None
        if script is not None:
            out.append(script)
            continue
        inner = _runs_html([[r[0], r[1].replace(level, "")] for r in runs])
        if level:
            align = "sub" if level == "b" else "super"
            inner = f'<span style="vertical-align:{align};font-size:75%">{inner}</span>'
        out.append(inner)
    return "".join(out)
