"""The stub generator: turns the course's reference solutions into the student's assignments/ folder.

A solution region of ``course/<assignment>/reference.py`` opens with its
texts, comment lines right after the BEGIN marker, then the solution code::

    # BEGIN SOLUTION svm_backward: dscores
    # goal: dscores (N x C): what the stage computes, its shape, where in the
    #   lecture, and the question that leads to it (a text goes on over lines
    #   indented by at least two spaces after the #)
    # idea: the first hint: the idea, in words
    # formula: the second hint: the formula, in the lecture's notation
    # code: the third hint: the shape of the code, in words
    <the solution code>
    # END SOLUTION

All four texts are required, in this order. In the stub each region becomes
its texts up to the ``[hints] stubs`` level of the configuration (the goal by
default; ``autograder.ladder.LEVEL_TEXTS``) and
``raise NotImplementedError("<function>: <stage>")``. Every stage's texts,
without code, also go to ``course/<assignment>/hints.json``, the ladder that
``python -m autograder hint`` climbs. Each ``course/<assignment>/notebook.py``,
read by ``autograder.notebooks``, is written next to the stubs as
``<assignment>.ipynb``.

    python -m autograder stubs                  regenerate assignments/ and the ladders
    python -m autograder stubs --check          exit 1 and name the files that are out of date
    python -m autograder stubs --solutions OUT  write the reference solutions to OUT, as a submission
"""
from __future__ import annotations

import argparse
import ast
import re
import sys
import textwrap
from pathlib import Path
from typing import Collection, Dict, List, NamedTuple, Optional, Tuple

from autograder.config import ConfigError, load_config
from autograder.content import ASSIGNMENTS, COURSE, NOTEBOOK, REFERENCE, part, write_references
from autograder.ladder import LEVEL_TEXTS, TEXTS, StageHints, ladder_json, ladder_path
from autograder.notebooks import NotebookError, render_notebook

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS_DIR = ROOT / "assignments"

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
# A stage name is "<function or Class.method>: <stage>", e.g. "svm_forward: margins".
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*: [A-Za-z_][A-Za-z0-9_]*")
_EXAMPLE = f"'{BEGIN} svm_forward: margins'"
# A text opens with "# <label>: " and goes on over lines indented by at least two spaces after the "#".
_LABEL = re.compile(r"# ([a-z]+): (\S.*)")
_MORE = re.compile(r"#  +(\S.*)")
_TEXTS_WANTED = ", ".join(f"'# {label}: ...'" for label in TEXTS)
WIDTH = 100  # the longest line a stub's texts are wrapped to


class MarkerError(ValueError):
    """A malformed solution marker or texts; the message names the file and the line."""


class Region(NamedTuple):
    """One solution region: its stage name, the 1-based lines of its two markers, their indent, its texts.

    ``texts`` maps each label of ``autograder.ladder.TEXTS`` to its text (its lines joined);
    ``code`` is the 1-based line where the solution code starts, after the texts.
    """

    name: str
    begin: int
    end: int
    indent: str
    texts: Dict[str, str]
    code: int


def _error(filename: str, line: int, message: str) -> MarkerError:
    """A MarkerError that names the file and line."""
    return MarkerError(f"{filename}:{line}: {message}")


def read_texts(lines: List[str], begin: int, name: str, indent: str, filename: str) -> Tuple[Dict[str, str], int]:
    """The texts that open the region whose BEGIN marker is on line ``begin`` (1-based).

    Returns (label -> text, the 1-based line after the texts); MarkerError when a text is
    missing, out of order or unknown.
    """
    texts: Dict[str, List[str]] = {}
    number = begin + 1
    while number <= len(lines):
        line = lines[number - 1]
        stripped = line.strip()
        label = _LABEL.fullmatch(stripped)
        more = _MORE.fullmatch(stripped)
        if not line.startswith(indent + "#") or "SOLUTION" in stripped or not (label or more):
            break
        if label:
            wanted = TEXTS[len(texts)] if len(texts) < len(TEXTS) else None
            if label.group(1) != wanted:
                if wanted is None and label.group(1) not in TEXTS:
                    break  # a comment of the solution code, after the four texts
                raise _error(filename, number, f"text '{label.group(1)}' of solution region '{name}' "
                             + (f"where '# {wanted}: ...' belongs: " if wanted else "comes twice: ")
                             + f"a region opens with {_TEXTS_WANTED}, in this order")
            texts[label.group(1)] = [label.group(2)]
        elif texts and len(texts) <= len(TEXTS):
            texts[list(texts)[-1]].append(more.group(1))
        else:
            break
        number += 1
    if len(texts) < len(TEXTS):
        missing = TEXTS[len(texts)]
        raise _error(filename, number, f"solution region '{name}' (line {begin}) needs its '# {missing}: ...' "
                     f"text here: a region opens with {_TEXTS_WANTED}, in this order, before its code")
    return {label: " ".join(parts) for label, parts in texts.items()}, number


def find_regions(text: str, filename: str = "<reference>") -> list[Region]:
    """The solution regions of a reference file, in order; MarkerError if a marker or a text is malformed."""
    regions: list[Region] = []
    current: Optional[Region] = None  # the open region, its end not known yet
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if "BEGIN SOLUTION" not in stripped and "END SOLUTION" not in stripped:
            continue
        indent = line[: len(line) - len(line.lstrip())]
        if stripped.startswith(BEGIN):
            name = stripped[len(BEGIN):].strip()
            if current is not None:
                raise _error(filename, number, f"nested solution region '{name}': region '{current.name}' "
                             f"from line {current.begin} is still open (close it with '{END}' first)")
            if not name:
                raise _error(filename, number, "unnamed solution region: expected "
                             f"'{BEGIN} <function>: <stage>', e.g. {_EXAMPLE}")
            if not _NAME.fullmatch(name) or stripped != f"{BEGIN} {name}":
                raise _error(filename, number, f"malformed stage name '{name}': expected "
                             f"'<function>: <stage>', e.g. {_EXAMPLE}")
            if any(region.name == name for region in regions):
                raise _error(filename, number, f"stage '{name}' appears twice: each stage needs its own name")
            texts, code = read_texts(lines, number, name, indent, filename)
            current = Region(name, number, 0, indent, texts, code)
        elif stripped == END:
            if current is None:
                raise _error(filename, number, f"'{END}' without a matching '{BEGIN} <function>: <stage>' above it")
            if indent != current.indent:
                raise _error(filename, number, f"'{END}' is indented differently from its '{BEGIN}' "
                             f"on line {current.begin}")
            if not any(line.strip() and not line.strip().startswith("#")
                       for line in lines[current.code - 1:number - 1]):
                raise _error(filename, number, f"solution region '{current.name}' has no code after its texts")
            regions.append(current._replace(end=number))
            current = None
        else:
            raise _error(filename, number, f"malformed marker '{stripped}': expected {_EXAMPLE} or '{END}'")
    if current is not None:
        raise _error(filename, current.begin, f"solution region '{current.name}' is never closed "
                     f"(no '{END}' after it)")
    return regions


def stub_texts(region: Region, level: str = "goal") -> List[str]:
    """The comment lines a stub shows for a region at a [hints] stubs level: the goal, then the hints."""
    out = []
    for label in LEVEL_TEXTS[level]:
        opening = "" if label == "goal" else label.capitalize() + ": "
        out += textwrap.wrap(region.texts[label], width=WIDTH, initial_indent=f"{region.indent}# {opening}",
                             subsequent_indent=f"{region.indent}#   ", break_long_words=False,
                             break_on_hyphens=False)
    return out


def make_stub(text: str, filename: str = "<reference>", stages: Optional[Collection[str]] = None,
              level: str = "goal", ladder: bool = True) -> str:
    """The student stub of a reference file: each solution region becomes its texts and a raise.

    stages: the names of the regions to stub (all when None); the others keep
    the reference code, which lets tests reach every stage on its own. level:
    how much the stub says (``autograder.ladder.LEVEL_TEXTS``); ladder: whether
    the header points to ``python -m autograder hint``.
    """
    lines = text.splitlines()
    assignment = Path(filename).parent.name
    out = [f"# Generated from course/{assignment}/reference.py by `python -m autograder stubs`:",
           "# replace each `raise NotImplementedError` with your code for the stage described above it."]
    if ladder:
        out.append(f"# Stuck? `python -m autograder hint {assignment}` gives a hint for the first stage that fails.")
    position = 0
    for region in find_regions(text, filename):
        if stages is not None and region.name not in stages:
            continue
        out.extend(lines[position:region.begin - 1])
        out.extend(stub_texts(region, level))
        out.append(f'{region.indent}raise NotImplementedError("{region.name}")')
        position = region.end
    out.extend(lines[position:])
    return "\n".join(out) + "\n"


def stage_hints(text: str, filename: str = "<reference>") -> List[StageHints]:
    """The hint ladder of a reference file: every region's texts and the names it hands on.

    A region hands on the variables it assigns (``x = ...``, ``x += ...``,
    ``x[i] = ...``) that its function reads after the region: what the checks
    compare, and so what their messages name when the stage is wrong.
    """
    tree = ast.parse(text, filename)
    functions = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    stages = []
    for region in find_regions(text, filename):
        around = [f for f in functions if f.lineno <= region.begin <= (f.end_lineno or 0)]
        function = max(around, key=lambda f: f.lineno) if around else tree
        assigned: List[str] = []
        read_after = set()
        for node in ast.walk(function):
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and region.code <= node.lineno < region.end:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                assigned += [name for target in targets for name in _assigned_names(target) if name not in assigned]
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.lineno > region.end:
                read_after.add(node.id)
        stages.append(StageHints(region.name, tuple(n for n in assigned if n in read_after),
                                 *(region.texts[label] for label in TEXTS)))
    return stages


def _assigned_names(target: ast.expr) -> List[str]:
    """The variables an assignment target writes: ``x``, the ``x`` of ``x[i]``, each of ``a, b``."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Subscript):
        return _assigned_names(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _assigned_names(element)]
    return []  # self.W = ...: an attribute, which no check names


def stub_files(course: Path = COURSE, out_dir: Path = ASSIGNMENTS_DIR, level: str = "goal",
               ladder: bool = True) -> dict[Path, str]:
    """The stubs and notebooks of every assignment, mapped to the text each file should hold."""
    files = {}
    for name in ASSIGNMENTS:
        source = part(name, REFERENCE, course)
        if source.is_file():
            files[out_dir / f"{name}.py"] = make_stub(source.read_text(encoding="utf-8"), str(source),
                                                      level=level, ladder=ladder)
    for name in ASSIGNMENTS:
        if part(name, NOTEBOOK, course).is_file():
            files[out_dir / f"{name}.ipynb"] = render_notebook(name, course)
    return files


def ladder_files(course: Path = COURSE) -> dict[Path, str]:
    """The hint ladder of every assignment with a reference: ``course/<assignment>/hints.json``."""
    files = {}
    for name in ASSIGNMENTS:
        source = part(name, REFERENCE, course)
        if source.is_file():
            stages = stage_hints(source.read_text(encoding="utf-8"), str(source))
            files[ladder_path(name, course)] = ladder_json(name, stages)
    return files


def generated_files(course: Path = COURSE, out_dir: Path = ASSIGNMENTS_DIR, level: str = "goal",
                    ladder: bool = True) -> dict[Path, str]:
    """Every generated file (stubs, notebooks, ladders) mapped to the text it should hold."""
    return {**stub_files(course, out_dir, level, ladder), **ladder_files(course)}


def _current(path: Path) -> str | None:
    """The text of path (bytes that are not UTF-8 replaced), or None when it does not exist."""
    return path.read_bytes().decode("utf-8", "replace") if path.exists() else None


def main(argv: list[str]) -> int:
    """Regenerate the stubs, notebooks and ladders (or, with --check, report which are out of date)."""
    parser = argparse.ArgumentParser(prog="python -m autograder stubs",
                                     description="Generate assignments/ and the hint ladders from the course's "
                                                 "reference solutions and notebook sources.")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a generated file is missing or out of date")
    parser.add_argument("--course", type=Path, default=COURSE,
                        help="the course folder: <assignment>/reference.py and <assignment>/notebook.py")
    parser.add_argument("--out", type=Path, default=ASSIGNMENTS_DIR, help="folder of the stubs and notebooks")
    parser.add_argument("--config", metavar="FILE",
                        help="a config.toml other than autograder/config.toml (its [hints] section)")
    parser.add_argument("--solutions", type=Path, metavar="OUT",
                        help="instead, copy the reference solutions into OUT as <assignment>.py "
                             "(a submission that scores full marks)")
    args = parser.parse_args(argv)
    if args.solutions:
        print(f"wrote the reference solutions to {write_references(args.solutions, args.course)}")
        return 0
    try:
        config = load_config(args.config)
        files = generated_files(args.course, args.out, config.stub_level, config.ladder)
    except (MarkerError, NotebookError, ConfigError, SyntaxError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ImportError as error:
        print(f"error: writing the notebooks needs nbformat ({error}); pip install nbformat", file=sys.stderr)
        return 2
    stale = [path for path, text in files.items() if _current(path) != text]
    if args.check:
        for path in stale:
            print(f"out of date: {path} (run `python -m autograder stubs`)", file=sys.stderr)
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for path in stale:
        # newline="\n": the same bytes on every platform, so --check agrees everywhere.
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(files[path])
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
