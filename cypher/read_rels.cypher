// Every relationship between mirrored nodes, for drift repair. Reads only.
// Grouped by start node: each record costs the driver ~35 us of Python, so 155k records
// rather than 740k at 100k entities.
MATCH (a)-[r:PARENT_OF|HAS_KR|IN_PERIOD|BELONGS_TO|HAS_LABEL|TRACKS|OWNS|COLLABORATES_ON]->(b)
WITH a, collect([type(r), labels(b), b.id]) AS out
RETURN labels(a) AS fromLabels, coalesce(a.id, a.accountId) AS fromKey, out
