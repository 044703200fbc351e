// Delete Team nodes with their relationships.
UNWIND $keys AS key
MATCH (n:Team {id: key})
DETACH DELETE n
