"""Optimizers that update parameters from their gradients, and learning-rate schedules.

A parameter is anything with float attributes ``data`` and ``grad``: the
Values of ``Module.parameters()``. Both ways of running a model (a graph of
Values, or Matrix batches) leave their gradients in the same ``grad``
attributes, so the same optimizer serves both. The update rules are the ones
of the CS231n notes.
"""
from __future__ import annotations

import math
from typing import Iterable

from tinybackprop.value import Value


class Optimizer:
    """A rule that moves each parameter against its gradient; ``step()`` applies it once."""

    def __init__(self, params: Iterable[Value], lr: float, weight_decay: float = 0.0):
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list; pass model.parameters()")
        if lr <= 0:
            raise ValueError(f"learning rate must be positive, got {lr}")
        if weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
        self.lr = lr
        self.weight_decay = weight_decay

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (gradients add up across backward passes)."""
        for p in self.params:
            p.grad = 0.0

    def gradients(self) -> list[float]:
        """Each parameter's gradient, plus ``weight_decay * data`` (the gradient of (wd/2) * sum(w^2))."""
        wd = self.weight_decay
        if wd:
            return [p.grad + wd * p.data for p in self.params]
        return [p.grad for p in self.params]

    def step(self) -> None:
        """Update every parameter once from its current gradient."""
        raise NotImplementedError(f"{type(self).__name__} must define step()")


class SGD(Optimizer):
    """Stochastic gradient descent, with (Nesterov) momentum if asked: v = mu v - lr dx; x += v."""

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0):
        super().__init__(params, lr, weight_decay)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        if nesterov and momentum == 0.0:
            raise ValueError("nesterov=True needs a momentum > 0")
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocity = [0.0] * len(self.params)

    def step(self) -> None:
        lr, mu = self.lr, self.momentum
        grads = self.gradients()
        if mu == 0.0:
            for p, dx in zip(self.params, grads):
                p.data -= lr * dx
            return
        v = self.velocity
        for i, (p, dx) in enumerate(zip(self.params, grads)):
            v_prev = v[i]
            v[i] = mu * v_prev - lr * dx
            # Nesterov looks ahead: the update is evaluated where momentum is about to carry x.
            p.data += (-mu * v_prev + (1.0 + mu) * v[i]) if self.nesterov else v[i]


class RMSProp(Optimizer):
    """Per-parameter step sizes from a running average of squared gradients: x -= lr dx / sqrt(cache)."""

    def __init__(self, params: Iterable[Value], lr: float = 0.01, decay_rate: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(params, lr, weight_decay)
        self.decay_rate = decay_rate
        self.eps = eps
        self.cache = [0.0] * len(self.params)

    def step(self) -> None:
        lr, rho, eps, cache = self.lr, self.decay_rate, self.eps, self.cache
        for i, (p, dx) in enumerate(zip(self.params, self.gradients())):
            cache[i] = rho * cache[i] + (1.0 - rho) * dx * dx
            p.data -= lr * dx / (math.sqrt(cache[i]) + eps)


class Adam(Optimizer):
    """Momentum and RMSProp together, with bias correction for the first steps (Kingma and Ba)."""

    def __init__(self, params: Iterable[Value], lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(params, lr, weight_decay)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)
        self.t = 0

    def step(self) -> None:
        self.t += 1
        b1, b2, eps, m, v = self.beta1, self.beta2, self.eps, self.m, self.v
        lr = self.lr
        # Both averages start at 0; dividing by (1 - beta^t) undoes that bias.
        correct1, correct2 = 1.0 - b1 ** self.t, 1.0 - b2 ** self.t
        for i, (p, dx) in enumerate(zip(self.params, self.gradients())):
            m[i] = b1 * m[i] + (1.0 - b1) * dx
            v[i] = b2 * v[i] + (1.0 - b2) * dx * dx
            p.data -= lr * (m[i] / correct1) / (math.sqrt(v[i] / correct2) + eps)


class Schedule:
    """A learning rate that changes with the epoch; call ``step()`` once per epoch."""

    def __init__(self, optimizer: Optimizer):
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.epoch = 0

    def lr_at(self, epoch: int) -> float:
        """The learning rate for ``epoch`` (0 is the first)."""
        raise NotImplementedError(f"{type(self).__name__} must define lr_at()")

    def step(self) -> float:
        """Move to the next epoch, set the optimizer's learning rate, and return it."""
        self.epoch += 1
        self.optimizer.lr = self.lr_at(self.epoch)
        return self.optimizer.lr


class StepDecay(Schedule):
    """The learning rate times ``gamma`` every ``step_size`` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        super().__init__(optimizer)
        if step_size < 1:
            raise ValueError(f"StepDecay: step_size must be at least 1 epoch, got {step_size}")
        self.step_size, self.gamma = step_size, gamma

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialDecay(Schedule):
    """The learning rate times ``gamma`` every epoch: lr = lr0 * gamma^epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float = 0.95):
        super().__init__(optimizer)
        self.gamma = gamma

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** epoch
