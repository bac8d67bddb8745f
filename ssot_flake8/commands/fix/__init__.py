"""`ssot fix`: the migration codemod. Rewrites non-canonical and deprecated imports with libcst.

What is wrong comes from the engine: SOT001 (`subject` = the imported name, `target` = the
canonical qualname) and SOT002 (`subject` = the imported module or name, `target` = the
replacement module). This module only decides whether a finding can be rewritten safely and how.
Every byte outside the changed statements and renamed names stays as it was; a file whose result
would hide another finding, add an undefined name or not compile is refused and left untouched.
"""


from __future__ import annotations

from ssot_flake8.commands.fix.command import add_parser, fix_file, run_fix
from ssot_flake8.commands.fix.model import FIXABLE_CODES, HAND_CODES, FixError, FixResult, LeftByHand
from ssot_flake8.commands.fix.names import undefined_names
from ssot_flake8.commands.fix.rounds import fix_once, fix_source

__all__ = [
    "FIXABLE_CODES", "HAND_CODES", "FixError", "FixResult", "LeftByHand", "add_parser", "fix_file",
    "fix_once", "fix_source", "run_fix", "undefined_names",
]
