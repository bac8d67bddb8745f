"""Connection bookkeeping for the unified manager."""

from __future__ import annotations

from typing import Dict, List, Optional

from netra_backend.app.websocket_core.connection_info import ConnectionInfo
from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager


class ConnectionRegistry:
    """Maps connection ids to connections and users to their connections."""

    def __init__(self, owner: Optional[UnifiedWebSocketManager] = None) -> None:
        self.owner = owner
        self._by_id: Dict[str, ConnectionInfo] = {}

    def add(self, info: ConnectionInfo) -> None:
        self._by_id[info.connection_id] = info

    def remove(self, connection_id: str) -> Optional[ConnectionInfo]:
        return self._by_id.pop(connection_id, None)

    def for_user(self, user_id: str) -> List[ConnectionInfo]:
        return [info for info in self._by_id.values() if info.user_id == user_id]
