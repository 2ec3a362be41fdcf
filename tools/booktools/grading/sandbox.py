"""One sandbox per submission, with bubblewrap (``bwrap``, Debian: ``bubblewrap``).

What runs inside a :class:`Sandbox`:

* no network: a network namespace with loopback only; no host Unix socket is
  mounted (no ``/run``, ``/var``, host ``/tmp`` or home folder), and abstract sockets
  belong to the network namespace;
* not root, no capabilities: as root, ``bwrap`` builds the namespaces and
  ``setpriv`` then becomes a user id of its own per concurrent sandbox
  (:meth:`Sandbox.uid`), with no capability; as another user, a user namespace
  maps that user to uid 1000 and ``bwrap`` drops every capability;
* its own process namespace (``/proc`` shows the sandbox only, ``nsenter`` cannot
  reach a host process) and ``--die-with-parent``: when the sandbox stops, every
  process in it is killed, detached or not;
* a read-only view of the system (``/usr``, ``/etc``), of Python and of the course
  environment; ``lrbook``'s answer keys replaced by :mod:`grading.keys`' public
  edition; a private writable folder (``/home/student``, ``/tmp`` and ``/dev/shm``)
  that holds only the one submission, removed afterwards; a cleared environment;
* limits: address space per process and open files (``prlimit``), processes (per
  sandbox user), file size, total resident memory of the sandbox and wall time
  (a watchdog in the parent kills the whole sandbox).

Without bwrap, :class:`Sandbox` refuses to run unless ``unsafe=True``: then the
runner is only a child process with a cleared environment, the limits and a private
folder, and nothing else is isolated.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HOME = "/home/student"
RUNNER = "/opt/lrbook-grading/runner.py"
UID_BASE = 3_100_000  # far above any account: see Sandbox.uid
POLL = 0.2  # seconds between two looks of the watchdog
SYSTEM = ("/usr", "/etc")
LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
RUNNER_SOURCE = Path(__file__).resolve().parent / "runner.py"


class SandboxError(RuntimeError):
    """The sandbox cannot run here (``bwrap`` missing or not working)."""


@dataclass(frozen=True)
class Limits:
    """What one submission may use.

    Attributes:
        memory_mb: the resident memory of all its processes together, and the
            address space of each (MiB).
        processes: processes and threads of the sandbox user.
        file_mb: the size of one file it writes (MiB).
        open_files: open files per process.
    """

    memory_mb: int = 4096
    processes: int = 256
    file_mb: int = 512
    open_files: int = 1024

    def __post_init__(self):
        for name in ("memory_mb", "processes", "file_mb", "open_files"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")

    def prlimit(self) -> list[str]:
        mib = 1 << 20
        return [
            "prlimit",
            f"--as={self.memory_mb * mib}",
            f"--fsize={self.file_mb * mib}",
            f"--nproc={self.processes}",
            f"--nofile={self.open_files}",
            "--core=0",
            "--",
        ]


@dataclass
class Outcome:
    """How a sandboxed run ended."""

    returncode: int | None
    stderr: str
    timed_out: bool = False
    killed_for: str = ""  # "memory" or "processes" when the watchdog stopped it
    seconds: float = 0.0


def bwrap() -> str | None:
    """The ``bwrap`` executable, or ``None``."""
    return shutil.which("bwrap")


def _under(path: Path, roots) -> bool:
    return any(path == Path(r) or Path(r) in path.parents for r in roots)


class Sandbox:
    """Runs the grading runner on one private folder at a time, isolated.

    Args:
        keys: the folder that replaces ``lrbook/exercises`` inside (see
            :mod:`grading.keys`), or ``None`` to leave the package as installed.
        limits: the :class:`Limits`.
        unsafe: run without bwrap (a child process only); for machines without it.
    """

    def __init__(
        self, keys: Path | None, limits: Limits | None = None, *, unsafe: bool = False
    ):
        self.limits = limits or Limits()
        self.unsafe = unsafe
        self.keys = keys
        self.root = os.geteuid() == 0
        import lrbook

        self.python = Path(sys.executable).absolute()  # the venv's python, unresolved
        self.package = Path(lrbook.__file__).resolve().parent
        self.prefix = Path(sys.prefix).resolve()
        self.base = Path(sys.base_prefix).resolve()
        if not unsafe:
            problem = self.problem()
            if problem:
                raise SandboxError(problem)

    @staticmethod
    def uid(slot: int) -> int:
        """The user id of the sandbox in ``slot`` (as root): one per grading process
        and slot, so that two gradings at once never share one."""
        return UID_BASE + os.getpid() * 64 + slot

    @staticmethod
    def missing() -> bool:
        """Whether bwrap is missing here."""
        return bwrap() is None

    # ------------------------------------------------------------------ the command
    def problem(self) -> str | None:
        """Why bwrap cannot sandbox here, or ``None`` if it can."""
        exe = bwrap()
        if exe is None:
            return (
                "bwrap (bubblewrap) is not installed: install it (Debian/Ubuntu: "
                "sudo apt-get install bubblewrap), or pass --unsafe to grade without "
                "a sandbox (student code then runs with your rights)"
            )
        probe = subprocess.run(
            [
                *self._namespaces(),
                "--ro-bind",
                "/",
                "/",
                "--proc",
                "/proc",
                "--dev",
                "/dev",
                "true",
            ],
            capture_output=True,
            text=True,
        )
        if probe.returncode != 0:
            return (
                f"bwrap cannot create its namespaces here ({probe.stderr.strip()}); "
                "unprivileged user namespaces may be disabled "
                "(sysctl kernel.unprivileged_userns_clone=1), or pass --unsafe"
            )
        return None

    def _namespaces(self) -> list[str]:
        common = [
            "--unshare-ipc",
            "--unshare-pid",
            "--unshare-net",
            "--unshare-uts",
            "--unshare-cgroup-try",
            "--hostname",
            "sandbox",
            "--die-with-parent",
            "--new-session",
        ]
        if self.root:
            # Privileged bwrap builds the namespaces; setpriv (inside) then leaves root
            # for an unprivileged user of its own. No user namespace: the sandbox's
            # processes are that user on the host too, so the process limit and file
            # permissions apply to them as to any user.
            return [
                bwrap(),
                *common,
                "--cap-drop",
                "ALL",
                "--cap-add",
                "CAP_SETUID",
                "--cap-add",
                "CAP_SETGID",
                "--cap-add",
                "CAP_SETPCAP",
            ]
        return [
            bwrap(),
            *common,
            "--unshare-user",
            "--uid",
            "1000",
            "--gid",
            "1000",
            "--disable-userns",
            "--cap-drop",
            "ALL",
        ]

    def _filesystem(self, folder: Path) -> list[str]:
        args = []
        for path in SYSTEM:
            args += ["--ro-bind", path, path]
        for path in LINKS:
            if os.path.islink(path):
                args += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                args += ["--ro-bind", path, path]
        args += ["--proc", "/proc", "--dev", "/dev"]
        # the private /tmp first: a Python environment or a package that lives under
        # /tmp (a clone in /tmp) is bound on top of it below, instead of being hidden
        args += ["--bind", str(folder / "tmp"), "/tmp"]
        binds = []
        for path in (self.base, self.prefix, self.package):
            if not _under(path, SYSTEM) and not any(_under(path, [b]) for b in binds):
                binds.append(path)
        binds = [b for b in binds if not any(b != o and _under(b, [o]) for o in binds)]
        targets = [*binds, Path(RUNNER), Path(HOME)]
        parents = sorted({p for t in targets for p in t.parents if str(p) != "/"})
        for parent in parents:
            if not _under(parent, SYSTEM):
                args += ["--perms", "0755", "--dir", str(parent)]
        for path in binds:
            args += ["--ro-bind", str(path), str(path)]
        if self.keys is not None:
            args += ["--ro-bind", str(self.keys), str(self.package / "exercises")]
        args += ["--ro-bind", str(RUNNER_SOURCE), RUNNER]
        args += [
            "--bind",
            str(folder / "home"),
            HOME,
            "--bind",
            str(folder / "shm"),
            "/dev/shm",
            "--chdir",
            "/",
        ]
        return args

    def environment(self) -> dict[str, str]:
        """The whole environment of the runner: nothing of the teacher's."""
        return {
            "HOME": HOME,
            "USER": "student",
            "PATH": f"{self.python.parent}:/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "TMPDIR": "/tmp",
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": "/tmp/matplotlib",
            "LRBOOK_DATA": "/tmp/lrbook-data",
            "LRBOOK_JOBS": "1",  # trainings in the runner itself: no worker processes
            "JUPYTER_PLATFORM_DIRS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }

    def command(self, folder: Path, slot: int, argv: list[str] | None = None) -> list:
        """The command that runs the runner on ``folder`` (see :meth:`prepare`), or
        ``argv`` instead (e.g. ``[python, "-c", code]``, to probe the sandbox)."""
        runner = [str(self.python), RUNNER, HOME] if argv is None else list(argv)
        if self.unsafe:
            local = [str(self.python), str(RUNNER_SOURCE), str(folder / "home")]
            return [*self.limits.prlimit(), *(local if argv is None else argv)]
        env = []
        for key, value in self.environment().items():
            env += ["--setenv", key, value]
        user = []
        if self.root:
            uid = str(self.uid(slot))
            user = [
                "setpriv",
                f"--reuid={uid}",
                f"--regid={uid}",
                "--clear-groups",
                "--inh-caps=-all",
                "--bounding-set=-all",
                "--no-new-privs",
                "--",
            ]
        return [
            *self._namespaces(),
            *self._filesystem(folder),
            "--clearenv",
            *env,
            *self.limits.prlimit(),
            *user,
            *runner,
        ]

    # ------------------------------------------------------------------ running
    def prepare(self, folder: Path, slot: int) -> Path:
        """Make ``folder/home`` (returned), ``tmp`` and ``shm`` (``/dev/shm``), owned
        by the sandbox's user."""
        folder.mkdir(mode=0o700)
        for sub in ("home", "tmp", "shm"):
            (folder / sub).mkdir(mode=0o700)
            if self.root and not self.unsafe:
                os.chown(folder / sub, self.uid(slot), self.uid(slot))
        return folder / "home"

    def run(self, folder: Path, timeout: float, slot: int = 0) -> Outcome:
        """Run the runner on ``folder`` (see :meth:`prepare`) for at most ``timeout``
        seconds; every process of the sandbox is gone when this returns."""
        env = self.environment() if self.unsafe else {}
        if self.unsafe:
            env["HOME"] = str(folder / "home")
            env["TMPDIR"] = str(folder / "tmp")
            env["MPLCONFIGDIR"] = str(folder / "tmp" / "matplotlib")
            env["LRBOOK_DATA"] = str(folder / "tmp" / "lrbook-data")
        start = time.monotonic()
        proc = subprocess.Popen(
            self.command(folder, slot),
            env=env,
            cwd=folder / "home" if self.unsafe else "/",
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        tail = _Tail(proc.stderr)
        outcome = Outcome(None, "")
        try:
            while proc.poll() is None:
                elapsed = time.monotonic() - start
                if elapsed > timeout:
                    outcome.timed_out = True
                    break
                rss, count = _usage(proc.pid)
                if rss > self.limits.memory_mb << 20:
                    outcome.killed_for = "memory"
                    break
                if count > self.limits.processes:
                    outcome.killed_for = "processes"
                    break
                time.sleep(POLL)
        finally:
            _kill(proc)
            tail.join()
            if self.root and not self.unsafe:
                _kill_user(self.uid(slot))
        outcome.returncode = proc.returncode
        outcome.stderr = tail.text()
        outcome.seconds = time.monotonic() - start
        return outcome


class _Tail(threading.Thread):
    """Reads a pipe to its end, keeping the last ``limit`` bytes."""

    def __init__(self, pipe, limit: int = 1 << 16):
        super().__init__(daemon=True)
        self.pipe, self.limit, self.data = pipe, limit, b""
        self.start()

    def run(self):
        for chunk in iter(lambda: self.pipe.read(4096), b""):
            self.data = (self.data + chunk)[-self.limit :]

    def text(self) -> str:
        return self.data.decode(errors="replace")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(b")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _descendants(pid: int) -> list[int]:
    tree, out, todo = _children(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += tree.get(p, [])
    return out


def _usage(pid: int) -> tuple[int, int]:
    """Resident bytes and threads of ``pid`` and all its descendants."""
    rss = threads = 0
    for p in _descendants(pid):
        try:
            with open(f"/proc/{p}/status", encoding="ascii", errors="replace") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1]) << 10
                    elif line.startswith("Threads:"):
                        threads += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return rss, threads


def _kill(proc: subprocess.Popen) -> None:
    """Kill the sandbox (its session; ``--die-with-parent`` takes the namespace)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait()


def _kill_user(uid: int) -> None:
    """Kill any process left with the sandbox's user id (there should be none)."""
    for _ in range(50):
        left = []
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                if os.stat(f"/proc/{entry.name}").st_uid == uid:
                    left.append(int(entry.name))
            except OSError:
                continue
        if not left:
            return
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.05)
