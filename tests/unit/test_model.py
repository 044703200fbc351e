"""The graph model (okrsync.schema) is the one source: statements, transform, the state's version,
the Browser style and the README all agree with it."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from okrsync import schema
from okrsync.graph import statements as st
from okrsync.models import KeyResult, Label, Objective, OkrType, Period, Team, Update
from okrsync.schema import (
    GROUP_LABELS,
    LABELS,
    NODE_TYPES,
    NODES,
    REL_TYPES,
    RELATIONSHIPS,
    STATUS_GROUP,
)
from okrsync.transform import fragment, node_props, shared_props

ROOT = Path(__file__).resolve().parents[2]
WHEN = datetime(2026, 3, 1, tzinfo=UTC)


def full_objective() -> Objective:
    """An objective with every field set, so every declared property has a value."""
    update = Update("u", "o1", "ON_TRACK", "On Track", WHEN, 3.0, "d", 0.0, 10.0, "MANUAL")
    return Objective(
        id="o1",
        key="O-1",
        name="Grow",
        description="<p>Grow</p>",
        link="https://x",
        parent_id="o0",
        okr_type_id="t",
        okr_type_name="Team OKR",
        owner_account_id="u1",
        collaborator_account_ids=("u2",),
        percent_done=40.0,
        created=WHEN,
        start_date=WHEN,
        deadline=WHEN,
        expected_end_date=WHEN,
        label_ids=("l1",),
        team_ids=("t1",),
        kr_ids=("k1",),
        child_objective_ids=(),
        latest_update=update,
        period_id="p1",
        weight=1,
        final_grade=0.5,
        custom_fields_json='{"a":1}',
    )


def full_key_result() -> KeyResult:
    o = full_objective()
    return KeyResult(
        id="k1",
        key="KR-1",
        name="Deals",
        description=o.description,
        link=o.link,
        parent_objective_id="o1",
        issue_ids=("10001",),
        okr_type_id="t",
        okr_type_name="Team OKR",
        owner_account_id="u1",
        collaborator_account_ids=("u2",),
        percent_done=40.0,
        created=WHEN,
        start_date=WHEN,
        deadline=WHEN,
        expected_end_date=WHEN,
        label_ids=("l1",),
        team_ids=("t1",),
        period_id="p1",
        latest_update=o.latest_update,
        unit_name="Deals",
        unit_symbol="#",
        progress_type="STANDARD",
        start_value=0.0,
        desired_value=10.0,
        jql="project = X",
        weight=1,
        final_grade=0.5,
        custom_fields_json='{"a":1}',
    )


class Lookups:
    def __init__(self) -> None:
        self.teams = {"t1": Team("t1", "Sales")}
        self.periods = {"p1": Period("p1", "Q1", WHEN, WHEN)}
        self.labels = {"l1": Label("l1", "Company")}
        self.okr_types = {"y1": OkrType("y1", "Committed", "#fff", "#000")}


class TestTransformFollowsTheModel:
    def test_every_declared_property_of_an_entity_is_written(self) -> None:
        """A record with every field set gives exactly the declared properties, nothing else."""
        assert tuple(node_props("Objective", full_objective())) == (
            *NODE_TYPES["Objective"].property_names,
            "statusGroup",
        )
        assert tuple(node_props("KeyResult", full_key_result())) == (
            *NODE_TYPES["KeyResult"].property_names,
            "statusGroup",
        )

    def test_every_lookup_gets_its_declared_properties(self) -> None:
        """Team, Period and Label from their records; Issue and User by their key alone."""
        for label in ("Team", "Period", "Label", "Issue", "User"):
            props = shared_props(label, {"Issue": "10001", "User": "u1"}.get(label, "?"), Lookups())
            if label in ("Issue", "User"):
                assert tuple(props) == (NODE_TYPES[label].key,)
        assert tuple(shared_props("Period", "p1", Lookups())) == NODE_TYPES["Period"].property_names
        assert shared_props("Team", "t1", Lookups()) == {"id": "t1", "name": "Sales"}
        assert shared_props("Team", "t9", Lookups()) == {"id": "t9"}
        assert tuple(shared_props("OkrType", "y1", Lookups())) == (
            NODE_TYPES["OkrType"].property_names
        )

    def test_every_declared_relationship_comes_from_a_record(self) -> None:
        """The fragments of a full objective and key result hold one edge of each declared
        (type, start, end) they own, and only declared ones."""
        objective_ids = {"o0", "o1"}
        rels = {
            (r.type, r.from_label, r.to_label)
            for e in (full_objective(), full_key_result())
            for r in fragment(e, objective_ids).rels
        }
        assert rels == {(r.type, r.start, r.end) for r in RELATIONSHIPS}


class TestStatementsFollowTheModel:
    def test_a_statement_per_label_and_verb(self) -> None:
        """create/merge/update/delete for every label, keyed by (organisation, declared key);
        what creates a node marks it as the organisation's."""
        names = st.all_statements()
        for node in NODES:
            for verb in ("create", "merge", "update", "delete"):
                text = names[f"nodes/{verb}_{node.label}"]
                assert f":{node.label}" in text
                if verb != "create":
                    assert f":{node.label} {{okrsyncOrg: $org, {node.key}: " in text
                if verb in ("create", "merge"):
                    assert "n.okrsyncOrg = $org" in text

    def test_a_statement_per_relationship_and_verb(self) -> None:
        """create/link/unlink for every declared relationship, between its declared labels."""
        for rel in RELATIONSHIPS:
            for verb in ("create", "link", "unlink"):
                text = st.statement(f"rels/{verb}_{rel.name}")
                start_key, end_key = NODE_TYPES[rel.start].key, NODE_TYPES[rel.end].key
                assert f":{rel.start} {{okrsyncOrg: $org, {start_key}: row.from}}" in text
                assert f":{rel.end} {{okrsyncOrg: $org, {end_key}: row.to}}" in text
                assert f":{rel.type} {{okrsyncOrg: $org}}]" in text

    def test_reads_counts_and_constraints_name_every_label_and_type(self) -> None:
        """The read-back, the counts and the constraints cover the whole model, and the
        read-back keys each label by its own key (a User by accountId)."""
        for label in LABELS:
            key = NODE_TYPES[label].key
            owned = f"MATCH (n:{label}) WHERE n.okrsyncOrg = $org AND n.{key} IS NOT NULL"
            assert owned in st.read_nodes()
            assert f"{owned} RETURN '{label}' AS name" in st.counts()
            assert f"WHEN b:{label} THEN b.{key}" in st.read_rels()
        for rel_type in REL_TYPES:
            assert f"'{rel_type}' AS name" in st.counts()
            assert rel_type in st.read_rels()
        assert [c.split(" FOR ")[1] for c in st.constraints()] == [
            f"(n:{n.label}) REQUIRE (n.okrsyncOrg, n.{n.key}) IS UNIQUE" for n in NODES
        ] + [f"()-[r:{t}]-() ON (r.okrsyncOrg)" for t in REL_TYPES]

    def test_no_value_is_ever_part_of_a_statement(self) -> None:
        """Every row value travels as a parameter: the text names only the model's own words."""
        words = set(LABELS) | set(REL_TYPES) | {n.key for n in NODES} | {"okrsyncOrg"}
        words |= set(GROUP_LABELS)
        for text in st.all_statements().values():
            for quoted in re.findall(r"'([^']*)'", text):
                assert quoted in words or quoted.startswith("ZONED"), quoted

    def test_the_reference_names_each_instant(self) -> None:
        """The benchmark's reference converts exactly the declared instants."""
        text = st.reference_create_nodes("KeyResult")
        assert sorted(re.findall(r"n\.(\w+) = datetime", text)) == sorted(
            NODE_TYPES["KeyResult"].instants
        )
        assert "datetime" not in st.reference_create_nodes("Team")
        assert "SET n:AtRisk" in text and "row.group" not in st.reference_create_nodes("Team")


# Every status the API's spec declares (ApiExportUpdate.status), and its group.
STATUS_GROUPS = {
    "ON_TRACK": "OnTrack",
    "AT_RISK": "AtRisk",
    "DELAYED": "AtRisk",
    "ASSUMPTIONS_CHANGED": "AtRisk",
    "ACTION_REQUIRED": "OffTrack",
    "FAILED": "OffTrack",
    "MISSED_TARGET": "OffTrack",
    "SUCCESS": "Done",
    "FINISHED": "Done",
    "CANCELED": "Done",
    "NOT_STARTED": "NoStatus",
    "UNDEFINED": "NoStatus",
}


class TestStatusGroups:
    def test_every_status_of_the_spec_has_its_group(self) -> None:
        """The spec's status enum is exactly the statuses grouped here; each gets its label."""
        spec = json.loads((ROOT / "tests/data/openapi.json").read_text())
        statuses = spec["components"]["schemas"]["ApiExportUpdate"]["properties"]["status"]
        assert set(statuses["enum"]) == set(STATUS_GROUPS)
        assert {s: STATUS_GROUP.label_for(s) for s in STATUS_GROUPS} == STATUS_GROUPS

    def test_no_check_in_and_an_unknown_status_are_no_status(self) -> None:
        """An entity without a check-in, or with a status the API adds later, is NoStatus."""
        assert STATUS_GROUP.label_for(None) == "NoStatus"
        assert STATUS_GROUP.label_for("SOMETHING_NEW") == "NoStatus"
        o = full_objective()
        no_check_in = dataclasses.replace(o, latest_update=None)
        assert node_props("Objective", no_check_in)["statusGroup"] == "NoStatus"
        assert node_props("Objective", o)["statusGroup"] == "OnTrack"

    def test_group_labels_are_declared_once_and_are_no_model_label(self) -> None:
        """Five labels, apart from the model's own; objectives and key results carry them."""
        assert GROUP_LABELS == ("OnTrack", "AtRisk", "OffTrack", "Done", "NoStatus")
        assert not set(GROUP_LABELS) & set(LABELS)
        assert [n.label for n in NODES if n.group] == ["Objective", "KeyResult"]

    def test_statements_set_one_group_label_and_remove_the_others(self) -> None:
        """create sets the row's label; merge and update first remove every label of the
        group, only when the row names one (an update leaving the status leaves the labels)."""
        remove = (
            "FOREACH (x IN CASE WHEN row.group IS NULL THEN [] ELSE [1] END | "
            "REMOVE n:OnTrack:AtRisk:OffTrack:Done:NoStatus)"
        )
        for label in ("Objective", "KeyResult"):
            for verb in ("create", "merge", "update"):
                text = st.statement(f"nodes/{verb}_{label}")
                for group in GROUP_LABELS:
                    assert (
                        f"FOREACH (x IN CASE WHEN row.group = '{group}' THEN [1] ELSE [] END | "
                        f"SET n:{group})"
                    ) in text
                assert (remove in text) is (verb != "create")
                if verb != "create":
                    assert text.index(remove) < text.index("SET n:OnTrack")
        assert "row.group" not in st.statement("nodes/merge_Team")

    def test_the_read_back_returns_the_group_labels(self) -> None:
        """read_nodes returns each node's labels of the declared groups, for the diff."""
        assert (
            "[g IN labels(n) WHERE g IN ['OnTrack', 'AtRisk', 'OffTrack', 'Done', 'NoStatus']]"
            " AS groups" in st.read_nodes()
        )


class TestVersionAndDocs:
    def test_model_digest_changes_with_the_model(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The state's version follows the declarations: another property, another digest."""
        before = schema.model_digest()
        extra = schema.NodeType("Team", "id", "lookup", (schema.Property("id", "id"),))
        monkeypatch.setattr(schema, "NODES", (*schema.NODES[1:], extra))
        assert schema.model_digest() != before

    @pytest.mark.parametrize(
        "path",
        [
            "deploy/neo4j-browser/okrsync.grass",
            "README.md",
            "docs/querying.md",
            "deploy/neo4j-browser/guide.html",
        ],
    )
    def test_docs_name_every_label_and_type(self, path: str) -> None:
        """The Browser style, the README's model, the querying guide and the Browser guide know
        the whole model."""
        text = (ROOT / path).read_text()
        if path.endswith(".grass"):
            assert set(re.findall(r"node\.(\w+)", text)) >= {*LABELS, *GROUP_LABELS}
            return
        missing = [name for name in (*LABELS, *REL_TYPES, *GROUP_LABELS) if name not in text]
        assert missing == []
