"""Regression: sending after the socket closed must not raise.

The race: the agent finishes and sends ``agent_completed`` while the browser
is closing the connection. The manager must drop the message quietly.
See issue #1066 for why the manager here still comes from the
factory.
"""

from __future__ import annotations

import asyncio

from netra_backend.app.websocket_core.connection_info import ConnectionInfo
from netra_backend.app.websocket_core.types import (
    MessageType,
    UserExecutionContext,
    WebSocketMessage,
)

from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager


def test_send_after_close_is_dropped():
    ctx = UserExecutionContext(user_id="u-race", thread_id="t-race", run_id="r-race")
    manager = create_websocket_manager(user_context=ctx)
    info = ConnectionInfo(connection_id="c-race", user_id="u-race")

    async def scenario() -> int:
        await manager.connect(info)
        info.mark_closed()
        await manager.disconnect(info.connection_id)
        return await manager.send_to_user("u-race", WebSocketMessage(type=MessageType.AGENT_COMPLETED))

    assert asyncio.run(scenario()) == 0
