"""import-linter's graph builder port, filled by our parser instead of grimp's scanner."""

from __future__ import annotations

import sys

from importlinter.application.ports.building import GraphBuilder

from ssot_flake8.analysis.graph import Unparsable, build_import_graph


class TolerantGraphBuilder(GraphBuilder):
    """grimp's graph (modules, imports, line numbers and contents), built by parsing; a file that
    does not parse gives its imports anyway and one warning line on stderr."""

    def __init__(self) -> None:
        self.unparsable: list[Unparsable] = []

    def build(
        self,
        root_package_names: list[str],
        cache_dir: str | None,
        include_external_packages: bool = False,
        exclude_type_checking_imports: bool = False,
    ):
        return build_import_graph(
            root_package_names,
            None,  # found on sys.path, as grimp finds them (import-linter put the cwd first)
            include_external_packages=bool(include_external_packages),
            exclude_type_checking_imports=bool(exclude_type_checking_imports),
            cache_dir=cache_dir,
            on_unparsable=self.warn,
        )

    def warn(self, problem: Unparsable) -> None:
        self.unparsable.append(problem)
        print(f"ssot lint-imports: warning: {problem.text()}", file=sys.stderr, flush=True)
