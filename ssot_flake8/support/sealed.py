"""Cache files that prove they are whole: a header line, then the body, sealed by its digest.

A cache is read on every warm run, so checking the shape of every entry (tens of thousands of
small lists) costs more than using them. Instead the writer puts a digest of the body in the
header: a file whose body matches its digest is one this package wrote, whole, and is used as it
is; anything else (torn, edited, an older format) is damaged and dropped. The header is read on
its own first, so a cache made for another policy or version is dropped without parsing its body.
"""

from __future__ import annotations

import hashlib
import json

SEAL = "blake2b-16"


def seal(header: dict, body: object) -> str:
    """The text of a sealed file: `header` (one JSON line, plus the seal) and `body` (JSON)."""
    text = json.dumps(body, separators=(",", ":"))  # the C encoder
    head = {**header, "seal": f"{SEAL}:{_digest(text.encode('utf-8'))}"}
    return json.dumps(head, separators=(",", ":")) + "\n" + text


def header_of(data: bytes) -> tuple[dict, bytes] | None:
    """The header and the still unparsed body of a sealed file, or None when it is not one."""
    head, newline, body = data.partition(b"\n")
    if not newline:
        return None
    try:
        header = json.loads(head)
    except ValueError:
        return None
    return (header, body) if isinstance(header, dict) else None


def unseal(header: dict, body: bytes) -> object | None:
    """The body, when its digest is the header's seal; None when the file is damaged."""
    if header.get("seal") != f"{SEAL}:{_digest(body)}":
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()
