"""Build the course as a static JupyterLite site: the student kit in a browser tab, nothing to install.

    python3 scripts/build_site.py OUT [--cache DIR] [--force]

The site is built from the student kit (`python -m autograder handout`), never
from the instructor's tree: its files are the kit's `assignments/` (stubs,
notebooks, `__init__.py`), its Python kernel is Pyodide with the kit's
`tinybackprop` and its public grader (`autograder` and `course`, for the
notebooks' check cells) preloaded as wheels made from the kit, and its landing
page (`index.html`, from `web/`) runs the lecture's circuits live. Everything the site needs is
inside it: the browser fetches nothing from elsewhere, and the kernel never
falls back to PyPI.

Where the parts come from, each at a pinned version: the Pyodide core from
the npm package `pyodide`; the kernel's pure-Python wheels from PyPI at the
versions of Pyodide's lock file (their sha256 written into the site's
`pyodide-lock.json`); JupyterLite and its Pyodide kernel from the `site` extra
(`pip install -e ".[site]"`). Downloads are kept in the cache folder
(`~/.cache/tinybackprop-site` unless `--cache` or `TINYBACKPROP_SITE_CACHE`),
so a rebuild is offline.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Dict, Iterable, List, Optional

ROOT = Path(__file__).resolve().parent.parent
# The landing page's files, copied to the site's root.
PAGE = ROOT / "web"

# The Pyodide the kernel pins (jupyterlite_pyodide_kernel.constants.PYODIDE_VERSION), from npm,
# checked against the integrity npm's registry gives for that version.
PYODIDE_VERSION = "314.0.6"
PYODIDE_INTEGRITY = ("sha512-BKDTJyIqFxC4BExLqeRS3f5xvXZIjOt8C3zGLN/Cc7tFxSwvKVhVkchQQ2AGLOtR4YrVOIFxbV8poy"
                     "DOOmWwxQ==")
PYODIDE_CORE = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
# jupyterlite-core and jupyterlite-pyodide-kernel work only at matching versions (the extra pins both).
JUPYTERLITE_VERSION = "0.8.6"
KERNEL_EXTENSION = "@jupyterlite/pyodide-kernel-extension"
KERNEL_PLUGIN = KERNEL_EXTENSION + ":kernel"
# What the kernel loads as it starts and Pyodide's lock lists: the npm package holds no wheel of
# them, so they and their dependencies come from PyPI at the lock's versions.
KERNEL_LOCKED = ("micropip", "ipython", "jedi")
# What the kernel needs that Pyodide's lock does not list.
KERNEL_FROM_PYPI = {"comm": "0.2.3"}
# The kernel's own wheels, shipped in its JupyterLite extension.
KERNEL_WHEELS = ("piplite", "pyodide-kernel", "ipykernel")
# The kit's packages made into wheels and preloaded in the kernel: {distribution: its folders}. The
# grader (the engine and the course's public checks) runs the notebooks' check cells in the browser;
# its optional rich is left out (check cells show HTML).
KIT_WHEELS = {"tinybackprop": ("tinybackprop",), "tinybackprop-grader": ("autograder", "course")}
# Unpack archives as plain files (tarfile's 'data' filter, where this Python has it).
DATA_ONLY = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
# Where the site keeps Pyodide, its lock file and every wheel (the kernel's pyodideUrl folder).
PYODIDE_DIR = "static/pyodide"


class BuildError(RuntimeError):
    """The site cannot be built as asked; the message says what is missing or wrong."""


def default_cache() -> Path:
    """The download cache: $TINYBACKPROP_SITE_CACHE, else $XDG_CACHE_HOME or ~/.cache, /tinybackprop-site."""
    if os.environ.get("TINYBACKPROP_SITE_CACHE"):
        return Path(os.environ["TINYBACKPROP_SITE_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tinybackprop-site"


def run(command: List[str], what: str, cwd: Optional[Path] = None) -> str:
    """Run a command; its output, or a BuildError that says what failed and shows the output."""
    done = subprocess.run(command, cwd=None if cwd is None else str(cwd), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        raise BuildError("%s failed (%s, exit %d):\n%s" % (what, " ".join(command), done.returncode,
                                                          done.stdout[-4000:]))
    return done.stdout


def canonical(name: str) -> str:
    """A distribution's name as Pyodide's lock keys it (PEP 503: lower case, runs of -_. as -)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256(path: Path) -> str:
    """The hex sha256 of a file, as the lock file records it."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pyodide_core(cache: Path) -> Path:
    """The folder of the npm package `pyodide` at PYODIDE_VERSION, fetched with npm once, then cached."""
    folder = cache / ("pyodide-" + PYODIDE_VERSION)
    if (folder / "package" / "pyodide-lock.json").is_file():
        return folder / "package"
    tarball = cache / ("pyodide-%s.tgz" % PYODIDE_VERSION)
    if not tarball.is_file():
        if shutil.which("npm") is None:
            raise BuildError("npm is needed once to fetch the npm package pyodide@%s (install Node.js and npm)"
                             % PYODIDE_VERSION)
        cache.mkdir(parents=True, exist_ok=True)
        run(["npm", "pack", "pyodide@" + PYODIDE_VERSION, "--pack-destination", str(cache)],
            "fetching pyodide@%s from npm" % PYODIDE_VERSION)
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if integrity != PYODIDE_INTEGRITY:
        raise BuildError("%s is not npm's pyodide@%s (integrity %s, expected %s); delete it and rebuild"
                         % (tarball, PYODIDE_VERSION, integrity, PYODIDE_INTEGRITY))
    unpacking = Path(tempfile.mkdtemp(dir=str(cache)))
    with tarfile.open(str(tarball)) as archive:
        for name in PYODIDE_CORE:
            archive.extract("package/" + name, str(unpacking), **DATA_ONLY)
    unpacking.rename(folder)
    return folder / "package"


def locked_closure(lock: dict, roots: Iterable[str]) -> List[str]:
    """The lock's names of roots and everything they depend on, in the lock file's spelling."""
    packages = lock["packages"]
    seen: List[str] = []
    todo = [canonical(name) for name in roots]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in packages:
            raise BuildError("Pyodide %s's lock file has no package %s" % (PYODIDE_VERSION, name))
        seen.append(name)
        todo.extend(canonical(dep) for dep in packages[name]["depends"])
    return sorted(seen)


def pypi_wheels(requirements: Dict[str, str], python: str, cache: Path) -> Dict[str, Path]:
    """{name: wheel} of pure-Python wheels from PyPI at exact versions, downloaded once into the cache."""
    folder = cache / "wheels"
    folder.mkdir(parents=True, exist_ok=True)

    def cached(name: str, version: str) -> Optional[Path]:
        stem = re.sub(r"[-_.]+", "_", name).lower() + "-" + version + "-"
        found = [p for p in folder.glob("*.whl") if p.name.lower().startswith(stem)]
        return found[0] if found else None

    missing = ["%s==%s" % item for item in sorted(requirements.items()) if cached(*item) is None]
    if missing:
        run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             "--python-version", python, "--dest", str(folder)] + missing,
            "downloading the kernel's wheels from PyPI")
    wheels = {}
    for name, version in requirements.items():
        wheel = cached(name, version)
        if wheel is None or not wheel.name.endswith("-none-any.whl"):
            raise BuildError("PyPI gave no pure-Python wheel of %s %s (the kernel needs one)" % (name, version))
        wheels[canonical(name)] = wheel
    return wheels


def kernel_extension() -> Path:
    """The installed JupyterLite extension of the Pyodide kernel, after checking the site's tools."""
    from importlib.metadata import PackageNotFoundError, version

    for tool in ("jupyterlite-core", "jupyterlite-pyodide-kernel"):
        try:
            found = version(tool)
        except PackageNotFoundError:
            found = None
        if found != JUPYTERLITE_VERSION:
            raise BuildError("the site needs %s %s, this Python has %s: pip install -e \".[site]\""
                             % (tool, JUPYTERLITE_VERSION, found or "none"))
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("labextensions"):
        package = Path(folder) / KERNEL_EXTENSION / "package.json"
        if package.is_file() and json.loads(package.read_text(encoding="utf-8"))["version"] == JUPYTERLITE_VERSION:
            return package.parent
    raise BuildError("no JupyterLite extension %s %s is installed: pip install -e \".[site]\""
                     % (KERNEL_EXTENSION, JUPYTERLITE_VERSION))


def kernel_wheels(extension: Path) -> Dict[str, Path]:
    """{name: wheel} of the kernel's own wheels, from its extension's static/pypi folder."""
    wheels = {canonical(p.name.split("-")[0]): p for p in (extension / "static" / "pypi").glob("*.whl")}
    missing = [name for name in KERNEL_WHEELS if name not in wheels]
    if missing:
        raise BuildError("the kernel extension %s ships no wheel of %s" % (extension, ", ".join(missing)))
    return {name: wheels[name] for name in KERNEL_WHEELS}


def kit_version(kit: Path) -> str:
    """The version in the kit's pyproject.toml."""
    found = re.search(r'^version\s*=\s*"([^"]+)"', (kit / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    if not found:
        raise BuildError("the kit's pyproject.toml has no version line (version = \"...\")")
    return found.group(1)


def make_wheel(packages: Iterable[Path], name: str, version: str, dest: Path) -> Path:
    """A pure-Python wheel (py3-none-any) of package folders, byte for byte the same on every build."""
    dist = "%s-%s" % (re.sub(r"[-_.]+", "_", name), version)
    files = {}
    for package in packages:
        for path in sorted(package.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files["%s/%s" % (package.name, path.relative_to(package).as_posix())] = path.read_bytes()
    top_level = sorted({path.split("/")[0] for path in files})
    info = dist + ".dist-info/"
    files[info + "METADATA"] = ("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)).encode()
    files[info + "WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: tinybackprop build_site\n"
                             b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    files[info + "top_level.txt"] = "".join(package + "\n" for package in top_level).encode()
    record = ["%s,sha256=%s,%d" % (path, base64.urlsafe_b64encode(hashlib.sha256(data).digest())
                                   .rstrip(b"=").decode(), len(data)) for path, data in files.items()]
    files[info + "RECORD"] = ("\n".join(record + [info + "RECORD,,"]) + "\n").encode()
    wheel = dest / (dist + "-py3-none-any.whl")
    with zipfile.ZipFile(str(wheel), "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            entry = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data, zipfile.ZIP_DEFLATED)
    return wheel


def wheel_entry(wheel: Path, python: str) -> dict:
    """A lock-file entry for a wheel the lock does not list, read from the wheel's own metadata."""
    from packaging.markers import default_environment
    from packaging.requirements import Requirement

    with zipfile.ZipFile(str(wheel)) as archive:
        names = archive.namelist()
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        headers = archive.read(metadata).decode("utf-8").split("\n\n", 1)[0].splitlines()
    fields = [line.split(": ", 1) for line in headers if ": " in line]
    # Pyodide's environment, for markers such as `sys_platform != "emscripten"`.
    pyodide = dict(default_environment(), sys_platform="emscripten", platform_system="Emscripten",
                   platform_machine="wasm32", python_version=python, python_full_version=python + ".0",
                   extra="")
    depends = []
    for key, value in fields:
        if key == "Requires-Dist":
            requirement = Requirement(value)
            if requirement.marker is None or requirement.marker.evaluate(pyodide):
                depends.append(canonical(requirement.name))
    top = sorted({n.split("/")[0].replace(".py", "") for n in names
                  if not n.split("/")[0].endswith((".dist-info", ".data"))})
    field = dict(fields)
    return {"name": canonical(field["Name"]), "version": field["Version"], "file_name": wheel.name,
            "install_dir": "site", "sha256": sha256(wheel), "package_type": "package", "imports": top,
            "depends": sorted(depends), "unvendored_tests": False}


def site_lock(core_lock: dict, locked: Dict[str, Path], extra: Dict[str, Path]) -> dict:
    """Pyodide's lock file cut down to the wheels the site holds, each entry with its wheel's sha256.

    locked: wheels of packages the core lock lists (its entry kept, file name and hash replaced);
    extra: wheels it does not list (an entry made from the wheel's metadata).
    """
    python = ".".join(core_lock["info"]["python"].split(".")[:2])
    packages = {}
    for name, wheel in locked.items():
        packages[name] = dict(core_lock["packages"][name], file_name=wheel.name, sha256=sha256(wheel))
    for wheel in extra.values():
        entry = wheel_entry(wheel, python)
        packages[entry["name"]] = entry
    for entry in packages.values():
        missing = [dep for dep in entry["depends"] if canonical(dep) not in packages]
        if missing:
            raise BuildError("%s needs %s, which the site does not hold" % (entry["name"], ", ".join(missing)))
    return {"info": core_lock["info"], "packages": dict(sorted(packages.items()))}


def lite_config(preload: List[str]) -> dict:
    """The site's jupyter-lite.json: the local Pyodide, its lock, the packages to preload, no PyPI."""
    pyodide = "./%s/" % PYODIDE_DIR
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "tinybackprop",
            "litePluginSettings": {KERNEL_PLUGIN: {
                "pyodideUrl": pyodide + "pyodide.mjs",
                "disablePyPIFallback": True,
                "loadPyodideOptions": {"lockFileURL": pyodide + "pyodide-lock.json", "packages": preload},
            }},
        },
    }


def check_site(out: Path, expected: dict) -> None:
    """Raise a BuildError unless the built site points its kernel at its own Pyodide and holds every wheel."""
    config = json.loads((out / "jupyter-lite.json").read_text(encoding="utf-8"))
    settings = config["jupyter-config-data"].get("litePluginSettings", {}).get(KERNEL_PLUGIN, {})
    wanted = expected["jupyter-config-data"]["litePluginSettings"][KERNEL_PLUGIN]
    for key, value in wanted.items():
        if settings.get(key) != value:
            raise BuildError("the built jupyter-lite.json has %s = %r, not %r" % (key, settings.get(key), value))
    lock = json.loads((out / PYODIDE_DIR / "pyodide-lock.json").read_text(encoding="utf-8"))
    for entry in lock["packages"].values():
        wheel = out / PYODIDE_DIR / entry["file_name"]
        if not wheel.is_file() or sha256(wheel) != entry["sha256"]:
            raise BuildError("the site's lock file lists %s, which the site does not hold as locked" % wheel)


def build(out: Path, cache: Path, force: bool = False) -> Dict[str, object]:
    """Build the site into out (replaced only if force); returns what went into it (versions, packages).

    A build that fails leaves no half-built site behind.
    """
    if out.exists() and not force:
        raise BuildError("%s exists; choose a new folder or pass --force to replace it" % out)
    shutil.rmtree(str(out), ignore_errors=True)
    try:
        return build_into(out, cache)
    except BaseException:
        shutil.rmtree(str(out), ignore_errors=True)
        raise


def build_into(out: Path, cache: Path) -> Dict[str, object]:
    """The steps of `build`: the kit, Pyodide and the wheels, the lock file, JupyterLite, the landing page."""
    extension = kernel_extension()
    with tempfile.TemporaryDirectory(prefix="tinybackprop-site-") as tmp:
        work = Path(tmp)
        kit = work / "kit"
        run([sys.executable, "-m", "autograder", "handout", str(kit)], "building the student kit", cwd=ROOT)
        lite = work / "lite"
        # The assignments' README tells how to grade on the command line, which the browser has not.
        shutil.copytree(str(kit / "assignments"), str(lite / "files" / "assignments"),
                        ignore=shutil.ignore_patterns("*.md"))

        core = pyodide_core(cache)
        core_lock = json.loads((core / "pyodide-lock.json").read_text(encoding="utf-8"))
        python = ".".join(core_lock["info"]["python"].split(".")[:2])
        names = locked_closure(core_lock, KERNEL_LOCKED)
        locked = pypi_wheels({name: core_lock["packages"][name]["version"] for name in names}, python, cache)
        extra = pypi_wheels(KERNEL_FROM_PYPI, python, cache)
        extra.update(kernel_wheels(extension))
        (work / "kit-wheels").mkdir()
        for dist, folders in KIT_WHEELS.items():
            extra[dist] = make_wheel([kit / folder for folder in folders], dist, kit_version(kit),
                                     work / "kit-wheels")

        pyodide = lite / PYODIDE_DIR
        pyodide.mkdir(parents=True)
        for name in PYODIDE_CORE[:-1]:
            shutil.copyfile(str(core / name), str(pyodide / name))
        for wheel in list(locked.values()) + list(extra.values()):
            shutil.copyfile(str(wheel), str(pyodide / wheel.name))
        lock = site_lock(core_lock, locked, extra)
        (pyodide / "pyodide-lock.json").write_text(json.dumps(lock, indent=1) + "\n", encoding="utf-8")

        preload = sorted(set(KERNEL_LOCKED) | set(KERNEL_FROM_PYPI) | set(KERNEL_WHEELS) | set(KIT_WHEELS))
        config = lite_config(preload)
        (lite / "jupyter-lite.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
        build_config = {"LiteBuildConfig": {
            "contents": ["files"], "no_sourcemaps": True,
            # Only the kernel's extension, not whatever else this Python has installed.
            "ignore_sys_prefix": ["federated_extensions"], "federated_extensions": [str(extension)]}}
        (lite / "jupyter_lite_config.json").write_text(json.dumps(build_config, indent=1) + "\n",
                                                       encoding="utf-8")
        run([sys.executable, "-m", "jupyter", "lite", "build", "--lite-dir", str(lite), "--output-dir", str(out)],
            "jupyter lite build", cwd=lite)
        for page in PAGE.iterdir():
            if page.is_file():
                shutil.copyfile(str(page), str(out / page.name))
        check_site(out, config)
    return {"pyodide": PYODIDE_VERSION, "jupyterlite": JUPYTERLITE_VERSION,
            "packages": {name: entry["version"] for name, entry in lock["packages"].items()}}


def main(argv: Optional[List[str]] = None) -> int:
    """`python3 scripts/build_site.py OUT`: build the site; 0 on success, 1 if it could not be built."""
    parser = argparse.ArgumentParser(prog="python3 scripts/build_site.py",
                                     description="Build the course as a static JupyterLite site.")
    parser.add_argument("out", type=Path, help="the folder to create")
    parser.add_argument("--cache", type=Path, default=None,
                        help="where downloads are kept (default: %s)" % default_cache())
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    args = parser.parse_args(argv)
    try:
        built = build(args.out.resolve(), (args.cache or default_cache()).resolve(), args.force)
    except BuildError as exc:
        print("error: %s" % exc, file=sys.stderr)
        return 1
    print("Wrote the site to %s (Pyodide %s, JupyterLite %s; preloaded: %s)." % (
        args.out, built["pyodide"], built["jupyterlite"], ", ".join(sorted(KIT_WHEELS))))
    print("Serve it over HTTP (python3 -m http.server -d %s) and open index.html." % args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
