// Upgrade: ABOUT from an adopted change to the adopted entity it describes.
MATCH (c:Change)-[a:ABOUT]->(e)
WHERE c.okrsyncOrg = $org AND e.okrsyncOrg = $org AND a.okrsyncOrg IS NULL
WITH a LIMIT $limit
SET a.okrsyncOrg = $org
RETURN count(a) AS n
