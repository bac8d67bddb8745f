"""Adapter that lets old call sites keep working during the migration."""

from __future__ import annotations

import warnings
from typing import Optional

from netra_backend.app.websocket_core.canonical_imports import WebSocketManagerFactory
from netra_backend.app.websocket_core.types import UserExecutionContext, WebSocketMessage
from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager


def migrate_legacy_call(where: str) -> None:
    """Warn that a legacy entry point was used."""
    warnings.warn(f"legacy WebSocket entry point: {where}", DeprecationWarning, stacklevel=3)


class WebSocketManager:
    """Adapter manager (fifth copy) with its own static factory."""

    def __init__(self, user_context: Optional[UserExecutionContext] = None) -> None:
        self.user_context = user_context
        self._unified = UnifiedWebSocketManager(user_context=user_context)

    @classmethod
    def create(cls, user_context: Optional[UserExecutionContext] = None) -> "WebSocketManager":
        migrate_legacy_call("WebSocketManager.create")
        return cls(user_context=user_context)

    async def send_to_user(self, user_id: str, message: WebSocketMessage) -> int:
        return await self._unified.send_to_user(user_id, message)


def adapt_factory_manager(user_context: UserExecutionContext) -> object:
    """Build a manager the old way, through the canonical_imports factory."""
    return WebSocketManagerFactory.create_manager(user_context)
