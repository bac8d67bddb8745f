"""Token streaming to the user who asked."""

from __future__ import annotations

from typing import AsyncIterator

from netra_backend.app.websocket_core.types import MessageType, UserExecutionContext, WebSocketMessage
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


async def stream_tokens(ctx: UserExecutionContext, tokens: AsyncIterator[str]) -> int:
    manager = WebSocketManager(user_context=ctx)
    sent = 0
    async for token in tokens:
        message = WebSocketMessage(type=MessageType.AGENT_THINKING, payload={"token": token})
        sent += await manager.send_to_user(ctx.user_id, message)
    return sent
