"""`ssot sync-ruff`: the policy's import bans as ruff `flake8-tidy-imports.banned-api` (TID251).

Ownership: an entry is ours when its `msg` starts with `[ssot] `. The marker lives in the value,
so it survives reordering, reformatting and any TOML tool (a comment would not); ruff shows it,
so a developer sees where a ban comes from. Entries without it are the user's and are never
touched; when the user has an entry for one of our names, theirs wins (and we say so).

The file is edited with tomlkit, one change at a time, and the result is re-read with tomllib
and compared with what the change should produce: a layout tomlkit cannot edit safely is
refused (exit 2) instead of written.
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ssot_flake8.policy.config import load_policy, tomllib
from ssot_flake8.policy.model import Policy
from ssot_flake8.rules.calls import BY_KIND
from ssot_flake8.services.options import UsageError, add_config_option, shown
from ssot_flake8.support.atomic_write import write_atomic

OWNED = "[ssot] "
RUFF_TOML_NAMES = (".ruff.toml", "ruff.toml")  # ruff prefers these to pyproject.toml


@dataclass(frozen=True)
class Change:
    action: str  # "add", "update" or "remove"
    key: str
    msg: str = ""

    def text(self) -> str:
        sign = {"add": "+", "update": "~", "remove": "-"}[self.action]
        return f"  {sign} {self.key}" + (f": {self.msg}" if self.msg else "")


def add_parser(verbs) -> None:
    parser = verbs.add_parser(
        "sync-ruff", help="write the policy's import bans into ruff's banned-api (TID251)"
    )
    add_config_option(parser)
    parser.add_argument(
        "--pyproject",
        help="the ruff configuration to update (default: .ruff.toml, ruff.toml or pyproject.toml "
        "next to the policy)",
    )
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 when the file is out of sync"
    )
    parser.set_defaults(handler=run_sync_ruff)


def run_sync_ruff(args: argparse.Namespace) -> int:
    policy = load_policy(args.config)
    path = Path(args.pyproject) if args.pyproject else shown(default_ruff_config(policy))
    old_text = read_text(path)
    bans = banned_api(policy)
    new_text, table, changes, kept = sync_text(old_text, bans, is_ruff_toml(path), str(path))
    for key in kept:
        print(f"ssot sync-ruff: note: {path}: keeping your own entry for {key} "
              f"(its msg does not start with {OWNED.strip()})", file=sys.stderr)
    if new_text == old_text:
        print(f"{path}: [{'.'.join(table)}] is in sync with the policy ({len(bans)} bans)")
        return 0
    print(f"{path}: [{'.'.join(table)}]")
    for change in changes:
        print(change.text())
    if args.check:
        print(f"{path} is out of sync with the policy; run `ssot sync-ruff`")
        return 1
    try:
        write_atomic(path, new_text)
    except OSError as error:
        raise UsageError(f"{path}: cannot write: {error.strerror or error}") from None
    counts = {action: sum(c.action == action for c in changes) for action in ("add", "update", "remove")}
    print(f"{path}: {counts['add']} added, {counts['update']} updated, {counts['remove']} removed")
    return 0


# -- what to ban ---------------------------------------------------------------------------------


def banned_api(policy: Policy) -> dict[str, str]:
    """ruff banned-api entries (name -> msg) for the policy; the msg names the replacement."""
    bans: dict[str, str] = {}
    for module, deprecated in policy.deprecated.items():
        instead = f"use {deprecated.replacement}" if deprecated.replacement else "remove this import"
        bans[module] = f"{OWNED}SOT002 deprecated module; {instead}"
    for qualname, call in policy.banned.items():
        kind = "singleton accessor" if call.kind == "singleton" else "deprecated factory"
        bans[qualname] = f"{OWNED}{BY_KIND[call.kind].code} {kind}; {call.instead}"
    for qualname, symbol in policy.names.items():
        if qualname != symbol.qualname:
            bans[qualname] = f"{OWNED}SOT001 not the canonical path; use `{symbol.import_line}`"
    return dict(sorted(bans.items()))


# -- where -----------------------------------------------------------------------------------------


def default_ruff_config(policy: Policy) -> Path:
    directory = policy.config_path.parent
    for name in RUFF_TOML_NAMES:
        if (directory / name).is_file():
            return directory / name
    return directory / "pyproject.toml"


def is_ruff_toml(path: Path) -> bool:
    return path.name in RUFF_TOML_NAMES


def read_text(path: Path) -> str:
    if not path.exists():
        return ""
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot read: {error}") from None


def table_path(data: Mapping, ruff_toml: bool) -> tuple[str, ...]:
    """Where ruff reads banned-api. A project still on the deprecated top-level section keeps it:
    ruff ignores that section entirely once `lint.flake8-tidy-imports` exists."""
    prefix = () if ruff_toml else ("tool", "ruff")
    lint = (*prefix, "lint", "flake8-tidy-imports")
    legacy = (*prefix, "flake8-tidy-imports")
    if _get(data, lint) is None and _get(data, legacy) is not None:
        return (*legacy, "banned-api")
    return (*lint, "banned-api")


def _get(data: Mapping, path: tuple[str, ...]):
    node = data
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


# -- editing -------------------------------------------------------------------------------------


def sync_text(
    text: str, bans: dict[str, str], ruff_toml: bool = False, where: str = "pyproject.toml"
) -> tuple[str, tuple[str, ...], list[Change], list[str]]:
    """The file's new text, the table edited, the changes, and the user's keys that shadow ours."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{where}: not valid TOML: {error}") from None
    table = table_path(data, ruff_toml)
    current = _get(data, table)
    if current is not None and not isinstance(current, Mapping):
        raise UsageError(f"{where}: {'.'.join(table)} is not a table")
    current = current or {}
    changes = plan(current, bans)
    kept = [key for key in bans if key in current and not _owned(current[key])]
    if not changes:
        return text, table, changes, kept
    new_text = _apply(text, table, changes, where)
    _verify(text, new_text, table, bans, where)
    return new_text, table, changes, kept


def plan(current: Mapping, bans: dict[str, str]) -> list[Change]:
    changes = []
    for key, value in current.items():
        if not _owned(value):
            continue
        if key not in bans:
            changes.append(Change("remove", key))
        elif value["msg"] != bans[key]:
            changes.append(Change("update", key, bans[key]))
    changes += [Change("add", key, msg) for key, msg in bans.items() if key not in current]
    return changes


def _owned(value) -> bool:
    msg = value.get("msg") if isinstance(value, Mapping) else None
    return isinstance(msg, str) and msg.startswith(OWNED)


def _apply(text: str, table: tuple[str, ...], changes: list[Change], where: str) -> str:
    """Removals one per fresh parse (tomlkit's out-of-order tables break on repeated deletes),
    then the rest in one parse: tomlkit inserts each dotted key after the first of its table,
    so one by one would reverse them. In an inline table one by one keeps `, ` spacing."""
    import tomlkit  # here, not at the top: every `ssot` run imports this module
    from tomlkit.items import InlineTable

    removals = [[c] for c in changes if c.action == "remove"]
    others = [c for c in changes if c.action != "remove"]
    inline = isinstance(_get(tomlkit.parse(text), table), InlineTable)
    for batch in (*removals, *([[c] for c in others] if inline else [others])):
        if batch:
            text = _apply_batch(text, table, batch, where)
    return text


def _apply_batch(text: str, table: tuple[str, ...], changes: list[Change], where: str) -> str:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        document = tomlkit.parse(text)
        container = _ensure_table(document, table)
        for change in changes:
            if change.action == "remove":
                del container[change.key]
            elif change.action == "update":
                container[change.key]["msg"] = change.msg
            else:
                entry = tomlkit.inline_table()
                entry["msg"] = change.msg
                container[change.key] = entry
        return tomlkit.dumps(document)
    except (TOMLKitError, KeyError, IndexError, TypeError) as error:
        raise UsageError(_layout_error(where, table, f"tomlkit: {error}")) from None


def _ensure_table(document, table: tuple[str, ...]):
    import tomlkit

    node = document
    for depth, key in enumerate(table):
        if key not in node:
            node[key] = tomlkit.table(is_super_table=depth < len(table) - 1)
        node = node[key]
    return node


def _verify(
    old_text: str, new_text: str, table: tuple[str, ...], bans: dict[str, str], where: str
) -> None:
    """The edit changed our entries and nothing else, whatever the layout."""
    expected = copy.deepcopy(tomllib.loads(old_text))
    node = expected
    for key in table:
        node = node.setdefault(key, {})
    for key in [k for k, value in node.items() if _owned(value)]:
        del node[key]
    for key, msg in bans.items():
        node.setdefault(key, {"msg": msg})  # the user's own entry for a name wins
    try:
        actual = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError as error:
        raise UsageError(_layout_error(where, table, str(error))) from None
    if _pruned(actual, table) != _pruned(expected, table):
        raise UsageError(_layout_error(where, table, "the edit would change other settings"))


def _pruned(data: dict, table: tuple[str, ...]) -> dict:
    """`data` without the empty tables along our path: removing the last dotted entry
    (`flake8-tidy-imports.banned-api."x".msg`) removes the tables it implied, which ruff reads the same."""
    data = copy.deepcopy(data)
    for depth in range(len(table), 0, -1):
        parent = _get(data, table[: depth - 1])
        if isinstance(parent, dict) and parent.get(table[depth - 1]) == {}:
            del parent[table[depth - 1]]
    return data


def _layout_error(where: str, table: tuple[str, ...], detail: str) -> str:
    return (f"{where}: cannot update [{'.'.join(table)}] in this file's layout safely ({detail}); "
            f"nothing was written")
