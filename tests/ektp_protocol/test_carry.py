"""The carried packet, index and receipts (ektp_protocol.carry): only the centre's carry key
opens a packet; a cut or altered one is refused; the centre's carry key is bound to its
receipt key; signed documents check against the right key only."""

from __future__ import annotations

import hashlib
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ektp_protocol as protocol
from ektp_protocol import carry

SERVER = protocol.new_private_key()
STATION = protocol.new_private_key()


def _packet(n: int = 3) -> carry.Packet:
    blobs = {}
    for _ in range(n):
        data = os.urandom(5000)
        blobs[hashlib.sha256(data).hexdigest()] = data
    manifest = protocol.canonical({"record_id": "r", "blobs": sorted(blobs)})
    return carry.Packet(manifest, protocol.sign(STATION, manifest), blobs)


def test_a_packet_opens_whole_with_the_centres_key_only():
    packet = _packet()
    sealed = carry.seal(packet, carry.carry_public_key(SERVER))
    assert carry.open_packet(sealed, carry.carry_private_key(SERVER)) == packet
    with pytest.raises(carry.CarryError) as other:
        carry.open_packet(sealed, carry.carry_private_key(protocol.new_private_key()))
    assert other.value.reason == "damaged"
    assert sealed.count(packet.manifest) == 0 and all(
        blob[:32] not in sealed for blob in packet.blobs.values())
    # two seals of the same record differ (a fresh key and nonce each time)
    assert carry.seal(packet, carry.carry_public_key(SERVER)) != sealed


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_cut_or_flipped_byte_is_refused_never_misread(data):
    sealed = carry.seal(_packet(2), carry.carry_public_key(SERVER))
    if data.draw(st.booleans()):
        damaged = sealed[:data.draw(st.integers(0, len(sealed) - 1))]
    else:
        at = data.draw(st.integers(0, len(sealed) - 1))
        damaged = sealed[:at] + bytes([sealed[at] ^ data.draw(st.integers(1, 255))]) + \
            sealed[at + 1:]
    with pytest.raises(carry.CarryError) as refused:
        carry.open_packet(damaged, carry.carry_private_key(SERVER))
    assert refused.value.reason in ("damaged", "not_packet")


def test_the_carry_key_is_bound_to_the_server_key():
    key, signature = carry.carry_public_key(SERVER), carry.carry_key_signature(SERVER)
    assert carry.check_carry_key(key, signature, protocol.public_key_of(SERVER)) == key
    impostor = protocol.new_private_key()
    with pytest.raises(protocol.ProtocolError):
        carry.check_carry_key(carry.carry_public_key(impostor),
                              carry.carry_key_signature(impostor),
                              protocol.public_key_of(SERVER))
    assert carry.carry_public_key(SERVER) == key  # derived, the same in every process


def test_signed_documents_check_against_their_signer_only():
    doc = carry.signed_document("index", {"packets": [{"name": "a"}]}, STATION)
    assert carry.read_signed(doc, "index", protocol.public_key_of(STATION)) == \
        {"packets": [{"name": "a"}]}
    with pytest.raises(carry.CarryError, match="not signed"):
        carry.read_signed(doc, "index", protocol.public_key_of(SERVER))
    forged = doc.replace(b'"a"', b'"b"')
    with pytest.raises(carry.CarryError):
        carry.read_signed(forged, "index", protocol.public_key_of(STATION))
    with pytest.raises(carry.CarryError, match="not readable"):
        carry.read_signed(b"{not json", "index")
