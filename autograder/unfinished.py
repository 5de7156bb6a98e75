"""Nothing cascades: a notebook cell stopped by a stub says in one line which stage to finish.

A stub raises ``NotImplementedError("svm_forward: margins")``. In a kernel
watched by :func:`watch`, the cell that meets it prints
``finish svm_forward: margins first`` instead of a traceback, and does not fail
(so Run All goes on to the check cells below). The names that cell did not
make (those bound by the statement that stopped and the ones after it) and
the objects it left half-done (those whose method the stopped statement
called: ``net`` in ``stats = net.train(...)``) are remembered as missing
(``autograder.cellnames`` reads them off the cell). A later cell that reads
one of them does not run and says which stage to finish, instead of a
``NameError``, an ``AttributeError`` on ``None``, or a picture of weights
that were never trained. Running a cell to its end makes its names good again.

It works by rewriting each cell before IPython runs it (an AST transformer,
IPython's documented hook): the cell's statements are wrapped in a guard, and
a last expression, whose value Jupyter displays, is evaluated only when the
statements before it finished. Any other exception keeps its traceback.
"""
from __future__ import annotations

import ast
import itertools
import re
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from autograder.cellnames import bound_names, read_names, receivers

# A stub's message, "<function or Class.method>: <stage>", as the stub generator writes it.
STAGE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*: [A-Za-z_][A-Za-z0-9_]*")
# The guard's name in the kernel's namespace, which the rewritten cells call (%who hides a leading _).
GUARD = "__tinybackprop_guard__"


@dataclass
class Cell:
    """What the guard knows of one rewritten cell: its statements' lines and names, and what it reads."""

    spans: List[Tuple[int, int]]  # the first and last line of each top-level statement
    stores: List[List[str]]  # the names each top-level statement binds
    receivers: List[List[str]]  # the names whose methods each top-level statement calls
    reads: List[str]  # the names it reads before binding them, in order
    stopped: bool = False


@dataclass
class Guard:
    """One kernel's memory of the names that cells stopped by a stub did not make, by stage."""

    say: Callable[[str], None] = print
    namespace: Dict[str, Any] = field(default_factory=dict)  # the kernel's variables
    missing: Dict[str, str] = field(default_factory=dict)  # name -> the stage to finish first
    cells: Dict[int, Cell] = field(default_factory=dict)
    _ids: Any = field(default_factory=itertools.count)

    def add(self, cell: Cell) -> int:
        """Remember a rewritten cell until it has run; return its number."""
        number = next(self._ids)
        self.cells[number] = cell
        return number

    def begin(self, number: int) -> bool:
        """True if the cell may run; otherwise say which stage it waits for and mark its names missing."""
        cell = self.cells[number]
        waiting = [name for name in cell.reads if name in self.missing]
        if not waiting:
            return True
        stage = self.missing[waiting[0]]
        self.say(f"finish {stage} first (this cell needs {', '.join(waiting)}, "
                 f"which a cell above could not make)")
        self._stop(cell, 0, stage)
        return False

    def stopped(self, number: int, error: BaseException) -> bool:
        """A cell's statements raised NotImplementedError: True (said in one line) if a stub raised it."""
        cell = self.cells[number]
        line = error.__traceback__.tb_lineno if error.__traceback__ is not None else 0
        return self._stub(cell, next((i for i, (start, end) in enumerate(cell.spans) if start <= line <= end), 0),
                          error)

    def finished(self, number: int) -> None:
        """The cell's statements all ran: the names they bound are good again."""
        for names in self.cells[number].stores:
            for name in names:
                self.missing.pop(name, None)

    def forget(self, number: int) -> None:
        """The cell has run (it has no last expression to show)."""
        self.cells.pop(number, None)

    def shown(self, number: int, value: Callable[[], Any]) -> Any:
        """The value of the cell's last expression, or None (nothing displayed) when the cell stopped."""
        __tracebackhide__ = True  # IPython leaves this frame out of a traceback: it is not the student's
        cell = self.cells.pop(number)
        if cell.stopped:
            return None
        try:
            return value()
        except NotImplementedError as error:
            if not self._stub(cell, len(cell.spans) - 1, error):
                raise
            return None

    def _stub(self, cell: Cell, statement: int, error: BaseException) -> bool:
        """Statement ``statement`` of the cell raised NotImplementedError: True (said in one line) if a
        stub raised it, and what the cell did not make is missing; False for any other."""
        stage = str(error)
        if not STAGE.fullmatch(stage):
            return False
        self.say(f"finish {stage} first (its stub still raises NotImplementedError)")
        self._stop(cell, statement, stage, cell.receivers[statement])
        return True

    def _stop(self, cell: Cell, first: int, stage: str, half_done: Sequence[str] = ()) -> None:
        """Mark as missing, until ``stage`` is done, the names of statement ``first`` and the ones after it."""
        cell.stopped = True
        # A module whose function was called is not half-done: `time` in `time.sleep(f())`.
        objects = [name for name in half_done if not isinstance(self.namespace.get(name), ModuleType)]
        for names in cell.stores[first:] + [objects]:
            for name in names:
                self.missing[name] = stage


class GuardCells(ast.NodeTransformer):
    """Rewrites a cell's module so that a stub's NotImplementedError stops it in one line (see the module)."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard

    def visit_Module(self, module: ast.Module) -> ast.Module:
        # Put back before every cell: %reset empties the namespace the rewritten cells find it in.
        self.guard.namespace[GUARD] = self.guard
        body = list(module.body)
        # Left as they are: an empty cell, a __future__ import (it must come first), and a last
        # expression that awaits or binds a name (it cannot move into a lambda).
        if not body or any(isinstance(s, ast.ImportFrom) and s.module == "__future__" for s in body) \
                or isinstance(body[-1], ast.Expr) and _awaits(body[-1]):
            return module
        last = body.pop() if isinstance(body[-1], ast.Expr) else None
        statements = body + ([last] if last is not None else [])
        number = self.guard.add(Cell([(s.lineno, s.end_lineno or s.lineno) for s in statements],
                                     [sorted(bound_names(s)) for s in statements],
                                     [sorted(receivers(s)) for s in statements], read_names(statements)))
        call = f"{GUARD}.%s({number}%s)"
        wrapped = _at(statements[0], ast.parse(
            f"if {call % ('begin', '')}:\n"
            f"    try:\n        pass\n"
            f"    except NotImplementedError as {GUARD}_error:\n"
            f"        if not {call % ('stopped', ', ' + GUARD + '_error')}:\n            raise\n"
            f"    else:\n        {call % ('finished', '')}\n"
            + (call % ("shown", ", lambda: None") if last is not None else call % ("forget", ""))))
        wrapped.body[0].body[0].body = body or [_at(last, ast.Module([ast.Pass()], [])).body[0]]
        if last is not None:
            wrapped.body[1].value.args[1].body = last.value  # the lambda's None becomes the expression
        module.body = wrapped.body
        return module


def _at(statement: ast.stmt, module: ast.Module) -> ast.Module:
    """The guard's own code placed on the first line of the cell's (so tracebacks show the cell's lines)."""
    for node in ast.walk(module):
        if hasattr(node, "lineno"):
            node.lineno, node.end_lineno = statement.lineno, statement.lineno
            node.col_offset, node.end_col_offset = 0, 0
    return module


def _awaits(node: ast.AST) -> bool:
    """True if the statement awaits, yields or binds a name with := (it cannot move into a lambda)."""
    return any(isinstance(n, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)) for n in ast.walk(node))


def watch(ipython: Any, say: Optional[Callable[[str], None]] = None) -> Guard:
    """Guard every cell this IPython shell runs from now on (once per shell); return the guard."""
    for transformer in ipython.ast_transformers:
        if isinstance(transformer, GuardCells):
            return transformer.guard
    guard = Guard(say or print, ipython.user_ns)
    ipython.ast_transformers.append(GuardCells(guard))
    return guard
