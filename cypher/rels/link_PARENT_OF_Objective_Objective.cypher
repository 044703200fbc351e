// (Objective)-[:PARENT_OF]->(Objective); MERGE keeps a retried batch from duplicating the relationship.
UNWIND $rows AS row
MATCH (a:Objective {id: row.from})
MATCH (b:Objective {id: row.to})
MERGE (a)-[:PARENT_OF]->(b)
