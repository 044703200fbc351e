"""Pure transform (snapshot -> graph) and diff (graph, graph -> plan), without I/O."""

from __future__ import annotations

from okrsync.diff import plan_changes
from okrsync.testing import to_graph
from okrsync.transform import GraphState, Rel, as_props, custom_props, html_to_text
from tests.helpers import snapshot, through_store

BASE_OKRS = [
    {
        "id": "o1",
        "key": "O-1",
        "name": "Grow",
        "ownerAccountId": "u1",
        "teamIds": ["t1"],
        "labelIds": ["l1"],
        "periodAliasId": "p1",
        "deadline": "2026-03-31T23:59:59+0000",
        "latestUpdate": {"status": "ON_TRACK", "created": "2026-02-01T10:00:00+0000"},
        "description": "<p>Grow <b>revenue</b> &amp; margin</p><script>x()</script>",
    },
    {
        "id": "o2",
        "key": "O-2",
        "name": "Child",
        "parentObjectiveId": "o1",
        "collaboratorAccountIds": ["u2"],
    },
]
BASE_KRS = [
    {
        "id": "k1",
        "key": "KR-1",
        "name": "Close deals",
        "parentObjectiveId": "o1",
        "issueIds": ["10001", "10002"],
        "percentDone": 40.0,
        "unit": {"name": "Deals", "symbol": "#"},
        "currentProgressDefinition": {
            "type": "AUTO",
            "startValue": 0,
            "desiredValue": 10,
            "jql": "project = X",
        },
        "latestUpdate": {"status": "AT_RISK", "value": 4},
    },
]
LOOKUPS = {
    "teams": [{"id": "t1", "name": "Sales"}],
    "periods": [
        {
            "id": "p1",
            "name": "Q1 2026",
            "startDate": "2026-01-01T00:00:00+0000",
            "deadline": "2026-03-31T23:59:59+0000",
        }
    ],
}


def base_graph() -> GraphState:
    state, dangling = to_graph(snapshot(BASE_OKRS, BASE_KRS, **LOOKUPS))
    assert dangling == []
    return state


class TestTransform:
    def test_nodes_and_properties(self) -> None:
        """Every documented property, nulls absent, dates as datetimes."""
        g = base_graph()
        assert g.nodes["Objective"]["o1"] == {
            "id": "o1",
            "key": "O-1",
            "name": "Grow",
            "description": "<p>Grow <b>revenue</b> &amp; margin</p><script>x()</script>",
            "descriptionText": "Grow revenue & margin",
            "status": "ON_TRACK",
            "statusUpdatedAt": "2026-02-01T10:00:00+00:00",
            "deadline": "2026-03-31T23:59:59+00:00",
            "statusGroup": "OnTrack",
        }
        assert g.nodes["KeyResult"]["k1"] == {
            "id": "k1",
            "key": "KR-1",
            "name": "Close deals",
            "percentDone": 40.0,
            "status": "AT_RISK",
            "progressType": "AUTO",
            "startValue": 0.0,
            "desiredValue": 10.0,
            "currentValue": 4.0,
            "unit": "Deals",
            "unitSymbol": "#",
            "jql": "project = X",
            "statusGroup": "AtRisk",
        }
        assert g.nodes["Team"] == {"t1": {"id": "t1", "name": "Sales"}}
        # A label id without a lookup record: a node with its id only.
        assert g.nodes["Label"] == {"l1": {"id": "l1"}}
        assert set(g.nodes["Issue"]) == {"10001", "10002"}
        assert g.nodes["User"] == {"u1": {"accountId": "u1"}, "u2": {"accountId": "u2"}}
        assert g.nodes["Period"]["p1"]["name"] == "Q1 2026"

    def test_relationships(self) -> None:
        """Parent to child, objective to KR, and every lookup edge."""
        assert base_graph().rels == {
            Rel("PARENT_OF", "Objective", "o1", "Objective", "o2"),
            Rel("HAS_KR", "Objective", "o1", "KeyResult", "k1"),
            Rel("BELONGS_TO", "Objective", "o1", "Team", "t1"),
            Rel("HAS_LABEL", "Objective", "o1", "Label", "l1"),
            Rel("IN_PERIOD", "Objective", "o1", "Period", "p1"),
            Rel("OWNS", "User", "u1", "Objective", "o1"),
            Rel("COLLABORATES_ON", "User", "u2", "Objective", "o2"),
            Rel("TRACKS", "KeyResult", "k1", "Issue", "10001"),
            Rel("TRACKS", "KeyResult", "k1", "Issue", "10002"),
        }

    def test_references_outside_the_snapshot_make_no_ghosts(self) -> None:
        """A parent outside the window, or oneself as parent: edge skipped and reported."""
        state, dangling = to_graph(
            snapshot(
                [
                    {"id": "o1", "parentObjectiveId": "elsewhere"},
                    {"id": "o2", "parentObjectiveId": "o2"},
                ],
                [{"id": "k1", "parentObjectiveId": "gone"}],
            )
        )
        assert set(state.nodes["Objective"]) == {"o1", "o2"}
        assert state.rels == set()
        assert [(d.rel_type, d.from_id, d.missing_id) for d in dangling] == [
            ("PARENT_OF", "o1", "elsewhere"),
            ("PARENT_OF", "o2", "o2"),
            ("HAS_KR", "k1", "gone"),
        ]

    def test_html_to_text(self) -> None:
        """Paragraphs become lines, entities decode, scripts vanish, empty becomes None."""
        assert html_to_text("<p>a &lt; b</p><p></p><ul><li>x</li><li>y</li></ul>") == "a < b\nx\ny"
        assert html_to_text("<p></p>") is None
        assert html_to_text(None) is None


class TestDiff:
    def test_same_input_plans_nothing(self) -> None:
        """Two transforms of one snapshot differ in nothing."""
        assert plan_changes(base_graph(), base_graph()).empty

    def test_field_level_changes_and_relationships(self) -> None:
        """A status change, a rename, a removed label and a new KR, and nothing else."""
        okrs = [dict(BASE_OKRS[0], labelIds=[], name="Grow faster"), BASE_OKRS[1]]
        krs = [
            dict(BASE_KRS[0], latestUpdate={"status": "ON_TRACK", "value": 4}),
            {"id": "k2", "name": "New", "parentObjectiveId": "o2"},
        ]
        after, _ = to_graph(snapshot(okrs, krs, **LOOKUPS))
        plan = plan_changes(base_graph(), after)
        assert sorted((c.kind, c.label, c.id) for c in plan.nodes) == [
            ("created", "KeyResult", "k2"),
            ("deleted", "Label", "l1"),
            ("updated", "KeyResult", "k1"),
            ("updated", "Objective", "o1"),
        ]
        updates = {c.id: c.fields for c in plan.of_kind("updated")}
        assert updates == {
            "o1": {"name": ("Grow", "Grow faster")},
            "k1": {"status": ("AT_RISK", "ON_TRACK"), "statusGroup": ("AtRisk", "OnTrack")},
        }
        assert plan.of_kind("updated", "KeyResult")[0].props == {
            "status": "ON_TRACK",
            "statusGroup": "OnTrack",
        }
        assert plan.linked == [Rel("HAS_KR", "Objective", "o2", "KeyResult", "k2")]
        assert plan.unlinked == [Rel("HAS_LABEL", "Objective", "o1", "Label", "l1")]
        assert plan.summary() == {
            "created": 1,
            "updated": 2,
            "deleted": 1,
            "linked": 1,
            "unlinked": 1,
        }

    def test_removed_property_is_sent_as_null(self) -> None:
        """A field that became null is an update that removes the property."""
        before = base_graph()
        after = base_graph()
        del after.nodes["KeyResult"]["k1"]["jql"]
        (change,) = plan_changes(before, after).nodes
        assert change.props == {"jql": None}
        assert change.fields == {"jql": ("project = X", None)}

    def test_deleted_entity_remembers_key_and_name(self) -> None:
        """Deleting an objective keeps its key and name for the change log."""
        before = base_graph()
        after = base_graph()
        del after.nodes["Objective"]["o2"]
        after.rels = {r for r in after.rels if "o2" not in (r.from_id, r.to_id)}
        plan = plan_changes(before, after)
        (gone,) = plan.of_kind("deleted", "Objective")
        assert gone.fields == {"key": ("O-2", None), "name": ("Child", None)}
        assert plan.entity_deletes() == 1

    def test_int_and_float_of_equal_value_are_equal(self) -> None:
        """Neo4j may hand back 40 for 40.0: that is no change."""
        before = base_graph()
        after = base_graph()
        before.nodes["KeyResult"]["k1"]["percentDone"] = 40
        assert plan_changes(before, after).empty


class TestSnapshotEncoding:
    def test_round_trip_keeps_types(self) -> None:
        """Instants, floats and relationships survive the state file."""
        g = base_graph()
        back = through_store(g)
        decoded = {lb: {i: as_props(p) for i, p in n.items()} for lb, n in back.nodes.items()}
        assert decoded == g.nodes
        assert back.rels == g.rels
        assert as_props(back.nodes["Objective"]["o1"])["deadline"] == "2026-03-31T23:59:59+00:00"
        assert as_props(back.nodes["KeyResult"]["k1"])["percentDone"] == 40.0
        assert plan_changes(back, g).empty  # stored text and fresh dicts compare equal

    def test_a_change_against_stored_text_names_the_field(self) -> None:
        """Diffing fresh rows against the state file still yields field-level old/new pairs."""
        back = through_store(base_graph())
        after = base_graph()
        after.nodes["KeyResult"]["k1"]["percentDone"] = 55.0
        (change,) = plan_changes(back, after).nodes
        assert change.fields == {"percentDone": (40.0, 55.0)}
        assert all(isinstance(r, Rel) for r in back.rels)

    def test_instants_travel_apart_for_cypher_to_make_datetimes(self) -> None:
        """to_neo4j sets the temporal properties, and only those, apart as ISO text (or None,
        which removes the property) for the statement's datetime(); the group label apart too
        (None when the row leaves it)."""
        from okrsync.graph.values import to_neo4j

        row = to_neo4j(
            {"deadline": "2026-03-31T23:59:59+00:00", "name": "2026-01-01", "startDate": None}
        )
        assert row == {
            "props": {"name": "2026-01-01"},
            "times": {"deadline": "2026-03-31T23:59:59+00:00", "startDate": None},
            "group": None,
        }
        assert to_neo4j({"name": "n", "statusGroup": "AtRisk"}) == {
            "props": {"name": "n"},
            "times": {},
            "group": "AtRisk",
        }


def test_custom_fields_become_properties_named_after_their_field() -> None:
    """Queryable by name (`o.`custom.Risk``): scalars as they are, others as JSON text; two
    fields with one name keep their ids; a field the definitions do not name keeps its id."""
    values = '{"cf-1":"high","cf-2":12000,"cf-3":["a","b"],"cf-4":null,"cf-5":1,"cf-6":2}'
    names = {"cf-1": "Risk", "cf-2": "Budget", "cf-3": "Tags", "cf-5": "Dup", "cf-6": "Dup"}
    assert custom_props(values, names) == {
        "custom.Budget": 12000,
        "custom.cf-5": 1,
        "custom.cf-6": 2,
        "custom.Risk": "high",
        "custom.Tags": '["a","b"]',
    }
    assert custom_props(None, names) == {}
