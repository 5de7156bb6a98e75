"""Starting a Python command in the child's private view: the launcher's spec, and the handshake."""
from __future__ import annotations

import marshal
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from random import SystemRandom
from typing import IO, Any, Dict, Mapping, Optional, Sequence, Union

from autograder.isolation.installation import discover
from autograder.isolation.modes import IsolationError, Mode, Probe
from autograder.isolation.view import WORK, View, mounts

LAUNCHER = Path(__file__).resolve().with_name("launcher.py")
# Unprivileged ids for children of a root grader: far above real users, one per child.
UID_BASE, UID_SPAN = 1_500_000_000, 500_000_000
INSIDE_ID = 1000  # the child's uid and gid inside a user namespace that maps the grader's own ids
STATUS_BYTES = 65536
ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "HOME": WORK, "TMPDIR": "/tmp"}
Stream = Union[None, int, IO[Any]]


def random_id() -> int:
    """A random unprivileged uid (and gid) for one child of a root grader."""
    return UID_BASE + SystemRandom().randrange(UID_SPAN)


def spec(arguments: Sequence[str], view: View, probe: Probe) -> Dict[str, Any]:
    """The launcher's instructions: the command, the mounts, the namespaces and the ids."""
    installation = discover(view.interpreter)
    user_namespace: Optional[Dict[str, str]] = None
    drop: Optional[Dict[str, int]] = None
    if probe.mode is Mode.NAMESPACES or probe.map_root:
        uid = gid = random_id()
        drop, owner = {"uid": uid, "gid": gid}, uid
        if probe.map_root:  # root sets the maps from outside: root (for the setup) and the child's uid
            user_namespace = {"uid_map": f"0 0 1\n{uid} {uid} 1\n", "gid_map": f"0 0 1\n{gid} {gid} 1\n",
                              "setgroups": "allow"}
    else:  # the grader's own ids become an unprivileged id inside; the child has it from the start
        owner = INSIDE_ID
        user_namespace = {"uid_map": f"{INSIDE_ID} {os.geteuid()} 1\n",
                          "gid_map": f"{INSIDE_ID} {os.getegid()} 1\n", "setgroups": "deny"}
    return {"command": [installation.executable] + [str(argument) for argument in arguments],
            "cwd": WORK, "mounts": mounts(view, installation, owner), "proc": probe.proc,
            "processes": view.processes,
            "hostname": "sandbox", "user_namespace": user_namespace, "drop": drop}


def send(fd: int, data: bytes, deadline: float) -> None:
    """Write ``data`` to a pipe without blocking past ``deadline``."""
    os.set_blocking(fd, False)
    while data:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([], [fd], [], left)[1]:
            raise IsolationError("launcher", "did not read its instructions in time")
        data = data[os.write(fd, data):]


def receive(fd: int, deadline: float) -> bytes:
    """Read a pipe to its end (capped) without blocking past ``deadline``."""
    message = b""
    while len(message) < STATUS_BYTES:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise IsolationError("launcher", "did not finish setting up the child in time")
        chunk = os.read(fd, STATUS_BYTES)
        if not chunk:
            break
        message += chunk
    return message


def failure(message: bytes) -> IsolationError:
    """The error for a setup failure the launcher reported (a marshalled dict)."""
    try:
        report = marshal.loads(message)
        return IsolationError(str(report["step"]), str(report["error"]), int(report["errno"]))
    except (ValueError, EOFError, KeyError, TypeError):
        return IsolationError("launcher", message.decode("utf-8", errors="replace")[:2000])


def start(arguments: Sequence[str], view: View, probe: Probe, *, pass_fds: Sequence[int] = (),
          stdin: Stream = None, stdout: Stream = None, stderr: Stream = None,
          env: Optional[Mapping[str, str]] = None, startup_seconds: float = 20.0) -> subprocess.Popen:
    """Run ``view.interpreter`` with ``arguments`` in the private view; return the launcher's process.

    ``arguments`` are the interpreter's (``["-I", "-S", "-B", "-u", "/workspace/child.py", "5", "8"]``):
    paths as the child sees them. ``pass_fds`` stay open in the child under the
    same numbers; ``stdin``, ``stdout``, ``stderr`` are as for :class:`subprocess.Popen`;
    ``env`` defaults to a minimal one (:data:`ENV`), never the grader's. Returns
    once the command is running (its process is PID 2 of its own PID namespace).
    The returned process is the launcher: it is a session leader (kill its
    process group, or just it, and the whole tree dies), it passes SIGUSR1,
    SIGUSR2, SIGTERM, SIGINT and SIGHUP on to the command, and it ends the way
    the command ended (the same exit code, or killed by the same signal).
    Raises :class:`IsolationError` when the probe allows no private view, or
    when setting it up failed.
    """
    if not probe.isolated:
        raise IsolationError(probe.mode.value, probe.reason)
    data = marshal.dumps(spec(arguments, view, probe))
    spec_r, spec_w = os.pipe()
    status_r, status_w = os.pipe()
    try:
        process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-B", str(LAUNCHER), str(spec_r), str(status_w)],
            pass_fds=(spec_r, status_w) + tuple(pass_fds), start_new_session=True, cwd="/",
            stdin=stdin, stdout=stdout, stderr=stderr, env=dict(ENV if env is None else env))
    except OSError as exc:
        os.close(spec_w)
        os.close(status_r)
        raise IsolationError("launcher", f"could not start {sys.executable} ({exc})") from None
    finally:
        os.close(spec_r)
        os.close(status_w)
    deadline = time.monotonic() + startup_seconds
    try:
        send(spec_w, data, deadline)
        os.close(spec_w)
        spec_w = -1
        message = receive(status_r, deadline)
        error = failure(message) if message else None
    except IsolationError as exc:
        error = exc
    finally:
        if spec_w >= 0:
            os.close(spec_w)
        os.close(status_r)
    if error is not None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # the launcher reported and ended already
        process.wait()
        raise error
    return process
