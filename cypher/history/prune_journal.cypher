// Delete up to $limit journal entries (changes, then runs left empty) older than $before.
CALL () {
  MATCH (c:Change) WHERE c.at < datetime($before)
  WITH c LIMIT $limit
  DETACH DELETE c
}
CALL () {
  MATCH (r:SyncRun) WHERE r.finishedAt < datetime($before) AND NOT (r)-[:RECORDED]->()
  WITH r LIMIT $limit
  DETACH DELETE r
}
