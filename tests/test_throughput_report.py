"""``benchmarks/throughput.py --from-report``: the README table from an earlier run."""

from __future__ import annotations

import json
from pathlib import Path

import benchmark_modules

REPORT = {
    "machine": {
        "date": "2026-11-22T00:00:00+00:00",
        "commit": "abc1234",
        "cpu": "Test CPU",
        "cores": 2,
        "python": "3.11.7",
        "ripgrep": "ripgrep 13.0.0",
    },
    "load_average": {"before": 0.1, "after": 0.2},
    "targets": [{"name": "prose", "passed": False}, {"name": "tree", "passed": True}],
    "markdown": "| target | result |\n|---|---|\n| prose | FAIL |",
    "command": ["--quick", "--repeat", "2"],
}


def test_from_report_writes_the_table_between_the_markers(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    throughput = benchmark_modules.load("throughput")
    report = tmp_path / "throughput.json"
    report.write_text(json.dumps(REPORT), encoding="utf-8")
    readme = tmp_path / "README.md"
    block = "<!-- throughput:begin -->\nold\n<!-- throughput:end -->\n"
    readme.write_text("# B\n\n" + block + "tail\n", encoding="utf-8")
    assert throughput.main(["--from-report", str(report), "--readme", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert "old" not in text and text.endswith("<!-- throughput:end -->\ntail\n")
    command = "`python benchmarks/throughput.py --quick --repeat 2`"
    assert f"{command}: 2026-11-22T00:00:00+00:00, commit abc1234" in text
    assert REPORT["markdown"] in text
    assert REPORT["markdown"] in capsys.readouterr().out
    assert throughput.main(["--from-report", str(report), "--check"]) == 1  # a target was missed
