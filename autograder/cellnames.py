"""What a notebook cell binds and reads: the names the guard of ``autograder.unfinished`` follows.

Static, on the cell's syntax tree (nothing runs): the names a top-level
statement binds in the kernel's namespace, the names whose methods it calls,
and the names a cell reads before it binds them itself, in the order Python
evaluates them (a function's body reads the names it does not bind).
"""
from __future__ import annotations

import ast
from typing import Dict, Iterator, List, Set

SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
          ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def bound_names(statement: ast.stmt) -> Set[str]:
    """The names a top-level statement binds in the module (not those local to a function inside it)."""
    names: Set[str] = set()
    for node in walk_scope(statement):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def receivers(statement: ast.stmt) -> Set[str]:
    """The names whose methods a statement calls: ``net`` in ``stats = net.train(X, y)``."""
    return {node.func.value.id for node in walk_scope(statement)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)}


def walk_scope(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``node`` that belong to its scope: a nested function's or class's body is left out."""
    yield node  # a function or class: its name is bound here, its body is its own scope
    if not isinstance(node, SCOPES):
        for child in ast.iter_child_nodes(node):
            yield from walk_scope(child)


def read_names(statements: List[ast.stmt]) -> List[str]:
    """The names the statements read before binding them, in order of first use (nested scopes included)."""
    reader = _Reader()
    for statement in statements:
        reader.visit(statement)
    return list(reader.reads)


class _Reader(ast.NodeVisitor):
    """Walks a cell in the order Python evaluates it, noting each name read before it is bound."""

    def __init__(self) -> None:
        self.bound: Set[str] = set()
        self.reads: Dict[str, None] = {}  # an ordered set

    def read(self, names: List[str]) -> None:
        """Note the names not bound so far as read."""
        for name in names:
            if name not in self.bound:
                self.reads.setdefault(name, None)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.read([node.id])
        else:
            self.bound.add(node.id)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self.visit(target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name):
            self.read([node.target.id])
        self.visit(node.value)
        self.visit(node.target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
        self.visit(node.target)

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        self.visit(node.target)
        for statement in node.body + node.orelse:
            self.visit(statement)

    def visit_Import(self, node: ast.Import) -> None:
        self.bound.update(bound_names(node))

    visit_ImportFrom = visit_Import

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        for outer in node.decorator_list + node.args.defaults + [d for d in node.args.kw_defaults if d]:
            self.visit(outer)
        self.bound.add(node.name)  # before its body: a function may call itself
        self.read(free_names(node))

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for outer in node.decorator_list + node.bases + [k.value for k in node.keywords]:
            self.visit(outer)
        self.read(free_names(node))
        self.bound.add(node.name)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        for outer in node.args.defaults + [d for d in node.args.kw_defaults if d]:
            self.visit(outer)
        self.read(free_names(node))

    def _comprehension(self, node: ast.AST) -> None:
        self.visit(node.generators[0].iter)  # evaluated in the enclosing scope
        self.read(free_names(node))

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _comprehension


def free_names(scope: ast.AST) -> List[str]:
    """The names a function, lambda, class or comprehension reads that it does not bind itself."""
    local: Set[str] = set()
    loads: Dict[str, None] = {}
    for node in ast.walk(scope):
        if isinstance(node, ast.arg):
            local.add(node.arg)
        elif isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                loads.setdefault(node.id, None)
            else:
                local.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node is not scope:
            local.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            local.update(bound_names(node))
    return [name for name in loads if name not in local]
