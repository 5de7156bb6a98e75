"""The numerical gradient written by the student: the reference, the stubs, and the grade and hint of each
common mistake and of correct work written otherwise."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from assignments import gradient_check as stubs
from autograder.grade import grade_submission
from autograder.oracle import reference
from course import hints
from edits import assert_graded_as_expected, graded_edit
from course.gradient_check.recording import Recorder, centered_problems, evaluations, polynomial
from tinybackprop.matrix import Matrix

ref = reference("gradient_check")


def test_a_number_a_list_and_a_matrix_get_the_centered_difference_of_their_shape():
    assert ref.numerical_gradient(lambda x: x ** 3, 2.0) == pytest.approx(12.0, rel=1e-9)
    x = [1.0, 3.0]
    assert ref.numerical_gradient(lambda v: v[0] ** 2 * v[1], x) == pytest.approx([6.0, 1.0], rel=1e-9)
    assert x == [1.0, 3.0]
    W = Matrix([[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]])
    dW = ref.numerical_gradient(lambda W: (W * W).sum(), W, 1e-4)
    assert isinstance(dW, Matrix) and dW.shape == (2, 3) and dW.allclose(2 * W, rtol=1e-9)
    assert W.tolist() == [[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]]


def test_every_evaluation_moves_one_entry_by_plus_and_minus_h_and_x_is_put_back():
    poly = polynomial(random.Random(3), 6)
    f = Recorder(poly, (2, 3))
    x = Matrix([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])
    given = x.flatten()
    ref.numerical_gradient(f, x, 1e-4)
    assert centered_problems(evaluations(f.calls, given, 1e-4), 1e-4, range(6)) == {"restored": "", "centered": ""}
    assert len(f.calls) == 12 and x.flatten() == given


def test_rel_error_is_the_lectures_formula_and_0_for_two_zeros():
    assert ref.rel_error(0.0, 0.0) == 0.0
    assert ref.rel_error(1e-10, -1e-10) == pytest.approx(2e-10 / 1e-8)
    assert ref.rel_error(3.0, -3.0) == 1.0
    assert ref.rel_error([1.0, 2.0, 3.0], [1.0, 2.0, 3.3]) == pytest.approx(0.3 / 6.3)
    assert ref.rel_error(Matrix([[1.0, 0.0]]), Matrix([[1.0, 0.0]])) == 0.0


def test_rel_error_refuses_two_shapes_naming_both():
    with pytest.raises(ValueError, match=r"shapes \(1, 2\) and \(2, 1\) differ"):
        ref.rel_error(Matrix([[1.0, 2.0]]), Matrix([[1.0], [2.0]]))
    with pytest.raises(ValueError, match="lists of 2 and 3 floats"):
        ref.rel_error([1.0, 2.0], [1.0, 2.0, 3.0])


def test_grad_check_sparse_draws_the_same_entries_for_the_same_seed():
    W = Matrix.randn(4, 5, seed=0)
    loss = lambda W: (W * W * W).sum()  # noqa: E731  (a one-line f, as a student would pass it)
    first = ref.grad_check_sparse(loss, W, 3 * W * W, 6, seed=7)
    assert first == ref.grad_check_sparse(loss, W, 3 * W * W, 6, seed=7)
    assert len(first) == 6 and max(first) < 1e-8
    wrong = 3 * W * W
    wrong[0, 0] = wrong[0, 0] + 1.0
    assert max(ref.grad_check_sparse(loss, W, wrong, 40, seed=1)) > 1e-2


def test_the_stubs_name_their_first_stage():
    with pytest.raises(NotImplementedError, match=r"^numerical_gradient: number$"):
        stubs.numerical_gradient(lambda x: x, 1.0)
    with pytest.raises(NotImplementedError, match=r"^numerical_partial: nudge$"):
        stubs.numerical_gradient(lambda x: x[0], [1.0])
    with pytest.raises(NotImplementedError, match=r"^rel_error: errors$"):
        stubs.rel_error(1.0, 2.0)
    with pytest.raises(NotImplementedError, match=r"^grad_check_sparse: pick$"):
        stubs.grad_check_sparse(lambda x: x[0], [1.0], [1.0])


def graded(folder: Path, changes: tuple, seed: int = 5) -> dict:
    """The reference gradient_check.py with (old, new) changes, graded: "<stage>.<test>" -> test."""
    return graded_edit(folder, "gradient_check.py", changes, "gradient_check", seed, name_from=1)


def test_the_reference_earns_every_point_and_the_stubs_none(tmp_path):
    tests = graded(tmp_path / "reference", ())
    assert len(tests) == 9
    assert all(t.status == "passed" and t.score == t.max_score and not t.hint for t in tests.values()), \
        {name: (t.status, t.output) for name, t in tests.items()}
    stubbed = grade_submission(str(Path(stubs.__file__).parent), only=["gradient_check"], seed=5)
    assert stubbed.score == 0 and {t.status for t in stubbed.tests} == {"not implemented"}
    assert all("Traceback" not in t.output for t in stubbed.tests)


ONE_SIDED = (("    x[ix] = old - h\n    fxmh = f(x)\n    x[ix] = old\n", "    x[ix] = old\n    fxmh = f(x)\n"),
             ("    slope = (fxph - fxmh) / (2 * h)\n", "    slope = (fxph - fxmh) / h\n"))
BY_H = (("    slope = (fxph - fxmh) / (2 * h)\n", "    slope = (fxph - fxmh) / h\n"),)
# (changes, {test: (fraction of its points or None when it depends on the inputs' curvature, hint words)})
MISTAKES = {
    "one_sided_number": ((("        grad = (f(x + h) - f(x - h)) / (2 * h)\n", "        grad = (f(x + h) - f(x)) / h\n"),),
                         {"numerical.a_number": (None, hints.ONE_SIDED), "numerical.a_list_with_its_h": (1.0, "")}),
    "one_sided_entries": (ONE_SIDED, {"numerical.a_list_with_its_h": (None, hints.ONE_SIDED),
                                      "numerical.a_matrix_put_back": (None, hints.ONE_SIDED),
                                      "numerical.a_number": (1.0, "")}),
    "divided_by_h": (BY_H, {"numerical.a_list_with_its_h": (0.5, hints.DIVIDED_BY_H),
                            "numerical.a_matrix_put_back": (0.5, hints.DIVIDED_BY_H),
                            # Its errors are those of its own slopes: the bug is charged once.
                            "sparse.a_matrix": (1.0, "")}),
    "number_divided_by_h": ((("        grad = (f(x + h) - f(x - h)) / (2 * h)\n",
                              "        grad = (f(x + h) - f(x - h)) / h\n"),),
                            {"numerical.a_number": (0.5, hints.DIVIDED_BY_H)}),
    "x_not_put_back": ((("    fxmh = f(x)\n    x[ix] = old\n", "    fxmh = f(x)\n"),),
                       {"numerical.a_list_with_its_h": (0.25, hints.NOT_RESTORED),
                        "numerical.a_matrix_put_back": (0.25, hints.NOT_RESTORED)}),
    "a_step_of_its_own": ((("    x[ix] = old + h\n", "    x[ix] = old + 1e-5\n"),
                           ("    x[ix] = old - h\n", "    x[ix] = old - 1e-5\n")),
                          {"numerical.a_list_with_its_h": (None, hints.WRONG_STEP),
                           "numerical.a_matrix_put_back": (1.0, "")}),
    "no_floor": ((("max(abs(p) + abs(q), 1e-8)", "(abs(p) + abs(q))"),),
                 {"rel_error.numbers": (0.0, hints.NO_FLOOR)}),
    "no_absolute_value": ((("abs(p - q) / max", "(p - q) / max"),),
                          {"rel_error.numbers": (None, hints.NOT_ABSOLUTE)}),
    "max_denominator": ((("max(abs(p) + abs(q), 1e-8)", "max(abs(p), abs(q), 1e-8)"),),
                        {"rel_error.numbers": (None, hints.MAX_DENOMINATOR)}),
    "mean_over_entries": ((("    return max(errors, default=0.0)\n", "    return sum(errors) / len(errors)\n"),),
                          {"rel_error.lists_and_matrices": (0.0, hints.NOT_LARGEST), "rel_error.numbers": (1.0, "")}),
    "the_first_entries_always": ((("        ix = rng.choice(candidates)\n", "        ix = candidates[len(errors)]\n"),),
                                 {"sparse.a_matrix": (0.6, hints.NOT_RANDOM)}),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_common_mistake_gets_its_partial_score_and_hint(tmp_path, mistake):
    changes, expect = MISTAKES[mistake]
    assert_graded_as_expected(graded(tmp_path, changes), expect)


# Correct work written otherwise: moves undone by arithmetic, the minus side first, a loop with an if,
# an index drawn with randrange.
CORRECT = {
    "undone_by_arithmetic": (("    old = x[ix]\n    x[ix] = old + h\n    fxph = f(x)\n    x[ix] = old - h\n"
                              "    fxmh = f(x)\n    x[ix] = old\n",
                              "    x[ix] += h\n    fxph = f(x)\n    x[ix] -= 2 * h\n    fxmh = f(x)\n    x[ix] += h\n"),),
    "minus_first": (("    x[ix] = old + h\n    fxph = f(x)\n    x[ix] = old - h\n    fxmh = f(x)\n",
                     "    x[ix] = old - h\n    fxmh = f(x)\n    x[ix] = old + h\n    fxph = f(x)\n"),
                    ("        grad = (f(x + h) - f(x - h)) / (2 * h)\n",
                     "        below = f(x - h)\n        grad = (f(x + h) - below) / h / 2\n")),
    "loops_and_randrange": (("    errors = [abs(p - q) / max(abs(p) + abs(q), 1e-8) for p, q in pairs]\n",
                             "    errors = []\n    for p, q in pairs:\n        size = abs(p) + abs(q)\n"
                             "        errors.append(0.0 if size == 0 else abs(p - q) / max(size, 1e-8))\n"),
                            ("        ix = rng.choice(candidates)\n",
                             "        ix = candidates[rng.randrange(len(candidates))]\n")),
}


@pytest.mark.parametrize("variant", CORRECT)
@pytest.mark.parametrize("seed", [1, 2])
def test_correct_work_written_otherwise_scores_every_point_with_no_hint(tmp_path, variant, seed):
    tests = graded(tmp_path, CORRECT[variant], seed)
    assert all(t.status == "passed" and t.score == t.max_score and not t.hint for t in tests.values()), \
        {name: (t.status, t.output, t.hint) for name, t in tests.items() if t.status != "passed" or t.hint}


@pytest.mark.parametrize("mistake, target, stage", [
    ("x_not_put_back", "gradient_check.numerical", "numerical_partial: nudge"),
    ("divided_by_h", "gradient_check.numerical", "numerical_partial: slope"),
    ("number_divided_by_h", "gradient_check.numerical", "numerical_gradient: number"),
    ("the_first_entries_always", "gradient_check.sparse", "grad_check_sparse: pick"),
    ("no_floor", "gradient_check.rel_error", "rel_error: errors"),
])
def test_the_hint_command_finds_the_stage_of_the_mistake(tmp_path, capsys, monkeypatch, mistake, target, stage):
    from autograder import hint

    changes, _ = MISTAKES[mistake]
    graded(tmp_path / "assignments", changes)
    monkeypatch.chdir(tmp_path)
    assert hint.main([target, "--seed", "3"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"{target}: the first stage that fails is {stage}"
