// Nodes no okrsync test wrote: without an organisation, or of one not named for the tests
// (okrsync-test*) nor the demo's. How many (counted up to $limit), and the first's labels and
// organisation, so a refusal can say what it saw.
MATCH (n)
WHERE n.okrsyncOrg IS NULL OR NOT (n.okrsyncOrg STARTS WITH $prefix OR n.okrsyncOrg IN $orgs)
WITH n LIMIT $limit
WITH collect(n) AS found
RETURN size(found) AS count, labels(found[0]) AS labels, found[0].okrsyncOrg AS org
