// Take or renew this organisation's write lease: granted when free, expired, or already ours.
// The uniqueness constraint on okrsyncOrg makes concurrent MERGEs meet on one node, and the
// first SET takes its write lock before anything is read: two hosts asking at once are served
// one after the other, the second seeing what the first wrote (no lost update).
MERGE (l:OkrsyncLease {okrsyncOrg: $org})
SET l._lock = true
REMOVE l._lock
WITH l, l.holder AS before,
     l.holder IS NULL OR l.holder = $holder OR l.expires < datetime() AS granted
SET l.holder = CASE WHEN granted THEN $holder ELSE l.holder END,
    l.expires = CASE WHEN granted THEN datetime() + duration({seconds: $ttl}) ELSE l.expires END,
    l.since = CASE WHEN granted AND coalesce(before <> $holder, true) THEN datetime()
              ELSE l.since END
RETURN granted, l.holder AS holder, toString(l.expires) AS expires,
       granted AND coalesce(before <> $holder, true) AS taken
