"""``python -m autograder hint [svm | svm.backward]``: the next hint for the first stage that fails.

The command grades what it is asked (every assignment by default, in the
local ``assignments/`` or ``--submission PATH``), finds the first solution
stage that fails, and shows the next rung of that stage's ladder
(``autograder.ladder``): the idea, then the formula, then the shape of the
code. The stage is read from what the checks report: a stub's message names
its stage (``svm_forward: margins``); a wrong answer names the first entry
that is wrong (``right so far: scores; then cache['margins'] ...``), which
is a variable some stage hands on; a crash or a timeout names its function.

What was shown is remembered per graded folder in a small file beside it
(``.tinybackprop-hints.json``), so that calling again climbs the ladder;
``--again`` repeats the last hint, ``--reset`` starts over. When the
instructor switched the ladder off (``[hints] ladder = false``) the command
says so and shows nothing.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Sequence, Set, Tuple

from autograder.compare import NOTE
from autograder.config import ConfigError, load_config
from autograder.grade import grade_submission
from autograder.ladder import RUNG_NAMES, RUNGS, LadderError, StageHints, read_ladder
from autograder.results import GradeResult, TestResult, assignment_problem, grouped
from autograder.submission import local_assignments
from autograder.suite import ASSIGNMENTS

STATE = ".tinybackprop-hints.json"
LADDER_OFF = ("No hints: the instructor has switched hints off for this course "
              "([hints] ladder = false in autograder/config.toml).")
WIDTH = 100
# The functions a grading stage calls when no function is named after it.
CALLS = {"vectorized": ("forward", "backward")}
_RIGHT_SO_FAR = re.compile(r"\bright(?: so far)?: ([\w, ]+)")
_IS_RIGHT = re.compile(r"(?:\b(?:cache|grads)\['(\w+)'\]|\b(\w+)) (?:= \S+ )?is right")
_TABLE_OK = re.compile(r"^\s*(\w+)\s+\S+\s+\S+\s+ok$", re.MULTILINE)
# What a message says is wrong: cache['x'] or grads['x'], "x is ...", "x has shape ...", "x[0, 2]: ...",
# "x, y do not match ...", a table row "x  -4  3  WRONG".
_CLAIM = re.compile(r"\b(?:cache|grads)\['(\w+)'\]"
                    r"|\b([A-Za-z_]\w*)(?=(?: = \S+)? (?:is|has)\b|\[\d|(?:, \w+)* do(?:es)? not match)"
                    r"|^\s*(\w+)\s+\S+\s+\S+\s+WRONG$", re.MULTILINE)


class Found(NamedTuple):
    """The first failing stage: its assignment, grading stage, ladder stage, the test that says so, and
    whether the test's message pointed at the stage (False: it is the first stage the test depends on)."""

    assignment: str
    grading_stage: str
    stage: StageHints
    test: TestResult
    evidence: bool


def function_words(function: str) -> Set[str]:
    """The words of a function's name: ``svm_loss_naive`` -> svm, loss, naive."""
    return set(re.split(r"[_.]", function))


def own_stages(grading_stage: str, grading_stages: Sequence[str], ladder: List[StageHints]) -> List[StageHints]:
    """The ladder stages a grading stage is about: those of the functions named for it.

    ``svm.forward`` is about svm_forward; ``svm.vectorized`` calls the forward and
    backward functions; a grading stage that names no function (``training``,
    ``gates``) is about the functions no other grading stage of the assignment names.
    """
    words = set(CALLS.get(grading_stage, (grading_stage,)))
    own = [s for s in ladder if function_words(s.function) & words]
    if own:
        return own
    others = {word for other in grading_stages if other != grading_stage
              for word in CALLS.get(other, (other,))}
    return [s for s in ladder if not function_words(s.function) & others] or list(ladder)


def mentions(text: str, function: str) -> bool:
    """True when a message names a function (``svm_forward``, ``MaxGate.backward``) as a whole word."""
    return re.search(rf"(?<!\w){re.escape(function)}(?!\w)", text) is not None


def right_names(text: str) -> Set[str]:
    """The names a message says are right: ``right so far: a, b``, ``x = 3 is right``, a table's ``ok`` rows."""
    names = {name.strip() for match in _RIGHT_SO_FAR.findall(text) for name in match.split(",")}
    names |= {key or word for key, word in _IS_RIGHT.findall(text)}
    return names | set(_TABLE_OK.findall(text))


def hands_on(name: str, stage: StageHints) -> bool:
    """True when a name in a message is what a stage hands on (``W1`` of ``grads['W1']`` is ``dW1``)."""
    return name in stage.outputs or "d" + name in stage.outputs or \
        (name == "loss" and any(output.endswith("loss") for output in stage.outputs))


def locate(test: TestResult, ladder: List[StageHints], own: List[StageHints]) -> Optional[Tuple[StageHints, bool]]:
    """The stage a failing test points at, and whether its message says so (see the module's docstring).

    In order: a stage named in the message (a stub's); among ``own``, narrowed to the
    functions the message or hint names (else to those the test's name is about), the first
    that hands on a name the message says is wrong; the one stage of a function named; else
    the first candidate whose outputs are not all called right (a guess, unless the message
    called some earlier ones right).
    """
    named = [(test.output.find(stage.name), index) for index, stage in enumerate(ladder)
             if stage.name in test.output]
    if named:
        return ladder[min(named)[1]], True
    words = function_words(test.name.split(".")[-1])
    overlap = {id(s): len(function_words(s.function) & words) for s in own}
    named_functions = [s for s in own if mentions(test.output + "\n" + test.hint, s.function)]
    candidates = named_functions or \
        [s for s in own if overlap[id(s)] >= 2 and overlap[id(s)] == max(overlap.values())] or own
    right = right_names(test.output)
    for groups in _CLAIM.findall(test.output):
        name = "".join(groups)
        if name in right:
            continue
        for stage in candidates:
            if hands_on(name, stage):
                return stage, True
    if len(named_functions) == 1:
        return named_functions[0], True  # "MaxGate.backward is wrong": a function of one stage
    guess = next((s for s in candidates if not s.outputs or not set(s.outputs) <= right),
                 candidates[0] if candidates else None)
    # A crash after "right so far: scores, margins" stopped in the stage after those: evidence too.
    after_right = any(set(s.outputs) & right for s in candidates)
    return (guess, after_right) if guess else None


def first_failing(assignment: str, stages: Dict[str, List[TestResult]],
                  ladder: List[StageHints]) -> Optional[Found]:
    """The first solution stage of an assignment that fails, in the report's order; None if all pass.

    stages: the assignment's tests by grading stage (``results.grouped``). Within a
    grading stage, its own functions' stages come first (svm.backward's gradient check
    may stop in svm_forward, but svm_backward's stages are what it is about).
    """
    for grading_stage, tests in stages.items():
        failing = [t for t in tests if t.status != "passed"]
        if not failing or not ladder:
            continue
        own = own_stages(grading_stage, list(stages), ladder)
        found = [Found(assignment, grading_stage, pair[0], test, pair[1]) for test in failing
                 for pair in [locate(test, ladder, own)] if pair]
        if found and not any(f.evidence for f in found):
            # No failing message names a stage (a crash on huge scores), but a passing test's note may:
            # "Note, not a deduction, ...: cache['shifted'] is off" is the stage the crash comes from.
            noted = [Found(assignment, grading_stage, pair[0], test, True) for test in tests
                     if test.status == "passed" and NOTE in test.output
                     for pair in [locate(test, ladder, own)] if pair and pair[1]]
            found = noted or found
        if found:
            return min(found, key=lambda f: (f.stage not in own, not f.evidence, ladder.index(f.stage)))
    return None


# -- what was shown, per graded folder ----------------------------------------------------

def state_file(graded: Path) -> Path:
    """Where the hints shown for a graded folder (or file) are remembered: beside it."""
    return graded.resolve().parent / STATE


def read_shown(graded: Path) -> Dict[str, int]:
    """stage name -> how many rungs of its ladder were shown (0 when the file is absent or unreadable)."""
    try:
        data = json.loads(state_file(graded).read_text(encoding="utf-8"))
        shown = data.get(graded.resolve().name, {})
        return {str(k): int(v) for k, v in shown.items()} if isinstance(shown, dict) else {}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def write_shown(graded: Path, shown: Dict[str, int]) -> str:
    """Remember the hints shown; returns "" or why they could not be remembered."""
    path = state_file(graded)
    try:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            data = data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            data = {}
        data[graded.resolve().name] = shown
        path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        return f"(the hints shown could not be remembered in {path}: {exc.strerror or exc})"
    return ""


# -- the command -----------------------------------------------------------------------------

def wrapped(text: str, first: str = "", rest: str = "  ") -> List[str]:
    """A text wrapped for the terminal."""
    return textwrap.wrap(text, width=WIDTH, initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False)


# How to see the last hint again and how to start over, as the command line and a notebook say it.
COMMAND_WORDS = ("--again shows this one again", "--again shows it again, --reset starts over")
NOTEBOOK_WORDS = ("again=True shows this one again", "again=True shows it again")


def show(found: Found, rung: int, again_command: str, words: Tuple[str, str] = COMMAND_WORDS) -> List[str]:
    """The lines that show one rung (1, 2 or 3) of a stage's ladder, with the goal above it."""
    stage, test = found.stage, found.test
    why = test.output.splitlines()[0] if test.output else test.status
    label = RUNGS[rung - 1]
    where = f"{found.assignment}.{found.grading_stage}"
    if found.evidence:
        lines = [f"{where}: the first stage that fails is {stage.name}"]
    else:
        lines = wrapped(f"{where} fails, and its checks do not say at which stage; the first stage it "
                        f"depends on is {stage.name}", "", "")
    lines += [*wrapped(f"({test.name}: {why})", "  ", "   "), ""]
    lines += wrapped(stage.goal, "", "") + [""]
    lines += wrapped(stage.text(label), f"Hint {rung} of {len(RUNGS)}, {RUNG_NAMES[label]}: ") + [""]
    if rung < len(RUNGS):
        lines.append(f"Run `{again_command}` again for hint {rung + 1} ({RUNG_NAMES[RUNGS[rung]]}); "
                     f"{words[0]}.")
    else:
        lines.append(f"That was the last hint for this stage: the rest is yours to derive. {words[1]}.")
    return lines


def parser() -> argparse.ArgumentParser:
    """The hint command's arguments."""
    p = argparse.ArgumentParser(prog="python -m autograder hint",
                                description="Grade, find the first stage that fails, and show the next hint "
                                            "of its ladder: the idea, the formula, the shape of the code.")
    p.add_argument("target", nargs="?", metavar="ASSIGNMENT[.STAGE]",
                   help="where to look, e.g. svm or svm.backward (default: every assignment)")
    p.add_argument("--again", action="store_true", help="show the last hint again instead of the next one")
    p.add_argument("--reset", action="store_true", help="forget the hints shown and start over")
    p.add_argument("--submission", metavar="PATH",
                   help="a folder, .zip, .ipynb or .py to grade (default: the local assignments/ folder)")
    p.add_argument("--seed", type=int, help="seed of the random inputs (default: a fresh one)")
    p.add_argument("--config", metavar="FILE", help="a config.toml other than autograder/config.toml")
    return p


def read_ladders() -> Dict[str, List[StageHints]]:
    """The hint ladder of each assignment this kit has one for (LadderError when one is unreadable)."""
    return {name: ladder for name in ASSIGNMENTS for ladder in [read_ladder(name)] if ladder}


def advice(result: GradeResult, ladders: Dict[str, List[StageHints]], graded: Path, shown: Dict[str, int],
           target: Optional[str], again: bool, reset: bool, command: str,
           words: Tuple[str, str] = COMMAND_WORDS) -> Tuple[int, List[str]]:
    """The next hint for the first stage of ``result`` that fails, as lines, and the exit code (0: a hint
    or "every stage passes" was shown, 1: none can be); remembers the rung shown beside ``graded``.

    shown: the rungs already shown (``read_shown``, less those ``reset`` forgot); command: what the
    student runs for the next one.
    """
    if not grouped(result):
        return 1, [f"Nothing to give a hint on: {result.message}"]
    found = None
    for name, stages in grouped(result).items():
        problem = assignment_problem([t for tests in stages.values() for t in tests])
        if problem:
            return 1, [f"{name}: {problem}", f"No stage of {name} can run until that is fixed."]
        found = first_failing(name, stages, ladders.get(name, []))
        if found:
            break
    unhinted = [name for name in ASSIGNMENTS if name not in ladders and
                any(t.assignment == name and t.status != "passed" for t in result.tests)]
    if found is None and unhinted:
        return 1, [f"No hints for {', '.join(unhinted)}, which still fail{'s' if len(unhinted) == 1 else ''}: "
                   f"this kit has no course/<assignment>/hints.json for {'it' if len(unhinted) == 1 else 'them'}."]
    if found is None:
        lines = [f"Every stage of {target or 'your assignments'} passes: no hint needed."]
    else:
        rung = max(shown.get(found.stage.name, 0), 1) if again else \
            min(shown.get(found.stage.name, 0) + 1, len(RUNGS))
        shown[found.stage.name] = max(rung, shown.get(found.stage.name, 0))
        lines = show(found, rung, command, words)
    trouble = write_shown(graded, shown) if found is not None or reset else ""
    return 0, lines + ([trouble] if trouble else [])


def main(argv: List[str]) -> int:
    """``python -m autograder hint``: 0 when a hint (or "all passes") was shown, 1 when none can be, 2 on bad use."""
    args = parser().parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not config.ladder:
        print(LADDER_OFF)
        return 1
    assignment = (args.target or "").split(".")[0]
    try:
        ladders = read_ladders()
    except LadderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if assignment in ASSIGNMENTS and assignment not in ladders:
        print(f"No hints for {assignment}: this kit has no course/{assignment}/hints.json.")
        return 1
    graded = Path(args.submission) if args.submission else local_assignments()
    target = args.target
    if target is None and graded.suffix == ".py" and graded.stem in ASSIGNMENTS:
        target = assignment = graded.stem  # one file submitted: its assignment is all there is
    shown = read_shown(graded)
    if args.reset:
        forget = {s.name for s in ladders.get(assignment, [])} if assignment else set(shown)
        shown = {name: rung for name, rung in shown.items() if name not in forget}
    try:
        result = grade_submission(args.submission, only=[target] if target else None,
                                  seed=args.seed, config=config)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    command = "python -m autograder hint" + (f" {target}" if target else "")
    code, lines = advice(result, ladders, graded, shown, target, args.again, args.reset, command)
    print("\n".join(lines))
    return code
