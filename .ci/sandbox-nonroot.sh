#!/usr/bin/env bash
# The sandbox's tests where the grader is not root with CAP_SYS_ADMIN, after the main suite:
#  1. as an unprivileged user (created here with useradd; the grader then isolates its children in a
#     user namespace, or, where the kernel refuses one, batch refuses to grade);
#  2. as root of a user namespace (unshare -Ur, as in rootless Docker or Podman);
#  3. as root without CAP_SYS_ADMIN where no user namespace can be made (Gradescope's and Docker's
#     default: mode "uid drop");
#  4. as the unprivileged user where no user namespace can be made (mode "none": batch refuses).
# Each on a copy of the checkout owned by who runs it, with a venv of a Python every user can run
# (SANDBOX_PYTHON, default /usr/bin/python3). Run as root; not as root, only the second part runs
# (the main suite has just run as this unprivileged user).
set -euo pipefail
cd "$(dirname "$0")/.."
python=${SANDBOX_PYTHON:-/usr/bin/python3}
tests=(tests/autograder/test_sandbox.py tests/autograder/test_cheats.py tests/autograder/test_modes.py
       tests/autograder/test_submission.py)
work=$(mktemp -d)
user=""
cleanup() {
    local status=$?
    if [ -n "$user" ]; then
        # The ends of the children the tests killed may wait a moment to be reaped (by PID 1).
        for _ in $(seq 50); do ps -u "$user" >/dev/null || break; sleep 0.2; done
        userdel "$user" || echo "warning: could not remove the test user $user" >&2
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
chmod 755 "$work"

# The probe's answer (which mode this environment gives), then the tests; "$@" runs Python.
suite() {
    "$@" -c 'from autograder import isolation; print(isolation.probe().describe())'
    "$@" -m pytest -q -p no:cacheprovider "${tests[@]}"
}

# A copy of the tracked files (a grader run as root makes its own course/ readable by root only).
copy_checkout() {
    mkdir "$1"
    git ls-files -z | xargs -0 cp --parents -t "$1"
}

if [ "$(id -u)" -eq 0 ]; then
    user="tbpsandbox$$"
    useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
    uid=$(id -u "$user")
    gid=$(id -g "$user")
    as_user() { HOME="$work/user" setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$@"; }
    copy_checkout "$work/user"
    chown -R "$uid:$gid" "$work/user"
    as_user "$python" -m venv "$work/user/.venv"
    as_user "$work/user/.venv/bin/python" -m pip install -q pytest hypothesis "rich>=13" "nbformat>=5.7"
    echo "== the sandbox's tests as an unprivileged user ($user)"
    (tests+=(tests/autograder/test_isolation.py) && cd "$work/user" && suite as_user .venv/bin/python)
fi

# test_isolation.py is left out here: it makes root of a user namespace among its own environments.
copy_checkout "$work/userns"
"$python" -m venv "$work/userns/.venv"
"$work/userns/.venv/bin/python" -m pip install -q pytest hypothesis "rich>=13" "nbformat>=5.7"
echo "== the sandbox's tests as root of a user namespace (unshare -Ur)"
(cd "$work/userns" && suite unshare -Ur .venv/bin/python)

if [ -n "$user" ]; then
    # A user namespace of our making, in which no further one may be made.
    no_more='echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"'
    ids="0 0 1,1500000000 1500000000 500000000"  # root, and the range the grader draws children's uids from
    echo "== the sandbox's tests as root without CAP_SYS_ADMIN and without user namespaces (uid drop)"
    (cd "$work/userns" && suite "$python" .ci/in-userns.py "$ids" "$ids" sh -c "$no_more" sh \
        setpriv --bounding-set -sys_admin -- .venv/bin/python)
    echo "== the sandbox's tests as an unprivileged user without user namespaces (none)"
    (cd "$work/user" && suite "$python" .ci/in-userns.py "0 0 1,$uid $uid 1" "0 0 1,$gid $gid 1" \
        sh -c "$no_more" sh setpriv --reuid="$uid" --regid="$gid" --clear-groups -- env HOME="$work/user" \
        .venv/bin/python)
fi
