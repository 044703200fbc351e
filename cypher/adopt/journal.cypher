// Upgrade: the change journal. Before organisations one database held one okrsync mirror, so
// every unmarked SyncRun is that mirror's; its Changes and their edges follow it.
MATCH (r:SyncRun)
WHERE r.okrsyncOrg IS NULL AND r.startedAt IS NOT NULL
WITH r LIMIT $limit
SET r.okrsyncOrg = $org
WITH r
OPTIONAL MATCH (r)-[rec:RECORDED]->(c:Change)
SET rec.okrsyncOrg = $org, c.okrsyncOrg = $org
WITH c
OPTIONAL MATCH (c)-[a:ABOUT]->(e)
WHERE e.okrsyncOrg = $org
SET a.okrsyncOrg = $org
RETURN count(*) AS n
