"""Running the ``descend`` command as a user does: a subprocess, its exit code and output."""

import subprocess
import sys
import tempfile

PNG = b"\x89PNG\r\n\x1a\n"


def run(*args, cwd=None):
    """``descend ARGS...`` in a new process: (exit code, stdout, stderr).

    Without ``cwd`` it runs in a new empty folder, so that a default output
    (``model.json``) never lands in the checkout or meets another test's.
    """
    with tempfile.TemporaryDirectory() as fresh:
        proc = subprocess.run([sys.executable, "-m", "descend", *map(str, args)],
                              cwd=fresh if cwd is None else cwd, capture_output=True,
                              text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr
