// One sync run of this organisation and a batch of its field-level changes; each change points
// at its entity while that exists. MERGE on the run: a long journal arrives in several batches.
MERGE (r:SyncRun {okrsyncOrg: $org, id: $run.id})
SET r += $run, r.startedAt = datetime($run.startedAt), r.finishedAt = datetime($run.finishedAt)
WITH r
UNWIND $changes AS c
CREATE (r)-[:RECORDED {okrsyncOrg: $org}]->(ch:Change)
SET ch = c, ch.okrsyncOrg = $org, ch.at = datetime(c.at)
WITH ch, c
CALL (ch, c) {
  MATCH (e:Objective {okrsyncOrg: $org, id: c.entityId})
  WHERE c.entityType = 'Objective'
  CREATE (ch)-[:ABOUT {okrsyncOrg: $org}]->(e)
}
CALL (ch, c) {
  MATCH (e:KeyResult {okrsyncOrg: $org, id: c.entityId})
  WHERE c.entityType = 'KeyResult'
  CREATE (ch)-[:ABOUT {okrsyncOrg: $org}]->(e)
}
