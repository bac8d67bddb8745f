"""E2E fixtures for thread tests.

Builds the user context and WebSocket manager a thread test needs. They are
plain functions so that the suites can call them directly or wrap them in
their own pytest fixtures.
"""

from __future__ import annotations

import uuid

from netra_backend.app.websocket_core.types import UserExecutionContext
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


def thread_context() -> UserExecutionContext:
    suffix = uuid.uuid4().hex[:8]
    return UserExecutionContext(user_id=f"user-{suffix}", thread_id=f"thread-{suffix}", run_id=f"run-{suffix}")


def thread_manager(thread_context: UserExecutionContext) -> WebSocketManager:
    return WebSocketManager(user_context=thread_context)
