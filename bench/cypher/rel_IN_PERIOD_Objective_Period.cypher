// Reference (physical limit): plain CREATE of (Objective)-[:IN_PERIOD]->(Period).
UNWIND $rows AS row
MATCH (a:Objective {id: row.from})
MATCH (b:Period {id: row.to})
CREATE (a)-[:IN_PERIOD]->(b)
