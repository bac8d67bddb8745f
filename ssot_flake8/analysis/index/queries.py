"""The index over a tree: origins of names, what a module offers, re-export chains."""

from __future__ import annotations

import hashlib
from collections import defaultdict

from ssot_flake8.analysis.index.cache import _Cache
from ssot_flake8.analysis.index.record import DEFINED, MODULE_DUNDERS, ModuleInfo, _did_you_mean
from ssot_flake8.policy.model import Policy

# -- the index over a tree -----------------------------------------------------------------------


class ModuleIndex:
    """The modules of a tree and the name resolution across them."""

    def __init__(self, modules: dict[str, ModuleInfo], roots: tuple[str, ...]) -> None:
        self.modules = modules
        self.roots = roots
        self.children: dict[str, set[str]] = defaultdict(set)
        for name in modules:
            parent, _, child = name.rpartition(".")
            if parent:
                self.children[parent].add(child)
        self._origins: dict[tuple[str, str], frozenset[str]] = {}
        self.found: set[str] = set()  # the qualified names `expand` added to a policy
        self.digest = ""  # of every module's record
        # The questions one file asked about other modules (while `asked` is a set): its findings
        # hold as long as the answers do (the check cache keys on them; see `answers`).
        self.asked: set[tuple[str, str]] | None = None
        self._answers: dict[tuple[str, str], str] = {}
        self._offers: dict[str, tuple | None] = {}  # module -> _module_answer
        self.cache: _Cache | None = None
        self._exports: dict[str, frozenset[str] | None] = {}
        self._stale: dict[tuple[str, str | None], tuple[str, str] | None] = {}
        self._through: tuple[dict[str, set[str]], dict[str, set[str]]] | None = None

    # -- what a module offers (stale imports) ------------------------------------------------------
    def in_roots(self, module: str) -> bool:
        return any(module == root or module.startswith(root + ".") for root in self.roots)

    def offered(self, module: str) -> set[str] | None:
        """Every name `from module import <name>` can get, or None when that cannot be known."""
        info = self.modules.get(module)
        if info is None or not info.judgeable:
            return None
        names = set(info.bindings) | self.children.get(module, set()) | MODULE_DUNDERS
        for star in info.stars:
            exported = self.star_exports(star)
            if exported is None:
                return None
            names |= exported
        return names

    # -- what a file's findings depend on in other modules (the check cache) -------------------------
    def layout_digest(self) -> str:
        """What every file may depend on: which modules exist (and are judgeable) and the names
        `expand` added. Anything else a file learns of other modules goes through `stale` or
        `star_exports`, whose answers the check cache records per file (`answers`)."""
        layout = sorted((name, info.judgeable) for name, info in self.modules.items())
        return hashlib.blake2b(repr((layout, sorted(self.found))).encode(),
                               digest_size=16).hexdigest()

    def answers(self, asked) -> str:
        """A digest of the current answers to the questions a file asked (`asked` entries)."""
        saved, self.asked = self.asked, None
        try:
            given = "".join(self._answer_digest(module, question)
                            for module, question in sorted(asked))
        finally:
            self.asked = saved
        return hashlib.blake2b(given.encode(), digest_size=16).hexdigest()

    def _answer_digest(self, module: str, question: str) -> str:
        key = (module, question)
        digest = self._answers.get(key)
        if digest is None:  # every file of a tree asks about the same few modules
            answer = repr((module, question, self._answer(module, question)))
            digest = self._answers[key] = hashlib.blake2b(answer.encode(),
                                                          digest_size=8).hexdigest()
        return digest

    def _answer(self, module: str, question: str):
        """What `_judge` (or `star_exports`) decides from, not its verdict: the did-you-mean hint
        is a function of these, and costs a fuzzy match per stale import."""
        if question == "*":
            exported = self.star_exports(module)
            return None if exported is None else sorted(exported)
        if question.startswith("t"):
            return self._importers_of(module, question[1:])
        about = self._module_answer(module)
        if about is None or about[0] == "missing":
            return about
        name = question[1:] if question else None
        if name is None or name in about[1]:
            return None
        return "absent", name, about[2]

    def _module_answer(self, module: str):
        """None (nothing judged), ("missing", first missing, its siblings), or ("offers",
        names, a digest of the names): what every stale question about `module` depends on."""
        if module not in self._offers:
            answer = None
            if self.in_roots(module):
                missing = self.missing_module(module)
                offered = None if missing else self.offered(module)
                if missing:
                    answer = "missing", missing, self.sibling_modules(missing)
                elif offered is not None:
                    digest = hashlib.blake2b(repr(sorted(offered)).encode(), digest_size=8)
                    answer = "offers", offered, digest.hexdigest()
            self._offers[module] = answer
        return self._offers[module]

    # -- who imports through a module (re-export shims) -------------------------------------------
    def importers(self, module: str, name: str) -> tuple[str, ...]:
        """The other modules of the tree whose top level imports `name` from `module`
        (`from module import name [as x]`, or a star import that brings it), sorted: what makes
        `module` a compatibility shim for that name. Imports inside functions are not indexed."""
        if self.asked is not None:
            self.asked.add((module, "t" + name))
        return self._importers_of(module, name)

    def _importers_of(self, module: str, name: str) -> tuple[str, ...]:
        if self._through is None:  # built once, on the first question
            through: dict[str, set[str]] = defaultdict(set)
            starring: dict[str, set[str]] = defaultdict(set)
            for importer, info in self.modules.items():
                for targets in info.bindings.values():
                    for target in targets:
                        if target.startswith(">"):
                            through[target[1:]].add(importer)
                for star in info.stars:
                    starring[star].add(importer)
            self._through = through, starring
        through, starring = self._through
        found = set(through.get(f"{module}.{name}", ()))
        if module in starring:
            exported = self.exports(module)
            if exported is None or name in exported:
                found |= starring[module]
        found.discard(module)
        return tuple(sorted(found))

    # -- star imports --------------------------------------------------------------------------------
    def star_exports(self, module: str) -> frozenset[str] | None:
        if self.asked is not None:
            self.asked.add((module, "*"))
        try:
            return self.exports(module)
        except RecursionError:
            return None  # unknown: nothing is judged stale because of it

    def exports(self, module: str, stack: frozenset[str] = frozenset()) -> frozenset[str] | None:
        """The names `from module import *` brings (None: unknown, e.g. outside the tree)."""
        if module in self._exports:
            return self._exports[module]
        info = self.modules.get(module)
        if info is None or not info.judgeable:
            return None
        if info.all is not None:
            result: frozenset[str] | None = frozenset(info.all)
        elif module in stack:
            return frozenset()  # a star cycle: the names come from the other modules of the cycle
        else:
            names = {n for n in info.bindings if not n.startswith("_")}
            for star in info.stars:
                exported = self.exports(star, stack | {module})
                if exported is None:
                    names = None
                    break
                names |= exported
            result = None if names is None else frozenset(names)
        if not stack:  # results computed inside a cycle may be partial: keep only complete ones
            self._exports[module] = result
        return result

    def stale(self, module: str, name: str | None) -> tuple[str, str] | None:
        """(problem, did-you-mean hint) when `from module import name` (or `import module`, with
        name None) asks the tree for something it does not have; None when fine or unknowable."""
        if self.asked is not None:  # "s" + name, or "" for `import module`
            self.asked.add((module, "" if name is None else "s" + name))
        key = (module, name)
        if key not in self._stale:  # every file of a tree asks about the same few modules
            self._stale[key] = self._judge(module, name)
        return self._stale[key]

    def _judge(self, module: str, name: str | None) -> tuple[str, str] | None:
        if not self.in_roots(module):
            return None
        missing = self.missing_module(module)
        if missing:
            hint = _did_you_mean(missing.rpartition(".")[2], self.sibling_modules(missing), full=True)
            return f"module {missing} does not exist", hint
        offered = self.offered(module)
        if name is None or offered is None or name in offered:
            return None
        hint = _did_you_mean(name, offered - MODULE_DUNDERS)
        return f"{module} neither defines, imports nor re-exports {name}", hint

    def missing_module(self, module: str) -> str | None:
        """The first missing package or module on the way to `module` (under a root package)."""
        parts = module.split(".")
        for end in range(1, len(parts) + 1):
            prefix = ".".join(parts[:end])
            if self.in_roots(prefix) and prefix not in self.modules:
                parent = self.modules.get(prefix.rpartition(".")[0])
                if parent is not None and not parent.judgeable:
                    return None  # a compiled or dynamic parent may provide it
                return prefix
        return None

    def sibling_modules(self, module: str) -> list[str]:
        parent = module.rpartition(".")[0]
        return sorted(f"{parent}.{child}" if parent else child for child in self.children.get(parent, ()))

    # -- origins -------------------------------------------------------------------------------------
    def origins(self, module: str, name: str) -> frozenset[str]:
        """The qualified names of the definitions `module.name` may finally denote."""
        try:
            return self._origins_of(module, name, set())[0]
        except RecursionError:  # a re-export chain longer than Python's stack: left unresolved
            return frozenset()

    def resolve(self, qualname: str) -> frozenset[str]:
        try:
            return self._resolve(qualname, set())[0]
        except RecursionError:
            return frozenset()

    def _origins_of(self, module: str, name: str, stack: set) -> tuple[frozenset[str], bool]:
        key = (module, name)
        if key in self._origins:
            return self._origins[key], False
        info = self.modules.get(module)
        if info is None:
            return frozenset({f"{module}.{name}"}), False  # outside the tree: its own origin
        if key in stack:
            return frozenset(), True
        stack.add(key)
        found, cut = self._follow(module, name, info, stack)
        stack.discard(key)
        if not cut:  # a result cut short by a cycle is only complete at the cycle's entry
            self._origins[key] = found
        return found, cut

    def _follow(self, module: str, name: str, info: ModuleInfo, stack: set):
        found: set[str] = set()
        cut = False
        targets = info.bindings.get(name)
        if targets:
            for target in targets:
                if target == DEFINED:
                    found.add(f"{module}.{name}")
                    continue
                if target.startswith(">"):
                    origins, was_cut = self._resolve(target[1:], stack)
                else:
                    origins, was_cut = self._resolve_local(module, target[1:], stack)
                found |= origins
                cut = cut or was_cut
        elif f"{module}.{name}" in self.modules:
            found.add(f"{module}.{name}")  # a submodule
        else:
            for star in info.stars:
                exported = self.star_exports(star)
                if exported is None or name in exported:
                    origins, was_cut = self._origins_of(star, name, stack)
                    found |= origins
                    cut = cut or was_cut
        return frozenset(found), cut

    def _resolve_local(self, module: str, dotted: str, stack: set):
        first, _, rest = dotted.partition(".")
        origins, cut = self._origins_of(module, first, stack)
        return self._attributes(origins, rest, stack, cut)

    def _resolve(self, qualname: str, stack: set) -> tuple[frozenset[str], bool]:
        if qualname in self.modules:
            return frozenset({qualname}), False
        module = qualname
        while module and module not in self.modules:
            module = module.rpartition(".")[0]
        if not module:
            return frozenset({qualname}), False  # outside the tree
        first, _, rest = qualname[len(module) + 1:].partition(".")
        origins, cut = self._origins_of(module, first, stack)
        return self._attributes(origins, rest, stack, cut)

    def _attributes(self, origins: frozenset[str], rest: str, stack: set, cut: bool):
        """`origin.rest`: followed further only through modules; a class attribute stays as is."""
        if not rest:
            return origins, cut
        found: set[str] = set()
        for origin in origins:
            if origin in self.modules:
                more, was_cut = self._resolve(f"{origin}.{rest}", stack)
                found |= more
                cut = cut or was_cut
            else:
                found.add(f"{origin}.{rest}")
        return frozenset(found), cut

    def reaching(self, words: set[str]) -> set[tuple[str, str]]:
        """Every (module, name) that may denote an object called one of `words`: bound to a
        target whose last segment is such a word, or star-imported under it, followed through
        renames. A superset of the names with such an origin, found without resolving any."""
        by_tail: dict[str, list[tuple[str, str]]] = defaultdict(list)
        starring = []
        for module, info in self.modules.items():
            for name, targets in info.bindings.items():
                for target in targets:
                    if target != DEFINED:
                        by_tail[target[1:].rpartition(".")[2]].append((module, name))
            if info.stars:
                starring.append((module, info.stars))
        found: set[tuple[str, str]] = set()
        pending, seen = list(words), set(words)
        while pending:
            word = pending.pop()
            pairs = list(by_tail.get(word, ()))
            pairs += [(module, word) for module, stars in starring
                      if any(word in (self.star_exports(star) or ()) for star in stars)]
            for module, name in pairs:
                found.add((module, name))
                if name not in seen:
                    seen.add(name)
                    pending.append(name)
        return found

    # -- the policy ------------------------------------------------------------------------------------
    def expand(self, policy: Policy) -> list[list[str]]:
        """Add every name that reaches a policy symbol or banned callable to the policy's tables;
        returns the additions as [table, alias, seed] (what the cache replays)."""
        wanted: dict[str, list[tuple[str, dict, str]]] = defaultdict(list)
        for kind, lookup in (("names", policy.names), ("banned", policy.banned)):
            for qualname in list(lookup):
                for origin in self.resolve(qualname):
                    wanted[origin].append((kind, lookup, qualname))
        aliases: dict[str, list[str]] = defaultdict(list)
        for module, name in sorted(self.reaching({o.rpartition(".")[2] for o in wanted})):
            for origin in self.origins(module, name):
                if origin in wanted:
                    aliases[origin].append(f"{module}.{name}")
        added = []
        for origin, seeds in wanted.items():
            for kind, lookup, qualname in seeds:
                for alias in aliases.get(origin, ()):
                    if alias not in lookup:
                        lookup[alias] = lookup[qualname]
                        added.append([kind, alias, qualname])
        self.found.update(alias for _, alias, _ in added)
        return added

    def replay(self, policy: Policy, added: list[list[str]]) -> bool:
        """Apply additions that `expand` computed before for the same tree and policy."""
        tables = {"names": policy.names, "banned": policy.banned}
        if not all(kind in tables and seed in tables[kind] for kind, _, seed in added):
            return False
        for kind, alias, seed in added:
            tables[kind].setdefault(alias, tables[kind][seed])
            self.found.add(alias)
        return True
