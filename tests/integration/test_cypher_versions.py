"""Every statement okrsync can send parses and plans under each Cypher version the server offers:
Cypher 5 (5.26 LTS, and calendar releases for databases that keep it) and Cypher 25 (calendar
releases from 2025.06, the default of their new databases)."""

from __future__ import annotations

import os
from importlib import resources
from importlib.abc import Traversable

import neo4j
import pytest

from okrsync import queries
from okrsync.graph.statements import all_statements, cypher, split_statements
from tests.helpers import cypher_versions, server_version


def cypher_files(folder: Traversable, prefix: str = "") -> list[str]:
    """The names of the hand-written statement files under cypher/ (queries/at_risk, ...)."""
    names = []
    for entry in folder.iterdir():
        if entry.is_dir():
            names += cypher_files(entry, f"{prefix}{entry.name}/")
        elif entry.name.endswith(".cypher"):
            names.append(f"{prefix}{entry.name.removesuffix('.cypher')}")
    return names


def every_statement() -> dict[str, str]:
    """Each statement by name: generated from the model, and from each file under cypher/ (a
    file or a generated text holding several is split where okrsync splits it)."""
    texts = {**all_statements()}
    texts.update({name: cypher(name) for name in cypher_files(resources.files("okrsync.cypher"))})
    return {
        f"{name}#{i}": statement
        for name, text in texts.items()
        for i, statement in enumerate(split_statements(text))
    }


def test_the_server_offers_the_versions_of_its_release(driver: neo4j.Driver) -> None:
    """5.26 answers CYPHER 5 and refuses CYPHER 25; a calendar release answers both."""
    calendar = int(server_version(driver).split(".")[0]) >= 2025
    assert cypher_versions(driver) == (("5", "25") if calendar else ("5",))
    for version in cypher_versions(driver):
        records, _, _ = driver.execute_query(f"CYPHER {version} RETURN 1 AS one")
        assert records[0]["one"] == 1
    if not calendar:
        with pytest.raises(neo4j.exceptions.ClientError, match="Valid options are: 5"):
            driver.execute_query("CYPHER 25 RETURN 1")


def test_every_statement_plans_under_each_cypher_version(driver: neo4j.Driver) -> None:
    """EXPLAIN (parsed and planned, nothing run) of every statement, prefixed with each version
    the server offers: none is refused. (Cypher 25 refuses, e.g., `SET n = r` for a
    relationship r, which Cypher 5 accepts.)"""
    statements = every_statement()
    names = {name.partition("#")[0] for name in statements}
    assert {f"queries/{q}" for q in queries.library()} | set(all_statements()) <= names
    refused = {}
    for version in cypher_versions(driver):
        for name, text in statements.items():
            try:
                driver.execute_query(
                    f"CYPHER {version} EXPLAIN {text}",
                    database_=os.environ.get("NEO4J_DATABASE") or None,
                )
            except neo4j.exceptions.Neo4jError as exc:
                refused[f"CYPHER {version} {name}"] = exc.message
    assert refused == {}
