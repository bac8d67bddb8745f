"""Regression: sending after the socket closed must not raise.

The race: the agent finishes and sends ``agent_completed`` while the browser
is closing the connection. The manager must drop the message quietly.
"""

from __future__ import annotations

import asyncio

from netra_backend.app.websocket_core.connection_info import ConnectionInfo
from netra_backend.app.websocket_core.types import MessageType, UserExecutionContext, WebSocketMessage
from netra_backend.app.websocket_core.websocket_manager import WebSocketManager


def test_send_after_close_is_dropped():
    ctx = UserExecutionContext(user_id="u-race", thread_id="t-race", run_id="r-race")
    manager = WebSocketManager(user_context=ctx)
    info = ConnectionInfo(connection_id="c-race", user_id="u-race")

    async def scenario() -> int:
        await manager.connect(info)
        info.mark_closed()
        await manager.disconnect(info.connection_id)
        return await manager.send_to_user("u-race", WebSocketMessage(type=MessageType.AGENT_COMPLETED))

    assert asyncio.run(scenario()) == 0
