// Reference (physical limit): plain CREATE of (User)-[:COLLABORATES_ON]->(Objective).
UNWIND $rows AS row
MATCH (a:User {accountId: row.from})
MATCH (b:Objective {id: row.to})
CREATE (a)-[:COLLABORATES_ON]->(b)
