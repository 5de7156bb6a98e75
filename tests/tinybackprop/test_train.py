"""Tests of tinybackprop.train (history, progress display) and tinybackprop.demos."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest

from tinybackprop.data import make_blobs, make_moons
from tinybackprop.demos import digits_demo, spiral_demo
from tinybackprop.losses import max_margin
from tinybackprop.nn import MLP
from tinybackprop.optim import SGD, Adam, StepDecay
from tinybackprop.train import History, predict, train


class Terminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _blobs():
    X, y = make_blobs(90, centers=3, cluster_std=1.0, seed=0)
    return X / 5.0, y


def test_history_has_one_entry_per_epoch_and_the_loss_falls():
    X, y = _blobs()
    model = MLP(2, [8, 3], seed=0)
    history = train(model, X, y, optimizer=Adam(model.parameters(), lr=0.05), epochs=6, batch_size=16,
                    X_val=X, y_val=y, reg=1e-3, seed=0, verbose=False)
    assert isinstance(history, History)
    assert len(history.loss) == len(history.train_acc) == len(history.val_acc) == 6
    assert history.loss[-1] < history.loss[0]
    assert history.val_acc[-1] > 0.9 and predict(model, X) != [0] * len(y)


def test_training_is_reproducible_with_a_seed():
    X, y = _blobs()
    runs = [train(MLP(2, [8, 3], seed=1), X, y, epochs=3, batch_size=16, seed=2, verbose=False).loss
            for _ in range(2)]
    assert runs[0] == runs[1]


def test_progress_is_silent_plain_or_live():
    X, y = _blobs()
    quiet = io.StringIO()
    train(MLP(2, [3], seed=0), X, y, epochs=3, verbose=False, stream=quiet)
    assert quiet.getvalue() == ""
    log = io.StringIO()
    train(MLP(2, [3], seed=0), X, y, epochs=30, stream=log)
    lines = log.getvalue().splitlines()
    assert len(lines) == 10 and lines[-1].startswith("epoch 30/30  loss") and "\r" not in log.getvalue()
    terminal = Terminal()
    train(MLP(2, [3], seed=0), X, y, epochs=3, X_val=X, y_val=y, stream=terminal)
    text = terminal.getvalue()
    assert text.count("\r") == 3 and text.endswith("\n") and text.count("\n") == 1 and "val" in text


def test_binary_models_train_with_max_margin_and_a_schedule():
    X, y = make_moons(60, noise=0.1, seed=0)
    model = MLP(2, [8, 1], seed=0)
    optimizer = SGD(model.parameters(), lr=0.5)
    history = train(model, X, y, loss=max_margin, optimizer=optimizer, epochs=4,
                    schedule=StepDecay(optimizer, step_size=2, gamma=0.5), verbose=False)
    assert optimizer.lr == 0.125
    assert history.train_acc[-1] > 0.7 and set(predict(model, X)) == {0, 1}


def test_train_rejects_mismatched_data():
    X, y = _blobs()
    with pytest.raises(ValueError, match="90 rows but y has 89"):
        train(MLP(2, [3]), X, y[:89], verbose=False)
    with pytest.raises(ValueError, match="both X_val and y_val"):
        train(MLP(2, [3]), X, y, X_val=X, verbose=False)


def test_demos_print_their_accuracy():
    out = io.StringIO()
    results = spiral_demo(epochs=5, stream=out)
    assert set(results) == {"linear", "two_layer"} and "softmax linear classifier" in out.getvalue()
    out = io.StringIO()
    accuracy = digits_demo(epochs=1, stream=out)
    assert accuracy > 0.8 and f"{accuracy:.1%} accuracy on 359 held-out images" in out.getvalue()


def test_demos_save_their_pictures_when_given_a_folder(tmp_path):
    out = io.StringIO()
    spiral_demo(epochs=5, stream=out, pictures=tmp_path / "spiral")
    digits_demo(epochs=1, stream=out, pictures=tmp_path / "digits")
    names = {p.name for p in tmp_path.glob("*/*.svg")}
    assert names == {"spiral-linear-regions.svg", "spiral-two-layer-regions.svg", "spiral-two-layer-training.svg",
                     "digits-training.svg", "digits-predictions.svg"}
    for picture in tmp_path.glob("*/*.svg"):
        assert ET.parse(picture).getroot().tag.endswith("svg")
        assert f"picture: {picture}" in out.getvalue()


def test_demos_save_nothing_without_a_folder_and_stay_silent_when_asked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    spiral_demo(epochs=2, stream=out, verbose=False, pictures=tmp_path / "p")
    assert out.getvalue() == "" and len(list((tmp_path / "p").glob("*.svg"))) == 3
    spiral_demo(epochs=2, stream=out, verbose=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]


def test_minus_one_plus_one_labels_are_predicted_and_counted_as_such():
    X, y01 = make_moons(60, noise=0.1, seed=0)
    y = [1 if label == 1 else -1 for label in y01]  # micrograd's moons labels
    model = MLP(2, [8, 1], seed=0)
    history = train(model, X, y, loss=max_margin, optimizer=SGD(model.parameters(), lr=0.5), epochs=5,
                    X_val=X, y_val=y, verbose=False)
    predicted = predict(model, X, negative=-1)
    assert set(predicted) == {-1, 1}
    assert history.val_acc[-1] == sum(p == t for p, t in zip(predicted, y)) / len(y) > 0.7
