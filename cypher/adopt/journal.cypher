// Upgrade: the change journal's runs. Before organisations one database held one okrsync
// mirror; a run is recognised by what only okrsync's SyncRun carries (its id's shape, its
// instants and its five counts), never by its label alone.
MATCH (r:SyncRun)
WHERE r.okrsyncOrg IS NULL AND r.id =~ '\d{4}-\d\d-\d\dT.*-[0-9a-f]{8}'
  AND valueType(r.startedAt) STARTS WITH 'ZONED DATETIME'
  AND valueType(r.finishedAt) STARTS WITH 'ZONED DATETIME'
  AND r.created IS NOT NULL AND r.updated IS NOT NULL AND r.deleted IS NOT NULL
  AND r.linked IS NOT NULL AND r.unlinked IS NOT NULL
WITH r LIMIT $limit
SET r.okrsyncOrg = $org
RETURN count(r) AS n
