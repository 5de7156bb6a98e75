"""Two corpora of submissions for the grade tests: correct work written the way students write it, and
wrong code, one bug each (training code, and a backward pass once charged in training too).

A correct variant fills the stubs of ``assignments/`` stage by stage (the code of each
``raise NotImplementedError("<function>: <stage>")``), in another style than the
reference's: other loop orders, the margin kept at the correct class, log-softmax,
masks from ``h1 > 0``, sampling without replacement, lists of rows converted once.
A wrong variant is the reference with one text change, and says which checks it fails
and with what words in their hints.
"""
from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from autograder.content import write_references

STUBS = Path(__file__).resolve().parents[2] / "assignments"
STAGE = re.compile(r'^(?P<indent> *)raise NotImplementedError\("(?P<stage>[^"]+)"\)$', re.M)


def fill(assignment: str, code: dict) -> str:
    """The stub of ``assignment`` with each stage's raise replaced by ``code[stage]`` (every stage given)."""
    stub = (STUBS / f"{assignment}.py").read_text(encoding="utf-8")
    stages = {match.group("stage") for match in STAGE.finditer(stub)} - {"LinearClassifier.loss: use "
                                                                       "LinearSVM or Softmax, which define the loss"}
    assert stages == set(code), (assignment, stages ^ set(code))

    def replace(match: re.Match) -> str:
        stage = match.group("stage")
        if stage not in code:
            return match.group(0)
        return textwrap.indent(textwrap.dedent(code[stage]).strip("\n"), match.group("indent"))
    return STAGE.sub(replace, stub)


@dataclass(frozen=True)
class Correct:
    """Correct work on one assignment, in a style of its own."""

    name: str
    assignment: str
    code: dict  # stage -> its code

    def write(self, folder: Path) -> Path:
        """A submission folder holding this assignment's file."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{self.assignment}.py").write_text(fill(self.assignment, self.code), encoding="utf-8")
        return folder


CORRECT = [
    Correct("gates_by_hand", "gates", {
        "MultiplyGate.backward: switch": "dx, dy = dz * self.y, dz * self.x",
        "AddGate.backward: distribute": "dx = dy = dz * 1.0",
        "MaxGate.backward: route": """
            dx = dz if self.x >= self.y else 0.0
            dy = dz - dx
        """,
        "SigmoidGate.backward: local": "dx = dout * self.f * (1.0 - self.f)",
        "sigmoid_neuron_forward: dot": """
            dot = w[2]
            for wi, xi in zip(w, x):
                dot += wi * xi
        """,
        "sigmoid_neuron_forward: f": "f = 1.0 / (1.0 + math.exp(-dot))",
        "sigmoid_neuron_backward: ddot": """
            local = f * (1 - f)
            ddot = local * dout
        """,
        "sigmoid_neuron_backward: dw": "dw = [xi * ddot for xi in x] + [ddot]",
        "sigmoid_neuron_backward: dx": "dx = [wi * ddot for wi in w[:2]]",
        "fork_circuit_forward: q": "q = y + x",
        "fork_circuit_forward: f": "f = x * q",
        "fork_circuit_backward: product": """
            dx_from_product = dout * q
            dq = dout * x
        """,
        "fork_circuit_backward: sum": "dy = dx_from_sum = dq",
        "fork_circuit_backward: fork": """
            dx = 0.0
            for branch in (dx_from_sum, dx_from_product):
                dx += branch
        """,
        "vector_circuit_forward: q": """
            n, d = W.shape
            q = Matrix([[sum(W[i, j] * x[j, 0] for j in range(d))] for i in range(n)])
        """,
        "vector_circuit_forward: f": "f = sum(value * value for value in q.flatten())",
        "vector_circuit_backward: dq": "dq = q * 2.0 * dout",
        "vector_circuit_backward: dW": """
            dW = Matrix.zeros(*W.shape)
            for i in range(W.shape[0]):
                for j in range(W.shape[1]):
                    dW[i, j] = dq[i, 0] * x[j, 0]
        """,
        "vector_circuit_backward: dx": "dx = (dq.T @ W).T",
    }),
    # The minus side first, the entry put back from a saved value, indices drawn with randrange.
    Correct("gradient_check_minus_side_first", "gradient_check", {
        "numerical_gradient: number": """
            down, up = f(x - h), f(x + h)
            grad = (up - down) / (2.0 * h)
        """,
        "numerical_partial: nudge": """
            saved = x[ix]
            x[ix] = saved - h
            fxmh = f(x)
            x[ix] = saved + h
            fxph = f(x)
            x[ix] = saved
        """,
        "numerical_partial: slope": "slope = 0.5 * (fxph - fxmh) / h",
        "rel_error: errors": """
            errors = []
            for p, q in pairs:
                size = abs(p) + abs(q)
                errors.append(0.0 if size == 0 else abs(p - q) / max(size, 1e-8))
        """,
        "grad_check_sparse: pick": "ix = candidates[rng.randrange(len(candidates))]",
        "grad_check_sparse: compare": """
            numerical = numerical_partial(f, x, ix, h)
            errors.append(rel_error(numerical, analytic[ix]))
        """,
    }),
    # The margin of the correct class kept (it is 1 in every row) and taken off the loss; in the
    # loops, the rows converted to lists once and the features outside the classes.
    Correct("svm_margin_kept_at_the_correct_class", "svm", {
        "svm_loss_naive: loops": """
            rows = X.tolist()
            for i, row in enumerate(rows):
                scores = [0.0] * C
                for d, value in enumerate(row):
                    for j in range(C):
                        scores[j] += value * W[d, j]
                for j, score in enumerate(scores):
                    margin = score - scores[y[i]] + 1.0
                    if j != y[i] and margin > 0:
                        loss += margin
                        for d, value in enumerate(row):
                            dW[d, j] += value
                            dW[d, y[i]] -= value
        """,
        "svm_loss_naive: average_and_regularize": """
            loss = loss / N + reg * (W * W).sum()
            dW = dW / N + 2 * reg * W
        """,
        "svm_forward: scores": "scores = X @ W",
        "svm_forward: margins": "margins = (scores - scores.pick(y) + 1.0).maximum(0.0)  # 1 at each correct class",
        "svm_forward: data_loss": "data_loss = (margins.sum() - N) / N  # the N margins of the correct classes",
        "svm_forward: reg_loss": "reg_loss = reg * sum(v * v for row in W.tolist() for v in row)",
        "svm_backward: dscores": """
            active = margins > 0
            active.add_at(y, -1.0)  # the correct class's margin of 1 is no margin
            dscores = active.copy()
            dscores.add_at(y, -active.sum(axis=1))
            dscores = dscores / N
        """,
        "svm_backward: dW": "dW = X.T @ dscores + W * (2 * reg)",
    }),
    # Log-softmax, log p = shifted - log(sum(exp(shifted))); in the loops, probabilities per example;
    # dW as the transpose of a product.
    Correct("softmax_log_softmax", "softmax", {
        "softmax_loss_naive: loops": """
            for i in range(N):
                row = X[i]
                scores = [sum(row[d] * W[d, j] for d in range(D)) for j in range(C)]
                shift = max(scores)
                exps = [math.exp(s - shift) for s in scores]
                total = sum(exps)
                probs = [e / total for e in exps]
                loss -= math.log(probs[y[i]])
                for d in range(D):
                    for j in range(C):
                        dW[d, j] += row[d] * (probs[j] - (1.0 if j == y[i] else 0.0))
        """,
        "softmax_loss_naive: average_and_regularize": """
            loss = loss / N + reg * (W * W).sum()
            dW = dW * (1.0 / N) + 2 * reg * W
        """,
        "softmax_forward: scores": "scores = X @ W",
        "softmax_forward: shifted": "shifted = scores - scores.max(axis=1)",
        "softmax_forward: probs": """
            log_probs = shifted - shifted.exp().sum(axis=1).log()
            probs = log_probs.exp()
        """,
        "softmax_forward: data_loss": "data_loss = -log_probs.pick(y).mean()",
        "softmax_forward: reg_loss": "reg_loss = reg * (W * W).sum()",
        "softmax_backward: dscores": """
            one_hot = Matrix.zeros(N, W.shape[1])
            one_hot.add_at(y, 1.0)
            dscores = (probs - one_hot) / N
        """,
        "softmax_backward: dW": "dW = (dscores.T @ X).T + 2 * reg * W",
    }),
    Correct("linear_classifier_without_replacement", "linear_classifier", {
        "LinearClassifier.train: minibatch": """
            rows = rng.sample(range(N), batch_size)
            X_batch = X[rows]
            y_batch = [y[i] for i in rows]
        """,
        "LinearClassifier.train: update": "self.W -= learning_rate * dW",
        "LinearClassifier.predict: labels": """
            labels = [max(range(len(row)), key=row.__getitem__) for row in (X @ self.W).tolist()]
        """,
        "append_bias: ones": "X_bias = Matrix([list(row) + [1.0] for row in X.data])",
        "split_bias: rows": "weights, b = Matrix(W.tolist()[:D]), Matrix([W[D]])",
        "search: grid": """
            results = []
            for learning_rate in learning_rates:
                for reg in regs:
                    model = train_softmax(X_train, y_train, learning_rate, reg, num_iters=num_iters,
                                          batch_size=batch_size, seed=seed)
                    results.append((learning_rate, reg) + tuple(
                        accuracy(model.predict(data), labels) for data, labels in ((X_train, y_train), (X_val, y_val))))
        """,
        "search: best": """
            best, best_val = None, -1.0
            for learning_rate, reg, _, val in results:
                if val > best_val:
                    best, best_val = (learning_rate, reg), val
        """,
    }),
    # Epochs of a shuffled order, the rows of X converted to lists once.
    Correct("linear_classifier_epochs_of_a_shuffled_order", "linear_classifier", {
        "LinearClassifier.train: minibatch": """
            per_epoch = max(N // batch_size, 1)
            if it == 0:
                all_rows = X.tolist()
            if it % per_epoch == 0:
                order = list(range(N))
                rng.shuffle(order)
            start = (it % per_epoch) * batch_size
            picked = order[start:start + batch_size]
            X_batch = Matrix([all_rows[i] for i in picked])
            y_batch = list(map(y.__getitem__, picked))
        """,
        "LinearClassifier.train: update": """
            step = dW * learning_rate
            self.W = self.W - step
        """,
        "LinearClassifier.predict: labels": """
            labels = []
            for row in (X @ self.W).tolist():
                best = 0
                for j, score in enumerate(row):
                    if score > row[best]:
                        best = j
                labels.append(best)
        """,
        "append_bias: ones": """
            N, D = X.shape
            X_bias = Matrix.ones(N, D + 1)
            for i in range(N):
                for d in range(D):
                    X_bias[i, d] = X[i, d]
        """,
        "split_bias: rows": """
            weights = W[:D]
            b = W[D:D + 1]
        """,
        "search: grid": """
            results = []
            settings = [(rate, strength) for rate in learning_rates for strength in regs]
            for rate, strength in settings:
                model = train_softmax(X_train, y_train, learning_rate=rate, reg=strength, num_iters=num_iters,
                                      batch_size=batch_size, seed=seed)
                right_train = sum(p == t for p, t in zip(model.predict(X_train), y_train))
                right_val = sum(p == t for p, t in zip(model.predict(X_val), y_val))
                results.append([rate, strength, right_train / len(y_train), right_val / len(y_val)])
        """,
        "search: best": "best = tuple(sorted(results, key=lambda row: -row[3])[0][:2])",
    }),
    # The ReLU as a mask, and the backward's mask from h1 > 0; log-softmax; the rows converted to lists
    # once; a new dict of parameters at each step.
    Correct("two_layer_net_masks_from_h1", "two_layer_net", {
        "two_layer_forward: z1_h1": """
            z1 = X @ W1 + b1
            h1 = z1 * (z1 > 0)
        """,
        "two_layer_forward: scores": "scores = h1 @ W2 + b2",
        "two_layer_forward: probs": """
            exps = (scores - scores.max(axis=1)).exp()
            probs = exps / exps.sum(axis=1)
        """,
        "two_layer_forward: loss": """
            shifted = scores - scores.max(axis=1)
            log_probs = shifted - shifted.exp().sum(axis=1).log()
            data_loss = -log_probs.pick(y).sum() / N
            reg_loss = reg * ((W1 * W1).sum() + (W2 * W2).sum())
        """,
        "two_layer_backward: dscores": """
            one_hot = Matrix.zeros(*probs.shape)
            one_hot.add_at(y, 1.0)
            dscores = (probs - one_hot) / N
        """,
        "two_layer_backward: dW2_db2": """
            dW2 = h1.T @ dscores + 2 * reg * W2
            db2 = Matrix.ones(1, N) @ dscores
        """,
        "two_layer_backward: dh1": "dh1 = dscores @ W2.T",
        "two_layer_backward: dz1": "dz1 = dh1 * (h1 > 0)",
        "two_layer_backward: dW1_db1": """
            dW1 = X.T @ dz1 + 2 * reg * W1
            db1 = dz1.sum(axis=0)
        """,
        "TwoLayerNet.train: minibatch": """
            if it == 0:
                X_rows = X.tolist()
            rows = [rng.randrange(N) for _ in range(batch_size)]
            X_batch = Matrix([X_rows[i] for i in rows])
            y_batch = [y[i] for i in rows]
        """,
        "TwoLayerNet.train: update": """
            self.params = {name: value - learning_rate * grads[name] for name, value in self.params.items()}
        """,
        "TwoLayerNet.predict: labels": """
            scores = self.loss(X)
            labels = [row.index(max(row)) for row in scores.tolist()]
        """,
        "search_hidden_size: sizes": """
            results = []
            best, best_val = None, -1.0
            for size in hidden_sizes:
                net = train_net(X_train, y_train, X_val, y_val, size, learning_rate=learning_rate, reg=reg,
                                num_iters=num_iters, batch_size=batch_size, seed=seed)
                train_acc = _accuracy(net.predict(X_train), y_train)
                val_acc = _accuracy(net.predict(X_val), y_val)
                results.append([size, train_acc, val_acc])
                if val_acc > best_val:
                    best, best_val = size, val_acc
        """,
    }),
]


@dataclass(frozen=True)
class Wrong:
    """Code with one bug: the reference with text changes, the checks it fails and their hints."""

    name: str
    assignment: str
    changes: tuple  # (old, new) pairs, each found exactly once in the reference
    fails: dict  # check name (without "<assignment>.<stage>.") -> words its hint contains
    stage: str = "training"  # where the bug is, and what is graded (training), or the whole assignment

    @property
    def only(self) -> str:
        """What the variant's grading selects: the training stage, or the whole assignment."""
        return f"{self.assignment}.training" if self.stage == "training" else self.assignment

    def write(self, folder: Path) -> Path:
        """A submission folder: the references, this assignment's file changed."""
        write_references(folder)
        path = folder / f"{self.assignment}.py"
        source = path.read_text(encoding="utf-8")
        for old, new in self.changes:
            assert source.count(old) == 1, (self.name, old)
            source = source.replace(old, new)
        path.write_text(source, encoding="utf-8")
        return folder


SAMPLE = "            rows = [rng.randrange(N) for _ in range(batch_size)]\n"
LABELS = "            y_batch = [y[i] for i in rows]\n"
LINEAR_UPDATE = "            self.W = self.W - learning_rate * dW\n"
ACCURACY = ("svm_accuracy", "softmax_accuracy")


def failing(words: str, *names: str) -> dict:
    """Checks that fail, all with the same words in their hints."""
    return {name: words for name in names}


WRONG = [
    Wrong("linear_classifier_the_same_first_rows", "linear_classifier",
          ((SAMPLE, "            rows = list(range(batch_size))\n"),),
          failing("the same rows", "minibatch_rows_and_labels", "softmax_minibatch_rows_and_labels",
                       *ACCURACY)),
    Wrong("linear_classifier_the_whole_set", "linear_classifier",
          ((SAMPLE, "            rows = list(range(N))\n"),),
          failing("not the whole set", "minibatch_rows_and_labels", "softmax_minibatch_rows_and_labels")),
    Wrong("linear_classifier_a_made_up_history", "linear_classifier",
          ((LINEAR_UPDATE, LINEAR_UPDATE + "            loss_history[-1] = 2.0 / (it + 1)\n"),),
          failing("Append the loss", "history_of_the_losses")),
    Wrong("linear_classifier_nearest_neighbour_without_training", "linear_classifier",
          ((LINEAR_UPDATE, "            self.memory = (X.tolist(), list(y))\n"),
           ("        labels = (X @ self.W).argmax(axis=1)\n",
            "        rows, seen = self.memory\n"
            "        labels = [seen[min(range(len(rows)), key=lambda k: sum((a - b) ** 2 for a, b in "
            "zip(rows[k], row)))] for row in X.tolist()]\n")),
          dict(failing("", "predict_given_W", "predict_random_shapes"),
               **failing("never changed", "update_against_the_gradient",
                              "softmax_update_against_the_gradient"),
               **failing("argmax", *ACCURACY))),
    Wrong("linear_classifier_a_flipped_update", "linear_classifier",
          ((LINEAR_UPDATE, "            self.W = self.W + learning_rate * dW\n"),),
          failing("Step against the gradient", "update_against_the_gradient",
                       "softmax_update_against_the_gradient", *ACCURACY)),
    Wrong("linear_classifier_labels_of_the_first_rows", "linear_classifier",
          ((LABELS, "            y_batch = y[:batch_size]\n"),),
          failing("out of step with your rows", "minibatch_rows_and_labels",
                       "softmax_minibatch_rows_and_labels", *ACCURACY)),
    Wrong("two_layer_net_a_flipped_update", "two_layer_net",
          (("self.params[name] - learning_rate * grads[name]", "self.params[name] + learning_rate * grads[name]"),),
          failing("Step against the gradient", "update_against_the_gradient", "update_from_other_parameters",
                       "accuracy_on_circles")),
    Wrong("two_layer_net_labels_of_the_first_rows", "two_layer_net",
          ((LABELS, "            y_batch = y[:batch_size]\n"),),
          failing("out of step with your rows", "minibatch_rows_and_labels", "accuracy_on_circles")),
]
# A backward bug, once charged in the training stage too when the accuracy floor was missed by chance.
BACKWARD = [
    Wrong("two_layer_net_the_relu_mask_forgotten", "two_layer_net",
          (("    dz1 = dh1 * (z1 > 0)\n", "    dz1 = dh1\n"),),
          failing("forgot its mask", "reference_cache_toy", "numerical_gradient_of_the_loss", "loss_wrapper",
                  "reference_cache_random", "numerical_gradient_random", "loss_wrapper_random"),
          stage="backward"),
]


SEEDS = range(20)


def graded(variant, seed: int, folder: str) -> dict:
    """Grade a variant (its assignment, or what a wrong variant selects) with one seed:
    {"score", "max_score", "tests": {name: (score, max_score, status, hint)}}."""
    from autograder.grade import grade_submission

    only = variant.only if isinstance(variant, Wrong) else variant.assignment
    result = grade_submission(str(variant.write(Path(folder))), only=[only], seed=seed)
    return {"score": result.score, "max_score": result.max_score,
            "tests": {t.name: (t.score, t.max_score, t.status, t.hint) for t in result.tests}}
