"""How to reach the PVS, as the options say; light to import (requests is loaded on first use)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from .answer import Answer
    from .pvs import Session


class Reach(NamedTuple):
    """Where the PVS is and how to talk to it: everything a run or a kept session needs."""

    host: str
    source: str
    password: str | None
    ca_file: str | None
    fingerprint: str | None
    proxy: str | None
    seconds: float

    def fetch(self, log: list[Any] | None = None) -> Answer:
        """The run's documents from the PVS, logged out at the end; `log` receives each
        request made."""
        from .pvs import fetch_site  # requests is slow to import; --input does without it
        from .transport import TLS

        return fetch_site(
            self.host,
            source=self.source,
            password=self.password or None,
            tls=TLS(ca_file=self.ca_file, fingerprint=self.fingerprint),
            seconds=self.seconds,
            proxy=self.proxy,
            log=log,
        )

    def session(self) -> Session:
        """A kept session with the PVS (not yet logged in): poll it, then log out."""
        from .pvs import Session
        from .transport import TLS

        return Session(
            self.host,
            source=self.source,
            password=self.password or None,
            tls=TLS(ca_file=self.ca_file, fingerprint=self.fingerprint),
            proxy=self.proxy,
        )
