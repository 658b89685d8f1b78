"""The layout's rules, read from the code: no import loops, services apart, one registry."""

import ast
from pathlib import Path

import grpc

from chirp_client.stubs import SERVICE_KEYS, Stubs
from services.mesh import service_builders
from services.registry import BUILT, NAMES, SERVICES

ROOT = Path(__file__).resolve().parents[2]
SERVICE_PACKAGES = ("account", "fanout", "graph", "search", "snowflake", "timeline", "trending", "tweet")


def _module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Every module of services/ and the modules of services/ it imports."""
    graph = {}
    for path in (ROOT / "services").rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("services"):
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names if alias.name.startswith("services"))
        graph[_module_of(path)] = names
    return {module: {n for n in names if n in graph and n != module} for module, names in graph.items()}


def _package(module: str) -> str:
    """The package right under services/ ("graph" for services.graph.service)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        path.append(module)
        for imported in sorted(graph[module]):
            if state.get(imported) == "open":
                return path[path.index(imported) :] + [imported]
            if imported not in state and (found := visit(imported)):
                return found
        path.pop()
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_no_import_loop_in_services():
    assert _cycle(_imports()) is None


def test_a_service_imports_no_other_service():
    for module, imported in _imports().items():
        owner = _package(module)
        if owner not in SERVICE_PACKAGES:
            continue
        foreign = {i for i in imported if _package(i) in SERVICE_PACKAGES and _package(i) != owner}
        assert not foreign, f"{module} imports {sorted(foreign)}: reach another service through its contract or a port"


def test_common_knows_no_service():
    for module, imported in _imports().items():
        if module.startswith("services.common"):
            assert not {i for i in imported if _package(i) in SERVICE_PACKAGES + ("mesh",)}, module


def test_every_built_service_has_a_builder_and_every_service_a_stub():
    assert set(service_builders.BUILDERS) == {entry.name for entry in BUILT}
    assert SERVICE_KEYS == NAMES
    with grpc.insecure_channel("127.0.0.1:9") as channel:  # never connects: no call is made
        stubs = Stubs({"any": channel})
    assert all(isinstance(getattr(stubs, entry.name), entry.stub) for entry in SERVICES)


def test_services_do_not_import_the_client():
    """The client builds on the services' contracts and registry, never the other way round."""
    for path in (ROOT / "services").rglob("*.py"):
        tree = ast.parse(path.read_text())
        modules = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        modules += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in modules if m.startswith("chirp_client")], path
