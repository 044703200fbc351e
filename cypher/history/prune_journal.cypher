// Delete up to $limit of this organisation's journal entries (changes, then runs left empty)
// older than $before; another organisation's are never read.
CALL () {
  MATCH (c:Change) WHERE c.okrsyncOrg = $org AND c.at < datetime($before)
  WITH c LIMIT $limit
  DETACH DELETE c
}
CALL () {
  MATCH (r:SyncRun)
  WHERE r.okrsyncOrg = $org AND r.finishedAt < datetime($before) AND NOT (r)-[:RECORDED]->()
  WITH r LIMIT $limit
  DETACH DELETE r
}
