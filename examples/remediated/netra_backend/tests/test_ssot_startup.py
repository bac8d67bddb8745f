"""Startup smoke test: the app wires one manager per user."""

from __future__ import annotations

from netra_backend.app.websocket_core.types import UserExecutionContext
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


def test_startup_builds_manager_per_user():
    ctx = UserExecutionContext(user_id="u-boot", thread_id="t-boot", run_id="r-boot")
    manager = WebSocketManager(user_context=ctx)
    assert manager.user_context == ctx
