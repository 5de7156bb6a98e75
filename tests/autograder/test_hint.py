"""The hint command: the first failing stage found from what the checks report, the ladder climbed in order."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from autograder import hint
from autograder.content import write_references
from autograder.ladder import RUNGS, StageHints, read_ladder
from autograder.results import TestResult
from autograder.suite import ASSIGNMENTS

REPO = Path(__file__).resolve().parents[2]
SVM = read_ladder("svm")
GATES = read_ladder("gates")


def stage(ladder, name: str) -> StageHints:
    return next(s for s in ladder if s.name == name)


def failed(name: str, output: str, hint_text: str = "", status: str = "failed") -> TestResult:
    assignment, grading_stage = name.split(".")[:2]
    return TestResult(name, assignment, grading_stage, 0.0, 1.0, status, output, hint_text)


def where(test: TestResult, ladder, grading_stages=("naive", "forward", "backward", "vectorized")):
    found = hint.locate(test, ladder, hint.own_stages(test.stage, grading_stages, ladder))
    return (found[0].name, found[1]) if found else None


@pytest.mark.parametrize("output, expected", [
    ("Not implemented yet: svm_forward: margins. Before it: right so far: scores", "svm_forward: margins"),
    ("right so far: scores, margins; then cache['data_loss'] is 24.1; expected 3.0", "svm_forward: data_loss"),
    ("right so far: scores; then cache['margins'] is off by a relative error of 1.0e+00", "svm_forward: margins"),
    ("Your code raised TypeError: bad operand, at assignments/svm.py, line 70, in svm_forward. "
     "Before it: right so far: scores, margins", "svm_forward: data_loss"),
])
def test_a_forward_check_points_at_the_first_wrong_entry(output, expected):
    assert where(failed("svm.forward.fixed", output), SVM) == (expected, True)


@pytest.mark.parametrize("output, expected", [
    ("grads['dscores'] is off by a relative error of 7.8e-01; at [0, 0] it is 1, expected 0.125",
     "svm_backward: dscores"),
    ("right so far: dscores; then grads['dW'] has shape (4, 5); expected a matrix of shape (5, 4)", "svm_backward: dW"),
    ("dW[0, 2]: analytic -0.038, numerical 0.137 (relative error 1.0e+00); dW does not match the numerical "
     "gradient of your own loss, so svm.svm_backward does not differentiate svm.svm_forward", "svm_backward: dW"),
])
def test_a_backward_check_points_at_the_first_wrong_gradient(output, expected):
    assert where(failed("svm.backward.fixed", output), SVM) == (expected, True)


def test_the_vectorized_stage_is_about_forward_and_backward():
    own = hint.own_stages("vectorized", ("naive", "forward", "backward", "vectorized"), SVM)
    assert [s.function for s in own] == ["svm_forward"] * 4 + ["svm_backward"] * 2
    test = failed("svm.vectorized.fixed", "loss = 2.43 is right. dW has shape (4, 5); expected (5, 4).")
    assert where(test, SVM) == ("svm_backward: dW", True)


def test_a_stage_named_for_no_function_is_about_the_functions_no_other_stage_names():
    net = read_ladder("two_layer_net")
    own = hint.own_stages("training", ("forward", "backward", "training", "search"), net)
    assert {s.function for s in own} == {"TwoLayerNet.train", "TwoLayerNet.predict"}
    assert hint.own_stages("gates", ("gates",), GATES) == GATES


def test_a_table_of_wires_and_a_named_gate_point_at_the_gate():
    table = ("f = 2 * (x * y + max(z, w)) at x=3, y=-4, z=2, w=-1\n  wire     expected        yours\n"
             "    dx           -8           -8  ok\n    dw            0            2  WRONG")
    test = failed("gates.gates.max_circuit", table, "MaxGate.backward is wrong: it gave dz = 2, dw = 2.")
    assert where(test, GATES, ("gates",)) == ("MaxGate.backward: route", True)


def test_the_tests_name_narrows_the_functions_and_right_entries_are_skipped():
    output = ("f = (x + y) * x at x = -2, y = 5, dout = 1: cache['q'] = 3 is right; f = -6 is right; "
              "dx is -2; expected 1; dy = -2 is right")
    assert where(failed("gates.gates.fork_circuit", output), GATES, ("gates",)) == \
        ("fork_circuit_backward: fork", True)


def test_a_message_that_names_no_stage_gives_a_guess_said_to_be_one():
    test = failed("linear_classifier.training.svm_accuracy", "LinearSVM: accuracy 0.00 on 60 held-out points")
    assert where(test, read_ladder("linear_classifier"), ("training",)) == ("LinearClassifier.train: minibatch", False)


def test_evidence_beats_a_guess_and_a_stages_own_functions_come_first():
    ladder = read_ladder("softmax")
    stages = {"forward": [failed("softmax.forward.huge", "On scores as large as 1000, softmax.softmax_forward "
                                                         "raised OverflowError"),
                          failed("softmax.forward.fixed", "right so far: scores; then cache['shifted'] is off")],
              "backward": [failed("softmax.backward.gradcheck", "Not implemented yet: softmax_forward: scores"),
                           failed("softmax.backward.fixed", "Not implemented yet: softmax_backward: dscores")]}
    found = hint.first_failing("softmax", stages, ladder)
    assert (found.grading_stage, found.stage.name, found.evidence) == ("forward", "softmax_forward: shifted", True)
    found = hint.first_failing("softmax", {"backward": stages["backward"]}, ladder)
    assert found.stage.name == "softmax_backward: dscores"


# -- the command, end to end -----------------------------------------------------------------

@pytest.fixture
def student(tmp_path, monkeypatch) -> Path:
    """A student's folder: the shipped stubs in ./assignments, the current directory."""
    shutil.copytree(REPO / "assignments", tmp_path / "assignments")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_hint(capsys, *argv: str) -> tuple:
    code = hint.main(list(argv) + ["--seed", "3"])
    return code, capsys.readouterr().out


def test_the_ladder_is_climbed_in_order_and_remembered_beside_the_folder(student, capsys):
    dscores = stage(SVM, "svm_backward: dscores")
    seen = []
    for rung in (1, 2, 3, 3):
        code, out = run_hint(capsys, "svm.backward")
        assert code == 0
        lines = out.splitlines()
        assert lines[0] == "svm.backward: the first stage that fails is svm_backward: dscores"
        assert lines[1] == "  (svm.backward.reference_cache: Not implemented yet: svm_backward: dscores)"
        assert " ".join(out.split()).count(" ".join(dscores.goal.split())) == 1
        label = RUNGS[rung - 1]
        assert f"Hint {rung} of 3, {hint.RUNG_NAMES[label]}: " in out
        assert " ".join(dscores.text(label).split()) in " ".join(out.split())
        seen.append(out)
    assert "Run `python -m autograder hint svm.backward` again for hint 2 (the formula)" in seen[0]
    assert "again for hint 3 (the shape of the code)" in seen[1]
    assert "That was the last hint for this stage" in seen[2] and seen[3] == seen[2]
    state = json.loads((student / hint.STATE).read_text(encoding="utf-8"))
    assert state == {"assignments": {"svm_backward: dscores": 3}}


def test_again_repeats_and_reset_starts_over(student, capsys):
    run_hint(capsys, "svm.forward")
    run_hint(capsys, "svm.forward")
    assert "Hint 2 of 3, the formula" in run_hint(capsys, "svm.forward", "--again")[1]
    assert "Hint 3 of 3" in run_hint(capsys, "svm.forward")[1]
    assert "Hint 1 of 3, the idea" in run_hint(capsys, "svm.forward", "--reset")[1]
    assert "Hint 1 of 3, the idea" in run_hint(capsys, "gates", "--again")[1]  # nothing shown yet: the first
    state = json.loads((student / hint.STATE).read_text(encoding="utf-8"))["assignments"]
    assert state == {"svm_forward: scores": 1, "MultiplyGate.backward: switch": 1}


def test_without_a_target_the_first_failing_stage_of_all_gets_the_hint(student, capsys):
    code, out = run_hint(capsys)
    assert code == 0 and out.startswith("gates.gates: the first stage that fails is MultiplyGate.backward: switch\n")
    assert "Run `python -m autograder hint` again" in out


MISTAKES = [  # (file, old, new, what to ask about, the stage whose hint comes, the first line of the why)
    ("svm.py", "    margins.add_at(y, -1.0)\n", "", "svm", "svm_forward: margins",
     "svm.forward.small_with_reg: right so far: scores; then cache['margins'] is off"),
    ("svm.py", "    dscores = positive / N\n", "    dscores = positive\n", "svm.backward", "svm_backward: dscores",
     "svm.backward.reference_cache: grads['dscores'] is off"),
    ("softmax.py", "    shifted = scores - scores.max(axis=1)\n", "    shifted = scores\n", "softmax.forward",
     "softmax_forward: shifted",  # overflows on huge scores; the note of a passing test names the stage
     "softmax.forward.small_with_reg: loss: right. Note, not a deduction, since the final results are right: "
     "cache['shifted'] is off"),
    ("two_layer_net.py", "    dz1 = dh1 * (z1 > 0)\n", "    dz1 = dh1\n", "two_layer_net.backward",
     "two_layer_backward: dz1", "two_layer_net.backward.reference_cache_toy: right: dscores, dW2, db2, dh1;"),
]


@pytest.mark.parametrize("file, old, new, target, name, why", MISTAKES, ids=[m[4] for m in MISTAKES])
def test_a_wrong_answer_gets_the_hint_of_its_stage(tmp_path, capsys, file, old, new, target, name, why):
    folder = write_references(tmp_path / "work")
    source = (folder / file).read_text(encoding="utf-8")
    assert source.count(old) == 1
    (folder / file).write_text(source.replace(old, new), encoding="utf-8")
    code, out = run_hint(capsys, target, "--submission", str(folder))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].endswith(f": the first stage that fails is {name}")
    assert " ".join(" ".join(lines[1:3]).split()).startswith(f"({why}")
    assert " ".join(stage(read_ladder(file[:-3]), name).idea.split()) in " ".join(out.split())
    assert json.loads((tmp_path / hint.STATE).read_text(encoding="utf-8")) == {"work": {name: 1}}


def test_when_every_stage_passes_there_is_no_hint(tmp_path, capsys):
    folder = write_references(tmp_path / "done")
    code, out = run_hint(capsys, "svm.backward", "--submission", str(folder))
    assert (code, out) == (0, "Every stage of svm.backward passes: no hint needed.\n")


def test_a_file_that_does_not_parse_comes_first(tmp_path, capsys):
    folder = write_references(tmp_path / "broken")
    (folder / "svm.py").write_text("def svm_forward(:\n", encoding="utf-8")
    code, out = run_hint(capsys, "svm", "--submission", str(folder))
    assert code == 1
    assert out.startswith("svm: svm.py does not parse: invalid syntax (line 1):")
    assert out.endswith("No stage of svm can run until that is fixed.\n")


def test_the_instructor_can_switch_the_ladder_off(student, tmp_path, capsys):
    config = tmp_path / "off.toml"
    config.write_text((REPO / "autograder" / "config.toml").read_text(encoding="utf-8")
                      .replace("ladder = true", "ladder = false"), encoding="utf-8")
    code, out = run_hint(capsys, "svm", "--config", str(config))
    assert code == 1
    assert out == ("No hints: the instructor has switched hints off for this course "
                   "([hints] ladder = false in autograder/config.toml).\n")
    assert not (student / hint.STATE).exists()


def test_an_unknown_target_is_a_usage_error(student, capsys):
    assert hint.main(["svn.backward"]) == 2
    assert "unknown assignment or stage svn.backward" in capsys.readouterr().err


def test_the_hint_command_is_a_subcommand(student, capsys):
    from autograder import cli

    assert cli.main(["hint", "gates", "--seed", "1"]) == 0
    assert "MultiplyGate.backward: switch" in capsys.readouterr().out


def test_a_kit_without_the_ladder_of_a_failing_assignment_says_so(student, monkeypatch, capsys):
    monkeypatch.setattr(hint, "read_ladder", lambda name: None if name != "svm" else read_ladder(name))
    code, out = run_hint(capsys, "gates")
    assert (code, out) == (1, "No hints for gates: this kit has no course/gates/hints.json.\n")
    assert run_hint(capsys)[1].startswith("svm.forward: the first stage that fails is svm_forward: scores\n")
    monkeypatch.setattr(hint, "read_ladder", lambda name: None)
    code, out = run_hint(capsys)
    assert code == 1 and out == (f"No hints for {', '.join(ASSIGNMENTS)}, which still "
                                 "fail: this kit has no course/<assignment>/hints.json for them.\n")
