"""What a sealed value is bound to: the associated data of its AES-256-GCM encryption.

A ciphertext opens only under the context it was sealed with, so a blob copied onto another
record, or swapped for another kind or another capture, fails to decrypt instead of being
read as someone else's photo. `SealContext` is the one place the context's text is built and
taken apart; it *is* that text (a `str`), exactly as stored ciphertexts were sealed with:

    blob:<record id>:<kind>:<sha256>   a biometric item (photo, finger.N, signature.*)
    biodata:<record id>                the applicant's data and the exceptions
    ident:<record id>                  the daily log's NIK and name
    key-check                          the data key's check value
"""

from __future__ import annotations

from typing import ClassVar

BLOB, BIODATA, IDENT, KEY_CHECK = "blob", "biodata", "ident", "key-check"


class SealContext(str):
    """The associated data of one sealed value; build it with the class methods."""

    __slots__ = ()
    KEY_CHECK: ClassVar[SealContext]

    @classmethod
    def blob(cls, record_id: str, kind: str, sha256: str) -> SealContext:
        return cls(f"{BLOB}:{record_id}:{kind}:{sha256}")

    @classmethod
    def biodata(cls, record_id: str) -> SealContext:
        return cls(f"{BIODATA}:{record_id}")

    @classmethod
    def ident(cls, record_id: str) -> SealContext:
        return cls(f"{IDENT}:{record_id}")

    @classmethod
    def ident_sql(cls, id_column: str = "id") -> str:
        """SQL for the (bytes) ident context of each row, for a query that opens many."""
        return f"CAST('{IDENT}:' || {id_column} AS BLOB)"

    @classmethod
    def parse(cls, text: str | bytes) -> SealContext:
        """A context read back (from SQL or a dict key); ValueError if it is not one."""
        value = cls(text.decode() if isinstance(text, bytes) else text)
        if value.purpose not in (BLOB, BIODATA, IDENT, KEY_CHECK):
            raise ValueError(f"not a sealing context: {text!r}")
        return value

    @property
    def purpose(self) -> str:
        return self.split(":", 1)[0]

    @property
    def record_id(self) -> str:
        parts = self.split(":")
        return parts[1] if len(parts) > 1 else ""

    @property
    def kind(self) -> str:
        """A blob's kind ('' for the other purposes)."""
        parts = self.split(":")
        return parts[2] if self.purpose == BLOB and len(parts) == 4 else ""

    @property
    def sha256(self) -> str:
        parts = self.split(":")
        return parts[3] if self.purpose == BLOB and len(parts) == 4 else ""


SealContext.KEY_CHECK = SealContext(KEY_CHECK)
