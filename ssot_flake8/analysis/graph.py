"""grimp's import graph, built by parsing (never importing), reading past files that do not parse.

`build_import_graph` gives what `grimp.build_graph` gives (the same modules, squashed external
packages, imports with their line numbers and line contents), with one difference: grimp stops
at the first file with a syntax error, this reads that file's imports with the fallback scanner
and reports it once. import-linter's contracts then check the whole package
(`ssot lint-imports`, commands/lint_imports).

The steps are grimp's: its module finder lists the files (so the module set is grimp's), the
statements are read as its scanner reads them (source.imports), names are resolved as its
`_get_internal_module` and `_distill_external_module` resolve them, and the graph is assembled
as its `_assemble_graph` does. Imports are cached with grimp's own cache class, in a directory
of their own, so a plain `lint-imports` never reads an entry made past a syntax error.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import grimp
from grimp.adaptors.caching import Cache
from grimp.adaptors.filesystem import FileSystem
from grimp.adaptors.modulefinder import ModuleFinder
from grimp.application.ports.caching import CacheMiss
from grimp.application.ports.modulefinder import FoundPackage, ModuleFile
from grimp.domain.valueobjects import DirectImport, Module

from ssot_flake8.source.imports import FileImports, ImportedObject, file_imports, internal_module
from ssot_flake8.support.parallel import map_in_workers, may_start_workers

GRIMP_CHUNK = 256  # files per call of grimp's scanner: a refused file costs one chunk's rescan
PARALLEL_MIN_FILES = 400  # below this, starting workers costs more than it saves
CACHE_SUBDIRECTORY = "ssot-graph"


@dataclass(frozen=True)
class Unparsable:
    path: str
    line: int
    reason: str

    def text(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}; its imports were read past the error"


def build_import_graph(
    root_package_names: Sequence[str],
    source_roots: Sequence[str | Path] | None = None,
    *,
    include_external_packages: bool = False,
    exclude_type_checking_imports: bool = False,
    cache_dir: str | None = None,
    on_unparsable: Callable[[Unparsable], None] | None = None,
    use_grimp_scanner: bool = True,
    jobs: int | None = None,
) -> grimp.ImportGraph:
    """The import graph of the root packages, found in `source_roots` (default: where Python
    would find them, without importing anything). `on_unparsable` hears of each file that did not
    parse (default: one warning line on stderr); `cache_dir` is import-linter's cache directory.

    With `use_grimp_scanner` (the default), the files grimp's own (Rust) scanner reads are read
    by it, a few hundred at a time; each file it refuses is read by ours (source.imports), which
    reads past the error. Without it, ours reads every file (slower; the same graph)."""
    report = on_unparsable or _warn
    found = find_packages(root_package_names, source_roots)
    modules = {module_file.module.name for package in found for module_file in package.module_files}
    cache = _open_cache(found, include_external_packages, exclude_type_checking_imports, cache_dir)
    imports_by_module: dict[Module, set[DirectImport]] = {}
    tasks: list[Task] = []
    for package in sorted(found, key=lambda p: (p.name, p.directory)):
        for module_file in sorted(package.module_files, key=lambda m: m.module.name):
            try:
                if cache is None:
                    raise CacheMiss
                imports_by_module[module_file.module] = cache.read_imports(module_file)
            except CacheMiss:
                tasks.append(Task(module_file, *module_filename(module_file.module.name, package)))
    refused: dict[str, tuple[int, str]] = {}  # path -> where and why grimp's scanner refused it
    if use_grimp_scanner:
        tasks = _scan_with_grimp(tasks, found, imports_by_module, refused,
                                 include_external_packages=include_external_packages,
                                 exclude_type_checking_imports=exclude_type_checking_imports)
    unparsable: set[Module] = set()
    for task, scanned in zip(tasks, _scan(tasks, jobs), strict=True):
        line, problem = (scanned.line, scanned.problem) if scanned.problem else refused.get(
            task.path, (0, None))
        if problem is not None:
            unparsable.add(task.module_file.module)
            report(Unparsable(_display(task.path), line, problem))
        imports_by_module[task.module_file.module] = resolve(
            task.module_file.module.name, scanned.objects, modules, found,
            include_external_packages=include_external_packages,
            exclude_type_checking_imports=exclude_type_checking_imports)
    if cache is not None:  # a file read past its error is scanned (and reported) every time
        cache.write({m: i for m, i in imports_by_module.items() if m not in unparsable})
    return assemble(found, imports_by_module)


@dataclass(frozen=True)
class Task:
    module_file: ModuleFile
    path: str
    is_package: bool


# -- finding the packages and their files --------------------------------------------------------


def find_packages(names: Iterable[str], source_roots: Sequence[str | Path] | None) -> set[FoundPackage]:
    file_system = FileSystem()
    found: set[FoundPackage] = set()
    for name in names:
        for directory in package_directories(name, source_roots):
            found.add(ModuleFinder().find_package(
                package_name=name, package_directory=directory, file_system=file_system))
    return found


def package_directories(name: str, source_roots: Sequence[str | Path] | None) -> set[str]:
    """Where the package `name` lives, found as grimp finds it, with nothing imported: grimp asks
    `importlib.util.find_spec`, which imports the parents of a dotted name; this looks each parent
    up on the path instead (a root package below a regular package is refused, as grimp does)."""
    if not isinstance(name, str):
        raise TypeError(f"Package names must be strings, got {name.__class__.__name__}.")
    parts = name.split(".")
    if source_roots is None:
        spec = importlib.util.find_spec(parts[0])  # a top-level name: nothing is imported
    else:
        spec = importlib.machinery.PathFinder.find_spec(parts[0], [str(r) for r in source_roots])
    for index in range(1, len(parts)):
        if spec is None or not spec.submodule_search_locations:
            spec = None
            break
        if spec.has_location and spec.origin:  # a regular package: `name` is not top level
            raise grimp.exceptions.NotATopLevelModule
        spec = importlib.machinery.PathFinder.find_spec(
            ".".join(parts[: index + 1]), list(spec.submodule_search_locations))
    if not spec:
        raise ValueError(f"Could not find package '{name}' in your Python path.")
    if spec.has_location and spec.origin and os.path.basename(spec.origin) != "__init__.py":
        raise grimp.exceptions.NotATopLevelModule
    return set(spec.submodule_search_locations or ())


def module_filename(name: str, package: FoundPackage) -> tuple[str, bool]:
    """The file of module `name` and whether it is a package's `__init__` (grimp's
    `_determine_module_filename`: `x.py` first, then `x/__init__.py`)."""
    leaf = name.split(".")[len(package.name.split(".")):]
    root = os.path.join(package.directory, *leaf)
    if os.path.exists(root + ".py"):
        return root + ".py", False
    return os.path.join(root, "__init__.py"), True


# -- scanning ------------------------------------------------------------------------------------


def _scan_with_grimp(tasks: list[Task], found: set[FoundPackage],
                     imports_by_module: dict[Module, set[DirectImport]],
                     refused: dict[str, tuple[int, str]],
                     **options: bool) -> list[Task]:
    """Scan with grimp's scanner what it can read; return the tasks it refused (`refused` gets
    its reason by path). A chunk it fails on without naming a file is left to ours whole."""
    try:
        from grimp.application.scanning import scan_imports
    except ImportError:  # another grimp: ours reads everything
        return tasks
    left: list[Task] = []
    for start in range(0, len(tasks), GRIMP_CHUNK):
        chunk = {task.module_file: task for task in tasks[start:start + GRIMP_CHUNK]}
        while chunk:
            try:
                scanned = scan_imports(set(chunk), found_packages=found, **options)
            except grimp.exceptions.SourceSyntaxError as error:
                task = next((t for t in chunk.values() if t.path == error.filename), None)
                if task is None:
                    left.extend(chunk.values())
                    break
                refused[task.path] = (error.lineno or 1, f"grimp cannot parse it: {error.text}")
                left.append(chunk.pop(task.module_file))
                continue
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException:  # a Rust panic (an unreadable file) is a BaseException
                left.extend(chunk.values())
                break
            for module_file, direct_imports in scanned.items():
                imports_by_module[module_file.module] = direct_imports
            break
    return left


def _scan(tasks: list[Task], jobs: int | None) -> Iterable[FileImports]:
    work = [(task.path, task.module_file.module.name, task.is_package) for task in tasks]
    workers = min(jobs or os.cpu_count() or 1, 1 + len(work) // PARALLEL_MIN_FILES)
    if workers <= 1 or not may_start_workers():
        return map(_scan_one, work)
    return map_in_workers(_scan_one, work, workers, max(32, len(work) // (workers * 8)))
def _scan_one(task: tuple[str, str, bool]) -> FileImports:
    path, module, is_package = task
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return FileImports((), f"cannot read: {error.strerror or error}", 1)
    return file_imports(data, path, module, is_package)


# -- resolving, as grimp's import scanner does ---------------------------------------------------


def resolve(
    importer: str, objects: Iterable[ImportedObject], modules: set[str], found: set[FoundPackage],
    *, include_external_packages: bool, exclude_type_checking_imports: bool,
) -> set[DirectImport]:
    imports: set[DirectImport] = set()
    for imported_object in objects:
        if exclude_type_checking_imports and imported_object.typechecking_only:
            continue
        imported = internal_module(imported_object.name, modules)
        if imported is None and include_external_packages:
            imported = distill_external_module(imported_object.name, found)
        if imported is not None:
            imports.add(DirectImport(
                importer=Module(importer), imported=Module(imported),
                line_number=imported_object.line_number,
                line_contents=imported_object.line_contents))
    return imports


def distill_external_module(name: str, found: set[FoundPackage]) -> str | None:
    """The squashed external module for `name`: its top-level package, or, when it shares a
    namespace with a root package, the shallowest part that does not clash with it."""
    root = name.split(".")[0]
    if any(package.name.startswith(name + ".") for package in found):
        return None  # a parent of a root package: probably a namespace package
    candidates: set[str] = set()
    for package in sorted(found, key=lambda p: p.name, reverse=True):
        if package.name.startswith(root + "."):
            internal, external, namespace = package.name.split("."), name.split("."), []
            while external and internal and external[0] == internal[0]:
                namespace.append(external.pop(0))
                internal.pop(0)
            if external:
                namespace.append(external[0])
            candidates.add(".".join(namespace))
    if candidates:
        return max(sorted(candidates), key=lambda portion: portion.count("."))
    return root


# -- the graph ------------------------------------------------------------------------------------


def assemble(found: set[FoundPackage], imports_by_module: dict[Module, set[DirectImport]]):
    graph = grimp.ImportGraph()
    for package in found:
        for namespace_package in package.namespace_packages:
            graph.add_module(namespace_package)
    roots = {package.name for package in found}
    for module, direct_imports in imports_by_module.items():
        graph.add_module(module.name)
        for direct_import in direct_imports:
            name = direct_import.imported.name
            graph.add_module(name, is_squashed=not any(
                name == root or name.startswith(root + ".") for root in roots))
            graph.add_import(importer=direct_import.importer.name, imported=name,
                             line_number=direct_import.line_number,
                             line_contents=direct_import.line_contents)
    return graph


def _open_cache(found: set[FoundPackage], include_external: bool, exclude_type_checking: bool,
                cache_dir: str | None) -> Cache | None:
    if cache_dir is None:
        return None
    return Cache.setup(file_system=FileSystem().convert_to_basic(), found_packages=found,
                       include_external_packages=include_external,
                       exclude_type_checking_imports=exclude_type_checking,
                       cache_dir=os.path.join(cache_dir, CACHE_SUBDIRECTORY))


def _display(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def _warn(problem: Unparsable) -> None:
    print(f"warning: {problem.text()}", file=sys.stderr)
