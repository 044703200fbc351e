"""Nasty input through the pure path: parse -> transform -> state file, for any text at all."""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okrsync.api import OkrApiClient, RetryPolicy
from okrsync.diff import plan_changes
from okrsync.testing import fetch_snapshot, parse_export, to_graph
from okrsync.transform import Rel, as_props
from tests.helpers import snapshot, through_store

# Any unicode text without NUL or lone surrogates (Neo4j stores both only as escapes).
TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=200)
IDS = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=30
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ids=st.lists(IDS, min_size=1, max_size=6, unique=True),
    names=st.lists(TEXT, min_size=6, max_size=6),
    description=TEXT,
    parent_index=st.integers(0, 5),
)
def test_any_text_round_trips(
    ids: list[str], names: list[str], description: str, parent_index: int
) -> None:
    """Whatever the ids and names, transform and the state file keep them exactly."""
    okrs: list[dict[str, Any]] = [
        {
            "id": oid,
            "name": names[i],
            "description": description,
            "labelIds": [oid],
            "parentObjectiveId": ids[parent_index % len(ids)],
        }
        for i, oid in enumerate(ids)
    ]
    state, dangling = to_graph(snapshot(okrs, []))
    assert set(state.nodes["Objective"]) == set(ids)
    assert {o["name"] for o in state.nodes["Objective"].values()} == set(names[: len(ids)])
    assert all(d.from_id == d.missing_id for d in dangling)  # only the self-parent is skipped
    back = through_store(state)
    decoded = {lb: {i: as_props(p) for i, p in n.items()} for lb, n in back.nodes.items()}
    assert decoded == state.nodes and back.rels == state.rels
    assert plan_changes(back, state).empty


def test_duplicate_ids_across_answers_and_kr_under_two_objectives() -> None:
    """The same objective in two answers counts once; a KR listed by two objectives hangs under
    the one its own parentObjectiveId names."""
    answers = {
        "/api/v2/api-export/objectives/byDate": {
            "okrs": [
                {"id": "o1", "name": "first", "krIds": ["k1"]},
                {"id": "o2", "krIds": ["k1"]},
                {"id": "o1", "name": "again"},
            ],
            "krs": [{"id": "k1", "parentObjectiveId": "o2"}],
        },
        "/api/v2/api-export/keyResults/byDate": {
            "krs": [{"id": "k1", "parentObjectiveId": "o2"}],
            "okrs": [{"id": "o1", "name": "third"}],
        },
    }

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answers[request.url.path])

    client = OkrApiClient(
        "https://okr.test",
        "t",
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(max_attempts=1),
    )
    snap = fetch_snapshot(client)
    assert snap.objectives["o1"].name == "first"
    state, _ = to_graph(snap)
    assert [r for r in state.rels if r.type == "HAS_KR"] == [
        Rel("HAS_KR", "Objective", "o2", "KeyResult", "k1")
    ]


def test_parse_never_runs_text_as_anything() -> None:
    """Cypher-looking ids are plain ids from parse to graph rows."""
    cypher = "n}) DETACH DELETE n WITH 1 AS x MATCH (m {id: 'x"
    data = parse_export(
        {
            "okrs": [{"id": cypher, "teamIds": [cypher]}],
            "teams": [{"id": cypher, "name": "MATCH (n) DETACH DELETE n"}],
        }
    )
    state, _ = to_graph(
        snapshot(
            [{"id": cypher, "teamIds": [cypher]}],
            [],
            teams=[{"id": cypher, "name": "MATCH (n) DETACH DELETE n"}],
        )
    )
    assert data.objectives[0].id == cypher
    assert data.teams[0].name == "MATCH (n) DETACH DELETE n"
    assert state.nodes["Team"][cypher] == {"id": cypher, "name": "MATCH (n) DETACH DELETE n"}
    assert state.nodes["Objective"][cypher] == {"id": cypher, "statusGroup": "NoStatus"}
    assert state.rels == {Rel("BELONGS_TO", "Objective", cypher, "Team", cypher)}
