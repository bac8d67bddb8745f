"""Service registry (true negatives: a method and a docstring share a banned name).

Older docs told callers to use ``get_websocket_manager()``; this registry has a
method of that name, which is not the banned module-level accessor.
"""

from __future__ import annotations

from typing import Any, Dict, Optional


class Registry:
    """Holds per-request service instances."""

    def __init__(self) -> None:
        self._services: Dict[str, Any] = {}

    def register(self, name: str, service: Any) -> None:
        self._services[name] = service

    def get_websocket_manager(self) -> Optional[Any]:
        """Return the request's manager, if one was registered."""
        return self._services.get("websocket_manager")

    def has_websocket(self) -> bool:
        return self.get_websocket_manager() is not None
