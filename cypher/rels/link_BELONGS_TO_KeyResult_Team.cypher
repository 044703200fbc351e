// (KeyResult)-[:BELONGS_TO]->(Team); MERGE keeps a retried batch from duplicating the relationship.
UNWIND $rows AS row
MATCH (a:KeyResult {id: row.from})
MATCH (b:Team {id: row.to})
MERGE (a)-[:BELONGS_TO]->(b)
