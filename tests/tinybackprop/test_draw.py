"""draw: DOT, SVG and text pictures of Value graphs and ComputationalGraphs."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tinybackprop import draw
from tinybackprop.__main__ import sigmoid_circuit
from tinybackprop.gates import AddGate
from tinybackprop.graph import ComputationalGraph
from tinybackprop.layout import Layout
from tinybackprop.svg import fmt
from tinybackprop.value import Value

SVG = "{http://www.w3.org/2000/svg}"


def lecture_circuit():
    """f = (x + y) z at x=-2, y=5, z=-4, after backward."""
    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    f.backward()
    return f


def staged_sigmoid():
    """The lecture's sigmoid neuron as gates, after forward and backward."""
    _, g, inputs, _ = sigmoid_circuit()
    g.forward(inputs)
    g.backward()
    return g


def classes(svg: str, name: str):
    root = ET.fromstring(svg)
    return [el for el in root.iter() if el.get("class") == name]


def box_numbers(svg: str):
    """{label: (data text, grad text)} of every value box."""
    out = {}
    for box in classes(svg, "value"):
        texts = {t.get("class"): t.text for t in box.iter(SVG + "text")}
        out[texts.get("label")] = (texts["data"].split()[1], texts["grad"].split()[1])
    return out


def test_svg_of_the_lecture_circuit_has_its_boxes_ops_edges_and_numbers():
    svg = draw.to_svg(lecture_circuit())
    assert ET.fromstring(svg).tag == SVG + "svg"
    assert len(classes(svg, "value")) == 5
    assert [op.find(SVG + "text").text for op in classes(svg, "op")] == ["+", "*"]
    assert len(classes(svg, "edge")) == 6
    assert box_numbers(svg) == {
        "x": ("-2", "-4"), "y": ("5", "-4"), "z": ("-4", "3"), "q": ("3", "-4"), "f": ("-12", "1"),
    }


def test_data_is_green_and_grad_is_red():
    svg = draw.to_svg(lecture_circuit())
    fills = {(t.get("class"), t.get("fill")) for t in ET.fromstring(svg).iter(SVG + "text")}
    assert ("data", "#1a7f37") in fills and ("grad", "#cf222e") in fills


def test_edges_run_left_to_right_and_boxes_do_not_overlap():
    svg = draw.to_svg(staged_sigmoid())
    for edge in classes(svg, "edge"):
        xs = [float(n) for n in re.findall(r"[-\d.]+", edge.find(SVG + "path").get("d"))[0::2]]
        assert xs[-1] > xs[0]
    rects = [[float(r.get(k)) for k in ("x", "y", "width", "height")]
             for box in classes(svg, "value") for r in box.iter(SVG + "rect")]
    for i, (x1, y1, w1, h1) in enumerate(rects):
        for x2, y2, w2, h2 in rects[i + 1:]:
            assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1


def test_svg_of_the_staged_sigmoid_shows_the_lecture_gradients():
    g = staged_sigmoid()
    svg = draw.to_svg(g)
    assert len(classes(svg, "value")) == 13 and len(classes(svg, "op")) == 8
    assert len(classes(svg, "edge")) == 4 * 2 + 4 + 8  # into four 2-input and four 1-input gates, out of 8
    numbers = box_numbers(svg)
    assert numbers["w0"] == ("2", "-0.1966") and numbers["x1"] == ("-2", "-0.5898")
    assert numbers["f"] == ("0.7311", "1")
    ops = sorted(op.find(SVG + "text").text for op in classes(svg, "op"))
    assert ops == sorted(["*", "*", "+", "+", "*-1", "exp", "+1", "1/x"])


def test_jupyter_shows_values_and_graphs_as_our_svg():
    f = lecture_circuit()
    assert f._repr_svg_() == draw.to_svg(f)
    g = staged_sigmoid()
    assert g._repr_svg_() == draw.to_svg(g)


def test_a_list_of_values_draws_every_graph_once():
    a = Value(2.0, label="a")
    outs = [a * 3.0, a + 1.0]
    svg = draw.to_svg(outs)
    assert len(classes(svg, "value")) == 5  # a, two constants, two outputs


def test_barycenter_sweeps_untangle_crossed_wires():
    # Inputs 0, 1 and outputs 2, 3 in this order: 0 -> 3 and 1 -> 2 cross, and so do 4 -> 7, 5 -> 6.
    edges = [(0, 3), (1, 2), (4, 7), (5, 6)]
    layout = Layout([(40.0, 30.0)] * 8, edges)
    assert layout.crossings() == 0
    for u, v in edges:
        assert abs(layout.cy[u] - layout.cy[v]) < 1e-6  # each wire is straight


def test_labels_and_ops_are_escaped_in_svg_and_dot():
    a = Value(1.0, label='<a & "b">')
    out = a * 2.0
    out.backward()
    svg = draw.to_svg(out)
    assert box_numbers(svg)['<a & "b">'] == ("1", "2")
    assert "&lt;a &amp; &quot;b&quot;&gt;" in draw.to_dot(out)


def test_too_large_graph_raises_before_layout_and_says_the_sizes():
    # A chain 100,000 deep: a recursive walk would fail; the size check comes first.
    v = Value(1.0, label="x")
    for _ in range(100_000):
        v = v + 1.0
    with pytest.raises(ValueError, match=r"has 300001 nodes .* more than the 500"):
        draw.to_svg(v)
    with pytest.raises(ValueError, match="max_nodes=300001"):
        draw.to_dot(v)


def test_max_nodes_can_be_raised():
    v = Value(1.0)
    for _ in range(300):
        v = v * 1.0
    assert len(classes(draw.to_svg(v, max_nodes=1000), "op")) == 300


def test_operands_are_numbered_where_their_order_matters():
    a, b = Value(5.0, label="a"), Value(2.0, label="b")
    svg = draw.to_svg([a - b, a / b, a ** b, a * b])
    numbers = [el.text for el in classes(svg, "operand")]
    assert numbers == ["1", "2"] * 3  # none on the product
    # each wire numbered 1 starts at a's box, each numbered 2 at b's
    exits = {}
    for box in classes(svg, "value"):
        rect = box.find(SVG + "rect")
        label = box.find(SVG + "text").text
        exits[label] = (float(rect.get("x")) + float(rect.get("width")), float(rect.get("y")) + float(rect.get("height")) / 2)
    for edge in classes(svg, "edge"):
        number = edge.find(SVG + "text")
        if number is not None:
            start = tuple(float(v) for v in re.match(r"M([-\d.]+),([-\d.]+)", edge.find(SVG + "path").get("d")).groups())
            assert start == pytest.approx(exits["a" if number.text == "1" else "b"], abs=0.01)


def test_gate_symbols():
    from tinybackprop.gates import PowerGate, ScaleGate

    class SquashGate:
        pass

    assert [draw.gate_symbol(g) for g in (PowerGate(2.0), ScaleGate(-1.0), SquashGate())] == ["**2", "*-1", "squash"]


def test_an_empty_graph_prints_as_such_and_cannot_be_drawn():
    assert str(ComputationalGraph()) == "(an empty graph)"
    with pytest.raises(ValueError, match="nothing to draw"):
        draw.to_svg(ComputationalGraph())


def test_a_graph_before_forward_shows_unknown_values():
    g = ComputationalGraph()
    g.gate(AddGate(), g.input("x"), g.input("y"), name="s")
    assert str(g).splitlines()[0] == "[+] s  data=?  grad=?"
    assert box_numbers(draw.to_svg(g))["s"] == ("?", "?")


def test_wrong_input_is_a_clear_type_error():
    with pytest.raises(TypeError, match="expected a Value, a non-empty list of Values or a ComputationalGraph"):
        draw.to_svg(3.0)


def test_dot_has_a_node_per_value_and_operation_and_the_edges():
    dot = draw.to_dot(lecture_circuit())
    assert dot.startswith("digraph") and "rankdir=LR" in dot
    nodes = re.findall(r"^  (n\d+) \[", dot, re.M)
    edges = re.findall(r"^  (n\d+) -> (n\d+);", dot, re.M)
    assert len(nodes) == 7 and len(edges) == 6
    ops = re.findall(r'shape=ellipse, label="(.*?)"', dot)
    assert ops == ["+", "*"]
    assert "<b>f</b>" in dot and "data -12" in dot and "grad 1<" in dot
    # every edge joins declared nodes, and each op has one outgoing edge
    assert all(a in nodes and b in nodes for a, b in edges)


def test_dot_of_a_computational_graph():
    dot = draw.to_dot(staged_sigmoid())
    assert len(re.findall(r"shape=box", dot)) == 13 and len(re.findall(r"->", dot)) == 20
    assert 'label="1/x"' in dot and "grad -0.5898" in dot


def test_text_tree_of_the_lecture_circuit():
    assert str(lecture_circuit()) == "\n".join([
        "[*] f  data=-12  grad=1",
        "├── [+] q  data=3  grad=-4",
        "│   ├── x  data=-2  grad=-4",
        "│   └── y  data=5  grad=-4",
        "└── z  data=-4  grad=3",
    ])


def test_text_prints_a_shared_subgraph_once_and_refers_to_it():
    a = Value(3.0, label="a")
    b = a * a
    b.label = "b"
    c = b + b
    c.backward()
    lines = draw.to_text(c).splitlines()
    assert lines[1] == "├── [*] b  data=9  grad=2  (#1)"
    assert lines[-1] == "└── b  (#1, shown above)"
    assert sum("data=3" in line for line in lines) == 1  # a printed once, then referred to
    assert "a  data=3  grad=12  (#2)" in lines[2]


def test_text_of_a_computational_graph_starts_at_its_output():
    lines = str(staged_sigmoid()).splitlines()
    assert lines[0] == "[1/x] f  data=0.7311  grad=1"
    assert any("w0  data=2  grad=-0.1966" in line for line in lines)


def test_text_of_a_deep_graph_is_cut_and_says_how_much_is_missing():
    v = Value(0.0)
    for _ in range(100_000):
        v = v + 1.0
    lines = draw.to_text(v, max_lines=10).splitlines()
    assert len(lines) == 11
    assert lines[-1].startswith("... 199991 more values not shown")


@pytest.mark.parametrize("x, text", [
    (-12.0, "-12"), (0.19661193, "0.1966"), (1e-5, "1e-5"), (-0.0, "0"), (123456.0, "1.235e5"),
    (float("nan"), "nan"), (float("-inf"), "-inf"), (None, "?"), (3, "3"),
])
def test_numbers_have_four_significant_digits(x, text):
    assert fmt(x) == text
