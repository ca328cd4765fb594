"""Write the teaching notebooks: ``python notebooks/build.py``.

Each chapter is a plain Python file in ``notebooks/chapters/`` in the
percent format that jupytext and editors such as VS Code and Spyder read:
``# %%`` starts a code cell, ``# %% [markdown]`` a markdown cell whose lines
are comments (``# `` taken off). Linters, duplicate searches and diffs read
the chapters as code. This script turns each into ``notebooks/NN_*.ipynb``
without outputs and with cell ids fixed by position, so rebuilding gives
byte-identical files; the test suite (``tests/test_notebooks.py``) executes
them and checks that they match their chapters.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
CHAPTERS = HERE / "chapters"
_MARKER = re.compile(r"^# %%( \[markdown\])?\s*$", re.MULTILINE)


def cells_of(text):
    """The cells of a chapter in the percent format, in order."""
    markers = list(_MARKER.finditer(text))
    cells = []
    for marker, following in zip(markers, markers[1:] + [None]):
        body = text[marker.end():following.start() if following else len(text)].strip("\n")
        if marker.group(1):
            lines = body.split("\n")
            if not all(line == "#" or line.startswith("# ") for line in lines):
                raise ValueError(f"a markdown cell's lines must all be comments: {body[:80]!r}")
            cells.append(new_markdown_cell("\n".join(line[2:] for line in lines)))
        else:
            cells.append(new_code_cell(body))
    return cells


def notebook(path):
    """The notebook of one chapter file: no outputs, cell ids fixed by position."""
    cells = cells_of(path.read_text(encoding="utf-8"))
    for k, cell in enumerate(cells):
        cell.id = f"{path.stem[:2]}-{k:02d}"
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    nbformat.validate(nb)
    return nb


def main():
    for chapter in sorted(CHAPTERS.glob("*.py")):
        path = HERE / f"{chapter.stem}.ipynb"
        nbformat.write(notebook(chapter), path)
        print(path)


if __name__ == "__main__":
    main()
