// @title Progress curve of one key result
// @description Every check-in of the key result (by key or id), oldest first: time, value and
//   status, ready for a chart.
// @param kr string required the key result's key (e.g. KR-4) or id
MATCH (k:KeyResult)
WHERE k.okrsyncOrg = $org AND (k.key = $kr OR k.id = $kr)
MATCH (k)-[:HAS_UPDATE]->(u:Update)
RETURN toString(u.created) AS at, u.value AS value, u.status AS status
ORDER BY u.created
