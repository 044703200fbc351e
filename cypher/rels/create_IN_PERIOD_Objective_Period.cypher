// First load into an empty graph: CREATE, as nothing can exist to merge with.
UNWIND $rows AS row
MATCH (a:Objective {id: row.from})
MATCH (b:Period {id: row.to})
CREATE (a)-[:IN_PERIOD]->(b)
