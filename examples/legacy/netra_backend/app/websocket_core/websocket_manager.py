"""SSOT WebSocket manager module (migration in progress).

This module is meant to be the single source of truth for the real-time
layer: every caller should write

    from netra_backend.app.websocket_core.websocket_manager import WebSocketManager

and build one manager per user with ``WebSocketManager(user_context=ctx)``.

Legacy state: the implementation still lives in ``unified_manager`` and a
few helpers are still pulled in from the deprecated
``websocket_manager_factory`` module (issue #1031).
"""

from __future__ import annotations

from typing import Any, Dict

from netra_backend.app.websocket_core.protocols import WebSocketManagerProtocol

# Legacy helpers that should be defined here (issue #1031):
from netra_backend.app.websocket_core.websocket_manager_factory import (
    WebSocketManagerFactory,
    WebSocketConnection,
    _serialize_message_safely,
    WebSocketManagerMode
)

from .unified_manager import UnifiedWebSocketManager


# TODO(#243): move the implementation into this module and delete
# unified_manager.py. Until then the canonical name is only an alias of the
# unified implementation, so the same class is reachable under two names
# and from two modules (see manager.py, which re-exports
# both names for older callers).
WebSocketManager = UnifiedWebSocketManager


def serialize_for_client(message: Dict[str, Any]) -> str:
    """Serialize an outgoing event (helper still borrowed from the factory)."""
    return _serialize_message_safely(message)


def default_mode() -> WebSocketManagerMode:
    return WebSocketManagerMode.ISOLATED


def is_manager(candidate: Any) -> bool:
    return isinstance(candidate, WebSocketManagerProtocol)


__all__ = [
    "WebSocketManager",
    "WebSocketConnection",
    "WebSocketManagerFactory",
    "WebSocketManagerMode",
    "serialize_for_client",
]
