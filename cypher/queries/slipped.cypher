// @title What slipped
// @description Key results whose percentDone went down, or whose status moved into a risk
//   status, in the $days days before $asOf (from okrsync's change journal).
// @param days integer 7 how many days back to look
// @param asOf instant null the end of the period looked at (unset: now)
// @param riskStatuses list<string> ["AT_RISK", "ACTION_REQUIRED", "DELAYED", "MISSED_TARGET", "FAILED"] statuses that count as slipping
WITH coalesce($asOf, datetime()) AS now
MATCH (c:Change {okrsyncOrg: $org, entityType: 'KeyResult'})
WHERE c.at > now - duration({days: $days}) AND c.at <= now
  AND ((c.field = 'percentDone' AND c.new < c.old)
       OR (c.field = 'status' AND c.new IN $riskStatuses AND NOT coalesce(c.old, '') IN $riskStatuses))
OPTIONAL MATCH (c)-[:ABOUT]->(k:KeyResult)
RETURN c.entityId AS id, k.key AS key, k.name AS name, c.field AS field, c.old AS old,
       c.new AS new, toString(c.at) AS at
ORDER BY c.at DESC, key, field
