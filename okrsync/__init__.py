"""okrsync: mirror OKR for Jira objectives and key results into Neo4j."""

__version__ = "0.1.0"
