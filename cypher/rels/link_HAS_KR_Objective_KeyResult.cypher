// (Objective)-[:HAS_KR]->(KeyResult); MERGE keeps a retried batch from duplicating the relationship.
UNWIND $rows AS row
MATCH (a:Objective {id: row.from})
MATCH (b:KeyResult {id: row.to})
MERGE (a)-[:HAS_KR]->(b)
