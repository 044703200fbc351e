// Set only the changed properties of User nodes; a null value removes the property.
UNWIND $rows AS row
MATCH (n:User {accountId: row.key})
SET n += row.props
FOREACH (k IN keys(row.times) | SET n[k] = datetime(row.times[k]))
