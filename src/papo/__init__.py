"""papo: a multi-user chat over TCP that any line client can join."""

__version__ = "0.1.0"
PROTOCOL_VERSION = 2
