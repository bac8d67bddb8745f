"""Online/offline presence, still imported through the old manager.py path."""

from __future__ import annotations

from netra_backend.app.websocket_core.connection_info import ConnectionInfo
from netra_backend.app.websocket_core.manager import WebSocketManager
from netra_backend.app.websocket_core.types import UserExecutionContext


class PresenceService:
    """Tracks which users have an open socket."""

    async def mark_online(self, ctx: UserExecutionContext, info: ConnectionInfo) -> None:
        manager = WebSocketManager(user_context=ctx)
        await manager.connect(info)
