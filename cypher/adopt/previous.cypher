// Upgrade: the PREVIOUS chain between this organisation's check-ins, $limit at a time.
MATCH (u:Update)-[p:PREVIOUS]->(v:Update)
WHERE u.okrsyncOrg = $org AND v.okrsyncOrg = $org AND p.okrsyncOrg IS NULL
WITH p LIMIT $limit
SET p.okrsyncOrg = $org
RETURN count(p) AS n
