"""Structural types for the real-time layer."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from netra_backend.app.websocket_core.types import UserExecutionContext, WebSocketMessage

from .unified_manager import UnifiedWebSocketManager


@runtime_checkable
class WebSocketManagerProtocol(Protocol):
    """What every manager must offer."""

    user_context: UserExecutionContext

    async def send_to_user(self, user_id: str, message: WebSocketMessage) -> int:
        ...


class MessageSink(Protocol):
    """Anything that accepts outgoing messages."""

    async def send(self, message: WebSocketMessage) -> None:
        ...


def default_manager_class() -> type:
    """The class that satisfies WebSocketManagerProtocol in production."""
    return UnifiedWebSocketManager
