"""The site as built: from the student kit, self-contained, pinned, and without a solution or hidden test."""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import zipfile
from pathlib import Path
from typing import List, Set

import pytest

from autograder import handout
from autograder.grade import discover_checks
from autograder.content import REFERENCE, part


def registry_wheels(builder) -> Set[str]:
    """The sha256 of the wheels taken as they are from PyPI (the download cache) and the kernel's extension."""
    folders = [builder.default_cache() / "wheels", builder.kernel_extension() / "static" / "pypi"]
    return {builder.sha256(wheel) for folder in folders for wheel in folder.glob("*.whl")}


def site_leaks(site: Path, work: Path, registry: Set[str]) -> List[str]:
    """The handout's leak search over the site's files, and inside each wheel not taken from a registry.

    Zipped, a wheel's text is hidden from the search, so the wheels the build made (from the kit)
    are searched unpacked; a wheel byte for byte the registry's holds no text of this project.
    """
    needles, names = handout.solution_snippets(), handout.hidden_names()
    leaks = handout.find_leaks(site, needles, names)
    for wheel in sorted(site.rglob("*.whl")):
        if hashlib.sha256(wheel.read_bytes()).hexdigest() in registry:
            continue
        unpacked = work / wheel.name
        with zipfile.ZipFile(str(wheel)) as archive:
            archive.extractall(str(unpacked))
        leaks += ["%s: %s" % (wheel.relative_to(site), leak) for leak in handout.find_leaks(unpacked, needles, names)]
    return leaks


def test_the_sites_files_are_the_kits_assignments(site, kit):
    files = site / "files"
    served = sorted(p.relative_to(files).as_posix() for p in files.rglob("*") if p.is_file())
    wanted = sorted("assignments/" + p.name for p in (kit / "assignments").iterdir() if p.suffix in (".py", ".ipynb"))
    assert "assignments/gates.ipynb" in wanted and "assignments/__init__.py" in wanted
    assert served == wanted
    for name in served:
        assert (files / name).read_bytes() == (kit / name).read_bytes(), name


def test_the_kernel_loads_the_sites_own_pyodide_and_never_pypi(site, builder):
    config = json.loads((site / "jupyter-lite.json").read_text(encoding="utf-8"))["jupyter-config-data"]
    kernel = config["litePluginSettings"][builder.KERNEL_PLUGIN]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs"
    assert kernel["disablePyPIFallback"] is True
    assert kernel["loadPyodideOptions"]["lockFileURL"] == "./static/pyodide/pyodide-lock.json"
    assert {"tinybackprop", "ipython", "pyodide-kernel", "piplite"} <= set(kernel["loadPyodideOptions"]["packages"])
    for name in ("jupyter-lite.json", "static/pyodide/pyodide-lock.json"):
        assert "://" not in (site / name).read_text(encoding="utf-8"), "%s names a URL outside the site" % name
    lock = json.loads((site / "static/pyodide/pyodide-lock.json").read_text(encoding="utf-8"))
    assert lock["info"]["python"].startswith("3.")
    for entry in lock["packages"].values():
        wheel = site / "static/pyodide" / entry["file_name"]
        assert wheel.is_file() and builder.sha256(wheel) == entry["sha256"], entry["name"]
        assert all(builder.canonical(dep) in lock["packages"] for dep in entry["depends"]), entry["name"]
    for name in kernel["loadPyodideOptions"]["packages"]:
        assert name in lock["packages"], name


@pytest.mark.parametrize("dist, folders", [("tinybackprop", ["tinybackprop"]),
                                            ("tinybackprop_grader", ["autograder", "course"])])
def test_the_kit_wheels_hold_the_kits_library_and_grader(site, kit, dist, folders):
    """The preloaded wheels hold the kit's files byte for byte: the library, and the public grader."""
    (wheel,) = (site / "static/pyodide").glob(dist + "-*.whl")
    with zipfile.ZipFile(str(wheel)) as archive:
        inside = {n: archive.read(n) for n in archive.namelist() if n.split("/")[0] in folders}
        assert archive.read(wheel.name.split("-py3")[0] + ".dist-info/WHEEL").startswith(b"Wheel-Version: 1.0")
    kits = {"%s/%s" % (folder, p.relative_to(kit / folder).as_posix()): p.read_bytes()
            for folder in folders for p in (kit / folder).rglob("*") if p.is_file()}
    assert {"tinybackprop/value.py", "autograder/inprocess.py", "course/gates/checks.py"} & set(kits)
    assert inside == kits


def test_a_rebuild_downloads_nothing(site, builder, monkeypatch):
    """Once the site has been built, Pyodide and every wheel come from the cache: npm and pip never run."""
    def offline(command, what, cwd=None):
        raise AssertionError("a rebuild ran %s (%s)" % (" ".join(command), what))

    monkeypatch.setattr(builder, "run", offline)
    cache = builder.default_cache()
    core = builder.pyodide_core(cache)
    lock = json.loads((core / "pyodide-lock.json").read_text(encoding="utf-8"))
    python = ".".join(lock["info"]["python"].split(".")[:2])
    names = builder.locked_closure(lock, builder.KERNEL_LOCKED)
    wheels = builder.pypi_wheels({name: lock["packages"][name]["version"] for name in names}, python, cache)
    wheels.update(builder.pypi_wheels(builder.KERNEL_FROM_PYPI, python, cache))
    assert sorted(wheels) == sorted(names + list(builder.KERNEL_FROM_PYPI))
    served = {p.name for p in (site / "static" / "pyodide").glob("*.whl")}
    assert {wheel.name for wheel in wheels.values()} <= served


def test_the_wheel_is_the_same_on_every_build(builder, kit, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    one = builder.make_wheel([kit / "autograder", kit / "course"], "tinybackprop-grader", "0.1.0", first)
    two = builder.make_wheel([kit / "autograder", kit / "course"], "tinybackprop-grader", "0.1.0", second)
    assert one.read_bytes() == two.read_bytes()


def test_the_site_holds_no_solution_and_no_hidden_test(site, builder, tmp_path):
    registry = registry_wheels(builder)
    opened = [w.name.split("-")[0] for w in site.rglob("*.whl") if builder.sha256(w) not in registry]
    assert sorted(opened) == ["tinybackprop", "tinybackprop_grader"]  # the wheels the build made are searched inside
    assert site_leaks(site, tmp_path, registry) == []


def test_the_leak_search_finds_a_planted_solution_and_hidden_name(site, builder, tmp_path):
    planted = tmp_path / "site"
    shutil.copytree(str(site), str(planted), copy_function=os.link)  # links: the planted files are new ones
    gates = planted / "files" / "assignments" / "gates.py"
    gates.unlink()
    shutil.copyfile(str(part("gates", REFERENCE)), str(gates))
    package = tmp_path / "package" / "assignments"
    package.mkdir(parents=True)
    shutil.copyfile(str(part("svm", REFERENCE)), str(package / "svm.py"))
    builder.make_wheel([package], "answers", "1.0", planted / "static" / "pyodide")
    name = next(c.name for c in discover_checks() if c.hidden)
    (planted / "notes.json").write_text(json.dumps({"see": name}), encoding="utf-8")

    leaks = site_leaks(planted, tmp_path / "unpacked", registry_wheels(builder))
    assert any(leak.startswith("files/assignments/gates.py holds solution code") for leak in leaks), leaks
    assert any(leak.startswith("static/pyodide/answers-1.0-py3-none-any.whl: assignments/svm.py holds solution")
               for leak in leaks), leaks
    assert any(leak == "notes.json names the hidden test %s" % name for leak in leaks), leaks


def test_site_size(site, figures):
    """The site's size on disk and as one .tar.gz, for the README."""
    files = [p for p in site.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=6, mtime=0) as zipped:
        with tarfile.open(fileobj=zipped, mode="w") as archive:
            archive.add(str(site), arcname="site")
    compressed = len(buffer.getvalue())
    pyodide = sum(p.stat().st_size for p in (site / "static" / "pyodide").iterdir())
    figures["site size"] = "%.1f MB in %d files (%.1f MB as .tar.gz); Pyodide and its wheels %.1f MB" % (
        total / 1e6, len(files), compressed / 1e6, pyodide / 1e6)
    assert 0 < compressed < total
