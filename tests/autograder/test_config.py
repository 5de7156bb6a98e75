"""The configuration: shipped defaults, the fallback TOML reader, rescaled points, clear errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograder.config import DEFAULT_PATH, ConfigError, load_config, parse_flat_toml
from autograder.grade import absent_hidden, discover_checks, stage_scales
from autograder.results import STAGES
from autograder.suite import ASSIGNMENTS


# The stages of the exercises added after the first 100 points (issue 12): their points come on top.
ADDED = ("gates.vector", "gradient_check.numerical", "gradient_check.rel_error", "gradient_check.sparse")


def test_the_shipped_points_add_up_to_100_over_known_stages_and_the_added_exercises_come_on_top():
    config = load_config()
    assert sum(v for k, v in config.points.items() if k not in ADDED) == pytest.approx(100.0)
    assert all(config.points[key] > 0 for key in ADDED)
    for key in config.points:
        assignment, stage = key.split(".")
        assert assignment in ASSIGNMENTS and stage in STAGES


def test_the_shipped_limits_and_visibility():
    config = load_config()
    assert config.limits.call_seconds > 0 and config.limits.submission_seconds >= config.limits.call_seconds
    assert config.limits.memory_mb >= 128
    assert config.hidden_visibility == "after_published"
    assert "numpy" in config.forbidden_imports and "tinybackprop.nn" in config.forbidden_imports
    assert 0 < config.floor("two_layer_net") <= 1


def test_the_fallback_reader_reads_the_shipped_file():
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    tables = parse_flat_toml(text)
    assert sum(v for k, v in tables["points"].items() if k not in ADDED) == 100
    assert tables["hidden"]["visibility"] == "after_published"
    try:
        import tomllib
    except ImportError:  # Python < 3.11: the checks above are all there is to compare with
        return
    assert tables == {"": {}, **tomllib.loads(text)}


def test_the_fallback_reader_handles_quotes_comments_and_lists():
    tables = parse_flat_toml('# c\n[a]\nx = 1_000 # n\n"q.k" = "v # not a comment"\nl = ["p", "q"]\nb = true\n')
    assert tables["a"] == {"x": 1000, "q.k": "v # not a comment", "l": ["p", "q"], "b": True}


def test_a_bad_line_names_its_number():
    with pytest.raises(ConfigError, match="line 2"):
        parse_flat_toml("[a]\nthis is not toml\n")


@pytest.mark.parametrize("text, words", [
    ("[limits]\ncall_seconds = -1\n", "call_seconds must be a positive number"),
    ('[hidden]\nvisibility = "sometimes"\n', "visibility must be one of"),
    ('[points]\n"svm" = 3\n', "must be '<assignment>.<stage>'"),
    ('[points]\n"svm.forward" = "lots"\n', "must be a number"),
])
def test_invalid_settings_are_refused_clearly(tmp_path, text, words):
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=words):
        load_config(path)


def test_stage_points_rescale_every_check_of_the_stage(tmp_path: Path):
    config = load_config()
    checks = discover_checks()
    scales = stage_scales(checks, [], config)
    totals = {}
    for check in checks:
        key = f"{check.assignment}.{check.stage}"
        totals[key] = totals.get(key, 0.0) + check.points * scales[key]
    assert totals == pytest.approx(config.points)


def test_a_handout_counts_its_hidden_tests_from_the_manifest(tmp_path: Path):
    entries = [{"assignment": "svm", "stage": "forward", "points": 2.0},
               {"assignment": "svm", "stage": "backward", "points": 1.0}]
    (tmp_path / "hidden_manifest.json").write_text(json.dumps({"tests": entries + [{"junk": 1}]}))
    course = tmp_path / "course"  # the kit's course: no hidden suite
    (course / "svm").mkdir(parents=True)
    assert absent_hidden([], root=tmp_path, course=course) == entries
    (course / "svm" / "hidden.py").write_text("CHECKS = []\n")  # the instructor's tree: the hidden suites are here
    assert absent_hidden([], root=tmp_path, course=course) == []


def test_pending_hidden_points_share_the_stage_total_with_the_public_checks():
    config = load_config()
    public = [c for c in discover_checks(public_only=True) if c.assignment == "svm" and c.stage == "forward"]
    absent = [{"assignment": "svm", "stage": "forward", "points": sum(c.points for c in public)}]
    scale = stage_scales(public, absent, config)["svm.forward"]
    assert sum(c.points for c in public) * scale == pytest.approx(config.points["svm.forward"] / 2)
