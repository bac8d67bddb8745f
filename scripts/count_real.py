"""An independent count of two audit categories on a netra-apex snapshot, to check `ssot check`.

It shares no code with the engine: plain `ast`, no index, no aliases followed. It counts
  - deprecated imports: `import X` / `from X import ...` statements whose module is one of the
    flagship policy's deprecated modules or below one (SOT002 reports one per statement);
  - singleton calls: calls `get_websocket_manager(...)` / `get_manager(...)` through a name bound
    by `from <websocket_core module> import get_websocket_manager` in the same file (SOT101).
Files that do not parse under this Python are skipped and counted.

    python scripts/count_real.py SNAPSHOT/netra_backend POLICY
"""

from __future__ import annotations

import ast
import configparser
import json
import sys
from pathlib import Path

GETTERS = {"get_websocket_manager", "get_manager"}
CORE = "netra_backend.app.websocket_core"


def deprecated_modules(policy: Path) -> list[str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(policy)
    lines = parser["importlinter:contract:websocket-manager-ssot"]["deprecated_modules"].split("\n")
    return [line.split("->")[0].strip() for line in lines if line.strip()]


def under(module: str, prefixes: list[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def count_file(tree: ast.AST, deprecated: list[str]) -> tuple[int, int]:
    imports = calls = 0
    getters: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imports += any(under(alias.name, deprecated) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imports += under(node.module, deprecated)
            if node.module.startswith(CORE):
                getters |= {a.asname or a.name for a in node.names if a.name in GETTERS}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in getters:
            calls += 1
    return imports, calls


def main(root: str, policy: str) -> None:
    deprecated = deprecated_modules(Path(policy))
    totals = {"deprecated_imports": 0, "singleton_calls": 0, "unparsable": 0}
    for path in sorted(Path(root).rglob("*.py")):
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            totals["unparsable"] += 1
            continue
        imports, calls = count_file(tree, deprecated)
        totals["deprecated_imports"] += imports
        totals["singleton_calls"] += calls
    print(json.dumps(totals))


if __name__ == "__main__":
    main(*sys.argv[1:3])
