"""Reading submissions: folders, zips and notebooks, a clear message for every bad input, and the import check."""
from __future__ import annotations

import json
import os
import stat
import zipfile
from dataclasses import replace

import pytest

from autograder.archive import SUBMISSION_CAPS, ArchiveError, ZipReader
from autograder.grade import grade_submission
from autograder.imports import SourceRefused, forbidden_imports
from autograder.lms import extract_class_zip
from autograder.submission import MAX_FILE_BYTES, SubmissionError, load_submission

SVM = "def svm_loss_naive(W, X, y, reg):\n    return 0.0, W\n"


def notebook(cells, **extra) -> str:
    """A minimal nbformat-4 notebook with these code cells."""
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                       "cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "outputs": [],
                                  "execution_count": None, "source": source, **extra}
                                 for i, source in enumerate(cells)]})


def make_zip(path, entries):
    """A zip with these (name, bytes) entries."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


def test_a_folder_gives_its_files_and_names_what_is_missing(tmp_path):
    (tmp_path / "svm.py").write_text(SVM)
    submission = load_submission(str(tmp_path))
    assert submission.files == {"svm.py": SVM}
    assert "softmax.py is missing" in submission.problems["softmax"]
    assert "svm" not in submission.problems


def test_a_zip_of_the_assignments_folder_is_found_below_the_top(tmp_path):
    archive = make_zip(tmp_path / "alice.zip", [("alice/assignments/svm.py", SVM),
                                                ("alice/assignments/gates.py", "X = 1\n")])
    submission = load_submission(str(archive))
    assert submission.student == "alice"
    assert submission.files["svm.py"] == SVM and submission.files["gates.py"] == "X = 1\n"


def test_the_shallowest_copy_wins(tmp_path):
    archive = make_zip(tmp_path / "s.zip", [("old/backup/svm.py", "OLD = 1\n"), ("svm.py", SVM)])
    assert load_submission(str(archive)).files["svm.py"] == SVM


def test_a_notebook_with_writefile_cells(tmp_path):
    path = tmp_path / "work.ipynb"
    path.write_text(notebook(["%%writefile svm.py\n" + SVM, "print('scratch')",
                              "%%writefile softmax.py\nZ = 2\n"]))
    submission = load_submission(str(path))
    assert submission.files["svm.py"].strip() == SVM.strip()
    assert submission.files["softmax.py"].strip() == "Z = 2"


def test_the_last_writefile_cell_of_a_file_wins(tmp_path):
    path = tmp_path / "work.ipynb"
    path.write_text(notebook(["%%writefile svm.py\nOLD = 1\n", "%%writefile svm.py\n" + SVM]))
    assert load_submission(str(path)).files["svm.py"].strip() == SVM.strip()


def test_a_notebook_without_writefile_cells_holds_no_code(tmp_path):
    path = tmp_path / "svm.ipynb"
    path.write_text(notebook(["import os\nfrom assignments.svm import svm_loss_naive\n", "print(1)"]))
    with pytest.raises(SubmissionError) as info:
        load_submission(str(path))
    assert info.value.status == "empty submission"
    assert "%%writefile" in info.value.message


def test_a_folder_notebook_stands_in_for_a_missing_py_file(tmp_path):
    (tmp_path / "svm.ipynb").write_text(notebook(["import os", "%%writefile svm.py\n" + SVM]))
    (tmp_path / "softmax.ipynb").write_text(notebook(["print('only experiments')"]))
    submission = load_submission(str(tmp_path))
    assert submission.files["svm.py"].strip() == SVM.strip()
    assert "no cell that starts with %%writefile softmax.py" in submission.problems["softmax"]


@pytest.mark.parametrize("name, data, status, words", [
    ("broken.zip", b"PK\x03\x04 this is not really a zip", "corrupt zip", "not a readable zip"),
    ("empty.zip", None, "empty submission", "none of the files"),
    ("bad.ipynb", b"{ not json", "invalid notebook", "not a valid notebook"),
    ("latin.ipynb", "{}".encode("utf-16"), "invalid notebook", "UTF-8"),
    ("notes.txt", b"hello", "unsupported submission", "not a folder, a .zip or a .ipynb"),
])
def test_bad_files_get_a_status_and_a_clear_message(tmp_path, name, data, status, words):
    path = tmp_path / name
    if data is None:
        make_zip(path, [("README.txt", "nothing here")])
    else:
        path.write_bytes(data)
    with pytest.raises(SubmissionError) as info:
        load_submission(str(path))
    assert info.value.status == status
    assert words in info.value.message


@pytest.mark.parametrize("entry", ["../svm.py", "/etc/svm.py", "a/../../svm.py", "C:svm.py"])
def test_a_zip_entry_that_climbs_out_is_refused(tmp_path, entry):
    archive = make_zip(tmp_path / "evil.zip", [(entry, SVM)])
    with pytest.raises(SubmissionError) as info:
        load_submission(str(archive))
    assert info.value.status == "unsafe zip"
    assert entry in info.value.message


def test_a_zip_with_more_entries_than_its_cap_is_refused(tmp_path):
    cap = SUBMISSION_CAPS.entries
    archive = make_zip(tmp_path / "many.zip", [("svm.py", SVM)] + [(f"junk/{i}.txt", "") for i in range(cap)])
    with pytest.raises(SubmissionError) as info:
        load_submission(str(archive))
    assert info.value.status == "unsafe zip" and f"at most {cap}" in info.value.message


def test_a_symlink_in_a_zip_is_refused_for_that_file(tmp_path):
    archive = tmp_path / "links.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        link = zipfile.ZipInfo("svm.py")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/work/main/autograder/reference/svm.py")
        zf.writestr("gates.py", "X = 1\n")
    submission = load_submission(str(archive))
    assert "svm.py" not in submission.files
    assert "symbolic link" in submission.problems["svm"]


def test_a_symlink_in_a_folder_is_never_followed(tmp_path):
    secret = tmp_path / "secret.py"
    secret.write_text("SECRET = 1\n")
    folder = tmp_path / "sub"
    folder.mkdir()
    os.symlink(secret, folder / "svm.py")
    (folder / "gates.py").write_text("X = 1\n")
    submission = load_submission(str(folder))
    assert "svm.py" not in submission.files
    assert "symbolic link" in submission.problems["svm"]


def test_non_utf8_source_is_a_problem_of_that_file_only(tmp_path):
    (tmp_path / "svm.py").write_bytes("# café\n".encode("latin-1"))
    (tmp_path / "gates.py").write_text("X = 1\n")
    submission = load_submission(str(tmp_path))
    assert "not UTF-8" in submission.problems["svm"]
    assert "gates.py" in submission.files


def test_an_oversized_file_is_refused(tmp_path):
    archive = make_zip(tmp_path / "big.zip", [("svm.py", "#" * (MAX_FILE_BYTES + 1)),
                                             ("gates.py", "X = 1\n")])
    assert "not accepted" in load_submission(str(archive)).problems["svm"]


def test_a_missing_path_and_an_empty_folder(tmp_path):
    with pytest.raises(SubmissionError, match="does not exist"):
        load_submission(str(tmp_path / "nowhere"))
    with pytest.raises(SubmissionError) as info:
        load_submission(str(tmp_path))
    assert info.value.status == "empty submission"


def test_grading_a_bad_submission_returns_zeros_and_never_raises(tmp_path):
    path = tmp_path / "broken.zip"
    path.write_bytes(b"garbage")
    result = grade_submission(str(path), seed=0)
    assert result.status == "corrupt zip"
    assert result.score == 0 and result.max_score > 0
    assert all(t.score == 0 and t.status == "error" for t in result.tests)
    assert "not a readable zip" in result.to_results_json()["tests"][0]["output"]


def test_grading_a_submission_with_a_missing_file_grades_the_rest(tmp_path):
    (tmp_path / "gates.py").write_text("X = 1\n")
    result = grade_submission(str(tmp_path), only=["svm"], seed=0)
    assert result.status == "graded"
    assert {t.status for t in result.tests} == {"error"}
    assert "svm.py is missing" in result.tests[0].output


def test_without_a_path_the_assignments_folder_of_the_current_directory_is_graded(tmp_path, monkeypatch):
    (tmp_path / "assignments").mkdir()
    (tmp_path / "assignments" / "svm.py").write_text(SVM)
    monkeypatch.chdir(tmp_path)
    assert load_submission().files == {"svm.py": SVM}


def test_a_zip_of_the_whole_kit_is_graded_on_its_assignments_not_on_the_library(tmp_path):
    # The kit's tinybackprop/gates.py is as shallow as assignments/gates.py, and comes first.
    archive = make_zip(tmp_path / "kit.zip", [("kit/tinybackprop/gates.py", "LIBRARY = 1\n"),
                                              ("kit/autograder/svm.py", "GRADER = 1\n"),
                                              ("kit/assignments/gates.py", "MINE = 1\n"),
                                              ("kit/assignments/svm.py", SVM)])
    submission = load_submission(str(archive))
    assert submission.files == {"gates.py": "MINE = 1\n", "svm.py": SVM}


def test_a_kit_folder_without_the_assignment_file_does_not_fall_back_to_the_library(tmp_path):
    (tmp_path / "tinybackprop").mkdir()
    (tmp_path / "tinybackprop" / "gates.py").write_text("LIBRARY = 1\n")
    (tmp_path / "assignments").mkdir()
    (tmp_path / "assignments" / "svm.py").write_text(SVM)
    submission = load_submission(str(tmp_path))
    assert "gates.py" not in submission.files and "gates.py is missing" in submission.problems["gates"]


# -- zips: only what is graded is read, within its caps --------------------------------------

def test_only_the_entries_that_are_graded_are_read(tmp_path):
    archive = make_zip(tmp_path / "s.zip", [("svm.py", SVM), ("junk/data.bin", b"\0" * 100_000)])
    data = bytearray(archive.read_bytes())
    at = data.index(b"\0" * 1000, data.index(b"junk/data.bin"))  # junk's bytes: stored, so corruptible
    data[at:at + 10] = b"corrupted!"
    archive.write_bytes(bytes(data))
    with pytest.raises(zipfile.BadZipFile):  # reading junk would fail its CRC
        with zipfile.ZipFile(archive) as zf:
            zf.read("junk/data.bin")
    assert load_submission(str(archive)).files == {"svm.py": SVM}


def test_a_member_that_expands_like_a_bomb_is_refused_for_its_assignment_only(tmp_path):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("svm.py", SVM)
        zf.writestr("softmax.py", "#" + " " * 900_000 + "\n")  # under the size cap, a thousandfold
    submission = load_submission(str(archive))
    assert submission.files == {"svm.py": SVM}
    assert "softmax.py expands to more than 100 times its compressed size" in submission.problems["softmax"]


def test_the_members_read_together_are_capped(tmp_path):
    archive = make_zip(tmp_path / "s.zip", [("a.py", "A = 1\n" * 100), ("b.py", "B = 2\n" * 100)])
    with ZipReader(archive, replace(SUBMISSION_CAPS, total_bytes=1000)) as reader:
        first, second = reader.members()
        assert reader.read(first) == b"A = 1\n" * 100
        with pytest.raises(ArchiveError, match="more than 1000 bytes"):
            reader.read(second)


def test_a_bomb_in_a_class_zip_costs_its_student_a_row(tmp_path):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("alice/svm.py", SVM)
        zf.writestr("mallory/svm.py", "#" + " " * 5_000_000 + "\n")
    root, problems = extract_class_zip(archive, tmp_path / "out")
    assert (root / "alice" / "svm.py").read_text() == SVM
    assert not (root / "mallory" / "svm.py").exists() and (root / "mallory").is_dir()
    assert problems["mallory"][0] == "unsafe zip" and "expands" in problems["mallory"][1]


# -- the import check reads what Python will run -----------------------------------------------

@pytest.mark.parametrize("source, found", [
    ("\ufeffimport os\n", ["os"]),  # Python skips the byte order mark, and so does the check
    ("# -*- coding: utf-8 -*-\nimport sys\n", ["sys"]),
    ("# coding: ascii\nfrom tinybackprop import nn\n", ["tinybackprop.nn"]),
    ("import math\n", []),
])
def test_the_import_check_decodes_as_python_does(source, found):
    assert [hit.name for hit in forbidden_imports(source)] == found


@pytest.mark.parametrize("source, status, words", [
    ("# -*- coding: utf-7 -*-\n# +AAo-import os\n", "forbidden", "declares the encoding utf-7 on line 1"),
    ("#!/usr/bin/env python\n# coding: latin-1\nX = 1\n", "forbidden", "declares the encoding iso8859-1 on line 2"),
    ("# coding: no-such-codec\n", "forbidden", "unknown encoding: no-such-codec"),
    ("X = 1\ndef broken(:\n", "error", "cannot be parsed by Python (line 2: "),
    ("X = 1\0\n", "error", "cannot be parsed by Python"),
])
def test_a_file_the_check_cannot_read_as_python_does_is_refused_never_clean(source, status, words):
    with pytest.raises(SourceRefused) as refused:
        forbidden_imports(source)
    assert refused.value.status == status and words in refused.value.message


def test_a_file_that_does_not_parse_is_an_error_naming_its_line(tmp_path):
    (tmp_path / "svm.py").write_text(SVM + "\ndef oops(:\n    pass\n")
    result = grade_submission(str(tmp_path), only=["svm.naive"], seed=0)
    assert result.status == "graded" and {t.status for t in result.tests} == {"error"}
    assert result.tests[0].output.startswith("svm.py does not parse: invalid syntax (line 4):")
