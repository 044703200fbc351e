// Upgrade: comments on this organisation's check-ins, with their HAS_COMMENT edges.
MATCH (u:Update)-[h:HAS_COMMENT]->(c:Comment)
WHERE u.okrsyncOrg = $org AND (c.okrsyncOrg IS NULL OR h.okrsyncOrg IS NULL)
WITH c, h LIMIT $limit
SET c.okrsyncOrg = $org, h.okrsyncOrg = $org
RETURN count(c) AS n
