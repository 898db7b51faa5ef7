"""The passwords a connection may give: the chat's (``/pass``, before a name, on a server
started with ``--password-file``) and the operators' (``/oper``).

Both are compared in constant time, so how long a refusal takes says nothing of how much of
the password was right, and a wrong one counts as a refused name: five end the connection,
and the per-address pacing of new connections makes each guess cost.
"""

from __future__ import annotations

import hmac

from papo.protocol.events import Error, ErrorCode


def same_password(wanted: str, given: str) -> bool:
    return hmac.compare_digest(given.encode(), wanted.encode())


def chat_password_refusal(wanted: str | None, given: str, now: float) -> Error | None:
    """Why ``/pass given`` lets nobody in; None: it does (also where no password is asked:
    a client that always sends the one it was given is never refused for it)."""
    if wanted is None or same_password(wanted, given):
        return None
    return Error(ts=now, code=ErrorCode.WRONG_PASSWORD, command="pass")
