"""Reconnect handling. Re-exports the manager under a recovery-specific name."""

from __future__ import annotations

from netra_backend.app.websocket_core.connection_info import ConnectionInfo
from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager

WebSocketRecoveryManager = UnifiedWebSocketManager


async def resume(manager: WebSocketRecoveryManager, info: ConnectionInfo) -> None:
    """Re-attach a dropped connection to its manager."""
    await manager.connect(info)


__all__ = ["WebSocketRecoveryManager", "resume"]
