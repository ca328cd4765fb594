"""Running the ``descend`` command as a user does: a subprocess, its exit code and output."""

import subprocess
import sys

PNG = b"\x89PNG\r\n\x1a\n"


def run(*args, cwd=None):
    """``descend ARGS...`` in a new process: (exit code, stdout, stderr)."""
    proc = subprocess.run([sys.executable, "-m", "descend", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr
