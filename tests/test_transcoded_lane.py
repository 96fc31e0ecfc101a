"""Text in GB18030, UTF-16 and Big5 reported as JSONL by the core: the same records,
byte offsets into the input included, as the API's findings."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

import dlp
from dlp import synthetic
from dlp.cli import main as cli

KEY = "k" * 32


def _rows(rng: random.Random, n: int) -> str:
    lines = ["姓名,手机,身份证号,邮箱,备注"]
    for i in range(n):
        # names and remarks with characters of every width: ASCII, GBK, four-byte GB18030
        lines.append(
            f"王伟{i},{synthetic.mobile(rng)},{synthetic.resident_id(rng)},{synthetic.email(rng)},"
            f"{'𠀀€' if i % 7 == 0 else '无'} café"
        )
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("codec", ["gb18030", "utf-16", "big5"])
def test_transcoded_text_jsonl_equals_the_api_records(tmp_path: Path, codec: str) -> None:
    rng = random.Random(17)
    text = _rows(rng, 3000)
    if codec == "big5":
        text = text.replace("王伟", "陳大文").replace("姓名", "客戶").replace("身份证号", "身分證")
    path = tmp_path / f"list-{codec}.csv"
    path.write_bytes(text.encode(codec, "replace"))
    run = CliRunner(env={"DLP_KEY": KEY}).invoke(cli, ["scan", str(path), "-f", "jsonl", "-q", "--no-config"])
    records = [json.loads(line) for line in run.output.splitlines()]
    cli_findings = sorted(json.dumps(r, sort_keys=True) for r in records if r["type"] == "finding")
    scanner = dlp.Scanner(dlp.ScanConfig(key=KEY.encode(), cache_dir=tmp_path / "cache"))
    result = scanner.scan_file(path)
    assert result.encoding is not None and result.encoding != "utf-8"
    api = sorted(json.dumps(f.as_record(), sort_keys=True) for f in result.findings)
    assert len(api) >= 9000
    assert cli_findings == api
    data = path.read_bytes()
    first = next(f for f in result.findings if f.detector == "cn_mobile")
    assert data[first.location.offset :].decode(codec, "replace").startswith(first.value or first.masked[:3])
