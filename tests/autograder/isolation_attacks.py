"""Hostile programs for test_isolation.py: each function attacks the machine from inside the isolated child.

Run inside the view as ``python -I -S -B -u /workspace/lib/isolation_attacks.py REQUEST_FD REPLY_FD``
by isolation_runner.py: it reads one JSON request (which attack, and what the
grader knows: its pid, a server's port, files it can read), tries, and
writes one JSON reply saying what worked. Standard library only; Python 3.9+ and PyPy.
"""
from __future__ import annotations

import errno
import faulthandler
import fcntl
import json
import os
import signal
import socket
import struct
import sys
import time
from typing import Any, Callable, Dict, List

SIOCGIFFLAGS, IFF_UP = 0x8913, 1


def outcome(action: Callable[[], Any]) -> str:
    """``"ok"`` if ``action`` worked, else the name of the error it raised."""
    try:
        action()
    except OSError as exc:
        return errno.errorcode.get(exc.errno or 0, type(exc).__name__)
    except Exception as exc:  # any other refusal (socket.gaierror is an OSError; this is for the rest)
        return type(exc).__name__
    return "ok"


def read(path: str) -> bytes:
    """The first bytes of a file."""
    with open(path, "rb") as handle:
        return handle.read(100)


def processes(request: Dict[str, Any]) -> Dict[str, Any]:
    """See other processes, read the grader's /proc entry, signal the grader and the init."""
    grader = request["grader_pid"]
    return {"pid": os.getpid(), "ppid": os.getppid(),
            "proc": sorted(entry for entry in os.listdir("/proc") if entry.isdigit())
            if os.path.isdir("/proc") else "no /proc",
            "grader_dir": outcome(lambda: os.listdir(f"/proc/{grader}")),
            "grader_cmdline": outcome(lambda: read(f"/proc/{grader}/cmdline")),
            "grader_signal": outcome(lambda: os.kill(grader, signal.SIGTERM)),
            "init_environ": outcome(lambda: read("/proc/1/environ")),
            "init_root": outcome(lambda: os.listdir("/proc/1/root/")),
            "init_kill": outcome(lambda: os.kill(1, signal.SIGKILL)),
            "everyone_kill": outcome(lambda: os.kill(-1, signal.SIGKILL))}


def files(request: Dict[str, Any]) -> Dict[str, Any]:
    """Read the files the grader can read (the grader's tree, site-packages, a classmate's work),
    and list the folders where other people's files live."""
    return {"read": {path: outcome(lambda path=path: read(path)) for path in request["secrets"]},
            "list": {path: outcome(lambda path=path: os.listdir(path))
                     for path in ("/work", "/home", "/srv", "/mnt", "/etc", "/root", "/usr/bin")},
            "root": sorted(os.listdir("/")),
            "lib": sorted(os.listdir("/workspace/lib"))}


def walk(request: Dict[str, Any]) -> Dict[str, Any]:
    """Every .py file on the machine outside the allowed folders (the standard library, the lib)."""
    allowed = tuple(folder.rstrip("/") + "/" for folder in request["allowed"])
    found: List[str] = []
    for folder, names, filenames in os.walk("/"):
        if folder == "/" and "proc" in names:
            names.remove("proc")  # the kernel's files, and the links in it are not followed anyway
        found += [path for path in (os.path.join(folder, name) for name in filenames)
                  if path.endswith(".py") and not path.startswith(allowed)]
    return {"outside": found}


def network(request: Dict[str, Any]) -> Dict[str, Any]:
    """Reach the grader's server on the loopback, resolve a name, look at the interfaces."""
    probe = socket.socket()
    try:
        flags = struct.unpack("16sH", fcntl.ioctl(probe.fileno(), SIOCGIFFLAGS,
                                                  struct.pack("16sH", b"lo", 0))[:18])[1]
    finally:
        probe.close()
    return {"connect": outcome(lambda: socket.create_connection(("127.0.0.1", request["port"]), 2).close()),
            "dns": outcome(lambda: socket.getaddrinfo("example.com", 80)),
            "interfaces": [name for _, name in socket.if_nameindex()],
            "loopback_up": bool(flags & IFF_UP)}


def write(request: Dict[str, Any]) -> Dict[str, Any]:
    """Write a file everywhere; change the lib."""
    def create(folder: str) -> None:
        with open(os.path.join(folder, "written-by-the-child"), "w") as handle:
            handle.write("x")
    targets = ["/", "/workspace", "/workspace/lib", "/dev", "/etc", "/workspace/work", "/tmp"]
    targets += request["allowed"]
    result = {folder: outcome(lambda folder=folder: create(folder)) for folder in targets}
    result["chmod lib"] = outcome(lambda: os.chmod("/workspace/lib", 0o777))
    result["hostname"] = outcome(lambda: open("/proc/sys/kernel/hostname", "w").write("owned"))
    result["dev null"] = outcome(lambda: open("/dev/null", "w").write("fine"))
    return result


def fill_tmp(request: Dict[str, Any]) -> Dict[str, Any]:
    """Fill /tmp with 256 KiB writes until it refuses."""
    written, chunk = 0, b"\0" * (256 * 1024)
    try:
        with open(os.path.join("/tmp", request["marker"]), "wb") as handle:
            while written < 1 << 30:
                handle.write(chunk)
                handle.flush()
                written += len(chunk)
    except OSError as exc:
        return {"written": written, "error": errno.errorcode.get(exc.errno or 0, "?")}
    return {"written": written, "error": ""}


def fork(request: Dict[str, Any]) -> Dict[str, Any]:
    """Leave a grandchild behind in a session of its own, then reply and stay (to be killed)."""
    pid = os.fork()
    if pid == 0:
        os.setsid()
        while True:
            time.sleep(1)
    return {"grandchild": pid, "stay": True}


def spawn(request: Dict[str, Any]) -> Dict[str, Any]:
    """Start a process every way there is (fork, posix_spawn, a process with clone3's fallback), and a thread."""
    import threading

    def forked() -> None:
        if os.fork() == 0:
            os._exit(0)

    started: List[int] = []
    thread = threading.Thread(target=lambda: started.append(1))
    return {"fork": outcome(forked),
            "posix_spawn": outcome(lambda: os.posix_spawn(sys.executable, [sys.executable, "-c", "pass"], {})),
            "thread": outcome(lambda: (thread.start(), thread.join())), "ran": started}


def privileges(request: Dict[str, Any]) -> Dict[str, Any]:
    """Who the child is: ids, capabilities, no_new_privs (when it has a /proc), hostname, what it runs."""
    status = {}
    if os.path.isdir("/proc"):
        with open("/proc/self/status") as handle:
            status = dict(line.rstrip("\n").split(":\t", 1) for line in handle if ":\t" in line)
    return {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(),
            "caps": {key: status.get(key) for key in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")},
            "no_new_privs": status.get("NoNewPrivs"), "hostname": socket.gethostname(),
            "executable": sys.executable, "version": list(sys.version_info[:2]),
            "implementation": sys.implementation.name, "cwd": os.getcwd(),
            "path": sys.path, "env": dict(os.environ),
            "setuid root": outcome(lambda: os.setuid(0)),
            "chown work": outcome(lambda: os.chown("/workspace/work", 0, 0)),
            "chroot": outcome(lambda: os.chroot("/tmp")),
            "raw socket": outcome(lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW,
                                                        socket.IPPROTO_ICMP).close()),
            "sethostname": outcome(lambda: socket.sethostname("owned"))}


def spin_here() -> None:
    """The loop the stack dump must show."""
    while True:
        pass


def stack(request: Dict[str, Any]) -> Dict[str, Any]:
    """Dump the stack into the reply pipe on SIGUSR1 (as child.py does), then loop."""
    faulthandler.register(signal.SIGUSR1, file=REPLIES, all_threads=False)
    return {"stay": True, "spin": True}


def exit_code(request: Dict[str, Any]) -> Dict[str, Any]:
    """End with an exit code, or by a signal, after the reply."""
    return {"stay": False, "exit": request["exit"]}


ATTACKS = {function.__name__: function for function in
           (processes, files, walk, network, write, fill_tmp, fork, spawn, privileges, stack, exit_code)}

if __name__ == "__main__":
    requests = os.fdopen(int(sys.argv[1]), "r")
    REPLIES = os.fdopen(int(sys.argv[2]), "w")
    request = json.loads(requests.readline())
    reply = ATTACKS[request["attack"]](request)
    REPLIES.write(json.dumps(reply) + "\n")
    REPLIES.flush()
    if reply.get("spin"):
        spin_here()
    if reply.get("stay"):
        requests.read()  # until the grader closes the pipe, or kills us
    if "exit" in reply:
        if reply["exit"] < 0:
            os.kill(os.getpid(), -reply["exit"])
        sys.exit(reply["exit"])
