// Comments on check-ins as Comment nodes of this organisation, hung from their Update. MERGE:
// the overlap window re-delivers a few, and a reconcile cycle re-reads them all for edits.
UNWIND $rows AS row
MERGE (c:Comment {okrsyncOrg: $org, id: row.id})
SET c = row.props, c.okrsyncOrg = $org
FOREACH (k IN keys(row.times) | SET c[k] = datetime(row.times[k]))
WITH c, row
CALL (c, row) {
  MATCH (u:Update {okrsyncOrg: $org, id: row.updateId})
  MERGE (u)-[:HAS_COMMENT {okrsyncOrg: $org}]->(c)
}
