"""The finding wire format (version 1) shared by the agent and the collector.

One finding is one JSON object on one line (NDJSON)::

    {"id": "<64 hex>", "host": "ws-042", "agent_version": "0.1.0",
     "time": "2024-06-01T08:30:00.123456Z", "path": "/media/usb/list.csv",
     "member": "a.zip!b.csv",                      # only inside containers
     "detector": "cn_mobile", "column": "phone",   # column: only for edm findings
     "masked": "138****5678", "fingerprint": "<hex>", "confidence": 0.95,
     "severity": "medium", "location": {"offset": 120, "line": 3}}

Apart from ``id``, ``host``, ``agent_version`` and ``time`` it is the finding's
``dlp scan --format jsonl`` record without ``type``; ``location`` may carry more
keys inside documents (``sheet``, ``cell``, ``part``, ``paragraph``, ``page``), and
``"name": true`` for a value found in the file's or member's name.
``id`` is the SHA-256 of host, path, member, detector, fingerprint and the whole
location, so the same finding sent twice (a resend after a crash) is the same row.
There is never a raw value: a record with a ``value`` field is rejected.

>>> loc = {"offset": 120, "line": 3}
>>> a = finding_id("ws-042", "/media/usb/list.csv", None, "cn_mobile", "ab12", loc)
>>> a == finding_id("ws-042", "/media/usb/list.csv", None, "cn_mobile", "ab12", dict(loc)), len(a)
(True, 64)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import orjson

from dlp.findings import Finding

_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_HEX = re.compile(r"[0-9a-f]{16,128}\Z")
LIMITS = {
    "host": 255,
    "agent_version": 64,
    "path": 4096,
    "member": 4096,
    "detector": 128,
    "masked": 1024,
    "severity": 16,
    "column": 256,
}
REQUIRED_TEXT = ("host", "agent_version", "path", "detector", "masked", "severity")
OPTIONAL_TEXT = ("member", "column")
MAX_LOCATION_KEYS = 12
FORBIDDEN = ("value",)


class BadRecord(ValueError):
    """A record does not follow the wire format. The message names fields, never content."""


def now_utc() -> str:
    return format_time(datetime.now(timezone.utc))


def format_time(moment: datetime) -> str:
    """Canonical UTC form (sorts as text): ``2024-06-01T08:30:00.123456Z``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> str:
    """Parse an ISO 8601 time (naive means UTC) into the canonical form; ``ValueError`` if bad."""
    if not isinstance(text, str) or len(text) > 64:
        raise ValueError("not a time")
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    return format_time(datetime.fromisoformat(value))


def finding_id(
    host: str, path: str, member: str | None, detector: str, fingerprint: str, location: dict[str, Any]
) -> str:
    """Deterministic id of a finding (hex SHA-256 over its identifying fields)."""
    material = orjson.dumps(
        [1, host, path, member, detector, fingerprint, location], option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(material).hexdigest()


def printable_path(name: str) -> str:
    """A file name as valid UTF-8: undecodable bytes (``os.fsdecode`` surrogates) become ``\\xNN``."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def finding_record(
    finding: Finding, *, host: str, agent_version: str, time: str, mask: Callable[[str], str] | None = None
) -> dict[str, Any]:
    """The wire record of a finding: its ``dlp scan`` JSONL record plus id, host, version and time.

    ``mask`` rewrites the path and member first (the agent masks the values found in
    them: :meth:`dlp.Scanner.mask_values`). Raises ``ValueError`` if the finding holds
    a raw value.
    """
    scan_record = finding.as_record()
    if finding.value is not None or "value" in scan_record:
        raise ValueError("refusing to send a finding with a raw value (scanner must not reveal)")
    mask = mask or _same
    path = printable_path(mask(finding.path))
    member = None if finding.member is None else printable_path(mask(finding.member))
    location = scan_record["location"]
    record: dict[str, Any] = {
        "id": finding_id(host, path, member, finding.detector, finding.fingerprint, location),
        "host": host,
        "agent_version": agent_version,
        "time": time,
    }
    record.update((k, v) for k, v in scan_record.items() if k != "type")
    record["path"] = path
    if member is not None:
        record["member"] = member
    return record


def _same(text: str) -> str:
    return text


def _text(record: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = record.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > LIMITS[name]:
        raise BadRecord(f"field {name!r} must be a non-empty string of at most {LIMITS[name]} characters")
    return value


def _location(location: Any) -> dict[str, Any]:
    if not isinstance(location, dict) or len(location) > MAX_LOCATION_KEYS:
        raise BadRecord("field 'location' must be an object")
    offset, line = location.get("offset"), location.get("line")
    if type(offset) is not int or offset < 0 or type(line) is not int or line < 1:
        raise BadRecord("field 'location' needs an integer offset >= 0 and line >= 1")
    for key, value in location.items():
        if len(key) > 32 or not (
            (type(value) is int and value >= 0)
            or type(value) is bool  # {"name": true}: the value is in the file's name
            or (isinstance(value, str) and len(value) <= 256)
        ):
            raise BadRecord("field 'location' holds only short texts, non-negative integers and booleans")
    return location


def validate(record: Any) -> dict[str, Any]:
    """Check one decoded record; return it normalised (canonical time). Raises :class:`BadRecord`."""
    if not isinstance(record, dict):
        raise BadRecord("not a JSON object")
    for name in FORBIDDEN:
        if name in record:
            raise BadRecord(f"field {name!r} is not accepted: raw values are never stored")
    clean: dict[str, Any] = {name: _text(record, name, required=True) for name in REQUIRED_TEXT}
    clean.update((name, _text(record, name, required=False)) for name in OPTIONAL_TEXT)
    for name, pattern in (("id", _HEX64), ("fingerprint", _HEX)):
        value = record.get(name)
        if not isinstance(value, str) or not pattern.match(value):
            raise BadRecord(f"field {name!r} must be lower-case hex")
        clean[name] = value
    confidence = record.get("confidence")
    if type(confidence) not in (int, float) or not 0 <= confidence <= 1:
        raise BadRecord("field 'confidence' must be a number between 0 and 1")
    clean["confidence"] = float(confidence)
    location = _location(record.get("location"))
    try:
        clean["time"] = parse_time(record.get("time"))  # type: ignore[arg-type]
    except (ValueError, TypeError, OverflowError):
        raise BadRecord("field 'time' must be an ISO 8601 time") from None
    expected = finding_id(
        clean["host"], clean["path"], clean["member"], clean["detector"], clean["fingerprint"], location
    )
    if clean["id"] != expected:
        raise BadRecord("field 'id' does not match the finding's identifying fields")
    clean.update(offset=location["offset"], line=location["line"], location=orjson.dumps(location).decode())
    return clean


def parse_batch(data: bytes) -> list[dict[str, Any]]:
    """Decode and validate a whole NDJSON batch; any bad line rejects the batch (:class:`BadRecord`)."""
    records = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            decoded = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise BadRecord(f"line {number}: not valid JSON") from None
        try:
            records.append(validate(decoded))
        except BadRecord as exc:
            raise BadRecord(f"line {number}: {exc}") from None
    return records
