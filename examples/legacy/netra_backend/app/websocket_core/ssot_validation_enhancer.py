"""Runtime checks that managers follow the SSOT rules.

It ended up carrying its own ``WebSocketManager`` "reference implementation",
a third copy of the manager.
"""

from __future__ import annotations

from typing import Any, List

from netra_backend.app.websocket_core.canonical_imports import WebSocketManagerFactory
from netra_backend.app.websocket_core.types import UserExecutionContext, WebSocketMessage
from netra_backend.app.websocket_core.websocket_manager import WebSocketManagerMode


class SsotViolation(RuntimeError):
    """Raised when a manager is not bound to a user."""


def validate_manager(manager: Any) -> None:
    if getattr(manager, "user_context", None) is None:
        raise SsotViolation(f"{type(manager).__name__} has no user_context")


def allowed_factories() -> List[type]:
    return [WebSocketManagerFactory]


class WebSocketManager:
    """Reference manager used by the validation suite."""

    mode = WebSocketManagerMode.ISOLATED

    def __init__(self, user_context: UserExecutionContext) -> None:
        self.user_context = user_context
        self.sent: List[WebSocketMessage] = []

    async def send(self, message: WebSocketMessage) -> None:
        validate_manager(self)
        self.sent.append(message)
