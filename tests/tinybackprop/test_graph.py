"""ComputationalGraph: topological order, fan-out, and the errors a student meets."""
from __future__ import annotations

import math

import pytest

from tinybackprop.gates import AddGate, ExpGate, MultiplyGate, ScaleGate, SigmoidGate, TanhGate
from tinybackprop.graph import ComputationalGraph, Node


def circuit():
    """f = (x + y) z, built in order."""
    g = ComputationalGraph()
    x, y, z = g.input("x"), g.input("y"), g.input("z")
    q = g.gate(AddGate(), x, y, name="q")
    g.gate(MultiplyGate(), q, z, name="f")
    return g


def test_forward_and_backward_fill_every_node():
    g = circuit()
    assert g.forward({"x": -2.0, "y": 5.0, "z": -4.0}) == -12.0
    assert g.backward() == {"x": -4.0, "y": -4.0, "z": 3.0}
    assert (g["q"].value, g["q"].grad) == (3.0, -4.0)
    assert (g["f"].value, g["f"].grad) == (-12.0, 1.0)
    assert g.output is g["f"] and len(g) == 5


def test_nodes_are_in_topological_order():
    g = ComputationalGraph()
    # Added out of order: names may refer to nodes that come later.
    g.gate(MultiplyGate(), "q", "z", name="f")
    g.gate(AddGate(), "x", "y", name="q")
    for name in "xyz":
        g.input(name)
    order = [n.name for n in g.nodes]
    for node in g.nodes:
        assert all(order.index(i.name) < order.index(node.name) for i in node.inputs)
    assert g.forward({"x": -2.0, "y": 5.0, "z": -4.0}) == -12.0
    assert g.backward() == {"x": -4.0, "y": -4.0, "z": 3.0}


def test_nodes_have_the_documented_fields():
    g = circuit()
    x = g["x"]
    assert isinstance(x, Node) and x.gate is None and x.inputs == ()
    q = g["q"]
    assert isinstance(q.gate, AddGate) and q.inputs == (g["x"], g["y"])
    assert q.value is None  # not run yet


def test_an_input_used_twice_gets_both_gradients():
    g = ComputationalGraph()
    x = g.input("x")
    g.gate(MultiplyGate(), x, x, name="square")
    assert g.forward({"x": 3.0}) == 9.0
    assert g.backward() == {"x": 6.0}


def test_a_forked_intermediate_adds_its_gradients():
    # f = tanh(a) * exp(a) with a = x * y used by two gates
    g = ComputationalGraph()
    x, y = g.input("x"), g.input("y")
    a = g.gate(MultiplyGate(), x, y, name="a")
    t = g.gate(TanhGate(), a)
    e = g.gate(ExpGate(), a)
    g.gate(MultiplyGate(), t, e, name="f")
    xv, yv = 0.3, -0.8
    av = xv * yv
    assert g.forward({"x": xv, "y": yv}) == pytest.approx(math.tanh(av) * math.exp(av), rel=1e-15)
    grads = g.backward()
    dfda = (1 - math.tanh(av) ** 2) * math.exp(av) + math.tanh(av) * math.exp(av)
    assert g["a"].grad == pytest.approx(dfda, rel=1e-12)
    assert grads["x"] == pytest.approx(dfda * yv, rel=1e-12)
    assert grads["y"] == pytest.approx(dfda * xv, rel=1e-12)


def test_backward_twice_starts_from_zero_and_dout_scales():
    g = circuit()
    g.forward({"x": -2.0, "y": 5.0, "z": -4.0})
    assert g.backward() == g.backward()
    assert g.backward(dout=2.0) == {"x": -8.0, "y": -8.0, "z": 6.0}


def test_a_deep_chain_needs_no_recursion():
    g = ComputationalGraph()
    node = g.input("x")
    for _ in range(20_000):
        node = g.gate(ScaleGate(1.0), node)
    assert g.forward({"x": 2.5}) == 2.5
    assert g.backward() == {"x": 1.0}


def test_a_gate_from_elsewhere_works_by_duck_typing():
    class Square:  # a student's gate: not a subclass of Gate
        def forward(self, x):
            self.x = x
            return x * x

        def backward(self, dout):
            return (2 * self.x * dout,)

    g = ComputationalGraph()
    g.gate(Square(), g.input("x"))
    assert g.forward({"x": 3.0}) == 9.0
    assert g.backward() == {"x": 6.0}


# ----- errors -----

def test_missing_input_value_names_it():
    g = circuit()
    with pytest.raises(ValueError, match="no value for input 'z'"):
        g.forward({"x": 1.0, "y": 2.0})


def test_unexpected_input_value_is_an_error():
    g = circuit()
    with pytest.raises(ValueError, match="'w' is not a node"):
        g.forward({"x": 1.0, "y": 2.0, "z": 3.0, "w": 4.0})
    with pytest.raises(ValueError, match="'q' is a gate node"):
        g.forward({"x": 1.0, "y": 2.0, "z": 3.0, "q": 4.0})


def test_input_values_must_be_numbers():
    g = circuit()
    with pytest.raises(TypeError, match="'x' must be a number"):
        g.forward({"x": "1", "y": 2.0, "z": 3.0})


def test_inputs_must_be_a_dict_of_names():
    g = circuit()
    with pytest.raises(TypeError, match=r"dict of input values \{'x': ..., 'y': ..., 'z': ...\}, got list"):
        g.forward([1.0, 2.0, 3.0])


def test_nodes_as_keys_are_named_and_the_names_suggested():
    g = circuit()
    x, y, z = g["x"], g["y"], g["z"]
    with pytest.raises(TypeError, match=r"node names.*'x'.*not the Node"):
        g.forward({x: 1.0, y: 2.0, z: 3.0})


def test_an_empty_graph_says_what_to_add():
    with pytest.raises(ValueError, match=r"empty.*g.input\(name\).*g.gate"):
        ComputationalGraph().forward({})


@pytest.mark.parametrize("dout", ["1", None, [1.0]])
def test_backward_wants_a_number_for_dout(dout):
    g = circuit()
    g.forward({"x": -2.0, "y": 5.0, "z": -4.0})
    with pytest.raises(TypeError, match="dout must be a number"):
        g.backward(dout)


def test_repr_names_the_inputs_and_the_output():
    g = circuit()
    assert repr(g) == "ComputationalGraph(5 nodes: inputs x, y, z; output f)"
    assert repr(ComputationalGraph()) == "ComputationalGraph(empty)"


def test_unknown_node_is_named():
    g = ComputationalGraph()
    g.gate(AddGate(), g.input("x"), "nope", name="s")
    with pytest.raises(ValueError, match="unknown node 'nope' \\(an input of node 's'\\)"):
        g.forward({"x": 1.0})
    with pytest.raises(ValueError, match=r"add it with g.input\('nope'\)"):
        str(g)
    with pytest.raises(ValueError, match="unknown node 'zzz'"):
        g["zzz"]


def test_node_of_another_graph_is_rejected():
    other = ComputationalGraph()
    x = other.input("x")
    g = ComputationalGraph()
    g.input("x")
    with pytest.raises(ValueError, match="another graph"):
        g.gate(ExpGate(), x)


def test_cycle_is_named():
    g = ComputationalGraph()
    g.input("x")
    g.gate(AddGate(), "x", "b", name="a")
    g.gate(ScaleGate(2.0), "a", name="b")
    g.gate(ExpGate(), "b", name="out")
    with pytest.raises(ValueError, match="cycle: (a <- b <- a|b <- a <- b)"):
        g.forward({"x": 1.0})
    with pytest.raises(ValueError, match="cycle"):
        g.nodes


def test_self_loop_is_a_cycle():
    g = ComputationalGraph()
    g.gate(ScaleGate(2.0), "a", name="a")
    with pytest.raises(ValueError, match="cycle: a <- a"):
        g.nodes


def test_backward_before_forward():
    with pytest.raises(RuntimeError, match="before forward"):
        circuit().backward()


def test_backward_after_changing_the_graph_needs_a_new_forward():
    g = ComputationalGraph()
    x = g.input("x")
    g.gate(ExpGate(), x)
    g.forward({"x": 0.0})
    g.gate(ScaleGate(3.0), g.output)
    with pytest.raises(RuntimeError, match="before forward"):
        g.backward()


def test_building_errors():
    g = ComputationalGraph()
    x = g.input("x")
    with pytest.raises(ValueError, match="already exists"):
        g.input("x")
    with pytest.raises(TypeError, match=r"AddGate\(\)"):
        g.gate(AddGate, x, x)
    with pytest.raises(ValueError, match="takes 2 input"):
        g.gate(AddGate(), x)
    gate = ExpGate()
    g.gate(gate, x, name="e")
    with pytest.raises(ValueError, match="already node 'e'"):
        g.gate(gate, x)
    with pytest.raises(TypeError, match="Nodes or node names"):
        g.gate(ExpGate(), 3.0)


def test_several_outputs_are_named():
    g = ComputationalGraph()
    x = g.input("x")
    g.gate(ExpGate(), x, name="a")
    g.gate(SigmoidGate(), x, name="b")
    with pytest.raises(ValueError, match="exactly one output.*a, b"):
        g.forward({"x": 0.0})


def test_a_backward_with_the_wrong_number_of_gradients_is_named():
    class Broken(MultiplyGate):
        def backward(self, dout):
            return (dout,)

    g = ComputationalGraph()
    x, y = g.input("x"), g.input("y")
    g.gate(Broken(), x, y)
    g.forward({"x": 1.0, "y": 2.0})
    with pytest.raises(ValueError, match="Broken.backward must return a tuple with one gradient per input \\(2\\)"):
        g.backward()


class Doubler:
    """2x, with a backward that a test replaces by a broken one."""

    def forward(self, x):
        return 2.0 * x

    def backward(self, dout):
        return (2.0 * dout,)


def one_gate_graph(gate):
    g = ComputationalGraph()
    g.gate(gate, g.input("x"), name="d")
    return g


def test_a_forward_that_returns_nothing_is_named():
    class Forgetful(Doubler):
        def forward(self, x):
            2.0 * x  # the classic slip: no return

    with pytest.raises(TypeError, match=r"Forgetful.forward returned None for node 'd'; expected a number.*return"):
        one_gate_graph(Forgetful()).forward({"x": 1.0})


def test_a_backward_gradient_that_is_not_a_number_is_named():
    class Unfinished(Doubler):
        def backward(self, dout):
            return (None,)

    g = one_gate_graph(Unfinished())
    g.forward({"x": 1.0})
    with pytest.raises(TypeError, match=r"Unfinished.backward returned None as the gradient for input 'x'"):
        g.backward()


def test_a_one_input_backward_without_a_tuple_shows_how_to_write_one():
    class Bare(Doubler):
        def backward(self, dout):
            return 2.0 * dout

    g = one_gate_graph(Bare())
    g.forward({"x": 1.0})
    with pytest.raises(ValueError, match=r"got 2.0.*\(dx,\)"):
        g.backward()


def test_str_and_svg_delegate_to_draw():
    from tinybackprop import draw

    g = circuit()
    g.forward({"x": -2.0, "y": 5.0, "z": -4.0})
    g.backward()
    assert str(g) == draw.to_text(g)
    assert "q" in str(g) and "-12" in str(g)
    assert g._repr_svg_() == draw.to_svg(g)


def test_help_documents_the_node_attributes_and_the_graph_protocol():
    import pydoc

    text = pydoc.render_doc(Node, renderer=pydoc.plaintext)
    assert "d(graph output)/d(this node)" in text and "None for an input" in text
    for name in ("__getitem__", "__len__", "__iter__"):
        assert getattr(ComputationalGraph, name).__doc__, name


def test_module_docstring_examples_run():
    import doctest

    import tinybackprop.graph

    failed, attempted = doctest.testmod(tinybackprop.graph)
    assert attempted > 0 and failed == 0
