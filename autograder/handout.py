"""The student handout: the kit a student downloads, with no reference solution and no hidden test.

    python -m autograder handout OUT [--config PATH] [--force]

OUT gets `tinybackprop/`, the stubbed `assignments/` (with notebooks), the
autograder, the course with its public checks only, `pyproject.toml` and a
README for students. Left out: every `course/<assignment>/reference.py` and
`hidden.py`, the notebook sources (the kit has the notebooks) and the
instructor's tools (batch, handout, Gradescope, stub generator). In their
place the kit has `autograder/hidden_manifest.json`, which tells the
student's report how many hidden tests and points wait for grading.

The kit follows the configuration's `[hints]`: its stubs say what the
`stubs` level asks (the goal of each stage by default), and with
`ladder = false` it carries no hint ladder (`course/<assignment>/hints.json`)
and its stubs and README do not mention the hint command.

Before it finishes, the builder searches the kit's code (Python files and
notebook cells, strings and comments aside) for the code of every solution
region of the references, the stubs and the ladders (comments and strings
included) for every line and right-hand side of a solution (and, below the
`code` level, every part of one), and every file for the name of each hidden
test; it refuses to leave a kit that leaks any. The public suites need no
reference: they read the answers recorded for their fixed inputs
(`course/recorded.json`), which the kit keeps.
"""
from __future__ import annotations

import argparse
import ast
import io
import json
import shutil
import sys
import tokenize
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from autograder.content import COURSE, LADDER, NOTEBOOK, SECRETS, reference_files

ROOT = Path(__file__).resolve().parent.parent
AUTOGRADER = ROOT / "autograder"
# The name the student's report reads to say how many hidden tests and points wait.
MANIFEST = "hidden_manifest.json"
# Parts of the autograder only an instructor uses.
INSTRUCTOR_ONLY = ("batch.py", "gradebook.py", "lms.py", "pool.py", "handout.py", "gradescope.py", "stubgen.py",
                   "notebooks.py", "late.py", "overrides.py", "finals.py", "exports.py", "outputs.py", "merge.py",
                   "similarity.py", "passback.py")
# Parts of each assignment's folder the kit leaves out: the secrets, which would give answers
# away, and the notebook source (the kit has the notebook).
COURSE_ONLY = tuple(f"{name}.py" for name in SECRETS + (NOTEBOOK,))
JUNK = ("__pycache__", "*.pyc", ".*", "*.egg-info", ".ipynb_checkpoints")


def manifest(config: Optional[str] = None) -> Dict[str, Any]:
    """What the kit's report needs to know of the hidden tests it lacks: their stage and points.

    One entry per hidden check with its assignment, stage and default points,
    in the format `autograder.grade` reads (so the kit's stage totals rescale
    exactly as the instructor's); no names, because a name tells what a hidden
    test looks at. `points` and `count` are the totals after rescaling by the
    config, for people reading the file.
    """
    from autograder.config import load_config
    from autograder.grade import discover_checks, stage_scales

    checks = discover_checks()
    scales = stage_scales(checks, [], load_config(config))
    hidden = [c for c in checks if c.hidden]
    return {
        "tests": [{"assignment": c.assignment, "stage": c.stage, "points": c.points} for c in hidden],
        "count": len(hidden),
        "points": round(sum(c.points * scales["%s.%s" % (c.assignment, c.stage)] for c in hidden), 4),
    }


def hidden_names() -> List[str]:
    """The names of the hidden checks that the kit must not mention (those no public check shares)."""
    from autograder.grade import discover_checks

    checks = discover_checks()
    public = {c.name for c in checks if not c.hidden}
    return sorted({c.name for c in checks if c.hidden} - public)


def solution_snippets(course: Path = COURSE) -> Dict[str, str]:
    """The code of every solution region, as needles: each pair of consecutive lines, or a lone line.

    Lines are normalized (comments dropped, whitespace removed) so that a copy
    re-indented or re-spaced is still found. Pairs rather than single lines,
    because one line such as `for i in range(N):` is common code, not a leak.
    """
    from autograder.stubgen import find_regions

    needles = {}
    for name, path in sorted(reference_files(course).items()):
        text = path.read_text(encoding="utf-8")
        code = code_lines(text)
        for region in find_regions(text, str(path)):
            body = [code[n] for n in range(region.begin, region.end - 1) if code[n]]
            pieces = ["\n".join(body[i:i + 2]) for i in range(max(len(body) - 1, 1))]
            for piece in pieces:
                if piece:
                    needles[piece] = "%s, %s" % (name, region.name)
    return needles


# Shorter needles (`dz`, `x + y`, `X @ W`) are ordinary words of any text, not a leak.
MIN_NEEDLE = 6


def solution_lines(course: Path = COURSE, parts: bool = True) -> Dict[str, str]:
    """Every line of code of every solution region and each right-hand side, as needles (spacing removed).

    With ``parts``, also the calls, comparisons and arithmetic inside the
    region's code, with their parentheses (``scores.max(axis=1)``,
    ``(z1 > 0)``): what a stub that states only the goal must not say either.
    The texts of a region and the code's comments are not needles, nor is what
    the references say outside their regions (``2 * reg * W`` in a docstring
    is the contract, not an answer).
    """
    from autograder.stubgen import find_regions

    needles, public = {}, []
    for name, path in sorted(reference_files(course).items()):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        code = code_lines(text)
        regions = find_regions(text, str(path))
        secret = {n for region in regions for n in range(region.begin, region.end + 1)}
        public.append("\n".join(line for n, line in enumerate(lines, start=1) if n not in secret))
        tree = ast.parse(text)
        for region in regions:
            inside = range(region.code, region.end)
            pieces = [code[n - 1] for n in inside]
            for node in ast.walk(tree):
                if getattr(node, "lineno", 0) not in inside or getattr(node, "end_lineno", 0) != node.lineno:
                    continue
                if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and \
                        not isinstance(node.value, (ast.Name, ast.Constant, type(None))):
                    pieces.append(_segment(lines, node.value))
                elif parts and isinstance(node, (ast.Call, ast.Compare, ast.BinOp)):
                    pieces.append(_segment(lines, node))
            needles.update({piece: "%s, %s" % (name, region.name) for piece in pieces
                            if len(piece) >= MIN_NEEDLE})
    said = flat_text("\n".join(public))
    return {needle: origin for needle, origin in needles.items() if needle not in said}


def _segment(lines: List[str], node: ast.AST) -> str:
    """The source of a one-line expression, spacing removed, with the parentheses around it if any."""
    line = lines[node.lineno - 1]
    start, end = node.col_offset, node.end_col_offset
    before, after = line[:start].rstrip(), line[end:].lstrip()
    if before.endswith("(") and after.startswith(")") and not before[:-1].rstrip()[-1:].isidentifier():
        start, end = len(before) - 1, len(line) - len(after) + 1
    return "".join(line[start:end].split())


def text_leaks(where: str, text: str, needles: Dict[str, str]) -> List[str]:
    """Where a text holds one of the needles, comments and strings included (spacing and '#' ignored).

    The whole text is one string without spaces, so that a needle a comment
    wraps over two lines is still found.
    """
    flat = flat_text(text)
    return ["%s holds solution code from %s: %s" % (where, origin, needle)
            for needle, origin in needles.items() if needle in flat]


def flat_text(text: str) -> str:
    """A text as one string, without its spacing and the '#' that opens a comment line."""
    return "".join("".join(line.strip().lstrip("#") for line in text.splitlines()).split())


def code_lines(source: str) -> List[str]:
    """The lines of Python source with strings, comments and all whitespace removed ("" if none left).

    Strings are dropped because hints and docstrings state formulas on purpose
    (a hint may say `dz1 = dh1 * (z1 > 0)`); a leak is solution code that runs.
    """
    lines = [list(line) for line in source.splitlines()]
    for (row, col), (end_row, end_col) in string_and_comment_spans(source):
        for r in range(row, end_row + 1):
            if r - 1 < len(lines):
                first = col if r == row else 0
                last = end_col if r == end_row else len(lines[r - 1])
                lines[r - 1][first:last] = [" "] * (last - first)
    return ["".join("".join(line).split()) for line in lines]


# Since Python 3.12 an f-string is several tokens (start, text, the expressions, end), and
# 3.14 adds t-strings likewise: the whole of one, from its start to its end, is a string.
_OPENERS = {getattr(tokenize, name) for name in ("FSTRING_START", "TSTRING_START") if hasattr(tokenize, name)}
_CLOSERS = {getattr(tokenize, name) for name in ("FSTRING_END", "TSTRING_END") if hasattr(tokenize, name)}


def string_and_comment_spans(source: str) -> List[Tuple[Tuple[int, int], Tuple[int, int]]]:
    """The (start, end) positions of every string literal and comment of ``source``."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    spans, depth, opened = [], 0, (0, 0)
    for token in tokens:
        if token.type in _OPENERS:
            if depth == 0:
                opened = token.start
            depth += 1
        elif token.type in _CLOSERS:
            depth -= 1
            if depth == 0:
                spans.append((opened, token.end))
        elif depth == 0 and token.type in (tokenize.STRING, tokenize.COMMENT):
            spans.append((token.start, token.end))
    return spans


def find_leaks(kit: Path, needles: Dict[str, str], names: Iterable[str] = ()) -> List[str]:
    """Where the kit holds solution code (needles) or a hidden test's name, as readable lines."""
    leaks = []
    for path in sorted(p for p in kit.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8", "replace")
        where = path.relative_to(kit)
        for name in names:
            if name in text:
                leaks.append("%s names the hidden test %s" % (where, name))
        # The library is public (it is the same on PyPI); what must not leak is the reference.
        if where.parts[0] == "tinybackprop" or path.suffix not in (".py", ".ipynb"):
            continue
        source = notebook_code(text) if path.suffix == ".ipynb" else text
        code = "\n".join(line for line in code_lines(source) if line)
        leaks.extend("%s holds solution code from %s: %s" % (where, origin, needle.replace("\n", " / "))
                     for needle, origin in needles.items() if needle in code)
    return leaks


def notebook_code(text: str) -> str:
    """The code cells of a notebook's JSON as one source ("" if it is not a notebook)."""
    try:
        cells = json.loads(text).get("cells", [])
    except (ValueError, AttributeError):
        return ""
    sources = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            sources.append("".join(source) if isinstance(source, list) else str(source))
    return "\n".join(sources)


def copy_tree(src: Path, dest: Path, leave_out: Iterable[str] = ()) -> None:
    """Copy a folder without caches, hidden files and the names in leave_out."""
    shutil.copytree(str(src), str(dest), ignore=shutil.ignore_patterns(*JUNK, *leave_out))


def build(out: Path, config: Optional[str] = None) -> Dict[str, Any]:
    """Write the student kit into out (which must not exist); returns the hidden-test manifest."""
    from autograder.config import load_config
    from autograder.stubgen import stub_files

    settings = load_config(config)
    copy_tree(ROOT / "tinybackprop", out / "tinybackprop")
    copy_tree(ROOT / "assignments", out / "assignments")
    stubs = stub_files(COURSE, out / "assignments", settings.stub_level, settings.ladder)
    for path, text in stubs.items():
        path.write_text(text, encoding="utf-8")
    copy_tree(AUTOGRADER, out / "autograder", leave_out=INSTRUCTOR_ONLY)
    copy_tree(COURSE, out / "course", leave_out=COURSE_ONLY + (() if settings.ladder else (LADDER,)))
    # The grader makes course/ mode 0o700 when it runs as root (for its secrets); the kit's
    # course has none, and must be as readable as the rest of the kit.
    shutil.copymode(str(out / "autograder"), str(out / "course"))
    if config:
        # The kit's report must give the same points as the instructor's grading.
        shutil.copyfile(config, str(out / "autograder" / "config.toml"))
    shutil.copyfile(str(ROOT / "pyproject.toml"), str(out / "pyproject.toml"))
    hidden = manifest(config)
    (out / "autograder" / MANIFEST).write_text(json.dumps(hidden, indent=1, sort_keys=True) + "\n",
                                               encoding="utf-8")
    (out / "README.md").write_text(student_readme(hidden, settings.ladder), encoding="utf-8")
    leaks = find_leaks(out, solution_snippets(), hidden_names())
    lines, parts = solution_lines(parts=False), solution_lines(parts=settings.stub_level != "code")
    for path in sorted(p for p in stubs if p.suffix == ".py"):
        leaks += text_leaks(str(path.relative_to(out)), path.read_text(encoding="utf-8"), parts)
    for path in sorted((out / "course").glob("*/" + LADDER)):
        leaks += text_leaks(str(path.relative_to(out)), path.read_text(encoding="utf-8"), lines)
    if leaks:
        raise LeakError("the kit would give answers away:\n  " + "\n  ".join(leaks))
    return hidden


class LeakError(RuntimeError):
    """The kit contains reference solution code or a hidden test's name."""


def student_readme(hidden: Dict[str, Any], ladder: bool = True) -> str:
    """The README of the kit, for students (with the hint command when the ladder is on)."""
    return STUDENT_README.format(tests=hidden["count"], points="%g" % hidden["points"],
                                 hints=HINTS if ladder else "")


STUDENT_README = """\
# tinybackprop: the assignments

You write backpropagation yourself: the gates of the lecture, the SVM and
softmax losses with their gradients (naive loops, then vectorized), a linear
classifier, and a two-layer network, in pure Python on `tinybackprop`'s
`Matrix`.

## Setup
Python 3.9 or newer. From this folder:

    python3 -m pip install -e ".[grader]"

(`rich` draws the report and `nbformat` reads notebooks; the exercises
themselves need nothing but the standard library.)

## Work
Each exercise is a file in `assignments/` with a notebook of the same name
that explains the idea, loads data and checks your work. Fill in every place
that raises `NotImplementedError`: the message names the stage, and the
comment above it says what the stage computes, its shape, and where the idea
is in the lecture. The formula is yours to derive: that is the lesson.
Use only the standard library and `tinybackprop.matrix.Matrix` in your
answers (no numpy): the grader gives no credit to a file that imports
anything else.

## Check your work
    python3 -m autograder                  # everything
    python3 -m autograder svm              # one assignment
    python3 -m autograder svm.backward     # one stage
    python3 -m autograder --submission assignments/svm.py   # one file
    python3 -m autograder --verbose        # every test, and full tracebacks from your code

The report shows, per assignment, one line for each stage: its points and
whether it passed. Under a stage that fails, each failing test says what was
expected, by how much your answer is off, and names the usual mistakes. A
stage you have not started is "not implemented yet", not an error; the
stages you have finished already earn their points. When your code raises,
the report names the file and line (`assignments/svm.py, line 42`).

These are the public tests. Your submission is also graded on {tests} hidden
tests worth {points} points, with inputs drawn at grading time: code that is
right passes them; code that only matches the public examples does not.
{hints}
## Submit
Submit the `assignments/` folder (as a .zip) or your notebook, as your course
tells you. Grade that exact file first:

    python3 -m autograder --submission my_submission.zip
"""


HINTS = """
## Stuck on a stage?
    python3 -m autograder hint svm.backward   # the next hint for the first stage that fails

Each call shows the next of three hints for that stage: the idea, then the
formula, then the shape of the code (`--again` repeats one, `--reset` starts
over). Try the idea alone first.
"""


def main(argv: List[str]) -> int:
    """`python -m autograder handout OUT`: build the student kit; 0 on success."""
    parser = argparse.ArgumentParser(prog="python -m autograder handout",
                                     description="Build the student kit (no solutions, no hidden tests).")
    parser.add_argument("out", type=Path, help="the folder to create")
    parser.add_argument("--config", help="the instructor's config.toml (its points go into the kit)")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    args = parser.parse_args(argv)
    if args.out.exists():
        if not args.force:
            print("error: %s exists; choose a new folder or pass --force to replace it" % args.out,
                  file=sys.stderr)
            return 2
        shutil.rmtree(str(args.out))
    try:
        hidden = build(args.out, args.config)
    except LeakError as exc:
        shutil.rmtree(str(args.out), ignore_errors=True)
        print("error: %s" % exc, file=sys.stderr)
        return 1
    print("Wrote the student kit to %s (%s hidden tests, %s points wait for grading)."
          % (args.out, hidden["count"], hidden["points"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
