# %% [markdown]
# # Assignment 1: a multiclass SVM
#
# A linear classifier scores the classes of an example $x_i$ (a row of $X$, $N \times D$) with $s = x_i W$
# ($W$ is $D \times C$). The multiclass SVM loss wants the correct class's score to beat every other by a
# margin of 1:
# $$L_i = \sum_{j \ne y_i} \max(0,\; s_j - s_{y_i} + 1), \qquad
# L = \frac{1}{N}\sum_i L_i + \lambda \sum_{k,l} W_{k,l}^2 .$$
# The backward pass is yours to derive, stage by stage, as the lecture does: first
# $d\mathrm{scores}$ ($N \times C$), the gradient of $L$ with respect to every score (which scores
# does one positive margin touch, and in which direction?), then $dW$ through $s = XW$ (it has the
# shape of $W$: which product of $X$ and $d\mathrm{scores}$ has it?), and the regularization's share.
# Stuck on a stage? `hint("svm.backward")` in a cell gives three hints, one at a time.
#
# Work in `svm.py` next to this notebook. A check cell after each stage grades it here (see below);
# `python -m autograder` in a terminal grades everything at once.

# %% [markdown]
# **Where your code lives.** The cells below import your `svm.py` from this folder. If you would
# rather write it in this notebook, add a code cell that starts with the line `%%writefile svm.py`
# followed by the whole file, and run it before the cells below: it *replaces* `svm.py` with the
# cell. You may then submit this notebook instead of the file: the autograder grades its
# `%%writefile svm.py` cell. A notebook without that cell holds no code to grade.

# %% [markdown]
# **Checking your work here.** After each stage comes a check cell, such as `check("svm.forward")`.
# It grades that stage of your `svm.py` *as saved*, in the autograder's sandbox, just as
# `python -m autograder` does, and shows the verdict under the cell: **passed** in green,
# **failed** in red, **not implemented** in amber while the stage's stub still raises
# `NotImplementedError`. Each test has a line: a failed one says what was expected, what your code
# gave and by how much it is off, often with a hint that names a common mistake. Stuck? Run
# `python -m autograder hint svm.forward` in a terminal: each time it gives the next, more detailed
# hint. (`%check svm.forward` is the same check as a magic.) These are the public checks: the
# official grade also uses fresh inputs and hidden tests.
#
# A cell that calls a stage you have not written yet prints `finish svm_forward: scores first` instead of a
# traceback, and a later cell that needs what it did not make says the same instead of running:
# nothing below breaks, and no picture shows weights that were never trained. The cells run your
# code as the first code cell imported it: after editing `svm.py`, save it and run that cell again.

# %%
# The assignment files live next to this notebook. Putting the folder above on
# the path lets them import as the package `assignments`, as the autograder does.
import importlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath("")))
from autograder.inline import check, hint, setup_notebook

# check("svm.naive") grades a stage; a cell stopped by a stub says which stage to finish.
setup_notebook()
# Re-run this cell after editing a .py file: reload picks up your changes.
for module in ("svm",):
    importlib.reload(importlib.import_module("assignments." + module))
from assignments.svm import svm_backward, svm_forward, svm_loss_naive, svm_loss_vectorized

# %%
from tinybackprop.data import accuracy, load_digits, standardize, train_test_split
from tinybackprop.gradcheck import grad_check_sparse, rel_error
from tinybackprop.matrix import Matrix

# 1797 handwritten digits, 8 x 8 pixels each: X is N x 64, y holds labels 0..9.
X, y = load_digits()
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, seed=0)
# Scale with the training set's statistics only, so nothing about the validation set leaks in.
X_train, X_val = standardize(X_train, X_val)
# A small development set keeps the loops of the naive versions quick.
X_dev, y_dev = X_train[:30], y_train[:30]
print("train", X_train.shape, "validation", X_val.shape, "dev", X_dev.shape)

# %% [markdown]
# The first 20 images of the data set with their labels, before standardizing (dark is a high pixel value).

# %%
from tinybackprop.plots import show_images, show_weights

print("labels of the first 20 images:", y[:20])
show_images(X[:20], labels=y[:20])

# %% [markdown]
# ## The naive version
# Implement `svm_loss_naive` in `svm.py` with explicit loops.

# %%
W = Matrix.randn(64, 10, std=0.0001, seed=1)
loss, dW = svm_loss_naive(W, X_dev, y_dev, 0.0)
# Tiny weights give scores near 0: each of the 9 wrong classes has a margin near 1.
print(f"loss {loss:.6f}, expected close to 9")

# %% [markdown]
# Check the analytic gradient against a centered-difference numerical gradient, without and with regularization. Relative errors below 1e-7 are what you want.

# %%
def show_grad_check(f, x, analytic, num_checks=3):
    """Print a numerical gradient check of a few random entries of x."""
    for entry in grad_check_sparse(f, x, analytic, num_checks=num_checks, seed=0):
        print(f"  entry {entry.index}: numerical {entry.numerical:+.6e}, "
              f"analytic {entry.analytic:+.6e}, relative error {entry.rel_error:.2e}")

for reg in (0.0, 1e2):
    loss, dW = svm_loss_naive(W, X_dev, y_dev, reg)
    print(f"reg = {reg}:")
    show_grad_check(lambda W: svm_loss_naive(W, X_dev, y_dev, reg)[0], W, dW)

# %%
check("svm.naive")

# %% [markdown]
# ## The vectorized version, stage by stage
# Implement the stages of `svm_forward` with Matrix operations. Each stage is kept in the cache,
# which is how the autograder credits them one by one.

# %%
# A strong regularization keeps every gradient entry large enough for a clean numerical check
# (the blank border pixels are 0 in every image, so their gradient comes from the regularization alone).
loss, cache = svm_forward(W, X_dev, y_dev, 1e2)
for key, value in cache.items():
    print(f"{key:10s}", value.shape if isinstance(value, Matrix) else value if key != "y" else "...")

# %%
check("svm.forward")

# %% [markdown]
# Then the stages of `svm_backward`, which reads the cache, and a numerical check of its `dW`.

# %%
grads = svm_backward(cache)
print("dscores", grads["dscores"].shape, "dW", grads["dW"].shape)
show_grad_check(lambda W: svm_forward(W, X_dev, y_dev, 1e2)[0], W, grads["dW"])

# %%
check("svm.backward")

# %% [markdown]
# `svm_loss_vectorized` joins the two. It must agree with the naive version to about 1e-10, and be faster.

# %%
tic = time.perf_counter()
loss_naive, grad_naive = svm_loss_naive(W, X_dev, y_dev, 5e-3)
toc = time.perf_counter()
loss_vectorized, grad_vectorized = svm_loss_vectorized(W, X_dev, y_dev, 5e-3)
tac = time.perf_counter()
print(f"naive:      loss {loss_naive:.10f} in {toc - tic:.4f} s")
print(f"vectorized: loss {loss_vectorized:.10f} in {tac - toc:.4f} s")
print(f"loss difference {abs(loss_naive - loss_vectorized):.2e}, "
      f"gradient relative error {rel_error(grad_naive, grad_vectorized):.2e}")

# %%
check("svm.vectorized")

# %% [markdown]
# ## What the classifier learns
# A few steps of gradient descent on the whole training set with your vectorized loss, $W \leftarrow W - \eta\, dW$ (the linear classifier assignment trains properly, with minibatches). Each column of $W$ is then a template: the weights one class gives the 8 x 8 pixels.

# %%
W = Matrix.randn(64, 10, std=0.0001, seed=1)
for step in range(20):
    loss, dW = svm_loss_vectorized(W, X_train, y_train, 1e-3)
    W = W - 0.1 * dW
print(f"loss {loss:.3f} at the last step, validation accuracy {accuracy((X_val @ W).argmax(axis=1), y_val):.3f}")
show_weights(W)

# %% [markdown]
# **Inline question 1.** Now and then one entry of an SVM gradient check disagrees more than the
# others. What in the loss causes it, and why can it not happen with the softmax loss?
#
# *Your answer:*
#
# **Inline question 2.** Each row of `dscores` sums to 0. Why?
#
# *Your answer:*
