// Reference (physical limit): plain CREATE of (Objective)-[:BELONGS_TO]->(Team).
UNWIND $rows AS row
MATCH (a:Objective {id: row.from})
MATCH (b:Team {id: row.to})
CREATE (a)-[:BELONGS_TO]->(b)
