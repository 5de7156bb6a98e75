"""The Gradescope autograder bundle, and the program that runs inside it.

    python -m autograder gradescope OUT.zip [--config PATH] [--format ansi|md] [--hidden-details] [--unisolated]

builds the zip to upload as a Gradescope "programming assignment" autograder
(layout from Gradescope's autograder specification): at the root `setup.sh`
(run once, as root, when Gradescope builds its image: installs the project
with its grader extra into a virtual environment) and `run_autograder` (run
for each submission, from `/autograder`), beside the project's source with the
reference solutions and hidden tests. Its settings (output format, whether
students see hidden tests' messages) are in `gradescope.json`.

`run_autograder` calls `python -m autograder.gradescope --run`, which grades
`/autograder/submission` and writes `/autograder/results/results.json`
(score, tests with visibility; hidden tests `after_published` as the config
says), and writes a zero-score results.json saying what went wrong when
grading itself fails, so Gradescope never shows a blank. Student code runs in
the grader's sandbox, isolated as far as the container allows: Gradescope runs
it as root, usually without CAP_SYS_ADMIN and under Docker's default seccomp
profile, so the probe (``autograder.isolation``) most often finds mode "uid
drop" (an unprivileged uid of the child's own), which grades; the log says
which mode, and results.json records it. Where it finds none, it refuses to
grade unless the bundle was built with ``--unisolated``. The source folder,
with the references and hidden tests, is made readable by root only before
any student code runs. The root
`/autograder` can be moved with the environment variable
`TINYBACKPROP_GRADESCOPE_ROOT` (the tests use a temporary folder).
"""
from __future__ import annotations

import argparse
import dataclasses
import io
import json
import os
import secrets
import sys
import traceback
import zipfile
from pathlib import Path
from typing import Any, Dict, List, Optional

from autograder import isolation
from autograder.gradebook import atomic_write

ROOT = Path(__file__).resolve().parent.parent
ROOT_VARIABLE = "TINYBACKPROP_GRADESCOPE_ROOT"
SETTINGS = "gradescope.json"
FORMATS = ("ansi", "md")
# What the bundle's source holds: what `pip install .` needs, and nothing of tests or notebooks.
SOURCE = ("pyproject.toml", "README.md", "tinybackprop", "autograder", "course")
JUNK_PARTS = ("__pycache__", ".ipynb_checkpoints")
REQUIREMENTS = "requirements.txt"
# What setup.sh installs, and no more: nbformat reads notebooks; rich draws the report only for
# --format ansi. These are the grader extra of pyproject.toml (a test keeps them the same).
GRADER_REQUIREMENTS = {"nbformat": "nbformat>=5.7", "rich": "rich>=13"}
# A fixed date for every zip entry, so that the same project gives the same bytes.
ZIP_DATE = (2020, 1, 1, 0, 0, 0)

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image: a virtual
# environment with what the grader needs (requirements.txt), on a Python 3.9 or newer.
set -euo pipefail
root="${%(variable)s:-/autograder}"
export DEBIAN_FRONTEND=noninteractive
suitable() {  # a Python >= 3.9 that can make a virtual environment
    "$1" -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 9))' >/dev/null 2>&1
}
python=""
for candidate in python3 python3.9 python3.10 python3.11 python3.12 python3.13; do
    if command -v "$candidate" >/dev/null && suitable "$candidate"; then
        python=$(command -v "$candidate")
        break
    fi
done
if [ -z "$python" ]; then
    # The image's Python is older than 3.9 (Ubuntu 18.04: 3.6, 20.04: 3.8) or has no venv
    # (Ubuntu 22.04's python3 without python3-venv): install the oldest suitable one Ubuntu has.
    apt-get update -qq
    if command -v python3 >/dev/null && python3 -c 'import sys; sys.exit(sys.version_info < (3, 9))'; then
        apt-get install -y -qq python3-venv >/dev/null
        python=$(command -v python3)
    else
        for version in 3.9 3.10 3.11 3.12; do
            if apt-cache show "python$version-venv" >/dev/null 2>&1; then
                apt-get install -y -qq "python$version" "python$version-venv" >/dev/null
                python=$(command -v "python$version")
                break
            fi
        done
    fi
fi
if [ -z "$python" ]; then
    # Ubuntu 18.04 has no Python 3.9: take one from the deadsnakes archive.
    apt-get install -y -qq software-properties-common >/dev/null
    add-apt-repository -y ppa:deadsnakes/ppa
    apt-get update -qq
    apt-get install -y -qq python3.11 python3.11-venv >/dev/null
    python=$(command -v python3.11)
fi
echo "setup.sh: the grader runs on $("$python" --version) ($python)"
"$python" -m venv "$root/venv"
"$root/venv/bin/python" -m pip install -q -r "$root/source/requirements.txt"
""" % {"variable": ROOT_VARIABLE}

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission, from /autograder, as root.
# Grading itself (sandbox, unprivileged user, results.json) is done by Python;
# this script only makes sure a results.json exists even if Python cannot start.
root="${%(variable)s:-/autograder}"
export COLUMNS="${COLUMNS:-110}"  # the width of the report when --format ansi
export PYTHONPATH="$root/source${PYTHONPATH:+:$PYTHONPATH}"  # the project, as the bundle holds it
python="${TINYBACKPROP_PYTHON:-$root/venv/bin/python}"
[ -x "$python" ] || python=python3
rm -f "$root/results/results.json"  # never let an old result pass for this submission's
"$python" -m autograder.gradescope --run --root "$root"
status=$?
if [ ! -s "$root/results/results.json" ]; then
    mkdir -p "$root/results"
    printf '%%s\\n' '{"score": 0, "output": "The autograder could not start (exit status '"$status"'). This is not your fault: please tell the course staff.", "tests": []}' > "$root/results/results.json"
fi
exit 0
""" % {"variable": ROOT_VARIABLE}


def requirements(output_format: str) -> List[str]:
    """The packages the grader needs inside Gradescope for this output format."""
    return [GRADER_REQUIREMENTS["nbformat"]] + ([GRADER_REQUIREMENTS["rich"]] if output_format == "ansi" else [])


def bundle_files(config: Optional[str]) -> Dict[str, Path]:
    """The project files of the bundle: archive name -> file on disk (no hint ladder if the config says so)."""
    from autograder.config import load_config
    from autograder.content import LADDER

    ladder = load_config(config).ladder
    files = {}
    for top in SOURCE:
        path = ROOT / top
        if not path.exists():
            continue
        members = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for member in members:
            relative = member.relative_to(ROOT)
            if any(part in JUNK_PARTS for part in relative.parts) or member.suffix == ".pyc":
                continue
            if not ladder and relative.parts[0] == "course" and member.name == LADDER:
                continue
            files[relative.as_posix()] = member
    if config:
        files["autograder/config.toml"] = Path(config)
    return files


def build(out: Path, config: Optional[str] = None, output_format: str = "md",
          hidden_details: bool = False, unisolated: bool = False) -> List[str]:
    """Write the Gradescope bundle to out (a .zip); returns the names it holds."""
    settings = {"output_format": output_format, "hidden_details": hidden_details, "unisolated": unisolated}
    texts = {
        "setup.sh": SETUP_SH,
        "run_autograder": RUN_AUTOGRADER,
        SETTINGS: json.dumps(settings, indent=1, sort_keys=True) + "\n",
    }
    texts[REQUIREMENTS] = "".join(line + "\n" for line in requirements(output_format))
    files = bundle_files(config)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(str(out), "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in texts.items():
            _add(zf, name, text.encode("utf-8"), executable=name in ("setup.sh", "run_autograder"))
        for name, path in sorted(files.items()):
            _add(zf, name, path.read_bytes())
    return sorted(texts) + sorted(files)


def _add(zf: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    """Add one file with a fixed date and Unix permissions (run_autograder must be executable)."""
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, so that the permission bits below are honoured
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    zf.writestr(info, data)


# --- inside Gradescope -----------------------------------------------------------------------


def locate_submission(folder: Path) -> Path:
    """What to grade in Gradescope's submission folder: a lone .zip or notebook, else the folder."""
    entries = [p for p in folder.iterdir() if not p.name.startswith(".") and p.name != "__MACOSX"]
    if len(entries) == 1 and entries[0].is_file() and entries[0].suffix.lower() in (".zip", ".ipynb"):
        return entries[0]
    return folder


def read_settings(source: Path) -> Dict[str, Any]:
    """The bundle's settings (output format, hidden details, unisolated), with defaults if the file is absent."""
    settings = {"output_format": "md", "hidden_details": False, "unisolated": False}
    path = source / SETTINGS
    if path.exists():
        settings.update(json.loads(path.read_text(encoding="utf-8")))
    return settings


def protect(source: Path) -> None:
    """Make the source (references, hidden tests) readable by root only, before student code runs."""
    from autograder.sandbox import running_as_root

    if running_as_root():
        os.chmod(str(source), 0o700)


def run(root: Path) -> Dict[str, Any]:
    """Grade root/submission into root/results/results.json; return what was written."""
    source = root / "source"
    results_path = root / "results" / "results.json"
    seed = secrets.randbelow(2 ** 31)  # inputs drawn at grading time; kept so a grade can be replayed
    try:
        protect(source)
        settings = read_settings(source)
        probe = isolation.probe()
        if not probe.isolated and settings["unisolated"]:
            probe = dataclasses.replace(probe, accepted=True)
        print(probe.describe(), flush=True)  # Gradescope keeps this output for the staff
        if probe.mode is isolation.Mode.NONE and not settings["unisolated"]:
            results = refused(probe)
        else:
            results = grade(locate_submission(root / "submission"), seed, settings, student_name(root), probe)
    except Exception:
        # The traceback is for the staff (Gradescope keeps this process's output), not the student.
        traceback.print_exc()
        results = {
            "score": 0.0,
            "output": "The autograder failed while grading this submission. This is not a grade: "
                      "please tell the course staff.",
            "tests": [],
        }
    results.setdefault("extra_data", {})["seed"] = seed
    atomic_write(results_path, json.dumps(results, indent=1))
    return results


def student_name(root: Path) -> str:
    """Who submitted, from Gradescope's submission_metadata.json ("submission" if it says nothing)."""
    try:
        users = json.loads((root / "submission_metadata.json").read_text(encoding="utf-8"))["users"]
        names = [str(user["name"]) for user in users if isinstance(user, dict) and user.get("name")]
    except (OSError, ValueError, KeyError, TypeError):
        names = []
    return ", ".join(names) or "submission"


def refused(probe: isolation.Probe) -> Dict[str, Any]:
    """The results.json of a submission not graded because its code could not be isolated here."""
    print(probe.refusal(), flush=True)
    return {"score": 0.0, "tests": [],
            "output": "The autograder did not grade this submission: it cannot keep your code apart from "
                      "this machine. This is not a grade: please tell the course staff.",
            "tinybackprop": {"status": "grader error", "isolation": probe.label()}}


def grade(submission: Path, seed: int, settings: Dict[str, Any], student: str,
          probe: isolation.Probe) -> Dict[str, Any]:
    """The results.json of one submission, with the report in the configured format."""
    from autograder.grade import grade_submission

    from autograder.config import load_config

    config = load_config()
    result = dataclasses.replace(grade_submission(str(submission), seed=seed, config=config, probe=probe),
                                 student=student)
    results = result.to_results_json()
    # Hidden tests' messages appear at once only if asked for, or if they are visible anyway.
    show_hidden = settings["hidden_details"] or config.hidden_visibility == "visible"
    shown = result if show_hidden else without_hidden(result)
    if settings["output_format"] == "md":
        results["output"] = shown.to_markdown(True)
    else:
        results["output"] = render_ansi(shown)
    results["output_format"] = settings["output_format"]
    return results


def without_hidden(result: Any) -> Any:
    """The result as a student may see it at once: the public tests' total, hidden tests pending.

    The overall output is visible as soon as grading ends, while each hidden
    test keeps its own visibility (after_published) in tests[]; Gradescope
    hides the submission's score while any test is hidden, so the output must
    not give away a total that counts the hidden tests.
    """
    hidden = [t for t in result.tests if t.hidden]
    public = [t for t in result.tests if not t.hidden]
    return dataclasses.replace(
        result,
        tests=public,
        score=round(sum(t.score for t in public), 4),
        max_score=round(sum(t.max_score for t in public), 4),
        hidden_pending=(len(hidden), round(sum(t.max_score for t in hidden), 4)),
    )


class _Terminal(io.StringIO):
    """A text buffer that says it is a terminal, so the report keeps its colours."""

    def isatty(self) -> bool:
        return True


def render_ansi(result: Any) -> str:
    """The student's terminal report, with its colours, as ANSI text."""
    from autograder.report import print_report

    buffer = _Terminal()
    print_report(result, stream=buffer)
    return buffer.getvalue()


def main(argv: List[str]) -> int:
    """`python -m autograder gradescope OUT.zip` builds the bundle; `--run` grades inside Gradescope."""
    parser = argparse.ArgumentParser(prog="python -m autograder gradescope",
                                     description="Build a Gradescope autograder bundle (a .zip).")
    parser.add_argument("out", nargs="?", type=Path, help="the bundle to write, e.g. autograder.zip")
    parser.add_argument("--config", help="the instructor's config.toml (points, limits, visibility)")
    parser.add_argument("--format", choices=FORMATS, default="md", dest="output_format",
                        help="how Gradescope shows the report: md (Markdown) or ansi (colours)")
    parser.add_argument("--hidden-details", action="store_true",
                        help="show hidden tests' messages in the report (their visibility still applies)")
    parser.add_argument("--unisolated", action="store_true",
                        help="grade even where the students' code cannot be isolated in Gradescope's container "
                             "(the results then say so)")
    parser.add_argument("--run", action="store_true", help="grade a submission (inside Gradescope)")
    parser.add_argument("--root", type=Path, default=Path(os.environ.get(ROOT_VARIABLE, "/autograder")),
                        help="Gradescope's /autograder folder")
    args = parser.parse_args(argv)
    if args.run:
        results = run(args.root)
        print("score %s; results in %s" % (results.get("score"), args.root / "results" / "results.json"))
        return 0
    if args.out is None or args.out.suffix != ".zip":
        parser.error("give the bundle to write, a name ending in .zip (e.g. autograder.zip)")
    from autograder.config import load_config

    if load_config(args.config).hidden_visibility == "hidden":
        # Gradescope's specification: tests with visibility "hidden" are meant to carry no points,
        # and the total a student sees counts them.
        print("warning: with hidden.visibility = \"hidden\", Gradescope shows students a total that "
              "includes the hidden tests' points; after_due_date or after_published keeps it back",
              file=sys.stderr)
    names = build(args.out, args.config, args.output_format, args.hidden_details, args.unisolated)
    print("Wrote %s (%d files). Upload it as the autograder of a Gradescope programming assignment."
          % (args.out, len(names)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
