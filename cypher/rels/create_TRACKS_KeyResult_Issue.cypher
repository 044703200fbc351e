// First load into an empty graph: CREATE, as nothing can exist to merge with.
UNWIND $rows AS row
MATCH (a:KeyResult {id: row.from})
MATCH (b:Issue {id: row.to})
CREATE (a)-[:TRACKS]->(b)
