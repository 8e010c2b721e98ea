"""Private tracking codes: shown once to the reporter, stored only as a hash.

A code carries about 100 bits from the OS random source, so a plain SHA-256 is
enough to make the stored value useless to whoever reads the database, and it
stays an indexed equality lookup.
"""

from __future__ import annotations

import hashlib
import re
import secrets

#: Crockford's base-32 alphabet: no I, L, O or U, so codes survive being read aloud.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUPS, GROUP_LENGTH = 5, 4


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
    return "-".join(raw[i:i + GROUP_LENGTH] for i in range(0, len(raw), GROUP_LENGTH))


def normalise_code(code: str) -> str:
    """Accept what people type: any case, spaces or dashes, O for 0, I or L for 1."""
    text = re.sub(r"[\s-]+", "", str(code)).upper()
    return text.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()
