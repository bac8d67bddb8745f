"""The call rules: how code gets an instance of a registered class.

SOT101 a banned singleton accessor, SOT102 a deprecated factory (both from `banned_calls`, and
reported wherever the callable is referenced, not only called), SOT103 a constructor called
without the arguments that keep it per-user (`required_arguments`).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from ssot_flake8.rules.base import Rule

if TYPE_CHECKING:
    from ssot_flake8.analysis.walk import ModuleWalk
    from ssot_flake8.policy.model import Symbol

SINGLETON_ACCESSOR = Rule(
    code="SOT101",
    name="singleton-accessor-call",
    message="{name} is a banned singleton accessor: {instead}",
    rationale="A singleton shares one manager between all users of the process: a "
    "multi-tenant data leak. Each request builds its own instance.",
    bad="from netra_backend.app.websocket_core import get_websocket_manager\n"
    "manager = get_websocket_manager()",
    good="from netra_backend.app.websocket_core.websocket_manager import WebSocketManager\n"
    "manager = WebSocketManager(user_context=ctx)",
)
DEPRECATED_FACTORY = Rule(
    code="SOT102",
    name="deprecated-factory-call",
    message="{name} is a deprecated factory: {instead}",
    rationale="Factories hide how an instance is built and for whom; direct construction "
    "with an explicit user context keeps the isolation visible. A method called through an "
    "instance of a banned factory class is the factory call too: a local name or a `self` "
    "attribute bound only to `Factory(...)` (`factory = Factory(); factory.create_manager(ctx)`); "
    "a receiver of unknown type is not reported.",
    bad="from netra_backend.app.websocket_core.websocket_manager_factory import "
    "create_websocket_manager\nmanager = create_websocket_manager(user_context)",
    good="from netra_backend.app.websocket_core.websocket_manager import WebSocketManager\n"
    "manager = WebSocketManager(user_context=user_context)",
)
MISSING_ISOLATION = Rule(
    code="SOT103",
    name="missing-isolation-argument",
    message="{symbol}(...) constructed without {arguments}; pass {example}",
    rationale="An instance built without its user context serves whoever calls it next: "
    "the argument must be passed explicitly, by keyword.",
    bad="from netra_backend.app.websocket_core.websocket_manager import WebSocketManager\n"
    "manager = WebSocketManager()",
    good="from netra_backend.app.websocket_core.websocket_manager import WebSocketManager\n"
    "manager = WebSocketManager(user_context=ctx)",
)

RULES = (SINGLETON_ACCESSOR, DEPRECATED_FACTORY, MISSING_ISOLATION)
BY_KIND = {"singleton": SINGLETON_ACCESSOR, "factory": DEPRECATED_FACTORY}


def check_banned(walk: ModuleWalk, qualname: str, node: ast.Name | ast.Attribute) -> bool:
    """SOT101 / SOT102 where a banned callable is referenced; True when reported."""
    banned = walk.policy.banned_at(qualname)
    if banned:
        walk.report(BY_KIND[banned.kind], node, qualname, "", name=ast.unparse(node),
                    instead=banned.instead)
    return bool(banned)


def check_required_arguments(walk: ModuleWalk, node: ast.Call, symbol: Symbol) -> None:
    """SOT103 when a constructor call passes none of the isolation arguments by keyword."""
    passed = {keyword.arg for keyword in node.keywords}
    if None in passed:  # **kwargs may carry it
        return
    missing = [name for name in symbol.required_arguments if name not in passed]
    if missing:
        walk.report(MISSING_ISOLATION, node, symbol.qualname, "", symbol=symbol.name,
                    arguments=", ".join(missing),
                    example=", ".join(f"{name}=..." for name in missing))
