// The history's constraints and indexes (the mirror's own come from okrsync.schema).
// Idempotent: run by okrsync before its first write and by `okrsync schema`.
CREATE CONSTRAINT update_id IF NOT EXISTS FOR (n:Update) REQUIRE n.id IS UNIQUE;
CREATE INDEX update_entity IF NOT EXISTS FOR (n:Update) ON (n.entityId);
CREATE CONSTRAINT comment_id IF NOT EXISTS FOR (n:Comment) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT sync_run_id IF NOT EXISTS FOR (n:SyncRun) REQUIRE n.id IS UNIQUE;
CREATE INDEX change_at IF NOT EXISTS FOR (n:Change) ON (n.at);
CREATE INDEX change_entity IF NOT EXISTS FOR (n:Change) ON (n.entityId);
