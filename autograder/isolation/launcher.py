"""The launcher: builds the child's private view of the machine and starts the child in it.

:func:`autograder.isolation.start` runs this file as
``python -I -S -B launcher.py SPEC_FD STATUS_FD`` (a plain script: it imports
only the standard library, so the grader's tree needs not be importable, and it
runs on CPython 3.9+ and PyPy). It reads its instructions, a *spec* (a dict in
:mod:`marshal` format: the launcher runs the grader's own interpreter), from
``SPEC_FD``. Three processes take part:

- the **launcher** (this process, the sandbox's own child, still in the grader's
  view): enters a new user namespace if the spec asks (a short-lived helper that
  stays outside writes the id maps), unshares the mount, PID, network, IPC and
  UTS namespaces, forks the init, forwards the signals it gets to it (SIGUSR1
  asks the child for its stack), and ends the way the child ended (same exit
  code, or killed by the same signal);
- the **init** (a fork of the launcher, PID 1 of the new PID namespace, never
  exec'd): builds the new root, forks the child, reaps every process of the
  namespace and reports the child's wait status to the launcher. It dies with
  the launcher (``PR_SET_PDEATHSIG``), and when it ends the kernel kills every
  process left in the namespace: one kill of the launcher ends the whole tree,
  whatever process groups or sessions the child made;
- the **child** (PID 2): a session of its own, no capabilities (the bounding
  set emptied, then the uid changed or the exec done as a non-root id),
  ``no_new_privs``, where the spec asks for it a seccomp filter that refuses
  every new process (threads stay allowed; RLIMIT_NPROC alone does not hold
  a child whose id outside is the host's root, as under ``unshare -Ur``; on
  x86_64 and aarch64), then ``execv`` of the command.

Setup failures are written to ``STATUS_FD`` as one marshalled dict
(``{"step": ..., "error": ..., "errno": ...}``); the fd is close-on-exec, so
the parent reads end-of-file with no message once the command is running.

The system calls without a wrapper in :mod:`os` (``mount``, ``umount2``,
``pivot_root``, ``prctl``, ``sethostname``, and ``unshare`` before 3.12) go
through :mod:`ctypes`, one path for every supported Python. Every child start
pays for this file's imports, so it avoids the costly ones: ``marshal``
rather than ``json`` (which loads ``re`` and ``enum``), the C module
``_signal`` rather than ``signal`` (whose only addition is enums), no
``typing`` (the annotations are never evaluated); that is about 60 ms less
per start on a 2-core machine.
"""
from __future__ import annotations

import _signal
import ctypes
import errno
import marshal
import os
import select
import sys

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 4, 24, 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
# Classic BPF for seccomp: load a word of the call's data, compare and jump, return a verdict.
BPF_LOAD, BPF_JEQ, BPF_JGE, BPF_JSET, BPF_RETURN = 0x20, 0x15, 0x35, 0x45, 0x06
SECCOMP_ALLOW, SECCOMP_ERRNO = 0x7FFF0000, 0x00050000
CLONE_THREAD, X32_CALLS = 0x00010000, 0x40000000
# Per architecture: its audit number, and (clone, clone3, fork, vfork); 0xFFFFFFFF where a call is absent.
PROCESS_CALLS = {"x86_64": (0xC000003E, 56, 435, 57, 58), "aarch64": (0xC00000B7, 220, 435, 0xFFFFFFFF, 0xFFFFFFFF)}
# pivot_root has no libc wrapper: its system call number, per architecture.
SYS_PIVOT_ROOT = {"x86_64": 155, "i386": 217, "i686": 217, "aarch64": 41, "arm64": 41, "riscv64": 41,
                  "loongarch64": 41, "armv7l": 218, "armv6l": 218, "ppc64le": 203, "ppc64": 203,
                  "s390x": 217}
# Signals the launcher and the init pass on to the child instead of dying of them.
FORWARDED = (_signal.SIGUSR1, _signal.SIGUSR2, _signal.SIGTERM, _signal.SIGINT, _signal.SIGHUP)
STAGE = "/tmp"  # where the empty tmpfs that holds the new root is mounted first (private to us)
SETUP_FAILED = 125

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
libc.unshare.argtypes = [ctypes.c_int]
libc.sethostname.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
target_pid = 0  # the process the signal handlers forward to (0: none yet)


class Failure(Exception):
    """A setup step that failed: the grader's machine refused, the submission had no part in it."""

    def __init__(self, step: str, error: str, code: int = 0) -> None:
        super().__init__(f"{step}: {error}")
        self.step, self.error, self.code = step, error, code


def check(result: int, step: str, what: str) -> None:
    """Raise a Failure naming ``what`` when a libc call returned an error."""
    if result != 0:
        code = ctypes.get_errno()
        raise Failure(step, f"{what}: {os.strerror(code)}", code)


def mount(source: str | None, target: str, fstype: str | None, flags: int,
          data: str | None = None, step: str = "mount") -> None:
    """mount(2); paths are str, None for an absent argument."""
    def raw(text: str | None) -> bytes | None:
        return None if text is None else os.fsencode(text)
    check(libc.mount(raw(source), raw(target), raw(fstype), flags, raw(data)), step,
          f"mount {fstype or source or ''} on {target}")


def prctl(option: int, value: int, step: str) -> None:
    """prctl(2) with one argument."""
    check(libc.prctl(ctypes.c_int(option), ctypes.c_ulong(value), ctypes.c_ulong(0), ctypes.c_ulong(0),
                     ctypes.c_ulong(0)), step, f"prctl({option}, {value})")


def pivot_root(new_root: str, put_old: str) -> None:
    """pivot_root(2), through syscall(2)."""
    number = SYS_PIVOT_ROOT.get(os.uname().machine)
    if number is None:
        raise Failure("pivot_root", f"no pivot_root system call number known for {os.uname().machine}")
    check(libc.syscall(ctypes.c_long(number), os.fsencode(new_root), os.fsencode(put_old)),
          "pivot_root", f"pivot_root({new_root}, {put_old})")


def write_file(path: str, text: str, step: str) -> None:
    """Write ``text`` to an existing file (a /proc control file) in one write."""
    try:
        fd = os.open(path, os.O_WRONLY)
        try:
            os.write(fd, text.encode())
        finally:
            os.close(fd)
    except OSError as exc:
        raise Failure(step, f"writing {path}: {exc.strerror}", exc.errno or 0) from None


# -- the user namespace --------------------------------------------------------
def write_maps(maps: dict[str, str], pid: int) -> bytes:
    """Write the id maps of process ``pid``'s new user namespace; ``b"ok"``, or the error (marshalled)."""
    proc = f"/proc/{pid}"
    try:
        if maps["setgroups"] == "deny":
            write_file(proc + "/setgroups", "deny", "user namespace")
        write_file(proc + "/uid_map", maps["uid_map"], "user namespace")
        write_file(proc + "/gid_map", maps["gid_map"], "user namespace")
    except Failure as failure:
        return marshal.dumps((failure.error, failure.code))
    return b"ok"


def enter_user_namespace(maps: dict[str, str]) -> None:
    """Move this process into a new user namespace whose id maps a helper writes from outside.

    The helper stays in the grader's namespace: there, a root grader may map
    a random unprivileged uid beside root (the child then runs as that uid on
    the host), which a process cannot do for itself from inside.
    """
    go_r, go_w = os.pipe()
    done_r, done_w = os.pipe()
    helper = os.fork()
    if helper == 0:
        try:
            os.close(go_w)
            os.close(done_r)
            os.write(done_w, write_maps(maps, os.getppid()) if os.read(go_r, 1) == b"y" else b"")
        finally:
            os._exit(0)
    os.close(go_r)
    os.close(done_w)
    entered = libc.unshare(CLONE_NEWUSER)
    code = ctypes.get_errno()
    os.write(go_w, b"y" if entered == 0 else b"n")
    os.close(go_w)
    answer = os.read(done_r, 4096)
    os.close(done_r)
    os.waitpid(helper, 0)
    if entered != 0:
        raise Failure("user namespace", f"unshare(CLONE_NEWUSER): {os.strerror(code)}", code)
    if answer != b"ok":
        error, code = marshal.loads(answer)
        raise Failure("user namespace", error, code)


# -- the new root --------------------------------------------------------------
def locked_flags(path: str) -> int:
    """The nosuid/nodev/noexec flags a mount already has (a bind may not clear them in a user namespace)."""
    flags = os.statvfs(path).f_flag
    return ((MS_NOSUID if flags & os.ST_NOSUID else 0) | (MS_NODEV if flags & os.ST_NODEV else 0)
            | (MS_NOEXEC if flags & os.ST_NOEXEC else 0))


def make_parents(path: str) -> None:
    """Create the folders above ``path`` in the new root (mode 0o755)."""
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)


def bind(source: str, target: str, flags: int, step: str) -> None:
    """Show the host's ``source`` (a file or a folder) at ``target``, with the mount ``flags`` added."""
    make_parents(target)
    try:
        if os.path.isdir(source):
            os.makedirs(target, mode=0o755, exist_ok=True)
        elif not os.path.exists(target):
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o444))
    except OSError as exc:
        raise Failure(step, f"making {target}: {exc.strerror}", exc.errno or 0) from None
    # Not recursive: mounts below the source stay out of the view.
    mount(source, target, None, MS_BIND, step=step)
    mount(None, target, None, MS_BIND | MS_REMOUNT | flags | locked_flags(target), step=step)


def tmpfs(target: str, options: str, flags: int, step: str) -> None:
    """Mount a fresh tmpfs at ``target``."""
    os.makedirs(target, mode=0o755, exist_ok=True)
    mount("tmpfs", target, "tmpfs", flags, options, step=step)


def make_dev(dev: str, devices: list[str]) -> None:
    """A /dev of a few harmless devices (bound from the host's), read-only apart from them."""
    tmpfs(dev, "mode=0755,size=64k", MS_NOSUID | MS_NOEXEC, "dev")
    for name in devices:
        bind("/oldroot/dev/" + name, dev + "/" + name, MS_NOSUID | MS_NOEXEC, "dev")
    for name, link in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                       ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(link, dev + "/" + name)
    mount(None, dev, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC, step="dev")


def apply(entry: dict[str, object], root: str) -> None:
    """Carry out one entry of the spec's ``mounts`` inside ``root`` (the new root, not yet pivoted into)."""
    kind, target = entry["kind"], root + entry["target"]
    if kind == "bind":
        flags = MS_NOSUID | MS_NODEV | (0 if entry["writable"] else MS_RDONLY)
        bind("/oldroot" + entry["source"], target, flags | (0 if entry["exec"] else MS_NOEXEC), "bind")
    elif kind == "tmpfs":
        tmpfs(target, entry["options"], MS_NOSUID | MS_NODEV | MS_NOEXEC, "tmpfs")
    elif kind == "hide":  # an empty, read-only folder over what must not be seen
        tmpfs(target, "mode=0555,size=4k", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "hide")
    elif kind == "symlink":
        make_parents(target)
        os.symlink(entry["link"], target)
    elif kind == "dev":
        make_dev(target, entry["devices"])
    else:
        raise Failure("spec", f"unknown mount kind {kind!r}")


def build_root(spec: dict[str, object]) -> None:
    """Replace this mount namespace's root by a tmpfs holding only what the spec lists."""
    # Nothing done here may propagate back to the grader's mount namespace.
    mount(None, "/", None, MS_REC | MS_PRIVATE, step="private mounts")
    # Stage: a tmpfs becomes the root, the old root is seen at /oldroot while the new one is
    # filled, at /newroot (a staging tmpfs on /tmp leaves the host's /tmp visible at /oldroot/tmp).
    tmpfs(STAGE, "mode=0755,size=64k", MS_NOSUID | MS_NODEV, "stage")
    for name in ("oldroot", "newroot"):
        os.mkdir(f"{STAGE}/{name}", 0o755)
    pivot_root(STAGE, STAGE + "/oldroot")
    os.chdir("/")
    root = "/newroot"
    tmpfs(root, "mode=0755,size=1m", MS_NOSUID | MS_NODEV, "root")
    for entry in spec["mounts"]:
        apply(entry, root)
    if spec["proc"]:
        # Read-only: a child whose id outside is root (a root-only user namespace) must not
        # write the kernel's settings under /proc/sys.
        os.makedirs(root + "/proc", mode=0o555, exist_ok=True)
        mount("proc", root + "/proc", "proc", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, step="proc")
    mount(None, root, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, step="root")
    # Into the new root; the stage with the old root under it is detached, so the host's
    # files are not even in this mount namespace any more.
    os.chdir(root)
    pivot_root(".", ".")
    check(libc.umount2(b".", MNT_DETACH), "pivot_root", "detach the old root")
    os.chdir("/")


# -- the three processes -------------------------------------------------------
def forward(signum: int, frame: object) -> None:
    """Pass a signal on to the next process down (the init, or the child)."""
    if target_pid:
        try:
            os.kill(target_pid, signum)
        except ProcessLookupError:
            pass  # it ended meanwhile: its wait status is on its way


def report(status_fd: int, failure: Failure) -> None:
    """Tell the parent which setup step failed (it reports a grader error)."""
    os.write(status_fd, marshal.dumps({"step": failure.step, "error": failure.error, "errno": failure.code}))


def drop_capabilities(last_cap: int) -> None:
    """Empty the bounding and ambient sets: nothing exec'd later can gain a capability."""
    for cap in range(last_cap + 1):
        prctl(PR_CAPBSET_DROP, cap, "capabilities")
    if libc.prctl(ctypes.c_int(PR_CAP_AMBIENT), ctypes.c_ulong(PR_CAP_AMBIENT_CLEAR_ALL),
                  ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)) != 0 \
            and ctypes.get_errno() != errno.EINVAL:  # EINVAL: a kernel older than ambient capabilities
        check(-1, "capabilities", "clear the ambient capabilities")


class SockFilter(ctypes.Structure):
    """One instruction of a classic BPF program."""

    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class SockProgram(ctypes.Structure):
    """A classic BPF program, as prctl(PR_SET_SECCOMP) takes it."""

    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]


def process_filter(machine: str) -> list[tuple[int, int, int, int]]:
    """A seccomp program refusing every call that starts a process (EPERM) while threads stay allowed:
    fork, vfork, clone without CLONE_THREAD, and clone3 (ENOSYS, so that the C library starts threads
    with clone, whose flags a filter can read; clone3 passes them in memory)."""
    arch, clone, clone3, fork_call, vfork = PROCESS_CALLS[machine]
    allow, deny, no_call = 10, 11, 12  # where the three verdicts are, at the end
    program = [(BPF_LOAD, 0, 0, 4),                        # 0: the calling convention (arch)
               (BPF_JEQ, 0, deny - 2, arch),               # 1: another one (32-bit calls): refused
               (BPF_LOAD, 0, 0, 0),                        # 2: the call's number
               (BPF_JGE, deny - 4, 0, X32_CALLS),          # 3: x32 calls: refused
               (BPF_JEQ, no_call - 5, 0, clone3),          # 4
               (BPF_JEQ, deny - 6, 0, fork_call),          # 5
               (BPF_JEQ, deny - 7, 0, vfork),              # 6
               (BPF_JEQ, 0, allow - 8, clone),             # 7: anything else is allowed
               (BPF_LOAD, 0, 0, 16),                       # 8: clone's flags (the low word of its first argument)
               (BPF_JSET, allow - 10, deny - 10, CLONE_THREAD),  # 9: a thread, or a process
               (BPF_RETURN, 0, 0, SECCOMP_ALLOW),
               (BPF_RETURN, 0, 0, SECCOMP_ERRNO | errno.EPERM),
               (BPF_RETURN, 0, 0, SECCOMP_ERRNO | errno.ENOSYS)]
    return program


def forbid_processes() -> None:
    """Install :func:`process_filter` for this process and what it execs (where the architecture is known)."""
    machine = os.uname().machine
    if machine not in PROCESS_CALLS:
        return  # RLIMIT_NPROC, which the child sets, is then the only limit
    steps = process_filter(machine)
    program = SockProgram(len(steps), (SockFilter * len(steps))(*(SockFilter(*step) for step in steps)))
    check(libc.prctl(ctypes.c_int(PR_SET_SECCOMP), ctypes.c_ulong(SECCOMP_MODE_FILTER), ctypes.byref(program),
                     ctypes.c_ulong(0), ctypes.c_ulong(0)), "seccomp", "install the filter refusing new processes")


def child(spec: dict[str, object]) -> None:
    """The child's last steps before the command: its own session, no privileges, then exec."""
    os.setsid()
    drop_capabilities(spec["last_cap"])
    drop = spec["drop"]
    if drop is not None:
        try:
            os.setgroups([])
            os.setgid(drop["gid"])
            os.setuid(drop["uid"])
        except OSError as exc:
            raise Failure("uid", f"becoming uid {drop['uid']}: {exc.strerror}", exc.errno or 0) from None
        if 0 in (os.getuid(), os.geteuid(), os.getgid(), os.getegid()):
            raise Failure("uid", "the child still has root's ids")
    prctl(PR_SET_NO_NEW_PRIVS, 1, "no_new_privs")
    if not spec["processes"]:
        forbid_processes()
    os.chdir(spec["cwd"])
    # Python ignores these two; the command starts with the defaults, as subprocess gives.
    for signum in (_signal.SIGPIPE, _signal.SIGXFSZ):
        _signal.signal(signum, _signal.SIG_DFL)
    try:
        os.execv(spec["command"][0], spec["command"])
    except OSError as exc:
        raise Failure("exec", f"{spec['command'][0]}: {exc.strerror}", exc.errno or 0) from None


def init(spec: dict[str, object], status_fd: int, relay_w: int, lifeline_r: int) -> None:
    """PID 1 of the new PID namespace: build the root, start the child, reap until it ends."""
    global target_pid
    prctl(PR_SET_PDEATHSIG, _signal.SIGKILL, "parent death signal")
    if select.select([lifeline_r], [], [], 0)[0]:
        os._exit(SETUP_FAILED)  # the launcher died before the line above: so must we
    build_root(spec)
    hostname = spec["hostname"].encode()
    check(libc.sethostname(hostname, len(hostname)), "hostname", "sethostname")
    # Not dumpable: the child, even under the same id, can neither trace this process
    # nor read its /proc entries.
    prctl(PR_SET_DUMPABLE, 0, "dumpable")
    pid = os.fork()
    if pid == 0:
        run_to_end(status_fd, child, spec)
    os.close(status_fd)
    target_pid = pid
    while True:
        ended, status = os.waitpid(-1, 0)
        if ended == pid:
            os.write(relay_w, f"{status}\n".encode())
            os._exit(0)  # the kernel now kills whatever the child left behind


def run_to_end(status_fd: int, function: object, *args: object) -> None:
    """Run ``function``, then end this process here, whatever happens (a forked process must never
    return into its parent's code); a setup failure goes to the status fd."""
    try:
        function(*args)
    except Failure as failure:
        report(status_fd, failure)
    except Exception as exc:  # a bug of ours is still the grader's error, and is reported as one
        report(status_fd, Failure("launcher", f"{type(exc).__name__}: {exc}"))
    os._exit(SETUP_FAILED)


def end_like(status: int) -> None:
    """End this process the way the child ended: same exit code, or the same signal."""
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        try:
            _signal.signal(signum, _signal.SIG_DFL)
        except (OSError, ValueError):
            pass  # SIGKILL and SIGSTOP cannot be caught, so they need no reset
        import resource
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.kill(os.getpid(), signum)
        os._exit(128 + signum)  # a signal whose default is not to end the process
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else SETUP_FAILED)


def launch(spec: dict[str, object], status_fd: int) -> None:
    """The launcher's part: namespaces, the init, signal forwarding, and the child's ending."""
    global target_pid
    os.umask(0o022)
    with open("/proc/sys/kernel/cap_last_cap") as handle:
        spec["last_cap"] = int(handle.read())
    if spec["user_namespace"] is not None:
        enter_user_namespace(spec["user_namespace"])
    check(libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS),
          "namespaces", "unshare(mount, PID, network, IPC, UTS)")
    relay_r, relay_w = os.pipe()
    lifeline_r, lifeline_w = os.pipe()
    for signum in FORWARDED:  # before the fork: a signal that comes early is forwarded or dropped
        _signal.signal(signum, forward)
    pid = os.fork()
    if pid == 0:
        os.close(relay_r)
        os.close(lifeline_w)
        run_to_end(status_fd, init, spec, status_fd, relay_w, lifeline_r)
    target_pid = pid
    for fd in (status_fd, relay_w, lifeline_r):
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(relay_r, "rb") as relay:
        line = relay.read()
    end_like(int(line) if line else status)


def main(argv: list[str]) -> None:
    """Read the spec, then launch; any setup failure is reported on the status fd."""
    spec_fd, status_fd = int(argv[1]), int(argv[2])
    os.set_inheritable(spec_fd, False)
    os.set_inheritable(status_fd, False)
    with os.fdopen(spec_fd, "rb") as source:
        spec = marshal.loads(source.read())
    run_to_end(status_fd, launch, spec, status_fd)


if __name__ == "__main__":
    main(sys.argv)
