"""Online/offline presence."""

from __future__ import annotations

from netra_backend.app.websocket_core.connection_info import ConnectionInfo
from netra_backend.app.websocket_core.types import UserExecutionContext
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


class PresenceService:
    """Tracks which users have an open socket."""

    async def mark_online(self, ctx: UserExecutionContext, info: ConnectionInfo) -> None:
        manager = WebSocketManager(user_context=ctx)
        await manager.connect(info)
