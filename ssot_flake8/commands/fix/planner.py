"""The planner: which findings of one file can be rewritten safely, and how (a Plan)."""

from __future__ import annotations

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

from ssot_flake8.commands.fix.model import FIXABLE_CODES, LeftByHand, Move, NewImport, Plan
from ssot_flake8.commands.fix.names import _defined_names, _exported_names
from ssot_flake8.commands.fix.rewriter import _alias_comment, _last_name, _paren_comment_text
from ssot_flake8.policy.model import Policy, module_name, module_path
from ssot_flake8.source.text import Finding


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
            # `Old as New` becomes `New`, not `New as New` (the explicit re-export idiom)
            return None if local == new_name else alias.evaluated_alias
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
        entries = [(self.plan.moves[id(a)].name, self.plan.moves[id(a)].asname) for a in moved]
        if len(moved) == len(statement.names) and len(targets) == 1:
            module = targets.pop()
            if not self.provider(block, module, self.position(statement)) and not all(
                    self.later_equal(block, module, statement, entry) for entry in entries):
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

    def later_equal(self, block, module: str, anchor, entry: tuple[str, str | None]):
        """The import below `anchor` in the same run of import statements (nothing but imports
        between them) that already binds `from module import name [as asname]`, if any."""
        anchor_line = self.position(anchor)[0]
        for position, provider in self.providers_in(block, module):
            if position <= self.position(anchor) or not isinstance(provider, cst.ImportFrom):
                continue
            names = {(a.evaluated_name, a.evaluated_alias) for a in provider.names}
            if entry in names and self.only_imports_between(block, anchor_line, position[0]):
                return provider
        return None

    def only_imports_between(self, block, first: int, last: int) -> bool:
        body = getattr(block, "body", ())
        for statement in body if isinstance(body, (list, tuple)) else ():
            line = self.positions[statement].start.line
            if first < line < last and not (
                    isinstance(statement, cst.SimpleStatementLine)
                    and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body)):
                return False
        return True

    def add_provider(self, block, module: str, position, provider) -> None:
        providers = self.providers_in(block, module)
        providers.append((position, provider))
        providers.sort(key=lambda item: item[0])

    def ensure_import(self, anchor, module: str, name: str, asname: str | None,
                      comments: list[str] | None = None) -> None:
        """Make `from module import name [as asname]` bound right after `anchor` (same block)."""
        block = self.blocks[id(anchor)]
        entry = (name, asname)
        later = self.later_equal(block, module, anchor, entry)
        if later is not None:  # an equal import further down the same run binds it already
            if comments:
                self.plan.split_comments.setdefault(id(later), []).extend(comments)
            return
        provider = self.provider(block, module, self.position(anchor))
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
