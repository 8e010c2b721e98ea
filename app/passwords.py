"""Password hashing with Argon2id, a memory-hard scheme, through argon2-cffi."""

from __future__ import annotations

import secrets
from functools import cached_property

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10

#: RFC 9106's second recommended option: 64 MiB, 3 passes, 4 lanes.
PRODUCTION_PROFILE = profiles.RFC_9106_LOW_MEMORY
#: Only for `MRVRS_ENV=test`, so the suite does not spend minutes hashing test passwords.
TEST_PROFILE = profiles.CHEAPEST


class Passwords:
    """Hashes and checks passwords; each hash records its own parameters."""

    def __init__(self, for_tests: bool = False) -> None:
        self._hasher = PasswordHasher.from_parameters(TEST_PROFILE if for_tests
                                                      else PRODUCTION_PROFILE)

    @property
    def parameters(self):
        return self._hasher

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    @cached_property
    def dummy_hash(self) -> str:
        """A hash of a random secret made with today's parameters, to verify against when
        the e-mail address is unknown, so that costs as long as a wrong password."""
        return self._hasher.hash(secrets.token_urlsafe(32))

    def needs_rehash(self, stored_hash: str) -> bool:
        """True when the hash was made with other parameters than today's."""
        return self._hasher.check_needs_rehash(stored_hash)


def password_problem(password: str) -> str | None:
    """A plain reason the password is unacceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"A password needs at least {MIN_LENGTH} characters."
    return None
