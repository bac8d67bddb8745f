"""websocket_core tests."""
