// Delete KeyResult nodes with their relationships.
UNWIND $keys AS key
MATCH (n:KeyResult {id: key})
DETACH DELETE n
