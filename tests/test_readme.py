"""The README's rule table is generated from the rule declarations; it must not be stale."""

from __future__ import annotations

import importlib.util

from conftest import REPO, run

from ssot_flake8.rules import RULES


def test_readme_rule_table_is_current():
    spec = importlib.util.spec_from_file_location("update_readme", REPO / "scripts/update_readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert module.with_table(text) == text, "run: python scripts/update_readme.py"


def test_ssot_rules_prints_every_rule():
    result = run("ssot", "rules")
    headers = [line for line in result.stdout.splitlines() if line[:3] == "SOT"]
    assert [h.split()[0] for h in headers] == [rule.code for rule in RULES]
    assert result.returncode == 0


def test_rule_codes_are_valid_flake8_codes():
    import re

    assert all(re.fullmatch(r"[A-Z]{1,3}[0-9]{0,3}", rule.code) for rule in RULES)
