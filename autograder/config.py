"""The autograder's configuration: points per stage, limits, hidden-test visibility, accuracy floors, hints.

Everything comes from ``autograder/config.toml`` (or a file an instructor
passes). TOML is read with ``tomllib`` where Python has it (3.11+), else with
``tomli`` if installed, else with :func:`parse_flat_toml`, a small reader of
the subset the file uses: ``[table]`` headers, ``key = value`` lines (keys bare
or quoted), numbers, strings, booleans and one-line lists of strings.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Optional, Tuple, Union

from autograder.imports import DEFAULT_FORBIDDEN

DEFAULT_PATH = Path(__file__).resolve().parent / "config.toml"
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
# How much a stub says above each stage's raise: its goal only; the goal, the idea and the
# formula; or all of these and the shape of the code (the hint ladder's texts, see autograder.ladder).
STUB_LEVELS = ("goal", "formula", "code")


@dataclass(frozen=True)
class Limits:
    """The resources one sandboxed child may use."""

    call_seconds: float = 5.0
    submission_seconds: float = 60.0
    memory_mb: int = 512
    output_bytes: int = 20_000
    file_bytes: int = 1_000_000
    tmp_bytes: int = 16_000_000   # the isolated child's private /tmp (a tmpfs, gone with it)
    work_bytes: int = 16_000_000  # the isolated child's work folder (a tmpfs, gone with it)


class ConfigError(ValueError):
    """A configuration file that cannot be used (the message names the file and the line or key)."""


@dataclass(frozen=True)
class Config:
    """The grader's settings, with the defaults of the shipped config.toml."""

    limits: Limits = field(default_factory=Limits)
    hidden_visibility: str = "after_published"
    floors: Dict[str, float] = field(default_factory=dict)  # assignment -> accuracy floor
    forbidden_imports: Tuple[str, ...] = DEFAULT_FORBIDDEN
    points: Dict[str, float] = field(default_factory=dict)  # "svm.forward" -> stage total
    stub_level: str = "goal"  # one of STUB_LEVELS
    ladder: bool = True  # whether `python -m autograder hint` (and the kit's hints) are available
    source: str = ""

    def floor(self, assignment: str, default: float = 0.0) -> float:
        """The accuracy floor of an assignment's training checks."""
        return self.floors.get(assignment, default)


_LINE = re.compile(r'^\s*("(?:[^"\\]|\\.)*"|[A-Za-z0-9_.-]+)\s*=\s*(.+?)\s*$')


def _strip_comment(line: str) -> str:
    """A line without its ``#`` comment (a ``#`` inside a string is kept)."""
    quoted = False
    for i, char in enumerate(line):
        if char == '"' and (i == 0 or line[i - 1] != "\\"):
            quoted = not quoted
        elif char == "#" and not quoted:
            return line[:i]
    return line


def parse_flat_toml(text: str, name: str = "config") -> Dict[str, Dict[str, Any]]:
    """Parse the flat subset of TOML the config uses into ``{table: {key: value}}``."""
    tables: Dict[str, Dict[str, Any]] = {}
    current = tables.setdefault("", {})
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw).strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            table = line[1:-1].strip()
            # A quoted table name (["12345"], a student id in overrides.toml) is the text inside.
            current = tables.setdefault(ast.literal_eval(table) if table.startswith('"') else table, {})
            continue
        match = _LINE.match(line)
        if match is None:
            raise ConfigError(f"{name}, line {number}: expected 'key = value', got {raw.strip()!r}")
        key, value = match.groups()
        current[ast.literal_eval(key) if key.startswith('"') else key] = _value(value, name, number)
    return tables


def _value(text: str, name: str, number: int) -> Any:
    """One TOML value of the subset: a number, a string, a boolean or a list of those."""
    if text in ("true", "false"):
        return text == "true"
    try:
        value = ast.literal_eval(text.replace("_", "") if not text.startswith(("'", '"', "[")) else text)
    except (ValueError, SyntaxError):
        raise ConfigError(f"{name}, line {number}: cannot read the value {text!r}") from None
    if isinstance(value, (int, float, str)) or (isinstance(value, list) and
                                                all(isinstance(v, (int, float, str)) for v in value)):
        return value
    raise ConfigError(f"{name}, line {number}: unsupported value {text!r}")


def read_toml(path: Path) -> Dict[str, Any]:
    """Read a TOML file with the best reader this Python has."""
    text = path.read_text(encoding="utf-8")
    try:
        import tomllib as toml_reader
    except ImportError:
        try:
            import tomli as toml_reader
        except ImportError:
            return parse_flat_toml(text, path.name)
    try:
        return toml_reader.loads(text)
    except toml_reader.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: {exc}") from None


def _number(table: Dict[str, Any], key: str, default: float, where: str) -> float:
    """A positive number from a table, or the default when it is absent."""
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(f"{where}: {key} must be a positive number, got {value!r}")
    return value


def load_config(path: Optional[Union[str, Path]] = None) -> Config:
    """Read the configuration (None: the shipped ``autograder/config.toml``); raise ConfigError if invalid."""
    path = Path(path) if path is not None else DEFAULT_PATH
    data = read_toml(path)
    where = path.name
    limits_table = data.get("limits", {})
    defaults = Limits()
    limits = Limits(
        call_seconds=float(_number(limits_table, "call_seconds", defaults.call_seconds, where)),
        submission_seconds=float(_number(limits_table, "submission_seconds",
                                         defaults.submission_seconds, where)),
        memory_mb=int(_number(limits_table, "memory_mb", defaults.memory_mb, where)),
        output_bytes=int(_number(limits_table, "output_bytes", defaults.output_bytes, where)),
        file_bytes=int(_number(limits_table, "file_bytes", defaults.file_bytes, where)),
        tmp_bytes=int(_number(limits_table, "tmp_bytes", defaults.tmp_bytes, where)),
        work_bytes=int(_number(limits_table, "work_bytes", defaults.work_bytes, where)),
    )
    visibility = data.get("hidden", {}).get("visibility", "after_published")
    if visibility not in VISIBILITIES:
        raise ConfigError(f"{where}: hidden.visibility must be one of {', '.join(VISIBILITIES)}, "
                          f"got {visibility!r}")
    floors = {key: float(_number(data.get("training", {}), key, 1.0, where))
              for key in data.get("training", {})}
    points = {}
    for key, value in data.get("points", {}).items():
        if key.count(".") != 1:
            raise ConfigError(f"{where}: points key {key!r} must be '<assignment>.<stage>'")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ConfigError(f"{where}: points of {key} must be a number >= 0, got {value!r}")
        points[key] = float(value)
    forbidden = data.get("imports", {}).get("forbidden", list(DEFAULT_FORBIDDEN))
    hints = data.get("hints", {})
    stub_level, ladder = hints.get("stubs", "goal"), hints.get("ladder", True)
    if stub_level not in STUB_LEVELS:
        raise ConfigError(f"{where}: hints.stubs must be one of {', '.join(STUB_LEVELS)}, got {stub_level!r}")
    if not isinstance(ladder, bool):
        raise ConfigError(f"{where}: hints.ladder must be true or false, got {ladder!r}")
    return Config(limits=limits, hidden_visibility=visibility, floors=floors,
                  forbidden_imports=tuple(str(name) for name in forbidden), points=points,
                  stub_level=stub_level, ladder=ladder, source=str(path))
