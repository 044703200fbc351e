// One uniqueness constraint per mirrored label (each also gives the index every MERGE uses).
// Idempotent: run by okrsync before its first write and by `okrsync schema`.
CREATE CONSTRAINT objective_id IF NOT EXISTS FOR (n:Objective) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT key_result_id IF NOT EXISTS FOR (n:KeyResult) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT team_id IF NOT EXISTS FOR (n:Team) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT period_id IF NOT EXISTS FOR (n:Period) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT label_id IF NOT EXISTS FOR (n:Label) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT issue_id IF NOT EXISTS FOR (n:Issue) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT user_account_id IF NOT EXISTS FOR (n:User) REQUIRE n.accountId IS UNIQUE;
