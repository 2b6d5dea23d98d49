"""Every Temporal payload is encrypted (AES-256-GCM) before it leaves the process.

Temporal's history then holds ciphertext only: ids and dates about children are still personal data.
Search attributes are not payloads and are never encrypted, so they carry no personal data.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence

import temporalio.converter
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"


class EncryptionCodec(PayloadCodec):
    def __init__(self, key: bytes, key_id: str) -> None:
        self._aead = AESGCM(key)
        self._key_id = key_id

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [
            Payload(
                metadata={"encoding": ENCODING, "encryption-key-id": self._key_id.encode()},
                data=self._encrypt(p.SerializeToString()),
            )
            for p in payloads
        ]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out: list[Payload] = []
        for p in payloads:
            if p.metadata.get("encoding", b"") != ENCODING:
                out.append(p)
                continue
            key_id = p.metadata.get("encryption-key-id", b"").decode()
            if key_id != self._key_id:
                raise ValueError(f"payload encrypted with unknown key id {key_id!r}")
            out.append(Payload.FromString(self._decrypt(p.data)))
        return out

    def _encrypt(self, data: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, data, None)

    def _decrypt(self, data: bytes) -> bytes:
        return self._aead.decrypt(data[:12], data[12:], None)


def data_converter(key: bytes, key_id: str) -> temporalio.converter.DataConverter:
    """The pydantic converter (dates, aware datetimes) with encryption on top; worker and clients share it."""
    return dataclasses.replace(pydantic_data_converter, payload_codec=EncryptionCodec(key, key_id))
