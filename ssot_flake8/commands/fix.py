"""`ssot fix`: the migration codemod. Rewrites non-canonical and deprecated imports with libcst.

What is wrong comes from the engine: SOT001 (`subject` = the imported name, `target` = the
canonical qualname) and SOT002 (`subject` = the imported module or name, `target` = the
replacement module). This module only decides whether a finding can be rewritten safely and how.
Every byte outside the changed statements and renamed names stays as it was; a file whose result
would hide another finding, add an undefined name or not compile is refused and left untouched.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import difflib
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import (
    ClassScope,
    GlobalScope,
    MetadataWrapper,
    PositionProvider,
    ScopeProvider,
)

from ssot_flake8.analysis.engine import check_source
from ssot_flake8.policy.model import Policy, module_name, module_path
from ssot_flake8.services.options import UsageError, add_config_option, configured_excludes, policy_for
from ssot_flake8.services.runner import InputError, discover
from ssot_flake8.source.text import Finding, SourceError, decode, parse
from ssot_flake8.support.atomic_write import write_atomic
from ssot_flake8.support.progress import Progress

FIXABLE_CODES = ("SOT001", "SOT002")
# Use-site findings listed as "left to do by hand" when the fixer cannot rewrite them.
HAND_CODES = ("SOT001", "SOT002", "SOT003", "SOT101", "SOT102")


class FixError(Exception):
    """A file the fixer refuses to touch; the message is one line."""


@dataclass
class LeftByHand:
    finding: Finding
    reason: str = ""

    def text(self) -> str:
        return self.finding.text() + (f"  [not fixed: {self.reason}]" if self.reason else "")


@dataclass
class FixResult:
    path: str
    original: bytes
    fixed: bytes
    fixed_count: int = 0
    left: list[LeftByHand] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.fixed != self.original

    def diff(self) -> str:
        def lines(data: bytes) -> list[str]:
            return data.decode("utf-8", "replace").splitlines(keepends=True)

        relative = not os.path.isabs(self.path)  # git-style a/ b/ labels, for `git apply`
        old, new = (f"a/{self.path}", f"b/{self.path}") if relative else (self.path, self.path)
        return "".join(difflib.unified_diff(lines(self.original), lines(self.fixed), old, new))


# -- the plan: what to change, keyed by the id() of nodes of the parsed module -----------------


@dataclass
class Move:
    """Import `name` from `module` instead, bound to `asname` (None: bound to `name`)."""

    module: str
    name: str
    asname: str | None


@dataclass
class NewImport:
    """A `from module import ...` statement the fixer adds after an anchor statement."""

    module: str
    level: int  # > 0: written relative to `base`
    base: str
    names: list[tuple[str, str | None]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    def render(self) -> str:
        module = self.module
        if self.level:
            rest = module[len(self.base) + 1:] if module != self.base else ""
            module = "." * self.level + rest
        names = ", ".join(n if a is None else f"{n} as {a}" for n, a in self.names)
        comment = f"  {_join_comments(self.comments)}" if self.comments else ""
        return f"from {module} import {names}{comment}\n"


@dataclass
class Plan:
    moves: dict[int, Move] = field(default_factory=dict)  # ImportFrom alias -> where it goes
    drops: set[int] = field(default_factory=set)  # import aliases whose every use was rewritten
    in_place: dict[int, tuple[str, int, str]] = field(default_factory=dict)  # ImportFrom -> module
    additions: dict[int, list[tuple[str, str | None]]] = field(default_factory=dict)  # merges
    new_after: dict[int, list[NewImport]] = field(default_factory=dict)  # anchor -> new imports
    module_rewrites: dict[int, str] = field(default_factory=dict)  # `import a as x` alias -> module
    renames: dict[int, str] = field(default_factory=dict)  # Name -> new name
    string_renames: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    attributes: dict[int, str] = field(default_factory=dict)  # `x.Name` Attribute -> local name
    split_comments: dict[int, list[str]] = field(default_factory=dict)
    fixed: list[Finding] = field(default_factory=list)
    left: list[LeftByHand] = field(default_factory=list)

    def empty(self) -> bool:
        return not self.fixed


class Planner:
    """Turns the engine's findings for one file into a Plan, or into reasons to leave them."""

    def __init__(self, module: cst.Module, path: str, policy: Policy):
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True)  # module is ours alone
        self.module = self.wrapper.module
        metadata = self.wrapper.resolve_many([PositionProvider, ScopeProvider])
        self.positions, scope_map = metadata[PositionProvider], metadata[ScopeProvider]
        self.scope_of = scope_map
        self.all_scopes = {id(s): s for s in scope_map.values() if s is not None}.values()
        self.policy = policy
        self.this_module, self.is_package = module_name(Path(path), policy)
        self.plan = Plan()
        self.parents: dict[int, cst.CSTNode] = {}
        self.blocks: dict[int, cst.CSTNode] = {}  # small statement -> its block
        self.statement_of: dict[int, cst.CSTNode] = {}  # import alias -> its statement
        self.anchor_of: dict[int, cst.CSTNode] = {}  # rewritten attribute -> import binding it
        self.accesses = {id(a.node): a for s in self.all_scopes for a in s.accesses}
        self._index(self.module, None)
        self.exported = _exported_names(self.module.code)
        self.has_star = any(
            isinstance(n, cst.ImportFrom) and isinstance(n.names, cst.ImportStar)
            for n in self.positions)
        self.planned_locals: dict[tuple[int, str], str] = {}
        self.canonical_for: dict[int, str] = {}
        self.covered: set[int] = set()  # nodes inside attributes that will be replaced
        self.providers: dict[tuple[int, str], list[tuple[tuple[int, int], object]]] = {}

    # -- indexing ----------------------------------------------------------------------------------
    def _index(self, node: cst.CSTNode, parent: cst.CSTNode | None) -> None:
        stack = [(node, parent)]
        while stack:
            current, owner = stack.pop()
            if owner is not None:
                self.parents[id(current)] = owner
            if isinstance(current, (cst.Import, cst.ImportFrom)):
                block = owner if isinstance(owner, cst.SimpleStatementSuite) else self.parents.get(
                    id(owner), owner)
                self.blocks[id(current)] = block
                if not isinstance(current.names, cst.ImportStar):
                    for alias in current.names:
                        self.statement_of[id(alias)] = current
            stack.extend((child, current) for child in current.children)

    def position(self, node: cst.CSTNode) -> tuple[int, int]:
        start = self.positions[node].start
        return start.line, start.column

    def nodes_at(self, finding: Finding, kinds: tuple[type, ...]) -> list[cst.CSTNode]:
        """The import aliases or attributes a finding points at (by position, else by name)."""
        if not hasattr(self, "_by_line"):
            self._by_line: dict[int, list[cst.CSTNode]] = {}
            for node, where in self.positions.items():
                if isinstance(node, (cst.ImportAlias, cst.Attribute)):
                    self._by_line.setdefault(where.start.line, []).append(node)
        on_line = [n for n in self._by_line.get(finding.line, []) if isinstance(n, kinds)]
        exact = [n for n in on_line if self.positions[n].start.column == finding.col - 1]
        if exact:
            return exact
        # Columns can disagree (a byte-order mark, a non-UTF-8 encoding): match the name instead.
        last = finding.subject.rpartition(".")[2]
        named = [n for n in on_line if _last_name(n) == last]
        return named if len({self.positions[n].start for n in named}) == 1 else []

    def absolute_module(self, node: cst.ImportFrom) -> str | None:
        dotted = get_full_name_for_node(node.module) if node.module else ""
        level = len(node.relative)
        if not level:
            return dotted
        base = self.relative_base(level)
        if base is None:
            return None
        return ".".join(p for p in (base, dotted) if p) or None

    def relative_base(self, level: int) -> str | None:
        package = self.this_module if self.is_package else self.this_module.rpartition(".")[0]
        parts = package.split(".") if package else []
        if level - 1 > len(parts):
            return None
        return ".".join(parts[: len(parts) - (level - 1)])

    # -- driving -------------------------------------------------------------------------------------
    def run(self, findings: list[Finding]) -> Plan:
        attributes, aliases = [], []
        for finding in findings:  # what each non-canonical import alias will import instead
            for alias in self.nodes_at(finding, (cst.ImportAlias,)):
                if finding.code == "SOT001":
                    self.canonical_for[id(alias)] = finding.target
        for finding in findings:
            if finding.code not in FIXABLE_CODES:
                self.leave(finding)
                continue
            alias = self.nodes_at(finding, (cst.ImportAlias,))
            attribute = self.attribute_at(finding)
            if alias and id(alias[0]) in self.statement_of:
                aliases.append((finding, alias[0]))
            elif attribute is not None and finding.code == "SOT001":
                attributes.append((finding, attribute))
            else:
                self.leave(finding, "star import or unrecognised form; rewrite it by hand")
        attributes = [item for item in attributes if self.decide_attribute(*item)]
        decided = [item for item in aliases if self.decide_alias(*item)]
        self.drop_unused_bindings(attributes)
        self.apply_statement_edits()
        for finding, attribute in attributes:
            self.ensure_attribute_import(finding, attribute)
        self.plan.fixed += [f for f, _ in attributes] + [f for f, _ in decided]
        return self.plan

    def leave(self, finding: Finding, reason: str = "") -> bool:
        self.plan.left.append(LeftByHand(finding, reason))
        return False

    def attribute_at(self, finding: Finding) -> cst.Attribute | None:
        last = finding.subject.rpartition(".")[2]
        found = [n for n in self.nodes_at(finding, (cst.Attribute,)) if n.attr.value == last]
        return min(found, key=lambda n: len(get_full_name_for_node(n) or "")) if found else None

    # -- targets ---------------------------------------------------------------------------------------
    def new_qualname(self, finding: Finding, old_module: str, name: str) -> tuple[str | None, str]:
        """Where the name imported by a SOT001/SOT002 finding should come from, or why nowhere."""
        old = f"{old_module}.{name}"
        if self.policy.banned_at(old):
            return None, "imports a banned singleton or factory; replace its calls by hand"
        if finding.code == "SOT001":
            return finding.target, ""
        module, hops = old_module, 0
        while (deprecated := self.policy.deprecated_module(f"{module}.{name}")) and hops < 8:
            if not deprecated.replacement:
                return None, f"{deprecated.module} has no replacement in the policy"
            qualname = deprecated.replacement + f"{module}.{name}"[len(deprecated.module):]
            module, name, hops = *qualname.rsplit(".", 1), hops + 1
        if hops >= 8:
            return None, "the replacements in the policy form a loop"
        if name not in self.defined_names(module):
            return None, f"{module} does not define {name}"
        new = f"{module}.{name}"
        symbol = self.policy.symbol_at(new)
        if self.policy.banned_at(new):
            return None, f"{new} is banned; replace its uses by hand"
        return (symbol.qualname if symbol else new), ""

    def defined_names(self, module: str) -> set[str]:
        return _defined_names(self.policy, module)

    def is_module(self, qualname: str) -> bool:
        return any(module_path(root, qualname) for root in self.policy.source_roots)

    # -- from-import aliases -----------------------------------------------------------------------------
    def decide_alias(self, finding: Finding, alias: cst.ImportAlias) -> bool:
        statement = self.statement_of[id(alias)]
        if isinstance(statement, cst.Import):
            return self.decide_module_import(finding, alias, statement)
        old_module = self.absolute_module(statement)
        if old_module is None:
            return self.leave(finding, "relative import beyond the top-level package")
        name = alias.name.value
        new, reason = self.new_qualname(finding, old_module, name)
        if new is None:
            return self.leave(finding, reason)
        module, new_name = new.rsplit(".", 1)
        if module == self.this_module:
            return self.leave(finding, f"{new_name} would be imported from this module itself; "
                                       "move its definition here by hand")
        local = alias.evaluated_alias or name
        is_module = self.is_module(f"{old_module}.{name}") or self.is_module(new)
        if is_module:  # a module object: every attribute used through it must exist in the new one
            reason = self.module_uses_problem(statement, local, f"{old_module}.{name}", new)
            if reason:
                return self.leave(finding, reason)
            asname = None if local == new_name else local
        else:
            asname = self.choose_local(statement, alias, local, new_name, new)
        self.plan.moves[id(alias)] = Move(module, new_name, asname)
        return True

    def choose_local(self, statement, alias, local, new_name, qualname):
        """None: bind the canonical name (and rename the uses); a str: keep that local name."""
        if alias.asname is not None or local == new_name:
            return alias.evaluated_alias if alias.asname is not None else None
        scope = self.scope_of.get(statement)
        assignment = self.assignment(scope, local, statement)
        keep_alias = (
            assignment is None
            or len(scope.assignments[local]) != 1
            or local in self.exported
            or (self.is_package and isinstance(scope, GlobalScope))
            or isinstance(scope, ClassScope)  # a class attribute keeps its name
            or not self.name_free(new_name, qualname, scope)
            or not self.renamable(assignment)
        )
        if keep_alias:
            return local
        self.planned_locals[(id(scope), new_name)] = qualname
        for reference in assignment.references:
            node = reference.node
            if isinstance(node, cst.Name):
                self.plan.renames[id(node)] = new_name
            else:
                self.plan.string_renames.setdefault(id(node), []).append((local, new_name))
        return None

    def assignment(self, scope, local: str, statement: cst.CSTNode):
        if scope is None:
            return None
        found = [a for a in scope.assignments[local] if getattr(a, "node", None) is statement]
        return found[0] if len(found) == 1 else None

    def renamable(self, assignment) -> bool:
        for reference in assignment.references:
            if len(reference.referents) != 1:
                return False
            if not isinstance(reference.node, (cst.Name, cst.SimpleString)):
                return False
        return True

    def name_free(self, name: str, qualname: str, scope) -> bool:
        """`name` can be bound to `qualname` in `scope` without capturing or shadowing anything."""
        if self.has_star:
            return False
        planned = self.planned_locals.get((id(scope), name))
        if planned is not None and planned != qualname:
            return False
        for other in self.all_scopes:
            for assignment in other.assignments[name]:
                if not (other is scope and self.imports_qualname(assignment, name, qualname)):
                    return False
            if any(not access.referents for access in other.accesses[name]):
                return False
        return True

    def imports_qualname(self, assignment, local: str, qualname: str) -> bool:
        node = getattr(assignment, "node", None)
        if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
            return False
        module = self.absolute_module(node)
        return any((a.evaluated_alias or a.evaluated_name) == local
                   and qualname in (f"{module}.{a.evaluated_name}", self.canonical_for.get(id(a)))
                   for a in node.names)

    def module_uses_problem(self, statement, local: str, old_module: str, new_module: str) -> str:
        """Why the uses of a module binding do not all carry over to `new_module` ('' if they do)."""
        references = self.binding_references(statement, local)
        remaining = [r for r in references if id(r.node) not in self.covered]
        if not remaining:
            return "" if references else "unused import of a deprecated module; remove it by hand"
        names = self.defined_names(new_module)
        for reference in remaining:
            parent = self.parents.get(id(reference.node))
            if isinstance(reference.node, cst.SimpleString):
                return f"{local} is used in a string annotation"
            if not (isinstance(reference.node, cst.Name) and isinstance(parent, cst.Attribute)
                    and parent.value is reference.node):
                return f"{local} is used as a value, not only as {local}.<name>"
            attribute = parent.attr.value
            if self.policy.banned_at(f"{old_module}.{attribute}") or self.policy.banned_at(
                    f"{new_module}.{attribute}"):
                return f"{local}.{attribute} is banned; replace its calls by hand"
            if attribute not in names:
                return f"{new_module} does not define {attribute}"
        return ""

    def binding_references(self, statement, local: str) -> list:
        scope = self.scope_of.get(statement)
        if scope is None:
            return []
        head = local.split(".")[0]
        names = {n for n in (local, head)}
        return [r for name in names for a in scope.assignments[name]
                if getattr(a, "node", None) is statement for r in a.references]

    # -- `import a.b.c [as x]` -------------------------------------------------------------------------
    def decide_module_import(self, finding, alias, statement) -> bool:
        if finding.code != "SOT002" or not finding.target:
            return self.leave(finding, "no replacement module in the policy")
        dotted = get_full_name_for_node(alias.name)
        if alias.asname is None:
            return self.leave(finding, f"`import {dotted}` without `as`; rewrite its uses by hand")
        deprecated = self.policy.deprecated_module(dotted)
        new_module = deprecated.replacement + dotted[len(deprecated.module):]
        if not self.is_module(new_module):
            return self.leave(finding, f"{new_module} does not exist")
        reason = self.module_uses_problem(statement, alias.evaluated_alias, dotted, new_module)
        if reason:
            return self.leave(finding, reason)
        self.plan.module_rewrites[id(alias)] = new_module
        return True

    # -- `x.Name` attribute uses -------------------------------------------------------------------------
    def decide_attribute(self, finding: Finding, attribute: cst.Attribute) -> bool:
        binding = self.binding_of(attribute.value)
        if binding is None:
            return self.leave(finding, "the module is not bound by a plain import")
        statement = binding.node
        module, name = finding.target.rsplit(".", 1)
        if module == self.this_module:
            return self.leave(finding, "this is the canonical module itself")
        scope = binding.scope
        if not self.name_free(name, finding.target, scope):
            return self.leave(finding, f"{name} is another name in this file")
        self.planned_locals[(id(scope), name)] = finding.target
        self.plan.attributes[id(attribute)] = name
        node = attribute.value
        while True:
            self.covered.add(id(node))
            if not isinstance(node, cst.Attribute):
                break
            node = node.value
        self.anchor_of[id(attribute)] = statement  # the canonical import goes after it
        return True

    def binding_of(self, node: cst.CSTNode):
        while True:
            access = self.accesses.get(id(node))
            if access is not None:
                referents = list(access.referents)
                if len(referents) == 1 and isinstance(
                        getattr(referents[0], "node", None), (cst.Import, cst.ImportFrom)):
                    return referents[0]
                return None
            if not isinstance(node, cst.Attribute):
                return None
            node = node.value

    def ensure_attribute_import(self, finding: Finding, attribute: cst.Attribute) -> None:
        module, name = finding.target.rsplit(".", 1)
        self.ensure_import(self.anchor_of[id(attribute)], module, name, None)

    def drop_unused_bindings(self, attributes) -> None:
        """Remove the `import a.b.c as x` whose every use was rewritten to the canonical name."""
        seen = set()
        for _, attribute in attributes:
            binding = self.binding_of(attribute.value)
            statement = binding.node
            alias = next((a for a in statement.names
                          if (a.evaluated_alias or a.evaluated_name) == binding.name
                          or a.evaluated_name.startswith(binding.name + ".")), None)
            if alias is None or id(alias) in seen:
                continue
            seen.add(id(alias))
            local = alias.evaluated_alias or alias.evaluated_name
            references = self.binding_references(statement, local)
            if all(id(r.node) in self.covered for r in references):
                self.plan.drops.add(id(alias))
                self.plan.moves.pop(id(alias), None)
                self.plan.module_rewrites.pop(id(alias), None)

    # -- statement edits ---------------------------------------------------------------------------------
    def apply_statement_edits(self) -> None:
        statements = {id(self.statement_of[a]): self.statement_of[a] for a in self.plan.moves}
        for statement in sorted(statements.values(), key=self.position):
            self.edit_from_statement(statement)

    def edit_from_statement(self, statement: cst.ImportFrom) -> None:
        moved = [a for a in statement.names if id(a) in self.plan.moves]
        targets = {self.plan.moves[id(a)].module for a in moved}
        block = self.blocks[id(statement)]
        if len(moved) == len(statement.names) and len(targets) == 1:
            module = targets.pop()
            if not self.provider(block, module, self.position(statement)):
                level, base = self.relative_form(statement, module)
                self.plan.in_place[id(statement)] = (module, level, base)
                self.add_provider(block, module, self.position(statement), statement)
                return
        whole = len(moved) == len(statement.names)  # then the `(  # comment` goes along too
        for alias in moved:
            move = self.plan.moves[id(alias)]
            comments = [_paren_comment_text(statement.lpar, "whitespace_after")] if whole else []
            comments.append(_alias_comment(alias, statement))
            self.ensure_import(statement, move.module, move.name, move.asname, [c for c in comments if c])
            whole = False

    def relative_form(self, statement: cst.ImportFrom, module: str) -> tuple[int, str]:
        level = len(statement.relative)
        base = self.relative_base(level) if level else None
        if base and (module == base or module.startswith(base + ".")):
            return level, base
        return 0, ""

    def provider(self, block, module: str, before: tuple[int, int]):
        for position, provider in self.providers_in(block, module):
            if position <= before:
                return provider
        return None

    def providers_in(self, block, module: str):
        key = (id(block), module)
        if key not in self.providers:
            found = []
            for node in self.positions:
                if (isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar)
                        and self.blocks.get(id(node)) is block
                        and self.absolute_module(node) == module
                        and not any(id(a) in self.plan.moves or id(a) in self.plan.drops
                                    for a in node.names)):
                    found.append((self.position(node), node))
            self.providers[key] = sorted(found, key=lambda item: item[0])
        return self.providers[key]

    def add_provider(self, block, module: str, position, provider) -> None:
        providers = self.providers_in(block, module)
        providers.append((position, provider))
        providers.sort(key=lambda item: item[0])

    def ensure_import(self, anchor, module: str, name: str, asname: str | None,
                      comments: list[str] | None = None) -> None:
        """Make `from module import name [as asname]` bound right after `anchor` (same block)."""
        block = self.blocks[id(anchor)]
        provider = self.provider(block, module, self.position(anchor))
        entry = (name, asname)
        if isinstance(provider, NewImport):
            if entry not in provider.names:
                provider.names.append(entry)
            provider.comments += comments or []
            return
        if provider is not None:
            additions = self.plan.additions.setdefault(id(provider), [])
            existing = {(a.evaluated_name, a.evaluated_alias) for a in provider.names}
            if id(provider) in self.plan.in_place:
                existing = {(m.name, m.asname) for m in (self.plan.moves.get(id(a))
                                                         for a in provider.names) if m}
            if entry not in existing and entry not in additions:
                additions.append(entry)
            if comments:
                self.plan.split_comments.setdefault(id(provider), []).extend(comments)
            return
        level, base = (self.relative_form(anchor, module) if isinstance(anchor, cst.ImportFrom)
                       else (0, ""))
        new = NewImport(module, level, base, [entry], list(comments or []))
        self.plan.new_after.setdefault(id(anchor), []).append(new)
        self.add_provider(block, module, self.position(anchor), new)


# -- the rewriter: applies a plan to the module it was made for ------------------------------------------


class Rewriter(cst.CSTTransformer):
    def __init__(self, plan: Plan, config: cst.PartialParserConfig):
        super().__init__()
        self.plan = plan
        self.config = config
        # Lines made here, found again by identity in their block: an id() alone could be reused
        # by a new node once a line is garbage.
        self.removed: dict[int, cst.SimpleStatementLine] = {}  # placeholders of removed lines
        self.insert_after: dict[int, tuple[cst.BaseStatement, list[cst.SimpleStatementLine]]] = {}

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        new = self.plan.renames.get(id(original))
        return updated.with_changes(value=new) if new else updated

    def leave_SimpleString(self, original, updated):
        value = updated.value
        for old, new in self.plan.string_renames.get(id(original), ()):
            value = re.sub(rf"(?<![\w.]){re.escape(old)}(?!\w)", new, value)
        return updated.with_changes(value=value)

    def leave_Attribute(self, original, updated):
        new = self.plan.attributes.get(id(original))
        if new is None:
            return updated
        return cst.Name(new, lpar=updated.lpar, rpar=updated.rpar)

    def leave_Import(self, original: cst.Import, updated: cst.Import):
        names, keep = [], []
        for old, new in zip(original.names, updated.names, strict=True):
            module = self.plan.module_rewrites.get(id(old))
            names.append(new.with_changes(name=cst.parse_expression(module)) if module else new)
            keep.append(id(old) not in self.plan.drops)
        if not any(keep):
            return cst.RemoveFromParent()
        kept, _ = _remove_aliases(names, keep)
        return updated.with_changes(names=kept)

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom):
        if isinstance(original.names, cst.ImportStar):
            return updated
        plan, key = self.plan, id(original)
        in_place = plan.in_place.get(key)
        names, keep = [], []
        for old, new in zip(original.names, updated.names, strict=True):
            move = plan.moves.get(id(old))
            keep.append(not (id(old) in plan.drops or (move and not in_place)))
            if move and in_place:
                asname = cst.AsName(cst.Name(move.asname)) if move.asname else None
                if new.asname is not None and move.asname:
                    asname = new.asname.with_changes(name=cst.Name(move.asname))
                new = new.with_changes(name=cst.Name(move.name), asname=asname)
            names.append(new)
        if not any(keep):
            return cst.RemoveFromParent()
        kept, close_rpar = _remove_aliases(names, keep)
        updated = updated.with_changes(names=kept)
        if not keep[-1] and _paren_comment(updated.rpar):  # that comment moved with the alias
            updated = updated.with_changes(rpar=updated.rpar.with_changes(
                whitespace_before=_strip_ws_comment(updated.rpar.whitespace_before)))
        if close_rpar and updated.rpar is not None:
            updated = updated.with_changes(
                rpar=updated.rpar.with_changes(whitespace_before=cst.SimpleWhitespace("")))
        if in_place:
            module, level, base = in_place
            rest = (module[len(base) + 1:] if module != base else "") if level else module
            relative = updated.relative if len(updated.relative) == level else [cst.Dot()] * level
            updated = updated.with_changes(
                relative=relative, module=cst.parse_expression(rest) if rest else None)
        for name, asname in plan.additions.get(key, []):
            updated = _append_alias(updated, name, asname)
        return updated

    def leave_SimpleStatementLine(self, original, updated):
        new_lines = [self.statement(new) for small in original.body
                     for new in self.plan.new_after.get(id(small), [])]
        comments = [c for small in original.body for c in self.plan.split_comments.get(id(small), [])]
        if comments and updated.body:
            updated = _add_trailing_comment(updated, comments)
        if not updated.body:
            updated = cst.SimpleStatementLine([cst.Pass()], leading_lines=updated.leading_lines,
                                              trailing_whitespace=updated.trailing_whitespace)
            self.removed[id(updated)] = updated
        if new_lines:
            self.insert_after[id(updated)] = (updated, new_lines)
        return updated

    def leave_SimpleStatementSuite(self, original, updated):
        body = list(updated.body)
        for small in original.body:
            for new in self.plan.new_after.get(id(small), []):
                body.append(self.statement(new).body[0])
        return updated.with_changes(body=body or [cst.Pass()])

    def statement(self, new: NewImport) -> cst.SimpleStatementLine:
        return cst.parse_statement(new.render(), config=self.config)

    def leave_IndentedBlock(self, original, updated):
        body, carried = self.rebuild(updated.body)
        if not body:
            body = [cst.SimpleStatementLine([cst.Pass()])]
        return updated.with_changes(body=body, footer=[*carried, *updated.footer])

    def leave_Module(self, original, updated):
        body, carried = self.rebuild(updated.body)
        return updated.with_changes(body=body, footer=[*carried, *updated.footer])

    def rebuild(self, body) -> tuple[list[cst.BaseStatement], list[cst.EmptyLine]]:
        """Drop the lines of removed statements, handing their comments to the next line, and
        add the new import lines after their anchors."""
        result, carried = [], []
        for statement in body:
            if self.removed.pop(id(statement), None) is statement:
                carried += statement.leading_lines  # blank lines too: bytes we need not change
                comment = statement.trailing_whitespace.comment
                if comment is not None:
                    carried.append(cst.EmptyLine(comment=comment))
            else:
                result.append(self.with_leading(statement, carried))
                carried = []
            anchor, lines = self.insert_after.pop(id(statement), (None, []))
            for line in lines if anchor is statement else []:
                result.append(self.with_leading(line, carried))
                carried = []
        return result, carried

    @staticmethod
    def with_leading(statement, carried):
        if not carried:
            return statement
        return statement.with_changes(leading_lines=[*carried, *statement.leading_lines])


def _last_name(node: cst.CSTNode) -> str:
    if isinstance(node, cst.ImportAlias):
        node = node.name
    return node.value if isinstance(node, cst.Name) else node.attr.value


def _remove_aliases(names, keep):
    """The aliases to keep, with the commas fixed up; and whether `)` must lose its newline.

    Removing a middle alias takes its comma along. Removing the last one hands its closing
    layout (trailing comma or not) to the new last alias, keeping that alias's own comment.
    """
    kept = [alias for alias, wanted in zip(names, keep, strict=True) if wanted]
    if keep[-1]:
        return kept, False
    mine, theirs = kept[-1].comma, names[-1].comma
    if isinstance(theirs, cst.Comma):
        kept[-1] = kept[-1].with_changes(comma=_merge_comma(mine, theirs))
        return kept, False
    if not _has_comment(mine):
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return kept, False
    # `A,  # comment` stays as a trailing comma; the newline before `)` is the comment's own
    closing = mine.whitespace_after.with_changes(indent=False, last_line=cst.SimpleWhitespace(""))
    kept[-1] = kept[-1].with_changes(comma=mine.with_changes(whitespace_after=closing))
    return kept, True


def _merge_comma(mine, theirs):
    """Keep my comment, take the layout that closed the list from the removed last alias."""
    if isinstance(mine, cst.Comma) and isinstance(mine.whitespace_after, cst.ParenthesizedWhitespace) \
            and isinstance(theirs.whitespace_after, cst.ParenthesizedWhitespace):
        return mine.with_changes(whitespace_after=mine.whitespace_after.with_changes(
            indent=theirs.whitespace_after.indent, last_line=theirs.whitespace_after.last_line))
    return theirs


def _has_comment(comma) -> bool:
    return (isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace)
            and comma.whitespace_after.first_line.comment is not None)


def _alias_comment(alias: cst.ImportAlias, statement: cst.ImportFrom) -> str:
    """The comment written after an alias (for the last one, it sits before the `)`)."""
    comma = alias.comma
    if _has_comment(comma):
        return comma.whitespace_after.first_line.comment.value
    if alias is statement.names[-1] and _paren_comment(statement.rpar):
        return statement.rpar.whitespace_before.first_line.comment.value
    return ""


def _paren_comment_text(paren, attribute: str) -> str:
    whitespace = getattr(paren, attribute, None)
    if isinstance(whitespace, cst.ParenthesizedWhitespace) and whitespace.first_line.comment:
        return whitespace.first_line.comment.value
    return ""


def _paren_comment(rpar) -> bool:
    whitespace = getattr(rpar, "whitespace_before", None)
    return isinstance(whitespace, cst.ParenthesizedWhitespace) and whitespace.first_line.comment is not None


def _append_alias(statement: cst.ImportFrom, name: str, asname: str | None) -> cst.ImportFrom:
    alias = cst.ImportAlias(cst.Name(name), asname=cst.AsName(cst.Name(asname)) if asname else None)
    names = list(statement.names)
    if not names:
        return statement.with_changes(names=[alias])
    last = names[-1]
    separator = _separator(statement)
    if isinstance(last.comma, cst.Comma):  # trailing-comma style: the new alias closes the list
        alias = alias.with_changes(comma=_strip_comment(last.comma))
        names[-1] = last.with_changes(comma=_merge_comma(last.comma, separator))
    else:
        names[-1] = last.with_changes(comma=separator)
    return statement.with_changes(names=[*names, alias])


def _separator(statement: cst.ImportFrom) -> cst.Comma:
    """The comma-and-layout between two names of this import, as its author wrote it."""
    for alias in statement.names[:-1]:
        if isinstance(alias.comma, cst.Comma):
            return _strip_comment(alias.comma)
    if statement.lpar is not None and isinstance(statement.lpar.whitespace_after,
                                                 cst.ParenthesizedWhitespace):
        return cst.Comma(whitespace_after=_strip_ws_comment(statement.lpar.whitespace_after))
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _strip_comment(comma: cst.Comma) -> cst.Comma:
    return comma.with_changes(whitespace_after=_strip_ws_comment(comma.whitespace_after))


def _strip_ws_comment(whitespace):
    if isinstance(whitespace, cst.ParenthesizedWhitespace) and whitespace.first_line.comment:
        first = whitespace.first_line.with_changes(comment=None, whitespace=cst.SimpleWhitespace(""))
        return whitespace.with_changes(first_line=first)
    return whitespace


def _join_comments(comments: list[str]) -> str:
    """`# a`, `# b` -> `# a; b`: the comments of names that moved into one line."""
    return "# " + "; ".join(c.lstrip("#").strip() for c in comments)


def _add_trailing_comment(line: cst.SimpleStatementLine, comments: list[str]):
    """Append the comments of merged names, except those the line already carries."""
    code = cst.Module([]).code_for_node(line)
    comments = [c for c in dict.fromkeys(comments) if c not in code]
    if not comments:
        return line
    trailing = line.trailing_whitespace
    existing = [trailing.comment.value] if trailing.comment is not None else []
    text = _join_comments(existing + comments)
    return line.with_changes(trailing_whitespace=trailing.with_changes(
        whitespace=trailing.whitespace if trailing.comment else cst.SimpleWhitespace("  "),
        comment=cst.Comment(text)))


# -- what a module defines, read statically --------------------------------------------------------------

def _defined_names(policy: Policy, module: str) -> set[str]:
    """Names bound at the top level of `module` (and its submodules, for a package).

    Read once per policy and module: kept with the policy's other derived tables.
    """
    cache = policy._derived.setdefault("fix_defined_names", {})
    if module not in cache:
        cache[module] = _read_defined_names(policy, module)
    return cache[module]


def _read_defined_names(policy: Policy, module: str) -> set[str]:
    names: set[str] = set()
    for root in policy.source_roots:
        path = module_path(root, module)
        if path is None:
            continue
        directory = path.parent if path.name == "__init__.py" else path
        if directory.is_dir():
            names.update(child.stem for child in directory.glob("*.py") if child.stem != "__init__")
            names.update(child.name for child in directory.iterdir()
                         if child.is_dir() and child.name.isidentifier())
        if path.is_file():
            try:
                tree = parse(decode(path.read_bytes()), str(path))
            except (OSError, SourceError):
                continue
            names.update(_top_level_bindings(tree.body))
    return names


def _top_level_bindings(statements) -> set[str]:
    names: set[str] = set()
    for statement in statements:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in statement.names if a.name != "*")
        elif isinstance(statement, (ast.If, ast.Try, ast.With)):
            inner = [*statement.body, *getattr(statement, "orelse", []),
                     *getattr(statement, "finalbody", [])]
            inner += [s for handler in getattr(statement, "handlers", []) for s in handler.body]
            names.update(_top_level_bindings(inner))
    return names


def _exported_names(text: str) -> set[str]:
    """The strings in a module-level `__all__`."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return set()
    exported = set()
    for statement in tree.body:
        targets = getattr(statement, "targets", None) or [getattr(statement, "target", None)]
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            exported.update(n.value for n in ast.walk(statement)
                            if isinstance(n, ast.Constant) and isinstance(n.value, str))
    return exported


# -- one file --------------------------------------------------------------------------------------------


MAX_ROUNDS = 8


def fix_source(data: bytes, path: str, policy: Policy) -> FixResult:
    """The fixed bytes of one file and what was left to do by hand; FixError if it is refused.

    Like ruff, fixes are applied in rounds until nothing changes: one rewrite can make another
    possible (an import merged upwards binds the canonical name before a use it did not reach).
    """
    result = FixResult(path, data, data)
    for _ in range(MAX_ROUNDS):
        fixed, count, result.left = fix_once(result.fixed, path, policy)
        if fixed == result.fixed:
            break
        result.fixed, result.fixed_count = fixed, result.fixed_count + count
    return result


def fix_once(data: bytes, path: str, policy: Policy) -> tuple[bytes, int, list[LeftByHand]]:
    """One round: the rewritten bytes, how many findings it fixed, and what it left."""
    findings = check_source(data, path, policy)
    broken = [f for f in findings if f.code == "SOT000"]
    if broken:
        raise FixError(broken[0].message)
    relevant = [f for f in findings if f.code in HAND_CODES]
    if not any(f.code in FIXABLE_CODES for f in relevant):
        return data, 0, [LeftByHand(f) for f in relevant]
    try:
        module = cst.parse_module(data)
    except Exception as error:  # ParserSyntaxError, and others on odd input
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise FixError(f"{path}: libcst cannot parse it: {first}") from None
    planner = Planner(module, path, policy)
    plan = planner.run(relevant)
    left = sorted(plan.left, key=lambda item: item.finding)
    if plan.empty():
        return data, 0, left
    fixed = planner.module.visit(Rewriter(plan, planner.module.config_for_parsing)).bytes
    _verify(_undefined(planner.all_scopes, planner.has_star), fixed, path, policy, findings)
    return fixed, len(plan.fixed), left


def _verify(undefined_before: set[str], after: bytes, path: str, policy: Policy,
            findings: list[Finding]) -> None:
    """Refuse a result that does not compile, hides a finding or leaves an undefined name."""
    try:
        compile(after, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        raise FixError(f"{path}: the rewrite would not compile ({error}); file left unchanged") from None
    new_findings = check_source(after, path, policy)
    # Distinct messages per code: merging two identical imports into one is not hiding anything.
    old_counts = Counter(code for code, _ in {(f.code, f.message) for f in findings})
    new_counts = Counter(code for code, _ in {(f.code, f.message) for f in new_findings})
    for code in set(old_counts) | set(new_counts):
        grew = new_counts[code] > old_counts[code] and code in FIXABLE_CODES
        hidden = new_counts[code] < old_counts[code] and code not in FIXABLE_CODES
        if grew or hidden:
            raise FixError(f"{path}: the rewrite would change the {code} findings; file left "
                           "unchanged (please report this)")
    missing = undefined_names(after) - undefined_before
    if missing:
        raise FixError(f"{path}: the rewrite would leave {', '.join(sorted(missing))} undefined; "
                       "file left unchanged (please report this)")


MODULE_NAMES = frozenset(dir(builtins)) | {
    "__file__", "__name__", "__doc__", "__package__", "__spec__", "__path__", "__builtins__",
    "__loader__", "__annotations__", "__dict__", "__module__", "__qualname__", "__class__"}


def undefined_names(data: bytes) -> set[str]:
    """Names read somewhere in a module that nothing in it (or builtins) binds."""
    module = cst.parse_module(data)
    has_star = any(isinstance(n, cst.ImportFrom) and isinstance(n.names, cst.ImportStar)
                   for n in _walk(module))
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    scopes = {id(s): s for s in wrapper.resolve(ScopeProvider).values() if s is not None}
    return _undefined(scopes.values(), has_star)


def _undefined(scopes, has_star: bool) -> set[str]:
    if has_star:
        return set()  # a star import may bind anything
    missing = set()
    for scope in scopes:
        for access in scope.accesses:
            name = (get_full_name_for_node(access.node) or "").split(".")[0]
            if name and not access.referents and name not in MODULE_NAMES:
                missing.add(name)
    return missing


def _walk(node: cst.CSTNode):
    """Statements and the small statements inside them (imports live there)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(current, (cst.BaseSmallStatement, cst.BaseExpression)):
            stack.extend(current.children)


# -- the command line ---------------------------------------------------------------------------------------


def add_parser(verbs) -> None:
    parser = verbs.add_parser(
        "fix", help="rewrite non-canonical and deprecated imports to the canonical ones")
    parser.add_argument("paths", nargs="*", default=["."], help="files or directories (default: .)")
    add_config_option(parser)
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                        help="skip files or directories matching GLOB (repeatable), as `ssot check`")
    parser.add_argument("--diff", action="store_true",
                        help="print a unified diff instead of writing (exit 1 if there are changes)")
    parser.set_defaults(handler=run_fix)


def run_fix(args: argparse.Namespace) -> int:
    """Exit 0: nothing to change; 1: files changed (or would, with --diff); 2: an error occurred."""
    policy = policy_for(args)  # with the symbol index, as `ssot check` sees the tree
    try:  # the files `ssot check` would check: .gitignore and the configured excludes apply
        paths = [Path(p) for p in discover(args.paths, [*configured_excludes(policy.config_path),
                                                        *args.exclude])]
    except InputError as error:
        raise UsageError(str(error)) from None
    report = sys.stderr if args.diff else sys.stdout  # with --diff, stdout is the patch alone
    changed = errors = fixed = 0
    left: list[LeftByHand] = []
    progress = Progress("ssot fix", len(paths))
    for path in paths:
        progress.advance()
        try:
            result = fix_file(path, policy, write=not args.diff)
        except FixError as error:
            errors += 1
            progress.close()  # the error on a line of its own, the bar redrawn after it
            print(f"ssot: error: {error}", file=sys.stderr)
            continue
        left += result.left
        if result.changed:
            changed += 1
            fixed += result.fixed_count
            if args.diff:
                sys.stdout.write(result.diff())
    progress.close()
    _summary(report, left, fixed, changed, args.diff)
    return 2 if errors else 1 if changed else 0


def fix_file(path: Path, policy: Policy, write: bool = True) -> FixResult:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FixError(f"{path}: cannot read: {error.strerror}") from None
    try:
        result = fix_source(data, str(path), policy)
    except (FixError, KeyboardInterrupt):
        raise
    except Exception as error:  # one odd file must not stop a run over thousands
        raise FixError(f"{path}: internal error in ssot fix ({type(error).__name__}: {error}); "
                       "file left unchanged (please report this)") from None
    if write and result.changed:
        try:
            write_atomic(path, result.fixed)
        except OSError as error:
            raise FixError(f"{path}: cannot write: {error.strerror}") from None
    return result


def _summary(stream, left: list[LeftByHand], fixed: int, changed: int, diff: bool) -> None:
    if left:
        print("Left to do by hand:", file=stream)
        for item in left:
            print(item.text(), file=stream)
    verb = "Would fix" if diff else "Fixed"
    files = f"{changed} file{'s' if changed != 1 else ''}"
    print(f"{verb} {fixed} finding{'s' if fixed != 1 else ''} in {files}; "
          f"{len(left)} left to do by hand.", file=stream)
