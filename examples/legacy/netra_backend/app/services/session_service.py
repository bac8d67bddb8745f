"""Chat sessions: binds a user's session to a WebSocket manager."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import websocket_core
from ..websocket_core.types import UserExecutionContext


@dataclass
class ChatSession:
    ctx: UserExecutionContext
    manager: Any


def open_session(ctx: UserExecutionContext) -> ChatSession:
    manager = websocket_core.create_websocket_manager(ctx)
    return ChatSession(ctx=ctx, manager=manager)
