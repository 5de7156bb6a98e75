"""Run a command as root of a new user namespace whose id maps root writes from outside.

    python3 .ci/in-userns.py UID_MAP GID_MAP COMMAND...

Each map is the kernel's uid_map format with commas for line breaks
("0 0 1,1500000000 1500000000 500000000"): a container's root, seen from the
host, with the ids it may give to others. .ci/sandbox-nonroot.sh uses it to
make the machines the grader falls back on: a container without CAP_SYS_ADMIN
where no user namespace can be made (mode "uid drop"), and a user on a kernel
that refuses user namespaces (mode "none"). Run as root.
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from autograder.isolation.launcher import enter_user_namespace  # noqa: E402  (after the path is set)

if __name__ == "__main__":
    uid_map, gid_map = (text.replace(",", "\n") + "\n" for text in sys.argv[1:3])
    enter_user_namespace({"uid_map": uid_map, "gid_map": gid_map, "setgroups": "allow"})
    os.execvp(sys.argv[3], sys.argv[3:])
