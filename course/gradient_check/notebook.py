# %% [markdown]
# # The numerical gradient, written by you
#
# An analytic gradient, derived by hand, is fast and exact, and easy to get wrong. The numerical
# gradient is slow and approximate, and easy to get right: nudge one entry of $x$ by a small $h$ and see
# how $f$ changes. The lecture's recipe is the **centered** difference,
# $$\frac{\partial f}{\partial x_i} \approx \frac{f(x + h\,e_i) - f(x - h\,e_i)}{2h}, \qquad h = 10^{-5},$$
# where $e_i$ is 1 at entry $i$ and 0 elsewhere. In practice: derive the analytic gradient, and check it
# against the numerical one, by their **relative error**
# $$\frac{|a - n|}{\max(|a| + |n|,\; 10^{-8})}$$
# (above $10^{-2}$ the gradient is probably wrong, below $10^{-7}$ you can be happy).
#
# Write `numerical_gradient`, `numerical_partial`, `rel_error` and `grad_check_sparse` in
# `gradient_check.py`. The last section uses them to check your own gradients of the SVM and softmax
# losses. A check cell after each stage grades it here (see below); `python -m autograder` in a terminal
# grades everything at once.

# %% [markdown]
# **Where your code lives.** The cells below import your `gradient_check.py` from this folder. If you would
# rather write it in this notebook, add a code cell that starts with the line `%%writefile gradient_check.py`
# followed by the whole file, and run it before the cells below: it *replaces* `gradient_check.py` with the
# cell. You may then submit this notebook instead of the file: the autograder grades its
# `%%writefile gradient_check.py` cell. A notebook without that cell holds no code to grade.

# %% [markdown]
# **Checking your work here.** After each stage comes a check cell, such as `check("gradient_check.numerical")`.
# It grades that stage of your `gradient_check.py` *as saved*, in the autograder's sandbox, just as
# `python -m autograder` does, and shows the verdict under the cell: **passed** in green,
# **failed** in red, **not implemented** in amber while the stage's stub still raises
# `NotImplementedError`. The grader hands your functions an `f` of its own and watches every `x` it is
# called at: each entry must be moved by $+h$ and by $-h$, and put back. Stuck? Run
# `python -m autograder hint gradient_check.numerical` in a terminal: each time it gives the next, more
# detailed hint. (`%check gradient_check.numerical` is the same check as a magic.) These are the public
# checks: the official grade also uses fresh inputs and hidden tests.
#
# A cell that calls a stage you have not written yet prints `finish numerical_gradient: number first`
# instead of a traceback, and a later cell that needs what it did not make says the same instead of
# running. The cells run your code as the first code cell imported it: after editing `gradient_check.py`,
# save it and run that cell again.

# %%
# The assignment files live next to this notebook. Putting the folder above on
# the path lets them import as the package `assignments`, as the autograder does.
import importlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath("")))
from autograder.inline import check, hint, setup_notebook

# check("gradient_check.numerical") grades a stage; a cell stopped by a stub says which stage to finish.
setup_notebook()
# Re-run this cell after editing a .py file: reload picks up your changes.
for module in ("gradient_check",):
    importlib.reload(importlib.import_module("assignments." + module))
from assignments.gradient_check import grad_check_sparse, numerical_gradient, rel_error
from tinybackprop.matrix import Matrix

# %% [markdown]
# ## The slope of a function of one number
#
# $f(x) = x^3$ at $x = 2$ has the slope $3x^2 = 12$. Compare your centered difference with the
# one-sided $\frac{f(2 + h) - f(2)}{h}$ as $h$ shrinks: the one-sided error falls like $h$, the centered
# one like $h^2$, until rounding takes over at very small $h$.

# %%
def cube(x):
    """The function whose slope the cell below approximates."""
    return x ** 3


for h in (1e-1, 1e-3, 1e-5, 1e-7):
    centered = numerical_gradient(cube, 2.0, h)
    one_sided = (cube(2.0 + h) - cube(2.0)) / h
    print(f"h = {h:.0e}: centered {centered:.10f} (off by {abs(centered - 12):.1e}), "
          f"one-sided {one_sided:.10f} (off by {abs(one_sided - 12):.1e})")

# %% [markdown]
# ## A gradient, entry by entry
#
# For a list or a Matrix, `numerical_gradient` moves one entry at a time (that is `numerical_partial`)
# and returns a gradient of $x$'s shape. $f(W) = \frac{1}{3}\sum_{ij} W_{ij}^3$ has the gradient
# $W_{ij}^2$, entry by entry; $W$ itself must come back as it was given.

# %%
W = Matrix([[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]])
dW = numerical_gradient(lambda W: (W * W * W).sum() / 3, W)
print("numerical dW =", [[round(v, 6) for v in row] for row in dW.tolist()])
print("W after the call =", W.tolist(), "(expected [[1.0, -2.0, 0.5], [3.0, 0.25, -1.5]])")

# %%
check("gradient_check.numerical")

# %% [markdown]
# ## The relative error
#
# An absolute difference says little: 1e-4 is tiny between gradients near 1000 and huge between
# gradients near 1e-5. Divide by their size; the floor of 1e-8 keeps 0 against 0 at an error of 0.

# %%
print("rel_error(0, 0) =", rel_error(0.0, 0.0), "(expected 0)")
print("rel_error(1000, 1000.1) =", f"{rel_error(1000.0, 1000.1):.2e}", "(expected about 5e-05)")
print("rel_error(1e-5, 2e-5) =", f"{rel_error(1e-5, 2e-5):.2e}", "(expected about 3.3e-01)")
print("largest over the entries:", f"{rel_error([1.0, 2.0, 3.0], [1.0, 2.0, 3.3]):.2e}", "(expected about 4.8e-02)")
print("the numerical dW against W * W:", f"{rel_error(dW, W * W):.2e}")

# %%
check("gradient_check.rel_error")

# %% [markdown]
# ## Checking your own gradients
#
# Now put your numerical gradient to work on the analytic gradients you derive in `svm.py` and
# `softmax.py` (cells that need a loss you have not written yet say which stage to finish). On a small
# problem every entry can be checked; on the digits, `grad_check_sparse` checks a few entries drawn at
# random, which finds a wrong gradient almost as surely, at a fraction of the cost.

# %%
from tinybackprop.data import load_digits, standardize, train_test_split

X, y = load_digits()
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, seed=0)
X_train, X_val = standardize(X_train, X_val)
X_dev, y_dev = X_train[:30], y_train[:30]
W_small, X_small, y_small = Matrix.randn(4, 3, std=0.5, seed=0), Matrix.randn(5, 4, seed=1), [0, 2, 1, 2, 0]
W_digits = Matrix.randn(64, 10, std=0.0001, seed=1)
print("a small problem: W", W_small.shape, "X", X_small.shape, "| the digits: W", W_digits.shape, "X", X_dev.shape)

# %%
from assignments.softmax import softmax_loss_vectorized

# Every entry of a 4 x 3 W, then a few of the digits' 64 x 10.
loss, dW = softmax_loss_vectorized(W_small, X_small, y_small, 0.1)
numerical = numerical_gradient(lambda W: softmax_loss_vectorized(W, X_small, y_small, 0.1)[0], W_small)
print(f"softmax, every entry: relative error {rel_error(dW, numerical):.2e}")
loss, dW = softmax_loss_vectorized(W_digits, X_dev, y_dev, 1e2)
errors = grad_check_sparse(lambda W: softmax_loss_vectorized(W, X_dev, y_dev, 1e2)[0], W_digits, dW, 5, seed=0)
print(f"softmax on the digits, 5 entries: largest relative error {max(errors):.2e}")

# %%
from assignments.svm import svm_loss_vectorized

# The hinge has kinks; a strong regularization keeps the checked entries away from them.
loss, dW = svm_loss_vectorized(W_digits, X_dev, y_dev, 1e2)
errors = grad_check_sparse(lambda W: svm_loss_vectorized(W, X_dev, y_dev, 1e2)[0], W_digits, dW, 5, seed=0)
print(f"svm on the digits, 5 entries: largest relative error {max(errors):.2e}")

# %%
check("gradient_check.sparse")

# %% [markdown]
# **Inline question 1.** Why is the centered difference more accurate than the one-sided one for the
# same $h$? (Expand $f$ around $x$ in a Taylor series, a step $h$ to either side.) And why does the error
# grow again when $h$ is made very small?
#
# *Your answer:*
#
# **Inline question 2.** An SVM gradient check is sometimes off at one entry although the gradient is
# right. When, and why can it not happen with the softmax loss?
#
# *Your answer:*
