"""The import rules: where a module gets a registered symbol or a module from.

SOT001 non-canonical path, SOT002 deprecated module, SOT003 the same through a dynamic import,
SOT004 a name or module the tree no longer has, SOT005 a direct import that breaks one of
import-linter's boundary contracts. The walk (`analysis.walk`) calls these at each import
statement, attribute chain and `import_module(...)` call; `walk` is that walker.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ssot_flake8.rules.base import Rule

if TYPE_CHECKING:
    from ssot_flake8.analysis.walk import ModuleWalk
    from ssot_flake8.policy.model import Symbol

NON_CANONICAL = Rule(
    code="SOT001",
    name="non-canonical-import",
    message="{imported} is not the canonical path of {symbol}; use `{canonical_import}`",
    rationale="Every path to a class other than its single home is a place where a second "
    "implementation can hide; one import line keeps every caller on the same object.",
    bad="from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager",
    good="from netra_backend.app.websocket_core.websocket_manager import WebSocketManager",
    fixable=True,
)
DEPRECATED_MODULE = Rule(
    code="SOT002",
    name="deprecated-module-import",
    message="import of deprecated module {module}{instead}",
    rationale="Deprecated modules are on their way out; every new import of them makes "
    "the removal harder.",
    bad="from netra_backend.app.websocket_core.websocket_manager_factory import WebSocketConnection",
    good="from netra_backend.app.websocket_core.websocket_manager import WebSocketConnection",
    fixable=True,
)
DYNAMIC_DEPRECATED = Rule(
    code="SOT003",
    name="dynamic-deprecated-import",
    message="dynamic import of deprecated module {module}{instead}",
    rationale="`importlib.import_module` and `__import__` hide an import from every static "
    "tool; a deprecated module must not come back through them.",
    bad='import importlib\n'
    'importlib.import_module("netra_backend.app.websocket_core.websocket_manager_factory")',
    good="from netra_backend.app.websocket_core.websocket_manager import WebSocketManager",
)
STALE = Rule(
    code="SOT004",
    name="stale-import",
    message="stale import: {problem}{hint}",
    rationale="An import of a name or module that no longer exists in the tree fails at run "
    "time, or silently falls back when it sits in `try/except ImportError`; the symbol index "
    "knows what each module defines, imports and re-exports.",
    bad="try:\n    from netra_backend.app.websocket_core.websocket_manager import UnifiedManager\n"
    "except ImportError:\n    UnifiedManager = None",
    good="from netra_backend.app.websocket_core.websocket_manager import WebSocketManager",
)
BOUNDARY = Rule(
    code="SOT005",
    name="boundary-contract-import",
    message="import of {imported} breaks the {type} contract {contract!r}: {rule}",
    rationale="import-linter finds a broken boundary contract in CI; the same direct import "
    "is shown here where it is typed. Chains through other modules stay `lint-imports`' job.",
    bad="# netra_backend/app/websocket_core/types.py (the bottom layer)\n"
    "from netra_backend.app.websocket_core.handlers import AgentMessageHandler",
    good="# netra_backend/app/websocket_core/handlers.py\n"
    "from netra_backend.app.websocket_core.types import MessageType",
)

RULES = (NON_CANONICAL, DEPRECATED_MODULE, DYNAMIC_DEPRECATED, STALE, BOUNDARY)
# Rules about an import statement; `ignore_imports` of an ssot contract silences them.
IMPORT_CODES = frozenset({NON_CANONICAL.code, DEPRECATED_MODULE.code, DYNAMIC_DEPRECATED.code})
# What the token-level reader of a file that does not parse can still tell.
FALLBACK_CODES = frozenset({NON_CANONICAL.code, DEPRECATED_MODULE.code, STALE.code, BOUNDARY.code})


def check_boundaries(walk: ModuleWalk, imported: str, node: ast.AST) -> None:
    """SOT005 at the statement, once per imported module (as grimp counts imports)."""
    policy = walk.policy
    if not policy.boundaries.contracts or not walk.module:
        return
    if walk.in_type_checking and policy.boundaries.skip_type_checking:
        return
    if walk.ssot_rules and walk.reporting_imports() and policy.deprecated_module(imported):
        return  # SOT001/SOT002 already report this import, with its replacement
    for contract in policy.boundaries.contracts:
        broken = contract.breaks(walk.module, imported)
        if broken:
            walk.report(BOUNDARY, node, imported, "", imported=imported, type=contract.type,
                        contract=contract.name, rule=broken)


def check_imported_name(walk: ModuleWalk, qualname: str, node: ast.AST) -> bool:
    """SOT001 / SOT002 for one imported name; True when the name is a policy name (then
    its own rule speaks for it, at the import or at the call, and SOT004 stays silent)."""
    policy = walk.policy
    symbol = policy.symbol_at(qualname)
    if symbol and qualname != symbol.qualname:
        report_non_canonical(walk, qualname, symbol, node)
    deprecated = check_deprecated(walk, qualname, node) if not symbol else False
    return bool(symbol or deprecated or policy.banned_at(qualname))


def check_stale(walk: ModuleWalk, module: str, name: str | None, node: ast.AST,
                reported: set | None = None) -> None:
    """SOT004 when the index knows the tree has no such module or name."""
    index = walk.policy.index
    stale = index.stale(module, name) if index is not None else None
    if stale and stale[0] not in (reported or ()):
        problem, hint = stale
        subject = f"{module}.{name}" if name else module
        walk.report(STALE, node, subject, "", problem=problem, hint=hint)
        if reported is not None:
            reported.add(problem)


def report_non_canonical(walk: ModuleWalk, qualname: str, symbol: Symbol, node: ast.AST) -> None:
    walk.report(NON_CANONICAL, node, qualname, symbol.qualname,
                imported=qualname, symbol=symbol.name, canonical_import=symbol.import_line)


def check_deprecated(walk: ModuleWalk, module: str, node: ast.AST) -> bool:
    """SOT002 for an import of a deprecated module (or of a name inside one)."""
    deprecated = walk.policy.deprecated_module(module)
    if deprecated:
        walk.report(DEPRECATED_MODULE, node, module, deprecated.replacement or "",
                    module=deprecated.module, instead=deprecated.instead)
    return bool(deprecated)


def check_attribute_path(walk: ModuleWalk, qualname: str, symbol: Symbol, node: ast.Attribute) -> bool:
    """SOT001 for `module.Name` reached through an `import module`; True when reported."""
    if qualname != symbol.qualname:
        report_non_canonical(walk, qualname, symbol, node)
        return True
    return False


def check_dynamic_import(walk: ModuleWalk, node: ast.Call) -> None:
    """SOT003 for `importlib.import_module("literal")` and `__import__("literal")`."""
    if not node.args or not isinstance(node.args[0], ast.Constant):
        return
    target = node.args[0].value
    if not isinstance(target, str):
        return
    if target.startswith("."):
        target = _relative_target(walk, target, node)
        if target is None:
            return
    deprecated = walk.policy.deprecated_module(target)
    if deprecated:
        walk.report(DYNAMIC_DEPRECATED, node, target, deprecated.replacement or "",
                    module=deprecated.module, instead=deprecated.instead)


def _relative_target(walk: ModuleWalk, target: str, node: ast.Call) -> str | None:
    """`import_module(".x", package=__package__)` resolved against this module's package."""
    package_args = [k.value for k in node.keywords if k.arg == "package"] + node.args[1:2]
    if not package_args or not isinstance(package_args[0], ast.Name):
        return None
    if package_args[0].id not in ("__package__", "__name__"):
        return None
    level = len(target) - len(target.lstrip("."))
    fake = ast.ImportFrom(module=target[level:] or None, names=[], level=level)
    return walk.absolute_module(fake)
