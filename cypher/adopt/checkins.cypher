// Upgrade: the check-ins of adopted entities (linked, or naming one of them) become this
// organisation's, with their HAS_UPDATE edges. $ids: adopted entity ids of one label.
UNWIND $ids AS id
MATCH (u:Update {entityId: id})
WHERE u.okrsyncOrg IS NULL
SET u.okrsyncOrg = $org
WITH u
OPTIONAL MATCH (e)-[h:HAS_UPDATE]->(u)
WHERE e.okrsyncOrg = $org AND h.okrsyncOrg IS NULL
SET h.okrsyncOrg = $org
RETURN count(*) AS n
