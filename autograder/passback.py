"""Grades sent to Canvas through its API: ``python -m autograder passback OUT --url URL --course ID --assignment ID``.

The final grades of ``OUT/grades.csv`` (a batch run with ``--lms canvas``, so
the student column holds Canvas user ids) go to the assignment in one bulk
update, Canvas's "grade or comment on multiple submissions" endpoint, through
the canvasapi library (the instructor extra); a student whose grade was
changed after grading gets the audit as a comment. A ``grader error`` row is
left out: nobody gave that grade. The API token is read from the environment
variable ``CANVAS_TOKEN``, never from the command line, where other users of
the machine could read it. ``--dry-run`` prints what would be sent.
"""
from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path
from typing import Any, Dict, List

TOKEN_VARIABLE = "CANVAS_TOKEN"


def grade_data(grades: Path) -> Dict[int, Dict[str, str]]:
    """{Canvas user id: {"posted_grade": final, "text_comment": audit}} from a grades.csv."""
    data: Dict[int, Dict[str, str]] = {}
    with open(str(grades), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["status"] == "grader error":
                continue
            if not row["student"].isdigit():
                raise ValueError("%s: the student %r is not a Canvas user id; grade the class with "
                                 "batch --lms canvas" % (grades, row["student"]))
            entry = {"posted_grade": row["final"]}
            if row.get("audit"):
                entry["text_comment"] = "Autograder: %s (%s)" % (row["final"], row["audit"])
            data[int(row["student"])] = entry
    return data


def send(url: str, token: str, course: int, assignment: int, data: Dict[int, Dict[str, str]]) -> Any:
    """Post the grades in one bulk update; returns Canvas's progress of the job."""
    try:
        from canvasapi import Canvas
    except ImportError:
        raise SystemExit("error: passback needs canvasapi: python3 -m pip install -e \".[instructor]\"") from None
    target = Canvas(url, token).get_course(course).get_assignment(assignment)
    return target.submissions_bulk_update(grade_data=data)


def main(argv: List[str]) -> int:
    """`python -m autograder passback OUT ...`: 0 when Canvas took the grades, 2 for bad input."""
    parser = argparse.ArgumentParser(prog="python -m autograder passback",
                                     description="Send a batch's final grades to a Canvas assignment.")
    parser.add_argument("out", type=Path, help="the output folder of batch --lms canvas (or of merge)")
    parser.add_argument("--url", required=True, help="your Canvas, e.g. https://canvas.example.edu")
    parser.add_argument("--course", type=int, required=True, help="the course id (in the course's address)")
    parser.add_argument("--assignment", type=int, required=True, help="the assignment id (in its address)")
    parser.add_argument("--dry-run", action="store_true", help="print what would be sent, send nothing")
    args = parser.parse_args(argv)
    try:
        data = grade_data(args.out / "grades.csv")
    except (OSError, ValueError, KeyError) as exc:
        print("error: %s" % exc, file=sys.stderr)
        return 2
    if args.dry_run:
        for user, entry in sorted(data.items()):
            print("%d: %s" % (user, entry))
        print("%d grades would go to assignment %d of course %d." % (len(data), args.assignment, args.course))
        return 0
    token = os.environ.get(TOKEN_VARIABLE, "")
    if not token:
        print("error: set %s to a Canvas API token (Account, Settings, New access token)" % TOKEN_VARIABLE,
              file=sys.stderr)
        return 2
    progress = send(args.url, token, args.course, args.assignment, data)
    print("Canvas took %d grades for assignment %d (job %s: %s)." % (
        len(data), args.assignment, getattr(progress, "id", "?"), getattr(progress, "workflow_state", "?")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
