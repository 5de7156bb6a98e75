# %% [markdown]
# # Assignment 1: a two-layer neural network
#
# Affine, ReLU, affine, softmax, with the biases as $1 \times H$ and $1 \times C$ rows:
# $$z_1 = X W_1 + b_1, \quad h_1 = \max(0, z_1), \quad s = h_1 W_2 + b_2, \quad
# L = \frac{1}{N} \sum_i -\log \frac{e^{s_{i,y_i}}}{\sum_k e^{s_{i,k}}} + \lambda\,(\textstyle\sum W_1^2 + \sum W_2^2).$$
# Backward, stage by stage, in the reverse order of the forward pass: $d\mathrm{scores}$ (as in the
# softmax), then $dW_2$, $db_2$, $dh_1$, $dz_1$, $dW_1$, $db_1$. At each gate, the local gradient times
# the upstream one: what is the local gradient of a ReLU, of a product $h_1 W_2$, of a bias added to
# every row? Each gradient has the shape of its variable. Stuck on a stage?
# `hint("two_layer_net.backward")` in a cell gives three hints, one at a time.
#
# Work in `two_layer_net.py` next to this notebook. A check cell after each stage grades it here (see
# below); `python -m autograder` in a terminal grades everything at once.

# %% [markdown]
# **Where your code lives.** The cells below import your `two_layer_net.py` from this folder. If you would
# rather write it in this notebook, add a code cell that starts with the line `%%writefile two_layer_net.py`
# followed by the whole file, and run it before the cells below: it *replaces* `two_layer_net.py` with the
# cell. You may then submit this notebook instead of the file: the autograder grades its
# `%%writefile two_layer_net.py` cell. A notebook without that cell holds no code to grade.

# %% [markdown]
# **Checking your work here.** After each stage comes a check cell, such as `check("two_layer_net.forward")`.
# It grades that stage of your `two_layer_net.py` *as saved*, in the autograder's sandbox, just as
# `python -m autograder` does, and shows the verdict under the cell: **passed** in green,
# **failed** in red, **not implemented** in amber while the stage's stub still raises
# `NotImplementedError`. Each test has a line: a failed one says what was expected, what your code
# gave and by how much it is off, often with a hint that names a common mistake. Stuck? Run
# `python -m autograder hint two_layer_net.forward` in a terminal: each time it gives the next, more detailed
# hint. (`%check two_layer_net.forward` is the same check as a magic.) These are the public checks: the
# official grade also uses fresh inputs and hidden tests.
#
# A cell that calls a stage you have not written yet prints `finish two_layer_forward: z1_h1 first` instead of a
# traceback, and a later cell that needs what it did not make says the same instead of running:
# nothing below breaks, and no picture shows weights that were never trained. The cells run your
# code as the first code cell imported it: after editing `two_layer_net.py`, save it and run that cell again.

# %%
# The assignment files live next to this notebook. Putting the folder above on
# the path lets them import as the package `assignments`, as the autograder does.
import importlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath("")))
from autograder.inline import check, hint, setup_notebook

# check("two_layer_net.forward") grades a stage; a cell stopped by a stub says which stage to finish.
setup_notebook()
# Re-run this cell after editing a .py file: reload picks up your changes.
for module in ("two_layer_net",):
    importlib.reload(importlib.import_module("assignments." + module))
from assignments.two_layer_net import TwoLayerNet, search_hidden_size, train_net
from tinybackprop.data import accuracy, load_digits, make_spiral, standardize, train_test_split
from tinybackprop.gradcheck import grad_check_sparse, rel_error
from tinybackprop.matrix import Matrix
from tinybackprop.plots import heatmap, plot_decision_boundary, plot_history, show_weights

# %% [markdown]
# ## A toy model
# Fixed weights make every number reproducible.

# %%
def linspace(low, high, count):
    """count evenly spaced numbers from low to high."""
    return [low + (high - low) * i / (count - 1) for i in range(count)]

net = TwoLayerNet(4, 10, 3)
net.params = {"W1": Matrix(linspace(-0.2, 0.6, 40)).reshape(4, 10),
              "b1": Matrix(linspace(-0.3, 0.7, 10)),
              "W2": Matrix(linspace(-0.4, 0.1, 30)).reshape(10, 3),
              "b2": Matrix(linspace(-0.5, 0.9, 3))}
X_toy = Matrix(linspace(-0.2, 0.5, 20)).reshape(5, 4)
y_toy = [0, 1, 2, 2, 1]
scores = net.loss(X_toy)
print("first row of scores:", [round(s, 8) for s in scores[0]])
print("expected:            [-0.5328368, 0.20031504, 0.93346689]")

# %%
check("two_layer_net.forward")

# %% [markdown]
# The backward pass, checked numerically on the toy model.

# %%
loss, grads = net.loss(X_toy, y_toy, reg=0.05)
print(f"loss {loss:.8f}")
# grad_check_sparse nudges entries of the parameter in place; the loss reads them from net.params.
def toy_loss(_):
    return net.loss(X_toy, y_toy, reg=0.05)[0]

for name in ("W1", "b1", "W2", "b2"):
    checks = grad_check_sparse(toy_loss, net.params[name], grads[name], num_checks=8, seed=0)
    numerical, analytic = [e.numerical for e in checks], [e.analytic for e in checks]
    print(f"{name}: largest relative error {rel_error(numerical, analytic):.2e}")

# %%
check("two_layer_net.backward")

# %% [markdown]
# ## A spiral
# Three interleaved arms: no line separates them, but one hidden layer can.

# %%
X_spiral, y_spiral = make_spiral(points_per_class=40, classes=3, seed=0)
spiral_net = TwoLayerNet(2, 40, 3, std=0.5, seed=0)
stats = spiral_net.train(X_spiral, y_spiral, X_spiral, y_spiral, learning_rate=1.0,
                         learning_rate_decay=1.0, reg=1e-3, num_iters=200, batch_size=120, seed=0)
print(f"spiral: loss {stats['loss_history'][0]:.3f} -> {stats['loss_history'][-1]:.3f}, "
      f"training accuracy {accuracy(spiral_net.predict(X_spiral), y_spiral):.3f}")

# %%
check("two_layer_net.training")

# %% [markdown]
# The class the net predicts at each point of the plane (the argmax of `spiral_net.loss(X)`, the scores), with the training points on top: the hidden layer bends the boundaries around the arms.

# %%
plot_decision_boundary(spiral_net.loss, X_spiral, y_spiral, title="two-layer net on the spiral")

# %% [markdown]
# ## Handwritten digits

# %%
X, y = load_digits()
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, seed=0)
X_train, X_val = standardize(X_train, X_val)
digits_net = TwoLayerNet(64, 32, 10, std=0.1, seed=0)
tic = time.perf_counter()
stats = digits_net.train(X_train, y_train, X_val, y_val, learning_rate=1.0, learning_rate_decay=0.95,
                         reg=1e-3, num_iters=100, batch_size=100, seed=0)
print(f"trained in {time.perf_counter() - tic:.2f} s")
print("validation accuracy once an epoch:", [round(a, 3) for a in stats["val_acc_history"]])
print(f"final validation accuracy {accuracy(digits_net.predict(X_val), y_val):.3f}")

# %% [markdown]
# The loss of every iteration; once an epoch, the accuracy on that iteration's minibatch (`train_acc`) and on the validation set (`val_acc`). A gap between the two is overfitting.

# %%
plot_history(stats, title="digits")

# %% [markdown]
# Each column of $W_1$ is the pattern of pixels one hidden unit responds to, drawn as an 8 x 8 image.

# %%
show_weights(digits_net.params["W1"], class_names=[f"h{j}" for j in range(32)],
             title="first-layer weights, one image per hidden unit (dark = large)")

# %% [markdown]
# ## How many hidden units?
# The hidden size is a hyperparameter too: too few units cannot bend the boundaries enough, too many fit
# the training set's noise. Implement `search_hidden_size` in `two_layer_net.py`: as in the linear
# classifier's search, the nets train on a training split and a validation split chooses; the split called
# validation above becomes the test split, used once.

# %%
X_fit, X_search, y_fit, y_search = train_test_split(X_train, y_train, test_size=0.25, seed=1)
X_test, y_test = X_val, y_val
sizes = [2, 8, 32]
best_size, size_results = search_hidden_size(X_fit, y_fit, X_search, y_search, sizes, learning_rate=1.0,
                                             reg=1e-3, num_iters=60, batch_size=100, seed=0)
print(f"{'hidden units':>12} {'train acc':>10} {'val acc':>8}")
for row in size_results:
    print(f"{row[0]:>12d} {row[1]:>10.3f} {row[2]:>8.3f}")
print(f"best: {best_size} hidden units")

# %%
check("two_layer_net.search")

# %%
heatmap([[row[1], row[2]] for row in size_results], [str(row[0]) for row in size_results],
        ["training", "validation"], title="accuracy by hidden size", row_name="hidden units")

# %% [markdown]
# The best size's net, trained again as the search trained it, meets the test split once.

# %%
chosen_net = train_net(X_fit, y_fit, X_search, y_search, best_size, learning_rate=1.0, reg=1e-3, num_iters=60,
                       batch_size=100, seed=0)
print(f"{best_size} hidden units: test accuracy {accuracy(chosen_net.predict(X_test), y_test):.3f} (measured once)")

# %% [markdown]
# **Inline question 1.** A ReLU unit whose $z_1$ is negative for every training example gets no
# gradient. Why, and how can a learning rate that is too large cause it?
#
# *Your answer:*
#
# **Inline question 2.** Training accuracy is much higher than validation accuracy. Name two things that
# could narrow the gap.
#
# *Your answer:*
