"""Diagnosing the common mistakes by comparing a wrong answer with variants of the right one.

A hint is never a guess from the student's code: each function rebuilds what
a known mistake would have produced from the reference's pieces (the data
loss and its gradient, the penalty, N) and names the mistake whose answer
matches. It returns "" when no known mistake explains the answer.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence

from autograder.compare import EXACT, as_floats, as_rows, is_number, rel_error
from tinybackprop.matrix import Matrix

OVERFLOW = ("Your softmax overflows on large scores: e^1000 is too big for a float. "
            "Shift each row before exp so that its largest score is 0: the probabilities do not change.")
RELU_MASK = ("Your backward through the ReLU forgot its mask: dz1 must be dh1 where z1 > 0 "
             "and 0 elsewhere.")
RELU_ACTIVATIONS = ("You multiplied dh1 by the activations h1: the ReLU's local gradient is not its output. "
                    "What is the slope of max(0, z) where z > 0, and where z < 0?")
NOT_ACCUMULATED = ("It is what assigning each example's contribution gives (dW[...] = ...): every "
                   "example adds to the gradient, so accumulate with +=; with =, only the last write survives.")
LOG_SOFTMAX = ("Subtracting the max is right, but on scores this large a probability underflows to 0 and "
               "-log(probs[y]) cannot be taken (log(0)). Take the log of the softmax without computing the "
               "probabilities first: written with the shifted scores, the log of a softmax is a difference "
               "that never takes log(0).")
NOT_DIVIDED = ("It is N times too large: the data loss is the mean over the N examples, "
               "so divide the sum (and its gradient) by N.")
DIVIDED_TWICE = "It is N times too small: you divided by N twice."
CORRECT_CLASS = ("The correct class counts as a margin: s_y - s_y + 1 = 1 in every row. The sum "
                 "runs over j != y_i only, so the correct class must add nothing.")


def flat(value) -> Optional[list]:
    """The entries of a Matrix, a list of rows or a flat list of numbers; None for anything else."""
    if isinstance(value, Matrix):
        return value.flatten()
    rows = as_rows(value)
    return [x for row in rows for x in row] if rows is not None else as_floats(value)


def matches(got: Sequence[float], want: Sequence[float], tol: float = EXACT) -> bool:
    """True when two equally long lists agree entry by entry within the relative error tol."""
    return len(got) == len(want) and all(rel_error(g, w) <= tol for g, w in zip(got, want))


def penalty_words(multiple: float) -> str:
    """The hint for a penalty in the loss that is `multiple` times the right reg * sum(W * W)."""
    if multiple == 0:
        return "The regularization is missing: the loss must add reg * sum(W * W) to the data loss."
    if multiple == 2:
        return ("You added 2 * reg * sum(W * W): the penalty in the loss is reg * sum(W * W), as the "
                "assignment writes it.")
    return (f"Your penalty is {multiple:g} * reg * sum(W * W) (another course's convention); "
            "here it is reg * sum(W * W).")


# The losses a known mistake produces: (data loss scale, penalty multiple, what went wrong).
LOSS_VARIANTS = tuple(
    (scale, multiple, " ".join(w for w in (words, "" if multiple == 1 else penalty_words(multiple)) if w))
    for scale, words in (("1", ""), ("N", NOT_DIVIDED), ("1/N", DIVIDED_TWICE))
    for multiple in (0, 0.5, 1, 2)
    if (scale, multiple) != ("1", 1)
)


def loss_hint(got, data_loss: float, squares: float, reg: float, N: int) -> str:
    """Explain a wrong loss: a missing or mis-scaled penalty, or the data loss not divided by N.

    data_loss: the reference data loss; squares: sum(W * W) (over all weight matrices).
    """
    if not is_number(got) or not math.isfinite(got):
        return ""
    scales = {"1": 1.0, "N": float(N), "1/N": 1.0 / N}
    for scale, multiple, words in LOSS_VARIANTS:
        if N == 1 and scale != "1":
            continue  # with one example, dividing by N changes nothing
        if reg * squares == 0 and multiple != 1:
            continue  # without a penalty, no mistake in it can be seen
        if rel_error(got, data_loss * scales[scale] + multiple * reg * squares) <= EXACT:
            return words
    return ""


def gradient_hint(name: str, got, data_grad: Matrix, W: Matrix, reg: float, N: int) -> str:
    """Explain a wrong weight gradient: a missing or mis-scaled regularization gradient, or no division by N.

    data_grad: the reference gradient of the data loss alone; W: the weights.
    """
    values = flat(got)
    base, weights = data_grad.flatten(), W.flatten()
    if values is None or len(values) != len(base) or len(values) < 2:
        return ""  # one entry can always be fitted: no evidence
    for scale, words in ((1.0, ""), (N, NOT_DIVIDED), (1.0 / N, DIVIDED_TWICE)):
        if N == 1 and scale != 1.0:
            continue
        data = [b * scale for b in base]
        # Without regularization there is no penalty gradient to fit: the W term must be 0.
        multiple = fit_multiple(values, data, weights) if reg > 0 else 0.0
        if multiple is None or not matches(values, [d + multiple * w for d, w in zip(data, weights)]):
            continue
        if reg <= 0 or abs(multiple - 2 * reg) <= 1e-6 * reg:
            return f"{name}: {words}" if words else ""
        return " ".join(w for w in (f"{name}:", words, reg_gradient_words(multiple / reg)) if w)
    return ""


def fit_multiple(values: Sequence[float], data: Sequence[float], weights: Sequence[float]) -> Optional[float]:
    """The c for which values = data + c * weights fits best (least squares); None without weights."""
    norm = sum(w * w for w in weights)
    if norm == 0:
        return None
    return sum((v - d) * w for v, d, w in zip(values, data, weights)) / norm


def reg_gradient_words(multiple: float) -> str:
    """The hint for a regularization gradient that is `multiple` times reg * W."""
    if abs(multiple) < 1e-6:
        return ("It is right for the data loss but the regularization gradient is missing: the loss also "
                "adds reg * sum(W * W), and every entry of W gets a share of its gradient.")
    if abs(multiple - 1) < 1e-6:
        return ("The data part is right but the regularization gradient is reg * W, half of what it "
                "should be: differentiate reg * w^2 once more.")
    return (f"The data part is right but the regularization gradient is {multiple:.3g} * reg * W: "
            "differentiate reg * sum(W * W) with respect to one entry w.")


def scale_hint(name: str, got, expected: Matrix, N: int) -> str:
    """Explain a gradient that is the right one times N, divided by N again, or of flipped sign."""
    values, want = flat(got), expected.flatten()
    if values is None:
        return ""
    for scale, words in ((N, NOT_DIVIDED), (1.0 / N, DIVIDED_TWICE),
                         (-1.0, "It has the wrong sign (the gradient points uphill).")):
        if matches(values, [w * scale for w in want]):
            return f"{name}: {words}"
    return ""


def shape_hint(name: str, got_shape, want_shape: tuple, like: str, product: str = "") -> str:
    """Explain a gradient of the wrong shape: it always has the shape of what it is the gradient of.

    product: the factors of the matrix product that gives the gradient (e.g. "X and dscores"), named
    when the answer is its transpose (their order is the student's to find).
    """
    if got_shape is None or tuple(got_shape) == tuple(want_shape):
        return ""
    extra = ""
    if tuple(got_shape) == tuple(reversed(want_shape)) and product:
        extra = f" Yours is transposed: check the order of the product of {product}, and which is transposed."
    return (f"{name} must have the shape of {like}, {tuple(want_shape)}; yours is "
            f"{tuple(got_shape)}.{extra}")


def transposed_product_hint(name: str, crash_message: str, want_shape: tuple, like: str, product: str) -> str:
    """Explain a crash in the line computing ``name`` where a matrix of the transposed shape met one of
    the right shape: the product of ``product`` (its factors, "X and dz1") is in the wrong order."""
    rows, cols = want_shape
    if rows == cols or f"({cols}, {rows})" not in crash_message or f"({rows}, {cols})" not in crash_message:
        return ""
    return (f"{name} came out {cols} x {rows}, the transpose of the {rows} x {cols} of {like}: "
            f"the product of {product} is in the wrong order (a gradient has the shape of its variable).")


def accumulate_hint(name: str, got, overwritten: Sequence[Matrix]) -> str:
    """NOT_ACCUMULATED when the answer is one of the gradients assigning instead of adding gives."""
    values = flat(got)
    if values is None or not any(matches(values, variant.flatten()) for variant in overwritten):
        return ""
    return f"{name}: {NOT_ACCUMULATED}"


def log_fails(correct_probs: Sequence[float]) -> bool:
    """True when -log(probs[y]) cannot be taken: a probability of a correct class underflowed to 0."""
    return any(p <= 0.0 for p in correct_probs)


def log_of_probs_hint(got, correct_probs: Sequence[float], reg_loss: float) -> str:
    """LOG_SOFTMAX when a loss is what -mean(log(probs[y])) + reg_loss gives, the probabilities having
    underflowed so far that it is not the right loss."""
    if not is_number(got) or not math.isfinite(got) or log_fails(correct_probs):
        return ""
    from_probs = -sum(math.log(p) for p in correct_probs) / len(correct_probs) + reg_loss
    return LOG_SOFTMAX if rel_error(got, from_probs) <= EXACT else ""


def relu_hint(name: str, got, variants: Sequence[tuple]) -> str:
    """The hint of the ReLU backward whose answer this is: (what it gives, its hint) pairs, e.g. dz1 = dh1
    (RELU_MASK: no mask) or dz1 = dh1 * h1 (RELU_ACTIVATIONS: times the activations)."""
    values = flat(got)
    for wrong, words in variants:
        if values is not None and matches(values, wrong.flatten()):
            return f"{name}: {words}"
    return ""


def shift_hint(got, scores: Matrix) -> str:
    """Explain a wrong ``shifted``: no shift at all, or a max taken over the wrong axis."""
    values = flat(got)
    if values is None:
        return ""
    variants = (
        (scores, "Your shifted is the scores unchanged"),
        (scores - scores.max(), "You subtracted the largest score of the whole matrix"),
        (scores - scores.max(axis=0), "You subtracted each column's max (axis=0)"),
        (scores.max(axis=1) - scores, "Your shift has the wrong sign"),
    )
    for wrong, words in variants:
        if matches(values, wrong.flatten()):
            return (f"{words}: shift each row by its own max, so that every row's largest entry is 0 "
                    "and exp cannot overflow.")
    return ""


def correct_class_hint(got_margins, margins: Matrix, y: Sequence[int]) -> str:
    """CORRECT_CLASS when the margins are the right ones plus 1 at each row's correct class."""
    values = flat(got_margins)
    if values is None:
        return ""
    kept = margins.copy()
    kept.add_at(list(y), 1.0)
    return CORRECT_CLASS if matches(values, kept.flatten()) else ""


def one_too_large(got, loss: float) -> bool:
    """True when a loss is the right one plus exactly 1 (an SVM that counted the correct class)."""
    return is_number(got) and math.isfinite(got) and rel_error(got, loss + 1.0) <= EXACT


def not_a_matrix(values: dict, names: Sequence[str]) -> str:
    """A note for right gradients that came back as lists of rows instead of Matrix objects."""
    listed = [name for name in names if isinstance(values.get(name), list)]
    if not listed:
        return ""
    return (f"{', '.join(listed)} came back as a list of lists, not a Matrix: the numbers are right, "
            "but code that uses it, such as W - learning_rate * dW in training, needs a Matrix. "
            "Return the Matrix itself (no .tolist()).")


FORK = "gradients add at forks: x feeds two gates, so dx is the sum of what each sends back."


def fork_hint(got, branches: Sequence[float]) -> str:
    """FORK when a gradient is only one branch's contribution (overwritten, not accumulated).

    branches: what each gate that the forked input feeds sends back to it.
    """
    if not is_number(got) or not math.isfinite(got):
        return ""
    total = sum(branches)
    if rel_error(got, total) <= EXACT:
        return ""
    return FORK if any(rel_error(got, branch) <= EXACT for branch in branches) else ""


SAME_SHAPE = "The gradient with respect to a variable always has its shape"
NO_FACTOR_TWO = "{name} is half the right one: differentiate q_i^2 once more (a factor is missing)."
TRANSPOSED_DW = ("dW is transposed: W_ij only enters q_i, where it multiplies x_j. Which of dq and x gives "
                 "the rows of dW, and which its columns?")


def same_shape_hint(name: str, got_shape, want_shape: tuple, like: str) -> str:
    """SAME_SHAPE for a gradient whose shape is not that of the variable ``like`` it is the gradient on."""
    if got_shape is None or tuple(got_shape) == tuple(want_shape):
        return ""
    return (f"{SAME_SHAPE}: {name} must be {want_shape[0]} x {want_shape[1]} like {like}; yours is "
            + " x ".join(str(n) for n in got_shape) + ".")


def variant_hint(got, variants: Sequence[tuple]) -> str:
    """The words of the first (wrong answer, words) variant whose wrong answer ``got`` is, or ""."""
    values = flat(got)
    for wrong, words in variants:
        if values is not None and matches(values, wrong.flatten()):
            return words
    return ""


ONE_SIDED = ("f was evaluated at x itself: that is the one-sided difference, whose error shrinks only like h. "
             "The lecture's numerical gradient is centered: it evaluates f on both sides of x, and its error "
             "shrinks like h^2.")
DIVIDED_BY_H = ("Your gradient is twice the right one: how far apart are the two points where f was "
                "evaluated?")
NOT_RESTORED = ("x was not put back: when f was evaluated for one entry, an entry moved before was still moved. "
                "Keep x[i] before moving it and set it back after its two evaluations, so that every slope is "
                "taken at the x you were given and x is as given when your function returns.")
WRONG_STEP = "Move each entry by the h you were given (the argument h, 1e-5 by default), not by a step of your own."
NOT_RANDOM = ("Draw the entries with the generator made from seed (rng = random.Random(seed)): the same seed must "
              "draw the same entries, and another seed other ones.")
NO_FLOOR = ("Two zeros divide 0 by 0: the denominator is max(|a| + |b|, 1e-8), so that two gradients that are "
            "both 0 agree with an error of 0.")
NOT_ABSOLUTE = "A relative error is never negative: take the absolute value of the difference, |a - b|."
MAX_DENOMINATOR = ("Your denominator is max(|a|, |b|): the lecture's relative error divides by the sum, "
                   "max(|a| + |b|, 1e-8).")
NOT_LARGEST = ("For lists and matrices, the relative error is the largest over the entries (one wrong entry is a "
               "wrong gradient), not their mean or sum.")
