"""okrsync's Cypher statements, shipped as package data (see okrsync.graph.cypher)."""
