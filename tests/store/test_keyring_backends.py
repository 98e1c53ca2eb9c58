"""The station keeps its secrets only in a secure keyring: never keyring's `fail` or `null`
backend, a plaintext or password-file keyring (keyrings.alt), or anything below keyring's
recommended priority 1; inside a ChainerBackend only a secure member is used. A mistyped
restored data key is a sentence. The discovery cases run the real `kiosk` in a child process
with a keyring plugin installed the way keyrings.alt is (an entry point), and no D-Bus."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backends import chainer, fail, null

from kiosk.store.keys import (
    SERVICE,
    DataKeyInvalid,
    FileKeyring,
    KeyringUnavailable,
    resolve_backend,
)
from kiosk.store.station import Store


def _backend(module: str, name: str, priority: float | Exception) -> object:
    """An object shaped like a backend of another package (class, module, priority)."""
    def prio(_cls: object) -> float:
        if isinstance(priority, Exception):
            raise priority
        return priority

    return type(name, (), {"__module__": module, "priority": property(prio)})()


PLAINTEXT = _backend("keyrings.alt.file", "PlaintextKeyring", 0.5)
LOW = _backend("vendor.keyrings", "LowKeyring", 0.9)
SECURE = _backend("vendor.keyrings", "VaultKeyring", 5)


@pytest.mark.parametrize("backend, said", [
    (fail.Keyring(), "keyring.backends.fail.Keyring: no keyring"),
    (null.Keyring(), "keyring.backends.null.Keyring: no keyring"),
    (PLAINTEXT, "keyrings.alt.file.PlaintextKeyring: keeps secrets in a file (keyrings.alt)"),
    (LOW, "vendor.keyrings.LowKeyring: priority 0.9 < 1"),
    (_backend("vendor.keyrings", "GoneKeyring", RuntimeError("daemon not running")),
     "vendor.keyrings.GoneKeyring: not usable (daemon not running)"),
], ids=["fail", "null", "keyrings.alt", "low-priority", "not-viable"])
def test_insecure_backends_are_refused_by_name(backend, said):
    with pytest.raises(KeyringUnavailable) as refused:
        resolve_backend(backend)
    assert said in refused.value.detail
    assert refused.value.msg.id.startswith("Brankas kunci (keyring) sistem tidak tersedia")


def test_a_secure_backend_is_used_as_it_is():
    assert resolve_backend(SECURE) is SECURE


def test_inside_a_chain_only_the_secure_member_is_used(monkeypatch):
    """keyring's ChainerBackend would write to whichever member takes it and read from any:
    the station takes its best secure member and never falls through to the plaintext one."""
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [PLAINTEXT, LOW, SECURE])
    assert resolve_backend(chainer.ChainerBackend()) is SECURE


def test_a_chain_of_insecure_members_is_refused_naming_each(monkeypatch, tmp_path):
    monkeypatch.setenv("KIOSK_KEYRING_FILE", str(tmp_path / "ring.json"))
    members = [PLAINTEXT, LOW, FileKeyring(tmp_path / "ring.json")]
    monkeypatch.setattr(chainer.ChainerBackend, "backends", members)
    with pytest.raises(KeyringUnavailable) as refused:
        resolve_backend(chainer.ChainerBackend())
    detail = refused.value.detail
    assert "PlaintextKeyring" in detail and "LowKeyring" in detail
    # the demo's file keyring found by discovery in a chain is not an explicit choice
    assert "kiosk.store.keys.FileKeyring: priority 0.1 < 1" in detail


def test_the_demo_file_keyring_chosen_in_code_is_accepted(tmp_path):
    ring = FileKeyring(tmp_path / "ring.json")
    assert resolve_backend(ring) is ring


def test_a_station_refuses_to_record_with_the_fail_keyring(store):
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyringUnavailable):
        store.check_can_start()


@pytest.mark.parametrize("typed, said", [
    ("bukan-base64!!", "it is not base64 text"),
    (base64.b64encode(b"k" * 16).decode(), "it is 16 bytes long, not 32"),
], ids=["not-base64", "wrong-length"])
def test_a_mistyped_restored_key_is_a_sentence(store, settings, tmp_path, memory_keyring,
                                               typed, said):
    store.sealer()  # the station's key is made
    name = f"data-key:{store.station_id}"
    memory_keyring.set_password(SERVICE, name, typed)  # the technician's typing mistake
    with Store(store.data_dir, settings) as again, pytest.raises(DataKeyInvalid) as bad:
        again.sealer()
    assert said in bad.value.msg.en and name in bad.value.msg.en
    assert "Salin ulang kunci dari cadangan teknisi" in bad.value.msg.id


def test_a_restored_key_copied_with_line_breaks_still_opens_the_station(store, settings,
                                                                        memory_keyring):
    sealer = store.sealer()
    name = f"data-key:{store.station_id}"
    key = memory_keyring.get_password(SERVICE, name)
    memory_keyring.set_password(SERVICE, name, f" {key[:20]}\n{key[20:]} ")
    with Store(store.data_dir, settings) as again:
        assert again.sealer().open(sealer.seal(b"x", _ctx()), _ctx()) == b"x"


def _ctx():
    from kiosk.domain.sealing import SealContext

    return SealContext.KEY_CHECK


# --- discovery in a real process ----------------------------------------------------------

BACKEND = '''
import json, os
from pathlib import Path
import keyring.backend, keyring.errors

class {name}(keyring.backend.KeyringBackend):
    """{doc}"""
    priority = {priority}
    path = Path(os.environ["{env}"])

    def _load(self):
        return json.loads(self.path.read_text()) if self.path.exists() else {{}}

    def get_password(self, service, username):
        return self._load().get(service + "/" + username)

    def set_password(self, service, username, password):
        data = self._load()
        data[service + "/" + username] = password
        self.path.write_text(json.dumps(data))

    def delete_password(self, service, username):
        raise keyring.errors.PasswordDeleteError(username)
'''


def _plugins(folder: Path, secure: bool) -> Path:
    """Backends installed as keyrings.alt is: modules named by a `keyring.backends` entry
    point of an installed distribution, found by keyring's own discovery."""
    folder.mkdir()
    (folder / "plainfile_backend.py").write_text(BACKEND.format(
        name="PlainFileKeyring", doc="Like keyrings.alt.file.PlaintextKeyring.",
        priority=0.5, env="PLAIN_KEYRING_FILE"))
    entries = "[keyring.backends]\nplain = plainfile_backend\n"
    if secure:
        (folder / "vault_backend.py").write_text(BACKEND.format(
            name="VaultKeyring", doc="A stand-in for a Secret Service.", priority=5,
            env="VAULT_KEYRING_FILE"))
        entries += "vault = vault_backend\n"
    dist = folder / "kiosk_test_keyrings-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: kiosk-test-keyrings\n"
                                   "Version: 1.0\n")
    (dist / "entry_points.txt").write_text(entries)
    return folder


def _env(tmp_path: Path, plugins: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHON_KEYRING_BACKEND", "KIOSK_KEYRING_FILE")}
    env.update({
        "PYTHONPATH": os.pathsep.join([str(plugins), *sys.path]),
        "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path}/no-bus",  # no Secret Service
        "HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "share"),
        "PLAIN_KEYRING_FILE": str(tmp_path / "plain.json"),
        "VAULT_KEYRING_FILE": str(tmp_path / "vault.json"),
    })
    return env


def _kiosk(env: dict[str, str], tmp_path: Path, *args: str):
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args, "--data-dir", str(tmp_path / "data"),
         "--config", str(tmp_path / "station.toml")],
        env=env, capture_output=True, text=True, timeout=120, input="",
    )


def test_a_plaintext_keyring_found_by_discovery_is_refused(tmp_path):
    """The field failure: keyrings.alt installed, no Secret Service. keyring picks the
    plaintext file; the station refuses to record and writes no key anywhere."""
    env = _env(tmp_path, _plugins(tmp_path / "plugins", secure=False))
    chosen = subprocess.run([sys.executable, "-c", "import keyring; print(keyring.get_keyring())"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert "plainfile_backend.PlainFileKeyring" in chosen.stdout, chosen.stderr
    r = _kiosk(env, tmp_path, "demo-data", "-n", "1")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Brankas kunci (keyring) sistem tidak tersedia" in r.stderr
    assert "plainfile_backend.PlainFileKeyring: priority 0.5 < 1" in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""
    plain = tmp_path / "plain.json"
    assert not plain.exists() or "data-key" not in plain.read_text()
    shown = _kiosk(env, tmp_path, "keyring")
    assert shown.returncode == 2 and "Dipakai / used: -" in shown.stdout


def test_a_chain_with_a_secure_member_records_there_and_never_in_the_plaintext_file(tmp_path):
    env = _env(tmp_path, _plugins(tmp_path / "plugins", secure=True))
    r = _kiosk(env, tmp_path, "demo-data", "-n", "1")
    assert r.returncode == 0, r.stderr
    assert "data-key:" in (tmp_path / "vault.json").read_text()
    assert not (tmp_path / "plain.json").exists()
    shown = _kiosk(env, tmp_path, "keyring", "--json")
    assert shown.returncode == 0, shown.stderr
    info = json.loads(shown.stdout)
    assert info["configured"] == "keyring.backends.chainer.ChainerBackend"
    verdicts = {m["backend"]: m["refused"] for m in info["members"]}
    assert verdicts["vault_backend.VaultKeyring"] is None
    assert "priority 0.5 < 1" in verdicts["plainfile_backend.PlainFileKeyring"]
    assert info["used"] == "vault_backend.VaultKeyring"
    check = _kiosk(env, tmp_path, "db", "check")
    assert check.returncode == 0 and "OK: 1 rekaman" in check.stdout
