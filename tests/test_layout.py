"""The package's shape: no import circle among its modules, none over about 400 lines."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "descend"
MODULES = sorted(p for p in SRC.rglob("*.py"))


def _name(path):
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path):
    """The descend modules ``path`` imports when it is imported (top level only: an import
    inside a function runs later and cannot close a circle at import time)."""
    package = _name(path) if path.name == "__init__.py" else _name(path).rpartition(".")[0]
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            if base.split(".")[0] == "descend":
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "descend")
    return found


def test_no_import_circle():
    names = {_name(p): p for p in MODULES}
    graph = {name: sorted(m for m in _imports(path) if m in names and m != name)
             for name, path in names.items()}
    visiting, done = [], set()

    def visit(name):
        if name in done:
            return
        assert name not in visiting, "import circle: " + " -> ".join(
            visiting[visiting.index(name):] + [name])
        visiting.append(name)
        for other in graph[name]:
            if other != "descend":               # the package's own lazy __init__
                visit(other)
        visiting.pop()
        done.add(name)

    for name in graph:
        visit(name)


def test_no_module_over_about_400_lines():
    long = {str(p.relative_to(SRC)): n for p in MODULES
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 420}
    assert not long, f"modules over about 400 lines: {long}"
