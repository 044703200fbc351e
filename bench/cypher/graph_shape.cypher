// What a mirror holds, without its values: nodes per label and property type, relationships
// per type. The reference must leave the very graph okrsync leaves, property types included.
// The write lease is okrsync's bookkeeping, not part of the mirror.
CALL () {
  MATCH (n) WHERE NOT n:OkrsyncLease
  UNWIND keys(n) AS key
  RETURN 'node' AS kind, labels(n)[0] AS name, key, valueType(n[key]) AS type, count(*) AS count
  UNION ALL
  MATCH ()-[r]->()
  RETURN 'rel' AS kind, type(r) AS name, '' AS key, '' AS type, count(*) AS count
}
RETURN kind, name, key, type, count
ORDER BY kind, name, key, type
