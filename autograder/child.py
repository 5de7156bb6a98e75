"""The code that runs inside the sandboxed child: it serves calls into one student assignment.

Started by ``autograder.sandbox`` as ``python -I -S -B -u child.py REQUEST_FD
REPLY_FD`` (isolated mode, no site-packages, no bytecode files, unbuffered),
with the student's stdout/stderr already pointing at the capture pipe. Where
the machine allows it, it is started in its private view of the machine
(``autograder.isolation``), already unprivileged, with its workspace at
``/workspace``. The first line on the request pipe is the settings (JSON).
Before any student code runs it, in this order:

1. sets resource limits: address space (memory), CPU seconds, file size
   (which also caps the captured output), no core files; a limit that cannot
   be set stops it unless the settings say the grading is unprotected anyway
   (``strict`` false: mode "none", a student's own machine);
2. puts the workspace's ``lib`` folder on its path and imports ``wire``
   from it (the workspace's copy of ``autograder/wire.py``: the message tags
   and how values cross); when it will drop privileges, it also imports the
   common computational standard-library modules and the ``tinybackprop``
   modules (never a ``__main__``) while it can still read them (the interpreter may
   live in a directory, such as ``/root``, that the unprivileged user cannot
   read; a module left out of ``COMMON_STDLIB`` may then fail to import);
3. in mode "uid drop" (started as root, no namespaces), hides the grader's
   tree behind an empty mount where root may make one (see ``hide_paths``)
   and drops to the unprivileged uid/gid it was given;
4. forbids new processes (RLIMIT_NPROC = 0) and moves into its empty work dir.

Then it reads one JSON request per line from the request pipe and writes one
JSON reply per line to the reply pipe (never to stdout, which is the student's),
in the format of ``wire``. A function the parent lends for a call is a proxy
here: calling it writes a callback on the reply pipe and waits for the
parent's answer on the request pipe; nothing of the parent's function itself
ever comes into this process. The parent trusts nothing it reads from this
process: it validates every reply, so this file is only a convenience for an
honest submission.

This file must run on Python 3.9 and PyPy and imports only the standard library
(and ``wire``, which does too).
"""
from __future__ import annotations

import faulthandler
import importlib
import json
import math
import os
import signal
import sys
import traceback
from types import ModuleType
from typing import Any, Callable, Optional, TextIO, Tuple

COMMON_STDLIB = ("math", "random", "itertools", "functools", "operator", "collections",
                 "copy", "typing", "dataclasses", "abc", "time", "heapq", "bisect",
                 "warnings", "enum", "array", "contextlib")


# The exceptions a refused callback raises in the student's code, by the name the parent sends;
# any other name raises RuntimeError.
ANSWER_ERRORS = {error.__name__: error for error in (ValueError, TypeError, ArithmeticError, ZeroDivisionError,
                                                     OverflowError, IndexError, KeyError, RuntimeError)}


class Refused(Exception):
    """A request this child will not serve (unknown target, bad value, forbidden call)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def limit(name: str, soft: int, hard: int, settings: dict) -> None:
    """Set one resource limit; where it cannot be set, only an unprotected grading may go on.

    Some systems refuse some limits (macOS and RLIMIT_AS). A protected grading
    (isolated, or as another uid: an instructor's or Gradescope's machine) must
    not go on without them; a student grading their own work on their own
    computer, unisolated, protects nobody but themselves.
    """
    # Imported here, not at the top: the in-process channel (autograder.inprocess) serves requests
    # with this file's Server in a kernel that has no resource module (Pyodide, in a browser).
    import resource

    try:
        resource.setrlimit(getattr(resource, name), (soft, hard))
    except (ValueError, OSError, AttributeError):
        if settings.get("strict"):
            raise


def set_limits(settings: dict) -> None:
    """Apply the memory, CPU, file-size and core-file limits before any student code runs."""
    memory = int(settings["memory_bytes"])
    limit("RLIMIT_AS", memory, memory, settings)
    cpu = int(math.ceil(settings["cpu_seconds"]))
    limit("RLIMIT_CPU", cpu, cpu + 1, settings)
    size = int(settings["file_bytes"])
    limit("RLIMIT_FSIZE", size, size, settings)
    limit("RLIMIT_CORE", 0, 0, settings)


def preload(settings: dict) -> None:
    """Import what the student may use while the files are still readable."""
    sys.path.insert(0, settings["lib"])
    if settings.get("uid") is None:
        return  # the files stay readable: let imports happen when the student asks for them
    names = list(COMMON_STDLIB)
    package_dir = os.path.join(settings["lib"], "tinybackprop")
    if os.path.isdir(package_dir):
        names += ["tinybackprop"] + sorted("tinybackprop." + entry[:-3]
                                           for entry in os.listdir(package_dir)
                                           if entry.endswith(".py") and not entry.startswith("_"))
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # a broken module fails again, visibly, when the student imports it
            continue


CLONE_NEWNS, MS_RDONLY, MS_REC, MS_PRIVATE = 0x00020000, 1, 0x4000, 1 << 18


def hide_paths(settings: dict) -> bool:
    """Cover the grader's tree (its .git, references and hidden tests) with an empty tmpfs.

    Only in mode "uid drop" (an isolated child has none of it in its view), in a
    private mount namespace of this process: nobody else sees the empty mount.
    Mode 0o700 on the secret folders already keeps them from the child's uid;
    this also hides the repository's history (``.git``), which holds every
    committed reference. Returns False where the system refuses namespaces (a
    container without CAP_SYS_ADMIN): then only the modes protect.
    """
    paths = settings.get("hide") or []
    if settings.get("uid") is None or not paths:
        return False
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS) != 0:
        return False
    # Without a private "/", the empty mounts would propagate to the whole machine.
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        raise SystemExit("sandbox: could not make the mount namespace private")
    for path in paths:
        if libc.mount(b"tmpfs", path.encode(), b"tmpfs", MS_RDONLY, b"size=4k,mode=0555") != 0:
            raise SystemExit(f"sandbox: could not hide {path}")
    return True


def drop_privileges(settings: dict) -> None:
    """Become the unprivileged user (when started as root), then forbid new processes."""
    uid = settings.get("uid")
    if uid is not None:
        os.setgroups([])
        os.setgid(int(settings["gid"]))
        os.setuid(int(uid))
        if os.getuid() == 0 or os.geteuid() == 0:
            raise SystemExit("sandbox: could not drop root privileges")
    limit("RLIMIT_NPROC", 0, 0, settings)
    os.chdir(settings["work"])
    os.environ.clear()
    os.environ.update({"HOME": settings["work"], "TMPDIR": settings["work"]})


def matrix_class() -> Optional[type]:
    """The child's Matrix class (None if tinybackprop.matrix cannot be imported)."""
    try:
        return importlib.import_module("tinybackprop.matrix").Matrix
    except (ImportError, AttributeError):
        return None


class Server:
    """Serves requests for one assignment: resolves targets, keeps objects, encodes replies."""

    def __init__(self, assignment: str, wire: ModuleType, requests: Optional[TextIO] = None,
                 replies: Optional[TextIO] = None) -> None:
        self.assignment = assignment
        self.wire = wire  # the workspace's copy of autograder/wire.py
        self.objects: dict = {}
        self.requests, self.replies = requests, replies  # the pipes a lent function's callback uses
        self.current = 0  # the id of the request being served
        self.standins: dict = {}  # module -> why the student's file could not be imported

    def module(self, name: str) -> ModuleType:
        """Import ``assignments.<name>`` (a student module) and return it."""
        return importlib.import_module("assignments." + name)

    def resolve(self, target: str) -> Tuple[Any, str, Any]:
        """Find ``<module>.<name>[.<attr>...]`` in the student's package; return (owner, attr, value)."""
        parts = target.split(".")
        if len(parts) < 2:
            raise Refused(self.wire.CRASH, f"target {target!r} is not '<module>.<name>'")
        owner = self.module(parts[0])
        for part in parts[1:-1]:
            owner = getattr(owner, part)
        return owner, parts[-1], getattr(owner, parts[-1])

    def decode(self, value: Any, lent: Optional[dict] = None) -> Any:
        """Turn a request value (JSON data from the parent) into Python/Matrix objects; ``lent``: the
        functions of the request's lent arguments, by name."""
        try:
            return self.wire.decode_argument(value, matrix_class(), self.objects, lent)
        except self.wire.Unsendable as exc:
            raise Refused(self.wire.CRASH, str(exc)) from None

    def encode(self, value: Any) -> Any:
        """Turn a student's return value into JSON data, or refuse it with a clear message."""
        try:
            return self.wire.encode_result(value, matrix_class())
        except self.wire.Unsendable as exc:
            raise Refused(self.wire.BAD_RETURN, str(exc)) from None

    def computed(self, exc: BaseException) -> dict:
        """The numbers and matrices in the locals of the student's innermost function when it
        raised, its arguments left out (the parent credits the stages done before a stub)."""
        frame = None
        tb = exc.__traceback__
        while tb is not None:
            if str(tb.tb_frame.f_globals.get("__name__", "")).startswith("assignments."):
                frame = tb.tb_frame
            tb = tb.tb_next
        if frame is None:
            return {self.wire.DICT: {}}
        code = frame.f_code
        arguments = set(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
        kinds = (int, float) + tuple(cls for cls in (matrix_class(),) if cls is not None)
        try:
            return {self.wire.DICT: {name: self.encode(value) for name, value in frame.f_locals.items()
                                     if name not in arguments and isinstance(value, kinds)
                                     and not isinstance(value, bool)}}
        except Exception:  # a value that cannot be sent (a Matrix subclass of the student's): no credit
            return {self.wire.DICT: {}}

    @staticmethod
    def swap(owner: Any, attr: str, value: Any) -> tuple:
        """Set ``owner.<attr>`` to value for one call; return what ``restore`` needs to undo it."""
        own = vars(owner) if hasattr(owner, "__dict__") else {}
        saved = (owner, attr, attr in own, own.get(attr))
        setattr(owner, attr, value)
        return saved

    @staticmethod
    def restore(saved: list) -> None:
        """Undo the swaps of one call, the last first."""
        for owner, attr, had, original in reversed(saved):
            if had:
                setattr(owner, attr, original)
            elif attr in getattr(owner, "__dict__", {}):
                delattr(owner, attr)  # the class's attribute (a method) shows again

    def tripwires(self, default_module: str, forbid: list) -> tuple:
        """Replace each forbidden function by one that records the call and raises."""
        hits: list = []
        saved = []
        for name in forbid:
            full = name if "." in name else default_module + "." + name
            try:
                owner, attr, _ = self.resolve(full)
            except (AttributeError, ImportError):
                continue

            def tripwire(*args: Any, _name: str = full, **kwargs: Any) -> None:
                hits.append(_name)
                raise RuntimeError(f"{_name} must not be called here")

            saved.append(self.swap(owner, attr, tripwire))
        return hits, saved

    def lend(self, names: list, obj: Any, saved: list) -> None:
        """Put a proxy in place of each lent function for this call: ``self.<attr>`` of obj, or
        ``<module>.<name>`` of the submission (skipped when the student's code has no such name).
        Each swap goes into ``saved`` as it is made, so that all of them are undone."""
        for name in names:
            if "." not in name:
                continue  # a lent argument: invoke decodes it
            if name.startswith(self.wire.SELF):
                if obj is None:
                    raise Refused(self.wire.CRASH, f"{name} can only be lent to a method call")
                saved.append(self.swap(obj, name[len(self.wire.SELF):], self.proxy(name, obj, self.current)))
                continue
            try:
                owner, attr, _ = self.resolve(name)
            except (AttributeError, ImportError):
                continue
            saved.append(self.swap(owner, attr, self.proxy(name, None, self.current)))

    def proxy(self, name: str, obj: Any, request_id: Optional[int]) -> Callable:
        """What the student's code calls in place of the lent function ``name``: it asks the parent.

        obj: the object of a ``self.<attr>`` lend, whose attributes go first, as ``self``;
        request_id: the request it is lent for (None: any, as a stand-in module's functions).
        """
        def lent(*args: Any, **kwargs: Any) -> Any:
            if request_id is not None and self.current != request_id:
                raise RuntimeError(f"{name} was lent by the grader for one call only")
            if obj is not None:
                args = (self.sendable_attributes(obj),) + args
            return self.callback(name, args, kwargs)
        lent.__name__ = lent.__qualname__ = name.rsplit(".", 1)[-1]
        return lent

    def sendable_attributes(self, obj: Any) -> dict:
        """The attributes of obj that can cross the wire (its data: weights, parameters)."""
        found = {}
        for key, value in vars(obj).items():
            try:
                self.wire.encode_result(value, matrix_class())
            except (self.wire.Unsendable, RecursionError):
                continue
            found[key] = value
        return found

    def callback(self, name: str, args: tuple, kwargs: dict) -> Any:
        """Ask the parent to run the lent function ``name``; return its answer as this process's objects."""
        wire, matrix = self.wire, matrix_class()
        try:
            message = {"id": self.current, wire.CALLBACK: name,
                       "args": [wire.encode_result(value, matrix) for value in args],
                       "kwargs": {str(key): wire.encode_result(value, matrix) for key, value in kwargs.items()}}
        except wire.Unsendable as exc:
            raise TypeError(f"{name}: {exc}; the grader's {name} takes Matrices, numbers, lists and dicts") from None
        answer = self.ask(message)
        if answer.get("ok") is True:
            try:
                return wire.decode_argument(answer.get("value"), matrix, self.objects)
            except wire.Unsendable as exc:
                raise RuntimeError(f"{name}: {exc}") from None
        raise ANSWER_ERRORS.get(answer.get("exc_type"), RuntimeError)(str(answer.get("message", "")))

    def ask(self, message: dict) -> dict:
        """Send a callback to the parent over the pipes and wait for its answer (the in-process
        channel, which has no pipes, puts its own function in this one's place)."""
        self.replies.write(json.dumps(message) + "\n")
        self.replies.flush()
        line = self.requests.readline()
        if not line:
            raise SystemExit("the grader closed the request pipe")
        return json.loads(line)

    def standin(self, module: str) -> str:
        """Put a stand-in, whose functions are all lent by the parent, in place of ``assignments.<module>``
        if the student's file cannot be imported; return why it could not ("" when it can)."""
        full = "assignments." + module
        if module in self.standins:
            return self.standins[module]
        try:
            importlib.import_module(full)
            return ""
        except BaseException as exc:  # anything the student's file raises at import, SystemExit included
            why = f"{type(exc).__name__}: {exc}"
        standin = ModuleType(full, f"A stand-in for {module}.py, whose functions the grader lends.")

        def lent_function(attr: str) -> Callable:
            if attr.startswith("__"):
                raise AttributeError(attr)
            return self.proxy(f"{module}.{attr}", None, None)

        standin.__getattr__ = lent_function  # type: ignore[attr-defined]  (PEP 562: any name is lent)
        sys.modules[full] = standin
        setattr(importlib.import_module("assignments"), module, standin)
        self.standins[module] = why
        return why

    def invoke(self, request: dict) -> Any:
        """Run one request and return the encoded value."""
        wire = self.wire
        op = request["op"]
        if op == wire.IMPORT:
            self.module(self.assignment)
            return None
        if op == wire.ATTR:
            return self.encode(getattr(self.objects[request["handle"]], request["name"]))
        if op == wire.STANDIN:
            return self.standin(str(request["module"]))
        arguments = {name: self.proxy(name, None, self.current) for name in request.get("lend", [])
                     if "." not in name}
        args = self.decode(request.get("args", []), arguments)
        kwargs = {key: self.decode(item, arguments) for key, item in request.get("kwargs", {}).items()}
        obj = None
        if op in (wire.CALL, wire.NEW):
            function = self.resolve(request["target"])[2]
            module = request["target"].split(".")[0]
        else:
            obj = self.objects[request["handle"]]
            function = getattr(obj, request["name"])
            module = self.assignment
        hits, saved = self.tripwires(module, request.get("forbid", []))
        try:
            self.lend(request.get("lend", []), obj, saved)
            result = function(*args, **kwargs)
        except BaseException:
            # Catching the tripwire's exception must not hide the forbidden call.
            if hits:
                raise Refused(wire.FORBIDDEN, f"called {hits[0]}, which this test forbids") from None
            raise
        finally:
            self.restore(saved)
        if hits:
            raise Refused(wire.FORBIDDEN, f"called {hits[0]}, which this test forbids")
        if op == wire.NEW:
            key = len(self.objects) + 1
            self.objects[key] = result
            return {wire.HANDLE: key}
        return self.encode(result)

    def reply_for(self, request: dict) -> dict:
        """Serve one request; turn every outcome, including student exceptions, into a reply."""
        wire, request_id = self.wire, request["id"]
        self.current = request_id
        try:
            return wire.reply(request_id, self.invoke(request))
        except Refused as refused:
            return wire.refusal(request_id, refused.kind, refused.message)
        except NotImplementedError as exc:
            return wire.refusal(request_id, wire.NOT_IMPLEMENTED, str(exc), "NotImplementedError",
                                computed=self.computed(exc))
        except BaseException as exc:  # the student's code may raise anything, SystemExit included
            return wire.refusal(request_id, wire.CRASH, str(exc), type(exc).__name__,
                                student_traceback(exc), self.computed(exc))


def student_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` without the frames of this file (the student only needs theirs)."""
    tb = exc.__traceback__
    while tb is not None and (tb.tb_frame.f_code.co_filename == __file__
                              or "importlib" in tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def safe_reply(server: Server, request: dict) -> str:
    """The JSON line for a request's reply; a reply that cannot be encoded becomes a refusal."""
    reply = server.reply_for(request)
    try:
        return json.dumps(reply)
    except (TypeError, ValueError, RecursionError) as exc:
        return json.dumps(server.wire.refusal(request["id"], server.wire.BAD_RETURN,
                                              f"returned data that cannot be sent back ({exc})"))


def main() -> None:
    """Set up the sandbox, then serve requests until the parent closes the pipe."""
    request_fd, reply_fd = int(sys.argv[1]), int(sys.argv[2])
    requests = os.fdopen(request_fd, "r", encoding="utf-8")
    replies = os.fdopen(reply_fd, "w", encoding="utf-8")
    # The settings come through the pipe, not argv: /proc/<pid>/cmdline is readable by
    # every user, and the paths in the settings must stay unknown to other submissions.
    settings = json.loads(requests.readline())
    set_limits(settings)
    preload(settings)
    wire = importlib.import_module("wire")  # from the workspace's lib, on the path since preload
    hide_paths(settings)
    drop_privileges(settings)
    server = Server(settings["assignment"], wire, requests, replies)
    # A call that overruns its limit gets SIGUSR1 before it is killed: the stack then goes into
    # the reply pipe (the call will never reply), so the report can say where the code was looping.
    if hasattr(faulthandler, "register"):
        faulthandler.register(signal.SIGUSR1, file=replies, all_threads=False)
    # The handshake tells the parent that setup worked and student code may now run.
    replies.write(json.dumps(wire.reply(0, wire.READY)) + "\n")
    replies.flush()
    # readline, not iteration: a lent function's answer is read from the same pipe mid-request.
    for line in iter(requests.readline, ""):
        out = safe_reply(server, json.loads(line))
        replies.write(out + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
