"""The wire protocol as pure functions and data: no sockets, no event loop, no clock."""
