"""Writing files safely: never overwrite a file descend did not create.

Each folder descend writes into keeps a small manifest,
``.descend-files.json``, of the files it created there. A file that exists
and is not in its folder's manifest is the user's, and is overwritten only
with ``force=True`` (``--force`` on the command line).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

__all__ = ["claim", "MANIFEST"]

MANIFEST = ".descend-files.json"


def _manifest(folder: Path) -> set[str]:
    try:
        return set(json.loads((folder / MANIFEST).read_text()))
    except (OSError, ValueError, TypeError):
        return set()


def claim(path, *, force=False) -> Path:
    """Check that ``path`` may be written, record it as descend's, return it.

    Raises
    ------
    FileExistsError
        ``path`` exists, descend did not create it, and ``force`` is False.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    mine = _manifest(folder)
    if path.exists() and path.name not in mine and not force:
        raise FileExistsError(
            f"{path} already exists and was not written by descend; "
            "choose another name, or pass --force (force=True) to overwrite it."
        )
    folder.mkdir(parents=True, exist_ok=True)
    if path.name not in mine:
        tmp = folder / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(sorted(mine | {path.name}), indent=0))
        os.replace(tmp, folder / MANIFEST)
    return path
