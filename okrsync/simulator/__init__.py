"""A faithful local stand-in for the OKR for Jira API, for tests, the demo and benchmarks."""

from okrsync.simulator.org import Org
from okrsync.simulator.server import Simulator, SimulatorServer

__all__ = ["Org", "Simulator", "SimulatorServer"]
