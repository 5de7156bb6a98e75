"""The assignment notebooks: CS231n-style walkthroughs that run the student's assignments/*.py.

Built with nbformat, deterministically (fixed cell ids, no outputs, no
timestamps), so regenerating gives the same bytes and
`python -m autograder stubs --check` can compare them. A notebook holds no
solution code: it imports `assignments.<name>` from the folder next to it, so
the student writes code in the .py file and runs it from either place.
Each notebook's metadata names its assignment: `metadata["tinybackprop"]["assignment"]`.
Pictures are `tinybackprop.plots` Figures and graphs, each the last expression of its cell (so
Jupyter shows it inline); its cell or the one before prints the numbers it shows (loss, accuracy,
gradients), so the notebook still tells its story when run as a plain script.
"""
from __future__ import annotations

import textwrap

import nbformat
from nbformat import v4

SETUP = '''\
# The assignment files live next to this notebook. Putting the folder above on
# the path lets them import as the package `assignments`, as the autograder does.
import importlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath("")))
# Re-run this cell after editing a .py file: reload picks up your changes.
for module in {modules}:
    importlib.reload(importlib.import_module("assignments." + module))
'''

DIGITS = '''\
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
'''

GRAD_CHECK = '''\
def show_grad_check(f, x, analytic, num_checks=3):
    """Print a numerical gradient check of a few random entries of x."""
    for entry in grad_check_sparse(f, x, analytic, num_checks=num_checks, seed=0):
        print(f"  entry {entry.index}: numerical {entry.numerical:+.6e}, "
              f"analytic {entry.analytic:+.6e}, relative error {entry.rel_error:.2e}")
'''


def _loss_cells(loss: str, expected: str, why: str, learning_rate: float) -> list[tuple[str, str]]:
    """The cells shared by the SVM and softmax notebooks: digits, sanity and gradient checks, templates."""
    return [
        ("md", "The first 20 images of the data set with their labels, before standardizing "
               "(dark is a high pixel value)."),
        ("code", '''\
from tinybackprop.plots import show_images, show_weights

print("labels of the first 20 images:", y[:20])
show_images(X[:20], labels=y[:20])
'''),
        ("md", "## The naive version\nImplement `{0}_loss_naive` in `{0}.py` with explicit loops.".format(loss)),
        ("code", f'''\
W = Matrix.randn(64, 10, std=0.0001, seed=1)
loss, dW = {loss}_loss_naive(W, X_dev, y_dev, 0.0)
# {why}
print(f"loss {{loss:.6f}}, expected close to {expected}")
'''),
        ("md", "Check the analytic gradient against a centered-difference numerical gradient, "
               "without and with regularization. Relative errors below 1e-7 are what you want."),
        ("code", GRAD_CHECK + f'''
for reg in (0.0, 1e2):
    loss, dW = {loss}_loss_naive(W, X_dev, y_dev, reg)
    print(f"reg = {{reg}}:")
    show_grad_check(lambda W: {loss}_loss_naive(W, X_dev, y_dev, reg)[0], W, dW)
'''),
        ("md", "## The vectorized version\nImplement the stages of `{0}_forward` and `{0}_backward` "
               "with Matrix operations; `{0}_loss_vectorized` joins them. Both versions must agree "
               "to about 1e-10, and the vectorized one is faster.".format(loss)),
        ("code", f'''\
tic = time.perf_counter()
loss_naive, grad_naive = {loss}_loss_naive(W, X_dev, y_dev, 5e-3)
toc = time.perf_counter()
loss_vectorized, grad_vectorized = {loss}_loss_vectorized(W, X_dev, y_dev, 5e-3)
tac = time.perf_counter()
print(f"naive:      loss {{loss_naive:.10f}} in {{toc - tic:.4f}} s")
print(f"vectorized: loss {{loss_vectorized:.10f}} in {{tac - toc:.4f}} s")
print(f"loss difference {{abs(loss_naive - loss_vectorized):.2e}}, "
      f"gradient relative error {{rel_error(grad_naive, grad_vectorized):.2e}}")
'''),
        ("md", "Each stage is visible in the cache, which is how the autograder credits them one by one."),
        ("code", f'''\
# A strong regularization keeps every gradient entry large enough for a clean numerical check
# (the blank border pixels are 0 in every image, so their gradient is 2 * reg * W alone).
loss, cache = {loss}_forward(W, X_dev, y_dev, 1e2)
for key, value in cache.items():
    print(f"{{key:10s}}", value.shape if isinstance(value, Matrix) else value if key != "y" else "...")
grads = {loss}_backward(cache)
print("dscores", grads["dscores"].shape, "dW", grads["dW"].shape)
show_grad_check(lambda W: {loss}_forward(W, X_dev, y_dev, 1e2)[0], W, grads["dW"])
'''),
        ("md", "## What the classifier learns\nA few steps of gradient descent on the whole training set "
               "with your vectorized loss, $W \\leftarrow W - \\eta\\, dW$ (the linear classifier assignment "
               "trains properly, with minibatches). Each column of $W$ is then a template: the weights "
               "one class gives the 8 x 8 pixels."),
        ("code", f'''\
W = Matrix.randn(64, 10, std=0.0001, seed=1)
for step in range(20):
    loss, dW = {loss}_loss_vectorized(W, X_train, y_train, 1e-3)
    W = W - {learning_rate} * dW
print(f"loss {{loss:.3f}} at the last step, validation accuracy {{accuracy((X_val @ W).argmax(axis=1), y_val):.3f}}")
show_weights(W)
'''),
    ]


GATES = [
    ("md", r'''# Warm-up: backpropagation through gates

A gate computes its output in `forward` and keeps what `backward` will need.
In `backward` it receives the **upstream** gradient $\frac{\partial f}{\partial z}$ and returns,
for each input, upstream times its **local** gradient (the chain rule):
$$\frac{\partial f}{\partial x} = \frac{\partial f}{\partial z}\,\frac{\partial z}{\partial x}.$$
The add gate distributes the gradient, the max gate routes it, the multiply gate switches it.

Implement the `backward` methods, the sigmoid neuron and the circuit with a fork in `gates.py`,
then run the cells.'''),
    ("code", SETUP.format(modules='("gates",)') + '''\
from assignments.gates import (AddGate, MaxGate, MultiplyGate, SigmoidGate, fork_circuit_backward,
                               fork_circuit_forward, sigmoid_neuron_backward, sigmoid_neuron_forward)
from tinybackprop.gates import ScaleGate
from tinybackprop.graph import ComputationalGraph
from tinybackprop.value import Value
'''),
    ("md", r"## The first circuit: $f = (x + y)\,z$ at $x = -2$, $y = 5$, $z = -4$"),
    ("code", '''\
add, mul = AddGate(), MultiplyGate()
q = add.forward(-2.0, 5.0)
f = mul.forward(q, -4.0)
dq, dz = mul.backward(1.0)
dx, dy = add.backward(dq)
print(f"f = {f} (expected -12)")
print(f"df/dx = {dx}, df/dy = {dy}, df/dz = {dz} (expected -4, -4, 3)")
'''),
    ("md", "The same circuit as a `ComputationalGraph` built from your gates: `forward` runs them in "
           "topological order, `backward` in reverse. Each box shows its value (green) and the gradient "
           "of $f$ on it (red), as in the lecture's picture."),
    ("code", '''\
circuit = ComputationalGraph()
x, y, z = circuit.input("x"), circuit.input("y"), circuit.input("z")
q = circuit.gate(AddGate(), x, y, name="q")
circuit.gate(MultiplyGate(), q, z, name="f")
circuit.forward({"x": -2.0, "y": 5.0, "z": -4.0})
print("gradients from your gates:", circuit.backward())
circuit
'''),
    ("md", r"## A circuit with a max gate: $f = 2\,(x y + \max(z, w))$ at $x = 3$, $y = -4$, $z = 2$, $w = -1$"),
    ("code", '''\
mul, mx, add, double = MultiplyGate(), MaxGate(), AddGate(), MultiplyGate()
f = double.forward(2.0, add.forward(mul.forward(3.0, -4.0), mx.forward(2.0, -1.0)))
_, dsum = double.backward(1.0)
dxy, dmax = add.backward(dsum)
dx, dy = mul.backward(dxy)
dz, dw = mx.backward(dmax)
print(f"f = {f} (expected -20)")
print(f"dx = {dx}, dy = {dy}, dz = {dz}, dw = {dw} (expected -8, 6, 2, 0)")
'''),
    ("md", "In the picture, see the max gate route the whole gradient to $z$ (the larger input) and none "
           "to $w$, and the multiply gate swap its inputs' values into their gradients."),
    ("code", '''\
circuit = ComputationalGraph()
x, y, z, w = (circuit.input(name) for name in ("x", "y", "z", "w"))
xy = circuit.gate(MultiplyGate(), x, y, name="xy")
m = circuit.gate(MaxGate(), z, w, name="m")
# The constant factor 2 is a ScaleGate from tinybackprop (drawn "*2"), not an input with a gradient.
circuit.gate(ScaleGate(2.0), circuit.gate(AddGate(), xy, m, name="s"), name="f")
circuit.forward({"x": 3.0, "y": -4.0, "z": 2.0, "w": -1.0})
print("gradients from your gates:", circuit.backward())
circuit
'''),
    ("md", r'''## A sigmoid neuron, stage by stage

$f = \sigma(w_0 x_0 + w_1 x_1 + w_2)$ with $\sigma(t) = \frac{1}{1 + e^{-t}}$, whose local gradient is
$\frac{d\sigma}{dt} = (1 - \sigma(t))\,\sigma(t)$. The forward pass computes `dot`, then `f`;
the backward pass computes `ddot` $= (1 - f) f \cdot$ upstream, then `dw` and `dx`.'''),
    ("code", '''\
f, cache = sigmoid_neuron_forward([2.0, -3.0, -3.0], [-1.0, -2.0])
dw, dx = sigmoid_neuron_backward(cache)
print(f"f = {f:.4f} (expected 0.7311)")
print("dw =", [round(v, 2) for v in dw], "(expected [-0.2, -0.39, 0.2])")
print("dx =", [round(v, 2) for v in dx], "(expected [0.39, -0.59])")

gate = SigmoidGate()
gate.forward(1.0)
print(f"the sigmoid gate agrees: dx = {gate.backward(1.0):.4f} (expected {cache['f'] * (1 - cache['f']):.4f})")
'''),
    ("md", "`tinybackprop.value.Value` records the same neuron as you compute it and runs its backward "
           "pass for you. Compare the red gradients of the weights and inputs with your `dw` and `dx`."),
    ("code", '''\
w0, w1, w2 = Value(2.0, label="w0"), Value(-3.0, label="w1"), Value(-3.0, label="w2")
x0, x1 = Value(-1.0, label="x0"), Value(-2.0, label="x1")
dot = w0 * x0 + w1 * x1 + w2
dot.label = "dot"
neuron = dot.sigmoid()
neuron.label = "f"
neuron.backward()
print("Value's dw:", [round(v.grad, 2) for v in (w0, w1, w2)], "dx:", [round(v.grad, 2) for v in (x0, x1)])
neuron
'''),
    ("md", "Check the neuron's gradients numerically: nudge each weight and input by $\\pm h$."),
    ("code", '''\
from tinybackprop.gradcheck import numerical_gradient, rel_error

w, x = [2.0, -3.0, -3.0], [-1.0, -2.0]
numerical_dw = numerical_gradient(lambda w: sigmoid_neuron_forward(w, x)[0], w)
numerical_dx = numerical_gradient(lambda x: sigmoid_neuron_forward(w, x)[0], x)
print(f"dw relative error {rel_error(dw, numerical_dw):.2e}, dx relative error {rel_error(dx, numerical_dx):.2e}")
'''),
    ("md", r'''## Gradients add at forks: $f = (x + y)\,x$ at $x = -2$, $y = 5$

Here $x$ feeds two gates: the add gate $q = x + y$ and the multiply gate $f = q\,x$. Each sends a
gradient back to $x$, and $x$ gets their **sum**:
$\frac{\partial f}{\partial x} = \underbrace{x}_{\text{from the add}} + \underbrace{q}_{\text{from the multiply}} = 2x + y$.
Keeping only one of them (assigning `dx` twice instead of adding) is a common bug.'''),
    ("code", '''\
f, cache = fork_circuit_forward(-2.0, 5.0)
dx, dy = fork_circuit_backward(cache)
print(f"f = {f} (expected -6)")
print(f"dx = {dx} (expected 1: -2 from the add gate plus 3 from the multiply gate), dy = {dy} (expected -2)")

x, y = -2.0, 5.0
numerical_dx = numerical_gradient(lambda x: fork_circuit_forward(x, y)[0], x)
numerical_dy = numerical_gradient(lambda y: fork_circuit_forward(x, y)[0], y)
print(f"dx relative error {rel_error(dx, numerical_dx):.2e}, dy relative error {rel_error(dy, numerical_dy):.2e}")
'''),
    ("md", '''**Inline question 1.** The gradient on $x$ from a multiply gate is the value of $y$. What happens
to the gradients of a linear classifier $s = Wx$ if you scale all inputs by 1000?

*Your answer:*

**Inline question 2.** When $w_0 x_0 + w_1 x_1 + w_2$ is very large or very small, what are the
gradients of the sigmoid neuron? What does that mean for learning?

*Your answer:*'''),
]

SVM = [
    ("md", r'''# Assignment 1: a multiclass SVM

A linear classifier scores the classes of an example $x_i$ (a row of $X$, $N \times D$) with $s = x_i W$
($W$ is $D \times C$). The multiclass SVM loss wants the correct class's score to beat every other by a
margin of 1:
$$L_i = \sum_{j \ne y_i} \max(0,\; s_j - s_{y_i} + 1), \qquad
L = \frac{1}{N}\sum_i L_i + \lambda \sum_{k,l} W_{k,l}^2 .$$
The regularization gradient is $2 \lambda W$. Each positive margin pushes its score up and the
correct score down:
$$\frac{\partial L_i}{\partial s_j} = \mathbb{1}(s_j - s_{y_i} + 1 > 0) \;\; (j \ne y_i), \qquad
\frac{\partial L_i}{\partial s_{y_i}} = -\sum_{j \ne y_i} \mathbb{1}(s_j - s_{y_i} + 1 > 0),$$
and the backward of $s = XW$ is $dW = X^T\, d\mathrm{scores}$.

Work in `svm.py` next to this notebook; grade yourself with `python -m autograder`.'''),
    ("code", SETUP.format(modules='("svm",)')
     + "from assignments.svm import svm_backward, svm_forward, svm_loss_naive, svm_loss_vectorized\n"),
    ("code", DIGITS),
] + _loss_cells("svm", "9", "Tiny weights give scores near 0: each of the 9 wrong classes has a margin near 1.",
                 learning_rate=0.1) + [
    ("md", '''**Inline question 1.** Now and then one entry of an SVM gradient check disagrees more than the
others. What in the loss causes it, and why can it not happen with the softmax loss?

*Your answer:*

**Inline question 2.** Each row of `dscores` sums to 0. Why?

*Your answer:*'''),
]

SOFTMAX = [
    ("md", r'''# Assignment 1: the softmax classifier

The softmax classifier reads the scores $s = x_i W$ as unnormalized log-probabilities:
$$p_j = \frac{e^{s_j}}{\sum_k e^{s_k}}, \qquad L_i = -\log p_{y_i}, \qquad
L = \frac{1}{N}\sum_i L_i + \lambda \sum_{k,l} W_{k,l}^2 .$$
Shifting each row by its maximum leaves $p$ unchanged and keeps $e^{s}$ from overflowing.
The gradient on the scores is $\frac{\partial L_i}{\partial s_j} = p_j - \mathbb{1}(j = y_i)$,
then $dW = X^T\, d\mathrm{scores} + 2 \lambda W$.

Work in `softmax.py` next to this notebook; grade yourself with `python -m autograder`.'''),
    ("code", SETUP.format(modules='("softmax",)')
     + "from assignments.softmax import (softmax_backward, softmax_forward, softmax_loss_naive,\n"
       "                                 softmax_loss_vectorized)\n"),
    ("code", DIGITS),
] + _loss_cells("softmax", "-log(0.1) = 2.302585", "Tiny weights give every class probability about 0.1.",
                 learning_rate=1.0) + [
    ("md", "The shift by the row's max matters: without it, large scores overflow."),
    ("code", '''\
big = 1000.0 * Matrix.randn(64, 10, std=1.0, seed=2)
loss, cache = softmax_forward(big, X_dev, y_dev, 0.0)
print(f"loss with huge weights: {loss:.2f} (finite), largest shifted score {cache['shifted'].max():.1f}")
'''),
    ("md", '''**Inline question 1.** Why is the loss of tiny random weights close to $-\\log(0.1)$?

*Your answer:*

**Inline question 2.** Can adding a new training example leave the SVM loss unchanged? The softmax loss?

*Your answer:*'''),
]

LINEAR_CLASSIFIER = [
    ("md", r'''# Assignment 1: training a linear classifier with SGD

Minibatch stochastic gradient descent: draw `batch_size` examples at random (with replacement),
compute the loss and $dW$ on them, and step against the gradient:
$$W \leftarrow W - \eta\, dW .$$
Implement the `minibatch` and `update` stages of `LinearClassifier.train` and `LinearClassifier.predict`
in `linear_classifier.py`; `LinearSVM` and `Softmax` use your vectorized losses.'''),
    ("code", SETUP.format(modules='("svm", "softmax", "linear_classifier")')
     + "from assignments.linear_classifier import LinearSVM, Softmax\n"
       "from tinybackprop.plots import plot_history, show_weights\n"),
    ("code", DIGITS),
    ("code", '''\
svm = LinearSVM()
tic = time.perf_counter()
loss_history = svm.train(X_train, y_train, learning_rate=3e-2, reg=1e-3, num_iters=60,
                         batch_size=100, verbose=True, seed=0)
print(f"trained in {time.perf_counter() - tic:.2f} s; loss {loss_history[0]:.3f} -> {loss_history[-1]:.3f}")
print(f"SVM: training accuracy {accuracy(svm.predict(X_train), y_train):.3f}, "
      f"validation accuracy {accuracy(svm.predict(X_val), y_val):.3f}")
plot_history(loss_history, title="LinearSVM")
'''),
    ("code", '''\
softmax = Softmax()
loss_history = softmax.train(X_train, y_train, learning_rate=3e-1, reg=1e-3, num_iters=60,
                             batch_size=100, seed=0)
print(f"softmax: loss {loss_history[0]:.3f} -> {loss_history[-1]:.3f}, "
      f"validation accuracy {accuracy(softmax.predict(X_val), y_val):.3f}")
'''),
    ("md", "## Tuning\nTry a few learning rates and regularization strengths and keep the best on the "
           "validation set. (Use more values and iterations for real; this grid is kept small.)"),
    ("code", '''\
best_val, best = -1.0, None
for learning_rate in (1e-3, 1e-1):
    for reg in (1e-3, 1e0):
        candidate = Softmax()
        candidate.train(X_train, y_train, learning_rate=learning_rate, reg=reg, num_iters=30,
                        batch_size=100, seed=0)
        val = accuracy(candidate.predict(X_val), y_val)
        print(f"learning rate {learning_rate:g}, reg {reg:g}: validation accuracy {val:.3f}")
        if val > best_val:
            best_val, best = val, candidate
print(f"best validation accuracy {best_val:.3f}")
'''),
    ("md", "## What the classifier learned\nEach column of $W$ is a template: an 8 x 8 picture of "
           "the weights one class gives the pixels (dark is a large weight)."),
    ("code", '''\
print(f"the templates of the best softmax classifier (validation accuracy {best_val:.3f})")
show_weights(best.W)
'''),
    ("md", '''**Inline question 1.** Describe the templates above. Why do they look like that?

*Your answer:*

**Inline question 2.** Why does the loss history go down noisily rather than smoothly?

*Your answer:*'''),
]

TWO_LAYER_NET = [
    ("md", r'''# Assignment 1: a two-layer neural network

Affine, ReLU, affine, softmax, with the biases as $1 \times H$ and $1 \times C$ rows:
$$z_1 = X W_1 + b_1, \quad h_1 = \max(0, z_1), \quad s = h_1 W_2 + b_2, \quad
L = \frac{1}{N} \sum_i -\log \frac{e^{s_{i,y_i}}}{\sum_k e^{s_{i,k}}} + \lambda\,(\textstyle\sum W_1^2 + \sum W_2^2).$$
Backward, stage by stage: $d\mathrm{scores} = (p - \mathbb{1}_y)/N$;
$dW_2 = h_1^T d\mathrm{scores} + 2\lambda W_2$ and $db_2$ the column sums of $d\mathrm{scores}$;
$dh_1 = d\mathrm{scores}\, W_2^T$; $dz_1 = dh_1 \odot \mathbb{1}(z_1 > 0)$;
$dW_1 = X^T dz_1 + 2\lambda W_1$ and $db_1$ the column sums of $dz_1$.

Work in `two_layer_net.py` next to this notebook; grade yourself with `python -m autograder`.'''),
    ("code", SETUP.format(modules='("two_layer_net",)') + '''\
from assignments.two_layer_net import TwoLayerNet, two_layer_backward, two_layer_forward
from tinybackprop.data import accuracy, load_digits, make_spiral, standardize, train_test_split
from tinybackprop.gradcheck import grad_check_sparse, rel_error
from tinybackprop.matrix import Matrix
from tinybackprop.plots import plot_decision_boundary, plot_history, show_weights
'''),
    ("md", "## A toy model\nFixed weights make every number reproducible."),
    ("code", '''\
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
'''),
    ("code", '''\
loss, grads = net.loss(X_toy, y_toy, reg=0.05)
print(f"loss {loss:.8f}")
# grad_check_sparse nudges entries of the parameter in place; the loss reads them from net.params.
def toy_loss(_):
    return net.loss(X_toy, y_toy, reg=0.05)[0]

for name in ("W1", "b1", "W2", "b2"):
    checks = grad_check_sparse(toy_loss, net.params[name], grads[name], num_checks=8, seed=0)
    numerical, analytic = [e.numerical for e in checks], [e.analytic for e in checks]
    print(f"{name}: largest relative error {rel_error(numerical, analytic):.2e}")
'''),
    ("md", "## A spiral\nThree interleaved arms: no line separates them, but one hidden layer can."),
    ("code", '''\
X_spiral, y_spiral = make_spiral(points_per_class=40, classes=3, seed=0)
spiral_net = TwoLayerNet(2, 40, 3, std=0.5, seed=0)
stats = spiral_net.train(X_spiral, y_spiral, X_spiral, y_spiral, learning_rate=1.0,
                         learning_rate_decay=1.0, reg=1e-3, num_iters=200, batch_size=120, seed=0)
print(f"spiral: loss {stats['loss_history'][0]:.3f} -> {stats['loss_history'][-1]:.3f}, "
      f"training accuracy {accuracy(spiral_net.predict(X_spiral), y_spiral):.3f}")
'''),
    ("md", "The class the net predicts at each point of the plane (the argmax of `spiral_net.loss(X)`, "
           "the scores), with the training points on top: the hidden layer bends the boundaries "
           "around the arms."),
    ("code", 'plot_decision_boundary(spiral_net.loss, X_spiral, y_spiral, title="two-layer net on the spiral")\n'),
    ("md", "## Handwritten digits"),
    ("code", '''\
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
'''),
    ("md", "The loss of every iteration; once an epoch, the accuracy on that iteration's minibatch "
           "(`train_acc`) and on the validation set (`val_acc`). A gap between the two is overfitting."),
    ("code", 'plot_history(stats, title="digits")\n'),
    ("md", "Each column of $W_1$ is the pattern of pixels one hidden unit responds to, drawn as an "
           "8 x 8 image."),
    ("code", 'show_weights(digits_net.params["W1"], class_names=[f"h{j}" for j in range(32)],\n'
             '             title="first-layer weights, one image per hidden unit (dark = large)")\n'),
    ("md", '''**Inline question 1.** A ReLU unit whose $z_1$ is negative for every training example gets no
gradient. Why, and how can a learning rate that is too large cause it?

*Your answer:*

**Inline question 2.** Training accuracy is much higher than validation accuracy. Name two things that
could narrow the gap.

*Your answer:*'''),
]

NOTEBOOKS = {
    "gates": GATES,
    "svm": SVM,
    "softmax": SOFTMAX,
    "linear_classifier": LINEAR_CLASSIFIER,
    "two_layer_net": TWO_LAYER_NET,
}


WORK_HERE = """\
**Where your code lives.** The cells below import your `{0}.py` from this folder. If you would
rather write it in this notebook, add a code cell that starts with the line `%%writefile {0}.py`
followed by the whole file, and run it before the cells below: it *replaces* `{0}.py` with the
cell. You may then submit this notebook instead of the file: the autograder grades its
`%%writefile {0}.py` cell. A notebook without that cell holds no code to grade."""


def build_notebook(name: str) -> nbformat.NotebookNode:
    """The notebook of one assignment, e.g. "svm", with cell ids "svm-00", "svm-01", ..."""
    intro, *rest = NOTEBOOKS[name]
    cells = []
    for index, (kind, text) in enumerate([intro, ("md", WORK_HERE.format(name))] + rest):
        make = v4.new_markdown_cell if kind == "md" else v4.new_code_cell
        cells.append(make(textwrap.dedent(text).strip("\n"), id=f"{name.replace('_', '-')}-{index:02d}"))
    notebook = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "tinybackprop": {"assignment": name},
    })
    # Pinned, so that another nbformat version writes the same file.
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    nbformat.validate(notebook)
    return notebook


def render_notebook(name: str) -> str:
    """The notebook of one assignment as the exact text of its .ipynb file."""
    return nbformat.writes(build_notebook(name)) + "\n"
