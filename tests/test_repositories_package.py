"""storage/repositories/ is one small module per aggregate behind one set of names: the callers keep
writing `repo.open_registration(...)`, whichever module holds it, and no module grows into a new god file."""

from __future__ import annotations

import ast
from pathlib import Path

from storage import repositories

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "storage" / "repositories"
MODULES = sorted(path for path in PACKAGE.glob("*.py") if path.name != "__init__.py")
MAX_LINES = 350


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def defined_names(path: Path) -> set[str]:
    names = set()
    for node in tree(path).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names |= {element.id for element in ast.walk(target) if isinstance(element, ast.Name)}
    return {name for name in names if not name.startswith("_")}


def names_callers_use() -> dict[str, set[str]]:
    """Every `repo.x` (where `repo` is the repositories package) and `from storage.repositories import x`
    outside the package, with the files that use it."""
    used: dict[str, set[str]] = {}
    for folder in ("bot", "flows", "storage", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            if PACKAGE in path.parents or path == Path(__file__).resolve():
                continue
            module = tree(path)
            aliases = set()
            for node in ast.walk(module):
                if isinstance(node, ast.ImportFrom) and node.module == "storage":
                    aliases |= {alias.asname or alias.name for alias in node.names if alias.name == "repositories"}
                elif isinstance(node, ast.ImportFrom) and node.module == "storage.repositories":
                    for alias in node.names:
                        used.setdefault(alias.name, set()).add(str(path.relative_to(ROOT)))
            for node in ast.walk(module):
                if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                        and node.value.id in aliases):
                    used.setdefault(node.attr, set()).add(str(path.relative_to(ROOT)))
    return used


def sibling_imports(path: Path) -> set[str]:
    """The package's modules this one imports (the package itself counts as `__init__`)."""
    found = set()
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "storage.repositories":
                found.add("__init__")
            elif node.module.startswith("storage.repositories."):
                found.add(node.module.rsplit(".", 1)[1])
            elif node.module == "storage" and any(alias.name == "repositories" for alias in node.names):
                found.add("__init__")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "storage.repositories":
                    found.add("__init__")
                elif alias.name.startswith("storage.repositories."):
                    found.add(alias.name.rsplit(".", 1)[1])
    return found


def test_no_module_of_the_package_grows_past_a_few_hundred_lines():
    sizes = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in PACKAGE.glob("*.py")}
    assert len(MODULES) >= 8
    assert {name: size for name, size in sizes.items() if size > MAX_LINES} == {}


def test_every_name_the_callers_use_resolves():
    used = names_callers_use()
    assert {"open_registration", "TemplateVersionTaken", "INVITATION"} <= set(used)  # the scan sees the callers
    missing = {name: sorted(files) for name, files in used.items()
               if name not in repositories.__all__ or not hasattr(repositories, name)}
    assert missing == {}


def test_the_package_re_exports_every_public_name_of_its_modules():
    defined: dict[str, str] = {}
    for path in MODULES:
        for name in defined_names(path):
            assert name not in defined, f"{name} is defined in both {defined[name]} and {path.name}"
            defined[name] = path.name
    assert sorted(repositories.__all__) == sorted(defined)
    for name, module in defined.items():
        assert getattr(repositories, name) is getattr(
            __import__(f"storage.repositories.{module[:-3]}", fromlist=[name]), name)


def test_the_modules_import_each_other_without_a_cycle():
    graph = {path.stem: sibling_imports(path) for path in MODULES}
    assert {name: sorted(deps) for name, deps in graph.items() if "__init__" in deps} == {}
    assert {dep for deps in graph.values() for dep in deps} <= set(graph)

    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, " -> ".join((*path, name))
        if name in done:
            return
        for dep in sorted(graph[name]):
            visit(dep, (*path, name))
        done.add(name)

    for name in sorted(graph):
        visit(name, ())
