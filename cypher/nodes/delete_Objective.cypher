// Delete Objective nodes with their relationships.
UNWIND $keys AS key
MATCH (n:Objective {id: key})
DETACH DELETE n
