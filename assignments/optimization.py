# Generated from course/optimization/reference.py by `python -m autograder stubs`:
# replace each `raise NotImplementedError` with your code for the stage described above it.
# Stuck? `python -m autograder hint optimization` gives a hint for the first stage that fails.
"""The lecture's three strategies of optimization side by side: random search, random local search and
following the gradient, each lowering a loss L(W) of a weight Matrix W.

Imports only the standard library and tinybackprop.matrix.Matrix. Each function
gets the loss as a function, loss_fn(W) -> float (and following the gradient
also grad_fn(W) -> dW, a Matrix of W's shape), and returns (best_W, history):
the W it ends with and the loss of the W it holds after each of its steps
(a list of ``steps`` floats), so that the three can be drawn on one picture.
"""
from __future__ import annotations

import random
from typing import Callable, Tuple, Union

from tinybackprop.matrix import Matrix

Seed = Union[int, random.Random, None]


def random_search(loss_fn: Callable[[Matrix], float], shape: Tuple[int, int], steps: int,
                  seed: Seed = None) -> Tuple[Matrix, list[float]]:
    """Strategy 1: try ``steps`` random weight matrices, keep the one with the lowest loss.

    shape: (D, C), the shape of W. At every step W is drawn anew, Matrix.randn(D, C, seed=rng) with
    rng = random.Random(seed) (one generator for every draw), and loss_fn is evaluated once at it.
    Returns (best_W, history): best_W the W of the lowest loss seen (the first one on a tie), history[k]
    the lowest loss seen after step k + 1.
    """
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    D, C = shape
    # best_W (D x C) and history (steps floats): the best of `steps` weight matrices drawn at
    #   random, and the lowest loss seen so far after every step. Each guess knows nothing of the
    #   guesses before it: what does the search keep from one step to the next? (lecture 3:
    #   optimization, strategy 1: random search)
    raise NotImplementedError("random_search: guess")
    return best_W, history


def random_local_search(loss_fn: Callable[[Matrix], float], W0: Matrix, steps: int, step_size: float,
                        seed: Seed = None) -> Tuple[Matrix, list[float]]:
    """Strategy 2: from W0, try a small random step from the best W at every step, keep it if it helps.

    loss_fn is evaluated at W0 first, then once per step at W_try = W + step_size * Matrix.randn(D, C,
    seed=rng) (rng = random.Random(seed), one generator for every draw), W the best so far. Returns
    (best_W, history): best_W the W of the lowest loss, history[k] the loss of the best W after step k + 1.
    """
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    D, C = W0.shape
    # best_W (D x C) and history (steps floats): starting at W0, at every step a random step of size
    #   step_size from the best W so far, kept only when it lowers the loss; history the best loss
    #   after each step. Where does each try start from, and what happens to a try that made the
    #   loss worse? (lecture 3: optimization, strategy 2: random local search)
    raise NotImplementedError("random_local_search: step")
    return best_W, history


def follow_gradient(loss_fn: Callable[[Matrix], float], grad_fn: Callable[[Matrix], Matrix], W0: Matrix,
                    steps: int, learning_rate: float) -> Tuple[Matrix, list[float]]:
    """Strategy 3: from W0, step against the gradient ``steps`` times (gradient descent).

    At each step grad_fn is evaluated once at the current W, W takes the step, and loss_fn is evaluated
    once at the new W. Returns (W, history): W after the last step (every step is kept), history[k] the
    loss of W after step k + 1.
    """
    # W (D x C) after `steps` steps of gradient descent from W0, and history (steps floats), the
    #   loss after every step. In which direction does the loss go down fastest, and how far do you
    #   go? (lecture 3: optimization, strategy 3: following the gradient)
    raise NotImplementedError("follow_gradient: descend")
    return W, history
