"""The fast linear-algebra kernels on lists of rows (``list[list[float]]``) that Matrix and the layers share.

A batch lives in plain lists of rows so that every hot loop is a C loop over
one row: ``map`` of a C function, ``sum(map(mul, a, b))`` for a dot product
(``math.sumprod`` on Python 3.12+). ``times_transposed`` reads both operands
along their rows, the fast direction in Python, so it is the kernel of
``Matrix @`` and of the layers' forward and backward passes.

The functions trust their input (non-empty, equal-length rows of floats) and
never change it: checking shapes is the job of their callers.

    >>> times_transposed([[1.0, 2.0]], [[3.0, 4.0], [5.0, 6.0]], bias=[0.5, 0.5])
    [[11.5, 17.5]]
"""
from __future__ import annotations

import math
import operator
from typing import List, Optional, Sequence

Rows = List[List[float]]

if hasattr(math, "sumprod"):  # Python 3.12+: one C loop per dot product, and more accurate

    def row_times(a: Sequence[float], Bt: Rows) -> List[float]:
        """The dot products of a (k) with every row of Bt (m x k): one row (m) of a matrix product."""
        sumprod = math.sumprod
        return [sumprod(a, b) for b in Bt]

else:  # Python 3.9 to 3.11 and PyPy

    def row_times(a: Sequence[float], Bt: Rows) -> List[float]:
        """The dot products of a (k) with every row of Bt (m x k): one row (m) of a matrix product."""
        return [sum(map(operator.mul, a, b)) for b in Bt]


def columns(rows: Rows) -> Rows:
    """The transpose of a list of rows, each column as a list: (n, m) -> (m, n)."""
    # Lists, not zip's tuples: PyPy iterates lists several times faster.
    return [list(column) for column in zip(*rows)]


# Up to this many terms, a dot product costs more in calls than in arithmetic (see times_transposed).
_FEW_TERMS = 4


def times_transposed(A: Rows, Bt: Rows, bias: Optional[List[float]] = None) -> Rows:
    """A @ Bt^T on lists of rows, bias (m) added to every row: (n, k) and (m, k) -> (n, m).

    Entry (i, j) is the dot product of rows A[i] and Bt[j] (plus bias[j]), so
    both operands are read along their rows. The result's rows are new lists.
    """
    if len(Bt[0]) > _FEW_TERMS:
        if bias is None:
            return [row_times(a, Bt) for a in A]
        return [list(map(operator.add, row_times(a, Bt), bias)) for a in A]
    # A few terms per entry (a layer on 2-D points): build each output row as
    # bias + a[0] * B[0] + a[1] * B[1] + ..., a few list passes instead of m dot products.
    B = columns(Bt)
    start = bias if bias is not None else [0.0] * len(Bt)
    out = []
    for a in A:
        row = start
        for a_k, b_k in zip(a, B):
            row = [r + a_k * v for r, v in zip(row, b_k)]
        out.append(row)
    return out
