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
    # BEGIN SOLUTION random_search: guess
    # goal: best_W (D x C) and history (steps floats): the best of `steps` weight matrices drawn at random,
    #   and the lowest loss seen so far after every step. Each guess knows nothing of the guesses before it:
    #   what does the search keep from one step to the next? (lecture 3: optimization, strategy 1: random
    #   search)
    # idea: A guess is a whole new W, drawn without looking at the others; the only thing carried from one
    #   step to the next is the best guess so far and its loss. A guess replaces it only when its loss is
    #   lower, and the history records the best loss after every step, so it never goes up.
    # formula: W_k ~ N(0, 1) entrywise, L_k = L(W_k); best after step k: the W_j of min(L_1, ..., L_k);
    #   history[k] = min(L_1, ..., L_k).
    # code: A best loss that starts at infinity and a best_W of None; a loop of `steps` rounds that draws W
    #   with Matrix.randn from rng, evaluates loss_fn once, keeps W and its loss when the loss is lower, and
    #   appends the best loss to the history.
    best_loss, best_W, history = float("inf"), None, []
    for _ in range(steps):
        W = Matrix.randn(D, C, seed=rng)
        loss = loss_fn(W)
        if loss < best_loss:
            best_W = W
            best_loss = loss
        history.append(best_loss)
    # END SOLUTION
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
    # BEGIN SOLUTION random_local_search: step
    # goal: best_W (D x C) and history (steps floats): starting at W0, at every step a random step of size
    #   step_size from the best W so far, kept only when it lowers the loss; history the best loss after
    #   each step. Where does each try start from, and what happens to a try that made the loss worse?
    #   (lecture 3: optimization, strategy 2: random local search)
    # idea: Like a blindfolded hiker who feels around with one foot: stand at the best W so far, try a step
    #   in a random direction, and move there only if it goes down; otherwise stay where you are and try
    #   another direction. Without the comparison the search wanders off; from W0 every time, it never
    #   gets anywhere.
    # formula: L_best = L(W0), W = W0; at step k: W_try = W + step_size * N(0, 1); if L(W_try) < L_best:
    #   W = W_try and L_best = L(W_try); history[k] = L_best.
    # code: The loss of W0 as the best loss and W0 as best_W; a loop of `steps` rounds that builds W_try
    #   from best_W plus step_size times Matrix.randn drawn from rng, evaluates loss_fn once, replaces the
    #   best when the loss is lower, and appends the best loss.
    best_W = W0
    best_loss = loss_fn(W0)
    history = []
    for _ in range(steps):
        W_try = best_W + step_size * Matrix.randn(D, C, seed=rng)
        loss = loss_fn(W_try)
        if loss < best_loss:
            best_W = W_try
            best_loss = loss
        history.append(best_loss)
    # END SOLUTION
    return best_W, history


def follow_gradient(loss_fn: Callable[[Matrix], float], grad_fn: Callable[[Matrix], Matrix], W0: Matrix,
                    steps: int, learning_rate: float) -> Tuple[Matrix, list[float]]:
    """Strategy 3: from W0, step against the gradient ``steps`` times (gradient descent).

    At each step grad_fn is evaluated once at the current W, W takes the step, and loss_fn is evaluated
    once at the new W. Returns (W, history): W after the last step (every step is kept), history[k] the
    loss of W after step k + 1.
    """
    # BEGIN SOLUTION follow_gradient: descend
    # goal: W (D x C) after `steps` steps of gradient descent from W0, and history (steps floats), the loss
    #   after every step. In which direction does the loss go down fastest, and how far do you go?
    #   (lecture 3: optimization, strategy 3: following the gradient)
    # idea: The gradient is the direction of steepest ascent: its negative is the best direction for a small
    #   step, with no guessing. The learning rate (the step size) sets how far to move along it; each step
    #   starts from where the last one ended, and no step is ever undone.
    # formula: W_{k+1} = W_k - learning_rate * dL/dW(W_k), with dL/dW(W_k) = grad_fn(W_k);
    #   history[k] = L(W_{k+1}).
    # code: W starts as W0; a loop of `steps` rounds that calls grad_fn at W, replaces W by W minus
    #   learning_rate times that gradient, and appends loss_fn of the new W to the history.
    W, history = W0, []
    for _ in range(steps):
        dW = grad_fn(W)
        W = W - learning_rate * dW
        history.append(loss_fn(W))
    # END SOLUTION
    return W, history
