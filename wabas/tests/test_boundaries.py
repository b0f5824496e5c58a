"""Phones depend on WABAs, never the other way round: no module of the wabas app (its tests
included) imports phones. WABA-level changes that concern phones are signals (`wabas.signals`)."""

import ast
from pathlib import Path

WABAS = Path(__file__).resolve().parents[1]


def _imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_wabas_never_imports_phones():
    modules = sorted(WABAS.rglob("*.py"))
    assert any(p.name == "tokens.py" for p in modules)  # the walk really sees the app
    offenders = {
        str(path.relative_to(WABAS.parent)): sorted(m for m in _imported_modules(path) if m.split(".")[0] == "phones")
        for path in modules
    }
    assert {path: mods for path, mods in offenders.items() if mods} == {}
