// Reference (physical limit): plain CREATE of (Objective)-[:HAS_LABEL]->(Label).
UNWIND $rows AS row
MATCH (a:Objective {id: row.from})
MATCH (b:Label {id: row.to})
CREATE (a)-[:HAS_LABEL]->(b)
