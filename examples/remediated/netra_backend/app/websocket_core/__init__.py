"""Real-time layer of the Netra backend.

The package re-exports nothing. The one way to get a manager is

    from netra_backend.app.websocket_core.websocket_manager import WebSocketManager

    manager = WebSocketManager(user_context=ctx)
"""

PROTOCOL_VERSION = "2"
