"""The similarity report of a graded class: ``python -m autograder similarity OUT``.

Pairs of students ranked by how much of their code the two share, with the
stub code every student starts from left out, as an HTML page
(``OUT/similarity.html``): a histogram of all pairs' scores and, for the
pairs above the threshold, each assignment file side by side with the shared
code highlighted. A high score is a reason to look, not a verdict.

The fingerprints are copydetect's (the instructor extra): winnowing over
tokens, as MOSS does, with names and strings replaced by placeholders, so
renaming variables or reformatting does not hide a copy. A pair's score is
the larger of the two sides' shares of fingerprints found in the other's
files. copydetect's own pairwise comparison (which also finds the code to
highlight) took 2.6 ms a file pair, 10 minutes for 300 students of five
files and a day for 3000; a set intersection of the fingerprints ranks all
pairs, and copydetect compares only the pairs shown.
The code is read again from the submissions the batch graded (their path is
in ``OUT/batch.json``; ``--submissions`` gives another), through the same
intake as the batch.
"""
from __future__ import annotations

import argparse
import html
import io
import sys
import tempfile
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from autograder.archive import ArchiveError
from autograder.gradebook import atomic_write, read_record
from autograder.lms import extract_class_zip, find_submissions
from autograder.outputs import read_state
from autograder.submission import LOCAL_ASSIGNMENTS, SubmissionError, load_submission

NOISE_TOKENS = 25  # copydetect's default: shorter runs of shared tokens are noise
GUARANTEE_TOKENS = 25  # shared runs at least this long are always found (winnowing window 1)
THRESHOLD = 0.5
BINS = 20


@dataclass
class FileMatch:
    """One assignment file of a pair: each side's fingerprints, and how many the other side has too."""

    name: str
    prints: Tuple[int, int]  # fingerprints of each side (stub code left out)
    shared: int  # fingerprints both sides have
    slices: Tuple[Any, Any] = (None, None)  # for a shown pair: each side's 2 x M starts and ends of shared code


@dataclass
class Pair:
    """Two students and the code they share."""

    a: str
    b: str
    files: List[FileMatch] = field(default_factory=list)

    @property
    def score(self) -> float:
        """The larger of the two sides' shares of fingerprints found in the other (0 to 1)."""
        shared = sum(f.shared for f in self.files)
        own = [sum(f.prints[side] for f in self.files) for side in (0, 1)]
        return max(shared / n if n else 0.0 for n in own)


def copydetect() -> Any:
    """The copydetect module, or SystemExit saying how to install it."""
    try:
        import copydetect as module
    except ImportError:
        raise SystemExit("error: the similarity report needs copydetect: "
                         "python3 -m pip install -e \".[instructor]\"") from None
    return module


def fingerprint(name: str, code: str, boilerplate: Any) -> Any:
    """copydetect's fingerprint of one file's code, the boilerplate's fingerprints left out."""
    return copydetect().CodeFingerprint(name, NOISE_TOKENS, GUARANTEE_TOKENS - NOISE_TOKENS + 1,
                                        boilerplate=boilerplate, fp=io.StringIO(code))


def stub_fingerprints(stubs: Path) -> Dict[str, Any]:
    """The fingerprints of each stub file (what every student starts from), by file name."""
    return {path.name: sorted(fingerprint(path.name, path.read_text(encoding="utf-8"), None).hashes)
            for path in sorted(stubs.glob("*.py")) if path.name != "__init__.py"}


def compare(sources: Dict[str, Dict[str, str]], stubs: Dict[str, Any]) -> List[Pair]:
    """Every pair of students who hand in a same assignment file, best first.

    Scores come from the fingerprint sets alone (a set intersection per file
    pair); copydetect's slower token-level comparison, which finds the code to
    highlight, runs only for the pairs shown (`highlight`).
    """
    prints = {student: {name: fingerprint(name, code, stubs.get(name)) for name, code in files.items()}
              for student, files in sources.items()}
    hashes = {student: {name: set(p.hashes) for name, p in files.items()} for student, files in prints.items()}
    pairs = []
    for a, b in combinations(sorted(prints), 2):
        pair = Pair(a, b)
        for name in sorted(set(prints[a]) & set(prints[b])):
            left, right = hashes[a][name], hashes[b][name]
            pair.files.append(FileMatch(name, (len(left), len(right)), len(left & right)))
        if pair.files:
            pairs.append(pair)
    return sorted(pairs, key=lambda p: (-p.score, p.a, p.b))


def highlight(pair: Pair, sources: Dict[str, Dict[str, str]], stubs: Dict[str, Any]) -> None:
    """Find where each file of a pair shares code (copydetect's token-level comparison)."""
    for match in pair.files:
        left = fingerprint(match.name, sources[pair.a][match.name], stubs.get(match.name))
        right = fingerprint(match.name, sources[pair.b][match.name], stubs.get(match.name))
        match.slices = copydetect().compare_files(left, right)[2]


def class_sources(out: Path, submissions: Optional[Path], lms: Optional[str]) -> Dict[str, Dict[str, str]]:
    """The assignment files of each student graded in out, read again from the submissions."""
    state = read_state(out)
    root = submissions or (Path(str(state["submissions"])) if state.get("submissions") else None)
    if root is None or not root.exists():
        raise SystemExit("error: cannot find the submissions graded in %s; give them with --submissions PATH"
                         % out)
    graded = {record.student for record in (read_record(p) for p in sorted((out / "results").glob("*.json")))
              if record is not None}
    sources: Dict[str, Dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="tinybackprop-similarity-") as scratch:
        if root.is_file():
            try:
                root, _ = extract_class_zip(root, Path(scratch) / "class")
            except (ArchiveError, OSError) as exc:
                raise SystemExit("error: cannot read %s: %s" % (root, exc)) from None
        for entry in find_submissions(root, Path(scratch) / "staged", lms or str(state.get("lms") or "none")):
            if entry.student not in graded or entry.problem:
                continue
            try:
                sources[entry.student] = dict(load_submission(str(entry.path)).files)
            except SubmissionError:
                continue  # nothing to compare: the gradebook already says why
    return sources


# --- the page --------------------------------------------------------------------------------


def histogram_svg(scores: List[float], threshold: float, width: int = 640, height: int = 160) -> str:
    """A bar chart of the pairs' scores in BINS bins from 0 to 100%, the threshold marked."""
    counts = [0] * BINS
    for score in scores:
        counts[min(int(score * BINS), BINS - 1)] += 1
    top = max(counts + [1])
    bar = width / BINS
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" '
             'aria-label="histogram of pair scores">' % (width, height + 20)]
    for i, count in enumerate(counts):
        tall = (height - 10) * count / top
        parts.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%d-%d%%: %d pairs'
                     '</title></rect>' % (i * bar + 1, height - tall, bar - 2, tall,
                                          "#c0392b" if (i + 1) / BINS > threshold else "#7f8c8d",
                                          100 * i // BINS, 100 * (i + 1) // BINS, count))
    x = threshold * width
    parts.append('<line x1="%.1f" y1="0" x2="%.1f" y2="%d" stroke="#000" stroke-dasharray="4"/>' % (x, x, height))
    for percent in (0, 25, 50, 75, 100):
        parts.append('<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%d%%</text>'
                     % (min(max(percent / 100 * width, 12), width - 16), height + 15, percent))
    parts.append("</svg>")
    return "".join(parts)


def highlighted(code: str, slices: Any) -> str:
    """The code as HTML, the shared parts in <mark>."""
    if slices is None or len(slices) == 0 or slices.shape[1] == 0:
        return html.escape(code)
    from copydetect.utils import highlight_overlap

    text, _ = highlight_overlap(code, slices, "<mark>", "</mark>", escape_html=True)
    return text


STYLE = """body{font-family:sans-serif;margin:2em;max-width:110em}table{border-collapse:collapse}
td,th{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:left}.side{display:flex;gap:1em}
.side pre{flex:1;overflow:auto;background:#f7f7f7;padding:.5em;font-size:12px;max-height:40em}
mark{background:#f9c74f}"""


def report_html(pairs: List[Pair], sources: Dict[str, Dict[str, str]], threshold: float, shown: int,
                stubs: Dict[str, Any]) -> str:
    """The whole page: the histogram, the ranked pairs, and the flagged pairs side by side."""
    flagged = [p for p in pairs if p.score >= threshold][:shown]
    for pair in flagged:
        highlight(pair, sources, stubs)
    out = ["<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Similarity report</title>",
           "<style>%s</style></head><body><h1>Similarity report</h1>" % STYLE,
           "<p>%d students, %d pairs compared; %d at or above the threshold of %d%%. Stub code is left out. "
           "A high score is a reason to look at the code, not a verdict.</p>"
           % (len(sources), len(pairs), sum(p.score >= threshold for p in pairs), round(100 * threshold)),
           histogram_svg([p.score for p in pairs], threshold),
           "<h2>Pairs, most similar first</h2><table><tr><th>#</th><th>students</th><th>score</th>"
           "<th>per file: fingerprints shared, of each side's</th></tr>"]
    for rank, pair in enumerate(pairs[:max(shown, 20)], start=1):
        files = ", ".join("%s %d of %d / %d" % (f.name, f.shared, f.prints[0], f.prints[1]) for f in pair.files)
        anchor = '<a href="#pair%d">' % rank if pair in flagged else "<span>"
        out.append("<tr><td>%d</td><td>%s%s &amp; %s%s</td><td>%d%%</td><td>%s</td></tr>"
                   % (rank, anchor, html.escape(pair.a), html.escape(pair.b),
                      "</a>" if pair in flagged else "</span>", round(100 * pair.score), html.escape(files)))
    out.append("</table>")
    for rank, pair in enumerate(pairs, start=1):
        if pair not in flagged:
            continue
        out.append('<h2 id="pair%d">%d. %s &amp; %s: %d%%</h2>' % (rank, rank, html.escape(pair.a),
                                                                  html.escape(pair.b), round(100 * pair.score)))
        for match in pair.files:
            out.append("<h3>%s</h3><div class=\"side\">" % html.escape(match.name))
            for student, slices in ((pair.a, match.slices[0]), (pair.b, match.slices[1])):
                out.append("<pre><b>%s</b>\n%s</pre>" % (html.escape(student),
                                                         highlighted(sources[student][match.name], slices)))
            out.append("</div>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def main(argv: List[str]) -> int:
    """`python -m autograder similarity OUT`: write OUT/similarity.html and print the top pairs."""
    parser = argparse.ArgumentParser(prog="python -m autograder similarity",
                                     description="Rank pairs of a graded class by shared code (stubs left out).")
    parser.add_argument("out", type=Path, help="the batch's output folder")
    parser.add_argument("--submissions", type=Path, help="the submissions graded (default: from OUT/batch.json)")
    parser.add_argument("--lms", choices=("none", "canvas", "moodle"), help="as given to batch (default: its)")
    parser.add_argument("--threshold", type=float, default=THRESHOLD,
                        help="pairs at or above this score (0 to 1) are shown side by side (default %g)" % THRESHOLD)
    parser.add_argument("--show", type=int, default=50, help="the most pairs shown side by side")
    parser.add_argument("--stubs", type=Path, default=LOCAL_ASSIGNMENTS,
                        help="the stub files students start from (default: the kit's assignments/)")
    args = parser.parse_args(argv)
    if not 0 < args.threshold <= 1:
        parser.error("--threshold must be in (0, 1], got %g" % args.threshold)
    if not (args.out / "results").is_dir():
        parser.error("%s has no results/: not the output of python -m autograder batch" % args.out)
    sources = class_sources(args.out, args.submissions, args.lms)
    stubs = stub_fingerprints(args.stubs)
    pairs = compare(sources, stubs)
    atomic_write(args.out / "similarity.html", report_html(pairs, sources, args.threshold, args.show, stubs))
    for rank, pair in enumerate(pairs[:10], start=1):
        print("%3d. %3d%%  %s  %s" % (rank, round(100 * pair.score), pair.a, pair.b))
    print("Wrote %s (%d pairs, %d at or above %d%%)." % (args.out / "similarity.html", len(pairs),
                                                         sum(p.score >= args.threshold for p in pairs),
                                                         round(100 * args.threshold)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
