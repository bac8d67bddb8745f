"""The boundary ratchet: today's broken imports recorded in each contract's `ignore_imports`.

On the day a legacy repository adopts its contracts every one of them is broken, so the
`lint-imports` hook would fail every commit. import-linter's own tool for that is
`ignore_imports`; `ssot baseline` writes it instead of a human. Each broken contract is checked by
import-linter's own contract class on the graph `lint-imports` builds; for every illegal chain the
import that starts it (the chain's first link, and import-linter's "extra firsts") is recorded,
and the contract is checked again until it is kept, since ignoring one import can expose another
route. An entry already listed is kept while it still matches an import; one that matches nothing
any more (the break was fixed) leaves the list, and `unmatched_ignore_imports_alerting = error`
(import-linter's default, written out) makes `lint-imports` fail until it has left. So a new break
fails at once and a fixed one is burned down by the next `ssot baseline`.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ssot_flake8.policy.config import ssot_aliases
from ssot_flake8.policy.model import Policy, as_list

MAX_ROUNDS = 100  # each round ignores at least one more import, or stops
BUILT_IN_TYPES = {
    "forbidden": "importlinter.contracts.forbidden.ForbiddenContract",
    "layers": "importlinter.contracts.layers.LayersContract",
    "independence": "importlinter.contracts.independence.IndependenceContract",
    "protected": "importlinter.contracts.protected.ProtectedContract",
    "acyclic_siblings": "importlinter.contracts.acyclic_siblings.AcyclicSiblingsContract",
}


class RatchetError(Exception):
    """The contracts cannot be checked (one line, exit 2)."""


@dataclass
class ContractBreaks:
    """One boundary contract's recorded imports: what it lists after `ssot baseline`."""

    id: str
    name: str
    kept: list[str] = field(default_factory=list)  # entries already listed, still matching
    added: list[str] = field(default_factory=list)  # today's breaks, new to the list
    dropped: list[str] = field(default_factory=list)  # listed entries that match nothing now

    @property
    def entries(self) -> list[str]:
        return [*self.kept, *sorted(self.added)]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.dropped)


def contract_breaks(policy: Policy, graph) -> list[ContractBreaks]:
    """For each boundary contract of the policy's config: the `ignore_imports` that keep it."""
    from importlinter.configuration import configure

    configure()  # the contracts time their steps with import-linter's settings
    classes = _contract_classes(policy.session)
    ssot_types = _ssot_types(policy)
    session = _as_text(policy.session, skip=("root_package",))
    session["root_packages"] = list(policy.root_packages)  # as import-linter normalizes it
    results = []
    for options in policy.contracts:
        kind = str(options.get("type", ""))
        if kind in ssot_types or kind not in classes:  # ssot drift: the findings file
            continue
        results.append(_breaks_of(classes[kind], options, session, graph))
    return results


def _breaks_of(contract_class, options: dict, session: dict, graph) -> ContractBreaks:
    listed = as_list(options.get("ignore_imports", []))
    result = ContractBreaks(str(options["id"]), str(options.get("name", options["id"])))
    working = copy.deepcopy(graph)
    for entry in listed:  # as import-linter reads them: an entry matching nothing is dropped
        matched = _matching_imports(working, entry)
        (result.kept if matched else result.dropped).append(entry)
        for importer, imported in matched:
            working.remove_import(importer=importer, imported=imported)
    clean = _as_text(options, skip=("id", "ignore_imports"))
    clean["unmatched_ignore_imports_alerting"] = "none"
    for _ in range(MAX_ROUNDS):
        contract = _contract(contract_class, result.name, session, clean)
        check = contract.check(working, verbose=False)
        if check.kept:
            break
        found = {link for link in _first_links(check.metadata) if
                 working.direct_import_exists(importer=link[0], imported=link[1])}
        if not found:
            break  # broken for a reason no import explains (import-linter says which)
        for importer, imported in sorted(found):
            working.remove_import(importer=importer, imported=imported)
            result.added.append(f"{importer} -> {imported}")
    return result


def _as_text(options: dict, skip: tuple[str, ...]) -> dict:
    """Booleans as text, as import-linter's TOML reader gives them to its contracts."""
    return {k: str(v) if isinstance(v, bool) else v for k, v in options.items() if k not in skip}


def _contract(contract_class, name: str, session: dict, options: dict):
    from importlinter.domain.contract import InvalidContractOptions

    try:
        return contract_class(name=name, session_options=session, contract_options=options)
    except InvalidContractOptions as error:
        fields = "; ".join(f"{k}: {v}" for k, v in error.errors.items())
        raise RatchetError(f"contract {name!r}: {fields}") from None


def _matching_imports(graph, entry: str) -> list[tuple[str, str]]:
    """The direct imports an `importer -> imported` expression (wildcards allowed) matches."""
    from importlinter.domain.fields import ImportExpressionField
    from importlinter.domain.helpers import resolve_import_expressions

    found, _ = resolve_import_expressions(graph, [ImportExpressionField().parse(entry)])
    return sorted((i.importer.name, i.imported.name) for i in found)


def _first_links(metadata) -> set[tuple[str, str]]:
    """The imports that start each illegal chain in a contract check's metadata: import-linter's
    chains are lists of `{importer, imported, line_numbers}` links (walked generically, so every
    contract type's metadata shape is covered)."""
    found: set[tuple[str, str]] = set()
    if isinstance(metadata, dict) and "cycles" in metadata:  # the acyclic contract's
        return _cycle_breakers([c for cycles in metadata["cycles"].values() for c in cycles])
    if dataclasses.is_dataclass(metadata) and not isinstance(metadata, type):
        metadata = vars(metadata)  # e.g. the protected contract's BrokenContractMetadata
    if isinstance(metadata, dict):
        for key, value in metadata.items():
            if key == "extra_firsts" and isinstance(value, list):
                found.update(_link(item) for item in value if _link(item))
            else:
                found |= _first_links(value)
    elif isinstance(metadata, (list, tuple)):
        if metadata and all(_link(item) for item in metadata):
            found.add(_link(metadata[0]))
        else:
            for item in metadata:
                found |= _first_links(item)
    return found


def _cycle_breakers(cycles) -> set[tuple[str, str]]:
    """One import per cycle: the one most cycles go through (so few entries break them all)."""
    edges = [[(step.importer, step.imported) for step in cycle.steps] for cycle in cycles]
    counts = Counter(edge for cycle in edges for edge in cycle)
    return {max(cycle, key=lambda edge: (counts[edge], edge)) for cycle in edges}


def _link(item) -> tuple[str, str] | None:
    if isinstance(item, dict) and "line_numbers" in item and {"importer", "imported"} <= set(item):
        return str(item["importer"]), str(item["imported"])
    return None


def _contract_classes(session: dict) -> dict[str, type]:
    """Contract type -> class, import-linter's built-ins and the config's `contract_types`."""
    strings = dict(BUILT_IN_TYPES)
    for entry in as_list(session.get("contract_types", [])):
        alias, _, target = (part.strip() for part in entry.partition(":"))
        strings[alias] = target
    classes = {}
    for alias, target in strings.items():
        module, _, name = target.rpartition(".")
        try:
            classes[alias] = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as error:
            raise RatchetError(f"contract_types: {alias}: cannot load {target}: {error}") from None
    return classes


def _ssot_types(policy: Policy) -> set[str]:
    return ssot_aliases(policy.config_path, policy.session, required=False)


def build_graph(policy: Policy, on_unparsable=None):
    """grimp's graph of the policy's root packages, as `ssot lint-imports` builds it from the
    session options (parsed, never imported, read past files that do not parse, each of which
    `on_unparsable` hears of); RatchetError when no graph can be built."""
    from ssot_flake8.analysis.graph import build_import_graph

    try:
        return build_import_graph(
            policy.root_packages, [str(root) for root in policy.source_roots],
            include_external_packages=_flag(policy.session, "include_external_packages"),
            exclude_type_checking_imports=_flag(policy.session, "exclude_type_checking_imports"),
            on_unparsable=on_unparsable or (lambda problem: None))
    except Exception as error:  # grimp's errors carry no common base class
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise RatchetError(f"grimp could not build the graph of "
                           f"{', '.join(policy.root_packages)}: {first}") from None


def _flag(session: dict, name: str) -> bool:
    return str(session.get(name, "")).strip().lower() in ("true", "1", "yes", "on")


def has_boundary_contracts(policy: Policy) -> bool:
    ssot = _ssot_types(policy)
    return any(str(c.get("type", "")) not in ssot for c in policy.contracts)

# -- writing the lists back, keeping the rest of the file -------------------------------------

RECORDED = "ignore_imports"
ALERTING = "unmatched_ignore_imports_alerting"


def breaks_edits(breaks: list[ContractBreaks]) -> dict[str, list[Edit]]:
    """The config edits that record the changed contracts' `ignore_imports`."""
    return {b.id: [Edit(RECORDED, b.entries or None), Edit(ALERTING, "error", only_if_absent=True)]
            for b in breaks if b.changed}


def ssot_contracts(policy: Policy) -> list[dict]:
    ssot = _ssot_types(policy)
    return [c for c in policy.contracts if str(c.get("type", "")) in ssot]


@dataclass(frozen=True)
class Edit:
    option: str
    value: str | list[str] | None  # None: remove the option; a list: one entry per line
    only_if_absent: bool = False


def edit_config(config: Path, edits: dict[str, list[Edit]]) -> bool:
    """Apply option edits to contracts (by id) of an import-linter config file: INI through
    configupdater, pyproject.toml through tomlkit, so comments and layout are kept; atomic, and
    the file is not rewritten when nothing changes. Returns whether it was."""
    from ssot_flake8.support.atomic_write import write_atomic

    if not edits:
        return False
    text = config.read_text(encoding="utf-8")
    updated = (_edit_toml if config.suffix == ".toml" else _edit_ini)(text, edits)
    if updated != text:
        write_atomic(config, updated)
    return updated != text


def _edit_ini(text: str, edits: dict[str, list[Edit]]) -> str:
    from configupdater import ConfigUpdater, Option

    updater = ConfigUpdater()
    updater.read_string(text)
    for contract, changes in edits.items():
        section = updater[f"importlinter:contract:{contract}"]
        for edit in changes:
            present = edit.option in section
            if edit.value is None:
                if present:
                    section.remove_option(edit.option)
            elif not (present and edit.only_if_absent):
                if not present:  # after the last option, before the comments opening the next section
                    last = [b for b in section.iter_blocks() if isinstance(b, Option)][-1]
                    last.add_after.option(edit.option, "")
                if isinstance(edit.value, list):
                    section[edit.option].set_values(edit.value)
                else:
                    section[edit.option].value = edit.value
    return str(updater)


def _edit_toml(text: str, edits: dict[str, list[Edit]]) -> str:
    import tomlkit

    document = tomlkit.parse(text)
    contracts = {str(c.get("id") or number): c  # the ids policy.config gives them
                 for number, c in enumerate(document["tool"]["importlinter"]["contracts"])}
    for contract, changes in edits.items():
        table = contracts[contract]
        for edit in changes:
            if edit.value is None:
                table.pop(edit.option, None)
            elif not (edit.option in table and edit.only_if_absent):
                value = edit.value
                if isinstance(value, list):
                    value = tomlkit.array()
                    value.extend(edit.value)
                    value.multiline(True)
                _set_before_trailing(table, edit.option, value)
    return tomlkit.dumps(document)


def _set_before_trailing(table, key: str, value) -> None:
    """Set a key; a new one goes after the table's last key, before the blank lines and comments
    that tomlkit keeps at its end (they introduce the next table)."""
    if key in table:
        table[key] = value
        return
    body = table.value.body
    trailing = []
    while body and body[-1][0] is None:
        trailing.insert(0, body.pop())
    table[key] = value
    body.extend(trailing)
