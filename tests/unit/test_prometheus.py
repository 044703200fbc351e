"""The Prometheus rules: valid, and every alert unit-tested firing and not (promtool)."""

from __future__ import annotations

import re

import yaml

from tests.prometheus import ROOT, RULES, exported_names, metric_names, promtool

RULE_TESTS = RULES.with_name("okrsync.rules.test.yml")
ALERTS = {
    "OkrsyncNoRecentSuccess",
    "OkrsyncCycleRefused",
    "OkrsyncFailuresRising",
    "OkrsyncNoActiveWriter",
    "OkrsyncDown",
    "OkrsyncQuarantinedRecords",
    "OkrsyncMemoryNearLimit",
}


def rules() -> list[dict]:
    return [
        rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]
    ]


def test_rules_are_valid() -> None:
    """`promtool check rules` accepts the file (syntax, PromQL, templates, no duplicate)."""
    out = promtool("check", "rules", str(RULES))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS: 12 rules found" in out.stdout


def test_every_alert_is_unit_tested() -> None:
    """`promtool test rules` passes, and it tests each alert both firing and not firing."""
    assert {r["alert"] for r in rules() if "alert" in r} == ALERTS
    tested: dict[str, list[bool]] = {}
    for case in yaml.safe_load(RULE_TESTS.read_text())["tests"]:
        for check in case.get("alert_rule_test", []):
            tested.setdefault(check["alertname"], []).append(bool(check["exp_alerts"]))
    assert {name: sorted(set(fired)) for name, fired in tested.items()} == {
        name: [False, True] for name in ALERTS
    }
    out = promtool("test", "rules", str(RULE_TESTS))
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip().endswith("SUCCESS")


def test_memory_alert_follows_the_units_limit() -> None:
    """The memory alert's threshold is 80% of the MemoryMax both systemd units set."""
    units = [
        (ROOT / "deploy" / unit).read_text() for unit in ("okrsync.service", "okrsync@.service")
    ]
    assert [re.findall(r"^MemoryMax=(.*)$", text, re.M) for text in units] == [["2G"], ["2G"]]
    (memory,) = [r for r in rules() if r.get("alert") == "OkrsyncMemoryNearLimit"]
    assert memory["expr"].endswith(f"> 0.8 * {2 * 1024**3}")


def test_example_scrape_config_is_valid() -> None:
    """The example prometheus.yml parses, names the job OkrsyncDown watches."""
    example = RULES.with_name("prometheus.example.yml")
    config = yaml.safe_load(example.read_text())
    assert [job["job_name"] for job in config["scrape_configs"]] == ["okrsync"]
    out = promtool("check", "config", "--syntax-only", str(example))
    assert out.returncode == 0, out.stdout + out.stderr


def test_rules_read_only_metrics_okrsync_exports() -> None:
    """Each rule reads okrsync's own series, its recording rules' or Prometheus's `up`."""
    recorded = {r["record"] for r in rules() if "record" in r}
    known = exported_names() | recorded | {"up"}
    unknown = {
        r.get("alert") or r["record"]: sorted(metric_names(r["expr"]) - known)
        for r in rules()
        if metric_names(r["expr"]) - known
    }
    assert unknown == {}
