"""Structural types for the real-time layer (bottom layer: depends only on types)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from netra_backend.app.websocket_core.types import UserExecutionContext, WebSocketMessage


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
