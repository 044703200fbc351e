// Upgrade: REPLY_TO between this organisation's comments.
MATCH (c:Comment)-[r:REPLY_TO]->(p:Comment)
WHERE c.okrsyncOrg = $org AND p.okrsyncOrg = $org AND r.okrsyncOrg IS NULL
WITH r LIMIT $limit
SET r.okrsyncOrg = $org
RETURN count(r) AS n
