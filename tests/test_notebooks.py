"""The teaching notebooks run top to bottom in a fresh kernel, cleanly.

Each notebook in ``notebooks/`` is executed with nbclient in a temporary
working directory. It fails on any error; it also fails if a cell writes to
stderr (a warning the notebook did not handle) or if the notebook shows no
figure. The notebooks are stored without outputs, built by
``notebooks/build.py`` from the chapters in ``notebooks/chapters/``.
"""

import ast
import importlib.util
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(HERE.glob("*.ipynb"))
CHAPTERS = sorted((HERE / "chapters").glob("*.py"))


def _builder():
    spec = importlib.util.spec_from_file_location("notebook_build", HERE / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_one_notebook_per_chapter():
    assert [path.name[:3] for path in NOTEBOOKS] == ["01_", "02_", "03_", "04_", "05_"]
    assert [path.stem for path in CHAPTERS] == [path.stem for path in NOTEBOOKS]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.stem)
def test_each_notebook_is_built_from_its_chapter(chapter):
    ast.parse(chapter.read_text(encoding="utf-8"), str(chapter))     # the chapter is Python
    built = nbformat.writes(_builder().notebook(chapter))
    stored = (HERE / f"{chapter.stem}.ipynb").read_text(encoding="utf-8")
    assert stored == built + "\n" or stored == built, \
        f"{chapter.stem}.ipynb is not its chapter's notebook; run python notebooks/build.py"


def test_the_percent_format_round_trips():
    cells = _builder().cells_of("# %% [markdown]\n# # Title\n#\n# text\n\n# %%\nx = 1\n\n\ny = 2\n")
    assert [(c.cell_type, c.source) for c in cells] == [("markdown", "# Title\n\ntext"),
                                                       ("code", "x = 1\n\n\ny = 2")]
    with pytest.raises(ValueError, match="must all be comments"):
        _builder().cells_of("# %% [markdown]\nnot a comment\n")


@pytest.fixture(scope="module")
def jupyter_path(tmp_path_factory):
    """A folder with a "python3" kernel spec that runs this interpreter.

    Put first on JUPYTER_PATH, it is found before any other "python3" spec, so
    the notebooks run against the descend this test imports, in a fresh
    virtual environment as anywhere else.
    """
    root = tmp_path_factory.mktemp("jupyter")
    write_kernel_spec(root / "kernels" / "python3")
    return root


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_cleanly(path, jupyter_path, tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter_path))
    nb = nbformat.read(path, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(not cell.outputs and cell.execution_count is None for cell in code), \
        f"{path.name} is stored with outputs; rebuild it with python notebooks/build.py"

    NotebookClient(nb, kernel_name="python3", timeout=120,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()

    outputs = [output for cell in code for output in cell.outputs]
    stderr = [output.text for output in outputs if output.get("name") == "stderr"]
    assert stderr == [], f"{path.name} wrote to stderr:\n" + "".join(stderr)
    figures = sum("image/png" in output.get("data", {}) for output in outputs)
    assert figures >= 1, f"{path.name} shows no figure"
