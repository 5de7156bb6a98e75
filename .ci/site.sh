#!/usr/bin/env bash
# The course in a browser tab, tested as a student uses it (called from .ci/run; installs what it needs):
#  1. Debian's chromium (Playwright's own browser download cannot work offline);
#  2. a fresh virtual environment with the dev and site extras;
#  3. the site tests: build the JupyterLite site from the student kit, serve it on 127.0.0.1, run the
#     gates and two-layer-net notebooks (as shipped and solved, every check cell graded in the browser),
#     deep graphs and the landing page in headless Chromium, and print the figures for the README
#     (size, time to a ready kernel, notebook time against native CPython).
# Screenshots go to $SITE_SCREENSHOTS (default: the temporary folder's tinybackprop-site-screenshots).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "/usr/bin/chromium is missing; install the Debian package chromium" >&2
        exit 1
    fi
    echo "== installing Debian's chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if ! command -v npm >/dev/null; then
    echo "npm is missing: the site build fetches the npm package pyodide once (install Node.js and npm)" >&2
    exit 1
fi

echo "== the site tests (headless Chromium)"
python3 -m venv "$work/venv"
# shellcheck disable=SC1091
. "$work/venv/bin/activate"
python3 -m pip install -q -e ".[dev,site]"
python3 -m pytest -q -p no:cacheprovider site_tests
