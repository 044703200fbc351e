// Reference (physical limit): plain CREATE of (User)-[:OWNS]->(Objective).
UNWIND $rows AS row
MATCH (a:User {accountId: row.from})
MATCH (b:Objective {id: row.to})
CREATE (a)-[:OWNS]->(b)
