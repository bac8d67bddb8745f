"""The import-linter front-end: the `ssot` contract type, so `lint-imports` runs the engine too.

Register it in the config:  contract_types = ssot: ssot_flake8.contracts.SsotContract
"""

from __future__ import annotations

import sys
from pathlib import Path

from importlinter import Contract, ContractCheck, fields, output

from .engine import check_file
from .index import expand_policy
from .policy import LIST_FIELDS, Policy, PolicyError, build_policy, module_path


class SsotContract(Contract):
    """Per-symbol single-source-of-truth rules, checked over the modules of import-linter's graph."""

    canonical = fields.ListField(subfield=fields.StringField())
    old_names = fields.ListField(subfield=fields.StringField(), required=False)
    deprecated_modules = fields.ListField(subfield=fields.StringField(), required=False)
    banned_calls = fields.ListField(subfield=fields.StringField(), required=False)
    required_arguments = fields.ListField(subfield=fields.StringField(), required=False)
    exempt_modules = fields.ListField(subfield=fields.StringField(), required=False)
    type_checking_imports = fields.StringField(required=False, default="report")

    def policy(self) -> Policy:
        options = {"id": self.name, "name": self.name, "type": "ssot"}
        options.update({k: v for k, v in self.contract_options.items() if k in LIST_FIELDS})
        if "type_checking_imports" in self.contract_options:
            options["type_checking_imports"] = self.contract_options["type_checking_imports"]
        session = dict(self.session_options)
        session["contract_types"] = ["ssot: ssot_flake8.contracts.SsotContract"]
        search_dirs = [Path(entry or ".") for entry in sys.path]
        return build_policy(Path("import-linter configuration"), session, [options], search_dirs)

    def check(self, graph, verbose: bool) -> ContractCheck:
        try:
            policy = self.policy()
            expand_policy(policy)
        except PolicyError as error:
            return ContractCheck(kept=False, metadata={"error": str(error), "findings": []})
        findings = []
        root = policy.source_roots[0]
        for module in sorted(graph.modules):
            path = module_path(root, module)
            if path is None or path.is_dir():
                continue
            output.verbose_print(verbose, f"Checking {module}...")
            findings.extend((module, f) for f in check_file(path, policy))
        return ContractCheck(kept=not findings, metadata={"findings": findings})

    def render_broken_contract(self, check: ContractCheck) -> None:
        if check.metadata.get("error"):
            output.print_error(check.metadata["error"])
            output.new_line()
            return
        for module, finding in check.metadata["findings"]:
            output.print_error(f"{module}:{finding.line}: {finding.code} {finding.message}", bold=False)
        output.new_line()
