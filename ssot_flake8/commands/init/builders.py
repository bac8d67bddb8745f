"""Singleton getters and factories: functions that return a new instance of a registered class."""

from __future__ import annotations

from dataclasses import dataclass

from ssot_flake8.commands.init.groups import Group
from ssot_flake8.commands.init.names import Index
from ssot_flake8.commands.init.summary import Function


@dataclass(frozen=True)
class Builder:
    qualname: str
    kind: str  # "singleton" or "factory"
    how: str  # what makes it one, for the report
    group: int  # index of the group it builds in the list of groups


def find_builders(index: Index, groups: list[Group]) -> dict[str, Builder]:
    """Getters and factories returning a new instance of a registered class (from their `return`
    statements, else from their return annotation); repeated until no new one appears, so
    `create_x_async()` returning `create_x()` is found too. Test code is never a builder."""
    group_of = {d: number for number, g in enumerate(groups) for d in g.members}
    functions = [(m, f) for m in index.modules.values() if not m.is_test for f in m.builders
                 if not f.name.startswith("_")]  # a private helper is no API to ban
    builders: dict[str, Builder] = {}
    while True:
        found = len(builders)
        for module, function in functions:
            qualname = ".".join(filter(None, (module.name, function.owner, function.name)))
            if qualname not in builders:
                builder = _judge(index, module, function, qualname, group_of, builders)
                if builder:
                    builders[qualname] = builder
        if len(builders) == found:
            return _collapse_factory_classes(builders)


def _judge(index, module, function: Function, qualname, group_of, builders) -> Builder | None:
    def builds(callee: str) -> int | None:
        first, dot, rest = callee.partition(".")
        if first in function.local_imports:  # `from m import f` inside the function
            callee = function.local_imports[first] + dot + rest
            return _built(index, module, callee, function.owner, group_of, builders, absolute=True)
        return _built(index, module, callee, function.owner, group_of, builders)

    group = next((g for g in map(builds, function.returns) if g is not None), None)
    annotated = function.annotation and (function.owner is None or function.owner.endswith("Factory"))
    if group is None and annotated:
        group = builds(function.annotation)
        group = group if group is not None and function.factory_shaped else None
    if group is None:
        return None
    caches = function.global_caches.items()
    cache = next((name for name, callee in caches if builds(callee) is not None), None)
    if cache:
        return Builder(qualname, "singleton", f"`global {cache}` cache", group)
    if function.cached:
        return Builder(qualname, "singleton", "cached getter", group)
    if function.owner is None and function.name.startswith("get_"):
        return Builder(qualname, "singleton", "`get_` accessor", group)
    if function.factory_shaped:
        factory_method = function.owner is not None and function.owner.endswith("Factory")
        how = "method of a factory class" if factory_method else "factory"
        return Builder(qualname, "factory", how, group)
    return None


def _built(index, module, callee: str, owner, group_of, builders, absolute=False) -> int | None:
    """The group whose instance a call of `callee` returns: a member, `cls` in a member, or a
    builder (also an attribute of a builder class reached through an import)."""
    if callee == "cls" and owner:
        return group_of.get(f"{module.name}.{owner}")
    qualname = callee if absolute else index.dotted(module, callee)
    if not qualname:
        return None
    definition = index.definition(qualname)
    if definition in group_of:
        return group_of[definition]
    reached = index.follow(qualname, stop=builders.__contains__)
    if reached in builders:
        return builders[reached].group
    parent, _, attribute = qualname.rpartition(".")
    owner_class = index.follow(parent, stop=lambda q: f"{q}.{attribute}" in builders)
    found = builders.get(f"{owner_class}.{attribute}") if owner_class else None
    return found.group if found else None


def _collapse_factory_classes(builders: dict[str, Builder]) -> dict[str, Builder]:
    """Methods of a `...Factory` class become one ban of the class (its attributes are banned too)."""
    result: dict[str, Builder] = {}
    for builder in builders.values():
        if builder.how == "method of a factory class":
            owner = builder.qualname.rpartition(".")[0]
            result[owner] = Builder(owner, "factory", "factory class", builder.group)
        else:
            result[builder.qualname] = builder
    return dict(sorted(result.items()))


