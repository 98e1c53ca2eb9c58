"""ektp_protocol.x5c: JWS tokens with an x5c chain, checked against a trust store, tested first
against MOSIP MockMDS's own keystores and root CAs (material we did not write), then against
forged, altered and self-trusting tokens, and cross-checked with jose4j when Java has it."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from hypothesis import given, settings
from hypothesis import strategies as st

from ektp_protocol import x5c
from ektp_protocol.x5c import TokenRefused, TrustStore
from kiosk.devices.sim.pki import _name, issue, new_key

KEYS = Path(__file__).parent / "data" / "mockmds" / "keys"
NOW = datetime.now(UTC)


def _p12(stem: str):
    key, cert, _ = pkcs12.load_key_and_certificates((KEYS / f"{stem}.p12").read_bytes(),
                                                    stem.encode())
    return key, cert


def _store(*names: str) -> TrustStore:
    return TrustStore.from_certs(x509.load_pem_x509_certificate((KEYS / n).read_bytes())
                                 for n in names)


def _refused(token: str, trust: TrustStore, **kw) -> TokenRefused:
    with pytest.raises(TokenRefused) as info:
        x5c.verify(token, trust, **kw)
    return info.value


def _b64u(obj) -> str:
    raw = obj if isinstance(obj, bytes) else json.dumps(obj, separators=(",", ":")).encode()
    return x5c.b64url(raw)


@pytest.fixture(scope="module")
def slap():
    return _p12("mosipfingerslap")


@pytest.fixture(scope="module")
def ec_pki():
    """Root -> intermediate -> leaf, all P-256 (cheap), with a second leaf straight off root."""
    start, end = NOW - timedelta(days=1), NOW + timedelta(days=30)
    root_key, inter_key, leaf_key = new_key("ES256"), new_key("ES256"), new_key("ES256")
    root = issue(_name("Test Root", "T"), root_key, None, root_key, ca=True, not_before=start,
                 not_after=end)
    inter = issue(_name("Test Intermediate", "T"), inter_key, root, root_key, ca=True,
                  not_before=start, not_after=end)
    leaf = issue(_name("Test Leaf", "T"), leaf_key, inter, inter_key, ca=False,
                 not_before=start, not_after=end)
    return dict(root=(root_key, root), inter=(inter_key, inter), leaf=(leaf_key, leaf))


# --- MockMDS material -------------------------------------------------------------------------

def test_mockmds_device_token_verifies_against_rootca_only(slap):
    key, cert = slap
    payload = b'{"bioType":"Finger","bioSubType":"Left IndexFinger"}'
    got = x5c.verify(x5c.sign(payload, key, [cert]), _store("rootca.cer"))
    assert got.payload == payload and got.claims["bioType"] == "Finger"
    assert got.signer == "CN=mosipfingerslap,OU=mosipfingerslap,O=mosipfingerslap,ST=karnataka,C=IN"
    assert [c.subject.rfc4514_string() for c in got.chain][-1].startswith("CN=RootCA,")
    assert len(got.chain) == 2


def test_mockmds_device_token_is_untrusted_under_the_ftm_root_alone(slap):
    key, cert = slap
    refusal = _refused(x5c.sign({"a": 1}, key, [cert]), _store("rootcaftm.cer"))
    assert refusal.reason == "untrusted" and refusal.subject.startswith("CN=mosipfingerslap,")
    indonesian, english = refusal.words()
    assert "CN=mosipfingerslap" in indonesian and "tidak diterbitkan" in indonesian
    assert "CN=mosipfingerslap" in english and "trust store" in english


def test_mockmds_ftm_token_verifies_in_2022_but_its_root_expired_on_2022_06_10():
    key, cert = _p12("mosipfingerslapftm")
    token = x5c.sign({"serialNo": "1234567890"}, key, [cert])
    trust = _store("rootcaftm.cer")
    got = x5c.verify(token, trust, at=datetime(2022, 1, 28, tzinfo=UTC))
    assert got.signer.startswith("CN=MosipFingerSlapFTM,") and got.claims == {
        "serialNo": "1234567890"}
    refusal = _refused(token, trust)
    assert refusal.reason == "expired" and refusal.subject.startswith("CN=RootCAFTM,")
    assert refusal.words() == (
        f"Sertifikat '{refusal.subject}' kedaluwarsa sejak 2022-06-10.",
        f"Certificate '{refusal.subject}' expired on 2022-06-10.")
    # a minute before the chip certificate began (11:19:20 UTC), its root already valid
    early = _refused(token, trust, at=datetime(2021, 6, 10, 11, 15))
    assert early.reason == "not_yet_valid" and early.subject.startswith("CN=MosipFingerSlapFTM")


def test_a_trust_folder_of_mockmds_roots_holds_both(tmp_path):
    store = TrustStore.from_folder(KEYS)
    assert len(store) == 2 and store.warnings == ()
    subjects = {d[0].split(",")[0]: d for d in store.describe()}
    assert set(subjects) == {"CN=RootCA", "CN=RootCAFTM"}
    assert subjects["CN=RootCAFTM"][1] == datetime(2022, 6, 10, 11, 8, 12, tzinfo=UTC)
    assert len(subjects["CN=RootCA"][2].split(":")) == 32


# --- the header exactly as jose4j writes it ---------------------------------------------------

def test_sign_writes_the_jose4j_header_bytes_and_compact_payload(slap):
    key, cert = slap
    token = x5c.sign({"a": 1, "b": "x/y"}, key, [cert])
    head, body, sig = token.split(".")
    der64 = base64.b64encode(cert.public_bytes(Encoding.DER)).decode()
    assert "/" in der64 or "+" in der64  # standard base64, kept unescaped
    expected = '{"x5c":["' + der64 + '"],"alg":"RS256","typ":"JWT"}'
    assert base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)) == expected.encode()
    assert base64.urlsafe_b64decode(body + "==") == b'{"a":1,"b":"x/y"}'
    assert "=" not in token and len(base64.urlsafe_b64decode(sig + "==")) == 256


JOSE4J = sorted(Path.home().glob(".m2/repository/org/bitbucket/b_c/jose4j/*/jose4j-*.jar"))
SLF4J = sorted(Path.home().glob(".m2/repository/org/slf4j/slf4j-api/2.*/slf4j-api-2.*.jar"))
JAVA = """
import java.io.FileInputStream; import java.security.*; import java.security.cert.*;
import org.jose4j.jws.JsonWebSignature;
public class Jose {
  public static void main(String[] a) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(new FileInputStream(a[0]), a[1].toCharArray());
    String alias = ks.aliases().nextElement();
    PrivateKey key = (PrivateKey) ks.getKey(alias, a[1].toCharArray());
    X509Certificate cert = (X509Certificate) ks.getCertificate(alias);
    JsonWebSignature jws = new JsonWebSignature();          // as MockMDS JwtUtility.getJwt
    jws.setCertificateChainHeaderValue(new X509Certificate[] {cert});
    jws.setPayloadBytes(a[2].getBytes("UTF-8"));
    jws.setAlgorithmHeaderValue("RS256");
    jws.setHeader("typ", "JWT");
    jws.setKey(key);
    jws.setDoKeyValidation(false);
    System.out.println(jws.getCompactSerialization());
    JsonWebSignature check = new JsonWebSignature();        // and verify ours
    check.setCompactSerialization(a[3]);
    check.setKey(check.getCertificateChainHeaderValue().get(0).getPublicKey());
    System.out.println(check.verifySignature() + " " + check.getPayload());
  }
}
"""


@pytest.mark.skipif(not (shutil.which("java") and JOSE4J and SLF4J),
                    reason="needs Java with jose4j and slf4j-api in ~/.m2")
def test_jose4j_writes_the_same_token_and_accepts_ours(tmp_path, slap):
    key, cert = slap
    payload = '{"deviceCode":"b692b595-3523-slap-99fc-bd76e35f190f","env":"Staging"}'
    ours = x5c.sign(payload.encode(), key, [cert])
    (tmp_path / "Jose.java").write_text(JAVA)
    run = subprocess.run(
        ["java", "-cp", f"{JOSE4J[-1]}:{SLF4J[-1]}", str(tmp_path / "Jose.java"),
         str(KEYS / "mosipfingerslap.p12"), "mosipfingerslap", payload, ours],
        capture_output=True, text=True, timeout=120, check=True)
    theirs, checked = run.stdout.split("\n")[:2]
    assert theirs == ours  # RS256 is deterministic: same header bytes, payload, signature
    assert checked == "true " + payload
    assert x5c.verify(theirs, _store("rootca.cer")).payload == payload.encode()


# --- refusals ---------------------------------------------------------------------------------

def test_the_stations_old_eddsa_jwk_token_is_refused_no_chain():
    key = Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes_raw()
    header = {"alg": "EdDSA", "typ": "JWT",
              "jwk": {"kty": "OKP", "crv": "Ed25519", "x": x5c.b64url(raw)}}
    signing_input = f"{_b64u(header)}.{_b64u({'a': 1})}"
    token = signing_input + "." + x5c.b64url(key.sign(signing_input.encode()))
    refusal = _refused(token, _store("rootca.cer"))
    assert refusal.reason == "no_chain" and "jwk" in refusal.detail
    # the same with RS256 and a jwk: the key inside the token is still not trusted
    header = {"alg": "RS256", "jwk": {"kty": "RSA"}}
    assert _refused(f"{_b64u(header)}.{_b64u({'a': 1})}.AAAA",
                    _store("rootca.cer")).reason == "no_chain"


def test_unsigned_tokens_are_refused_unsigned(slap):
    key, cert = slap
    trust = _store("rootca.cer")
    head, body, _ = x5c.sign({"a": 1}, key, [cert]).split(".")
    none_head = _b64u({"x5c": json.loads(base64.urlsafe_b64decode(head + "=="))["x5c"],
                       "alg": "none"})
    digital_id = _b64u({"serialNo": "1234567890", "make": "MOSIP"})
    for token in (f"{head}.{body}.", f"{none_head}.{body}.", f"{none_head}.{body}.AAAA",
                  f"{head}.{body}", digital_id, ""):
        assert _refused(token, trust).reason == "unsigned", token[:40]
    assert x5c.peek(digital_id) == ({}, {"serialNo": "1234567890", "make": "MOSIP"})
    assert x5c.peek(f"{head}.{body}.")[1] == {"a": 1}
    with pytest.raises(TokenRefused) as info:
        x5c.peek("not*base64")
    assert info.value.reason == "malformed"


def test_altered_payload_or_signature_is_refused_signature(slap, ec_pki):
    key, cert = slap
    trust = _store("rootca.cer")
    head, body, sig = x5c.sign({"bio": "abc"}, key, [cert]).split(".")
    forged_body = _b64u({"bio": "abd"})
    flipped = sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]
    for token in (f"{head}.{forged_body}.{sig}", f"{head}.{body}.{flipped}"):
        refusal = _refused(token, trust)
        assert refusal.reason == "signature" and refusal.subject.startswith("CN=mosipfingerslap")
    # ES256 too, and an ES256 signature of the wrong length
    leaf_key, leaf = ec_pki["leaf"]
    ec_trust = TrustStore.from_certs([ec_pki["root"][1]])
    chain = [leaf, ec_pki["inter"][1]]
    head, body, sig = x5c.sign({"bio": "abc"}, leaf_key, chain).split(".")
    assert _refused(f"{head}.{forged_body}.{sig}", ec_trust).reason == "signature"
    assert _refused(f"{head}.{body}.{sig[:-4]}", ec_trust).reason == "signature"


def test_es256_round_trip_with_an_intermediate_from_x5c(ec_pki):
    leaf_key, leaf = ec_pki["leaf"]
    inter = ec_pki["inter"][1]
    trust = TrustStore.from_certs([ec_pki["root"][1]])
    token = x5c.sign({"n": 1}, leaf_key, [leaf, inter])
    got = x5c.verify(token, trust)
    assert got.header["alg"] == "ES256" and list(got.header) == ["x5c", "alg", "typ"]
    assert len(base64.urlsafe_b64decode(token.split(".")[2] + "==")) == 64
    assert [c.subject.rfc4514_string() for c in got.chain] == [
        "CN=Test Leaf,O=T,C=ID", "CN=Test Intermediate,O=T,C=ID", "CN=Test Root,O=T,C=ID"]
    assert got.signer == "CN=Test Leaf,O=T,C=ID"
    # without the intermediate there is no path; trusting the intermediate itself is enough
    alone = _refused(x5c.sign({"n": 1}, leaf_key, [leaf]), trust)
    assert alone.reason == "untrusted" and alone.subject == "CN=Test Leaf,O=T,C=ID"
    assert len(x5c.verify(token, TrustStore.from_certs([inter])).chain) == 2


def test_a_look_alike_root_with_the_same_name_is_untrusted(ec_pki):
    fake_key = new_key("ES256")
    root = ec_pki["root"][1]
    fake_root = issue(root.subject, fake_key, None, fake_key, ca=True,
                      not_before=NOW - timedelta(days=1), not_after=NOW + timedelta(days=9))
    leaf_key = new_key("ES256")
    leaf = issue(_name("Test Leaf", "T"), leaf_key, fake_root, fake_key, ca=False,
                 not_before=NOW - timedelta(days=1), not_after=NOW + timedelta(days=9))
    trust = TrustStore.from_certs([root])
    for chain in ([leaf], [leaf, fake_root]):  # carrying the fake root does not help
        assert _refused(x5c.sign({"a": 1}, leaf_key, chain), trust).reason == "untrusted"


def test_a_tampered_certificate_or_a_non_ca_issuer_is_refused(ec_pki):
    leaf_key, leaf = ec_pki["leaf"]
    root_key, root = ec_pki["root"]
    trust = TrustStore.from_certs([root])
    der = bytearray(ec_pki["inter"][1].public_bytes(Encoding.DER))
    der[-5] ^= 0x01  # inside the signature's bits: still parses, no longer verifies
    tampered = x509.load_der_x509_certificate(bytes(der))
    refusal = _refused(x5c.sign({"a": 1}, leaf_key, [leaf, tampered]), trust)
    assert refusal.reason == "signature" and refusal.subject == "CN=Test Intermediate,O=T,C=ID"
    # an "intermediate" that is not a CA cannot issue
    not_ca_key = new_key("ES256")
    not_ca = issue(_name("Not a CA", "T"), not_ca_key, root, root_key, ca=False,
                   not_before=NOW - timedelta(days=1), not_after=NOW + timedelta(days=9))
    under = issue(_name("Under", "T"), leaf_key, not_ca, not_ca_key, ca=False,
                  not_before=NOW - timedelta(days=1), not_after=NOW + timedelta(days=9))
    assert _refused(x5c.sign({"a": 1}, leaf_key, [under, not_ca]), trust).reason == "untrusted"


def test_other_algorithms_and_broken_headers(slap, ec_pki):
    key, cert = slap
    trust = _store("rootca.cer")
    head, body, sig = x5c.sign({"a": 1}, key, [cert]).split(".")
    x5c_list = json.loads(base64.urlsafe_b64decode(head + "=="))["x5c"]
    cases = {
        "algorithm": [{"x5c": x5c_list, "alg": "HS256"}, {"x5c": x5c_list, "alg": "PS256"},
                      {"x5c": x5c_list, "alg": "ES256"}],  # ES256 claimed for an RSA key
        "malformed": [{"x5c": ["not base64!"], "alg": "RS256"}, {"x5c": [], "alg": "RS256"},
                      {"x5c": x5c_list, "alg": "RS256", "crit": ["exp"]}, {"x5c": x5c_list}],
    }
    for reason, headers in cases.items():
        for header in headers:
            got = _refused(f"{_b64u(header)}.{body}.{sig}", trust)
            assert got.reason == reason, (header.get("alg"), got)
    assert _refused(f"{head}.{body}.{sig}*", trust).reason == "malformed"
    dup = base64.urlsafe_b64encode(b'{"alg":"RS256","alg":"none"}').decode().rstrip("=")
    assert _refused(f"{dup}.{body}.{sig}", trust).reason == "malformed"


def test_every_refusal_has_two_sentences_naming_the_certificate():
    for reason in x5c.REASONS:
        refusal = TokenRefused(reason, "some detail", "CN=Example,O=Vendor",
                               datetime(2030, 1, 2, tzinfo=UTC))
        indonesian, english = refusal.words()
        assert "CN=Example,O=Vendor" in indonesian and "CN=Example,O=Vendor" in english
        assert indonesian.startswith("Sertifikat") and english.startswith("Certificate")
        assert indonesian != english
    assert TokenRefused("unsigned").words() == ("Token tidak ditandatangani.",
                                                "The token is not signed.")
    with pytest.raises(ValueError):
        TokenRefused("bogus")


def test_trust_folder_reads_bundles_and_der_and_names_unreadable_files(tmp_path, ec_pki):
    pems = [ec_pki[n][1].public_bytes(Encoding.PEM) for n in ("root", "inter")]
    (tmp_path / "bundle.pem").write_bytes(b"".join(pems))
    (tmp_path / "leaf.der").write_bytes(ec_pki["leaf"][1].public_bytes(Encoding.DER))
    (tmp_path / "again.CRT").write_bytes(pems[0])  # a duplicate, and an upper-case suffix
    (tmp_path / "notes.txt").write_text("ignored")
    (tmp_path / "broken.cer").write_bytes(b"\x30\x03garbage")
    store = TrustStore.from_folder(tmp_path)
    assert len(store) == 3 and ec_pki["leaf"][1] in store
    assert len(store.warnings) == 1 and "broken.cer" in store.warnings[0]
    assert store.warnings[0].startswith("Berkas sertifikat tidak terbaca")
    with pytest.raises(x5c.TrustStoreError, match="broken.cer"):
        TrustStore.from_folder(tmp_path, strict=True)
    with pytest.raises(x5c.TrustStoreError, match="does not exist"):
        TrustStore.from_folder(tmp_path / "missing")


# --- never a traceback ------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_string_is_verified_or_refused(text):
    try:
        x5c.verify(text, _store("rootca.cer"))
    except TokenRefused as refusal:
        assert refusal.reason in x5c.REASONS and all(refusal.words())


_JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                        lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(alg=st.sampled_from(["RS256", "ES256", "none", "HS256", 5, None]),
       x5c_value=st.one_of(_JSONISH, st.lists(st.binary(max_size=40).map(
           lambda b: base64.b64encode(b).decode()), max_size=3)),
       extra=st.dictionaries(st.sampled_from(["jwk", "crit", "typ"]), _JSONISH, max_size=2),
       body=st.binary(max_size=40), sig=st.binary(max_size=70))
def test_structured_garbage_is_refused_not_raised(alg, x5c_value, extra, body, sig):
    header = {"x5c": x5c_value, "alg": alg, **extra}
    token = f"{_b64u(header)}.{x5c.b64url(body)}.{x5c.b64url(sig)}"
    with pytest.raises(TokenRefused):
        x5c.verify(token, _store("rootca.cer"))
