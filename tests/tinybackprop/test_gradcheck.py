"""gradcheck on functions whose gradients are known in closed form."""
from __future__ import annotations

import math
import random

import pytest

from tinybackprop.gradcheck import (
    GradCheckEntry,
    check_value_gradients,
    grad_check_sparse,
    numerical_gradient,
    rel_error,
)
from tinybackprop.matrix import Matrix
from tinybackprop.value import Value


def sum_of_squares(xs):
    return sum(v * v for v in xs)


# ----- numerical_gradient -----

def test_numerical_gradient_of_a_float():
    assert numerical_gradient(lambda x: x ** 3, 2.0) == pytest.approx(12.0, rel=1e-8)
    assert numerical_gradient(math.sin, 0.5) == pytest.approx(math.cos(0.5), rel=1e-9)


def test_numerical_gradient_of_a_list_restores_every_entry():
    x = [1.0, -2.0, 3.5]
    grad = numerical_gradient(sum_of_squares, x)
    assert grad == pytest.approx([2.0, -4.0, 7.0], rel=1e-8)
    assert x == [1.0, -2.0, 3.5]


def test_numerical_gradient_of_a_list_of_lists_keeps_the_nesting():
    x = [[1.0, 2.0], [3.0, 4.0]]
    grad = numerical_gradient(lambda rows: sum(sum_of_squares(r) for r in rows), x)
    assert grad == [pytest.approx([2.0, 4.0], rel=1e-8), pytest.approx([6.0, 8.0], rel=1e-8)]
    assert x == [[1.0, 2.0], [3.0, 4.0]]


def test_numerical_gradient_of_a_matrix_is_a_matrix_of_the_same_shape():
    X = Matrix([[1.0, 2.0], [-1.0, 0.5], [3.0, -2.0]])   # N x D = 3 x 2
    W = Matrix([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]])     # D x C = 2 x 3
    before = W.tolist()
    grad = numerical_gradient(lambda w: ((X @ w) * (X @ w)).sum() / 2, W)
    assert isinstance(grad, Matrix) and grad.shape == (2, 3)
    expected = X.T @ (X @ W)                              # d/dW of ||XW||^2 / 2
    assert grad.allclose(expected, rtol=1e-7, atol=1e-9)
    assert W.tolist() == before


def test_numerical_gradient_restores_the_entry_when_f_raises():
    x = [1.0, 2.0]
    calls = []

    def f(v):
        calls.append(list(v))
        if len(calls) == 2:
            raise RuntimeError("boom")
        return v[0]

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    assert x == [1.0, 2.0]
    assert calls[1][0] == pytest.approx(1.0 - 1e-5)  # the failing call saw the nudged entry


def test_numerical_gradient_wants_f_to_return_a_number():
    with pytest.raises(TypeError, match=r"\.data"):
        numerical_gradient(lambda x: Value(x) * 2, 1.0)


def test_numerical_gradient_rejects_what_it_cannot_change_in_place():
    with pytest.raises(TypeError, match="tuple"):
        numerical_gradient(sum, (1.0, 2.0))


def test_numerical_gradient_of_a_matrix_valued_f_names_its_shape_and_the_fix():
    W = Matrix([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(TypeError, match=r"f must return a float.*Matrix of shape \(2, 2\).*\.sum\(\)"):
        numerical_gradient(lambda W: W * W, W)
    assert W == Matrix([[1.0, 2.0], [3.0, 4.0]])  # restored after the failed call


def test_numerical_gradient_of_a_loss_and_gradient_pair_says_to_take_the_loss():
    # CS231n's loss functions return (loss, dW): the check needs f = lambda W: loss_fn(W, ...)[0]
    W = Matrix([[1.0, 2.0]])
    with pytest.raises(TypeError, match=r"got a tuple of 2.*\[0\]"):
        numerical_gradient(lambda W: ((W * W).sum(), 2 * W), W)


def test_numerical_gradient_of_a_value_points_to_check_value_gradients():
    with pytest.raises(TypeError, match="check_value_gradients"):
        numerical_gradient(lambda x: x.data ** 2, Value(3.0))


# ----- rel_error -----

def test_rel_error_is_the_course_formula():
    assert rel_error(1.0, 3.0) == pytest.approx(0.5)
    assert rel_error(-1.0, 1.0) == pytest.approx(1.0)
    assert rel_error(0.0, 0.0) == 0.0
    assert rel_error(1e-9, 0.0) == pytest.approx(0.1)  # the 1e-8 floor keeps tiny values sane


def test_rel_error_of_lists_and_matrices_is_the_largest_entry():
    assert rel_error([1.0, 2.0, 4.0], [1.0, 2.0, 2.0]) == pytest.approx(1 / 3)
    a = Matrix([[1.0, 2.0], [3.0, 4.0]])
    assert rel_error(a, [[1.0, 2.0], [3.0, 12.0]]) == pytest.approx(0.5)
    assert rel_error(a, a.copy()) == 0.0


@pytest.mark.parametrize("a, b", [
    ([math.nan, 1.0], [1.0, 1.0]),
    ([1.0, math.nan], [1.0, 1.0]),
    (Matrix([[1.0, 2.0]]), [[1.0, math.nan]]),
    (math.nan, 1.0),
])
def test_rel_error_is_nan_when_any_entry_is_nan(a, b):
    # max() would keep an earlier finite error and drop a later nan: a broken gradient would pass
    assert math.isnan(rel_error(a, b))


def test_rel_error_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 2\) and \(2,\)"):
        rel_error(Matrix([[1.0, 2.0], [3.0, 4.0]]), [1.0, 2.0])


# ----- grad_check_sparse -----

def test_grad_check_sparse_passes_a_correct_gradient():
    W = Matrix.randn(4, 3, seed=1)
    analytic = W * 2.0
    entries = grad_check_sparse(lambda w: (w * w).sum(), W, analytic, num_checks=7, seed=0)
    assert len(entries) == 7
    assert all(isinstance(e, GradCheckEntry) for e in entries)
    for e in entries:
        i, j = e.index
        assert e.analytic == analytic[i, j]
        assert e.rel_error < 1e-8


def test_grad_check_sparse_flags_a_wrong_gradient():
    x = [1.0, 2.0, 3.0]
    wrong = [1.0, 2.0, 3.0]  # forgot the factor 2 of d/dx x**2
    entries = grad_check_sparse(sum_of_squares, x, wrong, num_checks=5, seed=3)
    assert all(e.rel_error == pytest.approx(1 / 3, rel=1e-6) for e in entries)


def test_grad_check_sparse_is_deterministic_given_a_seed():
    x = [float(i) for i in range(20)]
    analytic = [2 * v for v in x]
    first = [e.index for e in grad_check_sparse(sum_of_squares, x, analytic, seed=42)]
    again = [e.index for e in grad_check_sparse(sum_of_squares, x, analytic, seed=random.Random(42))]
    assert first == again
    assert len(set(first)) > 1


def test_grad_check_sparse_prints_only_when_verbose(capsys):
    x, analytic = [1.0, 2.0], [2.0, 4.0]
    grad_check_sparse(sum_of_squares, x, analytic, num_checks=3, seed=0)
    assert capsys.readouterr().out == ""
    grad_check_sparse(sum_of_squares, x, analytic, num_checks=3, seed=0, verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(line.startswith("numerical: ") and "relative error" in line for line in lines)


def test_grad_check_sparse_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        grad_check_sparse(sum_of_squares, [1.0, 2.0, 3.0], [1.0, 2.0])


# ----- check_value_gradients -----

def test_check_value_gradients_on_a_known_expression():
    entries = check_value_gradients(lambda a, b: (a * b).tanh() + a.exp(), [0.3, -0.7])
    t = math.tanh(0.3 * -0.7)
    assert entries[0].analytic == pytest.approx((1 - t * t) * -0.7 + math.exp(0.3), rel=1e-12)
    assert entries[1].analytic == pytest.approx((1 - t * t) * 0.3, rel=1e-12)
    assert all(e.rel_error < 1e-8 for e in entries)


def test_check_value_gradients_catches_a_wrong_local_gradient():
    def bad_square(a):
        return Value(a.data ** 2, (a,), (a.data,), "bad")  # should be 2a

    (entry,) = check_value_gradients(bad_square, [1.5])
    assert entry.analytic == 1.5
    assert entry.numerical == pytest.approx(3.0, rel=1e-8)
    assert entry.rel_error > 0.3


def test_check_value_gradients_wants_a_value_back():
    with pytest.raises(TypeError, match="must return a Value"):
        check_value_gradients(lambda a: a.data * 2, [1.0])
