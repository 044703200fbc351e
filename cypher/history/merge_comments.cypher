// Comments on check-ins as Comment nodes, hung from their Update. MERGE: the overlap window
// re-delivers a few, and a reconcile cycle re-reads them all to pick up edits.
UNWIND $rows AS row
MERGE (c:Comment {id: row.id})
SET c = row.props
FOREACH (k IN keys(row.times) | SET c[k] = datetime(row.times[k]))
WITH c, row
CALL (c, row) {
  MATCH (u:Update {id: row.updateId})
  MERGE (u)-[:HAS_COMMENT]->(c)
}
