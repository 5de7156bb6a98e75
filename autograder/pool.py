"""The batch's worker pool: each submission graded in a process of its own, killed if it hangs.

Processes, not threads: the reference computations in the parent are
CPU-bound Python. A worker sends back plain JSON (never a pickle): the
results.json, the Markdown feedback and the gradebook record. A worker that
crashes, dies or outlives its deadline costs only its own submission: it is
killed and reported as ``{"error": ...}``, and the others go on.
"""
from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import signal
import sys
import tempfile
import time
import traceback
from collections import deque
from multiprocessing.connection import wait
from typing import Any, Callable, Dict, Sequence, Tuple

from autograder.gradebook import record_from_result
from autograder.suite import ASSIGNMENTS


def grade_worker(conn: Any, job: Dict[str, Any]) -> None:
    """Run in a worker process: grade one submission and send back plain JSON (never a pickle)."""
    # Ctrl-C (which reaches the whole process group) or the batch's SIGTERM make a worker leave
    # through the grader's own clean-up: its sandboxes are killed and their folders deleted.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda signum, frame: sys.exit(128 + signum))
    if job.get("tmp"):
        # The sandboxes' folders go where the batch cleans up, even after a SIGKILL; the
        # sandbox's unprivileged user must be able to pass through it.
        os.makedirs(job["tmp"], mode=0o711, exist_ok=True)
        tempfile.tempdir = job["tmp"]
    try:
        from autograder.config import load_config
        from autograder.grade import grade_submission
        from autograder.isolation import Installation, Probe, adopt

        config = load_config(job["config"]) if job["config"] else None
        probe = Probe.from_json(job["probe"]) if job.get("probe") else None  # as the batch checked it
        if job.get("installation"):
            adopt(sys.executable, Installation.from_json(job["installation"]))
        result = grade_submission(
            job["path"], only=job["only"], public_only=job["public_only"], seed=job["seed"], config=config,
            probe=probe,
        )
        # The batch's id of the student (a name that is not UTF-8 arrives escaped), not the file's name.
        result = dataclasses.replace(result, student=job["student"])
        record = record_from_result(job["student"], job["key"], result)
        payload = {
            "results": result.to_results_json(),
            "feedback": result.to_markdown(job["hidden_details"]),
            "record": record.to_json(),
        }
    except Exception:  # a grader bug must cost one row, not the batch: the parent records it
        payload = {"error": traceback.format_exc()}
    conn.send_bytes(json.dumps(payload).encode("utf-8"))
    conn.close()


def _context() -> Any:
    """The multiprocessing context: a fork server (cheap, and safe beside the progress thread)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        # Imported once in the server, so that no worker pays for the grader and its suites again.
        suites = ["course.%s.%s" % (a, kind) for kind in ("checks", "hidden") for a in ASSIGNMENTS]
        ctx.set_forkserver_preload(["autograder.grade", "autograder.pool"] + suites)
        return ctx
    return multiprocessing.get_context("spawn")


def run_pool(
    jobs: Sequence[Dict[str, Any]],
    workers: int,
    on_done: Callable[[Dict[str, Any], Dict[str, Any]], None],
    worker_timeout: float,
) -> None:
    """Grade jobs with at most `workers` processes at once, calling on_done(job, payload) for each.

    A worker that dies or outlives worker_timeout is killed and reported as
    {"error": ...}; the others go on.
    """
    ctx = _context()
    pending = deque(jobs)
    running: Dict[Any, Tuple[Dict[str, Any], Any, float]] = {}
    try:
        while pending or running:
            while pending and len(running) < workers:
                job = pending.popleft()
                receiver, sender = ctx.Pipe(duplex=False)
                process = ctx.Process(target=grade_worker, args=(sender, job), name="grade-" + job["student"])
                process.start()
                sender.close()  # so the receiver sees EOF if the worker dies
                running[receiver] = (job, process, time.monotonic())
            # Wake up no later than the first worker's deadline, so the watchdog is on time.
            first_deadline = min(started for _, _, started in running.values()) + worker_timeout
            for receiver in wait(list(running), timeout=min(1.0, max(0.0, first_deadline - time.monotonic()))):
                job, process, _ = running.pop(receiver)
                try:
                    payload = json.loads(receiver.recv_bytes().decode("utf-8"))
                except (EOFError, OSError, ValueError):
                    process.join(5)
                    payload = {"error": "the grading process died (exit code %s)" % process.exitcode}
                receiver.close()
                _stop(process)
                on_done(job, payload)
            now = time.monotonic()
            for receiver, (job, process, started) in list(running.items()):
                if now - started > worker_timeout:
                    del running[receiver]
                    receiver.close()
                    _stop(process)
                    on_done(job, {"error": "grading took longer than %g s and was stopped" % worker_timeout})
    finally:
        for receiver, (_, process, _) in running.items():
            receiver.close()
            _stop(process)


def _stop(process: Any) -> None:
    """Make sure a worker process is gone: asked to stop (so it cleans up), then killed."""
    process.join(1)
    if process.is_alive():
        process.terminate()
        process.join(5)
    if process.is_alive():
        process.kill()
        process.join()
