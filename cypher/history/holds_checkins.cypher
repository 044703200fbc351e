// Whether the graph holds any check-in of this organisation: when not, a first pull CREATEs.
RETURN EXISTS {
  MATCH (u:Update {okrsyncOrg: $org})
  WHERE u.id IS NOT NULL
} AS holds
