// First load into an empty graph: CREATE, as nothing can exist to merge with.
UNWIND $rows AS row
MATCH (a:User {accountId: row.from})
MATCH (b:Objective {id: row.to})
CREATE (a)-[:OWNS]->(b)
