"""The ledger: every resource a run makes, written down *before* it is made
(intent) and again once the cloud gave it an id (created), then when it is gone
(released). A crash or SIGKILL between the two leaves an intent the next run or
`hybridtui cleanup` resolves; nothing that is not in the ledger (or tagged as
ours on the cloud) is ever deleted.

SQLite in WAL mode: several hybridtui processes (a dashboard and a headless
run) share it safely; every write is its own transaction.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from hybridtui.errors import HybridError


class LedgerError(HybridError):
    """The ledger cannot be opened. It is never replaced on its own, as the
    cache is: it is the only record of what stopped runs left on the clouds."""

    title = "Provisioning ledger unreadable"


class Kind(StrEnum):
    LOCAL_KEY = "local-key"  # the node's private key file on this machine
    KEY = "key"  # key pair / metadata key on the cloud
    NODE = "node"
    ADDRESS = "address"  # floating IP / Elastic IP hybridtui attached


class State(StrEnum):
    INTENT = "intent"  # about to be created: may or may not exist
    CREATED = "created"  # exists, `ref` names it; a run that stops here left it behind
    KEPT = "kept"  # made by a run that succeeded: the node (and its address) the user asked for
    RELEASED = "released"  # deleted again (or never made)


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    run: str
    cloud: str
    kind: Kind
    name: str
    ref: str
    state: State
    at: float
    detail: str = ""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run TEXT NOT NULL,
    cloud TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    ref TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    at REAL NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS open_entries ON entries (state);
"""


class Ledger:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._conn().executescript(_SCHEMA)  # commits on its own
        except (OSError, sqlite3.DatabaseError) as e:
            self.close()
            raise LedgerError(
                f"the provisioning ledger {path} cannot be opened ({e})",
                hint=(
                    "It lists what stopped runs left on the clouds, so it is not replaced"
                    " for you: check the clouds for hybrid-… nodes, keys and addresses no run"
                    f" removed, then move it aside (mv {path} {path}.broken); the next run"
                    " starts a new one."
                ),
            ) from None

    def _conn(self) -> sqlite3.Connection:
        """One connection per thread (sqlite3 objects stay in their thread)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """Each `with` is one transaction, committed or rolled back."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def intent(self, run: str, cloud: str, kind: Kind, name: str, detail: str = "") -> int:
        with self._db() as db:
            cur = db.execute(
                "INSERT INTO entries (run, cloud, kind, name, state, at, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (run, cloud, str(kind), name, str(State.INTENT), time.time(), detail),
            )
            return int(cur.lastrowid or 0)

    def created(self, entry: int, ref: str) -> None:
        self._set(entry, State.CREATED, ref)

    def released(self, entry: int) -> None:
        self._set(entry, State.RELEASED)

    def kept(self, entry: int) -> None:
        self._set(entry, State.KEPT)

    def _set(self, entry: int, state: State, ref: str | None = None) -> None:
        with self._db() as db:
            if ref is None:
                db.execute(
                    "UPDATE entries SET state = ?, at = ? WHERE id = ?",
                    (str(state), time.time(), entry),
                )
            else:
                db.execute(
                    "UPDATE entries SET state = ?, ref = ?, at = ? WHERE id = ?",
                    (str(state), ref, time.time(), entry),
                )

    def open_entries(
        self, cloud: str | None = None, run: str | None = None, *, kept: bool = False
    ) -> list[Entry]:
        """What is (or may be) still out there, newest first: leftovers (intents
        and created); with `kept`, the nodes successful runs made too."""
        sql = "SELECT id, run, cloud, kind, name, ref, state, at, detail FROM entries WHERE state NOT IN (?, ?)"
        args: list[object] = [str(State.RELEASED), "" if kept else str(State.KEPT)]
        if cloud is not None:
            sql += " AND cloud = ?"
            args.append(cloud)
        if run is not None:
            sql += " AND run = ?"
            args.append(run)
        with self._db() as db:
            rows = db.execute(sql + " ORDER BY id DESC", args).fetchall()
        return [
            Entry(r[0], r[1], r[2], Kind(r[3]), r[4], r[5], State(r[6]), r[7], r[8]) for r in rows
        ]

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
