"""Late-bound loading of optional real-time handlers (plugins)."""

from __future__ import annotations

import importlib
from types import ModuleType


def load_handlers() -> ModuleType:
    return importlib.import_module("netra_backend.app.websocket_core.handlers")
