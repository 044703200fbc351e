// Jira's own fields on this organisation's (:Issue) nodes (optional enrichment). These
// properties are not part of the mirror's diff: drift repair leaves them alone.
UNWIND $rows AS row
MATCH (i:Issue {okrsyncOrg: $org, id: row.id})
SET i += row.props
