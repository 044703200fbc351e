// Reference (physical limit): plain CREATE of (KeyResult)-[:IN_PERIOD]->(Period).
UNWIND $rows AS row
MATCH (a:KeyResult {id: row.from})
MATCH (b:Period {id: row.to})
CREATE (a)-[:IN_PERIOD]->(b)
