"""Grade passback through canvasapi, against a local server that plays Canvas and records what it is sent."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from autograder import passback

pytest.importorskip("canvasapi", reason="the instructor extra (canvasapi) is part of the dev extra")

GRADES = ("student,total,max,days_late,penalty,adjustment,final,gates,status,message,audit\n"
          "1001,10,10,0,0,0,10,10,graded,,\n"
          "1002,10,10,2,2,0,8,10,graded,,2 days late: -20% of 10 points = -2\n"
          "1003,0,10,0,0,0,0,0,grader error,the sandbox failed,\n")


class FakeCanvas(BaseHTTPRequestHandler):
    """Canvas's answers to the three requests of a bulk grade update; every request is recorded."""

    requests: list = []

    def reply(self, body: dict) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.requests.append(("GET", self.path, self.headers.get("Authorization"), {}))
        if self.path.startswith("/api/v1/courses/7/assignments/9"):
            self.reply({"id": 9, "course_id": 7, "name": "Backprop 1"})
        else:
            self.reply({"id": 7, "name": "CS 231"})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
        self.requests.append(("POST", self.path, self.headers.get("Authorization"), parse_qs(body)))
        self.reply({"id": 55, "workflow_state": "queued", "url": "http://canvas/api/v1/progress/55"})

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def canvas():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeCanvas)
    FakeCanvas.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


# The fake Canvas speaks plain HTTP on 127.0.0.1; canvasapi warns about that, rightly, for a real one.
@pytest.mark.filterwarnings("ignore:Canvas may respond unexpectedly")
def test_final_grades_go_to_canvas_in_one_bulk_update(tmp_path, canvas, monkeypatch, capsys):
    (tmp_path / "grades.csv").write_text(GRADES, encoding="utf-8")
    monkeypatch.setenv("CANVAS_TOKEN", "secret-token")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")

    assert passback.main([str(tmp_path), "--url", canvas, "--course", "7", "--assignment", "9"]) == 0

    posts = [r for r in FakeCanvas.requests if r[0] == "POST"]
    assert len(posts) == 1 and posts[0][1] == "/api/v1/courses/7/assignments/9/submissions/update_grades"
    assert all(r[2] == "Bearer secret-token" for r in FakeCanvas.requests)
    sent = posts[0][3]
    assert sent["grade_data[1001][posted_grade]"] == ["10"] and sent["grade_data[1002][posted_grade]"] == ["8"]
    assert "2 days late" in sent["grade_data[1002][text_comment]"][0]
    assert not any("1003" in key for key in sent)  # a grader error is nobody's grade
    assert "job 55: queued" in capsys.readouterr().out


def test_passback_needs_a_token_and_canvas_ids(tmp_path, monkeypatch, capsys):
    (tmp_path / "grades.csv").write_text(GRADES, encoding="utf-8")
    monkeypatch.delenv("CANVAS_TOKEN", raising=False)
    argv = [str(tmp_path), "--url", "http://127.0.0.1:9", "--course", "7", "--assignment", "9"]
    assert passback.main(argv) == 2 and "CANVAS_TOKEN" in capsys.readouterr().err
    (tmp_path / "grades.csv").write_text(GRADES.replace("1001,", "alice,"), encoding="utf-8")
    assert passback.main(argv) == 2 and "--lms canvas" in capsys.readouterr().err
