"""Lending: the student's code calls a function of the grader's, which runs in the trusted parent."""
from __future__ import annotations

import random
import time

import pytest

from autograder.config import Limits
from autograder.sandbox import Sandbox
from autograder.suite import BadReturn, CallTimeout, LentArgument, Session, StudentCrash
from autograder.workspace import Workspace
from tinybackprop.matrix import Matrix

TRAINER = '''
from tinybackprop.matrix import Matrix

_imp = __builtins__["__import__"] if isinstance(__builtins__, dict) else __builtins__.__import__


def helper(x):
    return "the student's own helper"


def uses_helper(x):
    return helper(x)


def twice(x):
    return [helper(x), helper(x + 1)]


def keeps_the_error(x):
    try:
        return helper(x)
    except ValueError as exc:
        return "refused: " + str(exc)


def calls_forever():
    while True:
        helper(1.0)


def forges_a_callback():
    sys = _imp("sys")
    os = _imp("o" + "s")
    # The id of the first call after the import of a fresh child is 2.
    os.write(int(sys.argv[2]), b'{"id": 2, "callback": "trainer.helper", "args": {"M": 1}}\\n')
    return 0.0


def applies(f, xs):
    return [f(x) for x in xs]


def keeps(f):
    global KEPT
    KEPT = f
    return 0.0


def uses_kept():
    return KEPT(1.0)


class Model:
    def __init__(self):
        self.W = Matrix([[1.0, 2.0]])
        self.rng = object()  # not plain data: it stays in the child

    def loss(self, x):
        return "the student's own loss"

    def train(self, x):
        first = self.loss(x)
        self.W = self.W * 2
        return [first, self.loss(x)]

    def keep(self):
        self.kept = self.loss
        return 0.0

    def use_kept(self):
        return self.kept(1.0)
'''

USER = '''
from .broken import area


def doubled_area(side):
    return 2 * area(side)
'''


@pytest.fixture
def session():
    """A Session on the module ``trainer`` with short limits."""
    workspace = Workspace({"trainer.py": TRAINER})
    sandbox = Sandbox(workspace, "trainer", Limits(call_seconds=2.0, memory_mb=256))
    yield Session(sandbox, random.Random(0))
    sandbox.close()
    workspace.close()


def test_a_lent_module_function_runs_in_the_parent_on_plain_data(session):
    seen = []

    def helper(x):
        seen.append(x)
        return Matrix([[x, -x]])

    got = session.call("trainer.twice", 3, lend={"trainer.helper": helper})
    assert seen == [3.0, 4.0]  # an int crosses as a float, like any value from the child
    assert [m.tolist() for m in got] == [[[3.0, -3.0]], [[4.0, -4.0]]]
    assert session.call("trainer.uses_helper", 1) == "the student's own helper"  # lent for one call only


def test_a_lent_argument_is_a_function_of_the_parents_that_sees_every_argument(session):
    seen = []

    def f(x):
        seen.append(x)
        return (x * x).sum() if isinstance(x, Matrix) else -x

    xs = [Matrix([[1.0, 2.0]]), 3]
    assert session.call("trainer.applies", LentArgument("f"), xs, lend={"f": f}) == [5.0, -3.0]
    assert [x.tolist() if isinstance(x, Matrix) else x for x in seen] == [[[1.0, 2.0]], 3.0]
    assert session.call("trainer.applies", f=LentArgument("f"), xs=[2.0], lend={"f": f}) == [-2.0]


def test_a_lent_argument_kept_after_its_call_refuses_to_run(session):
    session.call("trainer.keeps", LentArgument("f"), lend={"f": lambda x: x})
    with pytest.raises(StudentCrash, match="lent by the grader for one call only"):
        session.call("trainer.uses_kept")


def test_a_lent_argument_whose_function_is_not_lent_is_refused(session):
    with pytest.raises(StudentCrash, match="the function f is not lent for this call"):
        session.call("trainer.applies", LentArgument("f"), [1.0])


def test_a_lent_method_gets_the_objects_data_as_self_at_each_call(session):
    model = session.new("trainer.Model")
    seen = []

    def loss(self, x):
        seen.append((sorted(self), self["W"].tolist(), x))
        return len(seen)

    assert session.method(model, "train", 5.0, lend={"self.loss": loss}) == [1.0, 2.0]
    assert seen == [(["W"], [[1.0, 2.0]], 5.0), (["W"], [[2.0, 4.0]], 5.0)]
    assert session.method(model, "loss", 0.0) == "the student's own loss"


def test_a_refusal_reaches_the_students_code_as_the_same_exception(session):
    def helper(x):
        raise ValueError(f"x must be positive, got {x}")

    assert session.call("trainer.keeps_the_error", -1, lend={"trainer.helper": helper}) == \
        "refused: x must be positive, got -1.0"
    with pytest.raises(StudentCrash, match="ValueError: x must be positive"):
        session.call("trainer.uses_helper", -2, lend={"trainer.helper": helper})


def test_a_lent_function_kept_after_its_call_refuses_to_run(session):
    model = session.new("trainer.Model")
    session.method(model, "keep", lend={"self.loss": lambda self, x: 1.0})
    with pytest.raises(StudentCrash, match="lent by the grader for one call only"):
        session.method(model, "use_kept")


def test_callbacks_count_in_the_calls_time_limit(session):
    calls = []
    started = time.monotonic()
    with pytest.raises(CallTimeout):
        session.call("trainer.calls_forever", timeout=0.5, lend={"trainer.helper": calls.append})
    assert len(calls) > 10 and time.monotonic() - started < 3.0


def test_a_forged_callback_is_refused_and_the_child_is_replaced(session):
    with pytest.raises(BadReturn, match="not plain data"):
        session.call("trainer.forges_a_callback", lend={"trainer.helper": lambda x: x})
    assert session.call("trainer.uses_helper", 1) == "the student's own helper"


def test_a_stand_in_takes_the_place_of_a_file_that_cannot_be_imported():
    workspace = Workspace({"user.py": USER, "broken.py": "def area(side):\n    return side *\n"})
    sandbox = Sandbox(workspace, "user", Limits(call_seconds=2.0, memory_mb=256))
    session = Session(sandbox, random.Random(0))
    try:
        why = session.standin("broken", {"broken.area": lambda side: side * side})
        assert why.startswith("SyntaxError")
        assert session.call("user.doubled_area", 3) == 18.0
        # What the stand-in does not lend is refused in the student's code, not in the grader.
        with pytest.raises(StudentCrash, match="broken.area is not lent"):
            Session(sandbox, random.Random(0)).call("user.doubled_area", 3)
    finally:
        sandbox.close()
        workspace.close()


def test_no_stand_in_for_a_file_that_imports(session):
    assert session.standin("trainer", {"trainer.helper": lambda x: x}) == ""
    assert session.call("trainer.uses_helper", 1) == "the student's own helper"
