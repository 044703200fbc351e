// `okrsync check`: prove the credentials may write, leaving nothing behind.
CREATE (n:OkrsyncWriteCheck {at: datetime()})
DELETE n
