// Delete up to $limit nodes of the database with their relationships (tests and benchmarks).
MATCH (n)
WITH n LIMIT $limit
DETACH DELETE n
