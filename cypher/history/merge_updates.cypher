// Check-ins (the API's update feed) as Update nodes of this organisation, linked from their
// objective or key result. MERGE: the overlap window re-delivers a few check-ins; writing them
// again is harmless.
UNWIND $rows AS row
MERGE (u:Update {okrsyncOrg: $org, id: row.id})
SET u = row.props, u.okrsyncOrg = $org
FOREACH (k IN keys(row.times) | SET u[k] = datetime(row.times[k]))
WITH u, row
CALL (u, row) {
  MATCH (e:Objective {okrsyncOrg: $org, id: row.entityId})
  MERGE (e)-[:HAS_UPDATE {okrsyncOrg: $org}]->(u)
}
CALL (u, row) {
  MATCH (e:KeyResult {okrsyncOrg: $org, id: row.entityId})
  MERGE (e)-[:HAS_UPDATE {okrsyncOrg: $org}]->(u)
}
