// Delete Label nodes with their relationships.
UNWIND $keys AS key
MATCH (n:Label {id: key})
DETACH DELETE n
