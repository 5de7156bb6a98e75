"""Value: a scalar that remembers how it was computed, and backpropagates.

Every operation on Values makes a new Value that stores its children and the
*local* gradient of its output with respect to each child, computed in the
forward pass. ``backward()`` then needs no closures: it walks the nodes in
reverse topological order and does ``child.grad += local * node.grad``, so
gradients add up wherever a value is used more than once.

    >>> x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    >>> f = (x + y) * z
    >>> f.backward()
    >>> f.data, x.grad, y.grad, z.grad
    (-12.0, -4.0, -4.0, 3.0)

The engine ends at the line "beyond the core"; below it: more operations, conversions and pictures.
"""
from __future__ import annotations

import sys
from numbers import Real
from operator import attrgetter
from typing import Any, Callable, Iterable, List, Optional, Sequence, Tuple, Union

from tinybackprop import operators as ops

Number = Union[int, float]
# Where a dying graph node frees the graph below it itself (see free_in_one_loop): CPython on WebAssembly,
# Pyodide's in a browser.
WASM_PLATFORMS = ("emscripten", "wasi")
# The tuples of nodes that the freeing loop running now has still to drop (None when none runs).
_unfreed: Optional[List[Tuple[Any, ...]]] = None


class CycleError(ValueError):
    """A graph in which a node is computed from itself; ``args[0]`` lists the nodes around the cycle."""


def topological_order(roots: Iterable[Any], children: Callable[[Any], Sequence[Any]]) -> List[Any]:
    """Every node reachable from ``roots``, each after all of its ``children(node)``: a depth-first walk.

    Its own stack (not recursion) holds the path from a root down to the current
    node, so a chain of 100,000 nodes is fine; a child found on that path is a cycle.
    """
    order: List[Any] = []
    placed = set()
    for root in roots:
        if root in placed:
            continue
        path = [(root, iter(children(root)))]  # each node on the path, with its children still to visit
        on_path = {root}
        while path:
            node, pending = path[-1]
            for child in pending:
                if child in placed:
                    continue
                below = children(child)
                if not below:  # a leaf: nothing to place before it
                    placed.add(child)
                    order.append(child)
                    continue
                if child in on_path:
                    nodes = [n for n, _ in path]
                    raise CycleError(nodes[nodes.index(child):] + [child])
                path.append((child, iter(below)))  # visit the child's children first
                on_path.add(child)
                break
            else:  # every child is in order: the node goes next
                path.pop()
                on_path.remove(node)
                placed.add(node)
                order.append(node)
    return order


def _operation_children(node: Value) -> List[Value]:
    """The children of node that were made by an operation themselves (its leaves left out)."""
    return [child for child in node._prev if child._prev]


class Value:
    """A scalar node of a computation graph: its data, its gradient and where it came from."""

    # A dict of slots: help(Value) shows each attribute with its description.
    __slots__ = {
        "data": "the number this value holds, computed in the forward pass",
        "grad": "the gradient d(output)/d(this value), filled in by backward() on the output",
        "label": "a name to show in pictures and text trees",
        "_prev": "the children (micrograd's name for them; read them as .children)",
        "_local_grads": "d(this value)/d(child) for each child, computed in the forward pass",
        "_op": "the operation that made this value (micrograd's name for it; read it as .op)",
    }

    def __init__(self, data: Number, children: Sequence[Value] = (), local_grads: Sequence[float] = (),
                 op: str = "", label: str = "") -> None:
        """A node with value ``data`` and d(data)/d(child) = ``local_grads[i]`` for each child."""
        # The constructor runs once per operation, so it checks only what is cheap to check.
        if data.__class__ is not float:
            data = _as_float(data)
        if len(children) != len(local_grads):
            raise ValueError(f"Value needs one local gradient per child: got {len(children)} children "
                             f"and {len(local_grads)} local gradients")
        self.data = data
        self.grad = 0.0
        self.label = label
        self._prev = tuple(children)
        self._local_grads = tuple(local_grads)
        self._op = op

    # ----- arithmetic: each returns one new node with its local gradients -----

    def __add__(self, other: Union[Value, Number]) -> Value:
        """self + other; local gradients 1 and 1 (add distributes)."""
        other = other if other.__class__ is Value else _lift(other)
        if other is NotImplemented:
            return NotImplemented
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    __radd__ = __add__

    def __mul__(self, other: Union[Value, Number]) -> Value:
        """self * other; local gradients other and self (multiply swaps)."""
        other = other if other.__class__ is Value else _lift(other)
        if other is NotImplemented:
            return NotImplemented
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")

    __rmul__ = __mul__

    def __sub__(self, other: Union[Value, Number]) -> Value:
        """self - other; local gradients 1 and -1."""
        other = other if other.__class__ is Value else _lift(other)
        if other is NotImplemented:
            return NotImplemented
        return Value(self.data - other.data, (self, other), (1.0, -1.0), "-")

    def __truediv__(self, other: Union[Value, Number]) -> Value:
        """self / other; local gradients 1 / other and -self / other**2."""
        other = other if other.__class__ is Value else _lift(other)
        if other is NotImplemented:
            return NotImplemented
        a, b = self.data, other.data
        if b == 0.0:
            raise ZeroDivisionError(f"division by zero: {a!r} / {b!r} (the divisor is 0)")
        return Value(a / b, (self, other), (1.0 / b, -a / (b * b)), "/")

    def __neg__(self) -> Value:
        """-self; local gradient -1."""
        return Value(-self.data, (self,), (-1.0,), "neg")

    def __pow__(self, other: Union[Value, Number]) -> Value:
        """self**other; a number exponent p gives local p x**(p-1), a Value exponent also ln(x) x**p."""
        if isinstance(other, Value):
            return self._pow_value(other)
        if not isinstance(other, Real):
            return NotImplemented
        x = self.data
        return Value(ops.power(x, other), (self,), (ops.power_derivative(x, other),), f"**{other:.4g}")

    # ----- functions of one Value -----

    def exp(self) -> Value:
        """e**x; raises OverflowError (naming x) above x = 709.78, where e**x is not a float."""
        out = ops.exp(self.data)
        return Value(out, (self,), (out,), "exp")

    def log(self) -> Value:
        """Natural log; raises ValueError naming x when x <= 0."""
        x = self.data
        return Value(ops.log(x), (self,), (1.0 / x,), "log")

    def tanh(self) -> Value:
        """tanh(x), local gradient 1 - tanh(x)**2 (no overflow for any x)."""
        out = ops.tanh(self.data)
        return Value(out, (self,), (ops.tanh_local(out),), "tanh")

    def relu(self) -> Value:
        """max(0, x); the local gradient is 1 where x > 0 and 0 elsewhere (0 at the kink)."""
        out = ops.relu(self.data)
        return Value(out, (self,), (ops.relu_local(out),), "relu")

    # ----- backpropagation -----

    def topo(self) -> List[Value]:
        """Every node below self (self included) in topological order: each after its children."""
        return topological_order([self], attrgetter("_prev"))

    def backward(self) -> None:
        """Backpropagate from this node: every node below gets d(self)/d(node) in ``.grad``.

        Leaves (Values made by you, not by an operation) ACCUMULATE, as in
        PyTorch: a second ``backward()`` adds to their ``.grad`` (so it doubles
        for the same graph); call ``zero_grad()`` between training steps.
        Intermediate nodes are reset first, so they show the latest pass only.
        """
        # Only the nodes made by an operation pass a gradient on: a leaf just receives its share.
        order = topological_order([self], _operation_children) if self._prev else []
        for node in order:
            node.grad = 0.0
        # d(self)/d(self) = 1; backward on a leaf accumulates it, like any leaf's gradient.
        self.grad = 1.0 if self._prev else self.grad + 1.0
        for node in reversed(order):
            upstream = node.grad
            for child, local in zip(node._prev, node._local_grads):
                child.grad += local * upstream

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0 on this node and every node below it."""
        for node in self.topo():
            node.grad = 0.0

    # ==================== beyond the core: more operations, conversions and pictures ====================

    def __rsub__(self, other: Number) -> Value:
        """other - self, for a number other."""
        other = _lift(other)
        if other is NotImplemented:
            return NotImplemented
        return other - self

    def __rtruediv__(self, other: Number) -> Value:
        """other / self, for a number other."""
        other = _lift(other)
        if other is NotImplemented:
            return NotImplemented
        return other / self

    def __rpow__(self, other: Number) -> Value:
        """other ** self, for a number other >= 0."""
        other = _lift(other)
        if other is NotImplemented:
            return NotImplemented
        return other._pow_value(self)

    def _pow_value(self, exponent: Value) -> Value:
        """a**b with both a Value: d/da = b a**(b-1), d/db = a**b ln(a)."""
        a, b = self.data, exponent.data
        out = ops.power(a, b)
        if a < 0.0:
            raise ValueError(
                f"{a!r} ** Value({b!r}): the gradient for the exponent, a**b ln(a), needs a base "
                "a >= 0; use a number exponent for a negative base"
            )
        # As a -> 0+, a**b ln(a) -> 0 for b > 0 (and 0**b with b <= 0 raised above).
        d_exponent = out * ops.log(a) if a > 0.0 else 0.0
        return Value(out, (self, exponent), (ops.power_derivative(a, b), d_exponent), "**")

    def __abs__(self) -> Value:
        """|self|; local gradient the sign of self (0 at 0, the kink)."""
        x = self.data
        return Value(abs(x), (self,), (1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0,), "abs")

    def sigmoid(self) -> Value:
        """1 / (1 + e**-x), local gradient s (1 - s) (no overflow for any x)."""
        out = ops.sigmoid(self.data)
        return Value(out, (self,), (ops.sigmoid_local(out),), "sigmoid")

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x where x > 0, slope * x elsewhere (slope >= 0)."""
        if slope < 0.0:
            raise ValueError(f"leaky_relu: slope must be >= 0, got {slope!r}")
        out = ops.leaky_relu(self.data, slope)
        return Value(out, (self,), (ops.leaky_relu_local(out, slope),), "leaky_relu")

    def elu(self, alpha: float = 1.0) -> Value:
        """x where x > 0, alpha (e**x - 1) elsewhere (alpha >= 0)."""
        if alpha < 0.0:
            raise ValueError(f"elu: alpha must be >= 0, got {alpha!r}")
        out = ops.elu(self.data, alpha)
        return Value(out, (self,), (ops.elu_local(out, alpha),), "elu")

    def max(self, other: Union[Value, Number]) -> Value:
        """The larger of self and other; the gradient goes to the larger one (self wins ties)."""
        rival = other if other.__class__ is Value else _lift(other)
        if rival is NotImplemented:
            raise TypeError(f"Value.max needs a Value or a number, got {type(other).__name__}")
        if self.data >= rival.data:
            return Value(self.data, (self, rival), (1.0, 0.0), "max")
        return Value(rival.data, (self, rival), (0.0, 1.0), "max")

    # ----- n-ary nodes: one node however many inputs -----

    @staticmethod
    def sum(values: Iterable[Union[Value, Number]]) -> Value:
        """The sum of values as ONE node (each local gradient 1); numbers are folded in as constants."""
        children: List[Value] = []
        total = 0.0
        for v in values:
            if isinstance(v, Value):
                children.append(v)
                total += v.data
            elif isinstance(v, Real):
                total += v
            else:
                raise TypeError(f"Value.sum: cannot add a {type(v).__name__}; expected Values or numbers")
        return Value(total, children, (1.0,) * len(children), "sum")

    @staticmethod
    def dot(ws: Sequence[Union[Value, Number]], xs: Sequence[Union[Value, Number]]) -> Value:
        """sum(w_i * x_i) as ONE node: d/dw_i = x_i, d/dx_i = w_i; numbers are constants (no child)."""
        if len(ws) != len(xs):
            raise ValueError(f"Value.dot: {len(ws)} weights but {len(xs)} inputs; they must match")
        children: List[Value] = []
        local_grads: List[float] = []
        total = 0.0
        for w, x in zip(ws, xs):
            w_is_value = isinstance(w, Value)
            x_is_value = isinstance(x, Value)
            wd = w.data if w_is_value else w
            xd = x.data if x_is_value else x
            total += wd * xd
            if w_is_value:
                children.append(w)
                local_grads.append(xd)
            if x_is_value:
                children.append(x)
                local_grads.append(wd)
        return Value(total, children, local_grads, "dot")

    # ----- what a Value is not: a float, or a number with an order -----

    def __float__(self) -> float:
        """Not a float: math.exp(x) would leave x's graph, so this says what to write instead."""
        raise TypeError(
            "a Value is not a float: use its methods (x.exp(), x.log(), x.tanh(), ...) so that backward "
            "sees the operation, or x.data for the plain number"
        )

    def _no_order(self, other: Any) -> bool:
        """Values are not ordered: which one is larger is a question about their data."""
        raise TypeError(
            "Values have no order (<, <=, >, >=, max(a, b), sorted): compare their data, a.data < b.data, "
            "or for a max that backpropagates use a.max(b)"
        )

    __lt__ = __le__ = __gt__ = __ge__ = _no_order

    def __format__(self, spec: str) -> str:
        """f"{x:.4f}" formats x.data; f"{x}" is str(x), the text tree."""
        return format(self.data, spec) if spec else str(self)

    # ----- display: tinybackprop.draw reads the graph through topo(), children and op -----

    @property
    def children(self) -> Tuple[Value, ...]:
        """The Values this one was computed from (empty for a leaf)."""
        return self._prev

    @property
    def op(self) -> str:
        """The operation that made this value ('+', '*', 'tanh'; '' for a leaf)."""
        return self._op

    def __repr__(self) -> str:
        if self.label:
            return f"Value(data={self.data!r}, grad={self.grad!r}, label={self.label!r})"
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    def __str__(self) -> str:
        """The compact text tree of the graph below this value (tinybackprop.draw.to_text)."""
        from tinybackprop.draw import to_text  # pictures stay beside the engine: loaded when first asked for

        return to_text(self)

    def _repr_svg_(self) -> Optional[str]:
        """The graph as SVG, for Jupyter; None when it is too large to draw (Jupyter then shows the repr)."""
        from tinybackprop.draw import notebook_svg

        return notebook_svg(self)

    # ----- freeing a deep graph in a browser (see free_in_one_loop) -----

    if sys.platform in WASM_PLATFORMS:
        def __del__(self) -> None:
            """Free the graph below this dying value in the one freeing loop."""
            if not self._prev:
                return
            if _unfreed is not None:  # dying inside the loop (most do): hand the children to it
                _unfreed.append(self._prev)
                self._prev = ()
                return
            held = [self._prev]
            self._prev = ()
            free_in_one_loop(held)


def free_in_one_loop(held: List[Tuple[Any, ...]]) -> None:
    """Drop ``held``'s tuples of graph nodes (its references the last) in one loop: freeing never nests.

    Freeing a node frees its tuple of children, which frees each child nothing
    else holds, and so on down the graph: in C, one nested call per level.
    CPython bounds that nesting with its "trashcan", which puts a deallocation
    off until the stack has unwound: up to 3.13 after 50 nested deallocations,
    since 3.14 when the C stack pointer nears its limit. On WebAssembly that
    pointer is the program's stack in linear memory, while the nested calls'
    frames fill the browser's own stack, which overflows first: freeing a chain
    of 3,000 Values killed Pyodide's kernel ("RangeError: Maximum call stack
    size exceeded"). So there a dying Value (and a ComputationalGraph's Node)
    empties its tuples into this: the first one runs the loop, and every node
    freed inside it only hands its tuples over. Elsewhere CPython (and PyPy's
    collector) frees any depth already, and a finalizer would cost every Value
    a call.
    """
    global _unfreed
    if _unfreed is not None:  # freed inside the loop below: hand the tuples to it
        _unfreed.extend(held)
        return
    _unfreed = held
    try:
        while _unfreed:
            _unfreed.pop()  # a tuple's last reference: its nodes are freed here, one level down
    finally:
        _unfreed = None

def _lift(x: Any) -> Any:
    """x as a Value (a number becomes a constant leaf), or NotImplemented for anything else."""
    # float and int first: they are the common case, and isinstance(x, Real) is slow.
    if x.__class__ is float:
        return Value(x)
    if x.__class__ is int or isinstance(x, Real):
        return Value(float(x))
    if isinstance(x, Value):
        return x
    return NotImplemented


def _as_float(data: Any) -> float:
    """data as a float for the Value constructor; TypeError for anything but a real number."""
    if isinstance(data, Real):
        return float(data)
    shown = repr(data)
    if len(shown) > 60:
        shown = shown[:60] + "..."
    if isinstance(data, Value):
        hint = " (it is already a Value: use it directly)"
    elif isinstance(data, str):
        hint = f" (convert it first: float({shown}))"
    elif hasattr(data, "__len__"):
        hint = " (one Value holds one number: make one per entry, [Value(v) for v in values])"
    else:
        hint = ""
    raise TypeError(f"Value needs a real number, got {type(data).__name__} {shown}{hint}")
