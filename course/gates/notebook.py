# %% [markdown]
# # Warm-up: backpropagation through gates
#
# A gate computes its output in `forward` and keeps what `backward` will need.
# In `backward` it receives the **upstream** gradient $\frac{\partial f}{\partial z}$ and returns,
# for each input, upstream times its **local** gradient (the chain rule):
# $$\frac{\partial f}{\partial x} = \frac{\partial f}{\partial z}\,\frac{\partial z}{\partial x}.$$
# The add gate distributes the gradient, the max gate routes it, the multiply gate switches it.
#
# Implement the `backward` methods, the sigmoid neuron and the circuit with a fork in `gates.py`,
# then run the cells. The check cell at the end grades the whole warm-up here (see below);
# `python -m autograder` in a terminal grades every assignment at once.

# %% [markdown]
# **Where your code lives.** The cells below import your `gates.py` from this folder. If you would
# rather write it in this notebook, add a code cell that starts with the line `%%writefile gates.py`
# followed by the whole file, and run it before the cells below: it *replaces* `gates.py` with the
# cell. You may then submit this notebook instead of the file: the autograder grades its
# `%%writefile gates.py` cell. A notebook without that cell holds no code to grade.

# %% [markdown]
# **Checking your work here.** After each stage comes a check cell, such as `check("gates.gates")`.
# It grades that stage of your `gates.py` *as saved*, in the autograder's sandbox, just as
# `python -m autograder` does, and shows the verdict under the cell: **passed** in green,
# **failed** in red, **not implemented** in amber while the stage's stub still raises
# `NotImplementedError`. Each test has a line: a failed one says what was expected, what your code
# gave and by how much it is off, often with a hint that names a common mistake. Stuck? Run
# `python -m autograder hint gates.gates` in a terminal: each time it gives the next, more detailed
# hint. (`%check gates.gates` is the same check as a magic.) These are the public checks: the
# official grade also uses fresh inputs and hidden tests.
#
# A cell that calls a stage you have not written yet prints `finish MultiplyGate.backward: switch first` instead of a
# traceback, and a later cell that needs what it did not make says the same instead of running:
# nothing below breaks, and no picture shows weights that were never trained. The cells run your
# code as the first code cell imported it: after editing `gates.py`, save it and run that cell again.

# %%
# The assignment files live next to this notebook. Putting the folder above on
# the path lets them import as the package `assignments`, as the autograder does.
import importlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath("")))
from autograder.inline import check, hint, setup_notebook

# check("gates.gates") grades a stage; a cell stopped by a stub says which stage to finish.
setup_notebook()
# Re-run this cell after editing a .py file: reload picks up your changes.
for module in ("gates",):
    importlib.reload(importlib.import_module("assignments." + module))
from assignments.gates import (AddGate, MaxGate, MultiplyGate, SigmoidGate, fork_circuit_backward,
                               fork_circuit_forward, sigmoid_neuron_backward, sigmoid_neuron_forward,
                               vector_circuit_backward, vector_circuit_forward)
from tinybackprop.gates import ScaleGate
from tinybackprop.gradcheck import numerical_gradient, rel_error
from tinybackprop.graph import ComputationalGraph
from tinybackprop.matrix import Matrix
from tinybackprop.value import Value

# %% [markdown]
# ## The first circuit: $f = (x + y)\,z$ at $x = -2$, $y = 5$, $z = -4$

# %%
add, mul = AddGate(), MultiplyGate()
q = add.forward(-2.0, 5.0)
f = mul.forward(q, -4.0)
dq, dz = mul.backward(1.0)
dx, dy = add.backward(dq)
print(f"f = {f} (expected -12)")
print(f"df/dx = {dx}, df/dy = {dy}, df/dz = {dz} (expected -4, -4, 3)")

# %% [markdown]
# The same circuit as a `ComputationalGraph` built from your gates: `forward` runs them in topological order, `backward` in reverse. Each box shows its value (green) and the gradient of $f$ on it (red), as in the lecture's picture.

# %%
circuit = ComputationalGraph()
x, y, z = circuit.input("x"), circuit.input("y"), circuit.input("z")
q = circuit.gate(AddGate(), x, y, name="q")
circuit.gate(MultiplyGate(), q, z, name="f")
circuit.forward({"x": -2.0, "y": 5.0, "z": -4.0})
print("gradients from your gates:", circuit.backward())
circuit

# %% [markdown]
# ## A circuit with a max gate: $f = 2\,(x y + \max(z, w))$ at $x = 3$, $y = -4$, $z = 2$, $w = -1$

# %%
mul, mx, add, double = MultiplyGate(), MaxGate(), AddGate(), MultiplyGate()
f = double.forward(2.0, add.forward(mul.forward(3.0, -4.0), mx.forward(2.0, -1.0)))
_, dsum = double.backward(1.0)
dxy, dmax = add.backward(dsum)
dx, dy = mul.backward(dxy)
dz, dw = mx.backward(dmax)
print(f"f = {f} (expected -20)")
print(f"dx = {dx}, dy = {dy}, dz = {dz}, dw = {dw} (expected -8, 6, 2, 0)")

# %% [markdown]
# In the picture, see the max gate route the whole gradient to $z$ (the larger input) and none to $w$, and the multiply gate swap its inputs' values into their gradients.

# %%
circuit = ComputationalGraph()
x, y, z, w = (circuit.input(name) for name in ("x", "y", "z", "w"))
xy = circuit.gate(MultiplyGate(), x, y, name="xy")
m = circuit.gate(MaxGate(), z, w, name="m")
# The constant factor 2 is a ScaleGate from tinybackprop (drawn "*2"), not an input with a gradient.
circuit.gate(ScaleGate(2.0), circuit.gate(AddGate(), xy, m, name="s"), name="f")
circuit.forward({"x": 3.0, "y": -4.0, "z": 2.0, "w": -1.0})
print("gradients from your gates:", circuit.backward())
circuit

# %% [markdown]
# ## A sigmoid neuron, stage by stage
#
# $f = \sigma(w_0 x_0 + w_1 x_1 + w_2)$ with $\sigma(t) = \frac{1}{1 + e^{-t}}$. The forward pass computes
# `dot`, then `f`; the backward pass computes `ddot`, then `dw` and `dx`. The lecture's trick: the local
# gradient $\frac{d\sigma}{dt}$ can be written with $\sigma(t)$ alone, which the forward pass already
# computed. Differentiate $\frac{1}{1 + e^{-t}}$ and find how.

# %%
f, cache = sigmoid_neuron_forward([2.0, -3.0, -3.0], [-1.0, -2.0])
dw, dx = sigmoid_neuron_backward(cache)
print(f"f = {f:.4f} (expected 0.7311)")
print("dw =", [round(v, 2) for v in dw], "(expected [-0.2, -0.39, 0.2])")
print("dx =", [round(v, 2) for v in dx], "(expected [0.39, -0.59])")

gate = SigmoidGate()
gate.forward(1.0)
print(f"the sigmoid gate's local gradient at 1: {gate.backward(1.0):.4f} (expected 0.1966)")

# %% [markdown]
# `tinybackprop.value.Value` records the same neuron as you compute it and runs its backward pass for you. Compare the red gradients of the weights and inputs with your `dw` and `dx`.

# %%
w0, w1, w2 = Value(2.0, label="w0"), Value(-3.0, label="w1"), Value(-3.0, label="w2")
x0, x1 = Value(-1.0, label="x0"), Value(-2.0, label="x1")
dot = w0 * x0 + w1 * x1 + w2
dot.label = "dot"
neuron = dot.sigmoid()
neuron.label = "f"
neuron.backward()
print("Value's dw:", [round(v.grad, 2) for v in (w0, w1, w2)], "dx:", [round(v.grad, 2) for v in (x0, x1)])
neuron

# %% [markdown]
# Check the neuron's gradients numerically: nudge each weight and input by $\pm h$.

# %%
w, x = [2.0, -3.0, -3.0], [-1.0, -2.0]
numerical_dw = numerical_gradient(lambda w: sigmoid_neuron_forward(w, x)[0], w)
numerical_dx = numerical_gradient(lambda x: sigmoid_neuron_forward(w, x)[0], x)
print(f"dw relative error {rel_error(dw, numerical_dw):.2e}, dx relative error {rel_error(dx, numerical_dx):.2e}")

# %% [markdown]
# ## Gradients add at forks: $f = (x + y)\,x$ at $x = -2$, $y = 5$
#
# Here $x$ feeds two gates: the add gate $q = x + y$ and the multiply gate $f = q\,x$. Each sends a
# gradient back to $x$, and $x$ gets their **sum**:
# $\frac{\partial f}{\partial x} = \underbrace{x}_{\text{from the add}} + \underbrace{q}_{\text{from the multiply}} = 2x + y$.
# Keeping only one of them (assigning `dx` twice instead of adding) is a common bug.

# %%
f, cache = fork_circuit_forward(-2.0, 5.0)
dx, dy = fork_circuit_backward(cache)
print(f"f = {f} (expected -6)")
print(f"dx = {dx} (expected 1: -2 from the add gate plus 3 from the multiply gate), dy = {dy} (expected -2)")

x, y = -2.0, 5.0
numerical_dx = numerical_gradient(lambda x: fork_circuit_forward(x, y)[0], x)
numerical_dy = numerical_gradient(lambda y: fork_circuit_forward(x, y)[0], y)
print(f"dx relative error {rel_error(dx, numerical_dx):.2e}, dy relative error {rel_error(dy, numerical_dy):.2e}")

# %% [markdown]
# The gates stage is graded here: its tests are the three circuits, the staged neuron and the fork.

# %%
check("gates.gates")

# %% [markdown]
# ## A vectorized example: $f(x, W) = \lVert W x \rVert^2$
#
# The same rules hold when the variables are vectors and matrices. Stage the expression:
# $q = W x$ ($W$ is $n \times d$, $x$ a $d \times 1$ column), then $f = \lVert q \rVert^2 = \sum_i q_i^2$.
# Backward, each gradient is a matrix of the partial derivatives of $f$ with respect to each entry, so
# **the gradient with respect to a variable always has its shape**: `dq` is $n \times 1$ like $q$,
# `dW` is $n \times d$ like $W$, `dx` is $d \times 1$ like $x$. Work out one entry, $\partial f / \partial W_{ij}$,
# then write all of them at once. The lecture's numbers:
# $W = \begin{bmatrix} 0.1 & 0.5 \\ -0.3 & 0.8 \end{bmatrix}$, $x = \begin{bmatrix} 0.2 \\ 0.4 \end{bmatrix}$.

# %%
W = Matrix([[0.1, 0.5], [-0.3, 0.8]])
x = Matrix.column([0.2, 0.4])
f, cache = vector_circuit_forward(W, x)
print("q =", [round(v, 4) for v in cache["q"].flatten()], "(expected [0.22, 0.26])")
print(f"f = {f:.4f} (expected 0.116)")
grads = vector_circuit_backward(cache)
print("dq =", [round(v, 4) for v in grads["dq"].flatten()], "(expected [0.44, 0.52])")
print("dW =", [[round(v, 4) for v in row] for row in grads["dW"].tolist()], "(expected [[0.088, 0.176], [0.104, 0.208]])")
print("dx =", [round(v, 4) for v in grads["dx"].flatten()], "(expected [-0.112, 0.636])")

# %% [markdown]
# Check both gradients numerically, and their shapes, on a $W$ that is not square (where a transposed
# `dW` has the wrong shape) and an upstream gradient other than 1.

# %%
W, x, dout = Matrix.randn(3, 2, seed=0), Matrix.randn(2, 1, seed=1), -1.5
_, cache = vector_circuit_forward(W, x)
grads = vector_circuit_backward(cache, dout)
print("shapes: W", W.shape, "dW", grads["dW"].shape, "| x", x.shape, "dx", grads["dx"].shape)
numerical_dW = numerical_gradient(lambda W: dout * vector_circuit_forward(W, x)[0], W)
numerical_dx = numerical_gradient(lambda x: dout * vector_circuit_forward(W, x)[0], x)
print(f"dW relative error {rel_error(grads['dW'], numerical_dW):.2e}, "
      f"dx relative error {rel_error(grads['dx'], numerical_dx):.2e}")

# %%
check("gates.vector")

# %% [markdown]
# **Inline question 1.** The gradient on $x$ from a multiply gate is the value of $y$. What happens
# to the gradients of a linear classifier $s = Wx$ if you scale all inputs by 1000?
#
# *Your answer:*
#
# **Inline question 2.** When $w_0 x_0 + w_1 x_1 + w_2$ is very large or very small, what are the
# gradients of the sigmoid neuron? What does that mean for learning?
#
# *Your answer:*
