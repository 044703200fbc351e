"""Which entities a quarantined record keeps, and their fragment as the graph holds them."""

from __future__ import annotations

from okrsync.quarantine import fragment_in, held
from okrsync.source import Quarantined
from okrsync.transform import GraphState, Rel


def test_held_by_key_or_every_missing_one_of_a_label_without_key() -> None:
    missing = [
        ("Objective", "o1", {"id": "o1", "key": "O-1"}),
        ("Objective", "o2", '{"id":"o2","key":"O-2"}'),
        ("KeyResult", "k1", {"id": "k1", "key": "KR-1"}),
        ("KeyResult", "k2", {"id": "k2"}),
    ]
    by_key = [Quarantined("Objective", 0, "id missing", "O-2")]
    assert held(by_key, missing) == {("Objective", "o2")}
    blind = [Quarantined("KeyResult", 3, "id missing", None)]
    assert held(blind, missing) == {("KeyResult", "k1"), ("KeyResult", "k2")}
    assert held([], missing) == set()


def test_fragment_in_takes_only_the_relationships_the_entity_owns() -> None:
    state = GraphState()
    state.nodes["Objective"] = {"o1": {"id": "o1"}, "o2": {"id": "o2"}}
    owned = {
        Rel("PARENT_OF", "Objective", "o2", "Objective", "o1"),  # o1's parent pointer
        Rel("BELONGS_TO", "Objective", "o1", "Team", "t1"),
        Rel("OWNS", "User", "u1", "Objective", "o1"),
    }
    others = {
        Rel("PARENT_OF", "Objective", "o1", "Objective", "o3"),  # o3's
        Rel("HAS_KR", "Objective", "o1", "KeyResult", "k1"),  # k1's
    }
    state.rels = owned | others
    frag = fragment_in(state, "Objective", "o1")
    assert (frag.label, frag.id, frag.props) == ("Objective", "o1", {"id": "o1"})
    assert set(frag.rels) == owned
