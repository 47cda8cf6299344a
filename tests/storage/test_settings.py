"""Settings file: round trip, atomic private writes, damaged files kept, clear validation."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from pacspace_desktop.domain.apikey import ApiKey
from pacspace_desktop.domain.urls import base_url_problem
from pacspace_desktop.storage.settings import (
    FORMAT_VERSION,
    Profile,
    ProfileError,
    Settings,
    SettingsError,
    SettingsStore,
    profile_problem,
    slugify,
)

LIVE = "pk_live_abcdef.s3cr3t-part-0123456789"


@pytest.fixture
def store(tmp_path: Path) -> SettingsStore:
    return SettingsStore(tmp_path / "config" / "settings.json")


def test_missing_file_gives_empty_settings(store: SettingsStore) -> None:
    settings = store.load()
    assert settings == Settings()
    assert settings.active() is None
    assert not store.path.exists()


def test_round_trip(store: SettingsStore) -> None:
    settings = Settings(
        profiles=[Profile(id="company-live", name="Company live", timeout_s=12.5,
                          batch_size=50, key_hint="pk_live_abc…•••", environment_hint="live"),
                  Profile(id="sandbox", name="Sandbox", kind="sandbox", base_url="",
                          environment_hint="sandbox")],
        active_profile="company-live",
        ui={"main_window/geometry": "AdnQywADAAAAAAB=", "main_window/maximized": False,
            "splitter": 3})
    store.save(settings)
    loaded = store.load()
    assert loaded == settings
    assert loaded.active() == settings.profiles[0]
    assert json.loads(store.path.read_text("utf-8"))["format_version"] == FORMAT_VERSION


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_file_is_private(store: SettingsStore) -> None:
    store.save(Settings())
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    store.save(Settings(ui={"x": 1}))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_save_is_atomic_and_leaves_no_temp_files(store: SettingsStore,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    store.save(Settings(ui={"before": True}))
    original = store.path.read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(SettingsError, match="disk is not full"):
        store.save(Settings(ui={"after": True}))
    assert store.path.read_bytes() == original
    assert [p.name for p in store.path.parent.iterdir()] == ["settings.json"]


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b"\xff\xfe",
                                     b'{"profiles": [{"name": "no id"}]}',
                                     b'{"profiles": "x"}', b'{"ui": {"a": [1]}}'])
def test_damaged_file_is_kept_and_explained(store: SettingsStore, content: bytes) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(content)
    with pytest.raises(SettingsError) as info:
        store.load()
    message = str(info.value)
    assert "damaged" in message and "set up again" in message
    backup = info.value.backup
    assert backup is not None and backup.name.startswith("settings.json.broken-")
    assert backup.name in message
    assert backup.read_bytes() == content
    assert store.path.read_bytes() == content  # never silently overwritten
    with pytest.raises(SettingsError) as again:
        store.load()
    assert again.value.backup != backup  # a second copy does not replace the first


def test_newer_format_is_not_touched(store: SettingsStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text('{"format_version": 99, "profiles": []}', "utf-8")
    with pytest.raises(SettingsError, match="newer version"):
        store.load()
    assert list(store.path.parent.iterdir()) == [store.path]


def test_unknown_fields_are_ignored(store: SettingsStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(json.dumps({"profiles": [{"id": "a", "name": "A", "colour": "red",
                                                    "timeout_s": 10}],
                                      "active_profile": "a", "later": 1}), "utf-8")
    settings = store.load()
    assert settings.profiles == [Profile(id="a", name="A", timeout_s=10.0)]


def test_no_key_text_in_the_file(store: SettingsStore) -> None:
    profile = store.add_profile("Company live")
    store.update_profile(profile.id, key_hint=ApiKey(LIVE).masked, environment_hint="live")
    text = store.path.read_text("utf-8")
    assert "pk_live_abc…•••" in text
    assert LIVE not in text and "s3cr3t" not in text and "abcdef." not in text


def test_full_key_is_refused_as_hint(store: SettingsStore) -> None:
    profile = store.add_profile("Company live")
    with pytest.raises(ProfileError, match="masked"):
        store.update_profile(profile.id, key_hint=LIVE)
    assert LIVE not in store.path.read_text("utf-8")


def test_remember_key() -> None:
    p = Profile(id="a", name="A")
    p.remember_key(ApiKey(LIVE))
    assert (p.key_hint, p.environment_hint) == ("pk_live_abc…•••", "live")
    p.remember_key(None)
    assert (p.key_hint, p.environment_hint) == ("", "")
    s = Profile(id="s", name="S", kind="sandbox")
    s.remember_key(ApiKey(LIVE))
    assert s.environment_hint == "sandbox"


def test_profile_helpers(store: SettingsStore) -> None:
    a = store.add_profile("Company live")
    assert a.id == "company-live"
    assert store.active() == a  # the first profile becomes active
    b = store.add_profile("Company test", base_url="https://test.example.com/", batch_size=10)
    assert b.base_url == "https://test.example.com"
    assert store.active() == a
    assert store.set_active("company test").id == b.id  # by name, any case
    updated = store.update_profile(b.id, timeout_s=5.0)
    assert updated.timeout_s == 5.0
    store.remove_profile(b.id)
    assert store.active() == a  # the first remaining one
    store.remove_profile(a.id)
    assert store.load() == Settings()


def test_ids_stay_unique_and_stable(store: SettingsStore) -> None:
    store.add_profile("Acme")
    store.update_profile("acme", name="Acme old")
    second = store.add_profile("Acme")
    assert second.id == "acme-2"
    assert slugify("  Zürich / Live!  ") == "z-rich-live"
    assert slugify("***") == "profile"


@pytest.mark.parametrize(("changes", "words"), [
    ({"name": "  "}, "Give the profile a name"),
    ({"name": "x" * 61}, "under 60 characters"),
    ({"name": "other"}, "already exists"),
    ({"base_url": "http://balance-api.pacspace.io"}, "not encrypted"),
    ({"base_url": "balance-api.pacspace.io"}, "not a web address"),
    ({"timeout_s": 0}, "between 1 and 300 seconds"),
    ({"batch_size": 101}, "from 1 to 100"),
    ({"batch_size": 0}, "from 1 to 100"),
    ({"environment_hint": "prod"}, "live, test or sandbox"),
])
def test_validation_messages(store: SettingsStore, changes: dict[str, object],
                             words: str) -> None:
    store.add_profile("Other")
    profile = store.add_profile("Mine")
    before = store.path.read_bytes()
    with pytest.raises(ProfileError, match=words):
        store.update_profile(profile.id, **changes)
    assert store.path.read_bytes() == before


def test_unknown_profile_and_field(store: SettingsStore) -> None:
    with pytest.raises(ProfileError, match="no profile called “Nope”"):
        store.set_active("Nope")
    store.add_profile("A")
    with pytest.raises(ProfileError, match="no setting called"):
        store.update_profile("a", id="b")


def test_sandbox_profile_needs_no_address() -> None:
    assert profile_problem(Profile(id="s", name="Sandbox", kind="sandbox", base_url=""),
                           []) is None


@pytest.mark.parametrize("url", ["https://balance-api.pacspace.io", "http://127.0.0.1:8787",
                                 "http://localhost:1", "http://[::1]:8787/", "http://127.9.9.9"])
def test_allowed_base_urls(url: str) -> None:
    assert base_url_problem(url) is None


@pytest.mark.parametrize("url", ["", "ftp://x", "http://10.0.0.1", "https://", "http://[::1"])
def test_refused_base_urls(url: str) -> None:
    assert base_url_problem(url)


def test_save_error_when_folder_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "config").write_text("not a folder", "utf-8")
    with pytest.raises(SettingsError, match="could not be saved"):
        SettingsStore(tmp_path / "config" / "settings.json").save(Settings())
