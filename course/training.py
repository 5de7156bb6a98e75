"""Training checked as training: what the checks of the linear classifier and the two-layer net share.

The grader lends ``train`` its loss: during the call, ``self.loss`` of the
student's model is a function of the grader's (``Session``'s ``lend``), so the
grader sees each minibatch ``train`` draws and the parameters the model holds
at every step, and chooses what the loss returns. On a **scripted** loss
(losses and gradients drawn by the grader, nothing of the reference involved)
three checks look at one idea each:

- minibatch: each step's ``X_batch`` is ``batch_size`` rows of X with their
  own labels, the rows change from step to step and, over the run, cover the set;
- update: each step moves the parameters by ``-learning_rate`` times the
  gradient the loss returned (the parameters are set before training and
  read back after it);
- history: ``train`` returns the losses the loss returned, in order.

The accuracy check then trains for real, with the reference loss lent in the
official grade (so a bug of ``svm.py`` or of the backward pass is charged in
its own stage, not here) and the student's own loss in the kit, reads the
trained parameters back and asks for predictions that follow them and reach
a floor on a held-out set. Its training sets come sorted by label, so that a minibatch not
drawn from the whole set misses the floor on every dataset; when the floor is
missed, the minibatches and the steps the run showed say why before anything
else is blamed.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence

from autograder.compare import EXACT, describe, is_number, rel_error
from autograder.config import load_config
from autograder.oracle import make_check, published, rounded
from autograder.suite import Check, Handle, Session, Verdict
from tinybackprop.data import accuracy, train_test_split
from tinybackprop.matrix import Matrix

# The scripted runs: a small set, many steps, so that sampling rows with replacement misses
# one of the N rows with probability about N * e^(-steps * batch / N) = 20 e^-20 < 1e-7.
SCRIPT_ROWS, SCRIPT_FEATURES, SCRIPT_BATCH, SCRIPT_STEPS = 20, 3, 10, 40
SCRIPT_RATE = 0.1
# The most rows a lent loss accepts in one call (a whole training set, or a test set to predict):
# the reference runs in the grader's own process, so what it is given stays small.
MOST_ROWS = 2000

MINIBATCH = ("A minibatch is batch_size rows of X drawn at random from all N, each with its own label "
             "from y: draw the row indices first, then take those rows and those labels.")
LABELS = ("Your labels are out of step with your rows: y_batch[k] must be the label of row k of X_batch. "
          "With sampled rows, take the labels of the same indices, not the first batch_size labels.")
SAME_ROWS = ("Every step trained on the same rows: draw new row indices at every step, "
             "not the first batch_size rows.")
WHOLE_SET = "Each step uses batch_size rows, not the whole set: that is what makes it stochastic."
UPHILL = "Step against the gradient: the gradient points uphill, and a step along it climbs the loss."
NO_RATE = "The step is the gradient scaled by the learning rate, not the gradient alone."
NOT_KEPT = ("The parameters never changed: assign the stepped parameters back to the model, so that the "
            "next step and predict use them.")
REPLACED = ("train replaced the parameters the model already had: create them only when there are "
            "none yet (if self.W is None), so that calling train again goes on from where it stopped.")
OWN_LOSS = ("This self-check trains with your own loss: check that the loss's own tests pass, then the "
            "minibatch, update and predict tests of this assignment.")


def sorted_by_label(X: Matrix, y: list) -> tuple:
    """(X, y) with the rows in the order of their labels, as many datasets come.

    A minibatch not drawn from the whole set (the same first rows at every
    step, or rows sampled with the first labels) then sees a few classes only,
    and no luck can save it: the same bug misses the floor on every dataset.
    """
    order = sorted(range(len(y)), key=lambda i: y[i])
    return X[order], [y[i] for i in order]


def corners(rng: random.Random, n: int = 240, classes: int = 10, spread: float = 4.0) -> tuple:
    """(X_train, X_test, y_train, y_test): n points in `classes` blobs, one near each corner
    ``spread * e_k`` of the axes (in an order drawn now), with a constant 1 last (the bias trick);
    a quarter held out, the training part sorted by label.

    Ten classes, so that no W that training did not shape (weights never updated,
    labels out of step with the rows) comes near the floor by chance.
    """
    axes = list(range(classes))
    rng.shuffle(axes)
    centers = [[spread * (axes[label] == k) + rng.gauss(0.0, 0.3) for k in range(classes)]
               for label in range(classes)]
    rows, labels = [], []
    for i in range(n):
        label = i % classes
        rows.append([c + rng.gauss(0.0, 1.0) for c in centers[label]] + [1.0])
        labels.append(label)
    X_train, X_test, y_train, y_test = train_test_split(Matrix(rows), labels, test_size=0.25, seed=rng)
    X_train, y_train = sorted_by_label(X_train, y_train)
    return X_train, X_test, y_train, y_test


def floor(session: Session, assignment: str) -> float:
    """The accuracy floor of an assignment's training checks, from the grading config."""
    config = session.config if session.config is not None else load_config()
    return config.floor(assignment, 0.8)


def labels_problem(got: Any, n: int, classes: int) -> str:
    """What is wrong with returned predictions ("" for a list of n ints in 0..classes-1)."""
    if not isinstance(got, list) or len(got) != n:
        return f"predict should return a list of {n} labels, one per row of X; got {describe(got)}"
    for i, label in enumerate(got):
        if not is_number(label) or label != int(label) or not 0 <= label < classes:
            return (f"predict should return labels in 0..{classes - 1}; "
                    f"entry {i} is {describe(label)}")
    return ""


def accuracy_message(got: Sequence[float], y: Sequence[int], bar: float) -> tuple:
    """(fraction of points, message) for predictions on the held-out set against the floor."""
    score = accuracy([int(label) for label in got], y)
    return (1.0 if score >= bar else 0.0), (f"accuracy {score:.2f} on {len(y)} held-out points "
                                             f"(the floor is {bar:.2f})")


@dataclass(frozen=True)
class Data:
    """A training set: X (N x D), its labels y and the number of classes."""

    X: Matrix
    y: list
    classes: int


def scripted_data(rng: random.Random, classes: int = 3) -> Data:
    """SCRIPT_ROWS distinct random rows with random labels (every class present)."""
    X = rounded(Matrix.randn(SCRIPT_ROWS, SCRIPT_FEATURES, seed=rng))
    y = [i % classes for i in range(SCRIPT_ROWS)]
    rng.shuffle(y)
    return Data(X, y, classes)


class Model:
    """How the checks drive one model class: its parameters, its train and what its loss returns.

    A subclass names the class (``target``), where the model keeps its
    parameters (``attribute``: ``"W"``, one Matrix, or ``"params"``, a dict of
    them) and how ``train`` is called and answers.
    """

    assignment = ""
    target = ""
    attribute = ""

    def new(self, session: Session, data: Data, rng: random.Random) -> Handle:
        """A fresh model for data in the child."""
        raise NotImplementedError

    def shapes(self, data: Data) -> Dict[str, tuple]:
        """The shape of each parameter, by name."""
        raise NotImplementedError

    def train_args(self, data: Data) -> tuple:
        """train's positional arguments for data."""
        return data.X, data.y

    def settings(self, scripted: bool) -> dict:
        """train's keyword arguments (learning rate, steps, batch size...) besides the seed."""
        raise NotImplementedError

    def history(self, returned: Any) -> Any:
        """The loss history in what train returned."""
        return returned

    def answer(self, loss: float, grads: Dict[str, Matrix]) -> Any:
        """What self.loss returns for a loss and gradients by parameter name."""
        raise NotImplementedError

    def scores(self, session: Session, model: Handle, params: Dict[str, Matrix], X: Matrix) -> Matrix:
        """The N x C scores of X under params (the model's own forward pass where no reference may)."""
        raise NotImplementedError

    def reference_loss(self, data: Data) -> Optional[Callable]:
        """The reference loss as a function of (params, X, y, reg) -> (loss, grads by name); None in the kit."""
        raise NotImplementedError

    def prepare(self, session: Session) -> str:
        """What every check does first in the child; a note for its message ("" if none)."""
        return ""

    # -- shared -------------------------------------------------------------
    def parameters(self, value: Any, data: Data, what: str) -> Dict[str, Matrix]:
        """The parameters in what the model holds (``self.W`` or ``self.params``), checked against
        their shapes; ValueError saying what is wrong."""
        found = {self.attribute: value} if self.attribute == "W" else value
        shapes = self.shapes(data)
        if not isinstance(found, dict) or any(not isinstance(found.get(name), Matrix) for name in shapes):
            raise ValueError(f"{what}: the model should hold its parameters in self.{self.attribute} "
                             f"({words(shapes)}); it holds {describe(value)}")
        for name, shape in shapes.items():
            if found[name].shape != shape:
                raise ValueError(f"{what}: {name} has shape {found[name].shape}; expected {shape}")
        return {name: found[name] for name in shapes}

    def stored(self, params: Dict[str, Matrix]) -> Any:
        """What the model's attribute holds for these parameters."""
        return params["W"] if self.attribute == "W" else dict(params)

    def set(self, session: Session, model: Handle, params: Dict[str, Matrix]) -> None:
        """Give the child's model these parameters."""
        session.method(model, "__setattr__", self.attribute, self.stored(params))

    def read(self, session: Session, model: Handle, data: Data, what: str) -> Dict[str, Matrix]:
        """The child's model's parameters after a call (ValueError when they are not there)."""
        return self.parameters(session.attr(model, self.attribute), data, what)


def words(shapes: Dict[str, tuple]) -> str:
    """The parameters and their shapes in words: 'W 3 x 4'."""
    return ", ".join(f"{name} {shape[0]} x {shape[1]}" for name, shape in shapes.items())


@dataclass
class Step:
    """One call of the lent loss with labels: what train gave it, and what it answered."""

    params: Dict[str, Matrix]
    X: Matrix
    y: list
    loss: float
    grads: Dict[str, Matrix]


@dataclass
class Recorder:
    """A loss lent to ``train``: it records every step and answers with ``respond(params, X, y, reg)``.

    Without labels (predict inside train, for its accuracy bookkeeping) it answers zero scores.
    """

    model: Model
    data: Data
    respond: Callable[[Dict[str, Matrix], Matrix, list, float], tuple]
    steps: List[Step] = field(default_factory=list)

    def __call__(self, state: dict, X: Any = None, y: Any = None, reg: Any = 0.0) -> Any:
        """The lent ``self.loss``: state is the model's data, then train's arguments."""
        params = self.model.parameters(state.get(self.model.attribute), self.data, "self.loss")
        D = self.data.X.shape[1]
        if not isinstance(X, Matrix) or X.shape[1] != D or X.shape[0] > MOST_ROWS:
            raise ValueError(f"self.loss takes a Matrix of rows of X (n x {D}); got {describe(X)}")
        if not is_number(reg):
            raise ValueError(f"self.loss takes reg, a number; got {describe(reg)}")
        if y is None:
            return Matrix.zeros(X.shape[0], self.data.classes)
        labels = as_labels(y, X.shape[0], self.data.classes)
        loss, grads = self.respond(params, X, labels, float(reg))
        self.steps.append(Step(params, X, labels, loss, grads))
        return self.model.answer(loss, grads)


def as_labels(y: Any, n: int, classes: int) -> list:
    """y as n int labels in 0..classes-1; ValueError saying what is wrong."""
    if not isinstance(y, list) or len(y) != n:
        raise ValueError(f"self.loss takes y_batch, a list of {n} labels (one per row of X_batch); "
                         f"got {describe(y)}")
    for label in y:
        if not is_number(label) or label != int(label) or not 0 <= label < classes:
            raise ValueError(f"self.loss takes labels in 0..{classes - 1}; got {describe(label)}")
    return [int(label) for label in y]


def scripted(model: Model, data: Data, rng: random.Random) -> Recorder:
    """A recorder answering losses and gradients drawn from rng: no reference involved."""
    shapes = model.shapes(data)

    def respond(params: dict, X: Matrix, y: list, reg: float) -> tuple:
        grads = {name: rounded(Matrix.randn(*shape, seed=rng)) for name, shape in shapes.items()}
        return round(rng.uniform(0.5, 3.0), 6), grads
    return Recorder(model, data, respond)


def same(a: Matrix, b: Matrix) -> bool:
    """Two matrices equal up to the rounding of a different order of operations."""
    return a.shape == b.shape and all(rel_error(x, y) <= EXACT for x, y in zip(a.flatten(), b.flatten()))


def same_params(a: Dict[str, Matrix], b: Dict[str, Matrix]) -> bool:
    """Equal parameter dicts (as ``same``)."""
    return a.keys() == b.keys() and all(same(a[name], b[name]) for name in a)


# -- verdicts on what a run recorded -----------------------------------------------------------

def minibatch_verdict(steps: Sequence[Step], data: Data, batch_size: int, cover: bool = True) -> Verdict:
    """Each step's minibatch: batch_size rows of X with their own labels; new rows each step; and, when
    ``cover`` (a run long enough to draw every row), all rows used."""
    if not steps:
        return Verdict(0.0, "train never computed a loss on labels", MINIBATCH)
    N = data.X.shape[0]
    index = {tuple(row): i for i, row in enumerate(data.X.tolist())}
    drawn = []
    for t, step in enumerate(steps):
        rows = [index.get(tuple(row)) for row in step.X.tolist()]
        if len(rows) != batch_size:
            hint = WHOLE_SET if len(rows) == N else MINIBATCH
            return Verdict(0.0, f"at step {t}, X_batch has {len(rows)} rows; batch_size is {batch_size}", hint)
        if None in rows:
            return Verdict(0.0, f"at step {t}, row {rows.index(None)} of X_batch is not a row of X", MINIBATCH)
        wrong = [k for k, i in enumerate(rows) if step.y[k] != data.y[i]]
        if wrong:
            k = wrong[0]
            return Verdict(0.0, f"at step {t}, y_batch[{k}] is {step.y[k]} but row {k} of X_batch is "
                                f"X[{rows[k]}], whose label is {data.y[rows[k]]}", LABELS)
        drawn.append(rows)
    if len(steps) > 1 and all(sorted(rows) == sorted(drawn[0]) for rows in drawn):
        return Verdict(0.0, f"all {len(steps)} steps trained on the same {batch_size} rows", SAME_ROWS)
    unused = N - len({i for rows in drawn for i in rows})
    if unused and cover:
        return Verdict(0.0, f"over {len(steps)} steps of {batch_size} rows, {unused} of the {N} rows of X "
                            "were never drawn", MINIBATCH)
    return Verdict(1.0, f"{len(steps)} minibatches of {batch_size} rows of X with their own labels, "
                        f"new rows at each step, all {N} rows drawn")


def step_problem(before: Dict[str, Matrix], after: Dict[str, Matrix], grads: Dict[str, Matrix],
                 rate: float) -> str:
    """Which known mistake turns ``before`` into ``after`` instead of before - rate * grads ("" if right)."""
    def moved(scale: float) -> Dict[str, Matrix]:
        return {name: before[name] - scale * grads[name] for name in before}
    if same_params(after, moved(rate)):
        return ""
    for scale, hint in ((-rate, UPHILL), (1.0, NO_RATE), (0.0, NOT_KEPT)):
        if same_params(after, moved(scale)):
            return hint
    stale = [name for name in before if same(after[name], before[name])]
    if stale and all(same(after[name], moved(rate)[name]) for name in before if name not in stale):
        return f"{', '.join(stale)} did not change: every parameter takes its step, p = p - learning_rate * dp."
    return "The step is p = p - learning_rate * dp for every parameter p and its gradient dp."


def update_verdict(steps: Sequence[Step], start: Dict[str, Matrix], final: Dict[str, Matrix],
                   rate: float) -> Verdict:
    """Every step moves the parameters by -rate times the gradient the loss returned; the first from
    ``start`` (set before training), the last to ``final`` (read back after it)."""
    if not steps:
        return Verdict(0.0, "train never computed a loss on labels, so it never took a step", MINIBATCH)
    if not same_params(steps[0].params, start):
        return Verdict(0.0, "train did not start from the parameters the model had", REPLACED)
    after = [step.params for step in steps[1:]] + [final]
    for t, (step, then) in enumerate(zip(steps, after)):
        problem = step_problem(step.params, then, step.grads, rate)
        if problem:
            return Verdict(0.0, f"step {t} did not move the parameters by -learning_rate * gradient "
                                f"(learning_rate {rate:g})", problem)
    return Verdict(1.0, f"all {len(steps)} steps moved the parameters by -learning_rate times the "
                        "gradient the loss returned")


def history_verdict(history: Any, steps: Sequence[Step]) -> Verdict:
    """The history train returns is the losses the loss returned, in order."""
    losses = [step.loss for step in steps]
    if not steps:
        return Verdict(0.0, "train never computed a loss on labels, so it has no history to return", MINIBATCH)
    if not isinstance(history, list) or not all(is_number(v) for v in history):
        return Verdict(0.0, f"train should return the loss of each step (a list of numbers); got "
                            f"{describe(history)}")
    if len(history) != len(losses) or any(rel_error(h, l) > EXACT for h, l in zip(history, losses)):
        shown = ", ".join(f"{v:.4g}" for v in losses[:3])
        return Verdict(0.0, f"the history is not the losses self.loss returned ({len(losses)} of them, "
                            f"starting {shown}); got {describe(history)}",
                       "Append the loss of each step, as self.loss returned it, to the history.")
    return Verdict(1.0, f"the history is the {len(losses)} losses self.loss returned, in order")


# -- the checks ---------------------------------------------------------------------------------

def check(model: Model, test: str, points: float, run: Callable, hidden: bool) -> Check:
    """A Check of the model's training stage; run(session, rng) draws its inputs from rng, after
    ``model.prepare``, whose note ends the message."""
    def prepared(session: Session, rng: random.Random) -> Verdict:
        note = model.prepare(session)
        verdict = run(session, rng)
        if not note:
            return verdict
        return Verdict(verdict.fraction, f"{verdict.message}. {note}", verdict.hint, verdict.stopped)
    return make_check(f"{model.assignment}.training.{test}", "training", points, prepared, hidden)


def scripted_run(session: Session, model: Model, rng: random.Random) -> tuple:
    """Train a fresh model from random parameters on a scripted loss.

    Returns (data, the recorder, the starting parameters, what train returned, the model's handle).
    """
    data = scripted_data(rng)
    recorder = scripted(model, data, rng)
    start = {name: rounded(Matrix.randn(*shape, seed=rng)) for name, shape in model.shapes(data).items()}
    handle = model.new(session, data, rng)
    model.set(session, handle, start)
    returned = session.method(handle, "train", *model.train_args(data), seed=rng.randrange(2 ** 31),
                              lend={"self.loss": recorder}, **model.settings(scripted=True))
    return data, recorder, start, returned, handle


def minibatch_check(model: Model, test: str, points: float, hidden: bool = False) -> Check:
    """The minibatches train draws, seen by the loss it is lent."""
    def run(session: Session, rng: random.Random) -> Verdict:
        data, recorder, _, _, _ = scripted_run(session, model, rng)
        return minibatch_verdict(recorder.steps, data, SCRIPT_BATCH)
    return check(model, test, points, run, hidden)


def update_check(model: Model, test: str, points: float, hidden: bool = False) -> Check:
    """The steps train takes on scripted gradients, from parameters set before to those read after."""
    def run(session: Session, rng: random.Random) -> Verdict:
        data, recorder, start, _, handle = scripted_run(session, model, rng)
        final = model.read(session, handle, data, "after train")
        return update_verdict(recorder.steps, start, final, SCRIPT_RATE)
    return check(model, test, points, run, hidden)


def history_check(model: Model, test: str, points: float, hidden: bool = False) -> Check:
    """The history train returns, against the scripted losses its loss returned."""
    def run(session: Session, rng: random.Random) -> Verdict:
        _, recorder, _, returned, _ = scripted_run(session, model, rng)
        return history_verdict(model.history(returned), recorder.steps)
    return check(model, test, points, run, hidden)


def predictions(session: Session, model: Model, handle: Handle, params: Dict[str, Matrix], X: Matrix,
                classes: int) -> tuple:
    """(Verdict, labels): predict(X) against the argmax of the scores of X under the trained params."""
    got = session.method(handle, "predict", X)
    problem = labels_problem(got, X.shape[0], classes)
    if problem:
        return Verdict(0.0, problem), got
    want = model.scores(session, handle, params, X).argmax(axis=1)
    wrong = [i for i, (g, w) in enumerate(zip(got, want)) if int(g) != w]
    if wrong:
        i = wrong[0]
        return Verdict(0.0, f"{len(wrong)} of {len(want)} labels are not the argmax of the scores under the "
                            f"trained parameters; row {i}: expected {want[i]}, got {int(got[i])}",
                       "predict returns, for each row, the class with the highest score under the "
                       "model's own trained parameters: the argmax over each row (axis=1)."), got
    return Verdict(1.0, f"all {len(want)} labels are the argmax of the scores under the trained "
                        "parameters"), got


def accuracy_check(model: Model, test: str, points: float, dataset: Callable, hidden: bool = False) -> Check:
    """Train for real on a dataset drawn now; predict must follow the trained parameters and reach the
    floor on the held-out part. The official grade lends train the reference loss; the kit cannot."""
    def run(session: Session, rng: random.Random) -> Verdict:
        bar = floor(session, model.assignment)
        X_train, X_test, y_train, y_test = dataset(rng)
        data = Data(X_train, y_train, max(y_train) + 1)
        reference = None if published(rng) else model.reference_loss(data)
        recorder = Recorder(model, data, reference) if reference else None
        handle = model.new(session, data, rng)
        settings = model.settings(scripted=False)
        session.method(handle, "train", *model.train_args(data), seed=rng.randrange(2 ** 31),
                       lend={"self.loss": recorder} if recorder else None, **settings)
        params = model.read(session, handle, data, "after train")
        follows, got = predictions(session, model, handle, params, X_test, data.classes)
        if follows.fraction < 1.0:
            return follows
        fraction, message = accuracy_message(got, y_test, bar)
        if recorder is None:
            return Verdict(fraction, f"trained with your own loss (the official grade lends train the "
                                     f"reference loss): {message}", "" if fraction else OWN_LOSS)
        hint = "" if fraction else why_not_trained(recorder, data, params, settings)
        return Verdict(fraction, f"trained with the reference loss, lent to train: {message}", hint)
    return check(model, test, points, run, hidden)


def why_not_trained(recorder: Recorder, data: Data, final: Dict[str, Matrix], settings: dict) -> str:
    """What a run that missed the floor shows: its minibatches first, then its steps."""
    start = recorder.steps[0].params if recorder.steps else final
    for verdict in (minibatch_verdict(recorder.steps, data, settings["batch_size"], cover=False),
                    update_verdict(recorder.steps, start, final, settings["learning_rate"])):
        if verdict.fraction < 1.0:
            return verdict.hint
    return "The minibatches and the steps are right; check predict."
