"""Where a policy problem is written: the line of a contract's field (or of one of its entries)
in the INI or TOML text, so each error reads `FILE:LINE: contract 'x': field: message`.

configparser and tomllib keep no positions, so the text is scanned the simple way both formats
are written by hand: `[section]` headers, `key = value` at the start of a line, indented (INI)
or bracketed (TOML) continuation lines.
"""

from __future__ import annotations

import re
from pathlib import Path

Lines = list[tuple[int, str]]  # (line number, text) of one field: its key line, then continuations

_WHERE = re.compile(r"^(?:contract '(?P<contract>[^']*)'|\[(?P<session>[^\]]+)\]): (?P<field>[\w-]+):")
_QUOTED = re.compile(r"'([^']+)'")
_INI_SECTION = re.compile(r"^\[(?P<name>[^\]]+)\]")
_INI_KEY = re.compile(r"^(?P<key>[^\s=:#;][^=:]*?)\s*[=:]")
_TOML_HEADER = re.compile(r"^\s*(?P<open>\[\[?)\s*(?P<name>[^\]]+?)\s*\]\]?")
_TOML_KEY = re.compile(r"^\s*(?P<key>[A-Za-z0-9_-]+|\"[^\"]+\")\s*=")


def with_line(path: Path, detail: str, entry: str | None = None) -> str:
    """`path:LINE: detail` when the field `detail` names is found in the file, else `path: detail`."""
    line = locate(path, detail, entry)
    return f"{path}:{line}: {detail}" if line else f"{path}: {detail}"


def in_file_order(problems: list[str]) -> list[str]:
    """`FILE:LINE: ...` problems sorted by line (stable; those without a line last)."""
    def line_of(problem: str) -> int:
        found = re.match(r"^.*?:(\d+): ", problem)
        return int(found[1]) if found else 1 << 30
    return sorted(problems, key=line_of)


def locate(path: Path, detail: str, entry: str | None = None) -> int | None:
    match = _WHERE.match(detail)
    if not match:
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    fields = _toml_fields(text) if path.suffix == ".toml" else _ini_fields(text)
    owner = match["contract"] if match["contract"] is not None else ""
    lines = fields.get((owner, match["field"].lower())) or fields.get((owner, ""))
    if not lines:
        return None
    rest = detail[match.end():]
    hints = [entry] if entry else []
    hints += [q.split(":")[0].split("->")[0].strip() for q in _QUOTED.findall(rest)]
    hints += [word for word in re.findall(r"[\w.]+", rest) if "." in word]
    ordered = lines[1:] + lines[:1]
    for hint in filter(None, hints):
        for number, content in ordered:  # the entry itself, then any line that mentions it
            value = content.split("=", 1)[1] if number == lines[0][0] and "=" in content else content
            value = value.strip().strip('",')
            if value == hint or re.match(re.escape(hint) + r"\s*(:|->|$)", value):
                return number
        for number, content in ordered:
            if hint in content:
                return number
    return lines[0][0]


def _ini_fields(text: str) -> dict[tuple[str, str], Lines]:
    """(contract id, or "" for the [importlinter] session; field) -> its lines."""
    fields: dict[tuple[str, str], Lines] = {}
    owner: str | None = None
    current: Lines | None = None
    for number, line in enumerate(text.splitlines(), 1):
        section = _INI_SECTION.match(line)
        if section:
            name = section["name"].strip()
            owner = "" if name == "importlinter" else (
                name.split(":")[-1] if name.startswith("importlinter:") else None)
            current = None
            if owner is not None:
                fields.setdefault((owner, ""), []).append((number, line))  # the section's header
            continue
        if owner is None or not line.strip() or line.lstrip()[:1] in "#;":
            continue
        if line[:1].isspace():
            if current is not None:
                current.append((number, line))
            continue
        key = _INI_KEY.match(line)
        current = fields.setdefault((owner, key["key"].strip().lower()), []) if key else None
        if current is not None:
            current.append((number, line))
    return fields


def _toml_fields(text: str) -> dict[tuple[str, str], Lines]:
    """The same for `[tool.importlinter]` and its `[[tool.importlinter.contracts]]` (a contract
    is known by its `id`, else by its position, as the reader numbers them)."""
    fields: dict[tuple[str, str], Lines] = {}
    owner: str | None = None
    contracts = -1
    current: Lines | None = None
    for number, line in enumerate(text.splitlines(), 1):
        header = _TOML_HEADER.match(line)
        if header and not _TOML_KEY.match(line):
            name = header["name"].replace(" ", "")
            if name == "tool.importlinter.contracts" and header["open"] == "[[":
                contracts += 1
                owner = str(contracts)
            else:
                owner = "" if name == "tool.importlinter" else None
            current = None
            if owner is not None:
                fields.setdefault((owner, ""), []).append((number, line))  # the table's header
            continue
        if owner is None or not line.strip() or line.lstrip().startswith("#"):
            continue
        key = _TOML_KEY.match(line)
        if key:
            name = key["key"].strip('"')
            if name == "id" and owner not in ("", None):
                value = line.split("=", 1)[1].strip().strip("\"'")
                fields = {(value if o == owner else o, f): v for (o, f), v in fields.items()}
                owner = value
            current = fields.setdefault((owner, name.lower()), [])
            current.append((number, line))
        elif current is not None:
            current.append((number, line))
    return fields
