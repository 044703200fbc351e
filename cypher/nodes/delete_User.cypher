// Delete User nodes with their relationships.
UNWIND $keys AS key
MATCH (n:User {accountId: key})
DETACH DELETE n
