"""The lecture's vectorized example f(x, W) = ||W x||^2: the reference on the slide's numbers, the stubs,
and the grade and hint of each common mistake and of correct work written otherwise."""
from __future__ import annotations

from pathlib import Path

import pytest

from assignments import gates as stubs
from autograder.grade import grade_submission
from autograder.oracle import reference
from course import hints
from edits import assert_graded_as_expected, graded_edit
from tinybackprop.gradcheck import numerical_gradient, rel_error
from tinybackprop.matrix import Matrix

gates = reference("gates")
W_SLIDE = Matrix([[0.1, 0.5], [-0.3, 0.8]])
X_SLIDE = Matrix.column([0.2, 0.4])


def test_the_slides_numbers():
    """W = [[0.1, 0.5], [-0.3, 0.8]], x = [0.2, 0.4]: q = [0.22, 0.26], f = 0.116, dq = [0.44, 0.52],
    dW = [[0.088, 0.176], [0.104, 0.208]], dx = [-0.112, 0.636]."""
    f, cache = gates.vector_circuit_forward(W_SLIDE, X_SLIDE)
    assert set(cache) == {"W", "x", "q", "f"}
    assert cache["q"].shape == (2, 1) and cache["q"].flatten() == pytest.approx([0.22, 0.26], abs=1e-15)
    assert f == cache["f"] == pytest.approx(0.116, abs=1e-15)
    grads = gates.vector_circuit_backward(cache)
    assert set(grads) == {"dq", "dW", "dx"}
    assert grads["dq"].shape == (2, 1) and grads["dq"].flatten() == pytest.approx([0.44, 0.52], abs=1e-15)
    assert grads["dW"].shape == (2, 2)
    assert grads["dW"].tolist() == [pytest.approx([0.088, 0.176], abs=1e-15), pytest.approx([0.104, 0.208], abs=1e-15)]
    assert grads["dx"].shape == (2, 1) and grads["dx"].flatten() == pytest.approx([-0.112, 0.636], abs=1e-15)


@pytest.mark.parametrize("n, d, dout", [(3, 2, 1.0), (2, 4, -1.5), (1, 1, 0.25)])
def test_gradients_match_finite_differences_and_have_their_variables_shapes(n, d, dout):
    W, x = Matrix.randn(n, d, seed=n), Matrix.randn(d, 1, seed=d + 10)
    _, cache = gates.vector_circuit_forward(W, x)
    grads = gates.vector_circuit_backward(cache, dout)
    assert (grads["dq"].shape, grads["dW"].shape, grads["dx"].shape) == ((n, 1), (n, d), (d, 1))
    assert rel_error(grads["dW"], numerical_gradient(lambda W: dout * gates.vector_circuit_forward(W, x)[0], W)) < 1e-8
    assert rel_error(grads["dx"], numerical_gradient(lambda x: dout * gates.vector_circuit_forward(W, x)[0], x)) < 1e-8


def test_a_row_for_x_is_refused_naming_both_shapes():
    with pytest.raises(ValueError, match=r"W is 2 x 2, so x must be a 2 x 1 column; got x of shape 1 x 2"):
        gates.vector_circuit_forward(W_SLIDE, Matrix([[0.2, 0.4]]))


def test_the_stubs_name_their_first_stage():
    with pytest.raises(NotImplementedError, match=r"^vector_circuit_forward: q$"):
        stubs.vector_circuit_forward(W_SLIDE, X_SLIDE)
    _, cache = gates.vector_circuit_forward(W_SLIDE, X_SLIDE)
    with pytest.raises(NotImplementedError, match=r"^vector_circuit_backward: dq$"):
        stubs.vector_circuit_backward(cache)


def graded(folder: Path, changes: tuple, seed: int = 5) -> dict:
    """The vector stage of the reference gates.py with (old, new) changes: test name -> test."""
    return graded_edit(folder, "gates.py", changes, "gates.vector", seed, name_from=2)


def test_the_reference_earns_every_point_and_the_stubs_none(tmp_path):
    tests = graded(tmp_path / "reference", ())
    assert set(tests) == {"lecture_numbers", "not_square_with_upstream", "random_shapes"}
    assert all(t.status == "passed" and t.score == t.max_score and not t.hint for t in tests.values())
    stubbed = grade_submission(str(Path(stubs.__file__).parent), only=["gates.vector"], seed=5)
    assert stubbed.score == 0 and {t.status for t in stubbed.tests} == {"not implemented"}
    assert all("Traceback" not in t.output and "vector_circuit_forward: q" in t.output for t in stubbed.tests)


TRANSPOSED = ("    dW = dq @ x.T\n", "    dW = x @ dq.T\n")
NO_FACTOR_TWO = ("    dq = 2.0 * q * dout\n", "    dq = q * dout\n")
NO_UPSTREAM = ("    dq = 2.0 * q * dout\n", "    dq = 2.0 * q\n")
# (changes, {test: (fraction of its points, words of its hint)})
MISTAKES = {
    # On the square W of the slide a transposed dW has the right shape but the wrong entries; on a W
    # that is not square, it has the shape of W transposed.
    "dW_transposed": ((TRANSPOSED,), {"lecture_numbers": (4 / 5, hints.TRANSPOSED_DW),
                                      "not_square_with_upstream": (4 / 5, hints.SAME_SHAPE)}),
    "factor_two_missing": ((NO_FACTOR_TWO,), {"lecture_numbers": (2 / 5, "a factor is missing"),
                                              "not_square_with_upstream": (2 / 5, "a factor is missing")}),
    "upstream_ignored": ((NO_UPSTREAM,), {"lecture_numbers": (1.0, ""),
                                          "not_square_with_upstream": (2 / 5, "multiply by the upstream")}),
    "dx_without_the_transpose": ((("    dx = W.T @ dq\n", "    dx = (dq.T @ W)\n"),),
                                 {"not_square_with_upstream": (4 / 5, "dx must be 2 x 1 like x; yours is 1 x 2")}),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_common_mistake_gets_its_partial_score_and_hint(tmp_path, mistake):
    changes, expect = MISTAKES[mistake]
    assert_graded_as_expected(graded(tmp_path, changes), expect)


def test_the_transposed_dW_on_a_W_that_is_not_square_is_told_its_shape_and_why(tmp_path):
    test = graded(tmp_path, (TRANSPOSED,))["not_square_with_upstream"]
    assert test.hint.startswith(f"{hints.SAME_SHAPE}: dW must be 3 x 2 like W; yours is 2 x 3.")
    assert hints.TRANSPOSED_DW in test.hint


# Correct work written otherwise: loops, other products, other orders.
CORRECT = {
    "loops": (("    q = W @ x\n", "    q = Matrix([[sum(W[i, j] * x[j, 0] for j in range(W.shape[1]))]\n"
                                  "                for i in range(W.shape[0])])\n"),
              ("    f = (q * q).sum()\n", "    f = sum(v * v for v in q.flatten())\n")),
    "other_products": (("    dq = 2.0 * q * dout\n", "    dq = q * (2 * dout)\n"),
                       ("    dW = dq @ x.T\n", "    dW = (x @ dq.T).T\n"),
                       ("    dx = W.T @ dq\n", "    dx = (dq.T @ W).T\n")),
}


@pytest.mark.parametrize("variant", CORRECT)
@pytest.mark.parametrize("seed", [1, 2])
def test_correct_work_written_otherwise_scores_every_point_with_no_hint(tmp_path, variant, seed):
    tests = graded(tmp_path, CORRECT[variant], seed)
    assert all(t.status == "passed" and t.score == t.max_score and not t.hint for t in tests.values()), \
        {name: (t.status, t.output, t.hint) for name, t in tests.items()}


@pytest.mark.parametrize("changes, stage", [((TRANSPOSED,), "vector_circuit_backward: dW"),
                                            ((NO_FACTOR_TWO,), "vector_circuit_backward: dq")])
def test_the_hint_command_finds_the_stage_of_the_mistake(tmp_path, capsys, monkeypatch, changes, stage):
    from autograder import hint

    graded(tmp_path / "assignments", changes)
    monkeypatch.chdir(tmp_path)
    assert hint.main(["gates.vector", "--seed", "3"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"gates.vector: the first stage that fails is {stage}"
