"""Where names lead across the scanned package: imports, re-exports, star imports, aliases."""

from __future__ import annotations

from ssot_flake8.commands.init.summary import Module

# -- resolving names across the package ------------------------------------------------------------


class Index:
    """Where names lead: through imports, re-exports, star imports and aliases, to definitions."""

    def __init__(self, modules: dict[str, Module]):
        self.modules = modules
        self._exported = {}

    def exported(self, module_name: str) -> set[str]:
        if module_name not in self._exported:
            module = self.modules.get(module_name)
            self._exported[module_name] = module.exported() if module else set()
        return self._exported[module_name]

    def split(self, qualname: str) -> tuple[Module, str] | None:
        module, _, name = qualname.rpartition(".")
        found = self.modules.get(module)
        return (found, name) if found else None

    def local(self, module: Module, name: str) -> str | None:
        """The qualname a module-level name of `module` stands for (None: not a known name)."""
        if name in module.classes or name in module.aliases or name in module.functions:
            return f"{module.name}.{name}"
        if name in module.imports:
            return module.imports[name]
        for star in module.stars:
            if name in self.exported(star):
                return f"{star}.{name}"
        return None

    def dotted(self, module: Module, dotted: str) -> str | None:
        """A dotted name written in `module` (`a.b.C`), as a qualname."""
        first, _, rest = dotted.partition(".")
        base = self.local(module, first)
        return f"{base}.{rest}" if base and rest else base

    def step(self, qualname: str) -> str | None:
        """One hop: an alias or re-export to what it names (None at a definition or unknown name)."""
        found = self.split(qualname)
        if found is None:
            return None
        module, name = found
        if name in module.classes or name in module.functions:
            return None
        if name in module.aliases:
            return self.dotted(module, module.aliases[name])
        target = self.local(module, name)
        return target if target != qualname else None

    def follow(self, qualname: str | None, stop=lambda q: False) -> str | None:
        """Hop until `stop(q)` holds or nothing is left; the last name reached (or None)."""
        seen = set()
        while qualname and not stop(qualname) and qualname not in seen:
            seen.add(qualname)
            following = self.step(qualname)
            if following is None:
                break
            qualname = following
        return qualname

    def definition(self, qualname: str | None) -> str | None:
        """The class definition (module.Class) a qualname finally names, if any."""
        final = self.follow(qualname)
        found = self.split(final) if final else None
        return final if found and found[1] in found[0].classes else None

    def reexports(self) -> dict[str, str]:
        """Every `module.name` that re-exports something -> the qualname it imports: names a package
        `__init__` or an import-only module imports (star imports too), or any module lists in
        `__all__` or imports as `X as X`."""
        found = {}
        for module in self.modules.values():
            reexporting = module.is_package or module.import_only
            names = set(module.imports) | {n for star in module.stars for n in self.exported(star)}
            for local in names:
                if reexporting or local in module.all_names or local in module.explicit:
                    target = self.local(module, local)
                    if target:
                        found[f"{module.name}.{local}"] = target
        return found


