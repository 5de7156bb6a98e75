# %% [markdown]
# # Assignment 1: training a linear classifier with SGD
#
# Minibatch stochastic gradient descent: draw `batch_size` examples at random (with replacement),
# compute the loss and $dW$ on them, and step against the gradient:
# $$W \leftarrow W - \eta\, dW .$$
# Implement the `minibatch` and `update` stages of `LinearClassifier.train` and `LinearClassifier.predict`
# in `linear_classifier.py`; `LinearSVM` and `Softmax` use your vectorized losses. A check cell after
# the training grades it here (see below); `python -m autograder` in a terminal grades everything at once.

# %% [markdown]
# **Where your code lives.** The cells below import your `linear_classifier.py` from this folder. If you would
# rather write it in this notebook, add a code cell that starts with the line `%%writefile linear_classifier.py`
# followed by the whole file, and run it before the cells below: it *replaces* `linear_classifier.py` with the
# cell. You may then submit this notebook instead of the file: the autograder grades its
# `%%writefile linear_classifier.py` cell. A notebook without that cell holds no code to grade.

# %% [markdown]
# **Checking your work here.** After each stage comes a check cell, such as `check("linear_classifier.training")`.
# It grades that stage of your `linear_classifier.py` *as saved*, in the autograder's sandbox, just as
# `python -m autograder` does, and shows the verdict under the cell: **passed** in green,
# **failed** in red, **not implemented** in amber while the stage's stub still raises
# `NotImplementedError`. Each test has a line: a failed one says what was expected, what your code
# gave and by how much it is off, often with a hint that names a common mistake. Stuck? Run
# `python -m autograder hint linear_classifier.training` in a terminal: each time it gives the next, more detailed
# hint. (`%check linear_classifier.training` is the same check as a magic.) These are the public checks: the
# official grade also uses fresh inputs and hidden tests.
#
# A cell that calls a stage you have not written yet prints `finish LinearClassifier.train: minibatch first` instead of a
# traceback, and a later cell that needs what it did not make says the same instead of running:
# nothing below breaks, and no picture shows weights that were never trained. The cells run your
# code as the first code cell imported it: after editing `linear_classifier.py`, save it and run that cell again.

# %%
# The assignment files live next to this notebook. Putting the folder above on
# the path lets them import as the package `assignments`, as the autograder does.
import importlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath("")))
from autograder.inline import check, hint, setup_notebook

# check("linear_classifier.training") grades a stage; a cell stopped by a stub says which stage to finish.
setup_notebook()
# Re-run this cell after editing a .py file: reload picks up your changes.
for module in ("svm", "softmax", "linear_classifier"):
    importlib.reload(importlib.import_module("assignments." + module))
from assignments.linear_classifier import LinearSVM, Softmax, append_bias, search, split_bias, train_softmax
from tinybackprop.plots import heatmap, plot_history, show_weights

# %%
from tinybackprop.data import accuracy, load_digits, standardize, train_test_split

# 1797 handwritten digits, 8 x 8 pixels each: X is N x 64, y holds labels 0..9.
X, y = load_digits()
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, seed=0)
# Scale with the training set's statistics only, so nothing about the validation set leaks in.
X_train, X_val = standardize(X_train, X_val)
# A small development set keeps the loops of the naive versions quick.
X_dev, y_dev = X_train[:30], y_train[:30]
print("train", X_train.shape, "validation", X_val.shape, "dev", X_dev.shape)

# %%
svm = LinearSVM()
tic = time.perf_counter()
loss_history = svm.train(X_train, y_train, learning_rate=3e-2, reg=1e-3, num_iters=60,
                         batch_size=100, verbose=True, seed=0)
print(f"trained in {time.perf_counter() - tic:.2f} s; loss {loss_history[0]:.3f} -> {loss_history[-1]:.3f}")
print(f"SVM: training accuracy {accuracy(svm.predict(X_train), y_train):.3f}, "
      f"validation accuracy {accuracy(svm.predict(X_val), y_val):.3f}")
plot_history(loss_history, title="LinearSVM")

# %%
softmax = Softmax()
loss_history = softmax.train(X_train, y_train, learning_rate=3e-1, reg=1e-3, num_iters=60,
                             batch_size=100, seed=0)
print(f"softmax: loss {loss_history[0]:.3f} -> {loss_history[-1]:.3f}, "
      f"validation accuracy {accuracy(softmax.predict(X_val), y_val):.3f}")

# %%
check("linear_classifier.training")

# %% [markdown]
# ## The bias trick
# The scores above are $XW$ alone: every class's score is 0 where every pixel is 0. A bias $b$ ($1 \times C$)
# gives each class a score of its own, $s = XW + b$. The bias trick adds nothing new to learn: append a
# feature that is always 1 to every example, and the row of $W$ that meets it is $b$:
# $$[X \;\; \mathbf{1}] \begin{bmatrix} W \\ b \end{bmatrix} = XW + b .$$
# Implement `append_bias` and `split_bias` in `linear_classifier.py`; the classifier and its losses stay
# as they are, trained on `append_bias(X)`.

# %%
X_train_bias, X_val_bias = append_bias(X_train), append_bias(X_val)
print("with the constant feature:", X_train_bias.shape, "last column", X_train_bias[0][-1])
biased = Softmax()
biased.train(X_train_bias, y_train, learning_rate=3e-1, reg=1e-3, num_iters=60, batch_size=100, seed=0)
print(f"softmax with a bias: validation accuracy {accuracy(biased.predict(X_val_bias), y_val):.3f}")
templates, bias = split_bias(biased.W)
print("weights", templates.shape, "bias", bias.shape)
print("bias of each class:", [round(v, 3) for v in bias[0]])

# %%
check("linear_classifier.bias")

# %% [markdown]
# The templates of the classifier with a bias: the rows of $W$ that meet the pixels, without its last row.

# %%
show_weights(templates, title="softmax with a bias: one template per class")

# %% [markdown]
# ## Tuning: a hyperparameter search
# The learning rate and the regularization strength are not learned: they are chosen, by trying them.
# Each setting trains a model on the training split; the validation split, which no model trains on,
# says which setting generalizes best. Implement `search` in `linear_classifier.py`. The split called
# validation above has chosen nothing so far: here it becomes the **test** split, used once, at the
# end, and the search gets its validation split from the training set.

# %%
X_fit, X_search, y_fit, y_search = train_test_split(X_train, y_train, test_size=0.25, seed=1)
X_test, y_test = X_val, y_val
learning_rates, regs = [1e-2, 1e-1, 1e0], [1e-4, 1e-2, 1e0]
best, results = search(X_fit, y_fit, X_search, y_search, learning_rates, regs, num_iters=30,
                       batch_size=100, seed=0)
print(f"{'learning rate':>14} {'reg':>8} {'train acc':>10} {'val acc':>8}")
for row in results:
    print(f"{row[0]:>14g} {row[1]:>8g} {row[2]:>10.3f} {row[3]:>8.3f}")
print(f"best: learning rate {best[0]:g}, reg {best[1]:g}")

# %%
check("linear_classifier.search")

# %% [markdown]
# The validation accuracy of every setting: the search's table as a picture.

# %%
validation = {(row[0], row[1]): row[3] for row in results}
heatmap([[validation[rate, reg] for reg in regs] for rate in learning_rates], [f"{r:g}" for r in learning_rates],
        [f"{r:g}" for r in regs], title="validation accuracy", row_name="learning rate", column_name="reg")

# %% [markdown]
# The best setting's model, trained again as the search trained it, meets the test split once.

# %%
chosen = train_softmax(X_fit, y_fit, best[0], best[1], num_iters=30, batch_size=100, seed=0)
best_val = accuracy(chosen.predict(X_search), y_search)
print(f"best setting: validation accuracy {best_val:.3f}, "
      f"test accuracy {accuracy(chosen.predict(X_test), y_test):.3f} (measured once)")

# %% [markdown]
# ## What the classifier learned
# Each column of $W$ is a template: an 8 x 8 picture of the weights one class gives the pixels (dark is a large weight).

# %%
print(f"the templates of the best softmax classifier (validation accuracy {best_val:.3f})")
show_weights(chosen.W)

# %% [markdown]
# **Inline question 1.** Describe the templates above. Why do they look like that?
#
# *Your answer:*
#
# **Inline question 2.** Why does the loss history go down noisily rather than smoothly?
#
# *Your answer:*
