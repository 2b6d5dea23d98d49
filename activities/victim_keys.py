"""The encryption of victims' details: one random data key per victim, kept only wrapped by the victim
master key (never in the database), and the details encrypted under it.

Both use AES-256-GCM with a fresh nonce each time. The associated data binds each ciphertext to its use
and its victim (and a wrapped key to the master key's id), so a wrapped key or a row of details copied to
another victim, or passed off as the other kind, does not decrypt."""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import ValidationError

from activities.victim_details_errors import DetailsIntegrityError, VictimKeyError
from domain.victim_details import VictimDetails

# Associated data: a domain prefix per use (a wrapped key can never pass for details, or the reverse),
# then the victim ref, so neither can be moved to another victim.
_KEY_AAD = b"yjflow/victim-key/v1\x00"
_DETAILS_AAD = b"yjflow/victim-details/v1\x00"
_NOTE_AAD = b"yjflow/victim-step-note/v1\x00"
_NONCE_BYTES = 12


def _aad(prefix: bytes, victim_ref: str, key_id: str | None = None) -> bytes:
    parts = [victim_ref.encode("utf-8")] if key_id is None else [key_id.encode("utf-8"), victim_ref.encode("utf-8")]
    return prefix + b"\x00".join(parts)


class VictimKeyring:
    """The victim master key (32 bytes; not the Temporal payload key) and the id it is stored under
    against every key it wraps."""

    def __init__(self, master_key: bytes, key_id: str) -> None:
        if not isinstance(master_key, bytes | bytearray) or len(master_key) != 32:
            raise ValueError("the victim master key must be exactly 32 bytes (AES-256)")
        if not key_id or not key_id.strip():
            raise ValueError("the victim master key needs a key id")
        self._master = AESGCM(bytes(master_key))
        self.key_id = key_id

    def new_wrapped_key(self, victim_ref: str) -> bytes:
        """A fresh data key for the victim, wrapped for storage."""
        data_key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._master.encrypt(nonce, data_key, _aad(_KEY_AAD, victim_ref, self.key_id))

    def unwrap(self, victim_ref: str, wrapped: bytes, key_id: str) -> bytes:
        if key_id != self.key_id:
            raise VictimKeyError(
                f"the key of victim {victim_ref} was wrapped by master key {key_id!r}, "
                f"but this process holds {self.key_id!r}",
                victim_ref=victim_ref,
            )
        try:
            return self._master.decrypt(
                wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], _aad(_KEY_AAD, victim_ref, key_id)
            )
        except InvalidTag:
            raise VictimKeyError(
                f"the key of victim {victim_ref} does not unwrap with master key {key_id!r}: "
                "the configured victim master key is not the one that wrapped it, or the key row was altered",
                victim_ref=victim_ref,
            ) from None


def encrypt_details(victim_ref: str, data_key: bytes, details: VictimDetails) -> tuple[bytes, bytes]:
    """The details' ciphertext and its nonce."""
    nonce = os.urandom(_NONCE_BYTES)
    plaintext = details.model_dump_json().encode("utf-8")
    return AESGCM(data_key).encrypt(nonce, plaintext, _aad(_DETAILS_AAD, victim_ref)), nonce


def decrypt_details(victim_ref: str, data_key: bytes, ciphertext: bytes, nonce: bytes) -> VictimDetails:
    try:
        plaintext = AESGCM(data_key).decrypt(nonce, ciphertext, _aad(_DETAILS_AAD, victim_ref))
    except InvalidTag:
        raise DetailsIntegrityError(
            f"the stored details of victim {victim_ref} do not decrypt with its own key: "
            "they were altered or copied from another victim",
            victim_ref=victim_ref,
        ) from None
    try:
        return VictimDetails.model_validate_json(plaintext)
    except ValidationError as e:
        # hide_input_in_errors keeps the plaintext out of the message; only the fields are named.
        fields = ", ".join(".".join(str(p) for p in err["loc"]) or "(whole)" for err in e.errors())
        raise DetailsIntegrityError(
            f"the stored details of victim {victim_ref} no longer validate (fields: {fields})",
            victim_ref=victim_ref,
        ) from None


def encrypt_note(victim_ref: str, note_id: str, data_key: bytes, text: str) -> tuple[bytes, bytes]:
    """A step note's ciphertext and nonce, bound to its victim and its own id (a note cannot be moved)."""
    nonce = os.urandom(_NONCE_BYTES)
    aad = _NOTE_AAD + victim_ref.encode("utf-8") + b"\x00" + note_id.encode("utf-8")
    return AESGCM(data_key).encrypt(nonce, text.encode("utf-8"), aad), nonce


def decrypt_note(victim_ref: str, note_id: str, data_key: bytes, ciphertext: bytes, nonce: bytes) -> str:
    aad = _NOTE_AAD + victim_ref.encode("utf-8") + b"\x00" + note_id.encode("utf-8")
    try:
        return AESGCM(data_key).decrypt(nonce, ciphertext, aad).decode("utf-8")
    except InvalidTag:
        raise DetailsIntegrityError(
            f"step note {note_id} of victim {victim_ref} does not decrypt with its own key: "
            "it was altered or copied from another victim",
            victim_ref=victim_ref,
        ) from None
