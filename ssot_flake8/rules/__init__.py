"""The rule catalog. Each rule is declared beside its check, in the module of its family:

- `files`: SOT000, a file that cannot be analysed;
- `imports`: SOT001-SOT005, where a module gets a symbol or a module from;
- `calls`: SOT101-SOT103, how code gets an instance;
- `definitions`: SOT201-SOT205, code that makes a second source of truth;
- `suppressions`: `# noqa` matching, and SOT900, a `# noqa: SOTxxx` that silences nothing.

`ssot rules`, the README's rule table, SARIF's rule list and every message come from here. A new
rule goes into its family's module (declaration, bad/good examples, check) and is called from
the walk (`analysis.walk`) where its node is visited.
"""

from __future__ import annotations

from ssot_flake8.rules import calls, definitions, files, imports, suppressions
from ssot_flake8.rules.base import Rule

RULES: tuple[Rule, ...] = tuple(
    sorted((*files.RULES, *imports.RULES, *calls.RULES, *definitions.RULES, *suppressions.RULES),
           key=lambda r: r.code)
)
RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


def rule(code: str) -> Rule:
    return RULES_BY_CODE[code]


def rules_table_markdown() -> str:
    """The README's rule table, generated from the declarations above."""
    lines = [
        "| code | name | fix | what it reports | bad | good |",
        "|---|---|---|---|---|---|",
    ]
    for r in RULES:
        lines.append(
            f'| <a id="{r.code.lower()}"></a>`{r.code}` | {r.name} | {"yes" if r.fixable else ""} '
            f"| {r.rationale} "
            f"| {_md_code(r.bad)} | {_md_code(r.good)} |"
        )
    return "\n".join(lines)


def _md_code(snippet: str) -> str:
    cells = [f"`{line}`" for line in snippet.replace("|", "\\|").splitlines() if line.strip()]
    return "<br>".join(cells)


def rules_text() -> str:
    """`ssot rules`: the catalog for a terminal."""
    blocks = []
    for r in RULES:
        fix = " (fixable)" if r.fixable else ""
        blocks.append(
            f"{r.code} {r.name}{fix}\n  {r.rationale}\n"
            f"  bad:\n{_indent(r.bad)}\n  good:\n{_indent(r.good)}"
        )
    return "\n\n".join(blocks)


def _indent(snippet: str) -> str:
    return "\n".join("    " + line for line in snippet.splitlines())
