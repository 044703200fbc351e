// Jira's own fields on (:Issue) nodes (optional enrichment). These properties are not part of
// the mirror's diff: drift repair leaves them alone.
UNWIND $rows AS row
MATCH (i:Issue {id: row.id})
SET i += row.props
