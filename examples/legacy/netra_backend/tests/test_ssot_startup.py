"""Startup smoke test: the app wires a connection manager per user."""

from __future__ import annotations

from netra_backend.app.websocket.connection_manager import ConnectionManager
from netra_backend.app.websocket_core.types import UserExecutionContext


def test_startup_builds_connection_manager():
    ctx = UserExecutionContext(user_id="u-boot", thread_id="t-boot", run_id="r-boot")
    manager = ConnectionManager(user_context=ctx)
    assert manager.user_context == ctx
