// Issue ids not enriched yet (all of them when $all is true).
MATCH (i:Issue)
WHERE $all OR i.key IS NULL
RETURN i.id AS id
