// Check-ins (the API's update feed) as Update nodes, linked from their objective or key result.
// MERGE: the overlap window re-delivers a few check-ins; writing them again is harmless.
UNWIND $rows AS row
MERGE (u:Update {id: row.id})
SET u = row.props
FOREACH (k IN keys(row.times) | SET u[k] = datetime(row.times[k]))
WITH u, row
CALL (u, row) {
  MATCH (e:Objective {id: row.entityId})
  MERGE (e)-[:HAS_UPDATE]->(u)
}
CALL (u, row) {
  MATCH (e:KeyResult {id: row.entityId})
  MERGE (e)-[:HAS_UPDATE]->(u)
}
