"""python -m tinybackprop: the lecture demo prints the right numbers."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tinybackprop.__main__ import main

ROOT = Path(__file__).resolve().parents[2]


def rows(output):
    """{(circuit number, node name): (computes, value, grad)} from the printed tables."""
    table, circuit = {}, 0
    for line in output.splitlines():
        heading = re.match(r"(\d)\. f = ", line)
        if heading:
            circuit = int(heading.group(1))
            continue
        cells = re.match(r"   (\S+)\s+(.+?)\s+(-?[\d.e+-]+)\s+(-?[\d.e+-]+)$", line)
        if cells and circuit:
            name, what, value, grad = cells.groups()
            table[circuit, name] = (what, float(value), float(grad))
    return table


@pytest.fixture(autouse=True)
def in_a_fresh_folder(tmp_path, monkeypatch):
    """The demo saves its pictures under the current folder: keep them out of the repository."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_default_demo_prints_the_three_circuits(capsys):
    assert main([]) == 0
    table = rows(capsys.readouterr().out)
    # circuit 1: f = (x + y) z
    assert table[1, "f"][1:] == (-12.0, 1.0)
    assert [table[1, n][2] for n in "xyz"] == [-4.0, -4.0, 3.0]
    assert table[1, "q"] == ("x + y", 3.0, -4.0)
    # circuit 2: the sigmoid neuron, to the 4 digits printed
    assert table[2, "f"][1] == 0.7311
    assert [table[2, n][2] for n in ("w0", "w1", "w2", "x0", "x1")] == [-0.1966, -0.3932, 0.1966, 0.3932, -0.5898]
    assert table[2, "e"][0] == "exp(neg)"
    # circuit 3: 2 (x y + max(z, w))
    assert table[3, "f"][1] == -20.0
    assert [table[3, n][2] for n in "xyzw"] == [-8.0, 6.0, 2.0, 0.0]


def test_lecture_subcommand_prints_the_same(capsys):
    main([])
    default = capsys.readouterr().out
    assert main(["lecture"]) == 0
    assert capsys.readouterr().out == default
    assert "(-12.0, -4.0, -4.0, 3.0)" in default  # the Value version at the end


def test_unknown_demo_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["nonsense"])
    assert exit_info.value.code == 2
    assert "lecture" in capsys.readouterr().err


def test_python_dash_m_runs_the_demo():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "tinybackprop", "--no-pictures"], cwd=str(ROOT), env=env,
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert rows(done.stdout)[1, "f"][1] == -12.0


def test_lecture_saves_each_circuit_as_a_picture_and_says_where(in_a_fresh_folder, capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    folder = in_a_fresh_folder / "tinybackprop-pictures"
    pictures = sorted(folder.glob("*.svg"))
    assert [p.name for p in pictures] == [f"lecture-circuit-{k}.svg" for k in (1, 2, 3)]
    for picture in pictures:
        assert f"picture: {Path('tinybackprop-pictures') / picture.name}" in out
    first = ET.parse(pictures[0]).getroot()
    texts = " ".join(t.text or "" for t in first.iter() if t.tag.endswith("text"))
    assert "-12" in texts and "-4" in texts  # f and df/dx of f = (x + y) z


def test_options_before_or_after_the_demo_name_are_both_kept(in_a_fresh_folder, capsys):
    assert main(["--no-pictures", "lecture"]) == 0
    assert main(["lecture", "--no-pictures"]) == 0
    assert not (in_a_fresh_folder / "tinybackprop-pictures").exists()
    assert main(["--pictures", "here", "lecture"]) == 0
    assert len(list((in_a_fresh_folder / "here").glob("*.svg"))) == 3


def test_the_digits_demo_shows_the_held_out_images_as_ink_on_paper(in_a_fresh_folder):
    # Standardized pixels on one shared grey scale drew every digit pale grey: one rare
    # border pixel, many standard deviations out, took the whole dark end of the scale.
    from tinybackprop.demos import digits_demo

    digits_demo(epochs=1, verbose=False, pictures=in_a_fresh_folder)
    svg = ET.parse(in_a_fresh_folder / "digits-predictions.svg").getroot()
    greys = [int(m.group(1)) for rect in svg.iter("{http://www.w3.org/2000/svg}rect")
             for m in [re.match(r"rgb\((\d+),", rect.get("fill", ""))] if m]
    assert len(greys) == 40 * 64
    assert sum(g < 128 for g in greys) > 0.2 * len(greys)  # digits' strokes are dark
    assert sum(g > 230 for g in greys) > 0.3 * len(greys)  # and the paper around them is white
