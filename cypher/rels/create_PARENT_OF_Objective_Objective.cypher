// First load into an empty graph: CREATE, as nothing can exist to merge with.
UNWIND $rows AS row
MATCH (a:Objective {id: row.from})
MATCH (b:Objective {id: row.to})
CREATE (a)-[:PARENT_OF]->(b)
