"""The data of an explorer's web version: every frame, packed small, and its decoder.

:func:`build_payload` turns an explorer into the JSON object its page embeds: the
controls, the panels, and one deflate-compressed *blob* that holds the data of every
combination of control values as float32 arrays (de-duplicated, byte-shuffled), each
line simplified to the points the eye can see (Ramer-Douglas-Peucker), the notes, and
the axis limits of the ``"auto"`` axes. :func:`decode` and :func:`decode_limits` read
the blob back as the page's JavaScript does (the tests use them).

Layout of the blob (little-endian), in order: the length of each array (uint32); the
frame table, ``nFrames x nSlots x 2`` array numbers (int32, -1 for a series not drawn);
the note of each frame (int32, only if there are notes); the limits of the ``"auto"``
axes, ``nLimits`` per frame (float64); the arrays (float32, byte-shuffled); the notes
(a JSON list).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import zlib

import numpy as np

from .. import plotting
from .panels import _SVG_DASHES, Panel
from .tex import _tex_runs, tex_plain


def build_payload(explorer) -> dict:
    """The JSON object embedded in the web version of ``explorer`` (with the blob).

    Args:
        explorer: an :class:`~lrbook.explore.Explorer`; its current control values and
            log toggles are the page's initial state.
    """
    ex = explorer
    frames = ex._all_frames()
    limits = ex.limits()
    pool = _Pool()
    table, slots = _series_table(ex, frames, limits, pool)
    # "auto" limits, computed here for every frame: the page only reads them
    auto_at, frame_limits = _auto_limits_table(ex, len(frames))
    panels = [
        _panel_json(resolved, ex._ylog[p], limits[p], auto_at, p, pool)
        for p, resolved in enumerate(ex._resolved)
    ]
    for panel, by in zip(panels, ex._ylabel_by, strict=True):
        # the y label follows a control: one label per value of it
        panel["ylabelBy"] = (
            None
            if by is None
            else {"control": by[0], "labels": [_tex_runs(t) for t in by[1]]}
        )
    note_index, note_bytes = _notes_table(frames)
    idle = ex._idle_table()
    blob, n_arrays = pool.blob(table, note_index, frame_limits, note_bytes)
    body = {
        "v": 1,
        "title": _tex_runs(ex.title) if ex.title else None,
        "caption": _tex_runs(ex.caption) if ex.caption else None,
        "controls": [
            _control_json(c, i, idle[:, k])
            for k, (c, i) in enumerate(zip(ex._controls, ex._index, strict=True))
        ],
        "panels": panels,
        "nFrames": len(frames),
        "nSlots": len(slots),
        "nArrays": n_arrays,
        "notes": len(note_bytes) if note_index is not None else None,
        "nLimits": frame_limits.shape[1],
        "font": plotting.FONT,
        "grid": plotting.GRID,
        "blob": base64.b64encode(blob).decode("ascii"),
    }
    digest = hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest()
    body["id"] = "lrx-" + digest[:10]
    body["recipe"] = _recipe_json(ex.recipe)
    if ex.recipe is None:
        body["check"] = _check_json(ex, frames)
    return body


def _series_table(ex, frames: list, limits: list, pool: _Pool) -> tuple:
    """The frame table (array numbers of each series' x and y) and its slots.

    Returns:
        ``(table, slots)``: ``table[f, k]`` are the pool numbers of the x and y of
        slot ``k`` = ``(panel, series name)`` in frame ``f`` (``-1``: not drawn).
    """
    slots = [(p, name) for p, r in enumerate(ex._resolved) for name in r.names]
    table = np.full((len(frames), len(slots), 2), -1, dtype=np.int32)
    # The same curve is often drawn in many frames (a run's curve in the frame of
    # each value of another control), as new arrays each time: simplify each distinct
    # curve of a panel once. The mask depends only on the values, the panel and its
    # limits, so reusing it changes nothing in the payload.
    masks: dict[tuple, np.ndarray] = {}
    for f, frame in enumerate(frames):
        for k, (p, name) in enumerate(slots):
            if name in frame.panels[p]:
                x, y = frame.panels[p][name]
                resolved = ex._resolved[p]
                line = resolved.lines[resolved.names.index(name)]
                if line.simplify and not line.marker:
                    key = (p, x.tobytes(), y.tobytes())  # float64, 1-D, one length
                    keep = masks.get(key)
                    if keep is None:
                        keep = masks[key] = _simplify_mask(
                            x, y, resolved.panel, limits[p]
                        )
                    x, y = x[keep], y[keep]
                table[f, k] = (pool.add(x), pool.add(y))
    return table, slots


def _auto_limits_table(ex, n_frames: int) -> tuple:
    """Where each ``"auto"`` axis is in a frame's row of limits, and the rows.

    Returns:
        ``(auto_at, rows)``: ``auto_at[(panel, axis)]`` is the column of the axis'
        low limit (the high one follows); ``rows`` is ``n_frames x nLimits`` float64.
    """
    auto = ex._auto_axes()
    auto_at = {key: 2 * k for k, key in enumerate(auto)}
    rows = np.array(
        [
            [v for p, axis in auto for v in ex._limits_of(f)[p][axis]]
            for f in range(n_frames)
        ],
        dtype="<f8",
    ).reshape(n_frames, 2 * len(auto))
    return auto_at, rows


def _panel_json(resolved, log: bool, lim: dict, auto_at: dict, p: int, pool) -> dict:
    """Panel ``p`` as the page reads it (its contours go into ``pool``)."""
    panel = resolved.panel
    contours = [[pool.add(cx), pool.add(cy)] for cx, cy in resolved.contours]
    return {
        "title": _tex_runs(panel.title) if panel.title else None,
        "xlabel": _tex_runs(panel.xlabel),
        "ylabel": _tex_runs(panel.ylabel),
        "xscale": panel.xscale,
        "yscale": panel.yscale,
        "logToggle": bool(panel.log_toggle),
        "log": bool(log),
        "xlim": _limits_json(lim["x"]),
        "ylim": _limits_json(lim["y"]),
        "ylimLog": _limits_json(lim["ylog"]),
        # where a frame's "auto" limits are in its row of the limits table
        "autoLim": {axis: auto_at.get((p, axis)) for axis in ("x", "y", "ylog")},
        "equal": bool(panel.equal_aspect),
        "contours": contours,
        "image": _image_uri(panel.image) if panel.image is not None else None,
        "imageExtent": (
            None if panel.image is None else [float(e) for e in panel.image[1]]
        ),
        "lines": [
            _line_json(n, ln)
            for n, ln in zip(resolved.names, resolved.lines, strict=True)
        ],
    }


def _line_json(name: str, line) -> dict:
    return {
        "name": name,
        "label": _tex_runs(line.label) if line.label else None,
        "text": tex_plain(line.label) if line.label else name,
        "color": line.color,
        "dash": _SVG_DASHES[line.dash],
        "width": line.width,
        "marker": line.marker,
    }


def _control_json(control, index: int, idle: np.ndarray) -> dict:
    """A control for the page; ``idle``: per frame, True where it changes nothing
    (sent as a base64 bit mask, most significant bit first, only if ever idle)."""
    return {
        "name": control.name,
        "kind": control.kind,
        "label": _tex_runs(control.label),
        "text": tex_plain(control.label),
        "labels": list(control.labels),
        "index": index,
        "idle": (
            {
                "frames": base64.b64encode(np.packbits(idle).tobytes()).decode("ascii"),
                "reason": control.idle_reason,
            }
            if idle.any()
            else None
        ),
    }


def _notes_table(frames: list) -> tuple:
    """``(note number of each frame, the distinct notes as JSON bytes)``.

    ``(None, b"")`` when no frame has a note.
    """
    notes = [f.note for f in frames]
    if all(n is None for n in notes):
        return None, b""
    distinct: dict = {}
    note_index = np.array(
        [distinct.setdefault(n or "", len(distinct)) for n in notes], dtype=np.int32
    )
    return note_index, json.dumps(list(distinct), ensure_ascii=False).encode("utf-8")


def _check_json(ex, frames: list) -> dict:
    """What one combination (every control at its last value) draws, full precision.

    Embedded when the explorer has no recipe (no way to rebuild it elsewhere), so that
    a browser test can still compare the page with Python's values.
    """
    last = [len(c.values) - 1 for c in ex._controls]
    return {
        "index": last,
        # the y labels there, as the page's plain text of them
        "ylabels": [
            "".join(t for t, _ in _tex_runs(ex._ylabel(p, last)))
            for p in range(len(ex._resolved))
        ],
        "series": [
            {name: [_b64_f64(x), _b64_f64(y)] for name, (x, y) in panel.items()}
            for panel in frames[ex._frame_number(last)].panels
        ],
    }


def _recipe_json(recipe):
    """A JSON copy of ``recipe`` (``None`` stays ``None``)."""
    return None if recipe is None else json.loads(json.dumps(recipe))


def _limits_json(lim):
    return None if lim is None else [float(lim[0]), float(lim[1])]


def _image_uri(image) -> str:
    """A panel's background image in the ``"Blues"`` colour map, as a PNG data URI."""
    from matplotlib import colormaps
    from PIL import Image

    arr = np.asarray(image[0], dtype=np.float64)
    lo, hi = float(arr.min()), float(arr.max())
    rgba = colormaps["Blues"]((arr - lo) / ((hi - lo) or 1.0))
    rgba[..., 3] = 0.55
    img = Image.fromarray((rgba[::-1] * 255).astype(np.uint8), "RGBA")
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


# --------------------------------------------------------------------------------------
# Simplification: drop the points the eye cannot see
# --------------------------------------------------------------------------------------


def _simplify_mask(
    x: np.ndarray, y: np.ndarray, panel: Panel, lim: dict, tol: float = 5e-4
) -> np.ndarray:
    """Points to keep so the polyline moves by < ``tol`` of the axes (each scale)."""
    n = x.size
    if n <= 2:
        return np.ones(n, dtype=bool)

    def norm(v, scale, limit):
        if scale == "log":
            v = np.log10(np.where(v > 0, v, np.nan))
            limit = None if limit is None else tuple(math.log10(t) for t in limit)
        finite = v[np.isfinite(v)]
        if finite.size == 0:
            return v
        lo, hi = (float(finite.min()), float(finite.max())) if limit is None else limit
        return (v - lo) / ((hi - lo) or 1.0)

    keep = np.zeros(n, dtype=bool)
    nx = norm(x, panel.xscale, lim["x"])
    scales = [("log" if panel.yscale == "log" else "linear", lim["y"])]
    if panel.log_toggle:
        scales.append(("log", lim["ylog"]))
    for scale, limit in scales:
        ny = norm(y, scale, limit)
        ok = np.isfinite(nx) & np.isfinite(ny)
        keep |= ~ok  # points a log axis cannot show break the line: keep them all
        # simplify each run of drawable points on its own
        edges = np.flatnonzero(np.diff(np.concatenate(([0], ok.astype(np.int8), [0]))))
        for start, stop in zip(edges[::2], edges[1::2], strict=True):
            keep[start:stop] |= _rdp(nx[start:stop], ny[start:stop], tol)
    return keep


def _rdp(x: np.ndarray, y: np.ndarray, tol: float) -> np.ndarray:
    """Ramer-Douglas-Peucker: the points within ``tol`` of the simplified polyline.

    A segment whose farthest inner point is more than ``tol`` from its chord is split
    there (at the first such point, where there are ties), until no segment needs it.
    The segments of one round are processed together, as arrays (a point's distance
    to its chord is the same expression for every segment), so a curve of ``n`` points
    costs a few NumPy calls per round instead of per segment.
    """
    n = x.size
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    lo, hi = np.array([0]), np.array([n - 1])  # the segments still to split
    while True:
        inner = hi > lo + 1
        lo, hi = lo[inner], hi[inner]
        if not lo.size:
            return keep
        sizes = hi - lo - 1
        seg = np.repeat(np.arange(lo.size), sizes)  # each inner point's segment
        first = np.cumsum(sizes) - sizes  # where each segment's points start
        idx = np.arange(seg.size) - first[seg] + lo[seg] + 1
        xi, yi = x[lo][seg], y[lo][seg]
        dx, dy = (x[hi] - x[lo])[seg], (y[hi] - y[lo])[seg]
        xs, ys = x[idx], y[idx]
        d2 = dx * dx + dy * dy
        with np.errstate(divide="ignore", invalid="ignore"):  # d2 == 0: not used
            t = np.clip(((xs - xi) * dx + (ys - yi) * dy) / d2, 0.0, 1.0)
        dist = np.where(
            d2 == 0,
            np.hypot(xs - xi, ys - yi),
            np.hypot(xs - (xi + t * dx), ys - (yi + t * dy)),
        )
        top = np.maximum.reduceat(dist, first)
        at_top = np.flatnonzero(dist == top[seg])  # (none for a NaN maximum)
        segs, pick = np.unique(seg[at_top], return_index=True)
        m = idx[at_top[pick]]  # the first farthest point of each segment
        split = top[segs] > tol
        segs, m = segs[split], m[split]
        keep[m] = True
        lo, hi = np.concatenate((lo[segs], m)), np.concatenate((m, hi[segs]))


# --------------------------------------------------------------------------------------
# Packing and unpacking
# --------------------------------------------------------------------------------------


class _Pool:
    """De-duplicated float32 arrays, packed with the frame table into one blob."""

    def __init__(self):
        self._index: dict = {}
        self._arrays: list = []

    def add(self, a: np.ndarray) -> int:
        a32 = np.ascontiguousarray(a, dtype="<f4")
        key = a32.tobytes()
        k = self._index.get(key)
        if k is None:
            k = self._index[key] = len(self._arrays)
            self._arrays.append(a32)
        return k

    def blob(
        self, table: np.ndarray, note_index, limits: np.ndarray, note_bytes: bytes
    ) -> tuple:
        """Array lengths (uint32), the frame table (int32), the note of each frame
        (int32, if any), the auto axis limits of each frame (float64, ``nLimits`` per
        frame), the arrays (float32, byte-shuffled), the notes (JSON); deflated."""
        lengths = np.array([a.size for a in self._arrays], dtype="<u4")
        parts = [lengths.tobytes(), table.astype("<i4").tobytes()]
        if note_index is not None:
            parts.append(note_index.astype("<i4").tobytes())
        parts.append(np.ascontiguousarray(limits, dtype="<f8").tobytes())
        data = np.concatenate(self._arrays) if self._arrays else np.zeros(0, "<f4")
        parts.append(_shuffle(data.astype("<f4")))
        parts.append(note_bytes)
        return zlib.compress(b"".join(parts), 9), len(self._arrays)


def _b64_f64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f8").tobytes()).decode()


def _shuffle(a32: np.ndarray) -> bytes:
    """Byte-shuffle float32 data (all first bytes, then all second...): packs better."""
    return a32.view(np.uint8).reshape(-1, 4).T.tobytes()


def _payload_argument(payload, spec, func: str) -> dict:
    """``payload``, or ``spec`` (its former name, still accepted as a keyword)."""
    if spec is not None:
        if payload is not None:
            raise TypeError(f"{func}() got both payload and spec (its former name)")
        return spec
    if payload is None:
        raise TypeError(f"{func}() missing 1 required argument: 'payload'")
    return payload


def decode(payload: dict | None = None, *, spec: dict | None = None) -> list:
    """Decode an explorer's embedded data, as the page's JavaScript does.

    Args:
        payload: :meth:`Explorer.payload` (or the JSON embedded in a page).
        spec: the former name of ``payload``, still accepted as a keyword.

    Returns:
        One entry per frame (combination of control values, the last control varying
        fastest): a list per panel of ``{name: (x, y)}`` float32 arrays, and the note.
    """
    payload = _payload_argument(payload, spec, "decode")
    raw = zlib.decompress(base64.b64decode(payload["blob"]))
    n, n_frames, n_slots = payload["nArrays"], payload["nFrames"], payload["nSlots"]
    lengths = np.frombuffer(raw, "<u4", n, 0)
    off = 4 * n
    table = np.frombuffer(raw, "<i4", n_frames * n_slots * 2, off).reshape(
        n_frames, n_slots, 2
    )
    off += table.nbytes
    notes_idx = None
    if payload["notes"] is not None:
        notes_idx = np.frombuffer(raw, "<i4", n_frames, off)
        off += notes_idx.nbytes
    off += 8 * n_frames * payload.get("nLimits", 0)  # see decode_limits
    total = int(lengths.sum())
    shuffled = np.frombuffer(raw, np.uint8, 4 * total, off)
    data = shuffled.reshape(4, total).T.copy().view("<f4").ravel()
    off += 4 * total
    notes = json.loads(raw[off:].decode("utf-8")) if notes_idx is not None else None
    arrays, start = [], 0
    for length in lengths:
        arrays.append(data[start : start + length])
        start += int(length)
    slots = [
        (p, line["name"])
        for p, panel in enumerate(payload["panels"])
        for line in panel["lines"]
    ]
    out = []
    for f in range(n_frames):
        panels = [{} for _ in payload["panels"]]
        for k, (p, name) in enumerate(slots):
            ix, iy = table[f, k]
            if ix >= 0:
                panels[p][name] = (arrays[ix], arrays[iy])
        out.append((panels, None if notes is None else notes[notes_idx[f]] or None))
    return out


def decode_limits(payload: dict | None = None, *, spec: dict | None = None) -> list:
    """The axis limits an explorer's page draws, frame by frame, as its JavaScript does.

    Fixed limits come from the panels of ``payload``; an ``"auto"`` axis reads its
    frame's limits from the embedded table (computed by :meth:`Explorer.frame_limits`;
    the page computes none itself).

    Args:
        payload: :meth:`Explorer.payload` (or the JSON embedded in a page).
        spec: the former name of ``payload``, still accepted as a keyword.

    Returns:
        One entry per frame (in the order of :func:`decode`): per panel
        ``{"x": (lo, hi), "y": (lo, hi), "ylog": (lo, hi) or None}``.
    """
    payload = _payload_argument(payload, spec, "decode_limits")
    raw = zlib.decompress(base64.b64decode(payload["blob"]))
    n, n_frames, n_slots = payload["nArrays"], payload["nFrames"], payload["nSlots"]
    off = 4 * n + 4 * n_frames * n_slots * 2
    if payload["notes"] is not None:
        off += 4 * n_frames
    n_lim = payload.get("nLimits", 0)
    table = np.frombuffer(raw, "<f8", n_frames * n_lim, off).reshape(n_frames, n_lim)
    out = []
    for f in range(n_frames):
        panels = []
        for panel in payload["panels"]:
            lim = {}
            for axis, key in (("x", "xlim"), ("y", "ylim"), ("ylog", "ylimLog")):
                at = panel.get("autoLim", {}).get(axis)
                fixed = panel[key]
                if at is not None:
                    lim[axis] = (float(table[f, at]), float(table[f, at + 1]))
                else:
                    lim[axis] = None if fixed is None else tuple(fixed)
            panels.append(lim)
        out.append(panels)
    return out
