"""The rule catalog: the one place where every rule is declared.

`ssot rules`, the README's rule table and every message come from these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    message: str  # a str.format template; the fields are the finding's details
    rationale: str
    bad: str
    good: str
    fixable: bool = False

    def format(self, **details: str) -> str:
        return self.message.format(**details)


RULES: tuple[Rule, ...] = (
    Rule(
        code="SOT000",
        name="unparsable-file",
        message="{path} could not be analysed: {error}",
        rationale="A file that does not parse or decode hides its imports from every checker; "
        "it is reported once and the rest of the run goes on.",
        bad="print(f'{x!r:>{width}}' if x else f'{'nested'}')  # 3.12 syntax under 3.11",
        good="# the file parses under the Python that runs the checks",
    ),
    Rule(
        code="SOT001",
        name="non-canonical-import",
        message="{imported} is not the canonical path of {symbol}; use `{canonical_import}`",
        rationale="Every path to a class other than its single home is a place where a second "
        "implementation can hide; one import line keeps every caller on the same object.",
        bad="from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager",
        good="from netra_backend.app.websocket_core.websocket_manager import WebSocketManager",
        fixable=True,
    ),
    Rule(
        code="SOT002",
        name="deprecated-module-import",
        message="import of deprecated module {module}{instead}",
        rationale="Deprecated modules are on their way out; every new import of them makes "
        "the removal harder.",
        bad="from netra_backend.app.websocket_core.websocket_manager_factory import WebSocketConnection",
        good="from netra_backend.app.websocket_core.websocket_manager import WebSocketConnection",
        fixable=True,
    ),
    Rule(
        code="SOT003",
        name="dynamic-deprecated-import",
        message="dynamic import of deprecated module {module}{instead}",
        rationale="`importlib.import_module` and `__import__` hide an import from every static "
        "tool; a deprecated module must not come back through them.",
        bad='importlib.import_module("netra_backend.app.websocket_core.websocket_manager_factory")',
        good="from netra_backend.app.websocket_core.websocket_manager import WebSocketManager",
    ),
    Rule(
        code="SOT005",
        name="boundary-contract-import",
        message="import of {imported} breaks the {type} contract {contract!r}: {rule}",
        rationale="import-linter finds a broken boundary contract in CI; the same direct import "
        "is shown here where it is typed. Chains through other modules stay `lint-imports`' job.",
        bad="# websocket_core/types.py (the bottom layer)\n"
        "from netra_backend.app.websocket_core.handlers import AgentMessageHandler",
        good="# types.py imports nothing above it; handlers import types",
    ),
    Rule(
        code="SOT101",
        name="singleton-accessor-call",
        message="{name} is a banned singleton accessor: {instead}",
        rationale="A singleton shares one manager between all users of the process: a "
        "multi-tenant data leak. Each request builds its own instance.",
        bad="manager = get_websocket_manager()",
        good="manager = WebSocketManager(user_context=ctx)",
    ),
    Rule(
        code="SOT102",
        name="deprecated-factory-call",
        message="{name} is a deprecated factory: {instead}",
        rationale="Factories hide how an instance is built and for whom; direct construction "
        "with an explicit user context keeps the isolation visible.",
        bad="manager = create_websocket_manager(user_context)",
        good="manager = WebSocketManager(user_context=user_context)",
    ),
    Rule(
        code="SOT103",
        name="missing-isolation-argument",
        message="{symbol}(...) constructed without {arguments}; pass {example}",
        rationale="An instance built without its user context serves whoever calls it next: "
        "the argument must be passed explicitly, by keyword.",
        bad="manager = WebSocketManager()",
        good="manager = WebSocketManager(user_context=ctx)",
    ),
    Rule(
        code="SOT201",
        name="singleton-definition",
        message="{kind} makes {symbol} a process-wide singleton; build one per user instead",
        rationale="Module-level instances, `global` caches, `_instance`/`__new__` caching and "
        "`@lru_cache` getters all share one instance across users.",
        bad="_manager = WebSocketManager(user_context=None)",
        good="def handle(ctx):\n    manager = WebSocketManager(user_context=ctx)",
    ),
    Rule(
        code="SOT202",
        name="factory-definition",
        message="{kind} {name} builds {symbol} outside its canonical module {module}",
        rationale="Every factory is another way to build the object, with its own defaults; "
        "construction belongs to the class in its canonical module.",
        bad="def create_websocket_manager(ctx):\n    return WebSocketManager(user_context=ctx)",
        good="manager = WebSocketManager(user_context=ctx)",
    ),
    Rule(
        code="SOT203",
        name="alias-assignment",
        message="{alias} is an alias of {symbol}; import {canonical_name} from {module} instead",
        rationale="An alias gives one class a second name, and the second name soon gets a "
        "second implementation.",
        bad="WebSocketManager = UnifiedWebSocketManager",
        good="from netra_backend.app.websocket_core.websocket_manager import WebSocketManager",
    ),
    Rule(
        code="SOT204",
        name="reexport-shim",
        message="{module} re-exports {symbol} ({how}); import it from {canonical} and remove the shim",
        rationale="A compatibility shim keeps the old import path alive forever; callers must "
        "move to the canonical module and the shim must go.",
        bad="# websocket/__init__.py\nfrom netra_backend.app.websocket_core.websocket_manager import "
        "WebSocketManager\n__all__ = ['WebSocketManager']",
        good="# callers import from netra_backend.app.websocket_core.websocket_manager",
    ),
    Rule(
        code="SOT205",
        name="duplicate-implementation",
        message="class {name} duplicates {symbol}, whose single home is {module}",
        rationale="Two classes under one name are two sources of truth; they drift apart and "
        "callers get whichever they imported.",
        bad="# unified_manager.py\nclass UnifiedWebSocketManager:\n    ...",
        good="# only websocket_manager.py defines class WebSocketManager",
    ),
    Rule(
        code="SOT004",
        name="stale-import",
        message="stale import: {problem}{hint}",
        rationale="An import of a name or module that no longer exists in the tree fails at run "
        "time, or silently falls back when it sits in `try/except ImportError`; the symbol index "
        "knows what each module defines, imports and re-exports.",
        bad="try:\n    from netra_backend.app.websocket_core.websocket_manager import UnifiedManager\n"
        "except ImportError:\n    UnifiedManager = None",
        good="from netra_backend.app.websocket_core.websocket_manager import WebSocketManager",
    ),
)

RULES = tuple(sorted(RULES, key=lambda r: r.code))  # declared in the order they were added
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


def rule(code: str) -> Rule:
    return RULES_BY_CODE[code]


def rules_table_markdown() -> str:
    """The README's rule table, generated from the declarations above."""
    lines = [
        "| code | name | fix | what it reports | bad | good |",
        "|---|---|---|---|---|---|",
    ]
    for r in RULES:
        lines.append(
            f"| `{r.code}` | {r.name} | {'yes' if r.fixable else ''} | {r.rationale} "
            f"| {_md_code(r.bad)} | {_md_code(r.good)} |"
        )
    return "\n".join(lines)


def _md_code(snippet: str) -> str:
    cells = [f"`{line}`" for line in snippet.replace("|", "\\|").splitlines() if line.strip()]
    return "<br>".join(cells)


def rules_text() -> str:
    """`ssot rules`: the catalog for a terminal."""
    blocks = []
    for r in RULES:
        fix = " (fixable)" if r.fixable else ""
        blocks.append(
            f"{r.code} {r.name}{fix}\n  {r.rationale}\n"
            f"  bad:\n{_indent(r.bad)}\n  good:\n{_indent(r.good)}"
        )
    return "\n\n".join(blocks)


def _indent(snippet: str) -> str:
    return "\n".join("    " + line for line in snippet.splitlines())
