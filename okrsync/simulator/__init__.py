"""A faithful local stand-in for the OKR for Jira API, for tests, the demo and benchmarks.

`Org(objectives, seed)` is a clean org; `SimulatorServer(org)` serves it over HTTP;
`server.sim.mutate(lambda o: o.evolve(25))` changes it as a living org does between syncs.

The messy org
-------------
`Org(mess=True)` (`okrsync simulate --mess`) is the seed's org with the mess real exports carry
laid over it; the default org never has any, and serves the same bytes it always did. The
stored records stay clean, the mess is in what is served (overlay.py), and `org.mess_log`
lists each piece as `Mess(what, kind, rid, detail)`: tests assert on exactly those records.
It needs 40 objectives or more; every generated OKR lies in `mess_export.MESS_WINDOW_MS`.

1. nulls: every field of every record kind but the ids (`oddities.OPTIONAL_FIELDS`, dotted
   paths reach into latestUpdate, unit, currentProgressDefinition) null on one record and
   absent from another;
2. child lists against parent pointers: a key result and an objective listed by their parent
   with parentObjectiveId null; another of each pointing at a parent that does not list it;
3. a parent outside the window: an objective under a parent dated 2019, which the window's
   byDate answer does not carry and objectives/byIds does;
4. timestamps at other offsets and with milliseconds (`oddities.TIME_STYLES`), still in the
   vendor's +HHMM form and naming the stored instant;
5. odd types (`oddities.ODD_TYPES`: weight 0.5, percentDone "45", deadline "TBD", integer
   parentObjectiveId and ownerAccountId, description as an Atlassian document) on an objective
   and a key result each; unusable identities: an objective's id null, a key result's an
   object, a check-in's updateId null; a latestUpdate naming another entity;
6. check-ins before their OKR is exported: a key result and an objective in the feed only,
   exported from the next step on;
7. each `evolve` step of a messy org also makes a new 6, and deletes an exported OKR (with its
   key results and check-ins) for the step: it comes back at the next, ids and check-ins intact.

Only `oddities.DEVIATIONS` break openapi.json (5's odd types and identities); the rest is what
the spec allows and real payloads do. Paged feeds refuse a pageSize outside 1-1000, always.

Driving the mess step by step (a model-based test): each kind is one method of the org, on a
record of your choosing, so `sim.mutate(lambda o: o.inject_odd_type(kid, "weight"))` works:
  inject_null(kind, rid, field, absent=False)   restyle_times(kind, rid, style)
  inject_odd_type(eid, field)                    inject_unusable_identity(kind, rid, form)
  misattribute_latest_update(eid, other_id)      list_without_pointer(eid)
  point_without_listing(eid)                     inject_parent_outside_window(oid) -> parent
  check_in_before_export(eid) -> update id       delete_for_a_step(eid) -> ids held back
  restore(eid)                                   release_hidden() (the next step; evolve does it)
  clear_mess(kind, rid)                          record(kind, rid) (the stored record)
Kinds: objective, keyResult, update, comment, team, period, label, okrType, customField. They
work on any org; a clean one stays clean until one is called.
"""

from okrsync.simulator.mess_fields import Mess
from okrsync.simulator.org import Org
from okrsync.simulator.server import Simulator, SimulatorServer

__all__ = ["Mess", "Org", "Simulator", "SimulatorServer"]
