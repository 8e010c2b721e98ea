"""Case handles: how a pseudonymised reader (a mission) comes back to one case.

A mission never sees a case's reference or id, so it needs another name for a case
to ask for it again. A handle is the case id sealed with AES-SIV (deterministic
authenticated encryption, from `cryptography`) under a key derived from the data
key, bound to the reader's user id as associated data. So:

- the same reader always gets the same handle for a case (lists and reads agree);
- two readers get unrelated handles, and neither matches any export pseudonym
  (those are HMACs under a salt made for each export), so nothing joins them;
- only the server can open a handle, and a handle altered, forged or made for
  another reader opens to nothing, which the API answers like a missing case.

Pure core: no Flask, no database.
"""

from __future__ import annotations

import base64
import hashlib
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

PREFIX = "P-"
#: What a handle can look like before it is opened (a case id is at most 80 characters).
HANDLE_PATTERN = re.compile(r"^P-[A-Za-z0-9_-]{22,140}$")


def handle_key(data_key: str) -> bytes:
    """The 64-byte AES-SIV key of handles: derived from the data key, for this use only."""
    return hashlib.sha512(b"mrvrs case handles|" + data_key.encode("utf-8")).digest()


class CaseHandles:
    """Seal case ids into handles for one reader, and open them again."""

    def __init__(self, key: bytes, reader_id: str) -> None:
        if not reader_id:
            raise ValueError("a handle is bound to a reader: give the reader's id")
        self._siv = AESSIV(key)
        self._bound = [b"mrvrs case handle|" + str(reader_id).encode("utf-8")]

    def seal(self, case_id: str) -> str:
        sealed = self._siv.encrypt(str(case_id).encode("utf-8"), self._bound)
        return PREFIX + base64.urlsafe_b64encode(sealed).decode("ascii").rstrip("=")

    def open(self, handle: str) -> str | None:
        """The case id in `handle`, or None for anything this reader was not given."""
        if not isinstance(handle, str) or not HANDLE_PATTERN.match(handle):
            return None
        body = handle[len(PREFIX):]
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            return self._siv.decrypt(raw, self._bound).decode("utf-8")
        except (InvalidTag, ValueError):
            return None
