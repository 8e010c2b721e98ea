"""Encryption of sensitive answers before they reach the database.

Fernet (from `cryptography`) gives authenticated encryption, so a tampered
ciphertext fails to open instead of yielding altered answers. MultiFernet lets
the data key be rotated: the first key seals, every listed key opens.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SealError(ValueError):
    """A sealed value could not be opened: wrong key or altered data."""


class Sealer:
    def __init__(self, *keys: str) -> None:
        if not keys:
            raise ValueError("at least one data key is needed")
        fernets = [Fernet(key.encode()) for key in keys]
        self._newest = fernets[0]
        self._fernet = MultiFernet(fernets)

    def seal(self, values: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(values, sort_keys=True).encode()).decode()

    def open(self, token: str | None) -> dict[str, Any]:
        if not token:
            return {}
        try:
            return json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken:
            raise SealError("sensitive answers could not be decrypted with the data key") from None

    def is_current(self, token: str) -> bool:
        """True when `token` opens with the newest key: nothing to re-seal."""
        try:
            self._newest.decrypt(token.encode())
        except InvalidToken:
            return False
        return True

    def reseal(self, token: str) -> str:
        """`token` sealed again under the newest key, same content; `SealError` if no key
        opens it. The token keeps its original timestamp (Fernet's rotate)."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise SealError("sensitive answers could not be decrypted with any data key") from None
