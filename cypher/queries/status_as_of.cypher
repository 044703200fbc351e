// @title Objectives of a period as of a date
// @description The status (latest check-in at or before $asOf) and progress (percentDone before
//   the first journalled change after $asOf) of every objective of the period.
// @param period string "Q1 2026" the period's name
// @param asOf instant required the moment, e.g. 2026-03-15 or 2026-03-15T00:00:00Z
WITH $asOf AS asOf
MATCH (o:Objective {okrsyncOrg: $org})-[:IN_PERIOD]->(:Period {okrsyncOrg: $org, name: $period})
WHERE o.created IS NULL OR o.created <= asOf
CALL (o, asOf) {
  OPTIONAL MATCH (o)-[:HAS_UPDATE]->(u:Update)
  WHERE u.created <= asOf
  WITH u ORDER BY u.created DESC LIMIT 1
  RETURN u.status AS status
}
CALL (o, asOf) {
  OPTIONAL MATCH (c:Change {okrsyncOrg: $org, entityId: o.id, field: 'percentDone'})
  WHERE c.at > asOf
  WITH c ORDER BY c.at ASC LIMIT 1
  RETURN c IS NOT NULL AS changedSince, c.old AS before
}
RETURN o.key AS key, o.name AS name, status,
       CASE WHEN changedSince THEN before ELSE o.percentDone END AS percentDone
ORDER BY key
