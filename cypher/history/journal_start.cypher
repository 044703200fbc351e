// For `okrsync report`: where the organisation's change journal starts (its oldest sync run
// still kept); progress before it was never recorded.
MATCH (r:SyncRun {okrsyncOrg: $org})
RETURN toString(min(r.startedAt)) AS since
