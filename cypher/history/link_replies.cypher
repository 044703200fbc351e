// Threads: a reply to the comment it answers. Run after every comment of a pull is written,
// as the feed is newest first and a reply arrives before the comment it answers.
UNWIND $rows AS row
MATCH (c:Comment {okrsyncOrg: $org, id: row.id})
MATCH (p:Comment {okrsyncOrg: $org, id: row.replyTo})
MERGE (c)-[:REPLY_TO {okrsyncOrg: $org}]->(p)
