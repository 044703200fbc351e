"""The simulator over real HTTP: spec-valid answers, auth semantics, faults, the client on top."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from okrsync import errors
from okrsync.api import OkrApiClient, RetryPolicy
from okrsync.simulator import Org, SimulatorServer
from okrsync.testing import fetch_snapshot, objectives_by_date
from tests.spec import validation_schema, validator

ALL = "startDateEpochMilli=0&deadlineEpochMilli=4102444800000"
OBJ_EXPAND = "KEY_RESULTS,TEAMS,PERIODS,LABELS,TYPES,CUSTOM_FIELDS"
KR_EXPAND = "OBJECTIVES,TEAMS,PERIODS,LABELS,TYPES,CUSTOM_FIELDS"  # every value the spec allows
FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02)


def get(server: SimulatorServer, path: str, token: str | None = "any") -> httpx.Response:
    headers = {"API-Token": token} if token else {}
    return httpx.get(f"{server.url}{path}", headers=headers, timeout=30)


def assert_valid(name: str, payload: Any) -> None:
    problems = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator(name).iter_errors(payload)
    ]
    assert problems == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_endpoint_answers_spec_valid_json(seed: int) -> None:
    """All read endpoints, several seeds (and after churn): valid against openapi.json."""
    org = Org(objectives=40, seed=seed)
    with SimulatorServer(org) as server:
        for round_ in range(2):
            okrs = get(server, f"/api/v2/api-export/objectives/byDate?{ALL}&expand={OBJ_EXPAND}")
            krs = get(server, f"/api/v2/api-export/keyResults/byDate?{ALL}&expand={KR_EXPAND}")
            some_o = ",".join(list(org.objectives)[:5])
            some_k = ",".join(list(org.key_results)[:5])
            by_o = get(server, f"/api/v2/api-export/objectives/byIds?objectiveIds={some_o}")
            by_k = get(
                server,
                f"/api/v2/api-export/keyResults/byIds?keyResultIds={some_k}&expand={KR_EXPAND}",
            )
            for response in (okrs, krs, by_o, by_k):
                assert response.status_code == 200
                assert response.headers["content-type"] == "application/json"
                assert_valid("ApiExportData", response.json())
            assert len(okrs.json()["okrs"]) == len(org.objectives)
            assert len(okrs.json()["krs"]) == len(org.key_results)
            assert len(by_o.json()["okrs"]) == 5 and "krs" not in by_o.json()
            updates = get(server, "/api/v2/api-export/updates?pageSize=50")
            assert_valid("ApiExportBulkUpdate", updates.json())
            assert len(updates.json()["updates"]) == 50
            comments = get(server, "/api/v2/api-export/updateComments")
            assert_valid("ApiExportBulkUpdateComments", comments.json())
            if round_ == 0:
                server.sim.mutate(lambda o: o.evolve(30))


def test_nulls_and_absent_fields_are_served_like_real_payloads(simulator: SimulatorServer) -> None:
    """Real payloads carry null descriptions, parents, periods, units, values; so does this."""
    data = get(simulator, f"/api/v2/api-export/objectives/byDate?{ALL}&expand={OBJ_EXPAND}").json()
    okrs, krs = data["okrs"], data["krs"]
    assert any(o["description"] is None for o in okrs)
    assert any(o["parentObjectiveId"] is None for o in okrs)
    assert any(o["periodAliasId"] is None for o in okrs + krs)
    assert any(o.get("latestUpdate") is None for o in okrs + krs)
    assert any(o["latestUpdate"] and o["latestUpdate"]["value"] is None for o in okrs)
    assert any(k["unit"] is None for k in krs)
    assert any(k["currentProgressDefinition"]["jql"] is None for k in krs)
    assert any("expectedEndDate" not in o for o in okrs)
    assert {k["currentProgressDefinition"]["type"] for k in krs} == {"STANDARD", "AUTO"}


def test_check_in_history_covers_every_status() -> None:
    """The check-in feed carries every status the spec lists."""
    org = Org(objectives=200, seed=3)
    statuses = {u["status"] for u in org.all_updates_newest_first()}
    assert statuses == set(
        validation_schema("ApiExportUpdate")["components"]["schemas"]["ApiExportUpdate"][
            "properties"
        ]["status"]["anyOf"][0]["enum"]
    )


def test_same_seed_same_org() -> None:
    """A seed determines the org exactly."""
    a, b = Org(objectives=30, seed=11), Org(objectives=30, seed=11)
    assert a.objectives == b.objectives and a.key_results == b.key_results
    assert Org(objectives=30, seed=12).objectives != a.objectives


def _feed_pages(http: httpx.Client, feed: str, page_size: int) -> list[bytes]:
    cursor, pages = None, []
    while True:
        query = f"pageSize={page_size}" + (f"&cursor={cursor}" if cursor else "")
        answer = http.get(f"/api/v2/api-export/{feed}?{query}")
        pages.append(answer.content)
        cursor = answer.json().get("nextCursor")
        if not cursor:
            return pages


def _export_digest(org: Org) -> str:
    """SHA-256 over every endpoint's bytes, three times with churn between."""
    digest = hashlib.sha256()
    with (
        SimulatorServer(org) as server,
        httpx.Client(base_url=server.url, headers={"API-Token": "t"}) as http,
    ):
        for _ in range(3):
            paths = [
                f"objectives/byDate?{ALL}&expand={OBJ_EXPAND}",
                f"keyResults/byDate?{ALL}&expand={KR_EXPAND}",
                "objectives/byDate?startDateEpochMilli=1775001600000&deadlineEpochMilli=1782863999000",
                "objectives/byIds?objectiveIds="
                + ",".join(list(org.objectives)[::3])
                + f"&expand={OBJ_EXPAND}",
                "keyResults/byIds?keyResultIds="
                + ",".join(list(org.key_results)[::5])
                + f"&expand={KR_EXPAND}",
            ]
            for path in paths:
                digest.update(http.get(f"/api/v2/api-export/{path}").content)
            for feed, size in (("updates", 1000), ("updates", 97), ("updateComments", 1000)):
                for page in _feed_pages(http, feed, size):
                    digest.update(page)
            digest.update(http.get("/_sim/org").content)
            server.sim.mutate(lambda o: o.evolve(25))
    return digest.hexdigest()


@pytest.mark.parametrize(
    ("objectives", "seed", "expected"),
    [
        (60, 1, "a5d623809b825bd889e4abfdced9b36f03fd4c0f5df5660c13a9205f128040df"),
        (150, 7, "492a821c35e71f429f384bc971ffb8982478c286f3c1224d023599c2191c92da"),
    ],
)
def test_default_org_export_is_byte_identical(objectives: int, seed: int, expected: str) -> None:
    """The default generation serves exactly what it served before the messy org existed.

    The digests were computed on commit 9f479f7, before any mess: a change to what a clean org
    serves (a field, an order, a byte) must be deliberate, and update them.
    """
    assert _export_digest(Org(objectives=objectives, seed=seed)) == expected


class TestAuthAndParameters:
    def test_missing_header_is_400_wrong_token_is_401(self) -> None:
        """No API-Token: 400; a token other than the configured one: 401."""
        with SimulatorServer(Org(objectives=5), token="right") as server:
            path = f"/api/v2/api-export/objectives/byDate?{ALL}"
            assert get(server, path, token=None).status_code == 400
            assert get(server, path, token="wrong").status_code == 401
            assert get(server, path, token="right").status_code == 200

    @pytest.mark.parametrize(
        "path",
        [
            "/api/v2/api-export/objectives/byDate?startDateEpochMilli=0",
            f"/api/v2/api-export/objectives/byDate?{ALL}&expand=OBJECTIVES",
            f"/api/v2/api-export/keyResults/byDate?{ALL}&expand=KEY_RESULTS",
            "/api/v2/api-export/objectives/byIds",
            "/api/v2/api-export/updates?pageSize=0",
        ],
    )
    def test_bad_parameters_are_400(self, simulator: SimulatorServer, path: str) -> None:
        """Missing required parameters and unknown expand values answer 400."""
        assert get(simulator, path).status_code == 400

    @pytest.mark.parametrize("feed", ["updates", "updateComments"])
    def test_page_size_outside_the_spec_is_400(self, simulator: SimulatorServer, feed: str) -> None:
        """Both feeds take pageSize from 1 to 1000, as openapi.json says; anything else is 400."""
        for size in (0, -1, 1001, 5000):
            answer = get(simulator, f"/api/v2/api-export/{feed}?pageSize={size}")
            assert (answer.status_code, answer.json()) == (
                400,
                {"message": "pageSize must be between 1 and 1000"},
            )
        key = "updates" if feed == "updates" else "comments"
        one = get(simulator, f"/api/v2/api-export/{feed}?pageSize=1").json()
        assert (len(one[key]), one["nextCursor"]) == (1, "1")
        full = get(simulator, f"/api/v2/api-export/{feed}?pageSize=1000")
        assert full.status_code == 200 and "nextCursor" not in full.json()

    def test_unknown_path_is_404(self, simulator: SimulatorServer) -> None:
        """Nothing outside the spec is served."""
        assert get(simulator, "/api/v2/api-export/teams").status_code == 404

    def test_date_window_filters_by_start_or_deadline(self, simulator: SimulatorServer) -> None:
        """Only objectives whose start or deadline falls in the window come back."""
        q2_2026 = "startDateEpochMilli=1775001600000&deadlineEpochMilli=1782863999000"
        okrs = get(simulator, f"/api/v2/api-export/objectives/byDate?{q2_2026}").json()["okrs"]
        expected = [
            o
            for o, v in simulator.org.objectives.items()
            if "2026-04" <= v["startDate"][:7] <= "2026-06"
            or "2026-04" <= v["deadline"][:7] <= "2026-06"
        ]
        assert sorted(o["id"] for o in okrs) == sorted(expected)
        assert 0 < len(okrs) < len(simulator.org.objectives)


class TestClientOverHttp:
    def test_full_snapshot_matches_the_org(self, simulator: SimulatorServer) -> None:
        """fetch_snapshot returns every objective, KR, and referenced lookup of the org."""
        org = simulator.org
        with OkrApiClient(simulator.url, "t") as client:
            snap = fetch_snapshot(client)
        assert set(snap.objectives) == set(org.objectives)
        assert set(snap.key_results) == set(org.key_results)
        used_teams = {t for _, e in org.iter_entities() for t in e["teamIds"]}
        assert set(snap.teams) == used_teams
        kid = next(iter(org.key_results))
        assert snap.key_results[kid].name == org.key_results[kid]["name"]
        assert snap.key_results[kid].issue_ids == tuple(org.key_results[kid]["issueIds"])

    def test_key_results_outside_their_objectives_window_are_fetched(self) -> None:
        """A KR whose dates are in the window while its objective's are not is still mirrored,
        and so is its objective: fetched by id, so the tree is whole."""
        org = Org(objectives=20, seed=5)
        oid = next(iter(org.objectives))
        org.objectives[oid]["startDate"] = "2020-01-01T00:00:00+0000"
        org.objectives[oid]["deadline"] = "2020-03-31T00:00:00+0000"
        kid = org.create_key_result(oid)
        org.key_results[kid]["startDate"] = "2026-02-01T00:00:00+0000"
        with SimulatorServer(org) as server, OkrApiClient(server.url, "t") as client:
            from okrsync.api import Window

            snap = fetch_snapshot(client, Window(1767225600000, 1798761600000))  # 2026
        assert kid in snap.key_results
        assert oid in snap.objectives and snap.key_results[kid].parent_objective_id == oid

    def test_faults_map_to_typed_errors(self, simulator: SimulatorServer) -> None:
        """Injected 429 bursts and 500s are retried; truncated/HTML/401 fail typed; throttling
        fails once its budget is spent."""
        client = OkrApiClient(simulator.url, "t", retry=FAST)
        simulator.sim.push_faults("429", "500")
        assert len(objectives_by_date(client, 0, 4102444800000).objectives) == 60
        assert dict(client.retries) == {"429": 1, "500": 1}
        for fault, error in (
            ("truncated", errors.MalformedPayload),
            ("html", errors.MalformedPayload),
            ("401", errors.ApiUnauthorized),
        ):
            simulator.sim.push_faults(fault)
            with pytest.raises(error):
                objectives_by_date(client, 0, 4102444800000)
        # A 429 burst is waited out whatever the attempts; past the throttle budget it fails.
        simulator.sim.push_faults("429", "429", "429")
        assert len(objectives_by_date(client, 0, 4102444800000).objectives) == 60
        assert client.retries["429"] == 4
        impatient = OkrApiClient(simulator.url, "t", retry=RetryPolicy(throttle_budget=0.0))
        simulator.sim.push_faults("429")
        with pytest.raises(errors.ApiThrottled):
            objectives_by_date(impatient, 0, 4102444800000)

    def test_slow_answer_times_out(self, simulator: SimulatorServer) -> None:
        """A response slower than the timeout is an ApiTimeout after the retries."""
        client = OkrApiClient(
            simulator.url, "t", timeout=0.2, retry=RetryPolicy(max_attempts=2, base_delay=0.01)
        )
        simulator.sim.push_faults("slow:1", "slow:1")
        with pytest.raises(errors.ApiTimeout):
            objectives_by_date(client, 0, 1)

    def test_connection_refused(self) -> None:
        """Nobody listening: ApiConnectError naming the base URL."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        client = OkrApiClient(f"http://127.0.0.1:{port}", "t", retry=FAST)
        with pytest.raises(errors.ApiConnectError, match=f"127.0.0.1:{port}"):
            client.ping()

    def test_empty_tenant_is_an_empty_answer_not_an_error(self, simulator: SimulatorServer) -> None:
        """A wrong-region token sees an empty org (NOTES.md): the client cannot tell."""
        simulator.sim.controls.empty_tenant = True
        with OkrApiClient(simulator.url, "t") as client:
            snap = fetch_snapshot(client)
        assert (len(snap.objectives), len(snap.key_results)) == (0, 0)

    def test_update_feed_pages_through_everything(self, simulator: SimulatorServer) -> None:
        """Cursor paging returns the whole feed once, newest first; laterThan filters."""
        expected = simulator.org.all_updates_newest_first()
        with OkrApiClient(simulator.url, "t") as client:
            got = list(client.iter_updates(page_size=37))
            assert [u.id for u in got] == [u["updateId"] for u in expected]
            created = sorted({u.created for u in got if u.created})
            cutoff = created[len(created) // 2]
            newer = list(client.iter_updates(later_than_ms=int(cutoff.timestamp() * 1000)))
        assert len(newer) == sum(1 for u in got if u.created and u.created > cutoff)


def test_okrsync_simulate_command_serves_the_curl_from_the_issue() -> None:
    """`okrsync simulate --port N` answers the documented request; 400 without the header."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "okrsync.cli", "simulate", "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        url = (
            f"http://127.0.0.1:{port}/api/v2/api-export/objectives/byDate?{ALL}"
            "&expand=KEY_RESULTS,TEAMS,PERIODS,LABELS"
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                answer = httpx.get(url, headers={"API-Token": "x"}, timeout=5)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "simulator did not start"
                time.sleep(0.1)
        assert answer.status_code == 200
        body = answer.json()
        assert_valid("ApiExportData", body)
        assert len(body["okrs"]) == 60
        assert httpx.get(url, timeout=5).status_code == 400
        assert json.loads(httpx.get(url, timeout=5).text) == {"message": "Missing API-Token header"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
