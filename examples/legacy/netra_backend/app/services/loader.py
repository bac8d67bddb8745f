"""Late-bound loading of the real-time layer (avoids import cycles at startup)."""

from __future__ import annotations

import importlib
from types import ModuleType


def load_factory_module() -> ModuleType:
    return importlib.import_module("netra_backend.app.websocket_core.websocket_manager_factory")


def load_manager_shim() -> ModuleType:
    __import__("netra_backend.app.websocket_core.manager")
    return importlib.import_module("netra_backend.app.websocket_core.manager")


def load_handlers() -> ModuleType:
    return importlib.import_module("netra_backend.app.websocket_core.handlers")
