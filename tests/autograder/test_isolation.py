"""The child's private view of the machine (autograder.isolation), attacked from inside.

Every attack of isolation_attacks.py runs in a fresh isolated child, started by
isolation_runner.py in each environment this machine can make: as root
(namespaces), as an unprivileged user (a user namespace), as root of a user
namespace (``unshare -Ur``: a nested one), as root without CAP_SYS_ADMIN (a
user namespace whose maps root writes), and as a user whose /proc is masked as
in a container (the child then gets no /proc). Where the probe finds no
isolation, the same tests check that starting refuses, clearly. The probe is
also run where namespaces are refused. Run as root, every environment is made
(a throwaway user is created for the session); run as another user, those
that need root are left out of the parameters.
"""
from __future__ import annotations

import errno
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from typing import Any, Dict, List

import pytest

from autograder import isolation
from autograder.isolation.probe import apparmor_restricts

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RUNNER = os.path.join(HERE, "isolation_runner.py")
ROOT_USER = os.geteuid() == 0
TMP_BYTES = 2 * 1024 * 1024
ATTACKS = [{"attack": "processes"}, {"attack": "files"}, {"attack": "walk"}, {"attack": "network"},
           {"attack": "write"}, {"attack": "fill_tmp", "marker": f"tinybackprop-fill-{os.getpid()}",
                                 "tmp_bytes": TMP_BYTES},
           {"attack": "fork", "after": "kill"}, {"attack": "spawn", "processes": False}, {"attack": "privileges"},
           {"attack": "stack", "after": "usr1"},
           {"attack": "exit_code", "exit": 3}, {"attack": "exit_code", "exit": -11, "name": "signal"}]
# Where each attack runs; as root all of them, else what a user can make.
ENVIRONMENTS = (["root", "user", "userns-root", "no-cap-sys-admin", "masked-proc"] if ROOT_USER
                else ["user"] + (["userns-root"] if shutil.which("unshare") else []))
# Made only to see the probe's answer where namespaces are refused.
PROBE_ONLY = ["userns-root-no-nesting", "user-no-userns", "no-cap-sys-admin-no-userns"] if ROOT_USER else []
NO_NESTING = "echo 0 > /proc/sys/user/max_user_namespaces && exec \"$0\" \"$@\""
VERSION = "import sys; print(sys.implementation.name, *sys.version_info[:2])"


def in_user_namespace(command: List[str], uid_map: str, gid_map: str) -> List[str]:
    """``command`` run as root of a new user namespace whose maps root writes from outside."""
    maps = {"uid_map": uid_map, "gid_map": gid_map, "setgroups": "allow"}
    script = (f"import os, sys; sys.path.insert(0, {ROOT!r}); "
              "from autograder.isolation.launcher import enter_user_namespace; "
              f"enter_user_namespace({maps!r}); os.execvp(sys.argv[1], sys.argv[1:])")
    return [sys.executable, "-I", "-S", "-c", script] + command


@pytest.fixture(scope="session")
def user():
    """An unprivileged user of this session (created when running as root): (uid, gid, its Python)."""
    if not ROOT_USER:
        yield os.getuid(), os.getgid(), sys.executable
        return
    name = f"tbpiso{os.getpid()}"
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)
    try:
        uid, gid = (int(subprocess.check_output(["id", option, name])) for option in ("-u", "-g"))
        candidates = [sys.executable, os.path.realpath(shutil.which("python3") or sys.executable),
                      "/usr/bin/python3"]
        # One the user can start by itself (setpriv still has root's capabilities when it execs).
        spawn = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'pass'], check=True)"
        python = next(candidate for candidate in candidates if os.path.exists(candidate) and subprocess.run(
            as_user(uid, gid, [candidate, "-c", spawn]), capture_output=True).returncode == 0)
        yield uid, gid, python
    finally:
        subprocess.run(["userdel", name], check=True)


def as_user(uid: int, gid: int, command: List[str]) -> List[str]:
    """``command`` run as ``uid``/``gid`` with no supplementary groups (from root)."""
    return ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--"] + command


@pytest.fixture(scope="session")
def server():
    """A TCP server on the grader's loopback: its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield listener.getsockname()[1]
    listener.close()


@pytest.fixture(scope="session")
def classmate():
    """A classmate's submission in a world-readable folder, as batch grading keeps them."""
    folder = tempfile.mkdtemp(prefix="tinybackprop-submissions-")
    os.makedirs(os.path.join(folder, "alice"))
    path = os.path.join(folder, "alice", "svm.py")
    with open(path, "w") as handle:
        handle.write("def svm_loss_naive(W, X, y, reg):\n    return 'the answer'\n")
    for target, mode in ((folder, 0o755), (os.path.dirname(path), 0o755), (path, 0o644)):
        os.chmod(target, mode)
    yield path
    shutil.rmtree(folder)


def command(environment: str, user: tuple, options: Dict[str, Any]) -> List[str]:
    """The runner's command line in ``environment``."""
    uid, gid, user_python = user
    runner = [RUNNER, json.dumps(options)]
    if environment == "root":
        return [sys.executable] + runner
    if environment == "user":
        return as_user(uid, gid, [user_python] + runner) if ROOT_USER else [sys.executable] + runner
    if environment == "userns-root":
        return ["unshare", "-Ur", sys.executable] + runner
    if environment == "no-cap-sys-admin":
        return ["setpriv", "--bounding-set", "-sys_admin", "--", sys.executable] + runner
    if environment == "masked-proc":  # a read-only /proc/sys over the host's, as a container has
        inner = " ".join(f"'{part}'" for part in as_user(uid, gid, [user_python] + runner))
        return ["unshare", "-m", "--propagation", "private", "sh", "-c",
                f"mount -o bind,ro /proc/sys /proc/sys && exec {inner}"]
    if environment == "userns-root-no-nesting":
        return ["unshare", "-Ur", "sh", "-c", NO_NESTING, sys.executable] + runner
    if environment == "user-no-userns":
        return in_user_namespace(["sh", "-c", NO_NESTING] + as_user(uid, gid, [user_python] + runner),
                                 f"0 0 1\n{uid} {uid} 1\n", f"0 0 1\n{gid} {gid} 1\n")
    if environment == "no-cap-sys-admin-no-userns":
        first, count = isolation.launch.UID_BASE, isolation.launch.UID_SPAN
        maps = f"0 0 1\n{first} {first} {count}\n"
        return in_user_namespace(["sh", "-c", NO_NESTING, "setpriv", "--bounding-set", "-sys_admin", "--",
                                  sys.executable] + runner, maps, maps)
    raise ValueError(f"unknown environment {environment!r}")


RESULTS: Dict[str, Dict[str, Any]] = {}


def run_environment(environment: str, user: tuple, options: Dict[str, Any]) -> Dict[str, Any]:
    """The runner's report in ``environment``."""
    done = subprocess.run(command(environment, user, options), capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    return json.loads(done.stdout)


@pytest.fixture(params=ENVIRONMENTS)
def report(request, user, server, classmate) -> Dict[str, Any]:
    """Every attack run once per environment (shared by the tests)."""
    if request.param not in RESULTS:
        options = {"attacks": ATTACKS, "port": server, "classmate": classmate}
        RESULTS[request.param] = run_environment(request.param, user, options)
    check_probe(request.param, RESULTS[request.param]["probe"])  # the attacks met the mode they were meant for
    return RESULTS[request.param]


def isolated(report: Dict[str, Any]) -> bool:
    """Whether the probe found a private view in the report's environment."""
    return report["probe"]["mode"] in ("namespaces", "user namespace")


def attacked(report: Dict[str, Any], name: str) -> Dict[str, Any]:
    """One attack's result; where the probe found no isolation, checks that starting refused, clearly."""
    result = report["results"][name]
    if isolated(report):
        assert result["reply"] is not None, result
        return result["reply"]
    assert result["refused"].startswith("grader error"), result
    assert report["probe"]["reason"] in result["refused"]
    return {}


def test_sees_only_its_own_processes_and_cannot_signal_the_grader(report):
    reply = attacked(report, "processes")
    if reply:
        assert reply["pid"] == 2 and reply["ppid"] == 1
        assert reply["proc"] == (["1", "2"] if report["probe"]["proc"] else "no /proc")
        assert reply["grader_dir"] == reply["grader_cmdline"] == "ENOENT"
        assert reply["grader_signal"] == "ESRCH"
        assert reply["init_environ"] != "ok" and reply["init_root"] != "ok"
        # SIGKILL to the init from inside is refused or ignored: the child lived on and ended normally.
        assert report["results"]["processes"]["returncode"] == 0


def test_cannot_read_the_graders_files_site_packages_or_a_classmates_work(report):
    reply = attacked(report, "files")
    if reply:
        assert len(report["secrets"]) >= 3  # readable outside: what the child was after is there
        assert {path: outcome for path, outcome in reply["read"].items() if outcome == "ok"} == {}
        assert all(reply["list"][path] == "ENOENT" for path in ("/work", "/home", "/srv", "/mnt"))
        assert reply["lib"] == ["isolation_attacks.py"]
        assert set(reply["root"]) <= {"bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "root",
                                      "sbin", "tmp", "usr", "workspace"}


def test_no_python_file_outside_the_standard_library_and_the_lib(report):
    reply = attacked(report, "walk")
    if reply:
        assert reply["outside"] == []


def test_no_network(report, server):
    reply = attacked(report, "network")
    if reply:
        assert reply["connect"] == "ENETUNREACH"
        assert reply["dns"] != "ok"
        assert reply["interfaces"] == ["lo"] and reply["loopback_up"] is False


def test_writes_only_in_its_work_folder_and_tmp(report):
    reply = attacked(report, "write")
    if reply:
        assert sorted(target for target, outcome in reply.items() if outcome == "ok") == \
            ["/tmp", "/workspace/work", "dev null"]


def test_tmp_is_capped_and_private(report):
    reply = attacked(report, "fill_tmp")
    if reply:
        assert reply["error"] == "ENOSPC"
        assert TMP_BYTES - 256 * 1024 <= reply["written"] <= TMP_BYTES
        assert report["results"]["fill_tmp"]["marker_outside"] is False


def test_killing_the_launcher_kills_the_whole_tree(report):
    reply = attacked(report, "fork")
    if reply:
        result = report["results"]["fork"]
        assert reply["grandchild"] == 3  # a grandchild in a session of its own
        assert result["members_before"] >= 2
        assert result["members_after"] == 0
        assert result["returncode"] == -9


def test_a_view_without_processes_refuses_every_new_one(report):
    reply = attacked(report, "spawn")
    if reply:
        assert reply["fork"] == reply["posix_spawn"] == "EPERM"  # the seccomp filter, as root's child too
        # A thread is left to RLIMIT_NPROC, which the grader's child sets (this one sets none).
        assert reply["thread"] == "ok" and reply["ran"] == [1]


def test_no_privileges_left(report):
    reply = attacked(report, "privileges")
    if reply:
        assert reply["uid"] != 0 and reply["gid"] != 0 and reply["groups"] == []
        if report["probe"]["proc"]:
            assert set(reply["caps"].values()) == {"0000000000000000"}
            assert reply["no_new_privs"] == "1"
        for action in ("setuid root", "chown work", "chroot", "raw socket", "sethostname"):
            assert reply[action] in ("EPERM", "EINVAL"), action
        assert reply["hostname"] == "sandbox"
        assert reply["cwd"] == isolation.WORK
        assert reply["env"] == isolation.ENV
        assert not any("-packages" in entry for entry in reply["path"])


def test_sigusr1_reaches_the_child_for_its_stack(report):
    attacked(report, "stack")
    if isolated(report):
        assert 'isolation_attacks.py", line' in report["results"]["stack"]["dump"]
        assert "in spin_here" in report["results"]["stack"]["dump"]


def test_the_launcher_ends_as_the_child_did(report):
    attacked(report, "exit_code")
    if isolated(report):
        assert report["results"]["exit_code"]["returncode"] == 3
        assert report["results"]["signal"]["returncode"] == -11


def expected_mode(environment: str) -> Dict[str, Any]:
    """What the probe must say in ``environment`` on this machine."""
    restricted = apparmor_restricts() and environment in ("user", "masked-proc")
    if environment == "root":
        return {"mode": "namespaces", "proc": True, "map_root": False, "says": "root with CAP_SYS_ADMIN"}
    if restricted:
        return {"mode": "none", "says": "apparmor_restrict_unprivileged_userns"}
    if environment == "user":
        return {"mode": "user namespace", "proc": True, "map_root": False, "says": "not root"}
    if environment == "masked-proc":
        return {"mode": "user namespace", "proc": False, "map_root": False, "says": "no /proc of its own"}
    if environment == "userns-root":
        return {"mode": "user namespace", "proc": True, "map_root": False, "says": "root of a user namespace"}
    if environment == "no-cap-sys-admin":
        return {"mode": "user namespace", "proc": True, "map_root": True, "says": "without CAP_SYS_ADMIN"}
    if environment == "userns-root-no-nesting":
        return {"mode": "none", "says": "max_user_namespaces"}
    if environment == "user-no-userns":
        return {"mode": "none", "says": "not root; no user namespace"}
    return {"mode": "uid drop", "says": "without CAP_SYS_ADMIN"}


@pytest.mark.parametrize("environment", ENVIRONMENTS + PROBE_ONLY)
def test_the_probe_names_the_mode_and_why(environment, user, server, classmate):
    if environment in RESULTS:
        probe = RESULTS[environment]["probe"]
    else:
        probe = run_environment(environment, user, {})["probe"]
    check_probe(environment, probe)


def check_probe(environment: str, probe: Dict[str, Any]) -> None:
    """Assert that the probe said what it must in ``environment``."""
    expected = expected_mode(environment)
    assert expected.pop("says") in probe["reason"], probe
    assert {key: probe[key] for key in expected} == expected, probe


def interpreters() -> List[str]:
    """The Pythons on this machine that the grader supports (3.9 to 3.13, PyPy), one per version."""
    found = {}
    candidates = [sys.executable, shutil.which("pypy3") or ""] + [shutil.which(f"python3.{minor}") or ""
                                                                   for minor in range(9, 14)]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3.*[0-9]")))
    for candidate in filter(None, candidates):
        done = subprocess.run([candidate, "-c", VERSION], capture_output=True, text=True)
        name = done.stdout.strip()
        if done.returncode == 0 and name.startswith(("cpython 3", "pypy 3")) and \
                int(name.split()[2]) >= 9 and name not in found:
            found[name] = candidate
    return list(found.values())


@pytest.mark.parametrize("python", interpreters())
def test_every_supported_python_runs_launcher_and_child(python):
    attacks = [{"attack": "privileges"}, {"attack": "processes"}, {"attack": "fork", "after": "kill"}]
    done = subprocess.run([python, RUNNER, json.dumps({"attacks": attacks})], capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    report = json.loads(done.stdout)
    version = subprocess.run([python, "-c", VERSION], capture_output=True, text=True).stdout.split()
    reply = attacked(report, "privileges")
    if reply:
        assert [reply["implementation"]] + [str(part) for part in reply["version"]] == version
        assert attacked(report, "processes")["proc"] == ["1", "2"]
        assert report["results"]["fork"]["members_after"] == 0


@pytest.fixture
def lib():
    """An empty library folder any child may read."""
    folder = tempfile.mkdtemp(prefix="tinybackprop-isolation-")
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_setup_failure_is_the_graders_error_naming_the_step(lib):
    probe = isolation.probe()
    view = isolation.View(lib=lib)
    os.rmdir(lib)  # gone between the view and the start: the bind fails
    if probe.isolated:
        with pytest.raises(isolation.IsolationError) as raised:
            isolation.start(["-c", "pass"], view, probe)
        assert raised.value.step == "bind" and raised.value.code == errno.ENOENT
        assert str(raised.value).startswith("grader error: the child's isolation failed (bind): ")
    else:
        with pytest.raises(isolation.IsolationError, match="^grader error"):
            isolation.start(["-c", "pass"], view, probe)


def test_start_refuses_without_isolation(lib):
    unisolated = isolation.Probe(isolation.Mode.NONE, "not root; no user namespace (a test)")
    with pytest.raises(isolation.IsolationError) as raised:
        isolation.start(["-c", "pass"], isolation.View(lib=lib), unisolated)
    assert str(raised.value) == ("grader error: the child's isolation failed (none): "
                                 "not root; no user namespace (a test)")
    assert "--unisolated" in unisolated.refusal() and unisolated.refusal().startswith("grader error")
    assert unisolated.describe() == "isolation: none: not root; no user namespace (a test)"


@pytest.mark.parametrize("arguments, message", [
    ({"lib": "/nonexistent/lib"}, "View.lib must be an existing folder, got '/nonexistent/lib'"),
    ({"files": {"lib": __file__}}, "View.files: 'lib' is not a plain file name other than lib and work"),
    ({"files": {"a/b.py": __file__}}, "View.files: 'a/b.py' is not a plain file name"),
    ({"files": {"child.py": "/nonexistent.py"}}, "View.files['child.py'] must be an existing file"),
    ({"tmp_bytes": 100}, "View.tmp_bytes must be an int of at least 4096 bytes, got 100"),
    ({"work_bytes": 1.5e6}, "View.work_bytes must be an int of at least 4096 bytes, got 1500000.0"),
])
def test_a_bad_view_says_what_is_wrong(lib, arguments, message):
    with pytest.raises(ValueError) as raised:
        isolation.View(**dict({"lib": lib}, **arguments))
    assert message in str(raised.value)


def test_extra_files_are_shown_read_only_in_the_workspace(lib):
    probe = isolation.probe()
    with open(os.path.join(lib, "show.py"), "w") as handle:
        handle.write("import os\nprint(sorted(os.listdir('/workspace')), open('/workspace/child.py').read(10))\n"
                     "open('/workspace/child.py', 'a')\n")
    os.chmod(os.path.join(lib, "show.py"), 0o644)
    child = os.path.join(ROOT, "autograder", "child.py")
    view = isolation.View(lib=lib, files={"child.py": child})
    if not probe.isolated:
        with pytest.raises(isolation.IsolationError):
            isolation.start(["-I", "-S", "-B", isolation.LIB + "/show.py"], view, probe)
        return
    process = isolation.start(["-I", "-S", "-B", isolation.LIB + "/show.py"], view, probe,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate(timeout=60)
    with open(child) as handle:
        assert out.decode() == f"['child.py', 'lib', 'work'] {handle.read(10)}\n"
    # Not the child's file (EACCES), or, where the child's id owns it, a read-only mount (EROFS).
    assert re.search(r"(PermissionError: \[Errno 13\]|OSError: \[Errno 30\]).*'/workspace/child.py'", err.decode())


def test_an_installation_crosses_as_plain_data_and_is_adopted_without_asking(monkeypatch):
    found = isolation.discover(sys.executable)
    crossed = isolation.Installation.from_json(json.loads(json.dumps(found.to_json())))
    assert crossed == found
    monkeypatch.setattr(isolation.installation, "FOUND", {})
    monkeypatch.setattr(isolation.installation, "ask", lambda interpreter: pytest.fail("asked again"))
    isolation.adopt(sys.executable, crossed)
    assert isolation.discover(sys.executable) is crossed
