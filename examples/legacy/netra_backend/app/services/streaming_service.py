"""Token streaming; built on the migration adapter's static factory."""

from __future__ import annotations

from typing import AsyncIterator

from netra_backend.app.websocket_core.migration_adapter import WebSocketManager
from netra_backend.app.websocket_core.types import MessageType, UserExecutionContext, WebSocketMessage


async def stream_tokens(ctx: UserExecutionContext, tokens: AsyncIterator[str]) -> int:
    manager = WebSocketManager.create(user_context=ctx)
    sent = 0
    async for token in tokens:
        message = WebSocketMessage(type=MessageType.AGENT_THINKING, payload={"token": token})
        sent += await manager.send_to_user(ctx.user_id, message)
    return sent
