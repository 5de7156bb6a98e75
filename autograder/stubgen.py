"""The stub generator: turns the course's reference solutions into the student's assignments/ folder.

Each region between `# BEGIN SOLUTION <function>: <stage>` and
`# END SOLUTION` in `course/<assignment>/reference.py` becomes a TODO line and
`raise NotImplementedError("<function>: <stage>")`; the comment above the
region (what to compute, its shape, the formula) stays. Each
`course/<assignment>/notebook.py`, read by `autograder.notebooks`, is written
next to the stubs as `<assignment>.ipynb`.

    python -m autograder stubs                  regenerate assignments/
    python -m autograder stubs --check          exit 1 and name the files that are out of date
    python -m autograder stubs --solutions OUT  write the reference solutions to OUT, as a submission
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Collection, NamedTuple, Optional

from autograder.content import ASSIGNMENTS, COURSE, NOTEBOOK, REFERENCE, part, write_references
from autograder.notebooks import NotebookError, render_notebook

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS_DIR = ROOT / "assignments"

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
# A stage name is "<function or Class.method>: <stage>", e.g. "svm_forward: margins".
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*: [A-Za-z_][A-Za-z0-9_]*")
_EXAMPLE = f"'{BEGIN} svm_forward: margins'"


class MarkerError(ValueError):
    """A malformed solution marker; the message names the file and the line."""


class Region(NamedTuple):
    """One solution region: its stage name, the 1-based lines of its two markers, their indent."""

    name: str
    begin: int
    end: int
    indent: str


def _error(filename: str, line: int, message: str) -> MarkerError:
    """A MarkerError that names the file and line."""
    return MarkerError(f"{filename}:{line}: {message}")


def find_regions(text: str, filename: str = "<reference>") -> list[Region]:
    """The solution regions of a reference file, in order; MarkerError if a marker is malformed."""
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
            if number < 2 or not lines[number - 2].strip().startswith("#"):
                raise _error(filename, number, f"solution region '{name}' needs a comment right above it "
                             "saying what to compute, its shape and the formula (the stub keeps it)")
            current = Region(name, number, 0, indent)
        elif stripped == END:
            if current is None:
                raise _error(filename, number, f"'{END}' without a matching '{BEGIN} <function>: <stage>' above it")
            if indent != current.indent:
                raise _error(filename, number, f"'{END}' is indented differently from its '{BEGIN}' "
                             f"on line {current.begin}")
            if number == current.begin + 1:
                raise _error(filename, number, f"solution region '{current.name}' is empty")
            regions.append(current._replace(end=number))
            current = None
        else:
            raise _error(filename, number, f"malformed marker '{stripped}': expected {_EXAMPLE} or '{END}'")
    if current is not None:
        raise _error(filename, current.begin, f"solution region '{current.name}' is never closed "
                     f"(no '{END}' after it)")
    return regions


def make_stub(text: str, filename: str = "<reference>", stages: Optional[Collection[str]] = None) -> str:
    """The student stub of a reference file: each solution region becomes a TODO and a raise.

    stages: the names of the regions to stub (all when None); the others keep
    the reference code, which lets tests reach every stage on its own.
    """
    lines = text.splitlines()
    out = [f"# Generated from course/{Path(filename).parent.name}/reference.py by `python -m autograder stubs`:",
           "# replace each `raise NotImplementedError` with your code for the stage described above it."]
    position = 0
    for region in find_regions(text, filename):
        if stages is not None and region.name not in stages:
            continue
        out.extend(lines[position:region.begin - 1])
        out.append(f"{region.indent}# TODO ({region.name}): your code here.")
        out.append(f'{region.indent}raise NotImplementedError("{region.name}")')
        position = region.end
    out.extend(lines[position:])
    return "\n".join(out) + "\n"


def generated_files(course: Path = COURSE, out_dir: Path = ASSIGNMENTS_DIR) -> dict[Path, str]:
    """Every generated file (stubs and notebooks) mapped to the text it should hold."""
    files = {}
    for name in ASSIGNMENTS:
        source = part(name, REFERENCE, course)
        if source.is_file():
            files[out_dir / f"{name}.py"] = make_stub(source.read_text(encoding="utf-8"), str(source))
    for name in ASSIGNMENTS:
        if part(name, NOTEBOOK, course).is_file():
            files[out_dir / f"{name}.ipynb"] = render_notebook(name, course)
    return files


def _current(path: Path) -> str | None:
    """The text of path (bytes that are not UTF-8 replaced), or None when it does not exist."""
    return path.read_bytes().decode("utf-8", "replace") if path.exists() else None


def main(argv: list[str]) -> int:
    """Regenerate the stubs and notebooks (or, with --check, report which are out of date)."""
    parser = argparse.ArgumentParser(prog="python -m autograder stubs",
                                     description="Generate assignments/ from the course's reference solutions "
                                                 "and notebook sources.")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a generated file is missing or out of date")
    parser.add_argument("--course", type=Path, default=COURSE,
                        help="the course folder: <assignment>/reference.py and <assignment>/notebook.py")
    parser.add_argument("--out", type=Path, default=ASSIGNMENTS_DIR, help="folder of the stubs and notebooks")
    parser.add_argument("--solutions", type=Path, metavar="OUT",
                        help="instead, copy the reference solutions into OUT as <assignment>.py "
                             "(a submission that scores full marks)")
    args = parser.parse_args(argv)
    if args.solutions:
        print(f"wrote the reference solutions to {write_references(args.solutions, args.course)}")
        return 0
    try:
        files = generated_files(args.course, args.out)
    except (MarkerError, NotebookError) as error:
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
