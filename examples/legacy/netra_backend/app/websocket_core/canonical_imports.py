"""'Canonical' import surface that became one more place to import from."""

from __future__ import annotations

from typing import Optional

from netra_backend.app.websocket_core.migration_adapter import migrate_legacy_call
from netra_backend.app.websocket_core.types import UserExecutionContext, WebSocketMessage
from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager
from netra_backend.app.websocket_core.websocket_manager_factory import WebSocketManagerMode


class WebSocketManager:
    """Thin manager that forwards to the unified one (fourth copy)."""

    def __init__(self, user_context: Optional[UserExecutionContext] = None) -> None:
        self.user_context = user_context
        self.mode = WebSocketManagerMode.ISOLATED
        self._delegate = UnifiedWebSocketManager(user_context=user_context)

    async def send_to_user(self, user_id: str, message: WebSocketMessage) -> int:
        migrate_legacy_call("canonical_imports.WebSocketManager.send_to_user")
        return await self._delegate.send_to_user(user_id, message)


class WebSocketManagerFactory:
    """Factory the audit notes recommended (and then asked to remove)."""

    @staticmethod
    def create_manager(user_context: Optional[UserExecutionContext] = None) -> WebSocketManager:
        return WebSocketManager(user_context=user_context)


def get_canonical_manager(user_context: UserExecutionContext) -> WebSocketManager:
    """Function factory kept next to the class factory."""
    return WebSocketManagerFactory.create_manager(user_context)
