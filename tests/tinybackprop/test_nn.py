"""Tests of tinybackprop.nn and activations: the two ways of running one model agree."""
from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinybackprop.activations import ELU, Activation, LeakyReLU, Sigmoid, get_activation
from tinybackprop.matrix import Matrix
from tinybackprop.nn import MLP, Layer, Maxout, Neuron
from tinybackprop.value import Value

ACTIVATIONS = ["relu", "leaky_relu", "tanh", "sigmoid", "elu", "linear"]
X_BATCH = Matrix([[0.5, -1.2, 0.3], [-0.7, 0.1, 2.0], [1.5, 0.4, -0.9], [0.0, -0.3, 0.8], [-1.1, 1.3, 0.2]])
DOUT = Matrix([[0.3, -1.0], [0.5, 0.2], [-0.4, 0.9], [1.1, -0.6], [0.7, 0.05]])


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_scalar_slope_matches_finite_differences(name):
    act = get_activation(name)
    for z in (-2.0, -0.3, 0.4, 1.7):
        h = 1e-6
        numerical = (act.scalar(z + h)[0] - act.scalar(z - h)[0]) / (2 * h)
        assert act.scalar(z)[1] == pytest.approx(numerical, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_batch_forms_agree_with_the_scalar_form(name):
    act = get_activation(name)
    z = [[-2.0, -0.3, 0.4], [1.7, 0.05, -0.8]]
    dout = [[0.5, -1.0, 2.0], [0.3, 0.7, -0.2]]
    out = act.forward(z)
    assert out == [[act.scalar(v)[0] for v in row] for row in z]
    expected = [d * act.scalar(v)[1] for drow, zrow in zip(dout, z) for d, v in zip(drow, zrow)]
    assert [g for row in act.backward(dout, out) for g in row] == pytest.approx(expected)


def test_activation_lookup_and_errors():
    assert isinstance(get_activation(None), Activation)
    leaky = LeakyReLU(0.2)
    assert get_activation(leaky) is leaky and leaky.scalar(-1.0) == (-0.2, 0.2)
    assert Sigmoid().scalar(-1000.0)[0] == 0.0 and Sigmoid().scalar(1000.0)[0] == 1.0
    with pytest.raises(ValueError, match="unknown activation 'relu6'.*expected one of"):
        get_activation("relu6")
    with pytest.raises(ValueError, match="alpha"):
        ELU(alpha=0.0)


def test_neuron_is_one_node_with_the_right_local_gradients():
    n = Neuron(2, activation="tanh", seed=0)
    n.w[0].data, n.w[1].data, n.b.data = 2.0, -3.0, 0.5
    x = [Value(-1.0), Value(-2.0)]
    out = n(x)
    z = 2.0 * -1.0 + -3.0 * -2.0 + 0.5
    assert out.data == pytest.approx(math.tanh(z))
    assert out._op == "tanh" and len(out._prev) == 5  # 2 weights, the bias, 2 inputs: one node
    out.backward()
    slope = 1 - math.tanh(z) ** 2
    assert [w.grad for w in n.w] == pytest.approx([-1.0 * slope, -2.0 * slope])
    assert n.b.grad == pytest.approx(slope)
    assert [xi.grad for xi in x] == pytest.approx([2.0 * slope, -3.0 * slope])


def test_the_lecture_sigmoid_neuron():
    n = Neuron(2, activation="sigmoid")
    n.w[0].data, n.w[1].data, n.b.data = 2.0, -3.0, -3.0
    x = [Value(-1.0), Value(-2.0)]
    n(x).backward()
    assert [round(w.grad, 2) for w in n.w] + [round(n.b.grad, 2)] == [-0.20, -0.39, 0.20]
    assert [round(xi.grad, 2) for xi in x] == [0.39, -0.59]


def test_value_path_returns_values_and_layers_of_one_stay_layers():
    model = MLP(2, [4, 1], seed=0)
    assert isinstance(model([1.0, 2.0]), Value)
    assert len(MLP(2, [4, 3], seed=0)([1.0, 2.0])) == 3
    layer = Layer(2, 1, seed=0)
    assert isinstance(layer([1.0, 2.0]), list) and len(layer([1.0, 2.0])) == 1
    # An inner layer of one neuron feeds the next layer a list of one input.
    narrow = MLP(2, [1, 3], seed=0)
    assert len(narrow([1.0, 2.0])) == 3
    assert narrow(Matrix([[1.0, 2.0]])).shape == (1, 3)


def test_seeds_make_models_reproducible():
    assert MLP(3, [5, 2], seed=1).state_dict() == MLP(3, [5, 2], seed=1).state_dict()
    assert MLP(3, [5, 2], seed=1).state_dict() != MLP(3, [5, 2], seed=2).state_dict()


def test_last_layer_is_linear_unless_asked():
    assert [layer.activation.name for layer in MLP(2, [3, 3, 1]).layers] == ["relu", "relu", "linear"]
    model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid")
    assert [layer.activation.name for layer in model.layers] == ["tanh", "sigmoid"]


def _value_path(model, X, dout):
    """Outputs and parameter gradients of the graph of Values for loss = sum(out * dout)."""
    model.zero_grad()
    outputs, loss_terms = [], []
    for row, drow in zip(X.data, dout.data):
        out = model(row)
        out = out if isinstance(out, list) else [out]
        outputs.append([o.data for o in out])
        loss_terms.extend(o * d for o, d in zip(out, drow))
    Value.sum(loss_terms).backward()
    return outputs, [p.grad for p in model.parameters()]


@pytest.mark.parametrize("name", ACTIVATIONS + ["maxout"])
def test_both_paths_give_the_same_outputs_and_gradients(name):
    model = MLP(3, [6, 4, 2], activation=name, seed=7)
    for p in model.parameters():
        p.data += 0.1  # nonzero biases, so that they matter too
    outputs, grads = _value_path(model, X_BATCH, DOUT)
    model.zero_grad()
    scores = model(X_BATCH)
    model.backward(DOUT)
    assert scores.shape == (5, 2)
    assert max(abs(a - b) for ra, rb in zip(outputs, scores.data) for a, b in zip(ra, rb)) < 1e-10
    assert max(abs(a - p.grad) for a, p in zip(grads, model.parameters())) < 1e-10


@settings(max_examples=40, deadline=None)
@given(data=st.data(), nin=st.integers(1, 6), nouts=st.lists(st.integers(1, 6), min_size=1, max_size=3),
       name=st.sampled_from(ACTIVATIONS + ["maxout"]), seed=st.integers(0, 2**16))
def test_both_paths_agree_for_any_shape(data, nin, nouts, name, seed):
    batch = data.draw(st.integers(1, 4))
    numbers = st.floats(-5.0, 5.0, allow_nan=False)
    X = Matrix(data.draw(st.lists(st.lists(numbers, min_size=nin, max_size=nin), min_size=batch, max_size=batch)))
    dout_rows = data.draw(st.lists(st.lists(numbers, min_size=nouts[-1], max_size=nouts[-1]),
                                   min_size=batch, max_size=batch))
    for i in data.draw(st.sets(st.integers(0, batch - 1))):
        dout_rows[i] = [0.0] * nouts[-1]  # examples a hinge loss would not push: backward skips them
    dout = Matrix(dout_rows)
    model = MLP(nin, nouts, activation=name, seed=seed)
    outputs, grads = _value_path(model, X, dout)
    model.zero_grad()
    scores = model(X)
    model.backward(dout)
    assert scores.allclose(Matrix(outputs), rtol=1e-10, atol=1e-10)
    assert max(abs(a - p.grad) / max(1.0, abs(a)) for a, p in zip(grads, model.parameters())) < 1e-10


@pytest.mark.parametrize("name", ["tanh", "elu", "relu", "maxout"])
def test_matrix_backward_returns_dx_that_matches_finite_differences(name):
    model = MLP(3, [6, 2], activation=name, seed=3)
    model.forward(X_BATCH)
    dX = model.backward(DOUT)
    h = 1e-6
    for i, j in [(0, 0), (1, 2), (4, 1)]:
        shifted = []
        for sign in (1, -1):
            X = X_BATCH.copy()
            X[i, j] += sign * h
            out = model.forward(X)
            shifted.append(sum(o * d for ro, rd in zip(out.data, DOUT.data) for o, d in zip(ro, rd)))
        assert dX[i, j] == pytest.approx((shifted[0] - shifted[1]) / (2 * h), rel=1e-6, abs=1e-9)
    model.forward(X_BATCH)
    assert model.backward(DOUT, input_grad=False) is None


@pytest.mark.parametrize("name", ["relu", "tanh", "maxout"])
def test_examples_with_zero_gradient_are_skipped_exactly(name):
    # Rows of dout that are all zero (examples beyond a hinge loss's margin) add nothing.
    model = MLP(3, [6, 4, 2], activation=name, seed=5)
    dout = Matrix([[0.3, -1.0], [0.0, 0.0], [-0.4, 0.9], [0.0, 0.0], [0.7, 0.05]])
    outputs, grads = _value_path(model, X_BATCH, dout)
    model.zero_grad()
    model.forward(X_BATCH)
    dX = model.backward(dout)
    assert max(abs(a - p.grad) for a, p in zip(grads, model.parameters())) < 1e-10
    assert dX[1] == [0.0, 0.0, 0.0] and dX[3] == [0.0, 0.0, 0.0]
    assert all(any(dX[i]) for i in (0, 2, 4))
    # Only the live examples count: dropping the zero rows from the batch gives the same gradients.
    live = [0, 2, 4]
    model.zero_grad()
    model.forward(X_BATCH[live])
    dX_live = model.backward(dout[live])
    assert max(abs(a - p.grad) for a, p in zip(grads, model.parameters())) < 1e-10
    assert dX_live.allclose(dX[live], rtol=1e-12, atol=1e-12)


def test_an_all_zero_gradient_adds_nothing_and_gives_a_zero_dx():
    model = MLP(3, [4, 2], seed=2)
    model.forward(X_BATCH)
    model.zero_grad()
    dX = model.backward(Matrix.zeros(5, 2))
    assert dX == Matrix.zeros(5, 3)
    assert all(p.grad == 0.0 for p in model.parameters())
    model.forward(X_BATCH)
    assert model.backward(Matrix.zeros(5, 2), input_grad=False) is None


def test_editing_inputs_or_outputs_in_place_does_not_change_backward():
    model = MLP(3, [6, 2], seed=4)
    model.forward(X_BATCH)
    model.backward(DOUT)
    expected = [p.grad for p in model.parameters()]
    model.zero_grad()
    X = X_BATCH.copy()
    hidden = model.layers[0].forward(X)
    model.layers[1].forward(hidden)
    X[0, 0] = 100.0
    hidden.add_at([0] * 5, -50.0)
    model.backward(DOUT)
    assert [p.grad for p in model.parameters()] == expected


def test_gradients_add_up_across_backward_passes():
    model = MLP(3, [4, 2], seed=1)
    model.forward(X_BATCH)
    model.backward(DOUT)
    once = [p.grad for p in model.parameters()]
    model.forward(X_BATCH)
    model.backward(DOUT)
    assert [p.grad for p in model.parameters()] == pytest.approx([2 * g for g in once])
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_shape_errors_name_both_shapes():
    model = MLP(3, [4, 2], seed=0)
    with pytest.raises(ValueError, match=r"\(5, 2\).*expected \(N, 3\)"):
        model(Matrix([[1.0, 2.0]] * 5))
    with pytest.raises(ValueError, match="expects 3 inputs, got 2"):
        model([1.0, 2.0])
    with pytest.raises(RuntimeError, match="before forward"):
        Layer(3, 2).backward(DOUT)
    model(X_BATCH)
    with pytest.raises(ValueError, match=r"dout has shape \(5, 3\), expected .*\(5, 2\)"):
        model.backward(Matrix([[0.0] * 3] * 5))


def test_parameters_and_weights():
    model = MLP(3, [4, 2], seed=0)
    assert len(model.parameters()) == 3 * 4 + 4 + 4 * 2 + 2
    assert len(model.weights()) == 3 * 4 + 4 * 2
    assert set(map(id, model.weights())) < set(map(id, model.parameters()))
    assert model.tensors()["layers.0.W"][2][1] is model.layers[0].neurons[1].w[2]  # W is nin x nout


def test_save_and_load_round_trip(tmp_path):
    path = tmp_path / "model.json"
    model = MLP(3, [4, 2], seed=0)
    model.save(path)
    document = json.loads(path.read_text())
    assert len(document["parameters"]["layers.0.W"]) == 3
    other = MLP(3, [4, 2], seed=1)
    other.load(path)
    assert other(X_BATCH) == model(X_BATCH)


def test_load_checks_shapes_and_names(tmp_path):
    path = tmp_path / "model.json"
    MLP(3, [4, 2], seed=0).save(path)
    with pytest.raises(ValueError, match=r"'layers.0.W' has shape \(3, 4\) in the file, but this model expects \(3, 5\)"):
        MLP(3, [5, 2]).load(path)
    with pytest.raises(ValueError, match=r"missing \['layers.2.W', 'layers.2.b'\]"):
        MLP(3, [4, 2, 2]).load(path)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="invalid JSON"):
        MLP(3, [4, 2]).load(path)
    for text in ('{"weights": []}', '{"format": "tinybackprop-parameters", "parameters": [1]}'):
        path.write_text(text)
        with pytest.raises(ValueError, match="not a parameter file"):
            MLP(3, [4, 2]).load(path)


def test_neuron_and_layer_save_too(tmp_path):
    neuron = Neuron(3, seed=0)
    neuron.b.data = 0.25
    neuron.save(tmp_path / "n.json")
    copy = Neuron(3, seed=5)
    copy.load(tmp_path / "n.json")
    assert [p.data for p in copy.parameters()] == [p.data for p in neuron.parameters()]
    assert Layer(3, 2).state_dict()["b"] == [[0.0, 0.0]]


def test_maxout_takes_the_larger_piece_and_routes_the_gradient_to_it():
    unit = Maxout(1, 1, pieces=3, seed=0)
    for piece, (w, b) in zip(unit.pieces, [(1.0, 0.0), (-1.0, 0.0), (0.5, 1.0)]):
        piece.neurons[0].w[0].data, piece.neurons[0].b.data = w, b
    x = Value(3.0)
    (out,) = unit([x])
    out.backward()
    assert out.data == 3.0 and x.grad == 1.0  # max(3, -3, 2.5): the first piece wins
    assert unit(Matrix([[3.0], [-3.0], [1.0]])) == Matrix([[3.0], [3.0], [1.5]])
    unit.zero_grad()
    unit.backward(Matrix([[1.0], [1.0], [1.0]]))
    assert [piece.neurons[0].b.grad for piece in unit.pieces] == [1.0, 1.0, 1.0]
    assert [piece.neurons[0].w[0].grad for piece in unit.pieces] == [3.0, -3.0, 1.0]  # dW is the x it won on
    assert len(unit.parameters()) == 6 and set(unit.tensors()) == {f"pieces.{k}.{n}" for k in range(3) for n in "Wb"}
    with pytest.raises(ValueError, match="at least 2 pieces"):
        Maxout(2, 2, pieces=1)
    with pytest.raises(RuntimeError, match="before forward"):
        Maxout(2, 2).backward(Matrix([[1.0, 1.0]]))


def test_every_parameter_of_a_net_has_its_own_label_named_as_when_saved():
    model = MLP(3, [4, 2], seed=0)
    labels = [p.label for p in model.parameters()]
    assert len(set(labels)) == len(labels) == 3 * 4 + 4 + 4 * 2 + 2
    assert model.layers[1].neurons[1].w[3].label == "layers.1.W[3,1]"  # row = input, column = neuron
    assert model.layers[0].neurons[2].b.label == "layers.0.b[2]"
    assert set(model.state_dict()) == {label.split("[")[0] for label in labels}
    assert [p.label for p in Neuron(2).parameters()] == ["w0", "w1", "b"]  # a lone neuron keeps the lecture's names
