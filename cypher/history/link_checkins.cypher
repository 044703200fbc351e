// Link the check-ins of these objectives and key results: HAS_UPDATE is made whenever both ends
// exist (an OKR created after its first check-in, one deleted and restored), not only when the
// check-in is first written. MERGE: an existing link is left as it is.
UNWIND $entityIds AS eid
MATCH (u:Update {okrsyncOrg: $org, entityId: eid})
CALL (u, eid) {
  MATCH (e:Objective {okrsyncOrg: $org, id: eid})
  MERGE (e)-[:HAS_UPDATE {okrsyncOrg: $org}]->(u)
}
CALL (u, eid) {
  MATCH (e:KeyResult {okrsyncOrg: $org, id: eid})
  MERGE (e)-[:HAS_UPDATE {okrsyncOrg: $org}]->(u)
}
