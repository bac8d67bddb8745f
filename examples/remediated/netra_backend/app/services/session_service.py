"""Chat sessions: binds a user's session to a WebSocket manager."""

from __future__ import annotations

from dataclasses import dataclass

from netra_backend.app.websocket_core.types import UserExecutionContext
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


@dataclass
class ChatSession:
    ctx: UserExecutionContext
    manager: WebSocketManager


def open_session(ctx: UserExecutionContext) -> ChatSession:
    manager = WebSocketManager(user_context=ctx)
    return ChatSession(ctx=ctx, manager=manager)
