// Reference (physical limit): plain CREATE of (KeyResult)-[:HAS_LABEL]->(Label).
UNWIND $rows AS row
MATCH (a:KeyResult {id: row.from})
MATCH (b:Label {id: row.to})
CREATE (a)-[:HAS_LABEL]->(b)
