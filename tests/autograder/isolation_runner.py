"""Runs the attacks of isolation_attacks.py through autograder.isolation and prints what happened as JSON.

    python isolation_runner.py '{"attacks": [{"attack": "processes"}, ...], "port": 1234, ...}'

test_isolation.py starts this script as root, as an unprivileged user and as
root of a user namespace (``unshare -Ur``), so that every mode of the probe
meets the same attacks. For each attack it starts a fresh isolated child,
sends it the request (with what a grader knows: its own pid, a server's port,
the files it can read), reads its reply, then does what the attack needs
from outside (kill the launcher, send SIGUSR1, or let the child end), and
reports the child's reply, its exit status and what is left on the machine.
Standard library only (it also runs under a system Python as the test user).
"""
from __future__ import annotations

import glob
import json
import os
import select
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import time
from typing import Any, Dict, List

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from autograder import isolation  # noqa: E402  (after the path is set)

ATTACKS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "isolation_attacks.py")
REPLY_SECONDS = 60.0


def package_folders() -> List[str]:
    """Every site-packages and dist-packages folder this machine has (that we know of)."""
    patterns = ["/usr/lib/python3*/*-packages", "/usr/local/lib/python3*/*-packages", "/usr/lib/pypy3*/*-packages",
                "/root/.pyenv/versions/*/lib/python3*/site-packages", sys.prefix + "/lib/python3*/site-packages"]
    found = set(site.getsitepackages() if hasattr(site, "getsitepackages") else [])
    for pattern in patterns:
        found.update(glob.glob(pattern))
    return sorted(path for path in found if os.path.isdir(path))


def readable(path: str) -> bool:
    """Whether this process can read ``path``."""
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except OSError:
        return False
    return True


def secrets(classmate: str) -> List[str]:
    """Files the grader can read that the child must not: the grader's tree, a classmate's submission,
    other users' files, a Python file in each site-packages."""
    candidates = [os.path.join(ROOT, "autograder", "reference", "svm.py"), os.path.join(ROOT, "README.md"),
                  os.path.join(ROOT, ".git"), classmate, "/etc/passwd", "/etc/hostname", "/root/.bashrc"]
    for folder in package_folders():
        candidates += sorted(glob.glob(os.path.join(folder, "*", "__init__.py")))[:1]
    return [path for path in candidates if os.path.isfile(path) and readable(path)]


def children(pid: int) -> List[int]:
    """The host pids of the processes whose parent is ``pid``."""
    found = []
    for entry in (entry for entry in os.listdir("/proc") if entry.isdigit()):
        try:
            with open(f"/proc/{entry}/status") as status:
                text = status.read()
        except OSError:
            continue  # gone meanwhile
        if f"PPid:\t{pid}\n" in text:
            found.append(int(entry))
    return found


def child_namespace(launcher: int) -> str:
    """The PID namespace of the isolated child (the launcher's grandchild), seen from outside."""
    init = children(launcher)[0]
    return os.readlink(f"/proc/{children(init)[0]}/ns/pid")


def namespace_members(namespace: str) -> List[int]:
    """The host pids of the live processes (zombies are dead already) in a PID namespace that this
    process may inspect."""
    members = []
    for entry in (entry for entry in os.listdir("/proc") if entry.isdigit()):
        try:
            with open(f"/proc/{entry}/stat") as stat:
                state = stat.read().rsplit(")", 1)[1].split()[0]
            if state != "Z" and os.readlink(f"/proc/{entry}/ns/pid") == namespace:
                members.append(int(entry))
        except OSError:
            continue  # gone meanwhile, or not ours to inspect
    return members


def read_line(fd: int, seconds: float) -> bytes:
    """One line from a pipe, or what came before the deadline or the end."""
    data, end = b"", time.monotonic() + seconds
    while b"\n" not in data:
        left = end - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        data += chunk
    return data


def run(attack: Dict[str, Any], context: Dict[str, Any], probe: isolation.Probe,
        interpreter: str) -> Dict[str, Any]:
    """One isolated child, one attack; what it replied and what happened around it."""
    lib = tempfile.mkdtemp(prefix="tinybackprop-isolation-test-")
    os.chmod(lib, 0o755)
    shutil.copy(ATTACKS, os.path.join(lib, "isolation_attacks.py"))
    os.chmod(os.path.join(lib, "isolation_attacks.py"), 0o644)
    output = tempfile.TemporaryFile()
    request_r, request_w = os.pipe()
    reply_r, reply_w = os.pipe()
    view = isolation.View(lib=lib, tmp_bytes=attack.get("tmp_bytes", 16 * 1024 * 1024), interpreter=interpreter,
                          processes=attack.get("processes", True))
    try:
        process = isolation.start(["-I", "-S", "-B", "-u", isolation.LIB + "/isolation_attacks.py",
                                   str(request_r), str(reply_w)], view, probe, pass_fds=(request_r, reply_w),
                                  stdin=subprocess.DEVNULL, stdout=output, stderr=output)
    except isolation.IsolationError:
        for fd in (request_w, reply_r):
            os.close(fd)
        shutil.rmtree(lib)
        raise
    finally:
        os.close(request_r)
        os.close(reply_w)
    request = dict(context, **attack, grader_pid=os.getpid())
    os.write(request_w, (json.dumps(request) + "\n").encode())
    line = read_line(reply_r, REPLY_SECONDS)
    result: Dict[str, Any] = {"reply": json.loads(line) if line.endswith(b"\n") else None}
    after = attack.get("after")
    if after == "kill":
        namespace = child_namespace(process.pid)
        result["members_before"] = len(namespace_members(namespace))
        os.kill(process.pid, signal.SIGKILL)  # the launcher alone, not its process group
        process.wait()
        end = time.monotonic() + 10
        while namespace_members(namespace) and time.monotonic() < end:
            time.sleep(0.05)
        result["members_after"] = len(namespace_members(namespace))
    elif after == "usr1":
        time.sleep(0.2)  # let it enter its loop
        os.kill(process.pid, signal.SIGUSR1)
        result["dump"] = read_line(reply_r, 10).decode("utf-8", errors="replace")
        dump = result["dump"]
        end = time.monotonic() + 5
        while "spin_here" not in dump and time.monotonic() < end:
            dump += read_line(reply_r, 1).decode("utf-8", errors="replace")
        result["dump"] = dump
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    os.close(request_w)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        result["timeout"] = True
    os.close(reply_r)
    output.seek(0)
    result["returncode"] = process.returncode
    result["output"] = output.read().decode("utf-8", errors="replace")[-3000:]
    if "marker" in attack:
        result["marker_outside"] = os.path.exists(os.path.join("/tmp", attack["marker"]))
    shutil.rmtree(lib)
    return result


def main() -> None:
    """Probe, then run every attack asked for (or see each refused, where nothing isolates); print JSON."""
    options = json.loads(sys.argv[1])
    interpreter = options.get("interpreter") or sys.executable
    probe = isolation.probe(interpreter)
    report: Dict[str, Any] = {"probe": {"mode": probe.mode.value, "reason": probe.reason, "proc": probe.proc,
                                        "map_root": probe.map_root},
                              "euid": os.geteuid(), "results": {}}
    try:
        allowed = list(isolation.discover(interpreter).folders) + [isolation.LIB]
    except isolation.IsolationError:
        allowed = [isolation.LIB]
    context = {"port": options.get("port", 0), "secrets": secrets(options.get("classmate", "")),
               "allowed": allowed}
    report.update(secrets=context["secrets"], allowed=allowed)
    for attack in options.get("attacks", []):
        name = attack.get("name", attack["attack"])
        try:
            report["results"][name] = run(attack, context, probe, interpreter)
        except isolation.IsolationError as exc:
            report["results"][name] = {"refused": str(exc)}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
