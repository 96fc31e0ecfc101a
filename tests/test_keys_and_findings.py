"""Fingerprint keys, keyed fingerprints, and what findings and errors may show."""

from __future__ import annotations

import hashlib
import hmac
import random
import stat
from pathlib import Path

import pytest

import dlp
from dlp import synthetic
from dlp.detector import Verdict
from dlp.detectors import all_detectors
from dlp.keys import default_key_file, resolve_key

VALUE = "13812345678"


def hmac_hex(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


# -- key resolution -----------------------------------------------------------------


def test_explicit_key_beats_environment_and_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_bytes(b"file-key-0123456789abcdef\n")
    monkeypatch.setenv("DLP_KEY", "env-key-0123456789abcdef")
    monkeypatch.setenv("DLP_KEY_FILE", str(key_file))
    assert resolve_key(b"explicit-key-0123456789") == b"explicit-key-0123456789"
    assert resolve_key("explicit-text-key-0123") == b"explicit-text-key-0123"


def test_environment_beats_key_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_bytes(b"file-key-0123456789abcdef\n")
    monkeypatch.setenv("DLP_KEY", "env-key-0123456789abcdef")
    monkeypatch.setenv("DLP_KEY_FILE", str(key_file))
    assert resolve_key() == b"env-key-0123456789abcdef"
    monkeypatch.delenv("DLP_KEY")
    assert resolve_key() == b"file-key-0123456789abcdef"


def test_key_file_is_generated_private_and_reused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DLP_KEY")
    path = default_key_file()
    assert path.is_relative_to(tmp_path)  # XDG_CONFIG_HOME points into this test's folder
    assert not path.exists()
    first = resolve_key()
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
    assert len(first) >= 32
    assert path.read_bytes().strip() == first
    assert resolve_key() == first
    other = tmp_path / "elsewhere" / "key"
    assert resolve_key(key_file=other) != first  # a new file gets a new random key


def test_a_short_key_file_is_a_config_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DLP_KEY")
    short = tmp_path / "short"
    short.write_bytes(b"tiny\n")
    monkeypatch.setenv("DLP_KEY_FILE", str(short))
    with pytest.raises(dlp.ConfigError) as caught:
        resolve_key()
    assert "tiny" not in str(caught.value)


def test_a_short_dlp_key_is_refused_like_a_short_key_file(cli_process, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "memo.txt").write_text("电话 13812345678\n", encoding="utf-8")
    run = cli_process(["scan", str(tmp_path / "memo.txt")], env={"DLP_KEY": "k"})
    assert run.exit_code == 2
    assert "DLP_KEY is too short (need at least 16 bytes)" in run.err
    run = cli_process(["scan", str(tmp_path / "memo.txt")], env={"DLP_KEY": "0123456789abcdeX"})
    assert run.exit_code == 1 and "0123456789abcdeX" not in run.err + run.out


def test_a_key_file_others_can_read_gives_a_warning(cli_process, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    key_file = tmp_path / "key"
    key_file.write_bytes(b"file-key-0123456789abcdef\n")
    memo = tmp_path / "memo.txt"
    memo.write_text("nothing here\n", encoding="utf-8")
    env = {"DLP_KEY": "", "DLP_KEY_FILE": str(key_file)}
    key_file.chmod(0o644)
    run = cli_process(["scan", str(memo)], env=env)
    assert run.exit_code == 0
    assert f"key file {key_file} can be read or changed by group or others (mode 644)" in run.err
    assert "file-key" not in run.err
    key_file.chmod(0o600)
    run = cli_process(["scan", str(memo)], env=env)
    assert run.exit_code == 0 and "key file" not in run.err


def test_scanner_uses_the_environment_key(monkeypatch: pytest.MonkeyPatch, cache_home: Path) -> None:
    monkeypatch.setenv("DLP_KEY", "env-key-for-the-scanner-0123")
    scanner = dlp.Scanner(dlp.ScanConfig(cache_dir=cache_home))
    [finding] = scanner.scan_text(f"手机 {VALUE}").findings
    assert finding.fingerprint == hmac_hex(b"env-key-for-the-scanner-0123", VALUE)


def test_config_repr_hides_the_key() -> None:
    config = dlp.ScanConfig(key=b"secret-key-material-0123")
    assert "secret-key-material" not in repr(config)


# -- fingerprints ----------------------------------------------------------------


def test_fingerprints_are_hmac_sha256_of_the_normalised_value(make_scanner) -> None:
    key = b"k1-0123456789abcdef"
    scanner = make_scanner(key=key)
    rng = random.Random(5)
    rid, plate, email = synthetic.resident_id(rng), synthetic.plate(rng, "ordinary"), synthetic.email(rng)
    written_plate = f"{plate[:2]}·{plate[2:].lower()}"
    text = f"手机 138-1234-5678，身份证 {rid.lower()}，车牌 {written_plate}，邮箱 {email.upper()}"
    findings = scanner.scan_text(text).findings
    assert [f.value for f in findings] == [VALUE, rid, plate, email.lower()]
    for f in findings:
        assert f.fingerprint == hmac_hex(key, f.value or "")


@pytest.mark.parametrize("size", [1, 16, 32, 63, 64, 65, 200])
def test_fingerprinter_is_hmac_sha256_for_every_key_length(size: int) -> None:
    from dlp.findings import fingerprint

    key = bytes(range(256))[:size]
    core = dlp.Scanner(dlp.ScanConfig(key=key, builtin_rules=False))._fingerprint
    for value in ("", "13812345678", "京A12345", "zhang@example.com", "x" * 55, "y" * 56):
        assert core(value) == hmac_hex(key, value) == fingerprint(key, value)


def test_fingerprints_differ_per_key_and_not_per_written_form(make_scanner) -> None:
    one = make_scanner(key=b"key-one-0123456789")
    two = make_scanner(key=b"key-two-0123456789")
    forms = [VALUE, "138 1234 5678", "+86-138-1234-5678", "１３８１２３４５６７８"]
    prints_one = {one.scan_text(f"电话 {form}").findings[0].fingerprint for form in forms}
    prints_two = {two.scan_text(f"电话 {form}").findings[0].fingerprint for form in forms}
    assert len(prints_one) == len(prints_two) == 1
    assert prints_one != prints_two
    assert prints_one != {hashlib.sha256(VALUE.encode()).hexdigest()}  # keyed, not a bare hash


# -- what findings show ------------------------------------------------------------


def test_record_has_value_only_when_revealed(scanner: dlp.Scanner, masked_scanner: dlp.Scanner) -> None:
    [hidden] = masked_scanner.scan_text(f"手机 {VALUE}").findings
    [shown] = scanner.scan_text(f"手机 {VALUE}").findings
    assert hidden.value is None
    assert "value" not in hidden.as_record()
    assert VALUE not in str(hidden.as_record())
    assert shown.as_record()["value"] == VALUE
    assert {k: v for k, v in shown.as_record().items() if k != "value"} == hidden.as_record()
    assert hidden.as_record()["masked"] == "138****5678"


def test_repr_never_shows_the_value(scanner: dlp.Scanner) -> None:
    result = scanner.scan_text(f"手机 {VALUE} 身份证 11010519491231002X")
    assert len(result.findings) == 2
    for finding in result.findings:
        assert finding.value
        assert finding.value not in repr(finding)
        assert finding.value not in str(finding)
    assert VALUE not in repr(result)


def test_masks_never_reveal_the_whole_value() -> None:
    for detector in all_detectors():
        for example in detector.positives:
            for value in example.values:
                masked = detector.mask(value)
                assert masked != value
                assert masked.count("*") >= 3, (detector.name, masked)
                assert len(masked) == len(value) or detector.name == "email"


# -- errors never carry content ------------------------------------------------------


def _secret_file(path: Path, extra: bytes = b"") -> list[str]:
    rng = random.Random(9)
    secrets = [synthetic.mobile(rng), synthetic.resident_id(rng)]
    path.write_bytes(f"手机 {secrets[0]}\n身份证 {secrets[1]}\n".encode() + extra)
    return secrets


def test_scan_errors_never_contain_content(make_scanner, tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    secrets = _secret_file(path)
    with pytest.raises(dlp.FileTooLarge) as too_large:
        make_scanner(max_file_size=10).scan_file(path)
    assert too_large.value.reason == "too_large"
    with pytest.raises(dlp.FileUnreadable) as not_regular:
        make_scanner().scan_file(tmp_path)
    assert not_regular.value.reason == "not_regular"
    for error in (too_large.value, not_regular.value):
        assert isinstance(error, dlp.ScanError)
        for secret in secrets:
            assert secret not in str(error) and secret not in error.message and secret not in repr(error)


def test_problem_messages_never_contain_content(scanner: dlp.Scanner, tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    secrets = _secret_file(path, b"\xff\xfe\x00\x01 trailing \x80")
    binary = tmp_path / "binary.bin"
    binary.write_bytes(b"\x00\x01\x02" * 500 + path.read_bytes())
    for target in (path, binary):
        result = scanner.scan_file(target)
        assert result.problems
        for problem in result.problems:
            record = problem.as_record(str(target))
            for secret in secrets:
                assert secret not in problem.message and secret not in str(record)


def test_validation_errors_never_contain_the_candidate() -> None:
    """Every detector's negative examples (found from the detectors themselves): a
    rejection names its reason, never the candidate, in Python and in the core."""
    from dlp import _core
    from dlp.detectors._util import _today
    from dlp.engine.core import _tables

    today = int(_today.compact())
    for detector in all_detectors():
        steps = [step.spec() for step in detector.checks]
        for candidate in detector.negatives:
            check = detector.check(candidate)
            verdict, reason = _core.check(steps, candidate, _tables(), today)
            if check.verdict is not Verdict.REJECT:
                continue  # a negative in context (valid alone, not reported there)
            assert verdict == "reject"
            assert candidate not in check.reason and check.value == ""
            assert candidate not in reason and not any(ch.isdigit() for ch in reason)
            with pytest.raises(dlp.ValidationError) as caught:
                detector.validate(candidate)
            assert candidate not in str(caught.value) and candidate not in repr(caught.value)
            assert not any(ch.isdigit() for ch in str(caught.value))


def test_an_unusable_key_path_is_a_config_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DLP_KEY")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(dlp.ConfigError, match="key file"):
        resolve_key(key_file=blocker / "key")
    with pytest.raises(dlp.ConfigError, match="key file"):
        resolve_key(key_file=tmp_path)  # a folder, not a file
    assert blocker.read_text() == "x"
