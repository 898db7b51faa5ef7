"""Resume tokens: the secret a program shows to come back as the member it was.

Only a token's digest is kept (here, in the hub, in a store), so a copy of the state cannot
resume anybody; a token is looked up by its digest, and the digest compared in constant time,
so that neither the lookup nor the comparison tells a guesser how close it came.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable

from papo.core.session import Session
from papo.core.shared import SharedState

TOKEN_BYTES = 24  # 192 random bits per resume token (32 URL-safe characters)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> bytes:
    """What the chat keeps of a token: its digest, looked up by (the digest of a guess tells
    nothing about the token's characters, so the lookup leaks nothing) and written to a
    store in place of the token, which a copy of the file then cannot resume with."""
    return hashlib.sha256(token.encode("utf-8", "replace")).digest()


class ResumeTokens:
    """The members of this process that hold a token, by its digest; the hub is told of each
    token given or taken back, so that it also resumes on another server (several servers)."""

    def __init__(self, shared: SharedState, new: Callable[[], str] = new_token) -> None:
        self._shared = shared
        self._new = new
        self._members: dict[bytes, Session] = {}

    def issue(self, member: Session) -> str:
        """A new token for ``member``; its old one no longer resumes."""
        self.revoke(member)
        token = self._new()
        member.token = token_digest(token)
        self._members[member.token] = member
        self._shared.keep_token(member.sid, member.token, member.first_id)
        return token

    def revoke(self, member: Session) -> None:
        """``member``'s token resumes nobody any more, here or elsewhere."""
        if member.token is not None:
            self._members.pop(member.token, None)
            self._shared.drop_token(member.sid, member.token)
            member.token = None

    def restore(self, member: Session) -> None:
        """A member brought back with the digest it had (after a restart, or from another
        server): its token resumes it here."""
        if member.token:
            self._members[member.token] = member

    def forget(self, member: Session) -> None:
        """``member`` went to another server with its token, which goes on resuming it there."""
        if member.token is not None:
            self._members.pop(member.token, None)

    def knows(self, token: str) -> bool:
        """Whether ``token`` resumes a member of this process (else, maybe of another)."""
        return token_digest(token) in self._members

    def member(self, token: str) -> Session | None:
        """The member ``token`` resumes, if it is this process's."""
        digest = token_digest(token)
        member = self._members.get(digest)
        if member is None or not hmac.compare_digest(member.token or b"", digest):
            return None
        return member
