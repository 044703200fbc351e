// The history's constraints and indexes, per organisation (the mirror's own come from
// okrsync.schema). Idempotent: run by okrsync before its first write and by `okrsync schema`.
CREATE CONSTRAINT update_org_id IF NOT EXISTS FOR (n:Update) REQUIRE (n.okrsyncOrg, n.id) IS UNIQUE;
CREATE INDEX update_org_entity IF NOT EXISTS FOR (n:Update) ON (n.okrsyncOrg, n.entityId);
CREATE CONSTRAINT comment_org_id IF NOT EXISTS FOR (n:Comment) REQUIRE (n.okrsyncOrg, n.id) IS UNIQUE;
CREATE CONSTRAINT sync_run_org_id IF NOT EXISTS FOR (n:SyncRun) REQUIRE (n.okrsyncOrg, n.id) IS UNIQUE;
CREATE INDEX change_org_at IF NOT EXISTS FOR (n:Change) ON (n.okrsyncOrg, n.at);
CREATE INDEX change_org_entity IF NOT EXISTS FOR (n:Change) ON (n.okrsyncOrg, n.entityId);
CREATE CONSTRAINT okrsync_lease_org IF NOT EXISTS FOR (n:OkrsyncLease) REQUIRE n.okrsyncOrg IS UNIQUE;
CREATE INDEX comment_org_author IF NOT EXISTS FOR (n:Comment) ON (n.okrsyncOrg, n.authorAccountId)
