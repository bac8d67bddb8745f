"""Reconnect handling: a dropped connection rejoins its user's manager."""

from __future__ import annotations

from netra_backend.app.websocket_core.connection_info import ConnectionInfo
from netra_backend.app.websocket_core.types import UserExecutionContext
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


async def resume(ctx: UserExecutionContext, info: ConnectionInfo) -> WebSocketManager:
    """Build a fresh manager for the user and re-attach the connection."""
    manager = WebSocketManager(user_context=ctx)
    await manager.connect(info)
    return manager
