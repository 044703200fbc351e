// The first statement of every write transaction while a lease is held: it locks the lease
// node before reading it (a holder that paused past its expiry sees the new holder), extends it
// while it is still ours, and finds nothing otherwise: the transaction is then abandoned before
// it writes anything.
MATCH (l:OkrsyncLease {okrsyncOrg: $org})
SET l._lock = true
REMOVE l._lock
WITH l
WHERE l.holder = $holder
SET l.expires = datetime() + duration({seconds: $ttl})
RETURN count(l) AS held
