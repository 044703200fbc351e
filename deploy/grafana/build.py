"""Build okrsync's Grafana dashboard with the Grafana Foundation SDK.

    python deploy/grafana/build.py > deploy/grafana/okrsync.json

The committed JSON is this script's output (tests/unit/test_grafana.py checks it is, that each
query names a metric okrsync exports and that each parses as PromQL). Every panel is filtered
to the organisations picked in `$org`: okrsync's series carry no org label of their own, so each
query joins okrsync_info (org) on (job, instance).
"""

from __future__ import annotations

import itertools

from grafana_foundation_sdk.builders.common import (
    ReduceDataOptions,
    StackingConfig,
    VizLegendOptions,
)
from grafana_foundation_sdk.builders.dashboard import (
    Dashboard,
    DatasourceVariable,
    QueryVariable,
    Row,
    ThresholdsConfig,
)
from grafana_foundation_sdk.builders.prometheus import Dataquery
from grafana_foundation_sdk.builders.stat import Panel as Stat
from grafana_foundation_sdk.builders.timeseries import Panel as Timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.common import (
    LegendDisplayMode,
    LegendPlacement,
    StackingMode,
)
from grafana_foundation_sdk.models.dashboard import (
    DataSourceRef,
    Threshold,
    ThresholdsMode,
    VariableRefresh,
)

UID = "okrsync"
DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
ORG = 'on (job, instance) group_left (org) okrsync_info{org=~"$org"}'
# 80% of the systemd unit's MemoryMax=2G, as the OkrsyncMemoryNearLimit alert.
MEMORY_WARNING = 0.8 * 2 * 1024**3


def of_org(series: str) -> str:
    """The series, kept only for the picked organisations, with their org label."""
    return f"({series}) * {ORG}"


def query(expr: str, legend: str, ref: str = "A") -> Dataquery:
    return Dataquery().expr(expr).legend_format(legend).ref_id(ref).datasource(DATASOURCE)


def timeseries(title: str, unit: str, description: str) -> Timeseries:
    return (
        Timeseries()
        .title(title)
        .description(description)
        .unit(unit)
        .min(0)
        .datasource(DATASOURCE)
        .height(8)
        .span(12)
        .legend(
            VizLegendOptions()
            .display_mode(LegendDisplayMode.TABLE)
            .placement(LegendPlacement.BOTTOM)
            .show_legend(True)
            .calcs(["lastNotNull", "max"])
        )
    )


def thresholds(*steps: tuple[float | None, str]) -> ThresholdsConfig:
    return (
        ThresholdsConfig()
        .mode(ThresholdsMode.ABSOLUTE)
        .steps([Threshold(value=value, color=color) for value, color in steps])
    )


def cycles_panels() -> list[Timeseries]:
    outcomes = timeseries(
        "Cycles by outcome", "short", "Cycles per minute: success, failure, refused, standby"
    ).with_target(
        query(
            "sum by (org, outcome) (60 * "
            + of_org("rate(okrsync_cycles_total[$__rate_interval])")
            + ")",
            "{{org}} {{outcome}}",
        )
    )
    phases = (
        timeseries("Cycle duration by phase", "s", "The last successful cycle's phases, stacked")
        .stacking(StackingConfig().mode(StackingMode.NORMAL))
        .with_target(
            query(
                "max by (org, phase) (" + of_org("okrsync_phase_duration_seconds") + ")",
                "{{org}} {{phase}}",
            )
        )
        .with_target(
            query(
                "histogram_quantile(0.95, sum by (org, le) ("
                + of_org("rate(okrsync_cycle_duration_seconds_bucket[$__rate_interval])")
                + "))",
                "{{org}} whole cycle p95",
                "B",
            )
        )
    )
    return [outcomes, phases]


def graph_panels() -> list[Timeseries]:
    changes = timeseries(
        "Changes by kind", "short", "Nodes and relationships written per minute"
    ).with_target(
        query(
            "sum by (org, kind) (60 * "
            + of_org("rate(okrsync_changes_total[$__rate_interval])")
            + ")",
            "{{org}} {{kind}}",
        )
    )
    entities = timeseries(
        "Mirrored entities", "short", "Nodes in the mirror by label, after the last success"
    ).with_target(
        query("max by (org, label) (" + of_org("okrsync_entities") + ")", "{{org}} {{label}}")
    )
    return [changes, entities]


def api_panels() -> list[Timeseries]:
    retries = (
        timeseries(
            "API retries and throttling",
            "short",
            "Requests retried per minute by error; 429 is the API throttling okrsync",
        )
        .with_target(
            query(
                "sum by (org, error) (60 * "
                + of_org("rate(okrsync_api_retries_total[$__rate_interval])")
                + ")",
                "{{org}} retried {{error}}",
            )
        )
        .with_target(
            query(
                "sum by (org, status) (60 * "
                + of_org("rate(okrsync_api_errors_total[$__rate_interval])")
                + ")",
                "{{org}} failed {{status}}",
                "B",
            )
        )
    )
    memory = (
        timeseries(
            "Process memory",
            "bytes",
            "Resident memory of each okrsync; the line is 80% of the unit's MemoryMax=2G",
        )
        .thresholds(thresholds((None, "green"), (MEMORY_WARNING, "red")))
        .with_target(
            query(
                "max by (org, instance) (" + of_org("process_resident_memory_bytes") + ")",
                "{{org}} {{instance}}",
            )
        )
    )
    return [retries, memory]


def stat(title: str, description: str, unit: str, levels: ThresholdsConfig) -> Stat:
    return (
        Stat()
        .title(title)
        .description(description)
        .unit(unit)
        .datasource(DATASOURCE)
        .height(4)
        .span(8)
        .thresholds(levels)
        .reduce_options(ReduceDataOptions().calcs(["lastNotNull"]).values(False))
    )


def status_panels() -> list[Stat]:
    age = stat(
        "Age of the last success",
        "Seconds since the organisation's newest successful cycle",
        "s",
        thresholds((None, "green"), (900, "orange"), (1800, "red")),
    ).with_target(
        query(
            "time() - max by (org) (" + of_org("okrsync_last_success_timestamp_seconds") + ")",
            "{{org}}",
        )
    )
    writers = stat(
        "Active writers",
        "okrsync processes holding their organisation's write lease: 1 is right",
        "short",
        thresholds((None, "red"), (1, "green"), (2, "red")),
    ).with_target(query("sum by (org) (" + of_org("okrsync_lease_held") + ")", "{{org}}"))
    quarantined = stat(
        "Quarantined records",
        "Records the last cycle could not place; their last good version is kept",
        "short",
        thresholds((None, "green"), (1, "orange")),
    ).with_target(query("max by (org) (" + of_org("okrsync_quarantined_records") + ")", "{{org}}"))
    return [age, writers, quarantined]


def variables(board: Dashboard) -> Dashboard:
    return board.with_variable(
        DatasourceVariable("datasource").label("Prometheus").type("prometheus")
    ).with_variable(
        QueryVariable("org")
        .label("Organisation")
        .datasource(DATASOURCE)
        .query("label_values(okrsync_info, org)")
        .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
        .multi(True)
        .include_all(True)
    )


def dashboard() -> Dashboard:
    board = variables(
        Dashboard("okrsync")
        .uid(UID)
        .description("okrsync: cycles, changes, the mirror, the OKR API and the process")
        .tags(["okrsync"])
        .refresh("1m")
        .time("now-6h", "now")
        .timezone("browser")
        .editable()
    )
    ids = itertools.count(1)  # Grafana needs each panel's id unique
    sections: list[tuple[str, list[Stat] | list[Timeseries]]] = [
        ("Status", status_panels()),
        ("Cycles", cycles_panels()),
        ("The mirror", graph_panels()),
        ("The OKR API and the process", api_panels()),
    ]
    for title, panels in sections:
        board = board.with_row(Row(title).id(next(ids)))
        for panel in panels:
            board = board.with_panel(panel.id(next(ids)))
    return board


def render() -> str:
    return JSONEncoder(sort_keys=True, indent=2).encode(dashboard().build()) + "\n"


if __name__ == "__main__":
    print(render(), end="")
