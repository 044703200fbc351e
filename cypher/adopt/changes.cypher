// Upgrade: the changes an adopted run recorded, with the RECORDED edge, $limit at a time.
MATCH (r:SyncRun)-[rec:RECORDED]->(c:Change)
WHERE r.okrsyncOrg = $org AND (c.okrsyncOrg IS NULL OR rec.okrsyncOrg IS NULL)
WITH rec, c LIMIT $limit
SET rec.okrsyncOrg = $org, c.okrsyncOrg = $org
RETURN count(c) AS n
