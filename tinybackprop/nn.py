"""Neural networks: Neuron, Layer and MLP, one model that runs two ways on the same parameters.

1. Called on a list of numbers or Values, a model builds a graph of Values
   that you can draw and ``backward()`` through, as in micrograd. Each neuron
   is ONE n-ary node: its local gradients (x_i f'(z) for the weights, w_i f'(z)
   for the inputs, f'(z) for the bias) are computed in the forward pass.
2. Called on a Matrix batch (N x nin), it runs the lecture's layer-level
   ``forward``/``backward``: forward caches what backward needs, and
   ``backward(dout)`` fills the parameters' ``grad`` and returns dX.

The parameters are Values either way, so optimizers, regularizers and saving
do not care which way a model was run.
"""
from __future__ import annotations

import functools
import json
import math
import random
from operator import mul
from pathlib import Path
from typing import Optional, Sequence, Union

from tinybackprop.activations import Activation, get_activation
from tinybackprop.kernels import columns, times_transposed
from tinybackprop.matrix import Matrix, Seed, make_rng
from tinybackprop.value import Value

Scalar = Union[Value, float, int]
ActivationLike = Union[str, Activation, None]


class Module:
    """Anything with parameters: they can be listed, zeroed, saved to JSON and loaded back."""

    def children(self) -> dict[str, Module]:
        """The modules this one is made of, by name (their parameters are its parameters)."""
        return {}

    def parameters(self) -> list[Value]:
        """Every parameter (a Value) of this module."""
        return [p for child in self.children().values() for p in child.parameters()]

    def weights(self) -> list[Value]:
        """The parameters that regularization penalizes: all of them but the biases."""
        return [w for child in self.children().values() for w in child.weights()]

    def tensors(self) -> dict[str, list[list[Value]]]:
        """The parameters as named 2-D blocks (what is saved, with its shape)."""
        return {f"{name}.{key}": rows
                for name, child in self.children().items() for key, rows in child.tensors().items()}

    def label_parameters(self) -> None:
        """Label each parameter by the name it is saved under (e.g. 'layers.1.W[0,2]'), so drawings tell them apart."""
        for name, rows in self.tensors().items():
            for i, row in enumerate(rows):
                for j, p in enumerate(row):
                    p.label = f"{name}[{j}]" if len(rows) == 1 else f"{name}[{i},{j}]"

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (gradients add up across backward passes)."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, list[list[float]]]:
        """The parameters' values as named nested lists of floats (JSON-ready)."""
        return {name: [[p.data for p in row] for row in rows] for name, rows in self.tensors().items()}

    def load_state_dict(self, state: dict[str, list[list[float]]]) -> None:
        """Set the parameters from ``state``; every name and shape must match this module."""
        tensors = self.tensors()
        missing = sorted(set(tensors) - set(state))
        extra = sorted(set(state) - set(tensors))
        if missing or extra:
            raise ValueError(f"{type(self).__name__}: the saved parameters do not fit this model "
                             f"(missing {missing or 'none'}, unexpected {extra or 'none'})")
        for name, rows in tensors.items():
            values = state[name]
            expected = (len(rows), len(rows[0]))
            got = _shape_of(values)
            if got != expected:
                raise ValueError(f"{type(self).__name__}: parameter {name!r} has shape {got} in the file, "
                                 f"but this model expects {expected}")
        for name, rows in tensors.items():
            for params, values in zip(rows, state[name]):
                for p, v in zip(params, values):
                    p.data = float(v)

    def save(self, path: Union[str, Path]) -> None:
        """Write the parameters to a JSON file at ``path``."""
        document = {"format": "tinybackprop-parameters", "module": type(self).__name__,
                    "parameters": self.state_dict()}
        Path(path).write_text(json.dumps(document), encoding="utf-8")

    def load(self, path: Union[str, Path]) -> None:
        """Read parameters saved by ``save`` into this module (names and shapes are checked)."""
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"{path} is not a parameter file (invalid JSON: {error})") from error
        if (not isinstance(document, dict) or document.get("format") != "tinybackprop-parameters"
                or not isinstance(document.get("parameters"), dict)):
            raise ValueError(f"{path} is not a parameter file written by Module.save")
        self.load_state_dict(document["parameters"])


def _shape_of(values: object) -> Optional[tuple[int, int]]:
    """(rows, columns) of a rectangular list of lists of numbers, else None."""
    if not isinstance(values, list) or not values or not all(isinstance(row, list) for row in values):
        return None
    widths = {len(row) for row in values}
    if len(widths) != 1 or not all(isinstance(v, (int, float)) for row in values for v in row):
        return None
    return len(values), widths.pop()


class Neuron(Module):
    """One unit: activation(w . x + b), with w drawn from N(0, gain^2 / nin) and b = 0."""

    def __init__(self, nin: int, activation: ActivationLike = "relu", seed: Seed = None):
        if nin < 1:
            raise ValueError(f"Neuron: nin must be at least 1, got {nin}")
        rng = make_rng(seed)
        self.activation = get_activation(activation)
        std = self.activation.gain / math.sqrt(nin)
        self.w = [Value(rng.gauss(0.0, std), label=f"w{i}") for i in range(nin)]
        self.b = Value(0.0, label="b")

    def __call__(self, x: Sequence[Scalar]) -> Value:
        """The neuron's output for one input of nin numbers or Values, as one graph node."""
        if len(x) != len(self.w):
            raise ValueError(f"Neuron expects {len(self.w)} inputs, got {len(x)}")
        xs = [xi.data if isinstance(xi, Value) else float(xi) for xi in x]
        ws = [w.data for w in self.w]
        # The activation's function and local gradient, from the table in tinybackprop.operators.
        activation = self.activation
        out = activation.function(sum(map(mul, xs, ws)) + self.b.data)
        slope = activation.local(out)
        children = self.w + [self.b]
        local = [xi * slope for xi in xs]
        local.append(slope)
        for xi, wi in zip(x, ws):
            # Only inputs that are Values have a gradient to receive; numbers are constants.
            if isinstance(xi, Value):
                children.append(xi)
                local.append(wi * slope)
        return Value(out, children, local, activation.name)

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def weights(self) -> list[Value]:
        return list(self.w)

    def tensors(self) -> dict[str, list[list[Value]]]:
        return {"w": [[w] for w in self.w], "b": [[self.b]]}

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, activation={self.activation.name!r})"


class Layer(Module):
    """nout neurons that see the same nin inputs; on a batch, a matrix forward/backward."""

    def __init__(self, nin: int, nout: int, activation: ActivationLike = "relu", seed: Seed = None):
        if nout < 1:
            raise ValueError(f"Layer: nout must be at least 1, got {nout}")
        rng = make_rng(seed)
        self.activation = get_activation(activation)
        self.neurons = [Neuron(nin, self.activation, rng) for _ in range(nout)]
        self.nin, self.nout = nin, nout
        self._cache: Optional[tuple] = None
        self.label_parameters()

    def __call__(self, x: Union[Matrix, Sequence[Scalar]]) -> Union[Matrix, list[Value]]:
        """On a Matrix (N x nin): ``forward(x)``. On one input: a list of nout Values (even for nout = 1)."""
        if isinstance(x, Matrix):
            return self.forward(x)
        return [n(x) for n in self.neurons]

    def forward(self, X: Matrix) -> Matrix:
        """activation(X W + b) for a batch: (N, nin) -> (N, nout); caches X, W and the output."""
        if X.shape[1] != self.nin:
            raise ValueError(f"Layer({self.nin}, {self.nout}).forward: input of shape {X.shape} "
                             f"does not have {self.nin} columns (expected (N, {self.nin}))")
        # Each neuron's weights are a row here (that is W transposed), so every
        # score is one dot product of two rows: the fastest sum in plain Python.
        w_rows = [[w.data for w in n.w] for n in self.neurons]
        z = times_transposed(X.data, w_rows, [n.b.data for n in self.neurons])
        out = self.activation.forward(z)
        # The cache keeps its own rows: editing X or the output in place must not change backward.
        self._cache = ([row[:] for row in X.data], w_rows, out)
        return Matrix.unchecked([row[:] for row in out])  # our floats: no need for the constructor's checks

    def backward(self, dout: Matrix, input_grad: bool = True) -> Optional[Matrix]:
        """Given dL/d(output) (N, nout): adds dW and db to the parameters' grads and returns dX (N, nin).

        ``input_grad=False`` skips dX (None is returned): the first layer's
        inputs are data, and their gradient would cost as much as dW.
        """
        if self._cache is None:
            raise RuntimeError("Layer.backward called before forward: run forward on a batch first")
        X, w_rows, out = self._cache
        if dout.shape != (len(out), self.nout):
            raise ValueError(f"Layer({self.nin}, {self.nout}).backward: dout has shape {dout.shape}, "
                             f"expected the output's shape {(len(out), self.nout)}")
        dz = self.activation.backward(dout.data, out)
        # An example whose row of dz is all zero adds nothing to dW, db or dX (a hinge
        # loss gives zero gradient to every example beyond its margin): leave it out.
        live = [i for i, row in enumerate(dz) if any(row)]
        dz = [dz[i] for i in live]
        if live:
            dz_columns = columns(dz)
            # dW^T = dz^T X: row j is neuron j's weight gradient, each entry a dot product over the examples.
            dW_rows = times_transposed(dz_columns, columns([X[i] for i in live]))
            for neuron, dw_row, dz_column in zip(self.neurons, dW_rows, dz_columns):
                for w, dw in zip(neuron.w, dw_row):
                    w.grad += dw
                neuron.b.grad += sum(dz_column)
        if not input_grad:
            return None
        # dX = dz W^T, and the rows of W are the columns of w_rows; a skipped example's row stays 0.
        dX = [[0.0] * self.nin for _ in out]
        for i, dx_row in zip(live, times_transposed(dz, columns(w_rows))):
            dX[i] = dx_row
        return Matrix.unchecked(dX)

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def weights(self) -> list[Value]:
        return [w for n in self.neurons for w in n.w]

    def tensors(self) -> dict[str, list[list[Value]]]:
        """``W`` (nin x nout, the CS231n layout) and ``b`` (1 x nout)."""
        return {"W": [list(ws) for ws in zip(*(n.w for n in self.neurons))],
                "b": [[n.b for n in self.neurons]]}

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation.name!r})"


class Maxout(Module):
    """nout units, each the largest of ``pieces`` linear functions of the inputs (Goodfellow et al. 2013)."""

    def __init__(self, nin: int, nout: int, pieces: int = 2, seed: Seed = None):
        if pieces < 2:
            raise ValueError(f"Maxout: a unit takes the max of at least 2 pieces, got pieces={pieces}")
        rng = make_rng(seed)
        self.pieces = [Layer(nin, nout, "linear", rng) for _ in range(pieces)]
        self.nin, self.nout = nin, nout
        self._winners: Optional[list[list[int]]] = None

    def __call__(self, x: Union[Matrix, Sequence[Scalar]]) -> Union[Matrix, list[Value]]:
        """On a Matrix (N x nin): ``forward(x)``. On one input: a list of nout Values, each a chain of max nodes."""
        if isinstance(x, Matrix):
            return self.forward(x)
        return [functools.reduce(Value.max, unit) for unit in zip(*(piece(x) for piece in self.pieces))]

    def forward(self, X: Matrix) -> Matrix:
        """For a batch (N, nin) -> (N, nout): each entry the max over the pieces; caches which piece won."""
        scores = [piece.forward(X).data for piece in self.pieces]
        pieces = range(len(self.pieces))
        out, self._winners = [], []
        for rows in zip(*scores):  # every piece's row for one example
            # max() keeps the first of equal pieces, as Value.max does: both paths agree on ties.
            winners = [max(pieces, key=lambda k: rows[k][j]) for j in range(self.nout)]
            out.append([rows[k][j] for j, k in enumerate(winners)])
            self._winners.append(winners)
        return Matrix.unchecked(out)

    def backward(self, dout: Matrix, input_grad: bool = True) -> Optional[Matrix]:
        """Given dL/d(output) (N, nout): each entry's gradient goes to the piece that won; returns dX or None."""
        if self._winners is None:
            raise RuntimeError("Maxout.backward called before forward: run forward on a batch first")
        dX = None
        for k, piece in enumerate(self.pieces):
            routed = [[d if winner == k else 0.0 for d, winner in zip(drow, wrow)]
                      for drow, wrow in zip(dout.data, self._winners)]
            dX_k = piece.backward(Matrix.unchecked(routed), input_grad)
            dX = dX_k if dX is None else dX + dX_k  # the input fans out to every piece: gradients add
        return dX

    def children(self) -> dict[str, Module]:
        return {f"pieces.{k}": piece for k, piece in enumerate(self.pieces)}

    def __repr__(self) -> str:
        return f"Maxout({self.nin}, {self.nout}, pieces={len(self.pieces)})"


def _make_layer(nin: int, nout: int, activation: ActivationLike, rng: random.Random) -> Union[Layer, Maxout]:
    """A Layer with that activation, or a Maxout layer for ``"maxout"`` (not an element-wise function)."""
    if activation == "maxout":
        return Maxout(nin, nout, seed=rng)
    return Layer(nin, nout, activation, rng)


class MLP(Module):
    """Layers in a chain: nin -> nouts[0] -> ... -> nouts[-1]; the last layer is linear unless asked.

    ``activation`` names the hidden layers' activation (see
    tinybackprop.activations) or is ``"maxout"`` for Maxout hidden layers.
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: ActivationLike = "relu",
                 output_activation: ActivationLike = "linear", seed: Seed = None):
        if not nouts:
            raise ValueError("MLP needs at least one layer size in nouts, e.g. MLP(2, [16, 16, 1])")
        rng = make_rng(seed)
        sizes = [nin] + list(nouts)
        last = len(nouts) - 1
        self.layers = [_make_layer(sizes[i], sizes[i + 1], output_activation if i == last else activation, rng)
                       for i in range(len(nouts))]
        self.label_parameters()

    def __call__(self, x: Union[Matrix, Sequence[Scalar]]) -> Union[Matrix, Value, list[Value]]:
        """On a Matrix (N x nin): ``forward(x)``. On one input: a Value (a list of Values if nouts[-1] > 1)."""
        if isinstance(x, Matrix):
            return self.forward(x)
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def forward(self, X: Matrix) -> Matrix:
        """The scores of a batch: (N, nin) -> (N, nouts[-1]); every layer caches for backward."""
        for layer in self.layers:
            X = layer.forward(X)
        return X

    def backward(self, dout: Matrix, input_grad: bool = True) -> Optional[Matrix]:
        """Given dL/d(scores) (N, nouts[-1]): fills every parameter's grad; returns dX (N, nin) or None."""
        for i in range(len(self.layers) - 1, -1, -1):
            dout = self.layers[i].backward(dout, input_grad=input_grad or i > 0)
        return dout

    def children(self) -> dict[str, Module]:
        return {f"layers.{i}": layer for i, layer in enumerate(self.layers)}

    def __repr__(self) -> str:
        return f"MLP([{', '.join(map(repr, self.layers))}])"
