"""The one-way import rule of ARCHITECTURE.md, read from the code with ast.

Every import of our own modules, at the top of a module or inside a function, is an arrow;
an arrow the table below does not allow, or a circle of arrows, fails the test."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = (
    "core",
    "invoicing",
    "webapp",
    "activities",
    "workflows",
    "vies",
    "nav",
    "payments",
    "worker",
    "workerapp",
    "devtools",
    "bench",
)

# Leaves: the vocabulary everyone may use; they import nothing of ours but themselves.
LEAVES = {
    "workflows.contracts": set(),
    "workflows.retention_contracts": set(),
    "workflows.invoice_contracts": set(),
    "vies": {"vies"},
    "nav": {"nav"},
    "payments": {"payments"},  # the Stripe client and its stand-in
}
# layer -> the layers its modules may import (besides itself).
ALLOWED = {
    "core": {"workflows.contracts", "workflows.retention_contracts", "vies", "nav"},
    "invoicing": {"core", "vies"},  # invoices from plain data: no process, no web
    "workflows": {
        "workflows.contracts",
        "workflows.retention_contracts",
        "workflows.invoice_contracts",
    },
    "activities": {
        "core",
        "invoicing",
        "vies",
        "workflows.contracts",
        "workflows.retention_contracts",
        "workflows.invoice_contracts",
        "workflows.starting",
        "nav",
        "payments",
    },
    "webapp": {
        "core",
        "invoicing",
        "vies",
        "nav",
        "payments",
        "workflows",
        "devtools.mailcatcher",
    },  # dev mailbox
    "worker": {"core", "workerapp"},  # the entry point only
    "workerapp": {"activities", "workflows", "core", "invoicing", "vies", "nav", "payments"},
    "devtools": {"core", "invoicing", "vies", "nav", "workflows.contracts", "devtools"},
    "bench": {
        "core",
        "invoicing",
        "vies",
        "nav",
        "payments",
        "workflows",
        "activities",
        "bench",
        "devtools",
    },
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def our_modules() -> dict[str, Path]:
    found = {"worker": ROOT / "worker.py"}
    for package in OURS:
        if (ROOT / package).is_dir():
            for path in (ROOT / package).rglob("*.py"):
                found[module_name(path)] = path
    return found


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The modules of ours that `name` (at path) imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import module` is an arrow to the module, not to pkg's __init__.
            names = [f"{base}.{alias.name}" for alias in node.names]
            modules = [n for n in names if n in known]
            targets.update(modules)
            if len(modules) < len(names):
                targets.add(base)
    return {t for t in targets if t in known and t != name}


def graph() -> dict[str, set[str]]:
    modules = our_modules()
    return {name: imports(path, name, set(modules)) for name, path in modules.items()}


def layer(name: str) -> str:
    for leaf in LEAVES:
        if name == leaf or name.startswith(leaf + "."):
            return leaf
    return name.split(".")[0]


def allowed(source: str, target: str) -> bool:
    src, dst = layer(source), layer(target)
    if src == dst:
        return True
    rules = LEAVES.get(src, ALLOWED.get(src, set()))
    return any(dst == rule or dst.startswith(rule + ".") or layer(rule) == dst for rule in rules)


def test_every_import_points_the_allowed_way() -> None:
    wrong = sorted(
        f"{source} -> {target}"
        for source, targets in graph().items()
        for target in targets
        if not allowed(source, target)
    )
    assert not wrong, "imports against ARCHITECTURE.md:\n" + "\n".join(wrong)


def test_nothing_outside_the_web_app_imports_it() -> None:
    wrong = sorted(
        f"{source} -> {target}"
        for source, targets in graph().items()
        if layer(source) != "webapp"
        for target in targets
        if layer(target) == "webapp"
    )
    assert not wrong


def _circle(edges: dict[str, set[str]]) -> list[str]:
    """One circle of imports, if there is any (depth-first search)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_no_import_circles() -> None:
    edges = graph()
    assert _circle(edges) == [], " -> ".join(_circle(edges))


def test_the_rule_sees_a_wrong_arrow() -> None:
    assert not allowed("core.db", "webapp.cli")
    assert not allowed("activities.mail", "webapp.admin.views")
    assert not allowed("workflows.registration", "core.models")
    assert not allowed("vies.client", "core.config")
    assert not allowed("nav.client", "core.config")
    assert not allowed("workflows.invoice_report", "nav.client")
    assert not allowed("payments.provider", "core.config")
    assert not allowed("core.config", "payments.provider")
    assert not allowed("invoicing.issuing", "webapp.database")
    assert not allowed("core.models", "invoicing.vat")
    assert _circle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]


def test_the_worker_process_loads_nothing_of_the_web_app() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, worker; print(sorted(m for m in sys.modules if m.split('.')[0] == 'webapp'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def _feature(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if parts[0] == "webapp" and len(parts) > 2 else None


def _is_views_or_forms(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last.endswith("views") or last == "forms"


def _crossing(edges: dict[str, set[str]]) -> set[str]:
    """Arrows from one feature package to another's views or forms. A form two features
    show lives in webapp/forms.py (no feature's); the app factory is in no feature."""
    return {
        f"{source} -> {target}"
        for source, targets in edges.items()
        if _feature(source)
        for target in targets
        if _is_views_or_forms(target) and _feature(target) and _feature(source) != _feature(target)
    }


def test_no_feature_imports_another_features_views_or_forms() -> None:
    assert _crossing(graph()) == set()


def test_the_feature_rule_sees_a_crossing() -> None:
    assert _crossing({"webapp.auth.reset": {"webapp.portal.forms"}}) == {
        "webapp.auth.reset -> webapp.portal.forms"
    }
    assert _crossing({"webapp.admin.auth_views": {"webapp.auth.views"}})
    assert not _crossing({"webapp.auth.reset": {"webapp.forms", "webapp.auth.forms"}})
    assert not _crossing({"webapp": {"webapp.admin.views"}})


WEBAPP = ROOT / "webapp"


def _blueprint_packages() -> list[Path]:
    """Packages of webapp/ that define a Blueprint: the feature packages."""
    return sorted(
        package
        for package in WEBAPP.iterdir()
        if (package / "__init__.py").is_file()
        and any("Blueprint(" in module.read_text() for module in package.glob("*.py"))
    )


def _flask_imports(path: Path) -> list[str]:
    """The flask / flask_* modules a file imports itself (anywhere in it)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            found.append(node.module or "")
    return [m for m in found if m.split(".")[0] == "flask" or m.startswith("flask_")]


def _defines_form(path: Path) -> bool:
    return any(
        isinstance(node, ast.ClassDef)
        and any(ast.unparse(base).endswith("FlaskForm") for base in node.bases)
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
    )


def test_the_feature_packages_are_found() -> None:
    names = {package.name for package in _blueprint_packages()}
    assert {"admin", "auth", "portal", "support", "registration", "pricing"} <= names


def test_each_feature_package_has_views_forms_and_service() -> None:
    missing = []
    for package in _blueprint_packages():
        wanted = ["views.py", "service.py"]
        if any(_defines_form(module) for module in package.glob("*.py")):
            wanted.append("forms.py")
        missing += [f"{package.name}/{name}" for name in wanted if not (package / name).is_file()]
    assert not missing, "feature packages lack: " + ", ".join(missing)


def test_forms_are_defined_in_forms_py() -> None:
    elsewhere = sorted(
        f"{module.relative_to(ROOT)}"
        for package in _blueprint_packages()
        for module in package.glob("*.py")
        if module.name != "forms.py" and _defines_form(module)
    )
    assert not elsewhere, "forms outside forms.py: " + ", ".join(elsewhere)


def _reached(edges: dict[str, set[str]], start: str) -> set[str]:
    """`start` and every module of ours it imports, directly or through others."""
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_no_service_reaches_flask() -> None:
    """Not in service.py, nor in any module of ours it imports (labels a service shows are
    msgids: webapp/msgid.py)."""
    edges, modules = graph(), our_modules()
    wrong = sorted(
        f"{service}: {reached} imports {', '.join(_flask_imports(modules[reached]))}"
        for service, path in modules.items()
        if path.name == "service.py" and path.is_relative_to(WEBAPP)
        for reached in sorted(_reached(edges, service))
        if _flask_imports(modules[reached])
    )
    assert not wrong, "service.py takes a session and settings, not Flask:\n" + "\n".join(wrong)


def test_the_reach_follows_imports_through_other_modules() -> None:
    edges = {"a.service": {"a.topics"}, "a.topics": {"b.products"}, "b.products": set()}
    assert _reached(edges, "a.service") == {"a.service", "a.topics", "b.products"}


def test_the_flask_check_sees_an_import(tmp_path: Path) -> None:
    probe = tmp_path / "service.py"
    probe.write_text("from flask import url_for\nimport flask_babel\ndef f():\n    import json\n")
    assert _flask_imports(probe) == ["flask", "flask_babel"]
