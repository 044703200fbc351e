// Remove (KeyResult)-[:IN_PERIOD]->(Period) relationships the source no longer has.
UNWIND $rows AS row
MATCH (:KeyResult {id: row.from})-[r:IN_PERIOD]->(:Period {id: row.to})
DELETE r
