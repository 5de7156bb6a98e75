"""Buggy submissions, one per common mistake: each gets the expected partial score and hint.

Each case is the reference solution with one small, explicit text change
(asserted to apply exactly once), graded for real through grade_submission.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.content import write_references
from autograder.grade import grade_submission
from course import hints


@dataclass(frozen=True)
class Case:
    """A mistake: text changes of one reference file, and what the grader must say about it."""

    name: str
    file: str
    changes: tuple  # (old, new) pairs, each found exactly once
    expect: dict  # check name -> (fraction of its points, words its hint contains or "")
    only: str = ""  # the assignment to grade, when not the one of the changed file


NUMERICAL_DW = """\
    def data_and_penalty(V):
        s = X @ V
        m = (s - s.pick(y) + 1.0).maximum(0.0)
        return (m.sum() - N) / N + reg * (V * V).sum()

    dW = Matrix.zeros(*W.shape)
    for d in range(W.shape[0]):
        for j in range(W.shape[1]):
            up, down = W.copy(), W.copy()
            up[d, j] += 1e-5
            down[d, j] -= 1e-5
            dW[d, j] = (data_and_penalty(up) - data_and_penalty(down)) / 2e-5
"""

CASES = [
    Case("svm_regularization_missing", "svm.py",
         (("    reg_loss = reg * (W * W).sum()\n", "    reg_loss = 0.0\n"),),
         {"svm.forward.small_with_reg": (3 / 5, "regularization is missing"),
          "svm.forward.random_without_reg": (1.0, ""),
          "svm.backward.reference_cache": (1.0, ""),
          "svm.vectorized.matches_naive_small": (0.5, "regularization is missing"),
          "svm.naive.small_with_reg": (1.0, "")}),
    Case("svm_naive_reg_where_2reg_belongs", "svm.py",
         (("dW[d, j] = dW[d, j] / N + 2 * reg * W[d, j]", "dW[d, j] = dW[d, j] / N + reg * W[d, j]"),),
         {"svm.naive.small_with_reg": (0.5, "the regularization gradient is reg * W, half of what it should be"),
          "svm.naive.random_without_reg": (1.0, ""),
          "svm.forward.small_with_reg": (1.0, "")}),
    Case("softmax_2reg_where_reg_belongs", "softmax.py",
         (("    reg_loss = reg * (W * W).sum()\n", "    reg_loss = 2 * reg * (W * W).sum()\n"),),
         {"softmax.forward.small_with_reg": (4 / 6, "You added 2 * reg * sum(W * W)"),
          "softmax.forward.random_without_reg": (1.0, ""),
          "softmax.vectorized.matches_naive_small": (0.5, "You added 2 * reg * sum(W * W)")}),
    Case("svm_data_loss_not_divided_by_n", "svm.py",
         (("    data_loss = margins.sum() / N\n", "    data_loss = margins.sum()\n"),),
         {"svm.forward.small_with_reg": (2 / 5, hints.NOT_DIVIDED),
          "svm.backward.reference_cache": (1.0, "")}),
    Case("svm_dscores_not_divided_by_n", "svm.py",
         (("    dscores = positive / N\n", "    dscores = positive\n"),),
         {"svm.backward.reference_cache": (0.0, hints.NOT_DIVIDED),
          "svm.vectorized.matches_naive_small": (0.5, hints.NOT_DIVIDED),
          "svm.forward.small_with_reg": (1.0, "")}),
    Case("softmax_unstable", "softmax.py",
         (("    exps = shifted.exp()\n", "    exps = scores.exp()\n"),
          ("    data_loss = (exps.sum(axis=1).log() - shifted.pick(y)).sum() / N\n",
           "    data_loss = (exps.sum(axis=1).log() - scores.pick(y)).sum() / N\n")),
         {"softmax.forward.scores_near_1000": (0.0, "overflows"),
          "softmax.forward.small_with_reg": (1.0, ""),
          "softmax.vectorized.matches_naive_small": (1.0, "")}),
    Case("svm_margin_of_the_correct_class_kept", "svm.py",
         (("    margins.add_at(y, -1.0)\n", ""),),
         {"svm.forward.small_with_reg": (1 / 5, "correct class"),
          "svm.vectorized.matches_naive_small": (0.5, "correct class")}),
    Case("svm_naive_counts_the_correct_class", "svm.py",
         (("            if j == y[i]:\n                continue\n", ""),),
         {"svm.naive.small_with_reg": (0.5, "correct class")}),
    Case("gates_neuron_backward_forgets_the_upstream_gradient", "gates.py",
         (("    ddot = (1.0 - f) * f * dout\n", "    ddot = (1.0 - f) * f\n"),),
         {"gates.gates.staged_sigmoid_neuron": (1.0, ""),
          "gates.gates.staged_sigmoid_neuron_upstream": (0.5, "upstream gradient dout")}),
    Case("gates_max_sends_dz_to_both_inputs", "gates.py",
         (("            dx, dy = dz, 0.0\n", "            dx, dy = dz, dz\n"),),
         {"gates.gates.max_circuit": (0.0, "MaxGate.backward"),
          "gates.gates.add_multiply_circuit": (1.0, "")}),
    Case("softmax_without_the_shift", "softmax.py",
         (("    shifted = scores - scores.max(axis=1)\n", "    shifted = scores\n"),),
         {"softmax.forward.small_with_reg": (1.0, ""),
          "softmax.forward.scores_near_1000": (0.0, "overflows"),
          "softmax.backward.reference_cache": (1.0, "")}),
    Case("softmax_shift_by_the_column_max", "softmax.py",
         (("    shifted = scores - scores.max(axis=1)\n", "    shifted = scores - scores.max(axis=0)\n"),),
         {"softmax.forward.small_with_reg": (1 / 6, "each column's max (axis=0)")}),
    Case("svm_dW_transposed", "svm.py",
         (("    dW = X.T @ dscores + 2 * reg * W\n", "    dW = (X.T @ dscores + 2 * reg * W).T\n"),),
         {"svm.backward.reference_cache": (0.5, "must have the shape of W, (5, 4); yours is (4, 5)"),
          "svm.vectorized.matches_naive_small": (0.5, "transposed")}),
    Case("softmax_dW_without_regularization", "softmax.py",
         (("    dW = X.T @ dscores + 2 * reg * W\n", "    dW = X.T @ dscores\n"),),
         {"softmax.backward.reference_cache": (0.5, "right for the data loss but the regularization"),
          "softmax.backward.numerical_gradient_of_the_loss": (0.0, ""),
          "softmax.naive.small_with_reg": (1.0, "")}),
    Case("two_layer_relu_mask_forgotten", "two_layer_net.py",
         (("    dz1 = dh1 * (z1 > 0)\n", "    dz1 = dh1\n"),),
         {"two_layer_net.backward.reference_cache_toy": (4 / 7, hints.RELU_MASK),
          "two_layer_net.forward.toy_with_reg": (1.0, "")}),
    Case("gates_multiply_does_not_swap", "gates.py",
         (("        dx = self.y * dz\n        dy = self.x * dz\n",
           "        dx = self.x * dz\n        dy = self.y * dz\n"),),
         {"gates.gates.add_multiply_circuit": (0.0, "multiply swaps its inputs"),
          "gates.gates.staged_sigmoid_neuron": (1.0, "")}),
    # Each gate's gradient on x assigned to dx, so the later one overwrites the earlier.
    Case("gates_fork_overwrites_instead_of_adding", "gates.py",
         (("    dx_from_product = q * dout\n", "    dx = q * dout\n"),
          ("    dx_from_sum = dq\n", "    dx = dq\n"),
          ("    dx = dx_from_sum + dx_from_product\n", "")),
         {"gates.gates.fork_circuit": (0.2, "gradients add at forks"),
          "gates.gates.random_fork_circuit": (0.2, "gradients add at forks"),
          "gates.gates.add_multiply_circuit": (1.0, "")}),
    # dW by centered differences of an inline copy of the loss: right to ~1e-9 almost everywhere,
    # wrong where a margin sits within 1e-9 of the hinge's kink, and far too slow on a big input.
    Case("svm_numerical_gradient_posing_as_analytic", "svm.py",
         (("    dW = X.T @ dscores + 2 * reg * W\n", NUMERICAL_DW),),
         {"svm.backward.reference_cache": (1.0, ""),
          "svm.backward.margins_at_the_kink": (0.5, ""),
          "svm.vectorized.margins_at_the_kink": (0.5, ""),
          "svm.vectorized.fast_on_500x100": (0.0, "no Python loop")}),
    Case("linear_classifier_steps_uphill", "linear_classifier.py",
         (("        self.W = self.W - learning_rate * dW\n", "        self.W = self.W + learning_rate * dW\n"),),
         {"linear_classifier.training.update_against_the_gradient": (0.0, "Step against the gradient"),
          "linear_classifier.training.svm_accuracy": (0.0, "Step against the gradient"),
          "linear_classifier.training.predict_given_W": (1.0, "")}),
    Case("linear_classifier_labels_out_of_step_with_rows", "linear_classifier.py",
         (("            y_batch = [y[i] for i in rows]\n", "            y_batch = y[:batch_size]\n"),),
         {"linear_classifier.training.minibatch_rows_and_labels": (0.0, "out of step with your rows"),
          "linear_classifier.training.softmax_accuracy": (0.0, "out of step with your rows"),
          "linear_classifier.training.update_against_the_gradient": (1.0, "")}),
    Case("two_layer_relu_backward_times_the_activations", "two_layer_net.py",
         (("    dz1 = dh1 * (z1 > 0)\n", "    dz1 = dh1 * h1\n"),),
         {"two_layer_net.backward.reference_cache_toy": (4 / 7, hints.RELU_ACTIVATIONS),
          "two_layer_net.backward.numerical_gradient_of_the_loss": (0.0, hints.RELU_ACTIVATIONS)}),
    Case("two_layer_dW1_product_in_the_wrong_order", "two_layer_net.py",
         (("    dW1 = X.T @ dz1 + 2 * reg * W1\n", "    dW1 = dz1.T @ X + 2 * reg * W1\n"),),
         {"two_layer_net.backward.reference_cache_toy": (5 / 7, "the product of X and dz1 is in the wrong order"),
          "two_layer_net.forward.toy_with_reg": (1.0, "")}),
    Case("svm_naive_assigns_instead_of_adding", "svm.py",
         (("                    dW[d, j] += X[i, d]\n                    dW[d, y[i]] -= X[i, d]\n",
           "                    dW[d, j] = X[i, d]\n                    dW[d, y[i]] = -X[i, d]\n"),),
         {"svm.naive.small_with_reg": (0.5, hints.NOT_ACCUMULATED),
          "svm.naive.random_without_reg": (0.5, hints.NOT_ACCUMULATED)}),
    Case("svm_naive_assigns_the_correct_class_column", "svm.py",
         (("                    dW[d, y[i]] -= X[i, d]\n", "                    dW[d, y[i]] = -X[i, d]\n"),),
         {"svm.naive.small_with_reg": (0.5, hints.NOT_ACCUMULATED)}),
    Case("softmax_naive_assigns_instead_of_adding", "softmax.py",
         (("                dW[d, j] += X[i, d] * dscore\n", "                dW[d, j] = X[i, d] * dscore\n"),),
         {"softmax.naive.small_with_reg": (0.5, hints.NOT_ACCUMULATED),
          "softmax.naive.random_with_reg": (0.5, hints.NOT_ACCUMULATED)}),
    # CS231n's -log(probs[y]) after the shift: right on ordinary scores, but on huge ones a correct
    # class's probability underflows to 0.
    Case("softmax_log_of_the_probabilities", "softmax.py",
         (("    data_loss = (exps.sum(axis=1).log() - shifted.pick(y)).sum() / N\n",
           "    data_loss = -probs.pick(y).log().sum() / N\n"),),
         {"softmax.forward.small_with_reg": (1.0, ""),
          "softmax.forward.scores_near_1000": (0.0, "without computing the probabilities first"),
          "softmax.forward.random_huge_scores": (0.0, "without computing the probabilities first")}),
]


def buggy_submission(folder: Path, case: Case) -> Path:
    """The reference solutions with the case's changes applied to its file."""
    write_references(folder)
    source = (folder / case.file).read_text(encoding="utf-8")
    for old, new in case.changes:
        assert source.count(old) == 1, f"{case.name}: {old!r} is not in {case.file} exactly once"
        source = source.replace(old, new)
    (folder / case.file).write_text(source, encoding="utf-8")
    return folder


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_a_common_mistake_gets_its_partial_score_and_hint(tmp_path, case):
    assignment = case.only or case.file[:-3]
    result = grade_submission(str(buggy_submission(tmp_path, case)), only=[assignment], seed=11)
    tests = {t.name: t for t in result.tests}
    for name, (fraction, words) in case.expect.items():
        test = tests[name]
        assert test.score == pytest.approx(fraction * test.max_score), (name, test.status, test.output)
        assert words in test.hint, (name, test.hint, test.output)
    assert 0 < result.score < result.max_score
