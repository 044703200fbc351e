// First load into an empty graph: CREATE, as nothing can exist to merge with.
UNWIND $rows AS row
MATCH (a:KeyResult {id: row.from})
MATCH (b:Period {id: row.to})
CREATE (a)-[:IN_PERIOD]->(b)
