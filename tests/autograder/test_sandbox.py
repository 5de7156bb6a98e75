"""The sandbox and the Session: calls, statuses, limits, isolation and strict reply validation.

The Session tests run in every mode this machine can give the child: the one
the probe finds (the private view, where namespaces can be made), and the
weaker ones a grader falls back to elsewhere: "uid drop" when root can drop
to another uid (Gradescope), "none" when not root (a student's machine).
"""
from __future__ import annotations

import ast
import importlib.util
import math
import os
import random
import re
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from autograder import isolation, workspace, wire
from autograder.config import Limits
from autograder.grade import grade_submission, protect_secrets
from autograder.isolation.launch import INSIDE_ID, UID_BASE
from autograder.isolation.probe import uid_drop_works
from autograder.replies import decode
from autograder.sandbox import DEATH_SECONDS, STACK_SECONDS, ReplyQuota, Sandbox, SandboxBroken, self_test
from autograder.suite import (BadReturn, CallTimeout, ForbiddenCall, Handle, NotImplementedYet,
                              Session, StudentCrash, SubmissionDied)
from autograder.workspace import Workspace, WorkspaceError, remove_leftovers
from tinybackprop.matrix import Matrix

DEMO = '''
from tinybackprop.matrix import Matrix

_imp = __builtins__["__import__"] if isinstance(__builtins__, dict) else __builtins__.__import__


def add(a, b):
    print("adding", a, b)
    return a + b


def double(m):
    return m * 2


def stub():
    raise NotImplementedError("demo.stub: forward")


def crash():
    return 1 / 0


def staged(a):
    doubled = a * 2
    rows = Matrix([[a]])
    label = "not a number"
    raise NotImplementedError("demo.staged: rest")


def spin():
    while True:
        pass


def leave():
    _imp("o" + "s")._exit(3)


def stop():
    raise SystemExit(0)


def weird():
    class Thing:
        def __eq__(self, other):
            return True
    return Thing()


def special():
    return [float("nan"), float("inf"), True, None, "text", (1, 2), {"k": Matrix([[1, 2]])}]


def identity():
    _os = _imp("o" + "s")
    return [_os.getuid(), _os.getcwd()]


def fork():
    return _imp("o" + "s").fork()


def grab():
    return len(bytearray(1024 * 1024 * 1024))


def naive():
    return 1.0


def vectorized():
    try:
        return naive() + 1.0
    except RuntimeError:
        return 2.0


def chatty():
    print("x" * 100000)
    return 1.0


def peek(path):
    try:
        return sorted(_imp("o" + "s").listdir(path))
    except OSError as exc:
        return type(exc).__name__


def importable(name):
    try:
        _imp(name)
    except ImportError:
        return False
    return True


def big(count):
    return [0.5] * int(count)


def forge_and_sleep():
    sys = _imp("sys")
    frame = sys._getframe(1)
    while "request" not in frame.f_locals:
        frame = frame.f_back
    line = '{"id": %d, "ok": true, "value": 7.0}\\n' % frame.f_locals["request"]["id"]
    _imp("o" + "s").write(int(sys.argv[2]), line.encode())
    _imp("time").sleep(3600)


def write_later(delay):
    signal, sys = _imp("signal"), _imp("sys")
    signal.signal(signal.SIGALRM, lambda *args: _imp("o" + "s").write(int(sys.argv[2]), b'{"id": 0}\\n'))
    signal.setitimer(signal.ITIMER_REAL, delay)
    return 1.0


def close_replies():
    _imp("o" + "s").close(int(_imp("sys").argv[2]))
    _imp("time").sleep(3600)


class Counter:
    def __init__(self, start):
        self.count = start

    def bump(self):
        self.count += 1
        return self.count
'''


PROBE = isolation.probe()
ROOT_USER = os.geteuid() == 0
CAN_DROP = ROOT_USER and uid_drop_works(sys.executable)  # other uids exist here (not root of a user namespace)


def modes() -> list:
    """The probe's mode, and each weaker mode a grader can fall back to on this machine."""
    found = [PROBE]
    if PROBE.mode is not isolation.Mode.UID_DROP and CAN_DROP:
        found.append(isolation.Probe(isolation.Mode.UID_DROP, "chosen by the test"))
    if PROBE.mode is not isolation.Mode.NONE and not ROOT_USER:  # root's own child would be root
        found.append(isolation.Probe(isolation.Mode.NONE, "chosen by the test"))
    return found


@pytest.fixture(params=modes(), ids=lambda probe: probe.mode.value)
def session(request):
    """A Session on the module ``demo`` with short limits, in one mode."""
    workspace = Workspace({"demo.py": DEMO})
    sandbox = Sandbox(workspace, "demo", Limits(call_seconds=2.0, memory_mb=256, output_bytes=5000),
                      request.param)
    yield Session(sandbox, random.Random(0))
    sandbox.close()
    workspace.close()


def test_call_returns_plain_data_and_captures_prints(session):
    assert session.call("demo.add", 1, 2) == 3.0
    assert "adding 1 2" in session.output()


def test_matrices_cross_as_nested_lists_and_come_back_as_parent_matrices(session):
    result = session.call("demo.double", Matrix([[1.0, 2.0], [3.0, 4.0]]))
    assert isinstance(result, Matrix)
    assert result.tolist() == [[2.0, 4.0], [6.0, 8.0]]


def test_special_values_keep_their_meaning(session):
    nan, inf, flag, none, text, pair, mapping = session.call("demo.special")
    assert math.isnan(nan) and inf == math.inf
    assert flag is True and none is None and text == "text" and pair == [1.0, 2.0]
    assert mapping["k"].tolist() == [[1.0, 2.0]]


def test_a_stub_is_not_implemented_with_the_stage_name(session):
    with pytest.raises(NotImplementedYet, match="demo.stub: forward"):
        session.call("demo.stub")


def test_an_exception_is_a_crash_with_the_students_traceback_only(session):
    with pytest.raises(StudentCrash) as info:
        session.call("demo.crash")
    assert info.value.exc_type == "ZeroDivisionError"
    assert "demo.py" in info.value.traceback
    assert "child.py" not in info.value.traceback


def test_an_infinite_loop_times_out_and_the_next_call_works(session):
    with pytest.raises(CallTimeout, match="did not return within 0.5 s"):
        session.call("demo.spin", timeout=0.5)
    assert session.call("demo.add", 2, 2) == 4.0


def test_os_exit_is_a_dead_submission_and_the_next_call_restarts_it(session):
    with pytest.raises(SubmissionDied, match="exit code 3"):
        session.call("demo.leave")
    assert session.call("demo.add", 1, 1) == 2.0


def test_system_exit_is_caught_as_a_crash(session):
    with pytest.raises(StudentCrash, match="SystemExit"):
        session.call("demo.stop")


def test_an_object_of_the_students_is_never_returned(session):
    with pytest.raises(BadReturn, match="object of type Thing"):
        session.call("demo.weird")


def test_forbid_catches_a_call_even_when_the_student_swallows_the_error(session):
    with pytest.raises(ForbiddenCall, match="demo.naive"):
        session.call("demo.vectorized", forbid=["naive"])
    assert session.call("demo.vectorized") == 2.0


def test_objects_stay_in_the_child_behind_handles(session):
    counter = session.new("demo.Counter", 5)
    assert isinstance(counter, Handle)
    assert session.method(counter, "bump") == 6.0
    assert session.attr(counter, "count") == 6.0


def test_a_handle_does_not_survive_a_restart(session):
    counter = session.new("demo.Counter", 1)
    with pytest.raises(CallTimeout):
        session.call("demo.spin", timeout=0.3)
    with pytest.raises(SubmissionDied, match="restarted"):
        session.method(counter, "bump")


def test_memory_is_limited(session):
    with pytest.raises(StudentCrash, match="MemoryError"):
        session.call("demo.grab")


def test_new_processes_are_refused(session):
    with pytest.raises(StudentCrash, match="BlockingIOError|PermissionError"):
        session.call("demo.fork")


def test_output_is_capped(session):
    session.call("demo.chatty")
    text = session.output()
    assert len(text) < 6000
    assert "more bytes of output not shown" in text


def test_the_child_is_unprivileged_and_works_in_its_own_folder(session):
    uid, cwd = session.call("demo.identity")
    probe = session._sandbox.probe
    if probe.isolated:
        assert cwd == isolation.WORK
    else:
        assert os.path.basename(cwd).startswith("work-")
    if probe.mode is isolation.Mode.NONE:
        assert uid == os.getuid()
    elif probe.mode is isolation.Mode.USER_NAMESPACE and not probe.map_root:
        assert uid == INSIDE_ID  # the grader's own id outside (not root's: the tests' modes say so)
    else:
        assert uid >= UID_BASE


def test_the_submission_time_budget_stops_every_later_call(session):
    session._sandbox.deadline = 0.0  # a budget that ended long ago
    with pytest.raises(CallTimeout, match="total time limit"):
        session.call("demo.add", 1, 2)


@pytest.mark.parametrize("value, why", [
    ({"M": [[1.0], [2.0, 3.0]]}, "different lengths"),
    ({"M": []}, "without rows"),
    ({"M": [["1"]]}, "not numbers"),
    ({"M": [[True]]}, "not numbers"),
    ({"X": 1}, "not a Matrix"),
    ({"D": {"a": 1}, "extra": 2}, "not a Matrix"),
    (10 ** 400, "too large"),
])
def test_decode_refuses_anything_but_plain_data(value, why):
    with pytest.raises(BadReturn, match=why):
        decode(value, generation=1)


def test_decode_rebuilds_handles_only_from_integer_ids():
    assert decode({"H": 3}, generation=2) == Handle(3, 2, "object")
    with pytest.raises(BadReturn):
        decode({"H": "3"}, generation=2)


def test_the_command_line_names_no_path_of_the_submission(session):
    session.call("demo.add", 0, 0)
    sandbox = session._sandbox
    with open(f"/proc/{sandbox.process.pid}/cmdline", "rb") as handle:
        cmdline = handle.read().decode()
    assert str(sandbox.workspace.root) not in cmdline


def test_another_submission_cannot_list_this_ones_workspace(session):
    other = Workspace({"svm.py": "X = 1\n"})
    try:
        seen = session.call("demo.peek", str(other.root))
    finally:
        other.close()
    mode = session._sandbox.probe.mode
    if session._sandbox.probe.isolated:  # not in the child's view at all
        assert seen == "FileNotFoundError"
    elif mode is isolation.Mode.UID_DROP:
        assert seen == "PermissionError"
    else:  # unisolated, every child is the grader's own user: nothing to separate them
        assert isinstance(seen, list)


def test_the_grader_tree_and_its_history_are_invisible_to_the_child(session):
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    protect_secrets()
    seen = session.call("demo.peek", repo)
    history = session.call("demo.peek", os.path.join(repo, ".git"))
    course = session.call("demo.peek", os.path.join(repo, "course"))
    mode = session._sandbox.probe.mode
    if session._sandbox.probe.isolated:  # not in the child's view at all
        assert seen == history == course == "FileNotFoundError"
    elif mode is isolation.Mode.UID_DROP and seen == []:  # an empty mount covers the checkout
        assert history == course == "FileNotFoundError"
    elif mode is isolation.Mode.UID_DROP:  # no CAP_SYS_ADMIN for that mount: the course is root's alone
        assert course == "PermissionError"
    else:  # unisolated, the student's own machine shows the student's own files
        assert "autograder" in seen
    assert os.path.isdir(os.path.join(repo, "autograder"))  # the grader itself still sees it


def test_only_the_standard_library_and_tinybackprop_are_importable(session):
    # numpy is installed for the grader's CPython here; the child runs without site-packages.
    assert session.call("demo.importable", "numpy") is False
    assert session.call("demo.importable", "autograder") is False
    assert session.call("demo.importable", "tinybackprop.matrix") is True
    assert session.call("demo.importable", "math") is True


def test_a_function_that_timed_out_is_not_run_again_and_others_still_are():
    workspace = Workspace({"demo.py": DEMO})
    sandbox = Sandbox(workspace, "demo", Limits(call_seconds=0.5))
    session = Session(sandbox, random.Random(0))
    try:
        with pytest.raises(CallTimeout, match=r"demo\.spin did not return within 0.5 s") as info:
            session.call("demo.spin")
        loop = DEMO.split("\n").index("def spin():") + 2  # `while True:`, then `pass`
        assert re.search(rf"it was running assignments/demo\.py, line ({loop}|{loop + 1}), in spin",
                         str(info.value)), str(info.value)
        generation = sandbox.generation
        with pytest.raises(CallTimeout, match="Not run: demo.spin did not return .* in an earlier test"):
            session.call("demo.spin")
        assert session.call("demo.add", 2, 2) == 4.0
        assert sandbox.generation == generation + 1  # one restart after the timeout, none for the repeat
    finally:
        sandbox.close()
        workspace.close()


def test_a_module_whose_import_never_ends_costs_one_time_limit_not_one_per_call():
    workspace = Workspace({"demo.py": "def add(a, b):\n    return a + b\n\nwhile True:\n    pass\n"})
    sandbox = Sandbox(workspace, "demo", Limits(call_seconds=0.5))
    session = Session(sandbox, random.Random(0))
    try:
        with pytest.raises(CallTimeout, match="Importing demo.py did not finish") as info:
            session.call("demo.add", 1, 2)
        assert "it was running assignments/demo.py, line " in str(info.value)
        generation = sandbox.generation
        with pytest.raises(CallTimeout, match="Not run: importing demo.py did not finish"):
            session.call("demo.add", 1, 2)
        assert sandbox.generation == generation  # no child was started for a call that cannot work
    finally:
        sandbox.close()
        workspace.close()


def test_a_crash_names_the_students_file_as_they_know_it(session):
    with pytest.raises(StudentCrash) as info:
        session.call("demo.crash")
    line = DEMO.split("\n").index("    return 1 / 0") + 1
    assert f'File "assignments/demo.py", line {line}, in crash' in info.value.traceback
    assert "tinybackprop-grade-" not in info.value.traceback
    assert info.value.location == f"assignments/demo.py, line {line}, in crash"


def test_a_stub_sends_the_numbers_and_matrices_it_computed_but_not_its_arguments(session):
    with pytest.raises(NotImplementedYet) as info:
        session.call("demo.staged", 3.0)
    assert set(info.value.computed) == {"doubled", "rows"}
    assert info.value.computed["doubled"] == 6.0 and info.value.computed["rows"] == Matrix([[3.0]])


def test_the_wire_is_standard_library_only_and_the_workspace_holds_the_graders_copy():
    source = Path(wire.__file__).read_text(encoding="utf-8")
    imported = {alias.name.split(".")[0] for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(ast.parse(source))
                 if isinstance(node, ast.ImportFrom) and node.module}
    stdlib = sysconfig.get_paths()["stdlib"]
    for name in imported:
        origin = importlib.util.find_spec(name).origin
        assert origin in ("built-in", "frozen") or (origin.startswith(stdlib) and "site-packages" not in origin), \
            (name, origin)
    workspace = Workspace({})
    try:
        assert (workspace.lib / "wire.py").read_text(encoding="utf-8") == source
    finally:
        workspace.close()


def test_a_child_that_rewrites_its_copy_of_the_wire_is_still_read_by_the_graders_rules():
    forger = ("def forge():\n    import wire\n"
              "    wire.encode_result = lambda value, matrix_type, depth=0: {'M': [[1.0], [2.0, 3.0]]}\n"
              "    return 1.0\n")
    workspace = Workspace({"forger.py": forger})
    sandbox = Sandbox(workspace, "forger", Limits(call_seconds=5.0))
    try:
        with pytest.raises(BadReturn, match="different lengths"):
            Session(sandbox, random.Random(0)).call("forger.forge")
    finally:
        sandbox.close()
        workspace.close()


# -- every wait has a deadline, every reply a cap --------------------------------------------

def test_a_request_the_child_never_reads_gives_up_at_its_deadline(session):
    assert session.call("demo.forge_and_sleep") == 7.0  # a forged answer is still only data
    started = time.monotonic()
    with pytest.raises(CallTimeout):  # about 1.5 MB: more than a pipe holds while the child sleeps
        session.call("demo.add", [0.0] * 300_000, [], timeout=1.0)
    assert time.monotonic() - started < 1.0 + STACK_SECONDS + 2.0
    assert session.call("demo.add", 1, 2) == 3.0  # a fresh child


def test_a_reply_before_the_request_kills_the_child(session):
    session.call("demo.write_later", 0.05)
    time.sleep(0.3)  # the stray line waits in the reply pipe before the next request is written
    with pytest.raises(SubmissionDied, match="wrote into the grader's reply channel"):
        session.call("demo.add", 1, 2)
    assert session.call("demo.add", 1, 2) == 3.0


def test_a_child_that_closes_its_reply_pipe_costs_a_bounded_time(session):
    started = time.monotonic()
    # Unisolated, the end of the pipe is seen at once; isolated, the launcher holds it until the deadline.
    with pytest.raises((SubmissionDied, CallTimeout)):
        session.call("demo.close_replies", timeout=1.0)
    assert time.monotonic() - started < 1.0 + DEATH_SECONDS + STACK_SECONDS + 2.0


def test_a_reply_over_its_cap_is_refused_and_the_child_stopped(session):
    with pytest.raises(BadReturn, match="in one reply"):
        session.call("demo.big", 1_000_000)  # about 5 MB of JSON
    assert session.call("demo.add", 1, 1) == 2.0


def test_the_replies_of_a_submission_are_capped_together():
    workspace = Workspace({"demo.py": DEMO})
    sandboxes = [Sandbox(workspace, "demo", Limits(), quota=ReplyQuota(10_000)) for _ in range(2)]
    sandboxes[1].quota = sandboxes[0].quota  # two assignments of one submission
    try:
        assert len(Session(sandboxes[0], random.Random(0)).call("demo.big", 1000)) == 1000  # about 5 kB
        with pytest.raises(BadReturn, match="from one submission"):
            Session(sandboxes[1], random.Random(0)).call("demo.big", 1000)
    finally:
        for sandbox in sandboxes:
            sandbox.close()
        workspace.close()


# -- a pristine workspace, and a sandbox that cannot start ------------------------------------

def test_a_workspace_whose_files_changed_is_not_used_again():
    space = Workspace({"demo.py": DEMO})
    target = space.lib / "tinybackprop" / "matrix.py"
    try:
        target.chmod(0o644)
        target.write_text(target.read_text() + "\nMatrix.__eq__ = lambda self, other: True\n")
        assert space.changed() == ["tinybackprop/matrix.py"]
        sandbox = Sandbox(space, "demo", Limits(), isolation.Probe(isolation.Mode.NONE, "chosen by the test"))
        with pytest.raises(SandboxBroken, match="tinybackprop/matrix.py"):
            Session(sandbox, random.Random(0)).call("demo.add", 1, 2)
        assert sandbox.process is None  # no child ran with them
    finally:
        space.close()


def test_a_grader_file_changed_since_the_start_stops_grading(monkeypatch, tmp_path):
    (tmp_path / "svm.py").write_text("def svm_loss_naive(W, X, y, reg):\n    return 0.0, W\n")
    monkeypatch.setitem(workspace.PRISTINE_DIGESTS, "wire.py", "0" * 64)
    with pytest.raises(WorkspaceError, match="wire.py changed since grading started"):
        Workspace({})
    result = grade_submission(str(tmp_path), only=["svm.naive"], seed=1)
    assert result.status == "grader error" and "wire.py changed" in result.message
    assert {t.status for t in result.tests} == {"error"} and result.score == 0


def test_the_self_test_passes_in_every_mode_and_names_what_broke(monkeypatch, tmp_path):
    for probe in modes():
        self_test(Limits(), probe)
    monkeypatch.setattr("autograder.sandbox.CHILD", tmp_path / "missing_child.py")
    with pytest.raises(SandboxBroken, match="did not start.*missing_child.py"):
        self_test(Limits())


def test_what_a_uid_left_in_the_temporary_folders_is_removed_and_nothing_else(tmp_path):
    shared = tmp_path / "tmp"
    (shared / "open").mkdir(parents=True)
    for folder in (shared, shared / "open"):
        folder.chmod(0o1777)
    uid = UID_BASE + 7 if CAN_DROP else os.getuid()
    left = [shared / "left.txt", shared / "open" / "deeper.txt", shared / "dir"]
    kept = [shared / "kept.txt"]
    for path in left + kept:
        path.mkdir() if path.name == "dir" else path.write_text("x")
    (shared / "dir" / "inside.txt").write_text("x")
    for path in left + [shared / "dir" / "inside.txt"]:
        os.chown(path, uid, -1)
    if CAN_DROP:
        os.chown(kept[0], UID_BASE + 8, -1)
    remove_leftovers(uid, (str(shared),))
    assert not any(path.exists() for path in left)
    if CAN_DROP:  # another user's file beside them stays
        assert kept[0].exists()
    else:  # without other uids every file here is the uid's own
        assert not kept[0].exists()
