// Reference (physical limit): plain CREATE of (KeyResult)-[:BELONGS_TO]->(Team).
UNWIND $rows AS row
MATCH (a:KeyResult {id: row.from})
MATCH (b:Team {id: row.to})
CREATE (a)-[:BELONGS_TO]->(b)
