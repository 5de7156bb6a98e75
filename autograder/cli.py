"""The command line: ``python -m autograder`` (or ``tinybackprop-grade``) grades; subcommands delegate.

``python -m autograder [svm | svm.backward ...] [--submission PATH] [--json OUT]
[--public-only] [--seed N] [--verbose] [--config FILE]`` grades the local
``assignments/`` folder (or PATH: a folder, a ``.zip``, a ``.ipynb`` or one
``<assignment>.py``) and prints the report. ``stubs``, ``batch``, ``merge``,
``similarity``, ``passback``, ``handout``, ``gradescope`` and ``hint`` run
``main(argv)`` of ``autograder.stubgen``, ``autograder.batch``,
``autograder.merge``, ``autograder.similarity``, ``autograder.passback``,
``autograder.handout``, ``autograder.gradescope`` and ``autograder.hint``.

Exit status: 0 when the submission was graded (whatever the score), 1 when it
could not be (a bad submission or a grader failure), 2 for a usage error, 130
when interrupted.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
import traceback
from pathlib import Path
from typing import List, Optional

SUBCOMMANDS = {"stubs": "autograder.stubgen", "batch": "autograder.batch", "merge": "autograder.merge",
               "similarity": "autograder.similarity", "passback": "autograder.passback",
               "handout": "autograder.handout", "gradescope": "autograder.gradescope", "hint": "autograder.hint"}


def parser() -> argparse.ArgumentParser:
    """The grading command's arguments."""
    p = argparse.ArgumentParser(
        prog="python -m autograder",
        description="Grade the tinybackprop assignments in a sandbox and explain what is wrong. "
                    f"Subcommands: {', '.join(SUBCOMMANDS)} (each has its own --help).")
    p.add_argument("only", nargs="*", metavar="ASSIGNMENT[.STAGE]",
                   help="grade only these assignments or stages, e.g. svm or svm.backward")
    p.add_argument("--submission", metavar="PATH",
                   help="a folder, .zip, .ipynb or one assignment's .py to grade (default: the local "
                        "assignments/ folder)")
    p.add_argument("--json", metavar="OUT", help="also write Gradescope's results.json to OUT")
    p.add_argument("--public-only", action="store_true", help="run only the public tests")
    p.add_argument("--seed", type=int, help="seed of the random inputs (default: a fresh one)")
    p.add_argument("--verbose", action="store_true",
                   help="show every test, passed ones too, and the full traceback of every exception "
                        "your code raised")
    p.add_argument("--config", metavar="FILE", help="a config.toml other than autograder/config.toml")
    return p


def run_subcommand(name: str, argv: List[str]) -> int:
    """Run ``main(argv)`` of a subcommand's module, with a clear message if it is missing."""
    try:
        module = importlib.import_module(SUBCOMMANDS[name])
    except ImportError as exc:
        print(f"error: the '{name}' command is not available ({SUBCOMMANDS[name]}: {exc})",
              file=sys.stderr)
        return 2
    return int(module.main(argv) or 0)


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of ``python -m autograder`` and ``tinybackprop-grade``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        return run_subcommand(argv[0], argv[1:])
    args = parser().parse_args(argv)
    from autograder import isolation
    from autograder.config import ConfigError, load_config
    from autograder.grade import grade_submission
    from autograder.ladder import available_ladders
    from autograder.report import print_report
    from autograder.submission import local_assignments

    try:
        config = load_config(args.config)
        probe = isolation.probe()
        if not probe.isolated:  # a student's own machine: say so once, and grade
            print(f"warning: {probe.describe()}; your code runs with only its time and memory limits",
                  file=sys.stderr)
        result = grade_submission(args.submission, only=args.only or None,
                                  public_only=args.public_only, seed=args.seed, config=config, probe=probe)
    except (ConfigError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # the sandboxes were closed on the way out
        print("interrupted: nothing was graded", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug of the grader: say so plainly, trace only on request
        print(f"error: the grader itself failed ({type(exc).__name__}: {exc}); this is not your "
              "fault, please report it" + ("" if args.verbose else " (--verbose shows the traceback)"),
              file=sys.stderr)
        if args.verbose:
            traceback.print_exc()
        return 1
    graded = Path(args.submission) if args.submission else local_assignments()
    print_report(result, verbose=args.verbose, graded=graded,
                 hints=available_ladders() if config.ladder else ())
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(result.to_results_json(), out, indent=1)
            out.write("\n")
    return 0 if result.status == "graded" else 1
