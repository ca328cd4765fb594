"""Writing files safely: never overwrite a file descend did not create.

Each folder descend writes into keeps a small manifest,
``.descend-files.json``, of the files it wrote there, with their size and
modification time. A file that exists and is not in its folder's manifest as
it was written — or was changed since — is the user's, and is overwritten
only with ``force=True`` (``--force`` on the command line).

Use :func:`check` before the work that produces a file (so a refusal comes
early) and :func:`record` after the file is written (so a failed write never
marks a name as descend's).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

__all__ = ["check", "record", "MANIFEST"]

MANIFEST = ".descend-files.json"


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _manifest(folder: Path) -> dict:
    try:
        entries = json.loads((folder / MANIFEST).read_text())
        return entries if isinstance(entries, dict) else {}
    except (OSError, ValueError):
        return {}


def _stamp(path: Path):
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def _ours(path: Path) -> bool:
    return _manifest(_folder(path)).get(path.name) == _stamp(path)


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
    folder = _folder(path)
    entries = _manifest(folder)
    entries[path.name] = _stamp(path)
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(entries, indent=0))
    os.replace(tmp, folder / MANIFEST)
    return path
