"""Which isolation this machine allows: each mode tried for real, strongest first, the reason in words.

A mode counts only if an isolated ``python -I -S -B -c pass`` really starts in
it, so a probe that says "namespaces" or "user namespace" has built the very
view that grading will build. The result is cached per interpreter for the
life of the grader process.
"""
from __future__ import annotations

import errno
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import replace
from typing import List, Optional

from autograder.isolation.installation import discover
from autograder.isolation.launch import UID_BASE, UID_SPAN, random_id, start
from autograder.isolation.modes import IsolationError, Mode, Probe
from autograder.isolation.view import View

CAP_SETGID, CAP_SETUID, CAP_SYS_ADMIN = 6, 7, 21
TRIAL_SECONDS = 30.0
APPARMOR_USERNS = "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"
MOUNT_STEPS = ("private mounts", "stage", "pivot_root", "root", "bind", "tmpfs", "hide", "dev", "proc")


def effective_capabilities() -> int:
    """This process's effective capability set, as a bit mask."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    return 0


def ids_mapped(first: int, count: int) -> bool:
    """Whether uids and gids ``first`` to ``first + count - 1`` exist in this user namespace."""
    for name in ("uid_map", "gid_map"):
        with open(f"/proc/self/{name}") as handle:
            extents = [tuple(int(field) for field in line.split()) for line in handle if line.strip()]
        if not any(inner <= first and first + count <= inner + size for inner, _, size in extents):
            return False
    return True


def explain(error: IsolationError) -> str:
    """A failed setup step, with what it means on the machines where it happens."""
    said = f"{error.step}: {error.error}"
    if error.step == "user namespace":
        meaning = {errno.EPERM: "a security policy refuses new user namespaces (a container's seccomp "
                                "profile, as Docker's default, or kernel.unprivileged_userns_clone = 0)",
                   errno.ENOSPC: "user.max_user_namespaces is 0 here (or used up)",
                   errno.EUSERS: "user namespaces are nested too deeply",
                   errno.EINVAL: "this kernel has no user namespaces"}.get(error.code)
    elif error.step == "namespaces":
        meaning = "new namespaces need CAP_SYS_ADMIN, or a seccomp profile refuses them (a container)"
    elif error.step == "proc":
        meaning = "the kernel refuses a new /proc because the container masks parts of its own"
    else:
        meaning = None
    if error.step in MOUNT_STEPS and error.code in (errno.EPERM, errno.EACCES) and apparmor_restricts():
        meaning = ("Ubuntu's AppArmor gives unprivileged user namespaces no right to mount "
                   "(kernel.apparmor_restrict_unprivileged_userns = 1); run the grader as root, or "
                   "allow them with: sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0")
    return f"{said} ({meaning})" if meaning else said


def apparmor_restricts() -> bool:
    """Whether AppArmor restricts unprivileged user namespaces (Ubuntu 23.10 and later)."""
    try:
        with open(APPARMOR_USERNS) as handle:
            return handle.read().strip() == "1"
    except OSError:
        return False


def trial(interpreter: str, candidate: Probe) -> Optional[IsolationError]:
    """Start ``python -c pass`` isolated as ``candidate`` says; None if it ran, else why not."""
    lib = tempfile.mkdtemp(prefix="tinybackprop-probe-")
    try:
        os.chmod(lib, 0o755)  # the child's uid may differ from the grader's
        process = start(["-I", "-S", "-B", "-c", "pass"], View(lib=lib, interpreter=interpreter), candidate,
                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _, error = process.communicate(timeout=TRIAL_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return IsolationError("trial", f"python -c pass did not end within {TRIAL_SECONDS:g} s")
        if process.returncode != 0:
            tail = error.decode("utf-8", errors="replace").strip()[-500:]
            return IsolationError("trial", f"python -c pass ended with {process.returncode}: {tail}")
        return None
    except IsolationError as exc:
        return exc
    finally:
        shutil.rmtree(lib, ignore_errors=True)


def uid_drop_works(interpreter: str) -> bool:
    """Whether a child started as root can become a random unprivileged uid."""
    uid = random_id()
    try:
        run = subprocess.run([interpreter, "-I", "-S", "-c",
                              f"import os; os.setgroups([]); os.setgid({uid}); os.setuid({uid})"],
                             stdin=subprocess.DEVNULL, capture_output=True, timeout=TRIAL_SECONDS)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return run.returncode == 0


def user_namespace(interpreter: str, map_root: bool, failures: List[str]) -> Optional[Probe]:
    """The user-namespace mode if it works here (without /proc if only that is refused);
    ``failures`` gets what did not work."""
    candidate = Probe(Mode.USER_NAMESPACE, "", map_root=map_root)
    error = trial(interpreter, candidate)
    notes = []
    if error is not None and error.step == "proc":
        notes.append(f"no /proc of its own for the child ({explain(error)})")
        candidate = replace(candidate, proc=False)
        error = trial(interpreter, candidate)
    if error is not None:
        failures.append(f"no user namespace ({explain(error)})")
        return None
    if os.geteuid() != 0:
        who = "not root: the grader's uid is an unprivileged id inside a new user namespace"
    elif map_root:
        who = ("root without CAP_SYS_ADMIN (a container): a new user namespace in which the child "
               "runs as a random unprivileged uid")
    else:
        who = ("root of a user namespace that maps no uid for the child (a rootless container, unshare -r): "
               "a nested user namespace, in which the child's id outside is the grader's own (were that "
               "the host's root, RLIMIT_NPROC would not hold the child's processes: a seccomp filter does)")
    reason = "; ".join([f"{who}; own mount, PID, network, IPC and UTS namespaces"] + failures + notes)
    return Probe(Mode.USER_NAMESPACE, reason, proc=candidate.proc, map_root=map_root)


@functools.lru_cache(maxsize=None)
def probe(interpreter: str = sys.executable) -> Probe:
    """The strongest isolation that works here for children run by ``interpreter``, and why."""
    if not sys.platform.startswith("linux"):
        return Probe(Mode.NONE, f"{sys.platform} has no namespaces: the child runs as the grader's own user, "
                                "held only by its rlimits, its process group and the reply checks")
    try:
        discover(interpreter)
    except IsolationError as exc:
        return Probe(Mode.NONE, explain(exc))
    root = os.geteuid() == 0
    capabilities = effective_capabilities()
    ids_free = root and ids_mapped(UID_BASE, UID_SPAN)
    prechecks: List[str] = ["not root"] if not root else []
    failures: List[str] = []
    if root and not capabilities & (1 << CAP_SYS_ADMIN):
        prechecks.append("root without CAP_SYS_ADMIN (a container without it)")
    elif root and not ids_free:
        prechecks.append("root of a user namespace that maps no uid for the child (a rootless container, "
                         "unshare -r), so no uid to drop to")
    elif root:
        error = trial(interpreter, Probe(Mode.NAMESPACES, ""))
        if error is None:
            return Probe(Mode.NAMESPACES, "root with CAP_SYS_ADMIN: own mount, PID, network, IPC and UTS "
                                          "namespaces; the child runs as a random unprivileged uid")
        failures.append(f"no namespaces as root ({explain(error)})")
    can_set_ids = capabilities & (1 << CAP_SETUID) and capabilities & (1 << CAP_SETGID)
    found = user_namespace(interpreter, bool(ids_free and can_set_ids), failures)
    if found is not None:
        return found
    why = "; ".join(prechecks + failures)
    if ids_free and can_set_ids and uid_drop_works(interpreter):
        return Probe(Mode.UID_DROP, why + ": the child runs as a random unprivileged uid, kept from the "
                     "grader's files by their permissions only; it sees other processes, world-readable "
                     "files and the network")
    return Probe(Mode.NONE, why + ": the child runs as the grader's own user")
