"""The agent's parts on their own: wire format, tokens, debouncer, mounts, state file, file processing."""

from __future__ import annotations

import gzip
import logging
import os
import random
import sqlite3
import threading
from pathlib import Path

import orjson
import pytest
from test_agent_support import KEY, pii_text, raw_leaks, sample_records

import dlp
from dlp.agents import wire
from dlp.agents.debounce import Debouncer
from dlp.agents.filescan import FileProcessor, Outcome, keyed_digest
from dlp.agents.mounts import Mount, is_network, mount_of, mounts_below, parse_mountinfo
from dlp.agents.sender import backoff, findings_url
from dlp.agents.server import TooLarge, Unsupported, inflate, parse_listen
from dlp.agents.state import FileSig, StateDB
from dlp.agents.tokens import TokenSet, read_tokens
from dlp.errors import ConfigError

# -- wire format ---------------------------------------------------------------------------


def test_finding_id_is_deterministic_and_covers_every_identifying_field() -> None:
    base = ("ws-1", "/m/a.csv", None, "cn_mobile", "ab" * 32, {"offset": 5, "line": 2})
    first = wire.finding_id(*base)
    assert first == wire.finding_id(*base)
    variants = [
        ("ws-2", *base[1:]),
        (base[0], "/m/b.csv", *base[2:]),
        (*base[:2], "x.zip!a.csv", *base[3:]),
        (*base[:3], "email", *base[4:]),
        (*base[:4], "cd" * 32, base[5]),
        (*base[:5], {"offset": 6, "line": 2}),
        (*base[:5], {"offset": 5, "line": 2, "sheet": "S1"}),
    ]
    ids = {wire.finding_id(*v) for v in variants}
    assert first not in ids and len(ids) == len(variants)
    assert wire.finding_id(*base[:5], {"line": 2, "offset": 5}) == first  # key order does not matter


def test_records_round_trip_through_validation() -> None:
    for record in sample_records(20):
        clean = wire.validate(orjson.loads(orjson.dumps(record)))
        assert clean["id"] == record["id"]
        assert clean["time"] == "2024-06-01T08:00:00.000000Z"
        assert orjson.loads(clean["location"]) == record["location"]


def test_record_of_a_scanned_finding_has_no_raw_value(masked_scanner: dlp.Scanner) -> None:
    text, values = pii_text(random.Random(3))
    findings = masked_scanner.scan_text(text, name="/w/a.txt").findings
    assert {f.detector for f in findings} >= {"cn_mobile", "cn_resident_id", "email"}
    for finding in findings:
        record = wire.finding_record(finding, host="h", agent_version="0.1.0", time=wire.now_utc())
        line = orjson.dumps(record)
        assert not any(v.encode() in line for v in values)
        assert "value" not in record and wire.validate(orjson.loads(line))["masked"] == finding.masked


def test_a_revealed_finding_is_refused(scanner: dlp.Scanner) -> None:
    finding = scanner.scan_text("手机 13812345678").findings[0]
    with pytest.raises(ValueError, match="raw value"):
        wire.finding_record(finding, host="h", agent_version="0", time=wire.now_utc())


def test_undecodable_file_names_become_printable() -> None:
    name = os.fsdecode(b"/w/\xff\xfelist.csv")
    shown = wire.printable_path(name)
    shown.encode("utf-8")
    assert shown == "/w/\\xff\\xfelist.csv"
    assert wire.printable_path("/w/客户.csv") == "/w/客户.csv"


def test_parse_batch_names_the_line_never_the_content() -> None:
    good = b"".join(orjson.dumps(r) + b"\n" for r in sample_records(3))
    assert len(wire.parse_batch(good + b"\n\n")) == 3
    with pytest.raises(wire.BadRecord, match="line 4") as caught:
        wire.parse_batch(good + b'{"value": "13812345678"}\n')
    assert "13812345678" not in str(caught.value)


def test_times_are_normalised_to_utc() -> None:
    assert wire.parse_time("2024-06-01T10:30:00+02:00") == "2024-06-01T08:30:00.000000Z"
    assert wire.parse_time("2024-06-01") == "2024-06-01T00:00:00.000000Z"
    with pytest.raises(ValueError):
        wire.parse_time("tomorrow")


# -- tokens ---------------------------------------------------------------------------------


def test_token_file_with_comments_and_several_tokens(tmp_path: Path) -> None:
    path = tmp_path / "tokens"
    path.write_text("# fleet A\n  token-a-0123456789abcdef  \n\n# fleet B\ntoken-b-0123456789abcdef\n")
    path.chmod(0o600)
    tokens = read_tokens(path)
    assert tokens == (b"token-a-0123456789abcdef", b"token-b-0123456789abcdef")
    checker = TokenSet(tokens)
    assert checker.check("Bearer token-b-0123456789abcdef")
    assert checker.check("bearer token-a-0123456789abcdef")
    assert not checker.check("Bearer token-c-0123456789abcdef")
    assert not checker.check("token-a-0123456789abcdef")
    assert "token-a" not in repr(checker)


def test_bad_token_files_are_config_errors(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    empty = tmp_path / "empty"
    empty.write_text("# nothing yet\n")
    with pytest.raises(ConfigError, match="no token"):
        read_tokens(empty)
    short = tmp_path / "short"
    short.write_text("abc\n")
    with pytest.raises(ConfigError, match="line 1") as caught:
        read_tokens(short)
    assert "abc" not in str(caught.value)
    with pytest.raises(ConfigError):
        read_tokens(tmp_path / "missing")
    loose = tmp_path / "loose"
    loose.write_text("token-a-0123456789abcdef\n")
    loose.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        read_tokens(loose)
    assert "chmod 600" in caplog.text and "token-a" not in caplog.text


# -- debouncer ------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_debouncer_waits_for_quiet_and_merges_bursts() -> None:
    clock = Clock()
    d = Debouncer(1.0, clock=clock)
    for _ in range(5):
        d.touch("/w/a")
        clock.now += 0.5
    assert d.get(timeout=0) is None  # last event 0.5 s ago
    clock.now += 0.6
    assert d.get(timeout=0) == "/w/a"
    assert d.get(timeout=0) is None  # handed out once for the whole burst


def test_settled_files_go_first_and_active_paths_are_not_handed_out_twice() -> None:
    clock = Clock()
    d = Debouncer(1.0, clock=clock)
    d.touch("/w/slow")
    d.touch("/w/renamed", settled=True)
    assert d.get(timeout=0) == "/w/renamed"
    d.touch("/w/renamed", settled=True)  # changed again while being scanned
    assert d.get(timeout=0) is None
    d.done("/w/renamed")
    assert d.get(timeout=0) == "/w/renamed"
    d.done("/w/renamed")
    clock.now += 1.0
    assert d.get(timeout=0) == "/w/slow"
    assert len(d) == 1


def test_close_wakes_waiters() -> None:
    d = Debouncer(0.0)
    results: list[str | None] = []
    waiter = threading.Thread(target=lambda: results.append(d.get()))
    waiter.start()
    d.close()
    waiter.join(timeout=5)
    assert not waiter.is_alive() and results == [None]


def test_a_blocked_get_wakes_up_for_a_new_path() -> None:
    d = Debouncer(0.0)
    results: list[str | None] = []
    waiter = threading.Thread(target=lambda: results.append(d.get(timeout=10)))
    waiter.start()
    d.touch("/w/new", settled=True)
    waiter.join(timeout=10)
    assert results == ["/w/new"]


# -- mounts ---------------------------------------------------------------------------------

MOUNTINFO = """\
22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw
40 22 0:40 / /home/u/share rw - cifs //nas/share rw,vers=3.0
41 22 8:17 / /media/u/USB\\040KEY rw,nosuid - vfat /dev/sdb1 rw
42 22 0:41 / /mnt/nfs rw - nfs4 nas:/export rw
broken line
"""


def test_mountinfo_parsing_and_queries() -> None:
    mounts = parse_mountinfo(MOUNTINFO)
    assert Mount("/media/u/USB KEY", "vfat") in mounts
    assert len(mounts) == 4
    assert mount_of("/home/u/share/x.csv", mounts) == Mount("/home/u/share", "cifs")
    assert mount_of("/home/u/sharex", mounts) == Mount("/", "ext4")
    assert mounts_below(["/media"], mounts) == {"/media/u/USB KEY"}
    assert mounts_below(["/media/u/USB KEY"], mounts) == frozenset()
    assert mounts_below(["/mnt", "/home/u"], mounts) == {"/mnt/nfs", "/home/u/share"}


def test_network_file_systems_are_recognised(tmp_path: Path) -> None:
    mounts = parse_mountinfo(MOUNTINFO)
    assert is_network("/home/u/share/docs", mounts)
    assert is_network("/mnt/nfs", mounts)
    assert not is_network("/media/u/USB KEY/a.txt", mounts)


# -- sender helpers, body decoding ------------------------------------------------------------


def test_backoff_grows_with_jitter_up_to_the_cap() -> None:
    rng = random.Random(1)
    delays = [backoff(n, 8.0, rng) for n in range(1, 12)]
    assert all(0 < d <= 8.0 for d in delays)
    assert 0.25 <= delays[0] <= 0.5
    assert all(4.0 <= d <= 8.0 for d in delays[5:])
    assert len({round(d, 6) for d in delays[5:]}) > 1


def test_findings_url() -> None:
    assert findings_url("http://c:8765") == "http://c:8765/v1/findings"
    assert findings_url("https://c/dlp/") == "https://c/dlp/v1/findings"
    assert findings_url("https://c/v1/findings") == "https://c/v1/findings"


def test_inflate_limits_decompressed_size() -> None:
    data = b"x" * 5000
    assert inflate(gzip.compress(data), "gzip", 5000) == data
    assert inflate(data, None, 10) == data  # the wire size is checked while reading
    with pytest.raises(TooLarge):
        inflate(gzip.compress(data), "gzip", 4999)
    with pytest.raises(wire.BadRecord):
        inflate(b"not gzip", "gzip", 5000)
    with pytest.raises(wire.BadRecord):
        inflate(gzip.compress(data) + b"junk", "gzip", 10_000)
    with pytest.raises(Unsupported):
        inflate(data, "br", 5000)


def test_parse_listen() -> None:
    assert parse_listen("127.0.0.1:8765") == ("127.0.0.1", 8765)
    assert parse_listen("[::1]:0") == ("::1", 0)
    for bad in ("8765", "host:", ":80", "h:99999"):
        with pytest.raises(ConfigError):
            parse_listen(bad)


# -- state file -------------------------------------------------------------------------------


def spool_rows(n: int, seed: int = 1) -> list[tuple[str, bytes]]:
    return [(r["id"], orjson.dumps(r)) for r in sample_records(n, seed=seed)]


def test_spool_survives_reopening_and_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    state = StateDB(db, spool_max=100)
    sig = FileSig(10, 20, 30)
    assert state.commit_scan("/w/a", sig, "d1", spool_rows(5)) == 5
    assert state.commit_scan("/w/a", sig, "d1", spool_rows(5)) == 0  # same ids
    assert state.pending == 5 and state.changed.is_set()
    first = state.batch(2)
    state.ack(first)
    assert state.pending == 3
    state.quarantine(state.batch(1), "malformed")
    state.close()
    again = StateDB(db, spool_max=100)
    assert again.pending == 2 and again.quarantined() == 1
    assert again.cached("/w/a") is not None and again.cached("/w/a").digest == "d1"  # type: ignore[union-attr]
    assert [item.id for item in again.batch(10)] == [row[0] for row in spool_rows(5)[3:]]
    again.close()
    assert oct(db.stat().st_mode & 0o777) == oct(0o600)


def test_a_failed_commit_leaves_neither_findings_nor_cache_row(tmp_path: Path) -> None:
    state = StateDB(tmp_path / "state.db", spool_max=100)
    with pytest.raises(sqlite3.Error):
        state.commit_scan("/w/a", FileSig(1, 2, 3), "d", [("id-1", b"{}"), ("id-2", {"not": "bytes"})])  # type: ignore[list-item]
    assert state.pending == 0 and state.batch(10) == [] and state.cached("/w/a") is None
    state.close()


def test_full_spool_is_logged_loudly_and_frees_up_on_ack(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    state = StateDB(tmp_path / "state.db", spool_max=3)
    state.commit_scan("/w/a", None, None, spool_rows(3))
    with caplog.at_level(logging.WARNING):
        assert state.wait_for_room(timeout=0.01) is False
        assert "SPOOL FULL" in caplog.text
        state.ack(state.batch(1))
        assert state.wait_for_room(timeout=0.01) is True
    assert "scanning resumes" in caplog.text
    state.close()


# -- one file -----------------------------------------------------------------------------------


def test_processing_spools_findings_and_skips_unchanged_files(
    tmp_path: Path, masked_scanner: dlp.Scanner
) -> None:
    (tmp_path / "state").mkdir()
    state = StateDB(tmp_path / "state" / "state.db", spool_max=1000)
    proc = FileProcessor(masked_scanner, state, key=KEY.encode(), host="ws-unit")
    text, values = pii_text(random.Random(8))
    path = tmp_path / "list.txt"
    path.write_text(text, encoding="utf-8")
    assert proc.process(str(path)) is Outcome.SCANNED
    first = state.pending
    assert first >= 3
    assert proc.process(str(path)) is Outcome.UNCHANGED
    os.utime(path)  # touched, same content: the digest says unchanged
    assert proc.process(str(path)) is Outcome.UNCHANGED
    path.write_text(text + "\n备注 13912345678\n", encoding="utf-8")
    assert proc.process(str(path)) is Outcome.SCANNED
    assert state.pending == first + 1  # the old findings keep their ids
    records = [orjson.loads(item.body) for item in state.batch(10)]
    assert {r["host"] for r in records} == {"ws-unit"} and all("value" not in r for r in records)
    state.close()
    reopened = StateDB(tmp_path / "state" / "state.db", spool_max=1000)
    again = FileProcessor(masked_scanner, reopened, key=KEY.encode(), host="ws-unit")
    assert again.process(str(path)) is Outcome.UNCHANGED  # across restarts too
    reopened.close()
    assert raw_leaks(tmp_path / "state", [*values, "13912345678"]) == []


def test_processing_other_cases(tmp_path: Path, masked_scanner: dlp.Scanner) -> None:
    state = StateDB(tmp_path / "state.db", spool_max=1000)
    small = dlp.Scanner(dlp.ScanConfig(key=KEY.encode(), max_file_size=100, exclude=("*.part",)))
    proc = FileProcessor(small, state, key=KEY.encode(), host="h", ignore=lambda p: p.endswith("own.db"))
    assert proc.process(str(tmp_path / "missing.txt")) is Outcome.GONE
    assert proc.process(str(tmp_path)) is Outcome.IGNORED
    (tmp_path / "a.part").write_text("手机 13812345678")
    assert proc.process(str(tmp_path / "a.part")) is Outcome.IGNORED
    (tmp_path / "own.db").write_text("x")
    assert proc.process(str(tmp_path / "own.db")) is Outcome.IGNORED
    (tmp_path / "big.txt").write_text("x" * 500)
    assert proc.process(str(tmp_path / "big.txt")) is Outcome.TOO_LARGE
    assert proc.process(str(tmp_path / "big.txt")) is Outcome.UNCHANGED  # not re-reported
    (tmp_path / "link").symlink_to(tmp_path / "a.part")
    assert proc.process(str(tmp_path / "link")) is Outcome.IGNORED
    assert state.pending == 0
    state.close()


def test_keyed_digest_depends_on_the_key(tmp_path: Path) -> None:
    path = tmp_path / "phone.txt"
    path.write_text("13812345678")
    assert keyed_digest(b"k1" * 8, str(path)) != keyed_digest(b"k2" * 8, str(path))
    assert len(keyed_digest(b"k1" * 8, str(path))) == 64
