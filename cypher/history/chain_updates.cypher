// Re-thread (newer)-[:PREVIOUS]->(older) through the check-ins of the entities that got new ones.
UNWIND $entityIds AS eid
MATCH (u:Update {okrsyncOrg: $org, entityId: eid})
WITH eid, u ORDER BY u.created, u.id
WITH eid, collect(u) AS chain
CALL (chain) {
  UNWIND chain AS x
  MATCH (x)-[p:PREVIOUS {okrsyncOrg: $org}]->()
  DELETE p
}
CALL (chain) {
  UNWIND range(1, size(chain) - 1) AS i
  WITH chain[i] AS newer, chain[i - 1] AS older
  CREATE (newer)-[:PREVIOUS {okrsyncOrg: $org}]->(older)
}
