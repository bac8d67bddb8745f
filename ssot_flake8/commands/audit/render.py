"""The audit rendered as a text table or markdown."""

from __future__ import annotations

from collections.abc import Sequence

from ssot_flake8.commands.audit.categories import Audit
from ssot_flake8.commands.audit.paths import _s

# -- rendering ----------------------------------------------------------------------------------


def table_text(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    """A plain aligned table; columns in `right` are right-aligned (numbers)."""
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        cells = [str(c).rjust(w) if i in right else str(c).ljust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        return "  ".join(cells).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)]


def render_text(audit: Audit, where: str, policy: str) -> str:
    out = [f"ssot audit: {audit.files} file{_s(audit.files)} under {where} (policy: {policy})", ""]
    rows = [(c.title, c.what, c.count_text(), c.summary) for c in audit.categories]
    out += table_text(("category", "what it looks like", "count", "detail"), rows, {2})
    for category in audit.categories:
        if category.locations:
            out += ["", f"{category.title} ({category.count_text()})"]
            out += [f"  {loc.text()}  {loc.detail}" for loc in category.locations]
    for symbol in audit.symbols:
        out += ["", f"import paths of {symbol.symbol}", f"  canonical: {symbol.canonical_import}",
                f"  canonical share: {symbol.share_text()}"]
        rows = [(p.qualname + (" (canonical)" if p.canonical else ""), str(p.files),
                 str(len(p.locations))) for p in symbol.paths]
        if rows:
            out += ["  " + line for line in table_text(("path", "files", "imports"), rows, {1, 2})]
    return "\n".join(out)


def render_markdown(audit: Audit, where: str, policy: str) -> str:
    out = ["# SSOT audit", "",
           f"{audit.files} file{_s(audit.files)} under `{where}`, policy `{policy}`.", "",
           "| category | what it looks like | count | detail |", "|---|---|---:|---|"]
    out += [f"| {c.title} | {_md(c.what)} | {c.count_text()} | {_md(c.summary)} |"
            for c in audit.categories]
    for category in audit.categories:
        if category.locations:
            out += ["", f"## {category.title} ({category.count_text()})", ""]
            out += [f"- `{loc.text()}` {_md(loc.detail)}" for loc in category.locations]
    for symbol in audit.symbols:
        out += ["", f"## Import paths of `{symbol.symbol}`", "",
                f"Canonical: `{symbol.canonical_import}`; canonical share {symbol.share_text()}.", "",
                "| path | canonical | files | imports |", "|---|---|---:|---:|"]
        out += [f"| `{p.qualname}` | {'yes' if p.canonical else 'no'} | {p.files} | {len(p.locations)} |"
                for p in symbol.paths]
    return "\n".join(out)


def _md(text: str) -> str:
    return text.replace("|", "\\|")
