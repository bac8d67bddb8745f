"""The libcst rewriter: applies a Plan to the module it was made for, keeping every other byte."""

from __future__ import annotations

import re

import libcst as cst

from ssot_flake8.commands.fix.model import NewImport, Plan, _join_comments

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
