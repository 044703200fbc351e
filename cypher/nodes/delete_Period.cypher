// Delete Period nodes with their relationships.
UNWIND $keys AS key
MATCH (n:Period {id: key})
DETACH DELETE n
