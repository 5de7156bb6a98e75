"""Tests of tinybackprop.matrix.Matrix against plain-loop reference code on nested lists."""

from __future__ import annotations

import math
import operator
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinybackprop.kernels import columns, times_transposed
from tinybackprop.matrix import Matrix

# ---- plain-loop references on nested lists -------------------------------------------------


def ref_shape(rows):
    return len(rows), len(rows[0])


def ref_broadcast(a, b, f):
    """f entry by entry under numpy's broadcasting rule, with explicit index loops."""
    (na, ma), (nb, mb) = ref_shape(a), ref_shape(b)
    n, m = max(na, nb), max(ma, mb)
    out = []
    for i in range(n):
        row = []
        for j in range(m):
            x = a[i if na > 1 else 0][j if ma > 1 else 0]
            y = b[i if nb > 1 else 0][j if mb > 1 else 0]
            row.append(f(x, y))
        out.append(row)
    return out


def ref_matmul(a, b):
    out = [[0.0] * len(b[0]) for _ in a]
    for i in range(len(a)):
        for j in range(len(b[0])):
            for k in range(len(b)):
                out[i][j] += a[i][k] * b[k][j]
    return out


def close_rows(got, want, tol=1e-9):
    """Same shape and every entry equal up to a relative tolerance."""
    assert ref_shape(got) == ref_shape(want)
    for got_row, want_row in zip(got, want):
        for x, y in zip(got_row, want_row):
            assert x == pytest.approx(y, rel=tol, abs=tol)


# ---- strategies: a base shape and operands that broadcast against it -------------------------

values = st.floats(-10, 10, allow_nan=False)
positive = st.floats(0.25, 4)
dims = st.integers(1, 5)


def matrix_of(n, m, entries=values):
    return st.lists(st.lists(entries, min_size=m, max_size=m), min_size=n, max_size=n)


@st.composite
def broadcast_pair(draw, left=values, right=values):
    """Two nested lists whose shapes broadcast: each is full, a row, a column or 1 x 1."""
    n, m = draw(dims), draw(dims)
    shapes = [(n, m), (1, m), (n, 1), (1, 1)]
    (na, ma), (nb, mb) = draw(st.sampled_from(shapes)), draw(st.sampled_from(shapes))
    return draw(matrix_of(na, ma, left)), draw(matrix_of(nb, mb, right))


@st.composite
def any_matrix(draw, entries=values):
    return draw(matrix_of(draw(dims), draw(dims), entries))


ARITHMETIC = [
    (operator.add, values, values),
    (operator.sub, values, values),
    (operator.mul, values, values),
    (operator.truediv, values, positive),
    (operator.pow, positive, st.floats(-3, 3)),
]
COMPARISONS = [operator.lt, operator.le, operator.gt, operator.ge]


# ---- construction --------------------------------------------------------------------------


def test_rows_are_copied_and_converted_to_float():
    rows = [[1, 2], [3, 4]]
    m = Matrix(rows)
    rows[0][0] = 99
    assert m.data == [[1.0, 2.0], [3.0, 4.0]]
    assert all(type(x) is float for row in m.data for x in row)
    assert m.shape == (2, 2) and len(m) == 2 and m.size == 4


def test_flat_list_tuples_and_matrices_are_accepted():
    assert Matrix([1, 2, 3]).shape == (1, 3)
    assert Matrix(((1, 2), (3, 4))).data == [[1.0, 2.0], [3.0, 4.0]]
    a = Matrix([[1, 2]])
    b = Matrix(a)
    b[0, 0] = 5
    assert a[0, 0] == 1.0


def test_anything_with_tolist_is_accepted():
    class ArrayLike:
        def tolist(self):
            return [[1, 2], [3, 4]]

    assert Matrix(ArrayLike()).data == [[1.0, 2.0], [3.0, 4.0]]


def test_named_constructors():
    assert Matrix.row([1, 2, 3]).shape == (1, 3)
    assert Matrix.column([1, 2, 3]).data == [[1.0], [2.0], [3.0]]
    assert Matrix.zeros(2, 3).data == [[0.0] * 3] * 2
    assert Matrix.ones(2, 1).data == [[1.0], [1.0]]
    assert Matrix.full(1, 2, 7).data == [[7.0, 7.0]]
    assert Matrix.eye(3).data == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]


def test_full_rows_are_independent_lists():
    m = Matrix.zeros(2, 2)
    m[0, 0] = 1.0
    assert m.data == [[1.0, 0.0], [0.0, 0.0]]


def test_randn_is_seeded_and_has_the_requested_spread():
    a = Matrix.randn(40, 50, std=2.0, seed=3)
    assert a == Matrix.randn(40, 50, std=2.0, seed=3)
    assert a != Matrix.randn(40, 50, std=2.0, seed=4)
    assert Matrix.randn(2, 2, seed=random.Random(5)) == Matrix.randn(2, 2, seed=random.Random(5))
    flat = a.flatten()
    mean = sum(flat) / len(flat)
    std = math.sqrt(sum((x - mean) ** 2 for x in flat) / len(flat))
    assert abs(mean) < 0.15 and 1.85 < std < 2.15


def test_a_shared_generator_advances():
    rng = random.Random(0)
    assert Matrix.randn(2, 2, seed=rng) != Matrix.randn(2, 2, seed=rng)


def test_uniform_stays_in_range():
    u = Matrix.uniform(30, 30, low=-2.0, high=-1.0, seed=1)
    assert all(-2.0 <= x < -1.0 for x in u.flatten())
    assert u == Matrix.uniform(30, 30, low=-2.0, high=-1.0, seed=1)


@pytest.mark.parametrize(
    "rows, error, words",
    [
        ([[1, 2], [3]], ValueError, ["ragged", "row 0 has 2", "row 1 has 1"]),
        ([], ValueError, ["no rows"]),
        ([[]], ValueError, ["row 0 is empty"]),
        ([[1, 2], [3, "4"]], TypeError, ["row 1, column 1", "'4'"]),
        ([[1, None]], TypeError, ["row 0, column 1", "None"]),
        ([[1, 2], 3], TypeError, ["row 1"]),
        ([1, [2]], TypeError, ["row 0, column 1"]),
        ("abc", TypeError, ["str"]),
        (5, TypeError, ["int"]),
        ([[1 + 2j]], TypeError, ["row 0, column 0"]),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(rows, error, words):
    with pytest.raises(error) as info:
        Matrix(rows)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Matrix.zeros(0, 3),
        lambda: Matrix.ones(2, -1),
        lambda: Matrix.eye(0),
        lambda: Matrix.randn(3, 0),
    ],
)
def test_empty_shapes_are_rejected(make):
    with pytest.raises(ValueError, match="at least one row and one column"):
        make()


def test_bad_seed_and_fill_value():
    with pytest.raises(TypeError, match="seed"):
        Matrix.randn(2, 2, seed="abc")
    with pytest.raises(TypeError, match="number"):
        Matrix.full(2, 2, "x")
    with pytest.raises(TypeError, match="two ints"):
        Matrix.zeros(2.0, 2)


# ---- shape ----------------------------------------------------------------------------------


@given(any_matrix())
def test_transpose_matches_loops(rows):
    m = Matrix(rows)
    assert m.T.data == [[rows[i][j] for i in range(len(rows))] for j in range(len(rows[0]))]
    assert m.T.T == m


def test_reshape_flatten_apply():
    m = Matrix([[1, 2, 3], [4, 5, 6]])
    assert m.flatten() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert m.reshape(3, 2).data == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    assert m.reshape(-1, 1).shape == (6, 1)
    assert m.reshape(1, -1).shape == (1, 6)
    assert m.apply(lambda x: x * 10).data == [[10.0, 20.0, 30.0], [40.0, 50.0, 60.0]]
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 2\)"):
        m.reshape(4, 2)
    with pytest.raises(ValueError, match="reshape"):
        m.reshape(-1, 4)


def test_iteration_gives_row_copies():
    m = Matrix([[1, 2], [3, 4]])
    rows = list(m)
    rows[0][0] = 9.0
    assert rows == [[9.0, 2.0], [3.0, 4.0]] and m[0, 0] == 1.0


# ---- matmul ---------------------------------------------------------------------------------


@given(st.data())
def test_matmul_matches_triple_loop(data):
    n, k, m = data.draw(dims), data.draw(dims), data.draw(dims)
    a, b = data.draw(matrix_of(n, k)), data.draw(matrix_of(k, m))
    close_rows((Matrix(a) @ Matrix(b)).data, ref_matmul(a, b))


@given(st.data())
def test_times_transposed_is_a_times_b_transposed_plus_bias(data):
    # Inner sizes up to 8 reach both ways of computing it: scaled rows (few terms) and dot products.
    n, k, m = data.draw(dims), data.draw(st.integers(1, 8)), data.draw(dims)
    a, bt = data.draw(matrix_of(n, k)), data.draw(matrix_of(m, k))
    bias = data.draw(st.lists(values, min_size=m, max_size=m))
    product = ref_matmul(a, columns(bt))
    close_rows(times_transposed(a, bt), product)
    close_rows(times_transposed(a, bt, bias), [[p + c for p, c in zip(row, bias)] for row in product])


def test_times_transposed_leaves_its_operands_alone_and_returns_fresh_rows():
    bias = [10.0, 20.0]
    for a in ([[1.0, 2.0]], [[1.0, 2.0, 3.0, 4.0, 5.0]]):
        bt = [[1.0] * len(a[0]), [2.0] * len(a[0])]
        out = times_transposed(a, bt, bias)
        total = sum(a[0])
        assert out == [[total + 10.0, 2 * total + 20.0]]
        out[0][0] = -1.0
        assert bias == [10.0, 20.0] and bt[0] == [1.0] * len(a[0])


def test_columns_are_lists():
    assert columns([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]) == [[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]


def test_matmul_accepts_lists_on_either_side():
    assert (Matrix([[1, 2]]) @ [[3], [4]]).data == [[11.0]]
    assert ([[1, 2]] @ Matrix([[3], [4]])).data == [[11.0]]


def test_matmul_shape_error_names_both_shapes():
    with pytest.raises(ValueError) as info:
        Matrix.zeros(2, 3) @ Matrix.zeros(4, 5)
    assert str(info.value) == "matmul: shapes (2, 3) and (4, 5) do not align (3 != 4)"


def test_matmul_with_a_number_is_a_type_error():
    with pytest.raises(TypeError):
        Matrix.zeros(2, 2) @ 3


# ---- element-wise arithmetic and broadcasting -------------------------------------------------


@pytest.mark.parametrize("op, left, right", ARITHMETIC, ids=lambda x: getattr(x, "__name__", ""))
@given(data=st.data())
def test_arithmetic_broadcasts_like_the_loops(op, left, right, data):
    a, b = data.draw(broadcast_pair(left, right))
    close_rows(op(Matrix(a), Matrix(b)).data, ref_broadcast(a, b, op))


@pytest.mark.parametrize("op, left, right", ARITHMETIC, ids=lambda x: getattr(x, "__name__", ""))
@given(data=st.data())
def test_arithmetic_with_numbers_on_either_side(op, left, right, data):
    rows, s = data.draw(any_matrix(left)), data.draw(right)
    close_rows(op(Matrix(rows), s).data, ref_broadcast(rows, [[s]], op))
    rows, s = data.draw(any_matrix(right)), data.draw(left)
    close_rows(op(s, Matrix(rows)).data, ref_broadcast([[s]], rows, op))


def test_reflected_forms_read_like_math():
    m = Matrix([[1, 2], [4, 8]])
    assert (2 * m).data == [[2.0, 4.0], [8.0, 16.0]]
    assert (1 - m).data == [[0.0, -1.0], [-3.0, -7.0]]
    assert (8 / m).data == [[8.0, 4.0], [2.0, 1.0]]
    assert (2 ** Matrix([[3]])).data == [[8.0]]
    assert (m ** 2).data == [[1.0, 4.0], [16.0, 64.0]]
    assert (-m).data == [[-1.0, -2.0], [-4.0, -8.0]]


def test_row_against_column_gives_the_outer_shape():
    row, col = Matrix.row([1, 2, 3]), Matrix.column([10, 20])
    assert (row + col).data == [[11.0, 12.0, 13.0], [21.0, 22.0, 23.0]]
    assert (col - row).data == [[9.0, 8.0, 7.0], [19.0, 18.0, 17.0]]


def test_bias_row_broadcasts_over_the_examples():
    scores, b = Matrix([[1, 2], [3, 4], [5, 6]]), Matrix.row([10, 20])
    assert (scores + b).data == [[11.0, 22.0], [13.0, 24.0], [15.0, 26.0]]
    assert (scores - scores.max(axis=1)).data == [[-1.0, 0.0], [-1.0, 0.0], [-1.0, 0.0]]


@pytest.mark.parametrize(
    "op, name",
    [
        (operator.add, "add"),
        (operator.sub, "subtract"),
        (operator.mul, "multiply"),
        (operator.truediv, "divide"),
        (operator.pow, "power"),
        (operator.lt, "less"),
        (operator.ge, "greater_equal"),
        (Matrix.maximum, "maximum"),
        (Matrix.minimum, "minimum"),
        (Matrix.equal, "equal"),
    ],
)
@pytest.mark.parametrize("shapes", [((2, 3), (3, 2)), ((2, 3), (1, 2)), ((4, 1), (3, 1)), ((2, 3), (3, 3))])
def test_shape_errors_name_the_operation_and_both_shapes(op, name, shapes):
    a, b = Matrix.ones(*shapes[0]), Matrix.ones(*shapes[1])
    with pytest.raises(ValueError) as info:
        op(a, b)
    message = str(info.value)
    assert message.startswith(name + ":")
    assert str(shapes[0]) in message and str(shapes[1]) in message


def test_unsupported_operand_is_a_type_error():
    with pytest.raises(TypeError):
        Matrix.ones(2, 2) + "1"
    for method in ("maximum", "minimum", "equal", "allclose"):
        with pytest.raises(TypeError, match=f"{method}: expected a number or a Matrix, got str"):
            getattr(Matrix.ones(2, 2), method)("1")


def test_lists_are_operands_too():
    m = Matrix([[1, 2], [3, 4]])
    assert (m + [10, 20]).data == [[11.0, 22.0], [13.0, 24.0]]
    assert ([[1], [2]] * m).data == [[1.0, 2.0], [6.0, 8.0]]
    assert m.maximum([[2], [0]]).data == [[2.0, 2.0], [3.0, 4.0]]


def test_numbers_of_other_types_on_the_left_give_a_matrix():
    try:
        import numpy

        two = numpy.float64(2.0)  # numpy must defer to Matrix.__rmul__, not build an array
    except ImportError:  # PyPy has no numpy here: a plain float takes the same path
        two = 2.0
    product = two * Matrix([[1, 2]])
    assert isinstance(product, Matrix) and product.data == [[2.0, 4.0]]
    assert abs(Matrix([[-1, 2]])).data == [[1.0, 2.0]]


# ---- element-wise functions and comparisons -----------------------------------------------------


@given(any_matrix())
def test_exp_abs_and_log_match_math(rows):
    m = Matrix(rows)
    close_rows(m.exp().data, [[math.exp(x) for x in row] for row in rows])
    close_rows(m.abs().data, [[abs(x) for x in row] for row in rows])
    close_rows(m.abs().exp().log().data, [[abs(x) for x in row] for row in rows])


@pytest.mark.parametrize("method, f", [(Matrix.maximum, max), (Matrix.minimum, min)])
@given(data=st.data())
def test_maximum_minimum_with_matrices_and_numbers(method, f, data):
    a, b = data.draw(broadcast_pair())
    assert method(Matrix(a), Matrix(b)).data == ref_broadcast(a, b, f)
    s = data.draw(values)
    assert method(Matrix(a), s).data == ref_broadcast(a, [[s]], f)


@pytest.mark.parametrize(
    "op, holds", [(op, op) for op in COMPARISONS] + [(Matrix.equal, operator.eq)], ids=lambda op: op.__name__
)
@given(data=st.data())
def test_comparisons_give_zero_one_matrices(op, holds, data):
    small = st.integers(-2, 2).map(float)  # small integers so that ties happen
    a, b = data.draw(broadcast_pair(small, small))
    want = ref_broadcast(a, b, lambda x, y: 1.0 if holds(x, y) else 0.0)
    got = op(Matrix(a), Matrix(b)).data
    assert got == want and all(type(x) is float for row in got for x in row)
    s = data.draw(small)
    assert op(Matrix(a), s).data == ref_broadcast(a, [[s]], lambda x, y: 1.0 if holds(x, y) else 0.0)


def test_comparison_with_the_number_first():
    m = Matrix([[-1, 0, 1]])
    assert (0 < m).data == [[0.0, 0.0, 1.0]]
    assert (0 >= m).data == [[1.0, 1.0, 0.0]]


def test_relu_backward_reads_like_math():
    z, dh = Matrix([[-1, 2], [3, -4]]), Matrix([[5, 6], [7, 8]])
    assert z.maximum(0).data == [[0.0, 2.0], [3.0, 0.0]]
    assert (dh * (z > 0)).data == [[0.0, 6.0], [7.0, 0.0]]


# ---- entries that fail say where ---------------------------------------------------------------


@pytest.mark.parametrize(
    "compute, error, words",
    [
        (lambda m: m / Matrix.row([1, 0, 2]), ZeroDivisionError, ["divide", "row 0, column 1", "/ 0.0"]),
        (lambda m: 1 / (m - 5), ZeroDivisionError, ["divide", "row 1, column 1"]),
        (lambda m: (m - 3).log(), ValueError, ["log", "row 0, column 0", "log(-2.0)", "> 0"]),
        (lambda m: (m * 200).exp(), OverflowError, ["exp", "row 1, column 0", "exp(800.0)", "max"]),
        (lambda m: (1 - m) ** 0.5, ValueError, ["power", "row 0, column 1", "real"]),
        (lambda m: m ** 1000.0, OverflowError, ["power", "row 0, column 2", "pow(3.0, 1000.0)"]),
    ],
)
def test_failing_entries_are_located(compute, error, words):
    m = Matrix([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(error) as info:
        compute(m)
    for word in words:
        assert word in str(info.value)


# ---- reductions -----------------------------------------------------------------------------


REDUCTIONS = [
    ("sum", sum),
    ("mean", lambda xs: sum(xs) / len(xs)),
    ("max", max),
    ("min", min),
]


@pytest.mark.parametrize("name, f", REDUCTIONS)
@given(rows=any_matrix())
def test_reductions_over_each_axis(name, f, rows):
    m = Matrix(rows)
    n, k = ref_shape(rows)
    assert getattr(m, name)() == pytest.approx(f([x for row in rows for x in row]))
    down = getattr(m, name)(axis=0)
    close_rows(down.data, [[f([rows[i][j] for i in range(n)]) for j in range(k)]])
    along = getattr(m, name)(axis=1)
    close_rows(along.data, [[f(row)] for row in rows])


@given(any_matrix(st.integers(-3, 3).map(float)))
def test_argmax_argmin_take_the_first_best(rows):
    m = Matrix(rows)
    n, k = ref_shape(rows)
    for name, f in (("argmax", max), ("argmin", min)):
        assert getattr(m, name)(axis=1) == [row.index(f(row)) for row in rows]
        cols = [[rows[i][j] for i in range(n)] for j in range(k)]
        assert getattr(m, name)(axis=0) == [col.index(f(col)) for col in cols]
        flat = [x for row in rows for x in row]
        assert getattr(m, name)() == divmod(flat.index(f(flat)), k)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "argmax", "argmin"])
@pytest.mark.parametrize("axis", [2, -1, "0", True, 0.0])
def test_bad_axis_is_rejected(name, axis):
    with pytest.raises(ValueError, match=f"{name}: axis must be None"):
        getattr(Matrix.ones(2, 2), name)(axis=axis)


# ---- pick and add_at --------------------------------------------------------------------------


@given(st.data())
def test_pick_and_add_at_match_loops(data):
    rows = data.draw(any_matrix())
    n, k = ref_shape(rows)
    cols = data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    m = Matrix(rows)
    assert m.pick(cols).data == [[rows[i][cols[i]]] for i in range(n)]
    deltas = data.draw(st.lists(values, min_size=n, max_size=n))
    for given_values in (deltas, Matrix.column(deltas)):
        m = Matrix(rows)
        assert m.add_at(cols, given_values) is None
        want = [row[:] for row in rows]
        for i in range(n):
            want[i][cols[i]] += deltas[i]
        assert m.data == want


def test_pick_takes_any_sequence_of_ints():
    m = Matrix([[1, 2], [3, 4]])
    assert m.pick(range(2)).data == [[1.0], [4.0]]
    assert m.pick(c for c in (1, 0)).data == [[2.0], [3.0]]


def test_add_at_with_a_number_is_dscores_minus_one():
    dscores = Matrix([[0.2, 0.8], [0.6, 0.4]])
    dscores.add_at([1, 0], -1)
    close_rows(dscores.data, [[0.2, -0.2], [-0.4, 0.4]])


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda m: m.pick([0, 1]), ValueError, ["pick", "2 column indices", "(3, 2)", "3"]),
        (lambda m: m.pick([0, 2, 1]), IndexError, ["pick", "column index 2", "row 1", "0..1"]),
        (lambda m: m.pick([0, -1, 1]), IndexError, ["column index -1"]),
        (lambda m: m.pick([0, 1.0, 1]), TypeError, ["row 1", "1.0", "int"]),
        (lambda m: m.add_at([0, 0, 0], [1, 2]), ValueError, ["add_at", "2 values", "3"]),
        (lambda m: m.add_at([0, 0, 0], Matrix.row([1, 2, 3])), ValueError, ["(1, 3)", "(3, 1)"]),
        (lambda m: m.add_at([0, 0, 0], [1, "2", 3]), TypeError, ["value 1"]),
        (lambda m: m.add_at([0, 0], 1.0), ValueError, ["add_at", "2 column indices"]),
    ],
)
def test_pick_and_add_at_reject_bad_indices_and_values(call, error, words):
    m = Matrix([[1, 2], [3, 4], [5, 6]])
    with pytest.raises(error) as info:
        call(m)
    for word in words:
        assert word in str(info.value)
    assert m.data == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]


# ---- indexing ----------------------------------------------------------------------------------


def test_indexing():
    m = Matrix([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    assert m[1, 2] == 6.0 and m[-1, -1] == 9.0
    row = m[1]
    row[0] = 0.0
    assert row == [0.0, 5.0, 6.0] and m[1, 0] == 4.0
    assert m[1:].data == [[4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]
    assert m[::2].data == [[1.0, 2.0, 3.0], [7.0, 8.0, 9.0]]
    picked = m[[2, 0, 2]]
    assert picked.data == [[7.0, 8.0, 9.0], [1.0, 2.0, 3.0], [7.0, 8.0, 9.0]]
    picked[0, 0] = 0.0
    assert m[2, 0] == 7.0
    m[0, 1] = 20
    assert m[0, 1] == 20.0 and type(m[0, 1]) is float


@pytest.mark.parametrize(
    "key, error, words",
    [
        ((3, 0), IndexError, ["[3, 0]", "(3, 2)"]),
        ((0, -3), IndexError, ["[0, -3]"]),
        (5, IndexError, ["row 5", "(3, 2)"]),
        ([0, 7], IndexError, ["row 7"]),
        ([], IndexError, ["no rows"]),
        (slice(5, 9), IndexError, ["no rows"]),
        ((slice(0, 2), 1), TypeError, ["m[i, j]"]),
        ((0, 1, 2), TypeError, ["m[i, j]"]),
        ("a", TypeError, ["int"]),
        ([0, 1.5], TypeError, ["1.5"]),
    ],
)
def test_bad_indices_are_rejected(key, error, words):
    with pytest.raises(error) as info:
        Matrix.zeros(3, 2)[key]
    for word in words:
        assert word in str(info.value)


def test_bad_assignments_are_rejected():
    m = Matrix.zeros(2, 2)
    with pytest.raises(TypeError, match="m\\[i, j\\] = value"):
        m[0] = [1.0, 2.0]
    with pytest.raises(TypeError, match="number"):
        m[0, 0] = "1"
    with pytest.raises(IndexError, match="out of range"):
        m[2, 0] = 1.0
    assert m == Matrix.zeros(2, 2)


# ---- equality, closeness, printing -------------------------------------------------------------


def test_equality_is_a_whole_matrix_bool():
    a = Matrix([[1, 2]])
    assert (a == Matrix([[1.0, 2.0]])) is True
    assert (a == Matrix([[1, 2]]).T) is False
    assert (a != Matrix([[1, 3]])) is True
    assert (a == [[1, 2]]) is False
    with pytest.raises(TypeError):
        hash(a)


def test_allclose():
    a = Matrix([[1.0, 2.0]])
    assert a.allclose(Matrix([[1.0 + 1e-9, 2.0]]))
    assert not a.allclose(Matrix([[1.001, 2.0]]))
    assert a.allclose(Matrix([[1.001, 2.0]]), atol=1e-2)
    assert not a.allclose(Matrix([[1.0], [2.0]]))
    assert Matrix([[3.0, 3.0]]).allclose(3)
    assert not Matrix([[float("nan")]]).allclose(Matrix([[float("nan")]]))
    assert Matrix([[float("inf")]]).allclose(Matrix([[float("inf")]]))


def test_repr_aligns_rows_and_shows_the_shape():
    text = repr(Matrix([[1, -2.5], [30, 4]]))
    assert text == "Matrix([[ 1.0, -2.5],\n        [30.0,  4.0]])  # shape (2, 2)"
    assert eval(text, {"Matrix": Matrix}) == Matrix([[1, -2.5], [30, 4]])


def test_repr_abbreviates_large_matrices_like_numpy():
    text = repr(Matrix([[i * 100 + j for j in range(50)] for i in range(40)]))
    lines = text.splitlines()
    assert len(lines) == 7 and lines[3].strip() == "...,"
    assert "# shape (40, 50)" in lines[-1]
    assert lines[0].startswith("Matrix([[   0.0,    1.0,    2.0, ...,   47.0,   48.0,   49.0]")
    assert len({len(line.rstrip(",")) for line in lines[1:3]}) == 1


# ---- operations never change their operands -------------------------------------------------------


OPERATIONS = [
    lambda a, b: a + b,
    lambda a, b: b - a,
    lambda a, b: a * b,
    lambda a, b: a / (b.abs() + 1),
    lambda a, b: a.abs() ** b,
    lambda a, b: -a,
    lambda a, b: a @ b.T,
    lambda a, b: a.exp(),
    lambda a, b: (a.abs() + 1).log(),
    lambda a, b: a.abs(),
    lambda a, b: a.maximum(b),
    lambda a, b: a.minimum(0),
    lambda a, b: a < b,
    lambda a, b: a.equal(b),
    lambda a, b: a.sum(axis=0),
    lambda a, b: a.mean(axis=1),
    lambda a, b: a.max(),
    lambda a, b: a.argmax(axis=1),
    lambda a, b: a.pick([0, 1, 0]),
    lambda a, b: a[1:],
    lambda a, b: a[[0, 0]],
    lambda a, b: a.T,
    lambda a, b: a.reshape(2, 3),
    lambda a, b: a.copy(),
    lambda a, b: a.tolist(),
    lambda a, b: a.apply(abs),
    lambda a, b: a.allclose(b),
    lambda a, b: repr(a),
]


@pytest.mark.parametrize("operation", OPERATIONS)
def test_operations_do_not_mutate_their_operands(operation):
    a, b = Matrix([[1, -2], [3, 4], [-5, 6]]), Matrix.row([0.5, -1])
    before_a, before_b = a.tolist(), b.tolist()
    result = operation(a, b)
    assert a.data == before_a and b.data == before_b
    if isinstance(result, Matrix):
        result.data[0][0] = 123.0  # a result never shares rows with an operand
        assert a.data == before_a and b.data == before_b
