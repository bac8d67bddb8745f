"""The governed code of the benchmark tree: websocket_core, the legacy shim package, and
the snippets planted into ordinary modules (every violation category of the policy in
../.importlinter, plus true negatives that a precise checker must not report).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from filler import template

WS = "netra_backend.app.websocket_core"
Needs = tuple[tuple[str, str], ...]  # ("module", "name") or ("", "module") for `import module`
ANY: Needs = (("typing", "Any"),)


@dataclass
class FixedModule:
    """A module whose governed part is written by hand; `pad` adds filler after it."""

    doc: str
    imports: list[str]
    body: str
    needs: Needs = ANY
    pad: bool = True


MANAGER_CLASS = '''\
class WebSocketManager:
    """The canonical real-time manager: one instance per user context."""

    def __init__(self, *, user_context: Any, mode: str = "isolated") -> None:
        if user_context is None:
            raise ValueError("WebSocketManager requires a user_context")
        self.user_context = user_context
        self.mode = mode
        self._connections: dict[str, ConnectionInfo] = {}

    def as_protocol(self) -> ManagerProtocol:
        return self

    async def connect(self, connection_id: str) -> ConnectionInfo:
        info = ConnectionInfo(connection_id=connection_id, user_id=str(self.user_context))
        self._connections[connection_id] = info
        return info

    async def send_to_user(self, message: dict[str, Any]) -> int:
        return len([info for info in self._connections.values() if info.is_open])

    async def disconnect(self, connection_id: str) -> None:
        self._connections.pop(connection_id, None)'''

UNIFIED_CLASS = '''\
class UnifiedWebSocketManager:
    """Legacy implementation from the first consolidation; duplicates WebSocketManager."""

    _instance: UnifiedWebSocketManager | None = None

    def __new__(cls, *args: Any, **kwargs: Any) -> UnifiedWebSocketManager:
        # Process-wide cache: every user shares one manager (the data-leak risk).
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __init__(self, user_context: Any = None, mode: str = "unified") -> None:
        self.user_context = user_context
        self.mode = validate_manager_mode(mode)
        self._connections: dict[str, Any] = {}

    async def send_to_user(self, message: dict[str, Any]) -> int:
        return len(self._connections)


# Old spelling kept for callers of the unified module.
WebSocketManager = UnifiedWebSocketManager'''

FACTORY_BODY = '''\
_MANAGER: WebSocketManager | None = None
_SYSTEM_CONTEXT: dict[str, Any] = {"user_id": "system"}


def get_websocket_manager() -> WebSocketManager:
    """Deprecated singleton accessor: one manager shared by every user."""
    global _MANAGER
    if _MANAGER is None:
        _MANAGER = WebSocketManager(user_context=_SYSTEM_CONTEXT)
    return _MANAGER


def create_websocket_manager(user_context: Any = None) -> WebSocketManager:
    """Deprecated factory: hides whether a user context was supplied."""
    return WebSocketManager(user_context=user_context or _SYSTEM_CONTEXT)


class WebSocketManagerFactory:
    """Deprecated factory class from the second consolidation attempt."""

    @staticmethod
    def create_manager(user_context: Any = None) -> WebSocketManager:
        return create_websocket_manager(user_context)

    @classmethod
    def create(cls, user_context: Any = None) -> WebSocketManager:
        return cls.create_manager(user_context)'''

CONNECTION_INFO = '''\
@dataclass
class ConnectionInfo:
    """One live client connection of one user."""

    connection_id: str
    user_id: str
    connected_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    subscriptions: list[str] = field(default_factory=list)
    is_open: bool = True'''

CANONICAL_IMPORT = f"from {WS}.websocket_manager import WebSocketManager"

FIXED: dict[str, FixedModule] = {
    "websocket_core/__init__": FixedModule(
        "Real-time layer. Historically every entry point was re-exported here, which is how\n"
        "the import paths fragmented; new code imports from .websocket_manager directly.",
        ["from .connection_info import ConnectionInfo",
         "from .unified_manager import UnifiedWebSocketManager",
         "from .websocket_manager import WebSocketManager",
         "from .websocket_manager_factory import (\n    WebSocketManagerFactory,\n"
         "    create_websocket_manager,\n    get_websocket_manager,\n)"],
        '__all__ = [\n    "ConnectionInfo",\n    "UnifiedWebSocketManager",\n'
        '    "WebSocketManager",\n    "WebSocketManagerFactory",\n'
        '    "create_websocket_manager",\n    "get_websocket_manager",\n]', (), pad=False),
    "websocket_core/websocket_manager": FixedModule(
        "The single source of truth for the real-time manager.",
        [f"from {WS}.connection_info import ConnectionInfo",
         f"from {WS}.protocols import ManagerProtocol"],
        MANAGER_CLASS),
    "websocket_core/protocols": FixedModule(
        "Structural types of the real-time layer.",
        [f"from {WS} import unified_manager"],
        'class ManagerProtocol(Protocol):\n    """What handlers may rely on."""\n\n'
        "    async def send_to_user(self, message: dict[str, Any]) -> int: ...\n\n\n"
        "def is_legacy_manager(candidate: object) -> bool:\n"
        "    return isinstance(candidate, unified_manager.UnifiedWebSocketManager)",
        (("typing", "Any"), ("typing", "Protocol"))),
    "websocket_core/unified_manager": FixedModule(
        "Unified manager from the 2023 consolidation (deprecated).",
        [f"from {WS}.ssot_validation_enhancer import validate_manager_mode"],
        UNIFIED_CLASS),
    "websocket_core/ssot_validation_enhancer": FixedModule(
        "Runtime checks bolted on during the SSOT migration (deprecated).",
        [f"from {WS}.websocket_manager import WebSocketManager"],
        'VALID_MODES = ("isolated", "unified", "legacy")\n\n\n'
        "def validate_manager_mode(mode: str) -> str:\n"
        "    if mode not in VALID_MODES:\n"
        '        raise ValueError(f"unknown manager mode {mode!r}")\n    return mode\n\n\n'
        "def enhance_manager(candidate: WebSocketManager) -> WebSocketManager:\n"
        "    validate_manager_mode(candidate.mode)\n    return candidate\n\n\n"
        '__all__ = ["WebSocketManager", "enhance_manager", "validate_manager_mode"]', ()),
    "websocket_core/websocket_manager_factory": FixedModule(
        "Factories and the singleton accessor (deprecated).",
        [f"from {WS}.websocket_manager import WebSocketManager"],
        FACTORY_BODY),
    "websocket_core/manager": FixedModule(
        "Compatibility shim: the manager under its pre-2024 path.",
        [f"from {WS}.unified_manager import UnifiedWebSocketManager",
         f"from {WS}.websocket_manager import WebSocketManager"],
        '__all__ = ["UnifiedWebSocketManager", "WebSocketManager"]', (), pad=False),
    "websocket_core/canonical_imports": FixedModule(
        "'Canonical' imports from an earlier consolidation attempt (deprecated).",
        [f"from {WS}.websocket_manager import WebSocketManager",
         f"from {WS}.websocket_manager_factory import (\n    WebSocketManagerFactory,\n"
         "    create_websocket_manager,\n)"],
        '__all__ = ["WebSocketManager", "WebSocketManagerFactory", "create_websocket_manager"]',
        (), pad=False),
    "websocket_core/migration_adapter": FixedModule(
        "Adapter between the unified and the canonical manager (deprecated).",
        [f"from {WS}.unified_manager import UnifiedWebSocketManager",
         f"from {WS}.websocket_manager import WebSocketManager"],
        "def adapt(legacy: UnifiedWebSocketManager) -> WebSocketManager:\n"
        "    return WebSocketManager(user_context=legacy.user_context)\n\n\n"
        '__all__ = ["WebSocketManager", "adapt"]'),
    "websocket_core/connection_info": FixedModule(
        "Connection metadata shared by the real-time layer.", [], CONNECTION_INFO,
        (("dataclasses", "dataclass"), ("dataclasses", "field"), ("datetime", "datetime"),
         ("datetime", "timezone"))),
    # The rest of the layering the flagship policy's contracts name (types at the bottom, routes
    # on top): they exist in the audited code base, and import-linter refuses a missing layer.
    "websocket_core/types": FixedModule(
        "Value types of the real-time layer (bottom layer: imports neither connection_info\n"
        "nor websocket_manager).", [],
        'MESSAGE_TYPES = ("agent_started", "agent_thinking", "agent_completed")'),
    "websocket_core/auth": FixedModule(
        "Connection authentication.", [f"from {WS}.connection_info import ConnectionInfo"],
        "def is_authenticated(connection: ConnectionInfo) -> bool:\n    return connection.is_open"),
    "websocket_core/connection_manager": FixedModule(
        "The connection registry behind the manager.",
        [f"from {WS}.connection_info import ConnectionInfo"],
        "class ConnectionRegistry:\n    def __init__(self) -> None:\n"
        "        self.connections: dict[str, ConnectionInfo] = {}"),
    "websocket_core/handlers": FixedModule(
        "Message handlers (top layer).", [CANONICAL_IMPORT],
        "def handle(manager: WebSocketManager, message: dict) -> None:\n"
        "    manager.pending = [message]"),
    "websocket_core/routes": FixedModule(
        "Endpoints (top layer).",
        [f"from {WS}.auth import is_authenticated", f"from {WS}.handlers import handle"],
        '__all__ = ["handle", "is_authenticated"]'),
    "websocket/__init__": FixedModule(
        "Deprecated pre-websocket_core package, kept as a re-export shim.",
        [f"from {WS} import WebSocketManager",
         f"from {WS}.connection_info import ConnectionInfo"],
        '__all__ = ["ConnectionInfo", "WebSocketManager"]', (), pad=False),
    "websocket/connection_manager": FixedModule(
        "Deprecated: the manager under its original name.",
        [f"from {WS}.websocket_manager import WebSocketManager"],
        'ConnectionManager = WebSocketManager\n\n__all__ = ["ConnectionManager", '
        '"WebSocketManager"]', (), pad=False),
    "websocket/connection_info": FixedModule(
        "Deprecated: connection metadata moved to websocket_core.",
        [f"from {WS}.connection_info import ConnectionInfo"],
        '__all__ = ["ConnectionInfo"]', (), pad=False),
}

# Filler modules that live inside the governed package but never touch the manager.
WS_FILLER = ["message_router", "heartbeat", "rate_limiter", "event_validator", "reconnection"]


# ---- planted snippets ---------------------------------------------------------------
# Each variant: (import lines for the module header, module-level code, stdlib needs).
# `$tag` keeps names unique when a file gets several snippets; `$rel` is the relative
# path from the file's package to websocket_core. No variant (re)binds the bare name
# WebSocketManager to anything but the canonical class, so snippets can share a file.

CANONICAL = f"from {WS}.websocket_manager import WebSocketManager"

VIOLATIONS: dict[str, list[tuple[str, str, Needs]]] = {
    "non_canonical_import": [
        (f"from {WS}.unified_manager import UnifiedWebSocketManager",
         "def open_realtime_$tag(ctx: Any) -> UnifiedWebSocketManager:\n"
         '    """Open the real-time channel for one request."""\n'
         "    return UnifiedWebSocketManager(user_context=ctx)", ANY),
        (f"from {WS} import WebSocketManager",
         "def open_realtime_$tag(ctx: Any) -> WebSocketManager:\n"
         "    return WebSocketManager(user_context=ctx)", ANY),
        (f"from {WS}.canonical_imports import WebSocketManager",
         "async def notify_user_$tag(ctx: Any, event: dict[str, Any]) -> int:\n"
         "    realtime = WebSocketManager(user_context=ctx)\n"
         "    return await realtime.send_to_user(event)", ANY),
        ("", "if TYPE_CHECKING:\n"
         f"    from {WS}.unified_manager import UnifiedWebSocketManager\n\n\n"
         'def describe_realtime_$tag(handle: "UnifiedWebSocketManager") -> str:\n'
         "    return type(handle).__name__", (("typing", "TYPE_CHECKING"),)),
        ("", "def lazy_realtime_$tag(ctx: Any) -> Any:\n"
         f"    from {WS}.migration_adapter import WebSocketManager as Realtime\n\n"
         "    return Realtime(user_context=ctx)", ANY),
        ("", "try:\n"
         f"    from {WS}.unified_manager import UnifiedWebSocketManager as RealtimeHandle$tag\n"
         "except ImportError:  # pragma: no cover - older deployments\n"
         "    from netra_backend.app.websocket.connection_manager import (\n"
         "        ConnectionManager as RealtimeHandle$tag,\n    )", ()),
    ],
    "non_canonical_import_relative": [
        ("from $rel.unified_manager import UnifiedWebSocketManager",
         "def realtime_for_$tag(ctx: Any) -> UnifiedWebSocketManager:\n"
         "    return UnifiedWebSocketManager(user_context=ctx)", ANY),
        ("from $rel import WebSocketManager",
         "def realtime_for_$tag(ctx: Any) -> WebSocketManager:\n"
         "    return WebSocketManager(user_context=ctx)", ANY),
        ("from $rel.manager import WebSocketManager",
         "def realtime_for_$tag(ctx: Any) -> WebSocketManager:\n"
         "    return WebSocketManager(user_context=ctx)", ANY),
    ],
    "deprecated_module_import": [
        (f"import {WS}.manager as legacy_realtime",
         "def legacy_realtime_$tag(ctx: Any) -> Any:\n"
         "    return legacy_realtime.WebSocketManager(user_context=ctx)", ANY),
        ("from netra_backend.app.websocket import ConnectionInfo",
         "def describe_link_$tag(info: ConnectionInfo) -> dict[str, Any]:\n"
         '    return {"id": info.connection_id, "user": info.user_id}', ANY),
        ("from netra_backend.app.websocket.connection_manager import ConnectionManager",
         "def realtime_link_$tag(ctx: Any) -> ConnectionManager:\n"
         "    return ConnectionManager(user_context=ctx)", ANY),
        (f"import {WS}.websocket_manager_factory",
         "FACTORY_MODULE_$tag = netra_backend.app.websocket_core.websocket_manager_factory"
         ".__name__", ()),
    ],
    "dynamic_import": [
        ("", "def load_legacy_realtime_$tag() -> Any:\n"
         f'    module = importlib.import_module("{WS}.manager")\n'
         "    return module.WebSocketManager", (("", "importlib"), ("typing", "Any"))),
        ("", "def load_factory_$tag() -> Any:\n"
         f'    return __import__("{WS}.websocket_manager_factory", fromlist=["x"])', ANY),
    ],
    "singleton_call": [
        (f"from {WS} import get_websocket_manager",
         "async def broadcast_$tag(event: dict[str, Any]) -> int:\n"
         "    realtime = get_websocket_manager()\n"
         "    return await realtime.send_to_user(event)", ANY),
        (f"from {WS}.websocket_manager_factory import get_websocket_manager",
         "def realtime_mode_$tag() -> str:\n    return get_websocket_manager().mode", ()),
        ("from netra_backend.app import websocket_core",
         "def shared_realtime_$tag() -> Any:\n"
         "    return websocket_core.get_websocket_manager()", ANY),
    ],
    "factory_call": [
        (f"from {WS} import create_websocket_manager",
         "def realtime_for_request_$tag(ctx: Any) -> Any:\n"
         "    return create_websocket_manager(ctx)", ANY),
        (f"from {WS}.websocket_manager_factory import create_websocket_manager",
         "async def push_$tag(ctx: Any, event: dict[str, Any]) -> int:\n"
         "    return await create_websocket_manager(user_context=ctx).send_to_user(event)",
         ANY),
    ],
    "factory_class_call": [
        (f"from {WS} import WebSocketManagerFactory",
         "def realtime_via_factory_$tag(ctx: Any) -> Any:\n"
         "    return WebSocketManagerFactory.create_manager(user_context=ctx)", ANY),
        (f"from {WS}.canonical_imports import WebSocketManagerFactory",
         "def realtime_via_factory_$tag(ctx: Any) -> Any:\n"
         "    return WebSocketManagerFactory().create(ctx)", ANY),
    ],
    "missing_required_argument": [
        (CANONICAL, "def anonymous_realtime_$tag() -> WebSocketManager:\n"
         "    return WebSocketManager()", ()),
        (CANONICAL, "def realtime_in_mode_$tag(mode: str) -> WebSocketManager:\n"
         "    return WebSocketManager(mode=mode)", ()),
    ],
    "alias_assignment": [
        (f"from {WS}.unified_manager import UnifiedWebSocketManager",
         "ChatRealtime$tag = UnifiedWebSocketManager", ()),
        (CANONICAL, "RealtimeHub$tag = WebSocketManager", ()),
    ],
    "module_level_instance": [
        (CANONICAL, 'SYSTEM_CONTEXT_$tag: dict[str, Any] = {"user_id": "system"}\n'
         "realtime_$tag = WebSocketManager(user_context=SYSTEM_CONTEXT_$tag)", ANY),
    ],
    "global_cache_getter": [
        (CANONICAL, "_REALTIME_$tag: WebSocketManager | None = None\n\n\n"
         "def shared_realtime_$tag() -> WebSocketManager:\n"
         "    global _REALTIME_$tag\n"
         "    if _REALTIME_$tag is None:\n"
         '        _REALTIME_$tag = WebSocketManager(user_context={"user_id": "system"})\n'
         "    return _REALTIME_$tag", ()),
    ],
    "lru_cache_getter": [
        (CANONICAL, "@lru_cache(maxsize=1)\ndef cached_realtime_$tag() -> WebSocketManager:\n"
         '    return WebSocketManager(user_context={"user_id": "system"})',
         (("functools", "lru_cache"),)),
        (CANONICAL, "@cache\ndef cached_realtime_$tag() -> WebSocketManager:\n"
         '    return WebSocketManager(user_context={"user_id": "system"})',
         (("functools", "cache"),)),
    ],
    "factory_definition": [
        (CANONICAL, "def build_realtime_$tag(ctx: Any) -> WebSocketManager:\n"
         '    """Local factory that hides the user context from call sites."""\n'
         "    return WebSocketManager(user_context=ctx)", ANY),
        (CANONICAL, "class RealtimeProvider$tag:\n    @staticmethod\n"
         "    def create(ctx: Any) -> WebSocketManager:\n"
         "        return WebSocketManager(user_context=ctx)", ANY),
    ],
    "reexport_shim": [
        (CANONICAL, '__all__ = ["WebSocketManager"]', ()),
        (f"from {WS}.websocket_manager import *  # noqa: F403", "", ()),
    ],
    "duplicate_implementation": [
        ("", 'class WebSocketManager:\n    """Local copy for this code path; diverged from '
         'websocket_core."""\n\n'
         "    def __init__(self, user_context: Any = None) -> None:\n"
         "        self.user_context = user_context\n"
         "        self._queues: dict[str, list[Any]] = {}\n\n"
         "    async def send_to_user(self, message: dict[str, Any]) -> int:\n"
         '        self._queues.setdefault("default", []).append(message)\n'
         "        return 1", ANY),
    ],
    "missing_target_import": [
        (f"from {WS}.realtime_bridge import WebSocketManager as BridgedRealtime$tag",
         "BRIDGE_NAME_$tag = BridgedRealtime$tag.__name__", ()),
        (f"from {WS}.websocket_manager import WebSocketManagerV2 as RealtimeV2_$tag",
         "V2_NAME_$tag = RealtimeV2_$tag.__name__", ()),
    ],
}
# These bind the bare name WebSocketManager to something else, so they get a file alone.
SOLO = {"duplicate_implementation"}

NEGATIVES: dict[str, list[tuple[str, str, Needs]]] = {
    "correct_construction": [
        (CANONICAL, "def realtime_for_user_$tag(ctx: Any) -> WebSocketManager:\n"
         "    return WebSocketManager(user_context=ctx)", ANY),
    ],
    "unrelated_method": [
        ("", "class ToolRuntime$tag:\n"
         '    """Agent tool runtime with its own channel registry (not the real-time '
         'layer)."""\n\n'
         "    def __init__(self) -> None:\n        self._channels: dict[str, Any] = {}\n\n"
         "    def get_websocket_manager(self) -> dict[str, Any]:\n"
         "        return self._channels\n\n"
         "    def channel_count(self) -> int:\n"
         "        return len(self.get_websocket_manager())", ANY),
    ],
    "string_mention": [
        ("", "MIGRATION_NOTE_$tag = (\n"
         '    "get_websocket_manager() and create_websocket_manager() were removed; "\n'
         '    "construct WebSocketManager(user_context=ctx) from "\n'
         f'    "{WS}.websocket_manager instead."\n)', ()),
    ],
    "shadowed_name": [
        ("", "def lookup_channel_$tag(registry: dict[str, Any]) -> Any:\n"
         "    get_websocket_manager = registry.get\n"
         '    return get_websocket_manager("default")', ANY),
    ],
}


@dataclass
class Snippet:
    category: str
    imports: list[str]
    code: str
    needs: Needs = field(default_factory=tuple)


def make_snippet(category: str, rng: random.Random, tag: int, module: str) -> Snippet:
    """Instantiate one random variant of `category` for the dotted module name `module`."""
    variants = VIOLATIONS.get(category) or NEGATIVES[category]
    imports, code, needs = rng.choice(variants)
    package = module.split(".")[:-1]
    if package[:2] == ["netra_backend", "app"]:
        rel = "." * (len(package) - 1) + "websocket_core"
    else:
        rel = "." * len(package) + "app.websocket_core"
    fill = {"tag": str(tag), "rel": rel}
    imports = template(imports).format(**fill)
    return Snippet(category, [imports] if imports else [], template(code).format(**fill), needs)
