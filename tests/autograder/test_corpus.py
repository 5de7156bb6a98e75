"""The same work gets the same grade on every seed, and that grade is what the work deserves.

Correct work written the way students write it scores 100 on 20 seeds with no hint;
wrong training code loses the points of what it got wrong, on every one of 20
seeds, with the hint that names its bug; a backward bug costs the same on every seed
and nothing in training. Each variant is graded once per seed (its own assignment,
or its training stage, only; two at a time on the CI's two cores) and every test
below reads those grades.
"""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import pytest

from corpus import BACKWARD, CORRECT, SEEDS, WRONG, graded
from autograder.grade import discover_checks


@pytest.fixture(scope="module")
def grades(tmp_path_factory) -> dict:
    """Every variant graded on every seed: (variant name, seed) -> its grade."""
    root = tmp_path_factory.mktemp("corpus")
    jobs = [(variant, seed) for variant in CORRECT + WRONG + BACKWARD for seed in SEEDS]
    with ProcessPoolExecutor(max_workers=2) as pool:
        futures = {(variant.name, seed): pool.submit(graded, variant, seed, str(root / f"{variant.name}-{seed}"))
                   for variant, seed in jobs}
        return {key: future.result() for key, future in futures.items()}


@pytest.mark.parametrize("variant", CORRECT, ids=lambda variant: variant.name)
def test_correct_work_scores_every_point_on_every_seed(grades, variant):
    for seed in SEEDS:
        grade = grades[variant.name, seed]
        lost = {name: test for name, test in grade["tests"].items() if test[2] != "passed"}
        assert lost == {} and grade["score"] == grade["max_score"], (seed, lost)


@pytest.mark.parametrize("variant", CORRECT, ids=lambda variant: variant.name)
def test_correct_work_gets_no_hint(grades, variant):
    hints = {(seed, name): test[3] for seed in SEEDS for name, test in grades[variant.name, seed]["tests"].items()
             if test[3]}
    assert hints == {}


@pytest.mark.parametrize("variant", WRONG, ids=lambda variant: variant.name)
def test_wrong_training_code_loses_the_points_of_what_it_got_wrong_on_every_seed(grades, variant):
    prefix = f"{variant.assignment}.training."
    points = {c.name: c.points for c in discover_checks() if c.name.startswith(prefix)}
    deserved = sum(points.values()) - sum(points[prefix + name] for name in variant.fails)
    for seed in SEEDS:
        grade = grades[variant.name, seed]
        failed = {name[len(prefix):] for name, test in grade["tests"].items() if test[0] < test[1]}
        assert failed == set(variant.fails), seed
        assert grade["score"] == pytest.approx(deserved), seed
        for name, words in variant.fails.items():
            assert words in grade["tests"][prefix + name][3], (seed, name, grade["tests"][prefix + name])


@pytest.mark.parametrize("variant", WRONG + BACKWARD, ids=lambda variant: variant.name)
def test_the_same_wrong_code_gets_one_grade_on_every_seed(grades, variant):
    assert len({grades[variant.name, seed]["score"] for seed in SEEDS}) == 1


@pytest.mark.parametrize("variant", BACKWARD, ids=lambda variant: variant.name)
def test_a_backward_bug_is_charged_in_the_backward_stage_only_with_its_hint(grades, variant):
    prefix = f"{variant.assignment}.{variant.stage}."
    for seed in SEEDS:
        tests = grades[variant.name, seed]["tests"]
        failed = {name for name, test in tests.items() if test[0] < test[1]}
        assert failed == {prefix + name for name in variant.fails}, seed
        for name, words in variant.fails.items():
            assert words in tests[prefix + name][3], (seed, name, tests[prefix + name])
