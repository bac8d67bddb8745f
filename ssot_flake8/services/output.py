"""`ssot check --output-format`: text, json, github and sarif, shaped as ruff prints them."""

from __future__ import annotations

import functools
import json
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path

from ssot_flake8 import __version__
from ssot_flake8.rules import RULES, RULES_BY_CODE
from ssot_flake8.source.text import Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render(findings: Sequence[Finding], output_format: str, statistics: bool = False, *,
           summary: bool = True, colour: bool = False,
           fixes: Mapping[Finding, dict] | None = None) -> str:
    """The whole report, ending with a newline (empty for a clean json/github run). Without
    `summary` (`-q`) the text formats leave out their last line. `fixes`: ruff's `fix` object
    of the fixable findings, for json."""
    if statistics:
        report = render_statistics(findings, output_format)
    elif output_format == "text":
        report = text(findings, colour)
    elif output_format == "json":
        report = json_report(findings, fixes)
    else:
        report = FORMATS[output_format](findings)
    if not summary and output_format == "text":
        report = "".join(report.splitlines(keepends=True)[:-1])
    return report


def summary(count: int) -> str:
    return f"Found {count} error{'' if count == 1 else 's'}." if count else "All checks passed!"


def use_colour(stream) -> bool:
    """Colour on a terminal, as ruff: never with NO_COLOR set, always with FORCE_COLOR set."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    return stream.isatty() and os.environ.get("TERM") != "dumb"


BOLD, RED, CYAN, RESET = "\x1b[1m", "\x1b[1;31m", "\x1b[36m", "\x1b[0m"


def text(findings: Sequence[Finding], colour: bool = False) -> str:
    if not colour:
        return "".join(f"{f.text()}\n" for f in findings) + summary(len(findings)) + "\n"
    colon = f"{CYAN}:{RESET}"
    lines = [f"{BOLD}{f.path}{RESET}{colon}{f.line}{colon}{f.col}{colon} {RED}{f.code}{RESET} "
             f"{f.message}\n" for f in findings]
    return "".join(lines) + summary(len(findings)) + "\n"


def _absolute(path: str) -> str:
    return os.path.abspath(path)


def json_report(findings: Sequence[Finding], fixes: Mapping[Finding, dict] | None = None) -> str:
    fixes = fixes or {}
    items = [
        {
            "cell": None,
            "code": f.code,
            "end_location": {"column": f.end()[1], "row": f.end()[0]},
            "filename": _absolute(f.path),
            "fix": fixes.get(f),
            "location": {"column": f.col, "row": f.line},
            "message": f.message,
            "name": RULES_BY_CODE[f.code].name,
            "noqa_row": f.line,
            "severity": "error",
            "url": rule_url(f.code),
        }
        for f in findings
    ]
    return json.dumps(items, indent=2, sort_keys=True) + "\n"


def rule_url(code: str) -> str | None:
    """The rule's documentation: its row in the README's rule table (anchor `#sot101`). The
    README is the one at the `Documentation` project URL of the installed package, when its
    metadata names one (set `project_urls` in setup.cfg where you host the repository), else
    the README of the checkout this package runs from (`pip install -e`), else None."""
    base = docs_base()
    return f"{base}#{code.lower()}" if base else None


@functools.lru_cache(maxsize=1)
def docs_base() -> str | None:
    try:
        urls = metadata.metadata("ssot-flake8").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        urls = []
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "documentation" and url.strip():
            return url.strip()
    readme = Path(__file__).resolve().parents[2] / "README.md"
    return readme.as_uri() if readme.is_file() else None


def github(findings: Sequence[Finding]) -> str:
    """GitHub workflow commands: an annotation per finding on the pull request's diff."""
    lines = []
    for f in findings:
        properties = (
            f"title={_property(f'ssot ({f.code})')},file={_property(_absolute(f.path))},"
            f"line={f.line},col={f.col},endLine={f.end()[0]},endColumn={f.end()[1]}"
        )
        lines.append(f"::error {properties}::{_data(f.text())}\n")
    return "".join(lines)


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


def sarif(findings: Sequence[Finding]) -> str:
    """SARIF 2.1.0 for code scanning; the rule catalog travels in tool.driver.rules."""
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ssot",
                        "version": __version__,
                        "rules": [_sarif_rule(rule) for rule in RULES],
                    }
                },
                "results": [_sarif_result(f) for f in findings],
            }
        ],
    }
    return json.dumps(log, indent=2, sort_keys=True) + "\n"


def _sarif_rule(rule) -> dict:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.rationale.split(". ")[0].rstrip(".") + "."},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": f"Bad:\n{rule.bad}\n\nGood:\n{rule.good}"},
        **({"helpUri": rule_url(rule.code)} if rule_url(rule.code) else {}),
        "defaultConfiguration": {"enabled": True, "level": "error"},
        "properties": {"id": rule.code, "name": rule.name, "fixable": rule.fixable},
    }


def _sarif_result(f: Finding) -> dict:
    return {
        "ruleId": f.code,
        "level": "error",
        "message": {"text": f.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": Path(_absolute(f.path)).as_uri()},
                    "region": {
                        "startLine": f.line,
                        "startColumn": f.col,
                        "endLine": f.end()[0],
                        "endColumn": f.end()[1],
                    },
                }
            }
        ],
    }


def render_statistics(findings: Sequence[Finding], output_format: str) -> str:
    """Counts per code, most frequent first, as `ruff --statistics` prints them."""
    counts = sorted(Counter(f.code for f in findings).items(), key=lambda item: (-item[1], item[0]))
    if output_format == "json":
        rows = [
            {"code": code, "name": RULES_BY_CODE[code].name, "count": count,
             "fixable": RULES_BY_CODE[code].fixable,
             "fixable_count": count if RULES_BY_CODE[code].fixable else 0}
            for code, count in counts
        ]
        return json.dumps(rows, indent=2) + "\n"
    if not counts:
        return summary(0) + "\n"
    count_width = max(len(str(count)) for _, count in counts)
    code_width = max(len(code) for code, _ in counts)
    any_fixable = any(RULES_BY_CODE[code].fixable for code, _ in counts)
    lines = []
    for code, count in counts:
        rule = RULES_BY_CODE[code]
        marker = ("[*] " if rule.fixable else "[ ] ") if any_fixable else ""
        lines.append(f"{count:>{count_width}}\t{code:<{code_width}}\t{marker}{rule.name}\n")
    return "".join(lines) + summary(len(findings)) + "\n"


# The output formats, by the name `--output-format` takes: a new format is a function above and
# one entry here.
FORMATS = {"text": text, "json": json_report, "github": github, "sarif": sarif}
