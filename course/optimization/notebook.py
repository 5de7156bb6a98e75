# %% [markdown]
# # Optimization: three strategies side by side
#
# Training a classifier means finding the $W$ of the lowest loss $L(W)$. The lecture tries three ways on
# the same problem:
#
# 1. **Random search**: guess a whole new $W$ at random, again and again, and keep the best guess.
# 2. **Random local search**: stand at the best $W$ so far, try a small random step, and keep it only if
#    the loss goes down.
# 3. **Following the gradient**: the gradient tells the direction in which the loss goes down fastest;
#    step that way, with no guessing.
#
# Implement `random_search`, `random_local_search` and `follow_gradient` in `optimization.py`. Each gets
# the loss as a function `loss_fn(W)` (and `follow_gradient` also `grad_fn(W)`), and returns the $W$ it
# ends with and the loss after every step, drawn at the end on one picture. A check cell after each
# strategy grades it here (see below); `python -m autograder` in a terminal grades everything at once.

# %% [markdown]
# **Where your code lives.** The cells below import your `optimization.py` from this folder. If you would
# rather write it in this notebook, add a code cell that starts with the line `%%writefile optimization.py`
# followed by the whole file, and run it before the cells below: it *replaces* `optimization.py` with the
# cell. You may then submit this notebook instead of the file: the autograder grades its
# `%%writefile optimization.py` cell. A notebook without that cell holds no code to grade.

# %% [markdown]
# **Checking your work here.** After each stage comes a check cell, such as `check("optimization.sampling")`.
# It grades that stage of your `optimization.py` *as saved*, in the autograder's sandbox, just as
# `python -m autograder` does, and shows the verdict under the cell: **passed** in green,
# **failed** in red, **not implemented** in amber while the stage's stub still raises
# `NotImplementedError`. Each test has a line: a failed one says what was expected, what your code
# gave and by how much it is off, often with a hint that names a common mistake. Stuck? Run
# `python -m autograder hint optimization.sampling` in a terminal: each time it gives the next, more detailed
# hint. (`%check optimization.sampling` is the same check as a magic.) These are the public checks: the
# official grade also uses fresh inputs and hidden tests.
#
# A cell that calls a stage you have not written yet prints `finish random_search: guess first` instead of a
# traceback, and a later cell that needs what it did not make says the same instead of running:
# nothing below breaks, and no picture shows weights that were never trained. The cells run your
# code as the first code cell imported it: after editing `optimization.py`, save it and run that cell again.

# %%
# The assignment files live next to this notebook. Putting the folder above on
# the path lets them import as the package `assignments`, as the autograder does.
import importlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath("")))
from autograder.inline import check, hint, setup_notebook

# check("optimization.sampling") grades a stage; a cell stopped by a stub says which stage to finish.
setup_notebook()
# Re-run this cell after editing a .py file: reload picks up your changes.
for module in ("optimization",):
    importlib.reload(importlib.import_module("assignments." + module))
from assignments.optimization import follow_gradient, random_local_search, random_search
from tinybackprop.plots import plot_history

# %% [markdown]
# ## The problem: a linear softmax classifier on the digits
# The lecture's problem is CIFAR-10; ours is its small cousin, 200 handwritten digits of 8 x 8 pixels
# (64 features, 10 classes), so that the three strategies run in seconds. The loss is the mean softmax
# cross-entropy of the scores $XW$ ($W$ is 64 x 10), and its gradient is $X^T\,dscores$.

# %%
from tinybackprop.data import accuracy, load_digits, standardize
from tinybackprop.losses import softmax_cross_entropy
from tinybackprop.matrix import Matrix

X, y = load_digits()
X, y = standardize(X[:200]), y[:200]
D, C = X.shape[1], 10


def loss_fn(W):
    """The mean softmax loss of the scores X W."""
    return softmax_cross_entropy(X @ W, y)[0]


def grad_fn(W):
    """dL/dW = X^T dscores (D x C)."""
    return X.T @ softmax_cross_entropy(X @ W, y)[1]


evaluations = 0


def counted_loss(W):
    """loss_fn, counting its calls: each strategy gets the same budget of evaluations."""
    global evaluations
    evaluations += 1
    return loss_fn(W)


W_zero = Matrix.zeros(D, C)
print(f"X {X.shape}, W {W_zero.shape}; loss at W = 0: {loss_fn(W_zero):.4f} "
      "(ln 10 = 2.3026: every class equally likely)")

# %% [markdown]
# ## Strategy 1: random search
# Implement `random_search(loss_fn, shape, steps, seed)`: `steps` random guesses, the best one kept.

# %%
steps = 40
tic = time.perf_counter()
evaluations = 0
W_random, random_history = random_search(counted_loss, (D, C), steps, seed=0)
print(f"random search: {evaluations} evaluations in {time.perf_counter() - tic:.2f} s, best loss "
      f"{random_history[-1]:.4f}, training accuracy {accuracy((X @ W_random).argmax(axis=1), y):.3f}")

# %%
check("optimization.sampling")

# %% [markdown]
# ## Strategy 2: random local search
# Implement `random_local_search(loss_fn, W0, steps, step_size, seed)`: from $W_0 = 0$, a random step of
# size `step_size` from the best $W$ so far, kept only when it lowers the loss.

# %%
tic = time.perf_counter()
evaluations = 0
W_local, local_history = random_local_search(counted_loss, W_zero, steps, step_size=0.02, seed=0)
print(f"random local search: {evaluations} evaluations in {time.perf_counter() - tic:.2f} s, best loss "
      f"{local_history[-1]:.4f}, training accuracy {accuracy((X @ W_local).argmax(axis=1), y):.3f}")

# %%
check("optimization.local")

# %% [markdown]
# ## Strategy 3: following the gradient
# Implement `follow_gradient(loss_fn, grad_fn, W0, steps, learning_rate)`: from $W_0 = 0$, `steps` steps
# of gradient descent, $W \leftarrow W - \eta\, dW$.

# %%
tic = time.perf_counter()
evaluations = 0
W_descent, descent_history = follow_gradient(counted_loss, grad_fn, W_zero, steps, learning_rate=0.5)
print(f"following the gradient: {evaluations} evaluations in {time.perf_counter() - tic:.2f} s, loss "
      f"{descent_history[-1]:.4f}, training accuracy {accuracy((X @ W_descent).argmax(axis=1), y):.3f}")

# %%
check("optimization.gradient")

# %% [markdown]
# ## Side by side
# The loss after every step, the three strategies on one picture.

# %%
plot_history({"random search": random_history, "random local search": local_history,
              "following the gradient": descent_history}, title="three strategies on the digits")

# %% [markdown]
# **Inline question 1.** Random search draws every entry of $W$ from $N(0, 1)$. Why does its best loss
# stay far above the loss of $W = 0$, and what would a smaller scale of the guesses change?
#
# *Your answer:*
#
# **Inline question 2.** Random local search and following the gradient both start at $W = 0$ and
# evaluate the loss once per step. Why does the gradient get so much further in the same number of
# steps? What does each step of following the gradient cost that a step of local search does not?
#
# *Your answer:*
