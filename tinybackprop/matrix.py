"""Matrix: a 2-D array of Python floats stored as a list of rows, with numpy-style broadcasting.

This is the numpy-like API the assignments are written on. The element-wise
operations are list comprehensions over whole rows (``map`` of a C function
over two lists); matmul transposes its right operand once and hands both to
``tinybackprop.kernels.times_transposed``, the dot-product kernel that the
layers of ``tinybackprop.nn`` share. This module imports nothing else from the
project, so the autograder can give it to a student's code on its own.

Shapes follow numpy: ``X`` is N x D, a bias is a 1 x C row that broadcasts over
the N rows, and a reduction with ``axis=1`` is an N x 1 column that broadcasts
back. A Matrix always has at least one row and one column.

``a += b`` makes a new Matrix and rebinds ``a`` (as for tuples): no operator
changes its operands; only ``m[i, j] = v`` and ``add_at`` write in place.
"""

from __future__ import annotations

import math
import operator
import random
from itertools import repeat
from numbers import Integral, Real
from typing import Callable, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from tinybackprop.kernels import Rows, columns, times_transposed

Seed = Union[int, random.Random, None]


def _is_number(x: object) -> bool:
    """True for ints, floats and other real numbers (numpy scalars too), not for strings."""
    return type(x) is float or isinstance(x, Real)


def _is_index(x: object) -> bool:
    """True for an integer index (a bool is not an index)."""
    return type(x) is int or (isinstance(x, Integral) and not isinstance(x, bool))


def make_rng(seed: Seed = None) -> random.Random:
    """The random generator a seed stands for, like numpy's ``default_rng``.

    ``seed`` is an int, a ``random.Random`` (used as is, so that one generator
    can serve several calls) or None (a fresh, unseeded generator).
    """
    if isinstance(seed, random.Random):
        return seed
    if seed is None or _is_index(seed):
        return random.Random(seed)
    raise TypeError(f"seed must be an int, a random.Random or None, got {type(seed).__name__} {seed!r}")


def _check_dims(n: object, m: object, name: str) -> None:
    """Reject a shape that is not two positive ints."""
    if not (_is_index(n) and _is_index(m)):
        raise TypeError(f"{name}: the shape must be two ints, got ({n!r}, {m!r})")
    if n < 1 or m < 1:
        raise ValueError(f"{name}: a Matrix needs at least one row and one column, got shape ({n}, {m})")


def _check_axis(axis: object, name: str) -> None:
    """Reject an axis other than None, 0 or 1."""
    if axis is not None and (type(axis) is not int or axis not in (0, 1)):
        raise ValueError(
            f"{name}: axis must be None (all entries), 0 (down each column, giving a 1 x m row) "
            f"or 1 (along each row, giving an n x 1 column), got {axis!r}"
        )


def _as_list(values: object, what: str) -> list:
    """values as a list; strings, numbers and other non-iterables are rejected."""
    if isinstance(values, list):
        return values
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{what} must be a list, got {type(values).__name__} {values!r}")
    return list(values)


_PLAIN_NUMBERS = frozenset((float, int))


def _float_row(row: object, i: int, width: Optional[int]) -> List[float]:
    """Row i of user input, checked and copied as floats; width is the length row 0 had."""
    row = _as_list(row, f"Matrix: row {i}")
    if width is not None and len(row) != width:
        raise ValueError(
            f"Matrix: ragged rows: row 0 has {width} entries but row {i} has {len(row)}; "
            "every row needs the same length"
        )
    if not row:
        raise ValueError(f"Matrix: row {i} is empty; a Matrix needs at least one column")
    if not _PLAIN_NUMBERS.issuperset(map(type, row)):  # one C-level pass in the common case
        for j, x in enumerate(row):
            if not _is_number(x):
                raise TypeError(
                    f"Matrix: the entry at row {i}, column {j} is {x!r} ({type(x).__name__}); expected a number"
                )
    return list(map(float, row))


def _rows_from(rows: object) -> Rows:
    """Checked float rows from a Matrix, a list of rows, a flat list (one row) or anything with tolist()."""
    if isinstance(rows, Matrix):
        return rows.tolist()
    if hasattr(rows, "tolist") and not isinstance(rows, (list, tuple)):
        rows = rows.tolist()  # a numpy array, without importing numpy
    rows = _as_list(rows, "Matrix(rows)")
    if not rows:
        raise ValueError("Matrix: got no rows; a Matrix needs at least one row and one column")
    if _is_number(rows[0]):
        rows = [rows]  # a flat list of numbers is one 1 x m row
    out = [_float_row(rows[0], 0, None)]
    width = len(out[0])
    for i in range(1, len(rows)):
        out.append(_float_row(rows[i], i, width))
    return out


def _broadcast_shape(a: Matrix, b: Matrix, name: str) -> Tuple[int, int]:
    """The shape of a op b under numpy's rule: each pair of sizes equal, or one of them 1."""
    (na, ma), (nb, mb) = a.shape, b.shape
    if (na == nb or na == 1 or nb == 1) and (ma == mb or ma == 1 or mb == 1):
        return max(na, nb), max(ma, mb)
    axis = "rows" if na != nb and na != 1 and nb != 1 else "columns"
    raise ValueError(
        f"{name}: shapes {a.shape} and {b.shape} do not broadcast ({axis} differ; "
        "each pair of sizes must be equal or one of them 1)"
    )


def _combine(a: Union[Matrix, float], b: Union[Matrix, float], op: Callable) -> Rows:
    """Rows of op(x, y) entry by entry, broadcasting without copying the smaller operand."""
    if not isinstance(b, Matrix):
        return [list(map(op, ra, repeat(b))) for ra in a.data]
    if not isinstance(a, Matrix):
        return [list(map(op, repeat(a), rb)) for rb in b.data]
    # A one-row operand is reused for every row; a one-column operand repeats its entry.
    rows_a = a.data if len(a.data) >= len(b.data) else repeat(a.data[0])
    rows_b = b.data if len(b.data) >= len(a.data) else repeat(b.data[0])
    ma, mb = len(a.data[0]), len(b.data[0])
    if ma == mb:
        return [list(map(op, ra, rb)) for ra, rb in zip(rows_a, rows_b)]
    if ma == 1:
        return [list(map(op, repeat(ra[0]), rb)) for ra, rb in zip(rows_a, rows_b)]
    return [list(map(op, ra, repeat(rb[0]))) for ra, rb in zip(rows_a, rows_b)]


def _entry(x: Union[Matrix, float], i: int, j: int) -> float:
    """Entry (i, j) of x as broadcasting sees it (a number is the same everywhere)."""
    if not isinstance(x, Matrix):
        return x
    row = x.data[i if len(x.data) > 1 else 0]
    return row[j if len(row) > 1 else 0]


# How a failing entry is shown, and why it failed when the exception type alone does not say.
_FAILURES = {
    "divide": ("{} / {}", None),
    "power": ("pow({}, {})", None),
    "exp": ("exp({})", "the result is too large for a float; subtract each row's max first (stable softmax)"),
    "log": ("log({})", "log needs entries > 0"),
}
_REASONS = {
    ZeroDivisionError: "division by zero",
    OverflowError: "the result is too large for a float",
    ValueError: "the result is not a finite real number",
}


def _entry_error(error: Exception, name: str, fn: Callable, shape: Tuple[int, int], *operands) -> Exception:
    """error, retold with the row, column and values of the first entry where fn fails."""
    expr, reason = _FAILURES[name]
    for i in range(shape[0]):
        for j in range(shape[1]):
            args = [_entry(x, i, j) for x in operands]
            try:
                fn(*args)
            except (ArithmeticError, ValueError) as exc:
                why = reason or _REASONS.get(type(exc), str(exc))
                return type(exc)(f"{name}: {expr.format(*map(repr, args))} at row {i}, column {j}: {why}")
    return error


def _elementwise(a: Union[Matrix, float], b: Union[Matrix, float], op: Callable, name: str) -> Matrix:
    """op(a, b) entry by entry with broadcasting; a failing entry is reported by position."""
    if isinstance(a, Matrix) and isinstance(b, Matrix):
        shape = _broadcast_shape(a, b, name)
    else:
        shape = (a if isinstance(a, Matrix) else b).shape
    try:
        return Matrix.unchecked(_combine(a, b, op))
    except (ArithmeticError, ValueError) as error:
        raise _entry_error(error, name, op, shape, a, b) from None


def _operand(x: object) -> Union[Matrix, float, None]:
    """The other operand of a binary op as a Matrix or a float, or None if it is neither."""
    if isinstance(x, Matrix):
        return x
    if _is_number(x):
        return float(x)
    if isinstance(x, (list, tuple)):
        return Matrix(x)
    return None


def _argument(x: object, name: str) -> Union[Matrix, float]:
    """The argument of a method (not an operator) as a Matrix or a float; anything else is a TypeError."""
    operand = _operand(x)
    if operand is None:
        raise TypeError(f"{name}: expected a number or a Matrix, got {type(x).__name__} {x!r}")
    return operand


def _format_entry(x: float) -> str:
    """A float in at most 6 significant digits that still looks like a float (1.0, not 1)."""
    text = f"{x:.6g}"
    return text if any(c in text for c in ".ein") else text + ".0"


def _abbreviate(items: list, edge: int = 3, longest: int = 10) -> list:
    """items, or its first and last `edge` items around None when there are more than `longest`."""
    return items if len(items) <= longest else items[:edge] + [None] + items[-edge:]


class Matrix:
    """A 2-D array of floats stored as a list of rows (``data``), with numpy-style broadcasting."""

    __hash__ = None  # mutable, and == compares contents
    __array_ufunc__ = None  # numpy scalars on the left defer to our reflected operators

    def __init__(self, rows: Iterable) -> None:
        """A Matrix from a list of rows (copied, as floats); a flat list of numbers is one 1 x m row."""
        self.data: Rows = _rows_from(rows)

    @classmethod
    def unchecked(cls, rows: Rows) -> Matrix:
        """A Matrix around rows the caller built itself: NO copy and NO checks, unlike ``Matrix(rows)``.

        ``rows`` must be a non-empty list of equal-length, non-empty lists of
        floats that nothing else will change; the library's kernels make such
        rows, and skipping the constructor's checks keeps them fast.
        """
        m = cls.__new__(cls)
        m.data = rows
        return m

    # ---- construction -------------------------------------------------------------------

    @classmethod
    def row(cls, values: Iterable[float]) -> Matrix:
        """A 1 x m row matrix from m numbers."""
        return cls([_as_list(values, "Matrix.row(values)")])

    @classmethod
    def column(cls, values: Iterable[float]) -> Matrix:
        """An n x 1 column matrix from n numbers."""
        return cls([[x] for x in _as_list(values, "Matrix.column(values)")])

    @classmethod
    def full(cls, n: int, m: int, value: float) -> Matrix:
        """An n x m matrix with every entry equal to value."""
        _check_dims(n, m, "full")
        if not _is_number(value):
            raise TypeError(f"full: the fill value must be a number, got {value!r}")
        return cls.unchecked([[float(value)] * m for _ in range(n)])

    @classmethod
    def zeros(cls, n: int, m: int) -> Matrix:
        """An n x m matrix of zeros."""
        return cls.full(n, m, 0.0)

    @classmethod
    def ones(cls, n: int, m: int) -> Matrix:
        """An n x m matrix of ones."""
        return cls.full(n, m, 1.0)

    @classmethod
    def eye(cls, n: int) -> Matrix:
        """The n x n identity matrix."""
        _check_dims(n, n, "eye")
        return cls.unchecked([[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)])

    @classmethod
    def randn(cls, n: int, m: int, std: float = 1.0, seed: Seed = None) -> Matrix:
        """An n x m matrix of independent normal samples with mean 0 and standard deviation std."""
        _check_dims(n, m, "randn")
        rng = make_rng(seed)
        return cls.unchecked([[rng.gauss(0.0, std) for _ in range(m)] for _ in range(n)])

    @classmethod
    def uniform(cls, n: int, m: int, low: float = 0.0, high: float = 1.0, seed: Seed = None) -> Matrix:
        """An n x m matrix of independent samples uniform in [low, high)."""
        _check_dims(n, m, "uniform")
        rng = make_rng(seed)
        return cls.unchecked([[rng.uniform(low, high) for _ in range(m)] for _ in range(n)])

    # ---- shape ---------------------------------------------------------------------------

    @property
    def shape(self) -> Tuple[int, int]:
        """(rows, columns)."""
        return len(self.data), len(self.data[0])

    @property
    def size(self) -> int:
        """The number of entries, rows times columns."""
        return len(self.data) * len(self.data[0])

    def __len__(self) -> int:
        """The number of rows."""
        return len(self.data)

    def __iter__(self) -> Iterator[List[float]]:
        """Copies of the rows, as lists."""
        return (row[:] for row in self.data)

    @property
    def T(self) -> Matrix:
        """The transpose: (n, m) -> (m, n)."""
        return Matrix.unchecked(columns(self.data))

    def reshape(self, n: int, m: int) -> Matrix:
        """The same entries, row by row, in an n x m matrix; one of n, m may be -1 (inferred)."""
        size = self.size
        if n == -1 and _is_index(m) and m > 0 and size % m == 0:
            n = size // m
        elif m == -1 and _is_index(n) and n > 0 and size % n == 0:
            m = size // n
        if not (_is_index(n) and _is_index(m)) or n < 1 or m < 1 or n * m != size:
            raise ValueError(f"reshape: cannot reshape shape {self.shape} ({size} entries) into ({n}, {m})")
        flat = self.flatten()
        return Matrix.unchecked([flat[k * m:(k + 1) * m] for k in range(n)])

    def flatten(self) -> List[float]:
        """All entries, row by row, as one list: (n, m) -> n*m floats."""
        return [x for row in self.data for x in row]

    def apply(self, fn: Callable[[float], float]) -> Matrix:
        """fn applied to every entry: (n, m) -> (n, m)."""
        return Matrix([list(map(fn, row)) for row in self.data])

    def copy(self) -> Matrix:
        """An independent copy."""
        return Matrix.unchecked(self.tolist())

    def tolist(self) -> Rows:
        """The entries as a fresh list of lists of floats (what goes into JSON)."""
        return [row[:] for row in self.data]

    # ---- matrix product ----------------------------------------------------------------------

    def __matmul__(self, other: Matrix) -> Matrix:
        """The matrix product: (n, k) @ (k, m) -> (n, m)."""
        other = _operand(other)
        if not isinstance(other, Matrix):
            return NotImplemented
        (n, k), (k2, m) = self.shape, other.shape
        if k != k2:
            raise ValueError(f"matmul: shapes {self.shape} and {other.shape} do not align ({k} != {k2})")
        # The columns of other, once: every entry is then the dot product of two rows.
        return Matrix.unchecked(times_transposed(self.data, columns(other.data)))

    def __rmatmul__(self, other: object) -> Matrix:
        """other @ self for other a list of rows."""
        other = _operand(other)
        return other @ self if isinstance(other, Matrix) else NotImplemented

    # ---- element-wise arithmetic (numbers, same shapes, 1 x m rows, n x 1 columns) -----------

    def _binary(self, other: object, op: Callable, name: str, reflected: bool = False) -> Matrix:
        """op(self, other) entry by entry, or op(other, self) when reflected."""
        other = _operand(other)
        if other is None:
            return NotImplemented
        return _elementwise(other, self, op, name) if reflected else _elementwise(self, other, op, name)

    def __add__(self, other: object) -> Matrix:
        """self + other, broadcasting."""
        return self._binary(other, operator.add, "add")

    def __radd__(self, other: object) -> Matrix:
        """other + self, broadcasting."""
        return self._binary(other, operator.add, "add", reflected=True)

    def __sub__(self, other: object) -> Matrix:
        """self - other, broadcasting."""
        return self._binary(other, operator.sub, "subtract")

    def __rsub__(self, other: object) -> Matrix:
        """other - self, broadcasting."""
        return self._binary(other, operator.sub, "subtract", reflected=True)

    def __mul__(self, other: object) -> Matrix:
        """self * other entry by entry (not the matrix product: that is @), broadcasting."""
        return self._binary(other, operator.mul, "multiply")

    def __rmul__(self, other: object) -> Matrix:
        """other * self entry by entry, broadcasting."""
        return self._binary(other, operator.mul, "multiply", reflected=True)

    def __truediv__(self, other: object) -> Matrix:
        """self / other entry by entry, broadcasting."""
        return self._binary(other, operator.truediv, "divide")

    def __rtruediv__(self, other: object) -> Matrix:
        """other / self entry by entry, broadcasting."""
        return self._binary(other, operator.truediv, "divide", reflected=True)

    def __pow__(self, other: object) -> Matrix:
        """self ** other entry by entry, broadcasting; always real (math.pow), never complex."""
        return self._binary(other, math.pow, "power")

    def __rpow__(self, other: object) -> Matrix:
        """other ** self entry by entry, broadcasting."""
        return self._binary(other, math.pow, "power", reflected=True)

    def __neg__(self) -> Matrix:
        """-self."""
        return Matrix.unchecked([[-x for x in row] for row in self.data])

    # ---- element-wise functions ------------------------------------------------------------------

    def _unary(self, fn: Callable[[float], float], name: str) -> Matrix:
        """fn of every entry; a failing entry is reported by position."""
        try:
            return Matrix.unchecked([list(map(fn, row)) for row in self.data])
        except (ArithmeticError, ValueError) as error:
            raise _entry_error(error, name, fn, self.shape, self) from None

    def exp(self) -> Matrix:
        """e ** x of every entry (an entry above 709.78 overflows: subtract each row's max first)."""
        return self._unary(math.exp, "exp")

    def log(self) -> Matrix:
        """The natural log of every entry; every entry must be positive."""
        return self._unary(math.log, "log")

    def abs(self) -> Matrix:
        """|x| of every entry."""
        return Matrix.unchecked([list(map(abs, row)) for row in self.data])

    def __abs__(self) -> Matrix:
        """abs(m): |x| of every entry."""
        return self.abs()

    def maximum(self, other: Union[float, Matrix]) -> Matrix:
        """The larger of self and other entry by entry (other a number or a matrix, broadcasting)."""
        other = _argument(other, "maximum")
        if isinstance(other, Matrix):
            return _elementwise(self, other, max, "maximum")
        # The ReLU case: a comprehension is several times faster than map(max, ...).
        return Matrix.unchecked([[x if x > other else other for x in row] for row in self.data])

    def minimum(self, other: Union[float, Matrix]) -> Matrix:
        """The smaller of self and other entry by entry (other a number or a matrix, broadcasting)."""
        other = _argument(other, "minimum")
        if isinstance(other, Matrix):
            return _elementwise(self, other, min, "minimum")
        return Matrix.unchecked([[x if x < other else other for x in row] for row in self.data])

    # ---- comparisons: 0.0/1.0 matrices (== is whole-matrix equality, a bool) --------------------

    def _compare(self, other: object, op: Callable, name: str) -> Matrix:
        """1.0 where op(x, y) holds and 0.0 elsewhere, broadcasting."""
        result = self._binary(other, op, name)
        if result is NotImplemented:
            return result
        return Matrix.unchecked([list(map(float, row)) for row in result.data])

    def __lt__(self, other: object) -> Matrix:
        """1.0 where self < other, else 0.0."""
        return self._compare(other, operator.lt, "less")

    def __le__(self, other: object) -> Matrix:
        """1.0 where self <= other, else 0.0."""
        return self._compare(other, operator.le, "less_equal")

    def __gt__(self, other: object) -> Matrix:
        """1.0 where self > other, else 0.0."""
        return self._compare(other, operator.gt, "greater")

    def __ge__(self, other: object) -> Matrix:
        """1.0 where self >= other, else 0.0."""
        return self._compare(other, operator.ge, "greater_equal")

    def equal(self, other: Union[float, Matrix]) -> Matrix:
        """1.0 where self == other entry by entry, else 0.0 (broadcasting)."""
        return self._compare(_argument(other, "equal"), operator.eq, "equal")

    def __eq__(self, other: object) -> bool:
        """True when other is a Matrix of the same shape with the same entries."""
        if not isinstance(other, Matrix):
            return NotImplemented
        return self.data == other.data

    def allclose(self, other: Union[float, Matrix], rtol: float = 1e-5, atol: float = 1e-8) -> bool:
        """True when every |x - y| <= atol + rtol * |y|; a matrix of another shape is never close."""
        other = _argument(other, "allclose")
        if isinstance(other, Matrix):
            if self.shape != other.shape:
                return False
            pairs = ((x, y) for ra, rb in zip(self.data, other.data) for x, y in zip(ra, rb))
        else:
            pairs = ((x, other) for row in self.data for x in row)
        return all(x == y or abs(x - y) <= atol + rtol * abs(y) for x, y in pairs)

    # ---- reductions: axis None -> float, 0 -> 1 x m row, 1 -> n x 1 column --------------------

    def _reduce(self, fn: Callable[[Iterable[float]], float], axis: Optional[int], name: str):
        """fn over all entries, down each column (axis 0) or along each row (axis 1)."""
        _check_axis(axis, name)
        if axis is None:
            return fn(map(fn, self.data))
        if axis == 0:
            return Matrix.unchecked([list(map(fn, zip(*self.data)))])
        return Matrix.unchecked([[fn(row)] for row in self.data])

    def sum(self, axis: Optional[int] = None) -> Union[float, Matrix]:
        """The sum of the entries: a float, a 1 x m row (axis=0) or an n x 1 column (axis=1)."""
        return self._reduce(sum, axis, "sum")

    def mean(self, axis: Optional[int] = None) -> Union[float, Matrix]:
        """The mean of the entries: a float, a 1 x m row (axis=0) or an n x 1 column (axis=1)."""
        total = self._reduce(sum, axis, "mean")
        return total / (self.size if axis is None else self.shape[axis])

    def max(self, axis: Optional[int] = None) -> Union[float, Matrix]:
        """The largest entry: a float, a 1 x m row (axis=0) or an n x 1 column (axis=1)."""
        return self._reduce(max, axis, "max")

    def min(self, axis: Optional[int] = None) -> Union[float, Matrix]:
        """The smallest entry: a float, a 1 x m row (axis=0) or an n x 1 column (axis=1)."""
        return self._reduce(min, axis, "min")

    def _arg(self, best: Callable[[Sequence[float]], float], axis: Optional[int], name: str):
        """Positions of the first best entry: overall as (i, j), per column (axis 0) or per row (axis 1)."""
        _check_axis(axis, name)
        if axis == 1:
            return [row.index(best(row)) for row in self.data]
        if axis == 0:
            return [col.index(best(col)) for col in zip(*self.data)]
        per_row = [best(row) for row in self.data]
        i = per_row.index(best(per_row))
        return i, self.data[i].index(per_row[i])

    def argmax(self, axis: Optional[int] = None) -> Union[Tuple[int, int], List[int]]:
        """The first largest entry: (i, j), one column index per row (axis=1) or one row index per column (axis=0)."""
        return self._arg(max, axis, "argmax")

    def argmin(self, axis: Optional[int] = None) -> Union[Tuple[int, int], List[int]]:
        """The first smallest entry: (i, j), one column index per row (axis=1) or one row index per column (axis=0)."""
        return self._arg(min, axis, "argmin")

    # ---- indexing ----------------------------------------------------------------------------

    def _row_index(self, i: object, what: str) -> int:
        """i checked as a row index (negative counts from the end)."""
        if not _is_index(i):
            raise TypeError(f"{what}: a row index must be an int, got {i!r}")
        if not -len(self.data) <= i < len(self.data):
            raise IndexError(f"{what}: row {i} is out of range for a matrix of shape {self.shape}")
        return i

    def _position(self, key: tuple) -> Tuple[int, int]:
        """(i, j) checked for m[i, j]."""
        if len(key) != 2 or not (_is_index(key[0]) and _is_index(key[1])):
            raise TypeError(
                f"a Matrix index is m[i, j] (two ints), m[i], m[a:b] or m[[i, k, ...]]; got m[{key!r}]"
            )
        i, j = key
        n, m = self.shape
        if not (-n <= i < n and -m <= j < m):
            raise IndexError(f"index [{i}, {j}] is out of range for a matrix of shape {self.shape}")
        return i, j

    def __getitem__(self, key: object) -> Union[float, List[float], Matrix]:
        """m[i, j] a float; m[i] a copy of row i; m[a:b] or m[[i, k, ...]] a Matrix of those rows."""
        if isinstance(key, tuple):
            i, j = self._position(key)
            return self.data[i][j]
        if isinstance(key, slice):
            rows = [row[:] for row in self.data[key]]
            if not rows:
                raise IndexError(f"m[{key.start}:{key.stop}] selects no rows of a matrix of shape {self.shape}")
            return Matrix.unchecked(rows)
        if isinstance(key, (list, range)):
            if len(key) == 0:
                raise IndexError("m[[]] selects no rows; a Matrix needs at least one row")
            return Matrix.unchecked([self.data[self._row_index(i, "row selection")][:] for i in key])
        return self.data[self._row_index(key, "m[i]")][:]

    def __setitem__(self, key: object, value: float) -> None:
        """m[i, j] = value, in place."""
        if not isinstance(key, tuple):
            raise TypeError(f"only single entries can be assigned, as m[i, j] = value; got m[{key!r}]")
        i, j = self._position(key)
        if not _is_number(value):
            raise TypeError(f"m[{i}, {j}] = value needs a number, got {value!r}")
        self.data[i][j] = float(value)

    def _check_cols(self, cols: Sequence[int], name: str) -> List[int]:
        """cols checked as a list of one column index per row, each in 0..m-1."""
        cols = _as_list(cols, f"{name}: cols")
        n, m = self.shape
        if len(cols) != n:
            raise ValueError(
                f"{name}: got {len(cols)} column indices for a matrix of shape {self.shape}; need one per row ({n})"
            )
        for i, c in enumerate(cols):
            if type(c) is int and 0 <= c < m:
                continue
            if not _is_index(c):
                raise TypeError(f"{name}: the column index for row {i} is {c!r}; expected an int")
            if not 0 <= c < m:
                raise IndexError(
                    f"{name}: column index {c} for row {i} is out of range for a matrix of shape "
                    f"{self.shape} (expected 0..{m - 1})"
                )
        return cols

    def pick(self, cols: Sequence[int]) -> Matrix:
        """The n x 1 column of entries m[i, cols[i]], one per row (numpy's m[range(n), cols])."""
        cols = self._check_cols(cols, "pick")
        return Matrix.unchecked([[row[c]] for row, c in zip(self.data, cols)])

    def add_at(self, cols: Sequence[int], values: Union[float, Sequence[float], Matrix]) -> None:
        """Add values (a number, n numbers or an n x 1 Matrix) to each m[i, cols[i]], in place."""
        cols = self._check_cols(cols, "add_at")
        n = len(self.data)
        if isinstance(values, Matrix):
            if values.shape != (n, 1):
                raise ValueError(
                    f"add_at: values of shape {values.shape} do not fit the picked entries of shape {(n, 1)}"
                )
            values = [row[0] for row in values.data]
        elif _is_number(values):
            values = [float(values)] * n
        else:
            values = _as_list(values, "add_at: values")
            if len(values) != n:
                raise ValueError(f"add_at: got {len(values)} values for the {n} picked entries (shape {(n, 1)})")
            for k, v in enumerate(values):
                if not _is_number(v):
                    raise TypeError(f"add_at: value {k} is {v!r}; expected a number")
        for row, c, v in zip(self.data, cols, values):
            row[c] += v

    # ---- printing ---------------------------------------------------------------------------------

    def __repr__(self) -> str:
        """Rows aligned like numpy's, long axes abbreviated with ..., and the shape."""
        cells = [
            None if row is None else ["..." if x is None else _format_entry(x) for x in _abbreviate(row)]
            for row in _abbreviate(self.data)
        ]
        width = max(len(c) for row in cells if row is not None for c in row)
        lines = [
            "..." if row is None else "[" + ", ".join(c if c == "..." else c.rjust(width) for c in row) + "]"
            for row in cells
        ]
        return "Matrix([" + (",\n" + " " * 8).join(lines) + f"])  # shape {self.shape}"
