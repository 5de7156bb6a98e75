"""tinybackprop: backpropagation you can read in an afternoon (standard library only).

    >>> from tinybackprop import Value
    >>> x, y, z = Value(-2.0), Value(5.0), Value(-4.0)
    >>> f = (x + y) * z
    >>> f.backward()
    >>> f.data, x.grad, y.grad, z.grad
    (-12.0, -4.0, -4.0, 3.0)

The modules, in the order of the lecture: `operators` (the scalar math and
the table of activations), `gates` (forward/backward of one gate), `graph`
(gates wired into a ComputationalGraph), `value` (autograd by operator
overloading), `matrix` (a list-of-lists array, on the `kernels`), `gradcheck`
(numerical gradients), `nn`, `activations`, `losses`, `optim`, `data`,
`train`, and `draw` and `plots` (pictures as SVG).
"""
from tinybackprop.data import (
    accuracy,
    load_digits,
    load_iris,
    make_blobs,
    make_circles,
    make_moons,
    make_spiral,
    make_xor,
    minibatches,
    standardize,
    train_test_split,
)
from tinybackprop.draw import to_dot, to_svg, to_text
from tinybackprop.gradcheck import check_value_gradients, grad_check_sparse, numerical_gradient, rel_error
from tinybackprop.graph import ComputationalGraph
from tinybackprop.losses import elastic_net, l1, l2, max_margin, mse, softmax_cross_entropy, svm_loss
from tinybackprop.matrix import Matrix
from tinybackprop.nn import MLP, Layer, Module, Neuron
from tinybackprop.optim import SGD, Adam, ExponentialDecay, RMSProp, StepDecay
from tinybackprop.plots import plot_decision_boundary, plot_history, show_images, show_weights
from tinybackprop.train import History, predict, train
from tinybackprop.value import Value

__version__ = "0.1.0"

__all__ = [
    "Value", "Matrix", "ComputationalGraph",
    "numerical_gradient", "rel_error", "grad_check_sparse", "check_value_gradients",
    "Module", "Neuron", "Layer", "MLP",
    "svm_loss", "softmax_cross_entropy", "mse", "max_margin", "l1", "l2", "elastic_net",
    "SGD", "RMSProp", "Adam", "StepDecay", "ExponentialDecay",
    "make_spiral", "make_moons", "make_xor", "make_blobs", "make_circles", "load_digits", "load_iris",
    "train_test_split", "standardize", "minibatches", "accuracy",
    "History", "train", "predict",
    "to_dot", "to_svg", "to_text", "plot_history", "plot_decision_boundary", "show_images", "show_weights",
]
