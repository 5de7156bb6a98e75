"""Fixtures of the site tests: the site built once, a server on 127.0.0.1, headless Chromium, the figures.

These tests need the `site` extra (pip install -e ".[dev,site]"), npm (once, to fetch
Pyodide into the cache) and Debian's chromium; `.ci/site.sh` installs all three and runs
them. They live outside `tests/` so that the main suite needs none of that.
"""
from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# Headless Chromium as root on a machine whose network is closed: without the background
# networking flags Chromium keeps trying to reach its own services.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Where the screenshots go, to be looked at after a run.
SCREENSHOTS = Path(os.environ.get("SITE_SCREENSHOTS") or Path(tempfile.gettempdir()) / "tinybackprop-site-screenshots")

# The figures for the README, printed at the end of the run: {what: text}.
FIGURES: Dict[str, str] = {}


def load_builder():
    """scripts/build_site.py as a module."""
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "scripts" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def figures() -> Dict[str, str]:
    """The figures to print at the end of the run: figures[what] = text."""
    return FIGURES


@pytest.fixture(scope="session")
def builder():
    return load_builder()


@pytest.fixture(scope="session")
def site(builder, tmp_path_factory) -> Path:
    """The site, built once per run from the student kit (downloads come from the cache)."""
    out = tmp_path_factory.mktemp("site") / "site"
    builder.build(out, builder.default_cache())
    return out


@pytest.fixture(scope="session")
def kit(tmp_path_factory) -> Path:
    """The student kit, built by the handout's command line."""
    out = tmp_path_factory.mktemp("kit") / "kit"
    subprocess.run([sys.executable, "-m", "autograder", "handout", str(out)], cwd=str(ROOT), check=True,
                   stdout=subprocess.DEVNULL)
    return out


@pytest.fixture(scope="session")
def screenshots() -> Path:
    if SCREENSHOTS.exists():
        shutil.rmtree(str(SCREENSHOTS))
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler with the MIME types Pyodide and JupyterLite need, whatever /etc/mime.types says."""

    extensions_map = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
                      ".json": "application/json", ".ipynb": "application/json", ".html": "text/html",
                      ".css": "text/css", ".svg": "image/svg+xml", ".whl": "application/zip",
                      ".zip": "application/zip", ".py": "text/x-python"}

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the tests assert on what the browser asked for, not on the server's log."""


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve a folder on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "http://127.0.0.1:%d/" % server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="session")
def serving():
    """serve(folder): a context manager that serves folder on 127.0.0.1 and yields its base URL."""
    return serve


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright (its own browser download cannot work offline)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        pytest.fail("%s is missing: apt-get install -y chromium (.ci/site.sh does)" % CHROMIUM)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


class Visit:
    """A fresh browser context (its own storage) that records every URL it asks for, workers included."""

    def __init__(self, browser, width: int = 1400, height: int = 1000) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.urls: List[str] = []
        self.context.on("request", lambda request: self.urls.append(request.url))
        self.page = self.context.new_page()
        self.page.on("websocket", lambda socket: self.urls.append(socket.url))

    def outside(self) -> List[str]:
        """The URLs asked for that are not on 127.0.0.1 (data: and blob: URLs are not requests)."""
        return [url for url in self.urls
                if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != "127.0.0.1"]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser):
    """Open a Visit; asserts on closing that no request left 127.0.0.1."""
    visits: List[Visit] = []

    def open_visit(**size: int) -> Visit:
        visits.append(Visit(browser, **size))
        return visits[-1]

    yield open_visit
    for opened in visits:
        outside = opened.outside()
        opened.close()
        assert opened.urls, "the browser asked for nothing: the recorder saw no request"
        assert outside == [], "requests left 127.0.0.1: %s" % outside


def pytest_terminal_summary(terminalreporter) -> None:
    """Print the figures measured in this run, and where the screenshots are."""
    if FIGURES:
        terminalreporter.section("site figures (this run, this machine)")
        for what, figure in FIGURES.items():
            terminalreporter.write_line("%s: %s" % (what, figure))
        terminalreporter.write_line("screenshots: %s" % SCREENSHOTS)
