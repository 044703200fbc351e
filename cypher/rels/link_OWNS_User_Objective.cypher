// (User)-[:OWNS]->(Objective); MERGE keeps a retried batch from duplicating the relationship.
UNWIND $rows AS row
MATCH (a:User {accountId: row.from})
MATCH (b:Objective {id: row.to})
MERGE (a)-[:OWNS]->(b)
