"""plots: training curves, decision regions and images as SVG Figures."""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import example, given, strategies as st

from tinybackprop import plots
from tinybackprop.data import make_moons
from tinybackprop.matrix import Matrix
from tinybackprop.svg import Figure
from tinybackprop.train import History
from tinybackprop.value import Value

SVG = "{http://www.w3.org/2000/svg}"


def classes(figure: Figure, name: str):
    return [el for el in ET.fromstring(figure.svg).iter() if el.get("class") == name]


def legend_names(figure: Figure):
    return [g.find(SVG + "text").text for g in classes(figure, "legend")]


def path_points(path) -> list:
    return [(float(x), float(y)) for x, y in re.findall(r"[ML]([-\d.]+),([-\d.]+)", path.get("d"))]


# ---------------------------------------------------------------------------
# ticks


@given(st.floats(-1e6, 1e6), st.floats(1e-3, 1e6))
@example(131072.0, 0.00390625)
def test_nice_ticks_are_round_evenly_spaced_and_inside(lo, span):
    hi = lo + span
    ticks = plots.nice_ticks(lo, hi)
    assert 3 <= len(ticks) <= 11
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    # 10 too: a difference of two large ticks (131072.001 - 131072.0) may fall a hair under a power of ten
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5, 10))
    assert all(lo - 1e-9 * span <= t <= hi + 1e-9 * span for t in ticks)
    assert all(math.isclose(b - a, step, rel_tol=1e-6, abs_tol=1e-9 * span) for a, b in zip(ticks, ticks[1:]))


def test_nice_limits_start_and_end_on_round_numbers():
    assert plots.nice_limits(0.23, 2.31) == (0.0, 2.5)
    assert plots.nice_limits(1.0, 1.0) == (0.9, 1.1)  # a flat curve still gets a range
    assert plots.nice_ticks(0.0, 1.0) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


# ---------------------------------------------------------------------------
# history


def test_history_dict_of_the_assignments_draws_loss_and_accuracy_panels():
    history = {"loss_history": [2.3, 1.5, 1.1, 0.9, 0.8], "train_acc_history": [0.3, 0.6],
               "val_acc_history": [0.25, 0.5]}
    figure = plots.plot_history(history)
    ET.fromstring(figure.svg)
    assert legend_names(figure) == ["loss", "train_acc", "val_acc"]
    series = classes(figure, "series")
    assert [len(path_points(p)) for p in series] == [5, 2, 2]
    # loss goes down on the picture too: pixel y grows (downwards) along the curve
    ys = [y for _, y in path_points(series[0])]
    assert ys == sorted(ys)
    texts = [t.text for t in ET.fromstring(figure.svg).iter(SVG + "text")]
    assert "iteration" in texts and "epoch" in texts  # loss per iteration, accuracy per epoch
    assert len(classes(figure, "tick")) >= 10


def test_history_of_the_training_helper_and_a_plain_list():
    figure = plots.plot_history(History(loss=[1.0, 0.5, 0.25], train_acc=[0.5, 0.7, 0.9], val_acc=[]))
    assert legend_names(figure) == ["loss", "train_acc"]  # an empty curve is left out
    texts = [t.text for t in ET.fromstring(figure.svg).iter(SVG + "text")]
    assert "iteration" not in texts  # one loss per epoch, like the accuracies
    plain = plots.plot_history([3.0, 2.0, 1.0])
    assert legend_names(plain) == ["loss"] and len(classes(plain, "series")) == 1


def test_long_noisy_history_keeps_its_band_in_few_points():
    losses = [1.0 / (1 + i / 100) + (0.2 if i % 2 else 0.0) for i in range(20000)]
    figure = plots.plot_history(losses)
    points = path_points(classes(figure, "series")[0])
    assert len(points) <= 2 * plots.PANEL[0]
    ys = [y for _, y in points]
    assert max(ys) - min(ys) > 0.5 * plots.PANEL[1]  # both the high and the low values are still drawn


def test_nan_losses_leave_a_gap_instead_of_breaking_the_plot():
    figure = plots.plot_history([1.0, 0.5, float("nan"), 0.4, float("inf"), 0.3])
    d = classes(figure, "series")[0].get("d")
    assert d.count("M") == 3 and "nan" not in d and "inf" not in d


def test_history_without_curves_is_a_clear_error():
    with pytest.raises(ValueError, match="found no curve to draw"):
        plots.plot_history({"loss_history": []})
    with pytest.raises(TypeError, match="plot_history takes"):
        plots.plot_history(3.0)


def test_a_list_of_loss_values_plots_their_data():
    # micrograd's loop keeps the loss Values: losses.append(loss)
    figure = plots.plot_history([Value(3.0), Value(2.0), Value(1.0)])
    assert figure.svg == plots.plot_history([3.0, 2.0, 1.0]).svg


def test_no_curve_error_shows_a_long_history_briefly():
    with pytest.raises(ValueError, match="found no curve") as info:
        plots.plot_history({"loss_history": ["x"] * 10000})
    assert len(str(info.value)) < 400


def test_figure_saves_and_shows_in_jupyter(tmp_path):
    figure = plots.plot_history([1.0, 0.5])
    path = figure.save(tmp_path / "loss.svg")
    assert path.read_text(encoding="utf-8") == figure.svg == figure._repr_svg_()
    assert "Figure(" in repr(figure)


# ---------------------------------------------------------------------------
# decision boundary


def vertical_split(X: Matrix) -> Matrix:
    """Two scores per point: class 1 right of x1 = 0, class 0 left of it."""
    return Matrix([[-x, x] for x, _ in X.data])


def cell_classes(figure: Figure, colors):
    return {colors.index(rect.get("fill")) for rect in classes(figure, "cell")}


def test_decision_boundary_shades_the_predicted_regions_and_draws_every_point():
    X = Matrix([[-1.0, 0.0], [1.0, 0.5], [-0.5, 1.0], [0.5, -1.0]])
    y = [0, 1, 0, 1]
    figure = plots.plot_decision_boundary(vertical_split, X, y, resolution=20)
    points = classes(figure, "point")
    assert len(points) == 4
    assert [p.get("fill") for p in points] == [plots._color(label) for label in y]
    cells = classes(figure, "cell")
    assert len(cells) == 2 * 20  # each grid row: one run of class 0, one of class 1
    tints = [plots._tint(plots._color(c)) for c in range(2)]
    assert cell_classes(figure, tints) == {0, 1}
    # the run of class 0 ends where x1 = 0 is on the picture
    axes_left, width = plots.LEFT, 420
    first = cells[0]
    boundary = axes_left + (0 - (-1.2)) / 2.4 * width
    assert abs(float(first.get("x")) + float(first.get("width")) - 0.5 - boundary) < 1e-6


def test_decision_boundary_of_a_value_model_uses_the_sign_of_its_score():
    X, y = make_moons(40, seed=0)

    def model(points: Matrix):  # one Value per point, as micrograd's moons demo
        return [Value(b) - 0.25 for _, b in points.data]

    figure = plots.plot_decision_boundary(model, X, y, resolution=10)
    assert len(classes(figure, "point")) == len(y)
    tints = [plots._tint(plots._color(c)) for c in range(2)]
    assert cell_classes(figure, tints) == {0, 1}
    assert len(classes(figure, "cell")) == 10  # horizontal boundary: every grid row is one class


def test_decision_boundary_with_minus_one_plus_one_labels_predicts_those_labels():
    # micrograd's moons demo (and max_margin) label the classes -1 and +1; a single score > 0 is +1
    X = Matrix([[-1.0, 0.0], [1.0, 0.5], [-0.5, 1.0], [0.5, -1.0]])
    y = [-1, 1, -1, 1]
    figure = plots.plot_decision_boundary(lambda X: Matrix([[x] for x, _ in X.data]), X, y, resolution=10)
    assert legend_names(figure) == ["class -1", "class 1"]
    tints = [plots._tint(plots._color(c)) for c in (-1, 1)]
    assert cell_classes(figure, tints) == {0, 1}
    assert plots._color(-1) != plots._color(1)


def test_decision_boundary_of_a_function_that_returns_labels_shades_those_labels():
    # lambda X: predict(model, X) gives ints: class 2 must stay 2, not become "score > 0"
    X = Matrix([[-1.0, 0.0], [0.0, 0.5], [1.0, 1.0]])
    y = [0, 1, 2]

    def thirds(points: Matrix):
        return [0 if a < -0.33 else 1 if a < 0.33 else 2 for a, _ in points.data]

    figure = plots.plot_decision_boundary(thirds, X, y, resolution=12)
    tints = [plots._tint(plots._color(c)) for c in range(3)]
    assert cell_classes(figure, tints) == {0, 1, 2}


def test_decision_boundary_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"X must be N x 2, got shape \(2, 3\)"):
        plots.plot_decision_boundary(vertical_split, Matrix([[1, 2, 3], [4, 5, 6]]), [0, 1])
    with pytest.raises(ValueError, match="X has 2 rows but y has 1 labels"):
        plots.plot_decision_boundary(vertical_split, Matrix([[1, 2], [4, 5]]), [0])
    with pytest.raises(ValueError, match="resolution must be at least 1, got 0"):
        plots.plot_decision_boundary(vertical_split, Matrix([[1, 2], [4, 5]]), [0, 1], resolution=0)
    with pytest.raises(ValueError, match="expected 100 rows"):
        plots.plot_decision_boundary(lambda X: Matrix([[0.0, 1.0]]), Matrix([[1, 2], [4, 5]]), [0, 1],
                                     resolution=10)


# ---------------------------------------------------------------------------
# images


def grey(rect) -> int:
    return int(re.match(r"rgb\((\d+),", rect.get("fill")).group(1))


def test_show_images_draws_each_image_with_its_pixels_and_label():
    X = Matrix([[float(p) for p in range(16)], [16.0 - p for p in range(16)], [0.0] * 16])
    figure = plots.show_images(X, shape=(4, 4), labels=[7, 8, 9])
    images = classes(figure, "image")
    assert len(images) == 3
    pixels = [[r for r in img.iter(SVG + "rect") if r.get("fill", "").startswith("rgb")] for img in images]
    assert [len(p) for p in pixels] == [16, 16, 16]
    # one shared scale: 0 is white and 16 is black in every image
    assert grey(pixels[0][0]) == 255 and grey(pixels[1][0]) == 0 and grey(pixels[2][5]) == 255
    assert [img.find(SVG + "text").text for img in images] == ["7", "8", "9"]


def test_show_images_draws_at_most_limit_and_says_so():
    X = Matrix([[float(i)] * 4 for i in range(30)])
    figure = plots.show_images(X, shape=(2, 2), limit=12)
    assert len(classes(figure, "image")) == 12
    assert "first 12 of 30 images" in figure.svg


def test_show_images_wrong_shape_is_explained():
    with pytest.raises(ValueError, match=r"shape=\(8, 8\) needs 64 values per image, got 10"):
        plots.show_images(Matrix([[0.0] * 10]))


def test_show_images_of_a_transposed_x_names_its_shape_and_says_so():
    X = Matrix([[float(i)] * 5 for i in range(64)])  # 64 x 5: five images stored as columns
    with pytest.raises(ValueError, match=r"X has shape \(64, 5\).*one image per row.*X.T"):
        plots.show_images(X)


@pytest.mark.parametrize("shape", [8, (8,), (8, 8, 1), (0, 8), (8.0, 8.0), "8x8"])
def test_show_images_shape_must_be_height_and_width(shape):
    with pytest.raises(ValueError, match=r"shape must be \(height, width\) such as \(8, 8\)"):
        plots.show_images(Matrix([[0.0] * 64]), shape=shape)


def test_show_weights_of_a_transposed_w_says_so():
    with pytest.raises(ValueError, match=r"W has shape \(10, 64\).*W.T"):
        plots.show_weights(Matrix([[0.0] * 64 for _ in range(10)]))


def test_show_weights_draws_one_template_per_class_each_on_its_own_scale():
    # W is D x C = 4 x 2: class 0 weights 0..3, class 1 weights 0..300
    W = Matrix([[0.0, 0.0], [1.0, 100.0], [2.0, 200.0], [3.0, 300.0]])
    figure = plots.show_weights(W, shape=(2, 2), class_names=["cat", "dog"])
    images = classes(figure, "image")
    assert [img.find(SVG + "text").text for img in images] == ["cat", "dog"]
    for img in images:
        pixels = [grey(r) for r in img.iter(SVG + "rect") if r.get("fill", "").startswith("rgb")]
        assert pixels == [255, 170, 85, 0]  # each scaled to its own min and max


def test_show_weights_leaves_out_the_bias_row_of_the_bias_trick():
    W = Matrix([[1.0, 2.0]] * 4 + [[99.0, 99.0]])  # (4 + 1) x 2
    assert len(classes(plots.show_weights(W, shape=(2, 2)), "image")) == 2
    with pytest.raises(ValueError, match="needs 4 values per image, got 3"):
        plots.show_weights(Matrix([[1.0, 2.0]] * 3), shape=(2, 2))


def test_show_weights_takes_a_title_for_columns_that_are_not_classes():
    W = Matrix([[0.0, 1.0]] * 4)
    assert "weights per class" in plots.show_weights(W, shape=(2, 2)).svg
    hidden = plots.show_weights(W, shape=(2, 2), title="first-layer weights")
    assert "first-layer weights" in hidden.svg and "weights per class" not in hidden.svg


def test_heatmap_draws_a_cell_per_value_with_its_value_darker_for_larger():
    figure = plots.heatmap([[0.5, 0.75, 0.25], [1.0, 0.0, 0.5]], ["1e-3", "1e-1"], ["1e-4", "1e-2", "1"],
                           title="validation accuracy", row_name="learning rate", column_name="reg")
    root = ET.fromstring(figure.svg)  # well-formed SVG
    assert root.tag == SVG + "svg" and float(root.get("width")) > 0 and float(root.get("height")) > 0
    cells = classes(figure, "heatcell")
    assert [c.find(SVG + "text").text for c in cells] == ["0.500", "0.750", "0.250", "1.000", "0.000", "0.500"]
    green = [int(re.match(r"rgb\((\d+),(\d+),255\)", c.find(SVG + "rect").get("fill")).group(2)) for c in cells]
    assert green[3] == min(green) and green[4] == max(green)  # 1.0 the darkest, 0.0 the palest
    assert green[0] == green[5] and green[1] < green[0] < green[2]
    words = {t.text for t in root.iter(SVG + "text")}
    assert {"validation accuracy", "learning rate", "reg", "1e-3", "1e-1", "1e-4", "1e-2", "1"} <= words


def test_heatmap_of_one_value_and_its_errors():
    one = plots.heatmap([[0.9]], ["a"], ["b"], digits=1)
    assert [c.find(SVG + "text").text for c in classes(one, "heatcell")] == ["0.9"]
    with pytest.raises(ValueError, match=r"values has shape \(1, 2\) but there are 1 row labels and 1 column labels"):
        plots.heatmap([[0.1, 0.2]], ["a"], ["b"])
    with pytest.raises(ValueError, match="got no rows"):
        plots.heatmap([], [], [])
