"""Which app may import which (CONTRIBUTING.md, "Apps and allowed imports"), checked by parsing
every runtime module's imports. wabas' own tests are held to its rule too: phones depend on WABAs,
never the other way round (a WABA-level change that concerns phones is a `wabas.signals` signal)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# app -> the other apps its runtime modules may import (`sandbox` named apart from the Graph client).
ALLOWED = {
    "core": {"onboarding_project"},  # core.views: the Celery app, for /healthz
    "organizations": {"core"},
    "meta": {"core", "webhooks"},  # the sandbox's callbacks reuse the delivery transport
    "wabas": {"core", "meta"},
    "phones": {"core", "organizations", "meta", "wabas", "webhooks", "links"},  # links.meta_confirm
    "links": {"core", "organizations", "meta", "sandbox", "wabas", "phones", "webhooks"},
    "webhooks": {"core", "organizations", "wabas"},
    # phones never imports messaging: Meta's statuses reach it through phones.signals.
    "messaging": {"core", "organizations", "meta", "wabas", "phones", "webhooks"},
}
SANDBOX_USERS = {"links", "meta"}  # links: the hosted page's sandbox dialog and origin


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _target(module: str) -> str:
    return "sandbox" if module.startswith("sandbox") else module.split(".")[0]


def _modules(app: str, *, tests: bool) -> list[Path]:
    paths = sorted((ROOT / app).rglob("*.py"))
    return [p for p in paths if "migrations" not in p.parts and (tests or "tests" not in p.parts)]


def _app_imports(path: Path, app: str) -> set[str]:
    """The other apps `path` (a module of `app`) imports."""
    targets = {_target(m) for m in _imports(path)} & {*ALLOWED, "onboarding_project"}
    return targets - {app}


def test_apps_import_only_what_the_layout_allows():
    offenders = {}
    for app, allowed in ALLOWED.items():
        modules = _modules(app, tests=False)
        assert modules, app  # the walk really sees the app
        for path in modules:
            if bad := _app_imports(path, app) - allowed:
                offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_wabas_and_its_tests_never_import_phones():
    modules = _modules("wabas", tests=True)
    offenders = [str(p.relative_to(ROOT)) for p in modules if "phones" in _app_imports(p, "wabas")]
    assert any(p.name == "tokens.py" for p in modules) and offenders == []


def test_only_links_and_meta_use_the_sandbox_at_runtime():
    users = {app for app in ALLOWED for p in _modules(app, tests=False) if "sandbox" in _app_imports(p, app)}
    assert users <= SANDBOX_USERS
