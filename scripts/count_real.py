"""An independent count of two audit categories on a netra-apex snapshot, to check `ssot check`.

It shares no code with the engine: plain `ast` and configparser, no index, no aliases or
re-exports followed. It finds
  - deprecated imports: `import X` / `from X import ...` statements (absolute) whose module is one
    of the policy's `deprecated_modules` or below one. `ssot check` must report SOT001, SOT002 or
    SOT003 within the lines of each (it reports more: relative imports, and the old names of
    other modules);
  - singleton calls: `name(...)` where `name` is bound in the same file by
    `from M import N [as name]` and `M.N` is a `banned_calls` entry of kind singleton. `ssot check`
    must report SOT101 at each (it reports more: calls through re-exports, aliases, attributes).
Files that do not parse under this Python are skipped and counted.

    python scripts/count_real.py SNAPSHOT_ROOT POLICY      # SNAPSHOT_ROOT holds netra_backend/
"""

from __future__ import annotations

import ast
import configparser
import json
import sys
from pathlib import Path

CONTRACT = "importlinter:contract:websocket-manager-ssot"


def policy_lists(policy: Path) -> tuple[list[str], set[str]]:
    """(deprecated module prefixes, qualified names of the banned singletons)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(policy)
    section = parser[CONTRACT]
    lines = [line.strip() for line in section["deprecated_modules"].splitlines() if line.strip()]
    deprecated = [line.split("->")[0].strip() for line in lines]
    singletons = set()
    for line in section["banned_calls"].splitlines():
        target, _, rest = line.partition(":")
        if rest.strip().startswith("singleton"):
            singletons.add(target.strip())
    return deprecated, singletons


def under(module: str, prefixes: list[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def scan_file(tree: ast.AST, deprecated: list[str], singletons: set[str]):
    """([(first line, last line)] of deprecated imports, [line] of singleton calls)."""
    spans, getters = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            if any(under(alias.name, deprecated) for alias in node.names):
                spans.append((node.lineno, node.end_lineno))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if under(node.module, deprecated):
                spans.append((node.lineno, node.end_lineno))
            getters |= {a.asname or a.name for a in node.names if f"{node.module}.{a.name}" in singletons}
    calls = [node.lineno for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in getters]
    return spans, calls


def scan(root: Path, policy: Path) -> dict:
    """{"deprecated_imports": {path: spans}, "singleton_calls": {path: lines}, "unparsable": n};
    paths relative to root, with forward slashes."""
    deprecated, singletons = policy_lists(policy)
    found = {"deprecated_imports": {}, "singleton_calls": {}, "unparsable": 0}
    for path in sorted((root / "netra_backend").rglob("*.py")):
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError, OSError):
            found["unparsable"] += 1
            continue
        spans, calls = scan_file(tree, deprecated, singletons)
        name = path.relative_to(root).as_posix()
        if spans:
            found["deprecated_imports"][name] = spans
        if calls:
            found["singleton_calls"][name] = calls
    return found


def main(root: str, policy: str) -> None:
    found = scan(Path(root), Path(policy))
    print(json.dumps({
        "deprecated_imports": sum(map(len, found["deprecated_imports"].values())),
        "singleton_calls": sum(map(len, found["singleton_calls"].values())),
        "unparsable": found["unparsable"],
    }))


if __name__ == "__main__":
    main(*sys.argv[1:3])
