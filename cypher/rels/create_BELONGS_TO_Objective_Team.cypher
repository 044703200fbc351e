// First load into an empty graph: CREATE, as nothing can exist to merge with.
UNWIND $rows AS row
MATCH (a:Objective {id: row.from})
MATCH (b:Team {id: row.to})
CREATE (a)-[:BELONGS_TO]->(b)
