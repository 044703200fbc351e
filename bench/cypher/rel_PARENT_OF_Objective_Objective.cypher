// Reference (physical limit): plain CREATE of (Objective)-[:PARENT_OF]->(Objective).
UNWIND $rows AS row
MATCH (a:Objective {id: row.from})
MATCH (b:Objective {id: row.to})
CREATE (a)-[:PARENT_OF]->(b)
