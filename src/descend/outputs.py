"""Writing files safely: all at once or not at all, never over what is not descend's.

Every file descend writes goes through :func:`atomic`: the content is written
to a hidden temporary file beside the target, flushed to disk, and renamed
over the target in one step. A run that fails or is interrupted leaves the
previous file as it was; a run killed outright (``kill -9``) can leave only
its hidden temporary file, which the next descend command writing into that
folder on the same machine removes. A link is followed (the file it names is
replaced, the link stays), and what is not a regular file (``/dev/stdout``,
a pipe) is written as it is.

Each folder descend writes into from the command line keeps a small
manifest, ``.descend-files.json``, of the files it wrote there, with their
size and modification time. A file that exists and is not in its folder's
manifest as it was written, or was changed since, is the user's, and is
overwritten only with ``force=True`` (``--force`` on the command line). The
manifest learns the new file's stamp before the rename, so a kill between
the two never makes descend disown its own file.

Use :func:`check` before the work that produces a file (so a refusal comes
early), then :func:`written` to write it. :func:`clash` finds an output that
is one of the command's inputs, or another of its outputs.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import stat
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic", "check", "clash", "record", "write_figure", "written", "MANIFEST"]

MANIFEST = ".descend-files.json"
_TEMPORARY = re.compile(r"\..+\.descend-(?P<host>[A-Za-z0-9]+)-(?P<pid>\d+)-[0-9a-f]{8}\.tmp")


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


# -- writing all at once ------------------------------------------------------
@contextmanager
def atomic(path, mode="w", *, before_place=None):
    """Open a temporary file for ``path``; on success it replaces ``path`` whole.

    Parameters
    ----------
    path : str or path-like
    mode : {"w", "wb"}
        Text (UTF-8, newlines written as given) or bytes.
    before_place : callable ``(tmp_path) -> None``, optional
        Called once the content is on disk, just before the rename.

    If the body raises (or the process is interrupted), the temporary file is
    removed and ``path`` is left untouched. A ``path`` that existed keeps its
    permission bits and, where allowed, its owner.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic: mode must be 'w' or 'wb', got {mode!r}")
    options = {} if mode == "wb" else {"encoding": "utf-8", "newline": ""}
    target = Path(os.path.realpath(path))                  # through links
    if target.exists() and not target.is_file():            # a device or a pipe
        with open(target, mode, **options) as f:
            yield f
        return
    folder = target.parent
    _sweep(folder)
    tmp = folder / f".{target.name}.descend-{_owner()}-{secrets.token_hex(4)}.tmp"
    try:
        f = open(tmp, "x" + mode[1:], **options)
    except PermissionError:
        raise PermissionError(f"cannot write {path}: descend writes it whole through a "
                              f"temporary file beside it, and the folder {folder} is not "
                              "writable; choose another folder") from None
    try:
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if target.exists():
            _keep_mode_and_owner(target, tmp)
        if before_place is not None:
            before_place(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(folder)


def _keep_mode_and_owner(old, new):
    st = old.stat()
    os.chmod(new, stat.S_IMODE(st.st_mode))
    try:
        os.chown(new, st.st_uid, st.st_gid)
    except (OSError, AttributeError):           # not ours to give away, or no chown
        pass


def _owner():
    """This process, as a temporary file's name gives it: the machine and the pid."""
    return f"{re.sub(r'[^A-Za-z0-9]', '', socket.gethostname())[:32] or 'host'}-{os.getpid()}"


def _sync_folder(folder):
    # The rename itself reaches the disk only when the folder is flushed (POSIX).
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _sweep(folder):
    """Remove temporary files left in ``folder`` by descend processes of this machine
    that no longer run (a process elsewhere, or on Windows, is never judged)."""
    if os.name != "posix":
        return
    try:
        names = os.listdir(folder)
    except OSError:
        return
    host = _owner().rsplit("-", 1)[0]
    for name in names:
        match = _TEMPORARY.fullmatch(name)
        if match and match.group("host") == host and not _running(int(match.group("pid"))):
            try:
                os.unlink(os.path.join(folder, name))
            except OSError:
                pass


def _running(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)                # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:                    # it exists, but belongs to someone else
        return True
    return True


# -- whose file is it -----------------------------------------------------------
def _manifest(folder: Path) -> dict:
    try:
        entries = json.loads((folder / MANIFEST).read_text())
        return entries if isinstance(entries, dict) else {}
    except (OSError, ValueError):
        return {}


def _stamp(path: Path):
    stat_ = path.stat()
    return [stat_.st_size, stat_.st_mtime_ns]


def _stamps(entry):
    """The stamps a manifest entry accepts: one ``[size, mtime]`` (older files) or a list."""
    if isinstance(entry, list) and len(entry) == 2 and all(type(v) is int for v in entry):
        return [entry]
    return [s for s in entry if isinstance(s, list)] if isinstance(entry, list) else []


def _ours(path: Path) -> bool:
    return _stamp(path) in _stamps(_manifest(_folder(path)).get(path.name))


def _set_stamps(path: Path, stamps):
    folder = _folder(path)
    entries = _manifest(folder)
    entries[path.name] = stamps
    with atomic(folder / MANIFEST) as f:
        f.write(json.dumps(entries, indent=0))


def check(path, *, force=False, make_folder=False) -> Path:
    """Raise if ``path`` may not be written; return it as a Path.

    Raises
    ------
    IsADirectoryError, FileNotFoundError, FileExistsError
        ``path`` is a folder; its folder does not exist (and ``make_folder``
        is False); or it exists, descend did not write it, and not ``force``.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; give a file name.")
    if not _folder(path).is_dir() and not make_folder:
        raise FileNotFoundError(f"cannot write {path}: the folder {_folder(path)} does not exist; "
                                "create it first.")
    if path.exists() and not force and not _ours(path):
        raise FileExistsError(
            f"{path} already exists and was not written by descend; choose another name, "
            "or pass --force to overwrite it."
        )
    return path


def record(path) -> Path:
    """Note in the folder's manifest that descend has just written ``path``."""
    path = Path(path)
    _set_stamps(path, [_stamp(path)])
    return path


@contextmanager
def written(path, mode="w"):
    """:func:`atomic` for the command line: the new file is recorded as descend's.

    The manifest accepts the new file's stamp before the rename and keeps the
    old file's until after it, so whatever moment a kill comes, the file in
    place is known as descend's.
    """
    path = Path(path)
    if path.exists() and not Path(os.path.realpath(path)).is_file():
        with atomic(path, mode) as f:                  # a device or a pipe: not a file to own
            yield f
        return

    def before_place(tmp):
        old = [_stamp(path)] if path.exists() and _ours(path) else []
        _set_stamps(path, old + [_stamp(tmp)])

    with atomic(path, mode, before_place=before_place) as f:
        yield f
    record(path)


# -- one file in two roles -------------------------------------------------------
def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:                       # one of them does not exist (yet)
        return os.path.realpath(a) == os.path.realpath(b)


def clash(inputs, outputs):
    """The first ``(output_role, other_role)`` naming one file, or None.

    ``inputs`` and ``outputs`` map a role (the words the user typed, such as
    ``"--out"`` or ``"MODEL.json"``) to a path, or to None when not given.
    Paths are compared resolved (links, ``..``) and, where both exist, by
    file identity, so another name for the same file is caught too.
    """
    given = [(role, Path(p)) for role, p in outputs.items() if p is not None]
    sources = [(role, Path(p)) for role, p in inputs.items() if p is not None]
    for i, (role, path) in enumerate(given):
        for other, other_path in sources + given[:i]:
            if _same_file(path, other_path):
                return role, other
    return None


def write_figure(fig, path, *, dpi=110) -> Path:
    """Save a matplotlib figure to ``path`` (its suffix names the format) with :func:`written`."""
    path = Path(path)
    with written(path, "wb") as f:
        fig.savefig(f, format=path.suffix.lstrip(".").lower() or "png", dpi=dpi)
    return path
