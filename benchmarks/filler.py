"""Realistic filler code for the benchmark tree.

Everything here is plain, valid Python 3.10 that never names anything the SSOT policy
governs: the vocabulary below avoids "manager", "websocket", "connection_info" and the
like, so a file only mentions the policy when generate.py plants a snippet in it.
"""

from __future__ import annotations

import random
import re

NOUNS = [
    "thread", "message", "account", "tenant", "invoice", "quota", "prompt", "run", "tool",
    "corpus", "document", "embedding", "workflow", "project", "secret", "credential",
    "webhook", "notification", "report", "schedule", "job", "dataset", "evaluation",
    "feedback", "permission", "role", "policy", "event", "session", "token", "audit",
    "metric", "trace", "usage", "plan", "subscription", "payment", "artifact", "pipeline",
    "cluster", "region", "provider", "completion", "chunk", "query", "stream", "channel",
    "profile", "preference", "organization", "member", "invitation", "snapshot",
    "checkpoint", "batch", "budget", "alert", "incident", "deployment", "template",
    "summary", "transcript", "attachment", "label", "workspace", "vendor", "ledger",
]
VERBS = [
    "load", "fetch", "build", "resolve", "validate", "normalize", "merge", "sync", "refresh",
    "compute", "render", "dispatch", "record", "collect", "prune", "archive", "hydrate",
    "score", "rank", "parse", "serialize", "estimate", "reconcile", "enqueue", "publish",
    "summarize", "tokenize", "transform", "export", "ingest", "apply", "check", "evaluate",
    "assign", "expire", "redact", "throttle", "split", "route", "snapshot", "replay",
]
CLASS_ROLES = [
    "Service", "Repository", "Client", "Processor", "Handler", "Registry", "Resolver",
    "Validator", "Builder", "Planner", "Executor", "Scheduler", "Tracker", "Store", "Gateway",
    "Adapter", "Coordinator", "Dispatcher", "Cache", "Collector", "Reporter", "Serializer",
    "Router", "Engine", "Pool", "Monitor", "Provider", "Orchestrator",
]
DATA_ROLES = [
    "Record", "Snapshot", "Request", "Response", "Payload", "Config", "Settings", "Summary",
    "Stats", "Window", "Envelope", "Descriptor", "Spec", "Result", "Options", "Entry",
]
KEYS = [
    "id", "tenant_id", "status", "created_at", "updated_at", "count", "total", "limit",
    "offset", "cursor", "priority", "region", "source", "kind", "version", "owner", "labels",
    "score", "latency_ms", "attempts", "error", "reason", "trace_id", "metadata", "user_id",
]
STATES = [
    "pending", "active", "running", "succeeded", "failed", "cancelled", "expired",
    "archived", "paused", "queued", "draining", "degraded", "retrying", "blocked",
]
TIERS = ["free", "starter", "team", "business", "enterprise", "internal"]
LOCALS = ["items", "values", "entries", "rows", "pending", "selected", "ranked", "merged"]
PARAM_TYPES = [
    "str", "int", "float", "bool", "dict[str, Any]", "list[str]", "Sequence[int]",
    "Mapping[str, Any] | None", "str | None",
]
FIELD_TYPES = [
    ("str", '""'), ("int", "0"), ("float", "0.0"), ("bool", "False"),
    ("list[str]", "field(default_factory=list)"),
    ("dict[str, Any]", "field(default_factory=dict)"),
    ("datetime | None", "None"), ("str | None", "None"),
]
DOCS = [
    "Coordinate $noun operations for the $area layer.",
    "Keep $noun state consistent across retries and partial failures.",
    "Isolate $noun persistence from the business rules that use it.",
    "Collect $noun data from upstream sources and normalize it.",
    "Small helpers shared by the $noun code paths.",
    "Translate between the public $noun schema and the storage layout.",
    "Apply tenant-level limits before any $noun work is scheduled.",
    "Read-mostly view of $noun data tuned for the hot path.",
    "Emit structured $noun telemetry without blocking the caller.",
    "Validate incoming $noun payloads and reject malformed fields early.",
]
COMMENTS = [
    "# NOTE: keep this in sync with the $noun schema in the $area layer.",
    "# TODO(platform): drop the fallback once every tenant is migrated.",
    "# Retries are cheap here; the upstream call is idempotent.",
    "# Sorting keeps the output stable for snapshot tests.",
    "# Values below were tuned against production traffic in Q3.",
    "# The $noun service returns partial data under load; tolerate it.",
    "# Deliberately shallow copy: callers must not mutate nested values.",
    "# Guard against clock skew between regions.",
]

_PLACEHOLDER = re.compile(r"\$\{(\w+)\}|\$(\w+)")


def template(text: str) -> str:
    """Compile `$name` / `${name}` placeholders into a str.format string.

    Generated code is full of literal braces (dicts, f-strings); writing templates with `$`
    keeps them readable, and compiling once keeps rendering at str.format speed.
    """
    text = text.replace("{", "{{").replace("}", "}}")
    return _PLACEHOLDER.sub(lambda m: "{" + (m.group(1) or m.group(2)) + "}", text)


def indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return pad + text.replace("\n", "\n" + pad).replace("\n" + pad + "\n", "\n\n")


def pascal(*words: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in words)


# Statement chunks for function bodies. Each is valid on its own, given a parameter `$p`
# and a `result` dict defined by the enclosing function. Second item: stdlib names needed.
CHUNKS = [(template(text), needs) for text, needs in [
    ("""if $p is None:
    logger.debug("no $noun supplied; using defaults")
    return result""", ()),
    ("""$v = [item for item in ($p or []) if item]
result["$key"] = len($v)""", ()),
    ("""for index, entry in enumerate($p or ()):
    if index >= $n:
        break
    result.setdefault("$key", []).append(str(entry))""", ()),
    ("""try:
    $v = float(result.get("$key", $n))
except (TypeError, ValueError) as exc:
    logger.warning("could not coerce $key for $noun: %s", exc)
    $v = 0.0
result["$key"] = round($v, 2)""", ()),
    ("""$v = {
    "$key": $n,
    "$key2": "$word",
    "enabled": $flag,
}
result.update($v)""", ()),
    ("""message = f"$verb $noun: {len(result)} fields, $key={result.get('$key')!r}"
logger.info(message)""", ()),
    ("""if isinstance($p, dict):
    result.update({k: v for k, v in $p.items() if not str(k).startswith("_")})""", ()),
    ("""$v = sorted(result, key=str)[:$n]
result["$key"] = ",".join($v)""", ()),
    ("""$comment
result["$key"] = datetime.now(timezone.utc).isoformat()""",
     (("datetime", "datetime"), ("datetime", "timezone"))),
    ("""while len(result) < $n:
    result[f"slot_{len(result)}"] = None""", ()),
    ("""started = time.monotonic()
$v = json.dumps(result, sort_keys=True, default=str)
result["$key"] = {"bytes": len($v), "elapsed": time.monotonic() - started}""",
     (("", "time"), ("", "json"))),
    ("""if result.get("$key") in {"$state", "$state2"}:
    raise RuntimeError(f"$noun is {result['$key']}; refusing to $verb")""", ()),
    ("""$v = {
    key: value
    for key, value in result.items()
    if value not in (None, "", [], {})
}
result = dict($v)""", ()),
    ("""with contextlib.suppress(KeyError):
    del result["$key"]""", (("", "contextlib"),)),
]]
ASYNC_CHUNKS = [(template(text), needs) for text, needs in [
    ("""await asyncio.sleep(0)""", (("", "asyncio"),)),
    ("""$v = await asyncio.gather(*(asyncio.sleep(0, result=i) for i in range($n)))
result["$key"] = sum($v)""", (("", "asyncio"),)),
    ("""try:
    await asyncio.wait_for(asyncio.sleep(0), timeout=$n)
except asyncio.TimeoutError:
    logger.error("timed out while waiting to $verb $noun")
    raise""", (("", "asyncio"),)),
]]
METHOD_CHUNKS = [(template(text), needs) for text, needs in [
    ("""cached = self._cache.get("$key")
if cached is not None:
    return dict(cached)""", ()),
    ("""self._cache["$key"] = dict(result)""", ()),
    ("""if len(self._cache) > $big:
    self._cache.clear()""", ()),
    ("""result["timeout"] = self._timeout
result["$key"] = self._settings.get("$key", "$word")""", ()),
]]
USE_CALLABLE = template("""result.update($callable(result))""")
USE_CLASS = template("""$v = $cls()
result["$key"] = type($v).__name__""")


class ModuleText:
    """Accumulates one generated module: needed stdlib imports, used names, code blocks."""

    def __init__(self, rng: random.Random, area: str, is_test: bool) -> None:
        self.rng = rng
        self.area = area
        self.is_test = is_test
        self.needs: set[tuple[str, str]] = {("", "logging"), ("typing", "Any")}
        self.names: set[str] = set()
        self.blocks: list[str] = []
        self.lines = 0
        self.callables: list[str] = []  # call as name(mapping) -> dict
        self.classes: list[str] = []  # constructible with no arguments
        self.unused: list[str] = []  # imported names no block has used yet
        self.uses_pytest = False

    def fresh(self, base: str) -> str:
        """Return `base`, or `base_2`, `base_3`... if the module already binds it."""
        name, n = base, 1
        while name in self.names:
            n += 1
            name = f"{base}_{n}"
        self.names.add(name)
        return name

    def add(self, block: str) -> None:
        self.blocks.append(block)
        self.lines += block.count("\n") + 3  # the block's own lines plus the blank separators

    def need(self, *pairs: tuple[str, str]) -> None:
        self.needs.update(pairs)

    def words(self) -> dict[str, object]:
        """Fresh random vocabulary for one template fill."""
        rng = self.rng
        key, key2 = rng.sample(KEYS, 2)  # distinct: both may land in one dict literal
        state, state2 = rng.sample(STATES, 2)
        return {
            "noun": rng.choice(NOUNS), "verb": rng.choice(VERBS), "word": rng.choice(NOUNS),
            "key": key, "key2": key2, "n": rng.randint(2, 64),
            "big": rng.choice((128, 256, 1024, 4096)), "flag": rng.choice(("True", "False")),
            "state": state, "state2": state2, "v": rng.choice(LOCALS),
            "area": self.area, "comment": rng.choice(COMMENTS).replace("$area", self.area),
        }

    def doc(self, noun: str) -> str:
        return self.rng.choice(DOCS).replace("$noun", noun).replace("$area", self.area)

    # ---- bodies -------------------------------------------------------------------------

    def chunks(self, param: str, count: int, *, is_async: bool, in_method: bool) -> str:
        """`count` statement chunks at indent 0, operating on `param` and `result`."""
        pool = CHUNKS + (ASYNC_CHUNKS if is_async else []) + (METHOD_CHUNKS if in_method else [])
        parts = []
        for _ in range(count):
            kw = self.words()
            roll = self.rng.random()
            # Real modules use what they import: spend unused imports first.
            name = self.unused.pop() if self.unused and roll < 0.35 else None
            if name is None and roll < 0.2 and self.callables + self.classes:
                name = self.rng.choice(self.callables + self.classes)
            if name in self.callables:
                parts.append(USE_CALLABLE.format(callable=name))
            elif name:
                parts.append(USE_CLASS.format(cls=name, **kw))
            else:
                text, needs = self.rng.choice(pool)
                self.need(*needs)
                kw["p"] = param
                parts.append(text.format(**kw))
        return "\n".join(parts)

    def function(self, name: str, *, is_async: bool, in_method: bool, chunk_count: int,
                 method_chunks: bool | None = None) -> str:
        rng = self.rng
        param = rng.choice(("payload", "data", "values", "raw", "spec", "options", "ids"))
        ptype = rng.choice(PARAM_TYPES)
        if "Sequence" in ptype:
            self.need(("collections.abc", "Sequence"))
        if "Mapping" in ptype:
            self.need(("collections.abc", "Mapping"))
        self_arg = "self, " if in_method else ""
        head = f"{'async ' if is_async else ''}def {name}({self_arg}{param}: {ptype}"
        if rng.random() < 0.4:
            head += f", *, limit: int = {rng.choice((10, 50, 100, 500))}"
        noun = rng.choice(NOUNS)
        lines = [head + ") -> dict[str, Any]:", f'    """{self.doc(noun)}"""']
        if rng.random() < 0.3:
            lines[-1] = (f'    """{self.doc(noun)}\n\n    Args:\n        {param}: Raw {noun} '
                         f'input as received from the caller.\n\n    Returns:\n        A '
                         f'normalized mapping that is safe to persist.\n    """')
        lines.append("    result: dict[str, Any] = {}")
        if method_chunks is None:
            method_chunks = in_method
        lines.append(indent(self.chunks(param, chunk_count, is_async=is_async,
                                        in_method=method_chunks), 4))
        lines.append("    return result")
        return "\n".join(lines)


# ---- top-level blocks -----------------------------------------------------------------

def public_function(m: ModuleText, name: str) -> str:
    """An exported helper: other generated modules call it as name(mapping)."""
    m.need(("collections.abc", "Mapping"))
    noun = m.rng.choice(NOUNS)
    body = indent(m.chunks("payload", m.rng.randint(2, 6), is_async=False, in_method=False), 4)
    return (
        f"def {name}(payload: Mapping[str, Any] | None = None, *, strict: bool = False)"
        f" -> dict[str, Any]:\n"
        f'    """{m.doc(noun)}\n\n    Args:\n        payload: Raw {noun} data.\n'
        f'        strict: Raise instead of dropping malformed fields.\n    """\n'
        f"    result: dict[str, Any] = {{}}\n{body}\n"
        f"    if strict and not result:\n"
        f'        raise ValueError("empty {noun} payload")\n'
        f"    return result"
    )


def service_class(m: ModuleText, name: str) -> str:
    """A class with a no-argument-compatible __init__ and a handful of methods."""
    rng = m.rng
    m.need(("collections.abc", "Mapping"))
    noun = rng.choice(NOUNS)
    methods = rng.randint(2, 9)
    has_async = rng.random() < 0.6
    parts = [
        f'class {name}:\n    """{m.doc(noun)}"""',
        f"    def __init__(self, settings: Mapping[str, Any] | None = None, *, "
        f"timeout: float = {rng.choice((1.5, 5.0, 10.0, 30.0))}) -> None:\n"
        f"        self._settings = dict(settings or {{}})\n"
        f"        self._timeout = timeout\n"
        f"        self._cache: dict[str, Any] = {{}}",
    ]
    if has_async:
        m.need(("", "asyncio"))
        parts[-1] += "\n        self._lock = asyncio.Lock()"
    parts.append(f"    @property\n    def timeout(self) -> float:\n"
                 f'        """Seconds before a {noun} call is abandoned."""\n'
                 f"        return self._timeout")
    used: set[str] = set()
    for _ in range(methods):
        method = f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}"
        if method in used:
            continue
        used.add(method)
        is_async = has_async and rng.random() < 0.5
        parts.append(indent(m.function(method, is_async=is_async, in_method=True,
                                       chunk_count=rng.randint(1, 5)), 4))
    if rng.random() < 0.5:
        parts.append(f"    @classmethod\n"
                     f"    def from_settings(cls, settings: Mapping[str, Any]) -> {name}:\n"
                     f'        """Build an instance from a settings mapping."""\n'
                     f'        return cls(settings, timeout=float(settings.get("timeout", 5.0)))')
    parts.append(f"    def __repr__(self) -> str:\n"
                 f'        return f"{name}(timeout={{self._timeout!r}}, '
                 f'cached={{len(self._cache)}})"')
    return "\n\n".join(parts)


def data_class(m: ModuleText, name: str) -> str:
    rng = m.rng
    m.need(("dataclasses", "dataclass"), ("collections.abc", "Mapping"))
    decorator = rng.choice(("@dataclass", "@dataclass(frozen=True)", "@dataclass(slots=True)"))
    fields = rng.sample(KEYS, rng.randint(3, 9))
    lines = [decorator, f"class {name}:", f'    """{m.doc(rng.choice(NOUNS))}"""', ""]
    for fname in fields:
        ftype, default = rng.choice(FIELD_TYPES)
        if "field(" in default:
            m.need(("dataclasses", "field"))
        if "datetime" in ftype:
            m.need(("datetime", "datetime"))
        lines.append(f"    {fname}: {ftype} = {default}")
    lines += ["", "    def to_dict(self) -> dict[str, Any]:", "        return {"]
    lines += [f'            "{fname}": self.{fname},' for fname in fields]
    lines += ["        }", "", "    @classmethod",
              f"    def from_dict(cls, data: Mapping[str, Any]) -> {name}:",
              "        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}",
              "        return cls(**known)"]
    return "\n".join(lines)


def enum_class(m: ModuleText) -> str:
    m.need(("enum", "Enum"))
    noun = m.rng.choice(NOUNS)
    name = m.fresh(pascal(noun, m.rng.choice(("Status", "State", "Kind", "Phase"))))
    members = m.rng.sample(STATES, m.rng.randint(3, 8))
    body = "\n".join(f'    {s.upper()} = "{s}"' for s in members)
    return f'class {name}(str, Enum):\n    """Lifecycle of a {noun}."""\n\n{body}'


def error_family(m: ModuleText) -> str:
    noun = m.rng.choice(NOUNS)
    base = m.fresh(pascal(noun, "Error"))
    text = (f'class {base}(Exception):\n    """Base error for {noun} operations."""\n\n'
            f'    def __init__(self, message: str, *, code: str = "{noun}_error") -> None:\n'
            f"        super().__init__(message)\n        self.code = code")
    for suffix, why in (("NotFound", "cannot be located"), ("Conflict", "was changed "
                        "concurrently"), ("Invalid", "fails validation")):
        if m.rng.random() < 0.6:
            sub = m.fresh(pascal(noun, suffix, "Error"))
            text += f'\n\n\nclass {sub}({base}):\n    """Raised when a {noun} {why}."""'
    return text


def protocol_class(m: ModuleText) -> str:
    m.need(("typing", "Protocol"))
    noun = m.rng.choice(NOUNS)
    name = m.fresh(pascal(noun, m.rng.choice(("Source", "Sink", "Backend", "Reader"))))
    methods = [f"    def {m.rng.choice(VERBS)}(self, {noun}_id: str) -> dict[str, Any]: ...",
               "    async def close(self) -> None: ..."]
    return f'class {name}(Protocol):\n    """{m.doc(noun)}"""\n\n' + "\n\n".join(methods)


def constants(m: ModuleText) -> str:
    rng = m.rng
    noun = rng.choice(NOUNS).upper()
    timeout = m.fresh(f"DEFAULT_{noun}_TIMEOUT")
    limits = m.fresh(f"{noun}_LIMITS")
    kinds = m.fresh(f"SUPPORTED_{noun}_KINDS")
    tiers = "\n".join(f'    "{t}": {rng.choice((5, 10, 50, 100, 1000))},' for t in TIERS)
    kinds_body = "\n".join(f'    "{s}",' for s in rng.sample(STATES, 4))
    comment = rng.choice(COMMENTS).replace("$noun", noun.lower()).replace("$area", m.area)
    return (f"{comment}\n{timeout} = {rng.choice((5.0, 15.0, 30.0, 120.0))}\n"
            f"{limits}: dict[str, int] = {{\n{tiers}\n}}\n{kinds} = (\n{kinds_body}\n)")


def match_function(m: ModuleText) -> str:
    noun = m.rng.choice(NOUNS)
    name = m.fresh(f"classify_{noun}_status")
    return (f"def {name}(status: str, attempts: int = 0) -> str:\n"
            f'    """Map a raw {noun} status onto the public vocabulary."""\n'
            f"    match status.lower():\n"
            f'        case "ok" | "done" | "succeeded":\n            return "succeeded"\n'
            f'        case "retry" if attempts < {m.rng.randint(2, 9)}:\n'
            f'            return "queued"\n'
            f'        case "error" | "failed":\n            return "failed"\n'
            f'        case _:\n            return "unknown"')


def plain_function(m: ModuleText) -> str:
    is_async = m.rng.random() < 0.4
    name = m.fresh(f"{'_' if m.rng.random() < 0.3 else ''}"
                   f"{m.rng.choice(VERBS)}_{m.rng.choice(NOUNS)}")
    return m.function(name, is_async=is_async, in_method=False,
                      chunk_count=m.rng.randint(2, 7))


def extra_class(m: ModuleText) -> str:
    noun = m.rng.choice(NOUNS)
    if m.rng.random() < 0.5:
        return data_class(m, m.fresh(pascal(noun, m.rng.choice(DATA_ROLES))))
    return service_class(m, m.fresh(pascal(noun, m.rng.choice(CLASS_ROLES))))


APP_BLOCKS = [
    (plain_function, 30), (extra_class, 30), (enum_class, 6), (error_family, 5),
    (protocol_class, 4), (constants, 6), (match_function, 3),
]


# ---- test modules ---------------------------------------------------------------------

def test_function(m: ModuleText) -> str:
    rng = m.rng
    name = m.fresh(f"test_{rng.choice(VERBS)}_{rng.choice(NOUNS)}_{rng.choice(STATES)}")
    (key, key2), n = rng.sample(KEYS, 2), rng.randint(1, 99)
    call = f"{rng.choice(m.callables)}(payload)" if m.callables else "dict(payload)"
    return (f"def {name}() -> None:\n"
            f'    payload = {{"{key}": {n}, "{key2}": "{rng.choice(NOUNS)}"}}\n'
            f"    outcome = {call}\n"
            f"    assert isinstance(outcome, dict)\n"
            f'    assert outcome.get("{key}", {n}) is not None')


def test_async(m: ModuleText) -> str:
    m.need(("", "asyncio"))
    m.uses_pytest = True
    name = m.fresh(f"test_{m.rng.choice(VERBS)}_{m.rng.choice(NOUNS)}_async")
    build = f"{m.rng.choice(m.classes)}()" if m.classes else "object()"
    return (f"@pytest.mark.asyncio\nasync def {name}() -> None:\n"
            f"    await asyncio.sleep(0)\n    instance = {build}\n"
            f"    assert instance is not None")


def test_parametrized(m: ModuleText) -> str:
    m.uses_pytest = True
    name = m.fresh(f"test_{m.rng.choice(NOUNS)}_threshold")
    limit = m.rng.randint(1, 50)
    cases = ", ".join(f"({v}, {v > limit!s})" for v in m.rng.sample(range(100), 4))
    return (f'@pytest.mark.parametrize("value, expected", [{cases}])\n'
            f"def {name}(value: int, expected: bool) -> None:\n"
            f"    assert (value > {limit}) is expected")


def test_fixture(m: ModuleText) -> str:
    m.uses_pytest = True
    noun = m.rng.choice(NOUNS)
    name = m.fresh(f"{noun}_payload")
    keys = m.rng.sample(KEYS, 4)
    body = "\n".join(f'        "{k}": "{m.rng.choice(NOUNS)}",' for k in keys)
    return (f"@pytest.fixture\ndef {name}() -> dict[str, Any]:\n"
            f'    """A minimal valid {noun} payload."""\n    return {{\n{body}\n    }}')


def test_class(m: ModuleText) -> str:
    noun = m.rng.choice(NOUNS)
    name = m.fresh(pascal("Test", noun, m.rng.choice(CLASS_ROLES)))
    methods = [indent(m.function(f"test_{v}_{noun}", is_async=False, in_method=True,
                                 chunk_count=m.rng.randint(1, 3), method_chunks=False), 4)
               for v in m.rng.sample(VERBS, m.rng.randint(2, 5))]
    methods = [t.replace(" -> dict[str, Any]:", " -> None:").replace("return result",
                                                                   "assert result is not None")
               for t in methods]
    # The rewritten bodies may `return result` early; harmless for a test that returns None.
    return f'class {name}:\n    """Behaviour of the {noun} code path."""\n\n' + "\n\n".join(methods)


TEST_BLOCKS = [
    (test_function, 30), (test_async, 10), (test_parametrized, 8), (test_fixture, 6),
    (test_class, 12),
]


def dependency_block(m: ModuleText) -> str:
    """Use the imports no block got to, the way wiring modules list their collaborators."""
    listed = "".join(f"    {name},\n" for name in sorted(m.unused))
    m.unused.clear()
    name = m.fresh("_COLLABORATORS")
    return (f"# Resolved at import time so a missing dependency fails fast.\n"
            f"{name}: tuple[Any, ...] = (\n{listed})")


def filler_block(m: ModuleText) -> str:
    table = TEST_BLOCKS if m.is_test else APP_BLOCKS
    make = m.rng.choices([f for f, _ in table], weights=[w for _, w in table])[0]
    return make(m)
