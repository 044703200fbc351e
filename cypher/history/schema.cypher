// One uniqueness constraint per mirrored label (each also gives the index every MERGE uses).
// Idempotent: run by okrsync before its first write and by `okrsync schema`.
CREATE CONSTRAINT objective_id IF NOT EXISTS FOR (n:Objective) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT key_result_id IF NOT EXISTS FOR (n:KeyResult) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT team_id IF NOT EXISTS FOR (n:Team) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT period_id IF NOT EXISTS FOR (n:Period) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT label_id IF NOT EXISTS FOR (n:Label) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT issue_id IF NOT EXISTS FOR (n:Issue) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT user_account_id IF NOT EXISTS FOR (n:User) REQUIRE n.accountId IS UNIQUE;
CREATE CONSTRAINT update_id IF NOT EXISTS FOR (n:Update) REQUIRE n.id IS UNIQUE;
CREATE INDEX update_entity IF NOT EXISTS FOR (n:Update) ON (n.entityId);
CREATE CONSTRAINT comment_id IF NOT EXISTS FOR (n:Comment) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT sync_run_id IF NOT EXISTS FOR (n:SyncRun) REQUIRE n.id IS UNIQUE;
CREATE INDEX change_at IF NOT EXISTS FOR (n:Change) ON (n.at);
CREATE INDEX change_entity IF NOT EXISTS FOR (n:Change) ON (n.entityId);
