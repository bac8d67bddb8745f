"""DEPRECATED: WebSocket manager factory (issue #1066). Use
``WebSocketManager(user_context=ctx)`` from ``websocket_manager`` instead."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, Optional

from netra_backend.app.websocket_core.types import UserExecutionContext, WebSocketState
from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager


class WebSocketManagerMode(enum.Enum):
    ISOLATED = "isolated"
    SHARED = "shared"
    TEST = "test"


@dataclass
class WebSocketConnection:
    connection_id: str
    user_id: str
    state: WebSocketState = WebSocketState.CONNECTING


def _serialize_message_safely(message: Dict[str, Any]) -> str:
    return json.dumps(message, default=str)


class WebSocketManagerFactory:
    @staticmethod
    def create_manager(user_context: Optional[UserExecutionContext] = None) -> UnifiedWebSocketManager:
        return UnifiedWebSocketManager(user_context=user_context)


def create_websocket_manager(user_context=None):
    return UnifiedWebSocketManager(user_context=user_context)


def create_test_manager() -> UnifiedWebSocketManager:
    return UnifiedWebSocketManager(user_context=None)


def create_isolated_manager(user_context: UserExecutionContext) -> UnifiedWebSocketManager:
    return WebSocketManagerFactory.create_manager(user_context)


async def create_websocket_manager_async(user_context=None):
    return create_websocket_manager(user_context)


_manager: Optional[UnifiedWebSocketManager] = None
_default_manager = UnifiedWebSocketManager()


def get_websocket_manager() -> UnifiedWebSocketManager:
    global _manager
    if _manager is None:
        _manager = UnifiedWebSocketManager()
    return _manager


@lru_cache(maxsize=None)
def get_shared_manager() -> UnifiedWebSocketManager:
    return UnifiedWebSocketManager()
