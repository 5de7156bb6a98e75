"""Shards joined into one gradebook: ``python -m autograder merge OUT1 OUT2 ... --out DIR``.

Each OUT is a ``batch --shard K/N --seed S`` output folder (or any batch
output). The students' ``results/<id>.json`` are copied as they are, and
grades.csv, the LMS's import, the feedback and the summary are written from
their records exactly as a single batch writes them, so that the merged
grades.csv is byte for byte the one a single machine would have written.
No student code runs. The shards must share the batch seed (they drew the
same hidden inputs); a student graded in two shards must have the same key.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from autograder.gradebook import StudentRecord, read_record
from autograder.outputs import LMS_FILES, Publishing, read_state, write_gradebook, write_state, write_summary


class MergeError(ValueError):
    """Shards that cannot be joined (different seeds, a student graded twice differently)."""


def collect(outs: List[Path]) -> Tuple[Dict[str, Tuple[StudentRecord, Path]], Optional[int]]:
    """Every student's record and results file across the shards, and their common batch seed."""
    seeds = {}
    for out in outs:
        state = read_state(out)
        if "seed" not in state:
            raise MergeError("%s has no batch.json: not the output of python -m autograder batch" % out)
        seeds[str(out)] = state["seed"]
    if len(set(seeds.values())) > 1:
        raise MergeError("the shards have different batch seeds (%s); give every shard the same --seed"
                         % ", ".join("%s: %s" % kv for kv in sorted(seeds.items())))
    found: Dict[str, Tuple[StudentRecord, Path]] = {}
    for out in outs:
        for path in sorted((out / "results").glob("*.json")):
            record = read_record(path)
            if record is None:
                raise MergeError("%s is not a results file the batch wrote" % path)
            if record.student in found and found[record.student][0].key != record.key:
                raise MergeError("student %s was graded differently in %s and %s (another submission, "
                                 "seed or configuration)" % (record.student, found[record.student][1].parent.parent,
                                                              out))
            found.setdefault(record.student, (record, path))
    return found, seeds[str(outs[0])]


def merge(outs: List[Path], dest: Path, publishing: Publishing) -> str:
    """Join the shards into dest; returns the summary."""
    found, seed = collect(outs)
    for student, (_, path) in sorted(found.items()):
        target = dest / "results" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.resolve() != target.resolve():
            shutil.copyfile(str(path), str(target))
        log = path.parent.parent / "logs" / (student + ".log")
        if log.is_file():
            (dest / "logs").mkdir(exist_ok=True)
            shutil.copyfile(str(log), str(dest / "logs" / log.name))
    records = [record for record, _ in found.values()]
    finals = write_gradebook(dest, records, publishing, feedback=True)
    previous_max = read_state(dest).get("max")
    summary = write_summary(dest, records, finals, previous_max)
    top = max([r.max_score for r in records] + [0.0])
    write_state(dest, {"seed": seed, "shard": None, "lms": publishing.lms, "lms_assignment": publishing.title,
                       "max": top or previous_max, "merged_from": [str(out) for out in outs],
                       "submissions": read_state(outs[0]).get("submissions")})
    return summary


def main(argv: List[str]) -> int:
    """`python -m autograder merge OUT1 OUT2 ... --out DIR`: 0 when joined, 2 for bad input."""
    parser = argparse.ArgumentParser(prog="python -m autograder merge",
                                     description="Join batch outputs (shards) into one gradebook.")
    parser.add_argument("outs", nargs="+", type=Path, help="the output folders of the shards")
    parser.add_argument("--out", type=Path, required=True, help="the folder of the joined gradebook")
    parser.add_argument("--config", help="the config.toml whose [late] table applies (default: the shipped one)")
    parser.add_argument("--overrides", help="per-student overrides (.toml or .csv)")
    parser.add_argument("--lms", choices=("none",) + tuple(LMS_FILES),
                        help="the LMS import to write (default: the shards')")
    parser.add_argument("--lms-assignment", metavar="TITLE", help="the assignment's column in Canvas's import")
    args = parser.parse_args(argv)
    state = read_state(args.outs[0])
    try:
        publishing = Publishing.load(args.config, args.overrides, args.lms or str(state.get("lms") or "none"),
                                     args.lms_assignment or str(state.get("lms_assignment") or "tinybackprop"))
        summary = merge(args.outs, args.out, publishing)
    except (OSError, ValueError) as exc:
        print("error: %s" % exc, file=sys.stderr)
        return 2
    print(summary, end="")
    print("Joined %d output folders into %s." % (len(args.outs), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
