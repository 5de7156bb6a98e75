"""A private view of the machine for the grader's child: its own namespaces, a new root, no privileges.

The grader runs each submission in a child process. :func:`start` starts it so
that it sees nothing but what it needs:

- its own **mount namespace**, whose root is a read-only tmpfs holding only the
  Python installation (the interpreter, its standard library, the shared
  libraries it maps; every site-packages and dist-packages covered by an empty
  folder), the workspace's library folder (read-only), a work folder and a
  ``/tmp`` of its own (size-capped tmpfs, gone with it), a ``/dev`` of null,
  zero, full, random and urandom, and its own read-only ``/proc``; nothing of
  /home, /root, /srv, /mnt, /work, /etc, other users' files, the submissions or
  the grader's tree (:mod:`autograder.isolation.view` has the layout);
- its own **PID namespace**, in which it is PID 2 under a small init: no other
  process is visible, and one kill of the launcher ends the whole tree;
- its own **network namespace** (a loopback that is down, nothing else), and
  its own **IPC** and **UTS** namespaces;
- **no privileges**: its own session, no capabilities (the bounding set
  emptied too), ``no_new_privs``, a random unprivileged uid when the grader is
  root, an unprivileged id inside a user namespace otherwise.

Use::

    probe = isolation.probe()      # once per process; print probe.describe() in the log and the report
    view = isolation.View(lib=str(workspace.lib), files={"child.py": str(CHILD)})
    process = isolation.start(["-I", "-S", "-B", "-u", isolation.WORKSPACE + "/child.py",
                               str(request_r), str(reply_w)], view, probe,
                              pass_fds=(request_r, reply_w), stdin=subprocess.DEVNULL,
                              stdout=out_w, stderr=out_w)

Modes (:func:`probe` tries each for real, strongest first, and says which and why)
-------------------------------------------------------------------------------

=================  ==============================================  =========================================
mode               when                                            the child
=================  ==============================================  =========================================
namespaces         root with CAP_SYS_ADMIN (a host, CI)            the view, as a random unprivileged uid
user namespace     not root, unprivileged user namespaces allowed  the view, as id 1000 inside (the
                   (most Linux distributions)                      grader's uid outside)
user namespace     root without CAP_SYS_ADMIN where user           the view, as a random unprivileged uid
                   namespaces are allowed (root writes the maps)   (root's maps, written from outside)
user namespace     root of a user namespace (rootless Docker or    the view, nested; its id outside is the
                   Podman, ``unshare -r``)                         grader's own
uid drop           root, no namespaces (Docker's default seccomp   today's sandbox: a random uid, file
                   profile refuses unshare(2) without              permissions only (not started by
                   CAP_SYS_ADMIN, user namespaces included)        :func:`start`)
none               none of these (macOS; not root without user     nothing but rlimits and its process
                   namespaces; Ubuntu 24.04's AppArmor rule for    group (not started by :func:`start`)
                   unconfined programs)
=================  ==============================================  =========================================

Where a container masks parts of its own /proc, the kernel refuses a new one
in a user namespace: the child then gets no /proc at all, and the probe says so.

Why our own code rather than bubblewrap
---------------------------------------
The kernel's facilities are used directly: ``unshare``, ``mount``,
``pivot_root`` and ``prctl`` through :mod:`ctypes` (one path on CPython 3.9 to
3.13 and PyPy; ``os.unshare`` exists only from 3.12 and ``mount`` nowhere in
:mod:`os`), in a small launcher script (:mod:`autograder.isolation.launcher`).
bubblewrap (``bwrap``) would do the same work, but: the grader is installed
with pip alone, and bwrap is a system package that students' laptops and
Gradescope's images lack; where it would matter most, Gradescope, it cannot
help (Docker's default seccomp profile refuses it the user namespace it needs
as much as it refuses us); and the probe needs to tell the modes apart and to
degrade step by step (no /proc in a container that masks its own, maps written
by root from outside, a nested namespace for root of a user namespace), with
each failed step named in the grader's error, rather than parse bwrap's
messages. bwrap does better in one place: Ubuntu 24.04 lets unconfined
programs create user namespaces but gives them no right to mount, while bwrap
ships an AppArmor profile; there, without root, the probe says "none" and
explains how to allow it (or run the grader as root). One mechanism, not two.

How the grader uses it
----------------------
1. :func:`probe` runs once per grader process (cached; about 0.2 to 0.6 s:
   the interpreter lists its files, and one isolated ``python -c pass`` is
   started). The CLI, batch and Gradescope print ``probe.describe()`` once;
   every result records ``probe.label()`` (the report's last line, and
   ``tinybackprop.isolation`` in ``results.json``). batch probes in the
   parent and sends the :class:`Probe` and the :class:`Installation` to its
   workers (``to_json``; a worker :func:`adopt` s it instead of asking again).
2. When ``probe.isolated``, ``Sandbox`` starts the child with :func:`start`:
   the workspace's ``lib`` and ``child.py`` as :class:`View` ``lib`` and
   ``files``, ``processes=False`` (a seccomp filter refuses new processes),
   the caps of /tmp and the work folder from the config, the request and
   reply pipes in ``pass_fds``. The settings name the paths inside (``lib``
   is :data:`LIB`, ``work`` is :data:`WORK`), no uid to drop to, nothing to
   hide; ``child.py`` sets its rlimits after exec, and a limit it cannot set
   stops it. Nothing is chowned and the work folder goes with the child.
3. One kill ends it all: ``os.killpg(process.pid, SIGKILL)`` of the launcher's
   group; the init dies with the launcher (``PR_SET_PDEATHSIG``), and the
   init's death kills every process of the PID namespace. A stack dump is
   ``os.kill(process.pid, SIGUSR1)``, which the launcher and the init pass on.
   The launcher ends as the child did, so exit codes and signals read the
   same. An :class:`IsolationError` is the grader's error (``SandboxBroken``,
   status ``grader error``), never a student's 0.
4. When not ``probe.isolated``, the sandbox starts the child plainly (a uid of
   its own in mode "uid drop"). batch refuses both weaker modes with
   ``probe.refusal()`` unless ``--unisolated`` (then ``accepted`` is set and
   every result says so); Gradescope grades in "uid drop" and refuses "none"
   unless the bundle was built with ``--unisolated``; a single run warns once.

Threat model: what stops each attack in each mode
--------------------------------------------------

=============================  ==================  ==================  ===================  ==================
attack                         namespaces          user namespace      uid drop             none (macOS too)
=============================  ==================  ==================  ===================  ==================
read a classmate's submission  not in the view     not in the view     file permissions     nothing
or a copy of the reference                                             (keep them 0o700)
read the grader's tree,        not in the view     not in the view     modes 0o700 on       nothing (a
hidden tests, .git                                                     reference, hidden    student's machine
                                                                                            has no secrets)
list processes, read           own PID namespace   own PID namespace   visible              visible
/proc/<pid>/cmdline                                (or no /proc)
signal or kill the grader      not visible         not visible         other uid: EPERM     possible
fetch or send over the network no interface        no interface        open                 open
write outside work and /tmp    read-only root      read-only root      world-writable       anywhere the
                                                                       folders only         user may
fill /tmp, leave files         capped tmpfs, gone  capped tmpfs, gone  host /tmp, stays     host /tmp, stays
leave processes behind         one kill ends all   one kill ends all   killpg (NPROC = 0)   killpg (NPROC = 0)
fork bomb                      seccomp filter,     seccomp filter,     RLIMIT_NPROC         RLIMIT_NPROC
                               RLIMIT_NPROC        RLIMIT_NPROC (not
                                                   if the id outside
                                                   is the host's root)
capabilities, setuid programs  none, no_new_privs  none, no_new_privs  none after setuid    the user's own
shared memory, hostname        own IPC, UTS        own IPC, UTS        shared               shared
kernel attack surface          every system call   same, plus user     every system call    every system call
                               but new processes   namespaces
                               (``processes``)
=============================  ==================  ==================  ===================  ==================

Left to other parts in every mode: time limits and deadlines on both pipe
directions, caps on what the child sends, memory (RLIMIT_AS; the pages of the
child's tmpfs count towards the machine's memory, capped by ``tmp_bytes`` and
``work_bytes``, not by RLIMIT_AS), and the validation of every reply. On macOS
the probe says "none": the child runs as the grader's user, in its own process
group, with RLIMIT_CPU, FSIZE and NPROC (macOS does not enforce RLIMIT_AS), and
the grader compares plain data it validated; files, processes and the network
are open to it, which on a student's own machine exposes nothing the handout
does not already hold.
"""
from __future__ import annotations

from autograder.isolation.installation import Installation, adopt, discover
from autograder.isolation.launch import ENV, start
from autograder.isolation.modes import IsolationError, Mode, Probe
from autograder.isolation.probe import probe
from autograder.isolation.view import LIB, WORK, WORKSPACE, View

__all__ = ["ENV", "LIB", "WORK", "WORKSPACE", "Installation", "IsolationError", "Mode", "Probe", "View",
           "adopt", "discover", "probe", "start"]
