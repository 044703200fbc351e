// Delete Issue nodes with their relationships.
UNWIND $keys AS key
MATCH (n:Issue {id: key})
DETACH DELETE n
