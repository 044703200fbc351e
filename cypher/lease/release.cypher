// Give the lease up (a clean stop): a standby takes over at its next look.
MATCH (l:OkrsyncLease {okrsyncOrg: $org, holder: $holder})
SET l.holder = null, l.expires = datetime()
