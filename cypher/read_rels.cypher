// Every relationship between mirrored nodes, for drift repair. Reads only.
MATCH (a)-[r:PARENT_OF|HAS_KR|IN_PERIOD|BELONGS_TO|HAS_LABEL|TRACKS|OWNS|COLLABORATES_ON]->(b)
RETURN type(r) AS type, labels(a) AS fromLabels, coalesce(a.id, a.accountId) AS fromKey,
       labels(b) AS toLabels, b.id AS toKey
