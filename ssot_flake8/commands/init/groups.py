"""The symbols `ssot init` may register: classes joined by name and through aliases, and the
canonical home of each."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ssot_flake8.commands.init.names import Index
from ssot_flake8.commands.init.summary import CONTEXT_ARGUMENT, LEGACY_WORDS, NOT_REGISTERED


def is_candidate(name: str) -> bool:
    """Classes that can be registered symbols. Exceptions, private and test classes repeat by
    design; `...Factory` classes are banned as factories instead."""
    return NOT_REGISTERED.search(name) is None


@dataclass
class Group:
    """One class: its implementations, the homes that publish it, its aliases and re-exports."""

    definitions: list[str]  # module.Class of every public implementation (each one a home)
    aliases: list[str]  # module.Name of every public `Name = <member>` alias (each one a home)
    implementations: list[str] = field(default_factory=list)  # private classes published by an alias
    canonical: str = ""
    imports: dict[str, int] = field(default_factory=dict)  # home -> static imports of it
    reexports: set[str] = field(default_factory=set)
    required_arguments: tuple[str, ...] = ()

    @property
    def members(self) -> list[str]:
        """Every class definition of the group, public or private: what a builder may return."""
        return [*self.definitions, *self.implementations]

    @property
    def homes(self) -> list[str]:
        return sorted({*self.definitions, *self.aliases})

    @property
    def old_names(self) -> list[str]:
        return sorted({*self.homes, *self.reexports} - {self.canonical})

    @property
    def name(self) -> str:
        return self.canonical.rpartition(".")[2]


def symbol_groups(index: Index, package: str) -> list[Group]:
    """Every class of the (non-test) code, joined through `X = Y` aliases (union-find), and inside
    `package` also with the classes of the same name (outside it a common name such as
    `ValidationResult` is a coincidence, not drift of the package's class). A private class is
    joined through the public aliases that publish it (`WebSocketManager = _Implementation`):
    those aliases are its homes."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    def key(qualname: str) -> str:
        module, _, name = qualname.rpartition(".")
        return name if module == package or module.startswith(package + ".") else qualname

    code = [m for m in index.modules.values() if not m.is_test]
    definitions: dict[str, list[str]] = {}
    for module in code:
        for name in module.classes:
            if is_candidate(name) or (name.startswith("_") and not name.startswith("__")):
                qualname = f"{module.name}.{name}"
                definitions.setdefault(key(qualname), []).append(qualname)
    aliases: dict[str, list[str]] = {}
    for module in code:
        for name in module.aliases:
            alias = f"{module.name}.{name}"
            target = index.definition(alias)
            if target and key(target) in definitions and is_candidate(name) and target != alias:
                parent[find(key(alias))] = find(key(target))
                aliases.setdefault(key(alias), []).append(alias)
    members: dict[str, Group] = {}
    for name in sorted({*definitions, *aliases}):
        group = members.setdefault(find(name), Group([], []))
        for qualname in definitions.get(name, []):
            public = is_candidate(qualname.rpartition(".")[2])
            (group.definitions if public else group.implementations).append(qualname)
        group.aliases += aliases.get(name, [])
    return [group for group in members.values() if group.homes]


def choose_canonical(group: Group, import_counts: Counter) -> None:
    """A home in the module named after the class, then fewer legacy words, then the most static
    imports, then the shortest module path."""
    group.imports = {home: import_counts[home] for home in group.homes}

    def rank(qualname: str):
        module, _, name = qualname.rpartition(".")
        named_after = module.rpartition(".")[2].replace("_", "") == name.lower()
        legacy = sum(word in qualname.lower() for word in LEGACY_WORDS)
        return (not named_after, legacy, -group.imports[qualname], module.count("."), qualname)

    group.canonical = min(group.homes, key=rank)


def required_arguments(group: Group, index: Index) -> tuple[str, ...]:
    definition = index.definition(group.canonical)
    module, name = index.split(definition) if definition else (None, "")
    arguments = module.classes[name] if module else ()
    return tuple(a for a in arguments if CONTEXT_ARGUMENT.match(a))


