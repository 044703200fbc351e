// This organisation's Issue ids not enriched yet (all of them when $all is true).
MATCH (i:Issue)
WHERE i.okrsyncOrg = $org AND i.id IS NOT NULL AND ($all OR i.key IS NULL)
RETURN i.id AS id
