// The server's settings of these names (SHOW SETTINGS: an administrator's privilege). The demo
// reads where the Browser answers; the tests read whose data directory they are about to wipe.
SHOW SETTINGS YIELD name, value
WHERE name IN $names
RETURN name, value
