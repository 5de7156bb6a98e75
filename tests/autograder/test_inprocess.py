"""The in-process channel (the browser's check cells): the sandbox's protocol, the kernel left as it was."""
from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from autograder.config import Config, Limits
from autograder.content import write_references
from autograder.grade import grade_submission
from autograder.inprocess import InProcess
from autograder.sandbox import Sandbox
from autograder.suite import (BadReturn, CallTimeout, ForbiddenCall, Handle, NotImplementedYet, Session,
                              StudentCrash, SubmissionDied)
from autograder.workspace import Workspace
from tinybackprop.matrix import Matrix

from test_sandbox import DEMO as SANDBOX_DEMO  # pytest puts this test folder on the path

ROOT = Path(__file__).resolve().parents[2]

# The sandbox tests' module `demo`, and what only code in the grader's own process could do to it.
DEMO = SANDBOX_DEMO + '''

def stubborn():
    while True:
        try:
            while True:
                pass
        except BaseException:
            pass


def recurse(n):
    return recurse(n + 1)


def wander():
    import sys
    sys.path.append("/nowhere")
    sys.path = ["/elsewhere"]
    return __name__, __file__
'''


@pytest.fixture
def channel():
    """An InProcess channel on the module ``demo``, with a short time limit and output cap."""
    workspace = Workspace({"demo.py": DEMO})
    served = InProcess(workspace, "demo", Limits(call_seconds=0.5, output_bytes=5000))
    yield served
    served.close()
    workspace.close()


@pytest.fixture
def session(channel):
    return Session(channel, random.Random(0))


def test_calls_cross_the_wire_as_json_and_come_back_validated(session):
    assert session.call("demo.add", 2, 2) == 4.0
    assert session.call("demo.double", Matrix([[1, 2]])) == Matrix([[2.0, 4.0]])
    with pytest.raises(NotImplementedYet, match="demo.stub: forward"):
        session.call("demo.stub")
    with pytest.raises(BadReturn, match="object of type Thing"):
        session.call("demo.weird")
    with pytest.raises(ForbiddenCall, match="demo.naive"):
        session.call("demo.vectorized", forbid=["naive"])
    counter = session.new("demo.Counter", 5)
    assert isinstance(counter, Handle) and session.method(counter, "bump") == 6.0
    assert session.attr(counter, "count") == 6.0


def test_a_crash_names_the_students_file_as_they_know_it(session):
    with pytest.raises(StudentCrash) as info:
        session.call("demo.crash")
    line = DEMO.split("\n").index("    return 1 / 0") + 1
    assert info.value.location == f"assignments/demo.py, line {line}, in crash"
    assert "tinybackprop-grade-" not in info.value.traceback and "child.py" not in info.value.traceback
    with pytest.raises(StudentCrash, match="RecursionError"):
        session.call("demo.recurse", 0)


def test_the_kernels_modules_and_path_are_put_back(session, monkeypatch):
    """The notebook's own `assignments` stays the kernel's; the student's code sees the submission's."""
    kernels = ModuleType("assignments"), ModuleType("assignments.demo")
    monkeypatch.setitem(sys.modules, "assignments", kernels[0])
    monkeypatch.setitem(sys.modules, "assignments.demo", kernels[1])
    path, before = sys.path, list(sys.path)
    name, file = session.call("demo.wander")
    assert name == "assignments.demo" and file.endswith("/assignments/demo.py") and "tinybackprop-grade-" in file
    assert sys.path is path and sys.path == before
    assert (sys.modules["assignments"], sys.modules["assignments.demo"]) == kernels
    counter = session.new("demo.Counter", 1)  # the submission's module lives on between requests
    assert session.method(counter, "bump") == 2.0
    assert sys.modules["assignments.demo"] is kernels[1]


def test_what_the_student_prints_is_captured_and_capped(session, capsys):
    session.call("demo.add", 1, 2)
    assert session.output() == "adding 1 2\n"
    session.call("demo.chatty")
    assert len(session.output()) < 6000 and "more bytes of output not shown" in session.output()
    assert capsys.readouterr() == ("", "")


def test_an_infinite_loop_is_stopped_and_the_next_call_starts_afresh(channel, session):
    counter = session.new("demo.Counter", 1)
    generation = channel.generation
    with pytest.raises(CallTimeout, match=r"demo\.spin did not return within 0.5 s \(an infinite loop\?\)") as info:
        session.call("demo.spin")
    loop = DEMO.split("\n").index("def spin():") + 2  # `while True:`, then `pass`
    assert re.search(rf"it was running assignments/demo\.py, line ({loop}|{loop + 1}), in spin", str(info.value))
    with pytest.raises(CallTimeout, match="Not run: demo.spin did not return"):
        session.call("demo.spin")
    with pytest.raises(SubmissionDied, match="lost when your code was started afresh"):
        session.method(counter, "bump")
    assert session.call("demo.add", 2, 2) == 4.0
    assert channel.generation == generation + 1


@pytest.mark.skipif(not hasattr(sys, "monitoring"),
                    reason="before Python 3.12 the limit is sys.settrace's, which Python turns off once it has "
                           "raised: a loop that catches BaseException escapes it (autograder/softlimit.py)")
def test_a_loop_that_catches_the_stop_is_stopped_at_its_next_turn(session):
    with pytest.raises(CallTimeout, match=r"demo\.stubborn did not return within 0.5 s"):
        session.call("demo.stubborn")


def test_the_child_serves_in_a_python_without_the_resource_module():
    """Pyodide has no `resource`: the child's Server must import without it."""
    script = "import sys\nsys.modules['resource'] = None\nimport autograder.inprocess\nprint('ok')\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=str(ROOT))
    assert done.returncode == 0 and done.stdout == "ok\n", done.stderr


@pytest.fixture(scope="module")
def references(tmp_path_factory) -> Path:
    return write_references(tmp_path_factory.mktemp("references") / "assignments")


@pytest.mark.parametrize("folder", ["stubs", "references"])
def test_the_checks_give_the_sandboxes_verdicts(folder, references):
    """The same checks with the same seed: every test's status, points and message as in the sandbox."""
    where = str(ROOT / "assignments") if folder == "stubs" else str(references)
    only = ["gates", "gradient_check", "svm.forward", "svm.backward", "softmax.naive", "two_layer_net.backward",
            "linear_classifier.training", "linear_classifier.search"]
    config = Config(limits=Limits(call_seconds=30.0))  # generous: this compares verdicts, not speed
    inside = grade_submission(where, only=only, public_only=True, seed=7, config=config, channel=InProcess)
    sandboxed = grade_submission(where, only=only, public_only=True, seed=7, config=config, channel=Sandbox)
    assert inside.status == sandboxed.status == "graded"
    assert [(t.name, t.status, t.score, t.output, t.hint) for t in inside.tests] == \
           [(t.name, t.status, t.score, t.output, t.hint) for t in sandboxed.tests]
    statuses = {t.status for t in inside.tests}
    assert statuses == ({"not implemented"} if folder == "stubs" else {"passed"})
