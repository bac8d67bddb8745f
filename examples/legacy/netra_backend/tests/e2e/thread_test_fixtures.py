"""E2E fixtures for thread tests.

Builds the user context and WebSocket manager a thread test needs. The
fixtures are shared by the thread creation, thread switching and thread
history suites, which is why they live in their own module. They are
plain functions so that the suites can call them directly or wrap them
in their own pytest fixtures.

Issue #1066 lists this file: the manager below is still built with the
deprecated factory instead of ``WebSocketManager(user_context=ctx)``.

Fixture overview:

    thread_context()   -> UserExecutionContext for a fresh thread
    thread_manager()   -> manager bound to that context
"""

from __future__ import annotations

import uuid
from typing import Any

from netra_backend.app.websocket_core.types import UserExecutionContext

from netra_backend.app.websocket_core import create_websocket_manager


def thread_context() -> UserExecutionContext:
    suffix = uuid.uuid4().hex[:8]
    return UserExecutionContext(user_id=f"user-{suffix}", thread_id=f"thread-{suffix}", run_id=f"run-{suffix}")


def thread_manager(thread_context: UserExecutionContext) -> Any:
    return create_websocket_manager(thread_context)
