"""The README's table of real figures: `ssot audit` on netra-apex snapshots beside the seeds' claims.

    python scripts/real_figures.py /path/0910 /path/0914 /path/0918

Each argument is a snapshot export holding netra_backend/ (../shared/real-code/README.md). The
audit runs with the repo's bundled .importlinter in a temporary folder that links to the
snapshot, which is never written. Prints a Markdown table.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SSOT = Path(sys.executable).parent / "ssot"

# (row, the seeds' claim, where they say it)
CLAIMS = {
    "manager_classes": ("5 WebSocket manager implementations", "003, 09-14"),
    "compatibility_shims": ("3 compatibility shims", "003"),
    "factory_patterns": ("36 factory patterns (33 function, 2 singleton, 1 static, 1 alias)", "003"),
    "import_path_fragmentation": ("19 import path fragmentations", "003"),
    "fragmented_files": ("593+ files import UnifiedWebSocketManager inconsistently", "000, 09-10"),
    "circular_imports": ("8 circular import dependencies", "003"),
    "deprecated_usage": ("529 (later 567) deprecated factory usages in 100+ files", "001"),
}
ROWS = [
    ("manager_classes", "manager classes (SOT205) and aliases (SOT203) outside its home"),
    ("compatibility_shims", "modules re-exporting a registered symbol (SOT204)"),
    ("factory_patterns", "factory functions/methods, singletons, aliases (SOT202/201/203)"),
    ("import_path_fragmentation", "non-canonical import paths of a registered symbol (SOT001)"),
    ("fragmented_files", "files importing a registered symbol by a non-canonical path"),
    ("circular_imports", "import cycles in websocket_core"),
    ("deprecated_usage", "deprecated imports and factory calls (SOT002/003/102)"),
    ("singleton_accessor_calls", "banned singleton getter calls (SOT101)"),
    ("missing_isolation_argument", "manager built without user_context (SOT103)"),
    ("stale_imports", "imports of names the tree no longer has (SOT004)"),
    ("boundary_breaks", "direct imports breaking a boundary contract (SOT005)"),
    ("unanalysed_files", "files not analysed (SOT000)"),
]


def link_tree(snapshot: Path, tree: Path) -> Path:
    """tree (created) links to the snapshot's packages and holds a copy of the bundled policy,
    so the front-ends write their caches there and never into the snapshot."""
    tree.mkdir(exist_ok=True)
    for name in ("netra_backend", "shared"):
        if (snapshot / name).exists():
            (tree / name).symlink_to(snapshot.resolve() / name)
    shutil.copy(REPO / ".importlinter", tree / ".importlinter")
    return tree


def audit(snapshot: Path) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        tree = link_tree(snapshot, Path(folder))
        result = subprocess.run([str(SSOT), "audit", "--output-format", "json", "netra_backend"],
                                cwd=tree, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"ssot audit on {snapshot} exited {result.returncode}: {result.stderr.strip()}")
    return json.loads(result.stdout)


def figures(report: dict) -> dict[str, str]:
    categories = report["categories"]
    out = {key: str(value["count"]) for key, value in categories.items()}
    manager = [loc for key in ("duplicate_implementations", "factory_patterns")
               for loc in categories[key]["locations"]
               if loc["code"] in ("SOT205", "SOT203") and "ConnectionInfo" not in loc["detail"]]
    classes = sum(loc["code"] == "SOT205" for loc in manager)
    modules = len({loc["path"] for loc in manager})
    out["manager_classes"] = f"{classes} classes + {len(manager) - classes} aliases in {modules} modules"
    kinds = categories["factory_patterns"]["kinds"]
    out["factory_patterns"] += " (" + ", ".join(f"{n} {k}" for k, n in kinds.items()) + ")"
    out["fragmented_files"] = str(categories["import_path_fragmentation"]["kinds"].get("files", 0))
    deprecated = Counter(categories["deprecated_usage"]["kinds"])
    files = len({loc["path"] for loc in categories["deprecated_usage"]["locations"]})
    out["deprecated_usage"] += f" in {files} files ({deprecated['imports']} imports, "
    out["deprecated_usage"] += f"{deprecated['factory_calls']} factory calls)"
    return out


def main(snapshots: list[str]) -> None:
    paths = [Path(s) for s in snapshots]
    columns = [figures(audit(path)) for path in paths]
    print("| what | the seeds say | " + " | ".join(p.name for p in paths) + " |")
    print("|---|---|" + "---|" * len(paths))
    for key, what in ROWS:
        claim = "{} ({})".format(*CLAIMS[key]) if key in CLAIMS else ""
        print(f"| {what} | {claim} | " + " | ".join(c.get(key, "") for c in columns) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
