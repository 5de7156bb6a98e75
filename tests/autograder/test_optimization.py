"""The optimization strategies as an exercise (issue 12 item 4): random search, random local search and
following the gradient, graded stage by stage with the loss lent by the grader.

Each stage: the reference earns all its points and the stub none ("not implemented", no traceback); a
variant of the reference with one known mistake earns what it deserves with the hint that names the
mistake, and variants written another way, all correct, earn every point and no hint, on each of 20 seeds. Each
variant is the reference with small, explicit text changes (each asserted to apply exactly once),
graded for real through grade_submission.
"""
from __future__ import annotations

import pytest

from autograder.config import load_config
from autograder.content import write_references
from autograder.grade import grade_submission
from autograder.stubgen import ASSIGNMENTS_DIR
from course.optimization import checks
from test_buggy import buggy_submission as variant_submission  # the reference with a variant's changes
from test_lecture_exercises import Variant, graded  # graded: {check name: TestResult} of one stage

STAGES = ("optimization.sampling", "optimization.local", "optimization.gradient")
SAMPLING = ("optimization.sampling.guesses_drawn_anew_best_kept", "optimization.sampling.guesses_other_shape")
LOCAL = ("optimization.local.tries_from_the_best_kept_if_lower", "optimization.local.tries_other_shape")
GRADIENT = ("optimization.gradient.steps_against_the_gradient", "optimization.gradient.steps_other_shape")
FILE = "optimization.py"
# The guesses and tries are random: the same code must get the same grade whatever the inputs drawn.
SEEDS = range(20)


def both(names: tuple, fraction: float, words: str) -> dict:
    """The same expectation for the public and the hidden check of a stage."""
    return {name: (fraction, words) for name in names}


def test_the_stages_add_eight_points_on_top_of_the_others():
    points = load_config().points
    assert [points[stage] for stage in STAGES] == [2, 3, 3]


@pytest.mark.parametrize("stage", STAGES)
def test_the_reference_earns_every_point_of_the_stage(tmp_path, stage):
    tests = graded(write_references(tmp_path / "reference"), stage)
    assert len(tests) == 2
    assert all(t.status == "passed" and t.score == t.max_score and not t.hint for t in tests.values())
    assert sum(t.max_score for t in tests.values()) == pytest.approx(load_config().points[stage])


@pytest.mark.parametrize("stage", STAGES)
def test_the_stub_earns_nothing_and_says_not_implemented(stage):
    tests = grade_submission(str(ASSIGNMENTS_DIR), only=[stage], public_only=True).tests
    assert tests and all(t.status == "not implemented" and t.score == 0 for t in tests)
    assert not any(t.traceback for t in tests)


BUGS = [
    Variant("guess_kept_whatever_its_loss", FILE, "optimization.sampling",
            (("        if loss < best_loss:\n            best_W = W\n            best_loss = loss\n",
              "        best_W = W\n        best_loss = loss\n"),),
            both(SAMPLING, 0.5, checks.BEST)),
    Variant("history_of_each_guess", FILE, "optimization.sampling",
            (("            best_loss = loss\n        history.append(best_loss)\n    # END SOLUTION\n"
              "    return best_W, history\n\n\ndef random_local_search",
              "            best_loss = loss\n        history.append(loss)\n    # END SOLUTION\n"
              "    return best_W, history\n\n\ndef random_local_search"),),
            both(SAMPLING, 0.75, "you recorded the loss of each try")),
    Variant("guesses_at_the_lecture_s_cifar_scale", FILE, "optimization.sampling",
            (("W = Matrix.randn(D, C, seed=rng)", "W = Matrix.randn(D, C, std=0.001, seed=rng)"),),
            both(SAMPLING, 0.5, checks.SCALE)),
    Variant("guesses_walk_from_the_best", FILE, "optimization.sampling",
            (("W = Matrix.randn(D, C, seed=rng)",
              "W = (Matrix.randn(D, C, seed=rng) if best_W is None\n"
              "             else best_W + 0.1 * Matrix.randn(D, C, seed=rng))"),),
            both(SAMPLING, 0.5, checks.FRESH)),
    Variant("every_try_kept", FILE, "optimization.local",
            (("        if loss < best_loss:\n            best_W = W_try\n            best_loss = loss\n",
              "        best_W = W_try\n        best_loss = min(best_loss, loss)\n"),),
            both(LOCAL, 0.25, checks.FROM_LAST)),
    Variant("tries_from_W0", FILE, "optimization.local",
            (("W_try = best_W + step_size", "W_try = W0 + step_size"),),
            both(LOCAL, 0.5, checks.FROM_W0)),
    Variant("tries_without_the_step_size", FILE, "optimization.local",
            (("W_try = best_W + step_size * Matrix.randn(D, C, seed=rng)",
              "W_try = best_W + Matrix.randn(D, C, seed=rng)"),),
            both(LOCAL, 0.5, checks.STEP)),
    Variant("W0_never_evaluated", FILE, "optimization.local",
            (("    best_loss = loss_fn(W0)\n", "    best_loss = float('inf')\n"),),
            both(LOCAL, 0.0, "Evaluate loss_fn at W0")),
    Variant("step_up_the_gradient", FILE, "optimization.gradient",
            (("W = W - learning_rate * dW", "W = W + learning_rate * dW"),),
            both(GRADIENT, 0.0, checks.AGAINST)),
    Variant("step_without_the_learning_rate", FILE, "optimization.gradient",
            (("W = W - learning_rate * dW", "W = W - dW"),),
            both(GRADIENT, 0.0, checks.RATE)),
    Variant("gradient_of_W0_every_step", FILE, "optimization.gradient",
            (("dW = grad_fn(W)", "dW = grad_fn(W0)"),),
            both(GRADIENT, 0.0, checks.CURRENT)),
    Variant("loss_before_the_step", FILE, "optimization.gradient",
            (("        dW = grad_fn(W)\n        W = W - learning_rate * dW\n        history.append(loss_fn(W))\n",
              "        history.append(loss_fn(W))\n        dW = grad_fn(W)\n        W = W - learning_rate * dW\n"),),
            both(GRADIENT, 0.5, checks.AFTER)),
]

CORRECT = [
    Variant("guesses_collected_then_the_min", FILE, "optimization.sampling",
            (("    best_loss, best_W, history = float(\"inf\"), None, []\n    for _ in range(steps):\n"
              "        W = Matrix.randn(D, C, seed=rng)\n        loss = loss_fn(W)\n        if loss < best_loss:\n"
              "            best_W = W\n            best_loss = loss\n        history.append(best_loss)\n",
              "    tried, history = [], []\n    for step in range(steps):\n"
              "        guess = Matrix.randn(D, C, seed=rng)\n        tried.append((loss_fn(guess), step, guess))\n"
              "        history.append(min(tried)[0])\n    best_W = min(tried)[2]\n"),), {}),
    Variant("tries_in_a_while_loop", FILE, "optimization.local",
            (("    for _ in range(steps):\n        W_try = best_W + step_size * Matrix.randn(D, C, seed=rng)\n",
              "    while len(history) < steps:\n        noise = Matrix.randn(D, C, seed=rng) * step_size\n"
              "        W_try = noise + best_W\n"),
             ("        if loss < best_loss:\n            best_W = W_try\n",
              "        if best_loss > loss:\n            best_W = W_try\n")), {}),
    Variant("steps_written_as_a_sum", FILE, "optimization.gradient",
            (("        W = W - learning_rate * dW\n", "        W = W + dW * (-learning_rate)\n"),), {}),
]


@pytest.mark.parametrize("variant", BUGS, ids=lambda v: v.name)
def test_a_known_mistake_earns_what_it_deserves_with_its_hint_on_every_seed(tmp_path, variant):
    folder = variant_submission(tmp_path, variant)
    for seed in SEEDS:
        tests = graded(folder, variant.stage, seed)
        for name, (fraction, words) in variant.expect.items():
            test = tests[name]
            assert test.score == pytest.approx(fraction * test.max_score), (seed, name, test.status, test.output)
            assert words in test.hint, (seed, name, test.hint, test.output)


@pytest.mark.parametrize("variant", CORRECT, ids=lambda v: v.name)
def test_correct_work_written_another_way_earns_every_point_and_no_hint_on_every_seed(tmp_path, variant):
    folder = variant_submission(tmp_path, variant)
    for seed in SEEDS:
        tests = graded(folder, variant.stage, seed)
        assert all(t.score == t.max_score and not t.hint for t in tests.values()), \
            [(seed, t.name, t.output) for t in tests.values() if t.score < t.max_score or t.hint]
