"""The Neo4j side: session plumbing (session), the mirror's statements generated from the graph
model (statements), mirror writes and reads (mirror), and history writes (history)."""

from okrsync.graph.constraints import Constraints
from okrsync.graph.history import History
from okrsync.graph.mirror import BulkLoader, Mirror
from okrsync.graph.session import BatchWriter, Graph, WriteStats
from okrsync.graph.statements import cypher

__all__ = [
    "BatchWriter",
    "BulkLoader",
    "Constraints",
    "Graph",
    "History",
    "Mirror",
    "WriteStats",
    "cypher",
]
