"""Where `chirp login` keeps its sessions: `$XDG_CONFIG_HOME/chirp/sessions.json` (else ~/.config/chirp/), mode 0600.

Sessions are kept per mesh target and handle, with the handle last logged
in as the default for commands run without --as. Every refresh writes the
new pair of tokens back: a refresh token works once.
"""

import json
import os
from pathlib import Path

from chirp_client.credentials import Session


def default_path() -> Path:
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "chirp" / "sessions.json"


class SessionFile:
    def __init__(self, target: str, path: Path | None = None):
        self.target = target
        self.path = path or default_path()

    def get(self, handle: str | None) -> tuple[str, Session] | None:
        """The session of that handle, or of the handle last logged in when None."""
        kept = self._read().get(self.target, {})
        handle = (handle or kept.get("current", "")).casefold()
        session = kept.get("sessions", {}).get(handle)
        return (handle, Session(**session)) if session else None

    def put(self, handle: str, session: Session) -> None:
        everything = self._read()
        kept = everything.setdefault(self.target, {"sessions": {}})
        kept["sessions"][handle.casefold()] = session.to_dict()
        kept["current"] = handle.casefold()
        self._write(everything)

    def remove(self, handle: str) -> None:
        everything = self._read()
        kept = everything.get(self.target, {})
        kept.get("sessions", {}).pop(handle.casefold(), None)
        if kept.get("current") == handle.casefold():
            kept.pop("current")
        self._write(everything)

    def _read(self) -> dict:
        try:
            return json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}

    def _write(self, everything: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fresh = self.path.with_suffix(".tmp")
        with open(os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:
            json.dump(everything, file, indent=1)
        os.chmod(fresh, 0o600)
        os.replace(fresh, self.path)
