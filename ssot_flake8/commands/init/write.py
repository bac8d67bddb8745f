"""Writing the starter policy into an INI (`.importlinter`, `setup.cfg`) or `pyproject.toml`
config: added when the file has no import-linter configuration, or (with --force) our contracts
replaced in place by id and the `ssot` contract type registered; every other byte is kept."""

from __future__ import annotations

import re
from pathlib import Path

from ssot_flake8.commands.init.layering import BoundaryContract
from ssot_flake8.commands.init.proposal import Proposal
from ssot_flake8.policy.model import CONTRACT_CLASS
from ssot_flake8.services.options import UsageError

SECTION = re.compile(r"^\[([^\]\n]+)\][ \t]*$", re.M)
HEADER = (
    "Starter SSOT policy written by `ssot init`: review every entry before adopting it",
    "(docs/policy-format.md describes the fields; each entry's comment gives its evidence).",
)


def contract_name(proposal: Proposal) -> str:
    names = [g.name for g in proposal.groups]
    if len(names) > 3:
        more = f"{len(names) - 1} more symbols of {proposal.package}"
        return f"{names[0]} and {more} have a single source of truth"
    return f"{', '.join(names)} {'has' if len(names) == 1 else 'have'} a single source of truth"


def _ini_field(name: str, entries: list[tuple[str, str]]) -> list[str]:
    lines = [f"{name} ="]
    for value, comment in entries:
        if comment:
            lines.append(f"    # {comment}")
        lines.append(f"    {value}")
    return lines


def render_ini(proposal: Proposal, alias: str = "ssot") -> str:
    """The ssot contract section (the `[importlinter]` session is rendered by render_ini_session)."""
    lines = [
        f"[importlinter:contract:{proposal.contract_id}]",
        f"name = {contract_name(proposal)}",
        f"type = {alias}",
    ]
    for name, entries in proposal.entries().items():
        if entries:
            lines += _ini_field(name, entries)
    return "\n".join(lines) + "\n"


def render_boundary_ini(contract: BoundaryContract) -> str:
    lines = [
        f"[importlinter:contract:{contract.id}]",
        f"# Read from today's import graph of {contract.container}: each layer may import the layers",
        "# below it, never those above; `|` marks independent siblings, `:` modules that import each",
        "# other today; `(name)`: optional, so deleting a module keeps the contract loading.",
        f"name = {contract.name}",
        "type = layers",
        "containers =",
        f"    {contract.container}",
    ]
    if contract.unplaced:
        unplaced = ", ".join(m.rpartition(".")[2] for m in contract.unplaced)
        lines.insert(4, f"# Not placed (proposed as deprecated, or tests): {unplaced}.")
    lines += _ini_field("layers", contract.layer_lines())
    if contract.ignore_imports:
        lines += [
            "# Today's breaks, recorded so the contract is kept from day one: remove an entry when its",
            "# import is gone (lint-imports fails on an entry that matches nothing).",
            "ignore_imports =",
        ]
        lines += [f"    {importer} -> {imported}" for importer, imported in contract.ignore_imports]
    return "\n".join(lines) + "\n"


def render_ini_session(proposal: Proposal) -> str:
    return (
        "".join(f"# {line}\n" for line in HEADER)
        + "[importlinter]\n"
        f"root_package = {proposal.root_package}\n"
        "contract_types =\n"
        f"    ssot: {CONTRACT_CLASS}\n"
    )


def _sections(proposal: Proposal, alias: str) -> list[tuple[str, str]]:
    """(contract id, section text) of every contract init writes, the ssot one first."""
    found = [(proposal.contract_id, render_ini(proposal, alias))]
    return found + [(c.id, render_boundary_ini(c)) for c in proposal.boundaries]


def write_ini(text: str, proposal: Proposal, force: bool, path: Path) -> str:
    """`text` with the policy added: appended when the file has no `[importlinter]` section, or
    (with --force) each contract section replaced (or added) and the contract type registered."""
    sections = {m.group(1).strip(): m for m in SECTION.finditer(text)}
    if "importlinter" not in sections:
        separator = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
        body = "\n".join(section for _, section in _sections(proposal, "ssot"))
        return text + separator + render_ini_session(proposal) + "\n" + body
    if not force:
        raise UsageError(f"{path} already holds an import-linter configuration; "
                         f"re-run with --force to add the ssot contract to it")
    text, alias = _register_ini(text, sections["importlinter"], path, proposal)
    for contract_id, section in _sections(proposal, alias):
        text = _replace_section(text, contract_id, section)
    return text


def _replace_section(text: str, contract_id: str, section: str) -> str:
    matches = {m.group(1).strip(): m for m in SECTION.finditer(text)}
    ours = matches.get(f"importlinter:contract:{contract_id}")
    if ours is None:
        return text + ("" if text.endswith("\n") else "\n") + "\n" + section
    start = ours.start()
    following = [m.start() for m in SECTION.finditer(text) if m.start() > ours.start()]
    end = following[0] if following else len(text)
    lines = text[ours.start():end].splitlines(keepends=True)
    # Keep the blank lines and comments after the section's last value: they introduce what follows.
    last = max(i for i, line in enumerate(lines) if line.strip() and line.lstrip()[0] not in "#;")
    return text[:start] + section + "".join(lines[last + 1:]) + text[end:]


def _register_ini(text: str, header: re.Match, path: Path, proposal: Proposal) -> tuple[str, str]:
    """Make sure `contract_types` registers our contract type; return the text and its alias."""
    following = [m.start() for m in SECTION.finditer(text) if m.start() > header.start()]
    end = following[0] if following else len(text)
    body = text[header.end():end]
    roots = re.search(r"^root_packages?[ \t]*[=:](.*(?:\n[ \t]+.+)*)", body, re.M)
    root_list = roots.group(1).split() if roots else []
    if proposal.root_package not in root_list:
        raise UsageError(f"{path}: [importlinter] root_package is not {proposal.root_package}")
    registered = re.search(rf"^[ \t]*(\w+)[ \t]*:[ \t]*{re.escape(CONTRACT_CLASS)}[ \t]*$", body, re.M)
    if registered:
        return text, registered.group(1)
    entry = f"    ssot: {CONTRACT_CLASS}\n"
    key = re.search(r"^contract_types[ \t]*[=:].*\n(?:[ \t]+.+\n)*", body, re.M)
    if key:
        at = header.end() + key.end()
        return text[:at] + entry + text[at:], "ssot"
    at = header.end() + 1
    return text[:at] + "contract_types =\n" + entry + text[at:], "ssot"


def write_toml(text: str, proposal: Proposal, force: bool, path: Path) -> str:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        document = tomlkit.parse(text)
    except TOMLKitError as error:
        raise UsageError(f"{path}: not valid TOML: {error}") from None
    tool = document.setdefault("tool", tomlkit.table(is_super_table=True))
    existing = tool.get("importlinter")
    contracts = [_toml_ssot(proposal)] + [_toml_boundary(c) for c in proposal.boundaries]
    if existing is None:
        session = tomlkit.table()
        for line in HEADER:
            session.add(tomlkit.comment(line))
        session["root_package"] = proposal.root_package
        session["contract_types"] = [f"ssot: {CONTRACT_CLASS}"]
        session.add(tomlkit.nl())
        session["contracts"] = tomlkit.aot()
        for contract in contracts:
            session["contracts"].append(contract)
        tool["importlinter"] = session
        return tomlkit.dumps(document)
    if not force:
        raise UsageError(f"{path} already holds [tool.importlinter]; "
                         f"re-run with --force to add the ssot contract to it")
    return _merge_toml(document, existing, contracts, proposal, path)


def _toml_ssot(proposal: Proposal):
    import tomlkit

    contract = tomlkit.table()
    contract["id"] = proposal.contract_id
    contract["name"] = contract_name(proposal)
    contract["type"] = "ssot"
    for name, entries in proposal.entries().items():
        if entries:
            contract[name] = _multiline(entries)
    return contract


def _toml_boundary(boundary: BoundaryContract):
    import tomlkit

    contract = tomlkit.table()
    contract["id"] = boundary.id
    contract["name"] = boundary.name
    contract["type"] = "layers"
    contract["containers"] = [boundary.container]
    contract["layers"] = _multiline(boundary.layer_lines())
    if boundary.ignore_imports:
        contract["ignore_imports"] = _multiline([(f"{a} -> {b}", "") for a, b in boundary.ignore_imports])
    return contract


def _merge_toml(document, session, new_contracts, proposal: Proposal, path: Path) -> str:
    import tomlkit

    roots = session.get("root_packages") or [session.get("root_package")]
    if proposal.root_package not in roots:
        raise UsageError(f"{path}: [tool.importlinter] root_package is not {proposal.root_package}")
    types = session.setdefault("contract_types", [])
    alias = next((t.partition(":")[0].strip() for t in types if t.partition(":")[2].strip()
                  == CONTRACT_CLASS), None)
    if alias is None:
        types.append(f"ssot: {CONTRACT_CLASS}")
        alias = "ssot"
    new_contracts[0]["type"] = alias
    contracts = session.setdefault("contracts", tomlkit.aot())
    for contract in new_contracts:
        for number, item in enumerate(contracts):
            if item.get("id") == contract["id"]:
                contracts[number] = contract
                break
        else:
            contracts.append(contract)
    return tomlkit.dumps(document)


def _multiline(entries: list[tuple[str, str]]):
    import tomlkit

    array = tomlkit.array()
    for value, comment in entries:
        array.add_line(value, comment=comment or None)
    array.add_line(indent="")
    return array
