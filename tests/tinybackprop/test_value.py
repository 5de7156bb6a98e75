"""Value: every operation's data and gradient, fan-out, deep graphs, errors, display."""
from __future__ import annotations

import gc
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinybackprop.gradcheck import check_value_gradients
from tinybackprop.graph import Node
from tinybackprop.value import Value


def grads(fn, *inputs):
    """fn's output data and the gradient backward() gives each input."""
    values = [Value(v) for v in inputs]
    out = fn(*values)
    out.backward()
    return out.data, [v.grad for v in values]


def assert_matches_finite_differences(fn, inputs, tol=1e-7):
    entries = check_value_gradients(fn, inputs)
    assert len(entries) == len(inputs)
    for entry in entries:
        assert entry.rel_error < tol, entry


# ----- each operation: forward value and gradient -----

@pytest.mark.parametrize(
    "fn, inputs, expected_data, expected_grads",
    [
        (lambda a, b: a + b, (2.0, 3.0), 5.0, [1.0, 1.0]),
        (lambda a, b: a - b, (2.0, 3.0), -1.0, [1.0, -1.0]),
        (lambda a, b: a * b, (2.0, 3.0), 6.0, [3.0, 2.0]),
        (lambda a, b: a / b, (3.0, 2.0), 1.5, [0.5, -0.75]),
        (lambda a, b: a ** b, (2.0, 3.0), 8.0, [12.0, 8.0 * math.log(2.0)]),
        (lambda a, b: a.max(b), (2.0, 3.0), 3.0, [0.0, 1.0]),
        (lambda a, b: a.max(b), (3.0, 2.0), 3.0, [1.0, 0.0]),
        (lambda a: -a, (2.0,), -2.0, [-1.0]),
        (lambda a: a ** 3, (2.0,), 8.0, [12.0]),
        (lambda a: a ** -1, (2.0,), 0.5, [-0.25]),
        (lambda a: a ** 0.5, (4.0,), 2.0, [0.25]),
        (lambda a: a ** 0, (0.0,), 1.0, [0.0]),
        (lambda a: abs(a), (-2.0,), 2.0, [-1.0]),
        (lambda a: a.exp(), (1.0,), math.e, [math.e]),
        (lambda a: a.log(), (2.0,), math.log(2.0), [0.5]),
        (lambda a: a.tanh(), (0.5,), math.tanh(0.5), [1.0 - math.tanh(0.5) ** 2]),
        (lambda a: a.sigmoid(), (0.0,), 0.5, [0.25]),
        (lambda a: a.relu(), (2.0,), 2.0, [1.0]),
        (lambda a: a.relu(), (-2.0,), 0.0, [0.0]),
        (lambda a: a.leaky_relu(), (-2.0,), -0.02, [0.01]),
        (lambda a: a.leaky_relu(0.2), (3.0,), 3.0, [1.0]),
        (lambda a: a.elu(), (-1.0,), math.exp(-1.0) - 1.0, [math.exp(-1.0)]),
        (lambda a: a.elu(2.0), (1.5,), 1.5, [1.0]),
    ],
)
def test_operation_data_and_gradient(fn, inputs, expected_data, expected_grads):
    data, got = grads(fn, *inputs)
    assert data == pytest.approx(expected_data, rel=1e-12)
    assert got == pytest.approx(expected_grads, rel=1e-12)


@pytest.mark.parametrize(
    "fn, x",
    [
        (lambda a: 3.0 + a, 2.0),
        (lambda a: a + 3.0, 2.0),
        (lambda a: 3.0 - a, 2.0),
        (lambda a: a - 3.0, 2.0),
        (lambda a: 3.0 * a, 2.0),
        (lambda a: 3.0 / a, 2.0),
        (lambda a: a / 3.0, 2.0),
        (lambda a: 2.0 ** a, 1.5),
        (lambda a: a ** a, 1.5),
        (lambda a: a.exp(), -3.0),
        (lambda a: a.log(), 0.3),
        (lambda a: a.tanh(), -1.2),
        (lambda a: a.sigmoid(), 2.5),
        (lambda a: a.sigmoid(), -2.5),
        (lambda a: a.relu(), 0.7),
        (lambda a: a.leaky_relu(0.1), -0.7),
        (lambda a: a.elu(0.5), -0.7),
        (lambda a: abs(a), 0.7),
        (lambda a: a.max(0.5), 0.7),
        (lambda a: a.max(0.5), 0.2),
    ],
)
def test_every_operation_matches_finite_differences(fn, x):
    assert_matches_finite_differences(fn, [x])


def test_reflected_operations_treat_numbers_as_constants():
    x = Value(2.0)
    assert (1 - x).data == -1.0
    assert (1 / x).data == 0.5
    assert (3 * x).data == 6.0
    assert (3 + x).data == 5.0
    assert (2 ** x).data == 4.0


def test_data_is_stored_as_float():
    v = Value(3)
    assert type(v.data) is float and v.data == 3.0
    assert v.grad == 0.0


def test_sigmoid_and_tanh_are_stable_at_plus_and_minus_1000():
    for x, sig, tanh in [(1000.0, 1.0, 1.0), (-1000.0, 0.0, -1.0)]:
        v = Value(x)
        s, t = v.sigmoid(), v.tanh()
        assert s.data == sig and t.data == tanh
        s.backward()
        t.backward()
        assert v.grad == 0.0  # both saturate: no gradient flows, and nothing overflowed


def test_exp_overflow_is_a_clear_error():
    with pytest.raises(OverflowError, match=r"exp\(1000.0\) is too large"):
        Value(1000.0).exp()
    assert Value(709.0).exp().data == pytest.approx(math.exp(709.0))


@pytest.mark.parametrize("x", [0.0, -2.5])
def test_log_of_non_positive_number_names_it(x):
    with pytest.raises(ValueError, match=rf"log\({x!r}\)"):
        Value(x).log()


def test_division_by_zero_is_a_clear_error():
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        Value(1.0) / Value(0.0)
    with pytest.raises(ZeroDivisionError):
        1.0 / Value(0.0)


def test_power_errors_name_the_problem():
    with pytest.raises(ValueError, match="not a real number"):
        Value(-8.0) ** 0.5
    with pytest.raises(ValueError, match="base"):
        Value(-2.0) ** Value(2.0)
    with pytest.raises(ZeroDivisionError):
        Value(0.0) ** -1


def test_sqrt_at_zero_has_an_infinite_slope():
    x = Value(0.0)
    y = x ** 0.5
    y.backward()
    assert y.data == 0.0 and x.grad == math.inf


@pytest.mark.parametrize(
    "make",
    [
        lambda: Value(1) + "a",
        lambda: "a" + Value(1),
        lambda: Value(1) * [1],
        lambda: Value(1) - None,
        lambda: Value(1) / "a",
        lambda: "a" / Value(1),
        lambda: Value(1) ** "a",
        lambda: "a" ** Value(1),
        lambda: Value(1).max("a"),
        lambda: Value("a"),
        lambda: Value(Value(1)),
        lambda: Value.sum([Value(1), "a"]),
    ],
)
def test_unsupported_operands_raise_type_error(make):
    with pytest.raises(TypeError):
        make()


def test_max_names_the_bad_operand():
    with pytest.raises(TypeError, match="got str"):
        Value(1.0).max("a")


def test_value_of_a_value_says_to_use_it_directly():
    with pytest.raises(TypeError, match="already a Value"):
        Value(Value(1.0))


def test_value_of_a_string_says_to_convert_it():
    with pytest.raises(TypeError, match=r"got str '3'.*float\('3'\)"):
        Value("3")


def test_value_of_a_list_says_one_value_holds_one_number_and_stays_short():
    with pytest.raises(TypeError, match=r"one number.*\[Value\(v\) for v in") as info:
        Value(list(range(100000)))
    assert len(str(info.value)) < 300


# ----- fan-out: gradients add up -----

def test_gradients_add_at_forks():
    x = Value(3.0)
    y = x * x
    y.backward()
    assert x.grad == 6.0


def test_reused_intermediate_accumulates_from_every_use():
    a, b = Value(2.0), Value(-3.0)
    c = a * b          # c = -6, used three times below
    d = c * c + c.tanh() + 2 * c
    d.backward()
    dc = 2 * c.data + (1 - math.tanh(c.data) ** 2) + 2
    assert c.grad == pytest.approx(dc, rel=1e-12)
    assert a.grad == pytest.approx(dc * b.data, rel=1e-12)
    assert b.grad == pytest.approx(dc * a.data, rel=1e-12)


def test_same_child_twice_in_one_node():
    x = Value(1.5)
    y = x + x
    y.backward()
    assert x.grad == 2.0


# ----- n-ary nodes and the constructor -----

def test_sum_is_one_node_with_unit_local_gradients():
    xs = [Value(float(i)) for i in range(5)]
    s = Value.sum(xs + [10])
    assert s.data == 20.0
    assert s._prev == tuple(xs) and s._op == "sum"
    s.backward()
    assert [x.grad for x in xs] == [1.0] * 5


def test_sum_of_nothing_is_zero():
    assert Value.sum([]).data == 0.0


def test_dot_is_one_node_and_numbers_are_constants():
    ws = [Value(2.0), Value(-3.0)]
    xs = [-1.0, Value(-2.0)]
    out = Value.dot(ws, xs)
    assert out.data == 4.0
    assert len(out._prev) == 3  # w0, w1 and x1; the number -1.0 makes no node
    out.backward()
    assert [w.grad for w in ws] == [-1.0, -2.0]
    assert xs[1].grad == -3.0


def test_dot_length_mismatch_names_both_lengths():
    with pytest.raises(ValueError, match="2 weights but 3 inputs"):
        Value.dot([Value(1.0), Value(2.0)], [1.0, 2.0, 3.0])


def test_constructor_makes_an_n_ary_node():
    w, x, b = Value(0.5), Value(-2.0), Value(1.0)
    act = w.data * x.data + b.data
    neuron = Value(act, (w, x, b), (x.data, w.data, 1.0), op="neuron", label="n")
    neuron.backward()
    assert (w.grad, x.grad, b.grad) == (-2.0, 0.5, 1.0)
    assert neuron._op == "neuron" and neuron.label == "n"


def test_constructor_needs_one_local_gradient_per_child():
    with pytest.raises(ValueError, match="2 children and 1 local"):
        Value(1.0, (Value(1.0), Value(2.0)), (1.0,))


# ----- backward semantics -----

def test_second_backward_accumulates_in_leaves_and_resets_intermediates():
    x, y = Value(2.0), Value(3.0)
    q = x * y
    f = q + x
    f.backward()
    assert (x.grad, y.grad, q.grad) == (4.0, 2.0, 1.0)
    f.backward()
    assert (x.grad, y.grad) == (8.0, 4.0)  # leaves accumulate, like PyTorch
    assert q.grad == 1.0                     # intermediates show the latest pass


def test_zero_grad_clears_every_node_below():
    x, y = Value(2.0), Value(3.0)
    q = x * y
    f = q.tanh()
    f.backward()
    f.zero_grad()
    assert (x.grad, y.grad, q.grad, f.grad) == (0.0, 0.0, 0.0, 0.0)
    f.backward()
    assert x.grad == pytest.approx((1 - math.tanh(6.0) ** 2) * 3.0, rel=1e-12)


def test_backward_on_a_leaf_sets_its_gradient_to_one():
    x = Value(5.0)
    x.backward()
    assert x.grad == 1.0


def test_chain_of_100000_nodes_does_not_hit_the_recursion_limit():
    x = Value(1.5)
    y = x
    for _ in range(100_000):
        y = -y
    y.backward()
    assert y.data == 1.5
    assert x.grad == 1.0
    y.zero_grad()
    assert x.grad == 0.0


def values_alive() -> int:
    """How many Values exist now (the list of every object is dropped before returning)."""
    objects = gc.get_objects()
    alive = sum(1 for o in objects if type(o) is Value)
    del objects
    return alive


def chain(length: int) -> Value:
    """y = ((1.5 + 1) + 1) + ...: a graph as deep as it is long (and a constant leaf per step)."""
    y = Value(1.5)
    for _ in range(length):
        y = y + 1.0
    return y


def test_a_chain_of_100000_nodes_is_freed_whole():
    """Dropping the last reference frees every node below, however deep (PyPy at its next collection)."""
    before = values_alive()
    y = chain(100_000)
    assert values_alive() == before + 200_001
    del y
    gc.collect()
    assert values_alive() == before


# Freeing a chain as a browser does: CPython on WebAssembly, imitated by the platform's name before
# the import. Each loop counts how many run one inside another: natively CPython's trashcan
# would hide a nested teardown, which only the browser's stack cannot take.
WASM_TEARDOWN = """
import gc, sys
sys.platform = "emscripten"
from tinybackprop import value
assert hasattr(value.Value, "__del__"), "no teardown of its own on WebAssembly"
running = deepest = 0
free = value.free_in_one_loop

def counted(held):
    global running, deepest
    running += 1
    deepest = max(deepest, running)
    try:
        free(held)
    finally:
        running -= 1

value.free_in_one_loop = counted
from tinybackprop.gates import AddGate
from tinybackprop.graph import ComputationalGraph, Node
assert hasattr(Node, "__del__"), "no teardown of its own on WebAssembly"
y = value.Value(1.5)
for _ in range(100_000):
    y = y * 1.0 + 0.5
graph = ComputationalGraph()
node = graph.input("x")
for _ in range(20_000):
    node = graph.gate(AddGate(), node, node)
del y, graph
del node  # the last node, held here after its graph: its death frees the chain below
gc.collect()
print(sum(1 for o in gc.get_objects() if type(o) in (value.Value, Node)), deepest)
"""


@pytest.mark.skipif(sys.implementation.name != "cpython",
                    reason="imitates CPython on WebAssembly; PyPy frees through its collector, not reference counts")
def test_on_webassembly_a_dying_node_frees_the_graph_below_in_one_loop():
    """The browser's teardown, natively: a chain of 400,001 Values and one of 20,001 graph Nodes freed
    whole, no loop inside another."""
    done = subprocess.run([sys.executable, "-c", WASM_TEARDOWN], capture_output=True, text=True,
                          cwd=str(Path(__file__).resolve().parents[2]))
    assert done.returncode == 0 and done.stderr == "", done.stderr
    alive, deepest = map(int, done.stdout.split())
    assert alive == 0
    assert deepest == 1  # one loop at a time: a node freed inside it hands its tuples over
    assert not hasattr(Value, "__del__") and not hasattr(Node, "__del__")  # natively they cost no finalizer


def test_long_chain_with_forks_is_ordered_correctly():
    # Each step uses the previous node twice; a wrong order would drop gradient.
    x = Value(1.0)
    y = x
    for _ in range(2000):
        y = y * 0.5 + y * 0.5
    y.backward()
    assert y.data == pytest.approx(1.0)
    assert x.grad == pytest.approx(1.0)


# ----- random expressions against finite differences -----

UNARY = {
    "neg": lambda a: -a,
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "exp_tanh": lambda a: a.tanh().exp(),
    "log1p_square": lambda a: (1 + a * a).log(),
    "square": lambda a: a ** 2,
    "cube_scaled": lambda a: (a * 0.5) ** 3,
    "rdiv": lambda a: 1.0 / (1.0 + a * a),
    "rpow": lambda a: 2.0 ** a.tanh(),
    "rsub": lambda a: 0.5 - a,
}
BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / (1.5 + b.tanh()),
    "**": lambda a, b: (1.0 + a * a) ** b.tanh(),
}

leaves = st.integers(min_value=0, max_value=2)
expressions = st.recursive(
    leaves,
    lambda sub: st.one_of(
        st.tuples(st.sampled_from(sorted(UNARY)), sub),
        st.tuples(st.sampled_from(sorted(BINARY)), sub, sub),
    ),
    max_leaves=8,
)


def evaluate(expr, values):
    if isinstance(expr, int):
        return values[expr]
    if len(expr) == 2:
        return UNARY[expr[0]](evaluate(expr[1], values))
    return BINARY[expr[0]](evaluate(expr[1], values), evaluate(expr[2], values))


@settings(max_examples=150, deadline=None)
@given(
    expr=expressions,
    inputs=st.lists(st.floats(min_value=-1.5, max_value=1.5), min_size=3, max_size=3),
)
def test_random_expressions_match_finite_differences(expr, inputs):
    def fn(a, b, c):
        return evaluate(expr, [a, b, c])

    out = fn(*[Value(v) for v in inputs]).data
    for entry in check_value_gradients(fn, inputs):
        # Centered differences are accurate to about h**2 and to rounding of size |f| eps / h.
        assert abs(entry.analytic - entry.numerical) <= 1e-6 * (1.0 + abs(out) + abs(entry.analytic)), entry


# ----- display -----

def test_repr_shows_data_grad_and_label():
    v = Value(2.0)
    assert repr(v) == "Value(data=2.0, grad=0.0)"
    w = Value(-1.5, label="w")
    w.grad = 0.25
    assert repr(w) == "Value(data=-1.5, grad=0.25, label='w')"


def test_str_and_svg_delegate_to_draw():
    from tinybackprop import draw

    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    f = x * y + x
    f.label = "f"
    assert str(f) == draw.to_text(f)
    assert "x" in str(f) and "f" in str(f)
    svg = f._repr_svg_()
    assert svg == draw.to_svg(f)
    assert svg.lstrip().startswith("<svg") or svg.lstrip().startswith("<?xml")


def test_a_graph_too_large_to_draw_displays_as_text_in_jupyter():
    from tinybackprop import draw

    x = Value(1.0)
    f = x
    for _ in range(draw.DEFAULT_MAX_NODES):
        f = f + 1.0
    assert f._repr_svg_() is None  # Jupyter then falls back to the text repr
    with pytest.raises(draw.GraphTooLarge, match="nodes"):
        draw.to_svg(f)


def test_power_labels_its_exponent_compactly():
    assert (Value(2.0) ** (1 / 3))._op == "**0.3333"
    assert (Value(2.0) ** 2)._op == "**2"


def test_module_docstring_examples_run():
    import doctest

    import tinybackprop.value

    failed, attempted = doctest.testmod(tinybackprop.value)
    assert attempted > 0 and failed == 0


# ----- the mistakes of a first session at the REPL -----

@pytest.mark.parametrize("compare", [
    lambda a, b: a < b, lambda a, b: a <= b, lambda a, b: a > b, lambda a, b: a >= b,
    lambda a, b: a < 3.0, lambda a, b: 3.0 > b, lambda a, b: max(a, b),
])
def test_comparing_values_says_to_compare_data_or_use_max(compare):
    # max(z, w) is how the lecture writes the max gate; Python's max needs an order
    with pytest.raises(TypeError, match=r"a\.data < b\.data.*a\.max\(b\)"):
        compare(Value(2.0), Value(-1.0))


@pytest.mark.parametrize("convert", [float, math.exp, math.log, lambda v: "%.2f" % v])
def test_a_value_in_a_float_function_says_to_use_its_method_or_data(convert):
    # math.exp(x) would drop x from the graph; say so instead of "must be a real number"
    with pytest.raises(TypeError, match=r"x\.exp\(\).*x\.data"):
        convert(Value(2.0))


def test_a_format_spec_formats_the_data():
    loss = Value(0.123456)
    assert f"loss {loss:.3f}" == "loss 0.123"
    assert f"{loss:>8.2f}" == "    0.12"
    assert f"{loss}" == str(loss)  # no spec: the text tree, as print(loss)


def test_dividing_a_number_by_zero_names_the_numbers():
    with pytest.raises(ZeroDivisionError, match=r"^division by zero: 1.0 / 0.0"):
        1 / Value(0.0)
    with pytest.raises(ZeroDivisionError, match=r"^division by zero: 3.0 / 0.0"):
        Value(3.0) / 0


def test_help_documents_every_operator_and_attribute():
    import pydoc

    text = pydoc.render_doc(Value, renderer=pydoc.plaintext)
    for name in ("__add__", "__mul__", "__sub__", "__rsub__", "__truediv__", "__rtruediv__", "__neg__",
                 "__abs__", "__rpow__"):
        assert getattr(Value, name).__doc__, name
    assert "multiply swaps" in text and "add distributes" in text
    assert "the gradient d(output)/d(this value)" in text  # from the dict of slots


def test_topo_lists_every_node_once_each_after_its_children():
    x, y = Value(2.0), Value(3.0)
    q = x * y
    f = q + x  # x is used twice: listed once
    order = f.topo()
    assert order == [x, y, q, f]
    position = {id(node): i for i, node in enumerate(order)}
    assert all(position[id(c)] < position[id(node)] for node in order for c in node.children)


def test_topo_walks_a_chain_of_100000_nodes():
    y = x = Value(1.0)
    for _ in range(100_000):
        y = -y
    order = y.topo()
    assert len(order) == 100_001 and order[0] is x and order[-1] is y


def test_children_and_op_are_the_public_names_of_prev_and_op():
    x, y = Value(2.0), Value(3.0)
    f = x * y
    assert f.children == f._prev == (x, y) and f.op == f._op == "*"
    assert Value(1.0).children == () and Value(1.0).op == ""
    with pytest.raises(AttributeError):
        f.children = ()


def test_leaky_relu_and_elu_refuse_a_negative_parameter():
    # Their local gradient is read from the output's sign, which a negative slope would flip.
    with pytest.raises(ValueError, match="slope must be >= 0"):
        Value(-1.0).leaky_relu(-0.5)
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        Value(-1.0).elu(-1.0)
    assert Value(-2.0).leaky_relu(0.0).data == 0.0


def test_topological_order_names_a_cycle():
    from tinybackprop.value import CycleError, topological_order

    inputs = {"a": ["b"], "b": ["c"], "c": ["a"], "d": []}
    assert topological_order(["d"], inputs.get) == ["d"]
    with pytest.raises(CycleError) as info:
        topological_order(["a"], inputs.get)
    assert info.value.args[0] == ["a", "b", "c", "a"]
