// Reference (physical limit): plain CREATE of (Objective)-[:HAS_KR]->(KeyResult).
UNWIND $rows AS row
MATCH (a:Objective {id: row.from})
MATCH (b:KeyResult {id: row.to})
CREATE (a)-[:HAS_KR]->(b)
