// A comment's author as the User node the mirror holds, whenever both exist (the user may
// appear in the mirror after the comment, or come back after being removed).
UNWIND $accountIds AS aid
MATCH (p:User {okrsyncOrg: $org, accountId: aid})
MATCH (c:Comment {okrsyncOrg: $org, authorAccountId: aid})
MERGE (p)-[:WROTE {okrsyncOrg: $org}]->(c)
