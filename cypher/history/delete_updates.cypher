// Check-ins the feed no longer serves, with their comments. Only this organisation's
// relationships go; a node another application still links to keeps its data, unmarked.
UNWIND $ids AS id
MATCH (u:Update {okrsyncOrg: $org, id: id})
OPTIONAL MATCH (u)-[:HAS_COMMENT {okrsyncOrg: $org}]->(c:Comment {okrsyncOrg: $org})
WITH collect(DISTINCT u) + collect(DISTINCT c) AS gone
UNWIND gone AS n
CALL (n) {
  MATCH (n)-[r]-()
  WHERE r.okrsyncOrg = $org
  DELETE r
}
CALL (n) {
  WITH n WHERE EXISTS { (n)--() }
  REMOVE n.okrsyncOrg
}
CALL (n) {
  WITH n WHERE NOT EXISTS { (n)--() }
  DELETE n
}
