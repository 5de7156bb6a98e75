"""Cheating submissions (tests/autograder/cheats/): none gains a point, each ends with a clear status.

Each fixture is a submission with an ``svm.py`` that attacks the grader one
way: the grading itself (fake output, exits, loops, floods, a forged reply,
encodings that hide an import, a zip bomb) or the machine around the child
(the course, a classmate's submission, another copy of the reference, the
grader's process, the network, the temporary folders). They are graded on the
SVM suites with short limits, in the mode the probe finds on this machine, and
every grading must end with a valid, small results.json within a bounded
time, leaving no file in the temporary folders and no process behind. An
attack on the machine that this machine's mode cannot stop is checked the
other way: batch must refuse to grade here. The attacks whose target the test
makes (a classmate, a planted copy of the course, a web server, the grader's
process) are also run where nothing stops them (mode "none": the child runs as
the grader's user), to show that each one is real.

The suite runs as root, as an unprivileged user and as root of a user
namespace (``.ci/sandbox-nonroot.sh``).
"""
from __future__ import annotations

import ast
import csv
import ctypes
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import struct
import time
import zipfile
import zlib
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import pytest

from autograder import batch, isolation
from autograder.config import load_config
from autograder.content import REFERENCE, part, write_references
from autograder.grade import grade_submission
from autograder.isolation.probe import uid_drop_works
from autograder.results import STATUSES, TEXT_CAP
from autograder.sandbox import Sandbox
from autograder.suite import Session
from autograder.workspace import SHARED_TEMPORARY, Workspace

CHEATS = Path(__file__).resolve().parent / "cheats"
REPO = Path(__file__).resolve().parents[2]
STAGES = ["svm.naive", "svm.forward", "svm.backward"]
PROBE = isolation.probe()
HOST_TMP = tempfile.gettempdir()
SLACK_SECONDS = 30.0  # beyond the submission's budget: starting children, a loaded machine
RESULTS_BYTES = 256 * 1024
MARKER = "tinybackprop-cheat-"  # the start of every file name a cheat writes
PR_SET_CHILD_SUBREAPER = 36

# What each cheat may end as; anything else (or a single point) is a hole in the grader.
EXPECTED = {
    "zeros": {"failed"},
    "fake_output": {"failed"},
    "sys_exit_at_import": {"error"},
    "os_exit": {"error", "timeout"},  # restarting after each death may use up the time budget
    "infinite_loop_at_import": {"timeout", "failed"},
    "infinite_loop_in_call": {"timeout", "failed"},
    "memory_bomb": {"error", "timeout", "failed"},
    "fork_bomb": {"error"},
    "monkeypatch": {"failed"},
    "always_equal": {"failed", "error"},
    "read_secrets": {"failed", "error"},
    "write_outside": {"failed", "error"},
    "output_flood": {"failed"},
    "forbidden_import": {"forbidden"},
    "escape_process_group": {"timeout", "failed"},
    "library_attribute": {"error", "forbidden"},  # the child's tinybackprop holds Matrix only
    "planted_reference": {"failed", "error", "timeout"},  # its search may outlast the import's limit
    "proc_parent": {"failed", "error"},
    "signal_parent": {"failed", "error"},
    "network": {"failed", "error"},
    "forged_reply": {"failed", "error", "timeout"},
    "tmp_flood": {"failed", "error", "timeout"},  # on a real disk (uid drop) 256 MB a call takes a while
    "exception_flood": {"error", "timeout"},  # 12 MB a call: the submission's budget may run out
    "bom_import": {"forbidden"},
    "coding_cookie": {"forbidden"},
}
BATCH = {"classmate_proc", "classmate_walk"}  # graded in a batch, beside the classmate they read
# The attacks on the machine around the child, and what stops each without namespaces: the uid
# drop (another uid, file permissions), or nothing but the child's isolation.
MACHINE = {"read_secrets": "uid drop", "write_outside": "uid drop", "proc_parent": "uid drop",
           "signal_parent": "uid drop", "tmp_flood": "uid drop", "planted_reference": "isolation",
           "network": "isolation", "classmate_proc": "isolation", "classmate_walk": "isolation"}
UID_DROP = isolation.Probe(isolation.Mode.UID_DROP, "chosen by the test")
NONE = isolation.Probe(isolation.Mode.NONE, "chosen by the test")


def protected(name: str, probe: isolation.Probe) -> bool:
    """Whether grading in ``probe``'s mode stops the attack of fixture ``name``."""
    if probe.isolated or name not in MACHINE:
        return True
    return probe.mode is isolation.Mode.UID_DROP and MACHINE[name] == "uid drop"


@pytest.fixture(scope="module")
def config():
    """The shipped config with limits short enough for tests."""
    shipped = load_config()
    return replace(shipped, limits=replace(shipped.limits, call_seconds=0.5, submission_seconds=2.0,
                                           memory_mb=256))


@pytest.fixture(scope="module", autouse=True)
def reaper():
    """This process adopts every orphan, so that a process a cheat leaves behind is among its descendants."""
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    yield
    libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


@pytest.fixture
def scratch(monkeypatch):
    """The temporary folder of the grader during one test (its workspaces go there), world-traversable."""
    folder = Path(tempfile.mkdtemp(prefix="tinybackprop-cheats-", dir=HOST_TMP))
    folder.chmod(0o755)
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def server():
    """A web server on the grader's loopback that hands out the reference svm.py and counts its requests."""
    source = part("svm", REFERENCE).read_bytes()

    class Handler(BaseHTTPRequestHandler):
        requests = 0

        def do_GET(self) -> None:
            Handler.requests += 1
            self.send_response(200)
            self.end_headers()
            self.wfile.write(source)

        def log_message(self, *args: object) -> None:
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    Handler.port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield Handler
    httpd.shutdown()


@pytest.fixture(scope="module")
def planted():
    """A world-readable copy of the course elsewhere on disk (another clone, a build folder)."""
    folder = Path(tempfile.mkdtemp(prefix="tinybackprop-copy-", dir=HOST_TMP))
    shutil.copytree(REPO / "course" / "svm", folder / "course" / "svm")
    for path in [folder] + list(folder.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)
    yield folder
    shutil.rmtree(folder)


def cheat(name: str, tmp_path: Path, **fill: str) -> Path:
    """A copy of a cheat fixture with the paths it attacks filled in (and ``__KEY__`` for each ``KEY``)."""
    target = tmp_path / name
    shutil.copytree(CHEATS / name, target)
    fill = dict(fill, REPO=str(REPO), TARGET=str(tmp_path))
    for path in target.glob("*.py"):
        source = path.read_bytes().decode("utf-8")
        for key, value in fill.items():
            source = source.replace(f"__{key}__", value)
        path.write_bytes(source.encode("utf-8"))
    return target


def descendants() -> Set[Tuple[int, str]]:
    """The live processes below this one, as (pid, start time): a reused pid is another process."""
    parents = {}
    for entry in (entry for entry in os.listdir("/proc") if entry.isdigit()):
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if fields[0] != "Z":
            parents[int(entry)] = (int(fields[1]), fields[19])
    found: Set[Tuple[int, str]] = set()
    frontier = {os.getpid()}
    while frontier:
        frontier = {pid for pid, (parent, _) in parents.items() if parent in frontier} - {pid for pid, _ in found}
        found |= {(pid, parents[pid][1]) for pid in frontier}
    return found


def processes_left(before: Set[Tuple[int, str]]) -> Set[Tuple[int, str]]:
    """The descendants not in ``before`` still alive a few seconds on (a killed process takes a moment)."""
    end = time.monotonic() + 5.0
    left = descendants() - before
    while left and time.monotonic() < end:
        time.sleep(0.05)
        left = descendants() - before
    return left


def left_behind(scratch: Path) -> list:
    """Files a cheat left in the shared temporary folders, and anything left in the grader's own."""
    found = [str(path) for path in scratch.iterdir()]
    for folder in SHARED_TEMPORARY:
        if os.path.isdir(folder):
            found += [os.path.join(folder, name) for name in os.listdir(folder) if name.startswith(MARKER)]
    return found


def graded(submission: Path, scratch: Path, config, only=STAGES, probe: Optional[isolation.Probe] = None):
    """Grade a submission; check what every grading must leave: a small, valid results.json within a
    bounded time, no file left in the temporary folders, no process left."""
    before = descendants()
    started = time.monotonic()
    result = grade_submission(str(submission), only=only, seed=7, config=config, probe=probe)
    assert time.monotonic() - started < config.limits.submission_seconds + SLACK_SECONDS
    assert result.status == "graded" and result.tests, result.message
    results = json.loads(json.dumps(result.to_results_json()))
    assert len(json.dumps(results)) < RESULTS_BYTES
    assert results["tinybackprop"]["isolation"] == (probe or PROBE).label()
    assert left_behind(scratch) == []
    assert processes_left(before) == set()
    return result


def assert_batch_refuses(tmp_path: Path, capsys) -> None:
    """Check that batch will not grade on this machine, and says why."""
    (tmp_path / "class").mkdir()
    assert batch.main([str(tmp_path / "class"), "--out", str(tmp_path / "out")]) == 1
    assert "cannot be isolated on this machine" in capsys.readouterr().err


def test_every_fixture_is_covered():
    assert {p.name for p in CHEATS.iterdir() if p.is_dir()} == set(EXPECTED) | BATCH | {"zip_bomb"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_cheat_earns_nothing_and_every_test_ends_clearly(name, tmp_path, scratch, config, server, planted,
                                                           capsys):
    if not protected(name, PROBE):
        assert_batch_refuses(tmp_path, capsys)
        return
    submission = cheat(name, tmp_path, GRADER_PID=str(os.getpid()), PORT=str(server.port))
    result = graded(submission, scratch, config)
    assert result.score == 0.0, [(t.name, t.score, t.output) for t in result.tests if t.score]
    statuses = {t.status for t in result.tests}
    assert statuses <= set(STATUSES)
    assert statuses <= EXPECTED[name], [(t.name, t.status, t.output) for t in result.tests]
    for test in result.tests:
        assert test.output, test.name
        assert "autograder/" not in test.output + test.printed  # no grader path, no grader traceback
    if name == "network":
        assert server.requests == 0


@pytest.mark.parametrize("name", ["planted_reference", "proc_parent", "network"])
def test_each_attack_on_the_machine_is_real_where_nothing_stops_it(name, tmp_path, scratch, config, server,
                                                                    planted):
    submission = cheat(name, tmp_path, GRADER_PID=str(os.getpid()), PORT=str(server.port))
    limits = replace(config.limits, call_seconds=5.0, submission_seconds=20.0)
    result = graded(submission, scratch, replace(config, limits=limits), probe=NONE)
    assert result.score > 0, [(t.name, t.status, t.output) for t in result.tests]


def test_printed_fake_results_stay_in_the_printed_output(tmp_path, scratch, config):
    result = graded(cheat("fake_output", tmp_path), scratch, config)
    assert result.score == 0.0
    assert any("Total: 100 / 100" in t.printed for t in result.tests)
    assert "100 / 100" not in result.to_results_json()["output"]


def test_an_output_flood_is_trimmed(tmp_path, scratch, config):
    result = graded(cheat("output_flood", tmp_path), scratch, config)
    assert all(len(t.printed) < 2000 for t in result.tests)


def test_twelve_megabyte_exceptions_are_cut_to_a_few_thousand_characters(tmp_path, scratch, config):
    patient = replace(config, limits=replace(config.limits, call_seconds=5.0, submission_seconds=30.0))
    result = graded(cheat("exception_flood", tmp_path), scratch, patient)
    for test in result.tests:
        assert test.status == "error" and len(test.output) < TEXT_CAP + 100
        assert "more characters not shown" in test.output and "E" * 201 not in test.output


def test_the_static_check_names_the_forbidden_imports(tmp_path, scratch, config):
    result = graded(cheat("forbidden_import", tmp_path), scratch, config)
    message = result.tests[0].output
    assert "tinybackprop.losses" in message and "course.svm.reference" in message


def test_an_import_behind_a_byte_order_mark_is_found(tmp_path, scratch, config):
    submission = cheat("bom_import", tmp_path)
    assert (submission / "svm.py").read_bytes().startswith(b"\xef\xbb\xbf")
    result = graded(submission, scratch, config)
    assert {t.status for t in result.tests} == {"forbidden"}
    assert "line 7: import of os" in result.tests[0].output


def test_a_coding_cookie_that_hides_an_import_is_refused(tmp_path, scratch, config):
    submission = cheat("coding_cookie", tmp_path)
    data = (submission / "svm.py").read_bytes()
    # The trick is real: Python, honouring the cookie, imports os; the text shows only a comment.
    imports = [{alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
               for tree in (ast.parse(data), ast.parse(data.decode("utf-8")))]
    assert imports == [{"os"}, set()]
    result = graded(submission, scratch, config)
    assert {t.status for t in result.tests} == {"forbidden"}
    assert "declares the encoding utf-7 on line 1" in result.tests[0].output


def test_a_forged_reply_and_a_sleep_cost_one_deadline_not_the_grader(tmp_path, scratch, config):
    # svm.vectorized sends a speed check of about 1 MB, more than a pipe holds: its write must give up too.
    result = graded(cheat("forged_reply", tmp_path), scratch, config, only=STAGES + ["svm.vectorized"])
    assert result.score == 0.0
    assert "timeout" in {t.status for t in result.tests}


def test_a_flood_of_the_temporary_folders_leaves_nothing_in_uid_drop_mode_either(tmp_path, scratch, config,
                                                                                capsys):
    can_drop = PROBE.mode is not isolation.Mode.UID_DROP and os.geteuid() == 0 and uid_drop_works(sys.executable)
    modes = [probe for probe in [PROBE] + ([UID_DROP] if can_drop else []) if protected("tmp_flood", probe)]
    if not modes:
        assert_batch_refuses(tmp_path, capsys)
        return
    for probe in modes:  # graded() checks that nothing is left
        result = graded(cheat("tmp_flood", tmp_path / probe.mode.value), scratch, config, probe=probe)
        assert result.score == 0.0


def write_zip(path: Path, members: List[Tuple[str, bytes]]) -> None:
    """A deflated zip of ``members``, each distinct content compressed once (zipfile would compress
    the 2 GB of a bomb entry by entry: seconds of a test's time)."""
    compressed: Dict[int, Tuple[bytes, int]] = {}
    local, central = bytearray(), bytearray()
    for name, data in members:
        if id(data) not in compressed:
            packer = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate, as zip holds it
            compressed[id(data)] = (packer.compress(data) + packer.flush(), zlib.crc32(data))
        body, crc = compressed[id(data)]
        fields = struct.pack("<HHHHHIIIH", 20, 0, 8, 0, 0x21, crc, len(body), len(data), len(name))
        central += struct.pack("<IH", 0x02014B50, 20) + fields + struct.pack("<HHHHII", 0, 0, 0, 0, 0, len(local))
        central += name.encode()
        local += struct.pack("<I", 0x04034B50) + fields + struct.pack("<H", 0) + name.encode() + body
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))


def test_a_zip_bomb_is_read_only_where_it_is_graded(tmp_path, scratch):
    archive, zeros = tmp_path / "bomb.zip", b"\0" * 1_000_000
    write_zip(archive, [("assignments/svm.py", (CHEATS / "zip_bomb" / "svm.py").read_bytes()),
                        ("assignments/softmax.py", b"#" + b" " * 900_000 + b"\n")]  # within the size cap
              + [(f"junk/{number:04d}.bin", zeros) for number in range(1990)])
    with zipfile.ZipFile(archive) as zf:
        assert len(zf.infolist()) == 1992 and sum(info.file_size for info in zf.infolist()) > 1.99e9
    assert archive.stat().st_size < 3_000_000
    # In a process of its own, so that its peak memory is its own.
    script = ("import json, resource, sys\nfrom autograder.grade import grade_submission\n"
              "result = grade_submission(sys.argv[1], only=['svm.naive', 'softmax.naive'], seed=7)\n"
              "print(json.dumps({'rss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
              " 'results': result.to_results_json()}))\n")
    done = subprocess.run([sys.executable, "-c", script, str(archive)], cwd=REPO, capture_output=True,
                          timeout=300, env=dict(os.environ, TMPDIR=str(scratch)))
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    report = json.loads(done.stdout)
    assert report["rss_kb"] < 300_000  # all 2 GB read would be 1.9 GB, as it was
    tests = report["results"]["tests"]
    assert report["results"]["score"] == 0.0 and report["results"]["tinybackprop"]["status"] == "graded"
    assert {t["outcome"] for t in tests if t["assignment"] == "svm"} == {"failed"}
    assert all("expands to more than 100 times its compressed size" in t["output"]
               for t in tests if t["assignment"] == "softmax")
    assert left_behind(scratch) == []


def classroom(name: str) -> Path:
    """A world-readable folder of submissions: alice (the references) and mallory (the cheat ``name``)."""
    folder = Path(tempfile.mkdtemp(prefix="tinybackprop-class-", dir=HOST_TMP))
    write_references(folder / "alice")
    (folder / "mallory").mkdir()
    shutil.copy(CHEATS / name / "svm.py", folder / "mallory" / "svm.py")
    for path in [folder] + list(folder.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return folder


@pytest.mark.parametrize("name", sorted(BATCH))
def test_a_classmates_submission_is_out_of_reach_in_a_batch(name, tmp_path, scratch, capsys):
    if not protected(name, PROBE):
        assert_batch_refuses(tmp_path, capsys)
        return
    folder, out = classroom(name), tmp_path / "out"
    quick = tmp_path / "quick.toml"
    quick.write_text("[limits]\ncall_seconds = 5.0\nsubmission_seconds = 30.0\n", encoding="utf-8")
    before = descendants()
    try:
        done = subprocess.run([sys.executable, "-m", "autograder", "batch", str(folder), "--out", str(out),
                               "--only", "svm", "--jobs", "2", "--config", str(quick)],
                              cwd=REPO, capture_output=True, timeout=600)
        assert done.returncode == 0, done.stderr.decode()[-3000:]
        with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
            grades = {row["student"]: row for row in csv.DictReader(handle)}
        assert float(grades["alice"]["total"]) == float(grades["alice"]["max"]) > 0
        assert float(grades["mallory"]["total"]) == 0.0 and grades["mallory"]["status"] == "graded"
        assert processes_left(before) == set()
        # Where nothing stops it, mallory earns alice's points: the command line that names the folder
        # is held by a process of the test's.
        holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", str(folder)])
        try:
            result = graded(folder / "mallory", scratch, load_config(quick), only=["svm"], probe=NONE)
        finally:
            holder.kill()
            holder.wait()
        assert result.score > 0
    finally:
        shutil.rmtree(folder)


def test_writes_outside_the_work_directory_fail(tmp_path, scratch, config, capsys):
    if not protected("write_outside", PROBE):
        assert_batch_refuses(tmp_path, capsys)
        return
    workspace = Workspace({"svm.py": cheat("write_outside", tmp_path).joinpath("svm.py").read_text()})
    sandbox = Sandbox(workspace, "svm", config.limits)
    try:
        wrote = Session(sandbox, random.Random(0)).call("svm.svm_backward", {})["wrote"]
        untouched = workspace.changed() == []
    finally:
        sandbox.close()
        workspace.close()
    planted = REPO / "tests" / "autograder" / "cheats" / "planted.txt"
    leaked = [p for p in (planted, tmp_path / "planted.txt") if p.exists()]
    for path in leaked:
        path.unlink()
    assert wrote == [] and untouched and leaked == [], (wrote, leaked)


def test_a_cheat_graded_on_every_assignment_scores_0_of_every_point(tmp_path, scratch, config):
    result = graded(cheat("always_equal", tmp_path), scratch, config, only=None)
    assert result.score == 0.0 and result.max_score == sum(config.points.values())
    assert {t.assignment for t in result.tests} == {"gates", "svm", "softmax", "linear_classifier",
                                                    "two_layer_net", "optimization"}


def test_a_sandbox_that_cannot_start_is_a_grader_error_not_a_zero_for_the_student(monkeypatch, tmp_path,
                                                                                   config):
    monkeypatch.setattr("autograder.sandbox.CHILD", tmp_path / "no_such_child.py")
    result = grade_submission(str(cheat("zeros", tmp_path)), only=["svm.naive"], seed=1, config=config)
    assert result.status == "grader error"
    assert "must be redone" in result.message and "no_such_child.py" in result.message
    assert all(t.status == "error" for t in result.tests)
    assert "sandbox did not start" in result.tests[0].output
