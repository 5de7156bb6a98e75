"""Checks of a hyperparameter search written by the student: every setting tried once, trained on the
training split, scored on the validation split, the best chosen by validation accuracy.

The search trains each model through one function of the assignment
(``train_softmax``, ``train_net``), which the grader lends for the call: the
grader sees every training (its data and its settings) and answers with a
model it made in the child beforehand, with weights it chose. So the grader
knows what each model predicts on each split (it asks the student's own
``predict`` before the search, so a predict bug is not charged here), and it
chooses the weights so that the best model by validation accuracy is
neither the best by training accuracy nor the first or last tried: a search
that picks by the wrong split, or keeps no best, shows it.
"""
from __future__ import annotations

import inspect
import random
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Sequence, Tuple

from autograder.compare import EXACT, describe, fmt, is_number, rel_error, unpack
from autograder.oracle import make_check, rounded
from autograder.suite import Check, Handle, Session, Verdict
from tinybackprop.matrix import Matrix

Setting = Tuple[float, ...]  # the hyperparameters of one model, in the order the results name them

TRAIN_SPLIT = ("Train every model on the training split only (X_train, y_train): the validation split must "
               "stay unseen, or its accuracy no longer tells how the model does on new data.")
VAL_SPLIT = "The validation accuracy is the accuracy of the model's predictions on X_val against y_val."
BY_TRAIN = ("You chose by training accuracy: choose by validation accuracy, which tells how a model does "
            "on data it did not learn from; the training accuracy rewards fitting the training data.")
NO_BEST = ("Keep the best so far: compare each model's validation accuracy with the best one seen, and "
           "choose the highest.")
EVERY_PAIR = "Try every combination once: a loop inside a loop, one model for each pair."


@dataclass(frozen=True)
class Search:
    """A search function of an assignment and the training function it calls, which the grader lends."""

    target: str  # e.g. "linear_classifier.search"
    trainer: str  # e.g. "linear_classifier.train_softmax"
    signature: Callable  # a function with the trainer's signature (its parameters are what it binds)
    names: Tuple[str, ...]  # the trainer's parameters that make a setting, e.g. ("learning_rate", "reg")
    grids: Callable  # grids(rng) -> the lists of values the search takes, one per name
    model: Callable  # model(session, rng, data) -> a Handle of a model made in the child, weights set
    fixed: Dict[str, Any] = field(default_factory=dict)  # the search's other keyword arguments, passed on


@dataclass
class Data:
    """The splits the search gets."""

    X_train: Matrix
    y_train: List[int]
    X_val: Matrix
    y_val: List[int]
    classes: int


def draw_data(rng: random.Random, D: int = 3, C: int = 3, N: int = 12) -> Data:
    """Training and validation splits of N random rows each, labels shuffled."""
    def labels() -> List[int]:
        y = [i % C for i in range(N)]
        rng.shuffle(y)
        return y
    return Data(rounded(Matrix.randn(N, D, seed=rng)), labels(), rounded(Matrix.randn(N, D, seed=rng)),
                labels(), C)


def accuracy(labels: Sequence[int], y: Sequence[int]) -> float:
    """The fraction of labels equal to y."""
    return sum(1 for label, truth in zip(labels, y) if int(label) == truth) / len(y)


@dataclass
class Trainings:
    """What the lent trainer was asked: one (setting, the data it got) per call, and the models it gave."""

    search: Search
    data: Data
    models: List[Handle]
    calls: List[Tuple[Setting, str, dict]] = field(default_factory=list)  # (setting, split, its arguments)

    def __call__(self, *args: Any, **kwargs: Any) -> Handle:
        bound = inspect.signature(self.search.signature).bind(*args, **kwargs)
        bound.apply_defaults()
        given = bound.arguments
        setting = tuple(float(given[name]) for name in self.search.names)
        self.calls.append((setting, self.split(given), given))
        # A search that trains too often gets models again; the verdict counts the trainings.
        return self.models[(len(self.calls) - 1) % len(self.models)]

    def split(self, given: dict) -> str:
        """Which data the trainer got: "training", "validation" or "other"."""
        X, y = given.get("X"), given.get("y")
        if not isinstance(X, Matrix):
            return "other"
        if X.shape == self.data.X_train.shape and X.allclose(self.data.X_train, 0, 0) and y == self.data.y_train:
            return "training"
        if X.shape == self.data.X_val.shape and X.allclose(self.data.X_val, 0, 0) and y == self.data.y_val:
            return "validation"
        return "other"


def scores_of(session: Session, models: List[Handle], data: Data) -> List[Tuple[float, float]]:
    """(training accuracy, validation accuracy) of each model, by the student's own predict."""
    return [(accuracy(session.method(m, "predict", data.X_train), data.y_train),
             accuracy(session.method(m, "predict", data.X_val), data.y_val)) for m in models]


def telling(scores: List[Tuple[float, float]]) -> bool:
    """True when the scores tell a good search from a wrong one: one best by validation accuracy, which is
    not the best by training accuracy, nor the first or the last model tried."""
    val = [v for _, v in scores]
    train = [t for t, _ in scores]
    best = val.index(max(val))
    return (val.count(max(val)) == 1 and train.count(max(train)) == 1 and train.index(max(train)) != best
            and 0 < best < len(scores) - 1)


def prepared(session: Session, rng: random.Random, search: Search, data: Data, count: int) -> tuple:
    """``count`` models made in the child whose scores tell (drawn until they do); their scores."""
    for _ in range(50):
        models = [search.model(session, rng, data) for _ in range(count)]
        scores = scores_of(session, models, data)
        if telling(scores):
            return models, scores
    raise RuntimeError("could not draw models whose accuracies tell the search apart")


def named(search: Search, setting: Setting) -> str:
    """A setting in words: "hidden_size = 16", "(learning_rate, reg) = (0.01, 0.001)"."""
    values = ", ".join(fmt(v) for v in setting)
    if len(setting) == 1:
        return f"{search.names[0]} = {values}"
    return f"({', '.join(search.names)}) = ({values})"


def same(a: float, b: Any) -> bool:
    """A number that came back equals the expected one."""
    return is_number(b) and rel_error(float(b), a) <= EXACT


def verdict(search: Search, settings: List[Setting], expected: Dict[Setting, Tuple[float, float]],
            trainings: Trainings, returned: Any) -> Verdict:
    """The search's trainings, its rows and its choice, against what the grader knows of each model."""
    tried = [setting for setting, _, _ in trainings.calls]
    names = ", ".join(search.names)
    if sorted(tried) != sorted(settings):
        missing = [s for s in settings if s not in tried]
        repeated = sorted({s for s in tried if tried.count(s) > 1})
        said = (f"{named(search, missing[0])} was never trained" if missing else
                f"{named(search, repeated[0])} was trained {tried.count(repeated[0])} times" if repeated else
                f"the settings trained were {tried}")
        return Verdict(0.0, f"{len(tried)} trainings for {len(settings)} settings: {said}", EVERY_PAIR)
    wrong_data = [(s, split) for s, split, _ in trainings.calls if split != "training"]
    if wrong_data:
        setting, split = wrong_data[0]
        return Verdict(0.0, f"{named(search, setting)} was trained on the {split} data", TRAIN_SPLIT)
    passed_on = [(k, v, given.get(k)) for _, _, given in trainings.calls for k, v in search.fixed.items()
                 if given.get(k) != v]
    if passed_on:
        key, value, got = passed_on[0]
        return Verdict(0.0, f"the search got {key} = {value} and trained with {key} = {got}: pass it on",
                       f"Pass the search's {key} on to {search.trainer.split('.')[1]}.")
    pair = unpack(returned, 2)
    if pair is None or not isinstance(pair[1], list):
        return Verdict(0.0, f"{search.target.split('.')[1]} should return (best, results); it returned "
                            f"{describe(returned)}")
    best, rows = pair
    width = len(search.names) + 2
    table = {}
    for row in rows:
        if not isinstance(row, list) or len(row) != width or not all(is_number(v) for v in row):
            return Verdict(0.0, f"each row of results is ({names}, training accuracy, validation accuracy); "
                                f"got {describe(row)}")
        table[tuple(float(v) for v in row[:-2])] = row[-2:]
    if sorted(table) != sorted(settings) or len(rows) != len(settings):
        return Verdict(0.0, f"results has {len(rows)} rows for the {len(settings)} settings tried; expected one "
                            "row per setting", EVERY_PAIR)
    for setting in settings:
        (train, val), got = expected[setting], table[setting]
        if not same(train, got[0]) or not same(val, got[1]):
            hint = VAL_SPLIT if same(train, got[1]) or not same(val, got[1]) else ""
            return Verdict(0.5, f"the row of {named(search, setting)} says training accuracy {fmt(got[0])}, "
                                f"validation accuracy {fmt(got[1])}; its model predicts {fmt(train)} on the "
                                f"training split and {fmt(val)} on the validation split", hint)
    want = max(settings, key=lambda s: expected[s][1])
    chosen = (tuple(float(v) for v in best) if isinstance(best, list) and all(is_number(v) for v in best)
              else (float(best),) if is_number(best) and len(search.names) == 1 else None)
    if chosen != want:
        by_train = max(settings, key=lambda s: expected[s][0])
        hint = BY_TRAIN if chosen == by_train else NO_BEST if chosen in (settings[0], settings[-1]) else ""
        return Verdict(0.75, f"every row is right, but best is {describe(best) if chosen is None else named(search, chosen)}; "
                             f"the highest validation accuracy, {fmt(expected[want][1])}, is that of "
                             f"{named(search, want)}", hint)
    return Verdict(1.0, f"{len(settings)} settings trained once each on the training split, every row right, "
                        f"and the best by validation accuracy chosen: {named(search, want)}")


def search_check(assignment: str, test: str, points: float, search: Search, hidden: bool = False) -> Check:
    """Run the search on splits and grids drawn now, lending it the trainer; see ``verdict``."""
    def run(session: Session, rng: random.Random) -> Verdict:
        data = draw_data(rng)
        grids = search.grids(rng)
        settings = [tuple(values) for values in product(grids)]
        models, scores = prepared(session, rng, search, data, len(settings))
        trainings = Trainings(search, data, models)
        returned = session.call(search.target, data.X_train, data.y_train, data.X_val, data.y_val, *grids,
                                lend={search.trainer: trainings}, **search.fixed)
        # The model of the k-th training is the k-th made: expected scores follow the order tried.
        expected = {setting: scores[k % len(scores)] for k, (setting, _, _) in enumerate(trainings.calls)}
        return verdict(search, settings, expected, trainings, returned)
    return make_check(f"{assignment}.search.{test}", "search", points, run, hidden)


def product(grids: Sequence[Sequence[float]]) -> List[Tuple[float, ...]]:
    """Every combination of one value from each grid, the first grid in the outer loop."""
    combos: List[Tuple[float, ...]] = [()]
    for grid in grids:
        combos = [combo + (float(value),) for combo in combos for value in grid]
    return combos


def log_grid(rng: random.Random, count: int, low: float, high: float) -> List[float]:
    """count distinct values spread on a log scale between 10**low and 10**high, rounded, increasing."""
    step = (high - low) / count
    return [float(f"{10 ** rng.uniform(low + k * step, low + (k + 1) * step):.3g}") for k in range(count)]

