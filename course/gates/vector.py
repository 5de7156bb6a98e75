"""The checks of the lecture's vectorized example, f(x, W) = ||W x||^2: forward q and f, backward dq, dW, dx.

The student's forward runs on (W, x); the student's backward is fed the
reference forward's cache, so a forward bug is charged once. The final
results (f, dW, dx) earn all the points when they are right; otherwise each
right result earns its share, an intermediate (q, dq) only with what it is
computed from. The kit's self-check runs the slide's numbers; an official
grade draws new ones, of other shapes too: a dW of the wrong shape shows on a
W that is not square.
"""
from __future__ import annotations

import random
from typing import Callable, Optional

from autograder.compare import Comparison, compare_matrix, compare_number, finals_first, fmt, tuple_message, unpack
from autograder.oracle import answer, make_check, published, rounded
from autograder.suite import Check, Session, Stopped, Verdict
from course import hints
from tinybackprop.matrix import Matrix

# The slide: W = [[0.1, 0.5], [-0.3, 0.8]], x = [0.2, 0.4] gives q = [0.22, 0.26], f = 0.116.
LECTURE_W = Matrix([[0.1, 0.5], [-0.3, 0.8]])
LECTURE_X = Matrix([[0.2], [0.4]])
STAGES = ("q", "f", "dq", "dW", "dx")
FINALS = ("f", "dW", "dx")
# What each result is computed from: backward is fed the reference cache, so dq needs no student q.
SOURCES = {"f": ("q",), "dW": ("dq",), "dx": ("dq",)}
SHAPES = {"q": "n x 1, the shape of W x", "dq": "n x 1, the shape of q", "dW": "n x d, the shape of W",
          "dx": "d x 1, the shape of x"}
UPSTREAM = ("{name} is the gradient for dout = 1: multiply by the upstream gradient dout (the chain rule), "
            "which is not 1 when the circuit is part of a larger one.")


def draw(rng: random.Random, n: int, d: int, dout: Optional[float] = None) -> tuple:
    """(W, x, dout): W n x d and x d x 1 with entries in [-1, 1], dout in [-2, 2] when not given."""
    W = rounded(Matrix.uniform(n, d, -1.0, 1.0, seed=rng))
    x = rounded(Matrix.uniform(d, 1, -1.0, 1.0, seed=rng))
    return W, x, round(rng.uniform(-2.0, 2.0), 6) if dout is None else dout


def lecture_inputs(rng: random.Random) -> tuple:
    """The slide's W and x with dout = 1 in the kit's self-check; new 2 x 2 ones in an official grade."""
    return (LECTURE_W, LECTURE_X, 1.0) if published(rng) else draw(rng, 2, 2, 1.0)


def fixed_shape(n: int, d: int) -> Callable:
    """An input maker: W n x d and x d x 1, and an upstream gradient dout other than 1."""
    return lambda rng: draw(rng, n, d)


def any_shape(rng: random.Random) -> tuple:
    """An input maker of any shape from 1 x 1 to 4 x 4, and an upstream gradient dout other than 1."""
    return draw(rng, rng.randint(1, 4), rng.randint(1, 4))


def reference_pass(ref, W: Matrix, x: Matrix, dout: float) -> tuple:
    """(cache, grads) of the reference's forward and backward."""
    _, cache = ref.vector_circuit_forward(W, x)
    return cache, ref.vector_circuit_backward(cache, dout)


def compare(name: str, got, want, label: str = "") -> Comparison:
    """The result ``name`` against the reference's: a float (f) or a matrix; ``label`` names it in messages."""
    if isinstance(want, Matrix):
        return compare_matrix(label or name, got, want, what=SHAPES[name])
    return compare_number(label or name, got, want)


def forward_results(session: Session, W: Matrix, x: Matrix, cache: dict) -> tuple:
    """{name: Comparison} of q and f of the student's forward, and the Stopped error if it stopped."""
    try:
        result = session.call("gates.vector_circuit_forward", W, x)
    except Stopped as stopped:
        return computed_results(stopped, cache, ("q", "f")), stopped
    pair = unpack(result, 2)
    if pair is None or not isinstance(pair[1], dict):
        message = tuple_message(result, ("f", "cache"), "vector_circuit_forward")
        return {"q": Comparison(False, message), "f": compare("f", pair[0] if pair else None, cache["f"])}, None
    return {"q": compare("q", pair[1].get("q"), cache["q"], "cache['q']") if "q" in pair[1]
            else Comparison(False, "the cache has no 'q'"), "f": compare("f", pair[0], cache["f"])}, None


def backward_results(session: Session, cache: dict, dout: float, grads: dict) -> tuple:
    """{name: Comparison} of dq, dW and dx of the student's backward, and the Stopped error if it stopped."""
    try:
        result = session.call("gates.vector_circuit_backward", cache, dout)
    except Stopped as stopped:
        return computed_results(stopped, grads, ("dq", "dW", "dx")), stopped, {}
    if not isinstance(result, dict):
        wrong = Comparison(False, f"vector_circuit_backward should return a dict with keys dq, dW, dx; got "
                                  f"{'a list' if isinstance(result, list) else type(result).__name__}")
        return {key: wrong for key in ("dq", "dW", "dx")}, None, {}
    return {key: compare(key, result.get(key), grads[key]) if key in result
            else Comparison(False, f"the dict returned has no {key!r}") for key in ("dq", "dW", "dx")}, None, result


def computed_results(stopped: Stopped, want: dict, keys: tuple) -> dict:
    """The results a stopped function had computed in its locals, compared; the rest not computed."""
    return {key: compare(key, stopped.computed[key], want[key]) if key in stopped.computed
            else Comparison(False, f"{key} is not computed yet") for key in keys}


def gradient_hint(got: dict, results: dict, W: Matrix, x: Matrix, dout: float, grads: dict) -> str:
    """The hint of the first wrong gradient: its shape, a missing factor 2 or dout, a transposed dW."""
    for name, like in (("dq", "q"), ("dW", "W"), ("dx", "x")):
        if results[name].ok or name not in got:
            continue
        want = grads[name]
        shape = hints.same_shape_hint(name, results[name].shape, want.shape, like)
        if shape:
            transposed = name == "dW" and tuple(results[name].shape) == tuple(reversed(want.shape))
            return f"{shape} {hints.TRANSPOSED_DW}" if transposed else shape
        variants = [(want * 0.5, hints.NO_FACTOR_TWO.format(name=name))]
        if dout != 1.0:
            variants.append((want / dout, UPSTREAM.format(name=name)))
        if name == "dW":
            variants += [(want.T, hints.TRANSPOSED_DW),
                         (want.T * 0.5, f"{hints.TRANSPOSED_DW} {hints.NO_FACTOR_TWO.format(name=name)}")]
        return hints.variant_hint(got[name], variants)
    return ""


def rows(m: Matrix) -> str:
    """A small matrix for messages: [[0.1, 0.5], [-0.3, 0.8]]."""
    return "[" + ", ".join("[" + ", ".join(fmt(v) for v in row) + "]" for row in m.tolist()) + "]"


def vector_check(name: str, points: float, inputs: Callable, hidden: bool = False) -> Check:
    """The student's forward (q, f) on (W, x) and backward (dq, dW, dx) fed the reference cache."""
    def run(session: Session, rng: random.Random) -> Verdict:
        W, x, dout = inputs(rng)
        cache, grads = answer("gates", "vector_circuit", lambda ref: reference_pass(ref, W, x, dout), W, x, dout)
        forward, stopped_forward = forward_results(session, W, x, cache)
        backward, stopped_backward, got = backward_results(session, cache, dout, grads)
        results = dict(forward, **backward)
        fraction, message, _ = finals_first([(key, results[key]) for key in STAGES], FINALS, SOURCES)
        hint = gradient_hint(got, results, W, x, dout, grads)
        where = f"f = ||W x||^2 at W = {rows(W)}, x = {rows(x)}, dout = {fmt(dout)}: "
        stopped = stopped_forward or stopped_backward
        if stopped is not None:
            right = [key for key in STAGES if results[key].ok]
            return Verdict(fraction, f"right: {', '.join(right)}" if right else "", hint, stopped)
        return Verdict(fraction, where + message, hint)
    return make_check(f"gates.vector.{name}", "vector", points, run, hidden)


CHECKS = [
    vector_check("lecture_numbers", 1.25, lecture_inputs),
    # W not square: a dW of the shape of x q^T cannot pass for one of the shape of W.
    vector_check("not_square_with_upstream", 1.5, fixed_shape(3, 2)),
]
