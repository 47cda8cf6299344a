"""`submit FILE` for each preset's export, against the sandbox on loopback: what PacSpace holds
afterwards (`/_sandbox/state`) equals the control totals `check` reported, per account."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from pacspace_desktop.cli.check import register, run_check
from pacspace_desktop.sandbox import SandboxServer

EXPORTS = Path(__file__).parents[1] / "importing" / "files" / "exports"
PRESET_FILES = [
    ("quickbooks_invoices.csv", "QuickBooks Online invoices", ["--mapping", "{summed}"]),
    ("xero_sales_invoices.csv", "Xero sales invoices", []),
    ("datev_extf.csv", "DATEV Buchungsstapel", []),
    ("shopify_orders.csv", "Shopify orders", []),
    ("stripe_payments.csv", "Stripe payments", []),
    ("sage_transactions.csv", "Sage 50 transactions", []),
    ("bank_statement.csv", "Bank statement", []),
]


def check_totals(capsys: pytest.CaptureFixture[str], path: Path, extra: list[str]) -> Any:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    run_check(parser.parse_args(["check", str(path), "--json", *extra]))
    return json.loads(capsys.readouterr().out)


def sandbox_state(sandbox: SandboxServer) -> dict[str, Any]:
    with urllib.request.urlopen(f"{sandbox.base_url}/_sandbox/state", timeout=10) as answer:
        data: dict[str, Any] = json.loads(answer.read())
    return data


@pytest.mark.parametrize(("name", "preset", "extra"), PRESET_FILES)
def test_what_pacspace_holds_equals_the_control_totals(
        tmp_path: Path, sandbox: SandboxServer, demo_key: str,
        capsys: pytest.CaptureFixture[str], name: str, preset: str, extra: list[str]) -> None:
    root = Path(__file__).parents[2] / "resources" / "presets"
    summed = json.loads((root / "quickbooks-online-invoices.json").read_text())
    summed["repeatedKeys"] = "sum"  # a clerk's choice saved in the mapping
    (tmp_path / "summed.json").write_text(json.dumps(summed))
    extra = [a.replace("{summed}", str(tmp_path / "summed.json")) for a in extra]
    report = check_totals(capsys, EXPORTS / name, extra)
    assert report["mappingFrom"].endswith(f"“{preset}”") or extra
    expected = {a: (t["items"], t["bits"]) for a, t in report["totals"].items()}
    assert expected, "the fixture must send something"
    env = dict(os.environ, PACSPACE_API_KEY=demo_key)
    result = subprocess.run(
        [sys.executable, "-m", "pacspace_desktop", "submit", str(EXPORTS / name),
         "--base-url", sandbox.base_url, *extra], capture_output=True, text=True, env=env,
        timeout=60, check=False)
    held = report["rows"] - report["valid"] - sum(
        1 for line in report["lines"] if line["status"] == "total")
    assert result.returncode == (1 if held else 0), result.stdout + result.stderr
    state = sandbox_state(sandbox)
    held_by_pacspace: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for record in state["keys"].values():
        assert record["totalWrites"] == 1  # nothing sent twice, no invoice in parts
        held_by_pacspace[record["accountId"]][0] += 1
        held_by_pacspace[record["accountId"]][1] += record["currentBits"]
    assert {a: (n, bits) for a, (n, bits) in held_by_pacspace.items()} == expected
    for combined in report["combined"]:
        assert state["keys"][combined["key"]]["currentBits"] == combined["bits"]
