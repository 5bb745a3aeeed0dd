"""The shape of the code, checked by reading it: dependencies point one way, no import circles, one naming scheme
for the edges, one way to notify, and audit recorded by the domain, never by the edges."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("careerconv", "people", "conversations")


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            yield name.removesuffix(".__init__"), path


def _imports(tree, module, *, top_level_only):
    """Absolute names of what `tree` imports (relative imports resolved against `module`)."""
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[: -node.level] if not module.endswith("__init__") else module.split(".")
                base = ".".join([*package, base] if base else package)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _project_graph():
    known = dict(_modules())
    graph = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text())
        graph[name] = {target for target in _imports(tree, name, top_level_only=True) if target in known}
    return graph


def test_people_never_imports_conversations():
    offenders = [
        f"{name} imports {target}"
        for name, path in _modules() if name.startswith("people")
        for target in _imports(ast.parse(path.read_text()), name, top_level_only=False)
        if target == "conversations" or target.startswith("conversations.")
    ]
    assert offenders == []


def test_there_is_no_import_circle():
    graph = _project_graph()
    circles = []
    state = {}

    def visit(node, trail):
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                circles.append(" -> ".join([*trail[trail.index(target):], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert circles == []


# Imports that cannot sit at the top of their module, and why.
LOCAL_IMPORTS = {
    "careerconv.beat.record_run": "Celery beat loads its scheduler before Django's apps are ready",
}


def test_imports_sit_at_the_top_of_modules_except_in_app_registration():
    local = []
    for name, path in _modules():
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef) or function.name == "ready":
                continue
            if f"{name}.{function.name}" in LOCAL_IMPORTS:
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    local.append(f"{name}.{function.name} (line {node.lineno})")
    assert local == []


def test_the_edges_live_in_folders_named_for_their_layer():
    flat = [
        str(path.relative_to(ROOT)) for app in APPS for path in (ROOT / app).glob("*.py")
        if path.stem.startswith(("views_", "forms_")) or path.stem.endswith(("_views", "_forms"))
        or (app != "careerconv" and path.stem in ("views", "forms"))
    ]
    assert flat == []


# Calls that make Notification rows: the constructor (for bulk_create) and the manager's creating methods.
MAKES_NOTIFICATIONS = re.compile(
    r"^(\w+\.)*Notification(\.objects\.(create|bulk_create|get_or_create|update_or_create))?$")


def test_every_notification_is_made_by_notify():
    offenders = [
        f"{name} line {node.lineno}: {ast.unparse(node.func)}"
        for name, path in _modules() if name != "conversations.notifications"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and MAKES_NOTIFICATIONS.match(ast.unparse(node.func))
    ]
    assert offenders == []


def test_views_and_template_tags_leave_the_audit_log_to_the_domain():
    """What a page shows or saves is recorded by the domain function that reads or writes it, so the edges
    neither call the audit module nor import its recording functions."""
    edges = [(name, path) for name, path in _modules()
             if any(part in ("views", "templatetags") for part in name.split("."))]
    assert edges
    offenders = []
    for name, path in edges:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "audit":
                offenders.append(f"{name} line {node.lineno}: audit.{node.attr}")
            elif isinstance(node, ast.ImportFrom) and node.module == "conversations.audit":
                offenders += [f"{name} line {node.lineno}: imports {alias.name}"
                              for alias in node.names if alias.name.startswith("record")]
    assert offenders == []


# Where a 404 may come from: the edges, and the middleware that answers the permission layer's NotVisible.
ANSWERS_404 = {"people.middleware"}
RAISES_404 = {"Http404", "get_object_or_404", "get_list_or_404"}


def _is_edge(name):
    parts = name.split(".")
    return "views" in parts or parts[-1] == "urls" or name in ANSWERS_404


def _names_used(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.Attribute):
            yield node.attr


def test_only_the_edges_answer_404_and_domain_code_raises_its_own_errors():
    offenders = [
        f"{name} uses {used}"
        for name, path in _modules() if not _is_edge(name)
        for used in sorted(set(_names_used(ast.parse(path.read_text()))) & RAISES_404)
    ]
    assert offenders == []


def test_views_take_the_person_from_the_request():
    offenders = []
    for name, path in _modules():
        if "views" not in name.split("."):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if called == "person_of":
                    offenders.append(f"{name} (line {node.lineno})")
    assert offenders == []
