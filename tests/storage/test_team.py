"""The team history's own parts: TLS, the newer-schema refusal, testing a connection, moving
the local history in, and the password in the keyring (never in a settings file)."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from pacspace_desktop.domain.catalogue import OutcomeKind
from pacspace_desktop.domain.items import WriteItem
from pacspace_desktop.storage.claims import KeysClaimed
from pacspace_desktop.storage.db import SCHEMA_VERSION
from pacspace_desktop.storage.drafts import DraftStore
from pacspace_desktop.storage.errors import StorageError, StorageFault
from pacspace_desktop.storage.history import HistoryStore
from pacspace_desktop.storage.keystore import KeyStore
from pacspace_desktop.storage.records import FinalOutcome, NewRun
from pacspace_desktop.storage.team import check_connection, move_local_history, open_team
from pacspace_desktop.storage.team_settings import (
    TeamSettings,
    TeamSettingsError,
    check_url,
    load,
    save,
    with_tls,
)
from tests.fakes import MemoryKeyring
from tests.pg_cluster import CLERK_PASSWORD, Cluster

RUN = NewRun("march.csv", "Finance", "live", "https://x", "Anna (PC-FIN-02)")


def _items(*keys: str) -> list[WriteItem]:
    return [WriteItem(k, "acct-1", 10) for k in keys]


def test_tls_verify_full_with_the_ca_file_connects(pg_cluster: Cluster, team_db: str) -> None:
    url = with_tls(pg_cluster.clerk_url(team_db, host="localhost"), str(pg_cluster.ca_file))
    assert "sslmode=verify-full" in url
    store = open_team(url, CLERK_PASSWORD)
    try:
        ssl = store.connection.execute(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
        assert ssl == (True,)
    finally:
        store.close()


def test_tls_with_a_wrong_ca_is_refused_with_words(pg_cluster: Cluster, team_db: str) -> None:
    url = with_tls(pg_cluster.clerk_url(team_db), str(pg_cluster.other_ca_file))
    with pytest.raises(StorageError) as caught:
        open_team(url, CLERK_PASSWORD)
    assert caught.value.fault is StorageFault.UNREACHABLE
    text = str(caught.value)
    assert text.startswith(f"The team history (postgresql://clerk@127.0.0.1:{pg_cluster.port}/")
    assert "certificate verify failed" in text and "cannot be reached" in text
    assert "The local history is not used instead" in text


def test_a_wrong_password_is_told(pg_cluster: Cluster, team_url: str) -> None:
    with pytest.raises(StorageError) as caught:
        open_team(team_url, "not-it")
    assert "password authentication failed" in str(caught.value)
    assert "not-it" not in str(caught.value)


def test_a_newer_schema_is_refused_with_words(team_url: str) -> None:
    open_team(team_url, CLERK_PASSWORD).close()
    with psycopg.connect(team_url, password=CLERK_PASSWORD, autocommit=True) as raw:
        raw.execute("UPDATE pacspace_schema SET version = %s", (SCHEMA_VERSION + 1,))
    with pytest.raises(StorageError) as caught:
        open_team(team_url, CLERK_PASSWORD)
    assert caught.value.fault is StorageFault.NEWER
    assert f"newer PacSpace Desktop (schema {SCHEMA_VERSION + 1}; this version knows " \
           f"{SCHEMA_VERSION})" in str(caught.value)


def test_two_apps_opening_a_new_team_database_at_once(team_url: str) -> None:
    """The first connection sets it up under the write lock; the second waits, then uses it."""
    import threading

    opened: list[HistoryStore] = []
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            opened.append(open_team(team_url, CLERK_PASSWORD))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(opened) == 4
    for s in opened:
        s.close()


def test_check_connection_reports_reach_schema_and_write(pg_cluster: Cluster,
                                                         team_url: str) -> None:
    fresh = check_connection(team_url, CLERK_PASSWORD)
    assert fresh.ok and fresh.schema_version == 0 and "sets one up" in fresh.message
    open_team(team_url, CLERK_PASSWORD).close()
    ready = check_connection(team_url, CLERK_PASSWORD)
    assert ready.ok and ready.schema_version == SCHEMA_VERSION
    assert ready.message.endswith("This user may write to it.")
    db = team_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_cluster.admin_url(db), autocommit=True) as admin:
        admin.execute("CREATE ROLE reader LOGIN PASSWORD 'r'")
        try:
            admin.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
            ro = check_connection(team_url.replace("clerk@", "reader@"), "r")
            assert ro.reachable and not ro.can_write and not ro.ok
            assert "may not write" in ro.message
        finally:
            admin.execute("DROP OWNED BY reader")
            admin.execute("DROP ROLE reader")
    gone = check_connection(f"postgresql://clerk@127.0.0.1:1/{db}", CLERK_PASSWORD, 2)
    assert not gone.reachable and gone.fault is StorageFault.UNREACHABLE


def test_moving_the_local_history_in_is_one_step_with_a_count(tmp_path: Path,
                                                              team_url: str) -> None:
    local = HistoryStore.open(tmp_path / "history.sqlite3")
    team = open_team(team_url, CLERK_PASSWORD)
    try:
        sent = local.record_run(RUN, [_items("A", "B"), _items("C")])
        for sub in sent.submission_ids:
            local.finish(sub, FinalOutcome(OutcomeKind.ACCEPTED, 202, f"req_{sub}"))
        rejected = local.record_run(RUN, [_items("D")])
        local.finish(rejected.submission_ids[0], FinalOutcome(OutcomeKind.UNPROCESSABLE, 422))
        team.record_run(NewRun("other.csv", "Finance", "live", "https://x", "Ben (PC-FIN-03)"),
                        [_items("C")])  # Ben holds C already in the team history
        report = move_local_history(local, team)
        assert (report.runs, report.submissions, report.items) == (2, 3, 4)
        assert (report.claims, report.skipped_claims) == (2, 1)
        assert report.text().startswith("Moved 3 submission(s) with 4 item(s) from 2 send(s)")
        held = team.sightings(["A", "B", "C", "D"])
        assert {k: v[0].sent_by for k, v in held.items()} == {
            "A": "Anna (PC-FIN-02)", "B": "Anna (PC-FIN-02)", "C": "Ben (PC-FIN-03)"}
        assert held["A"][0].request_id and held["A"][0].request_id.startswith("req_")
        with pytest.raises(KeysClaimed):  # the guard now holds for what Anna sent alone
            team.record_run(RUN, [_items("A")])
        assert len(local.list_submissions()) == 3, "the local file is kept as it was"
        before = len(team.list_submissions(limit=100))
        again = move_local_history(local, team)  # a second click copies nothing twice
        assert (again.runs, again.submissions, again.items, again.claims) == (0, 0, 0, 0)
        assert again.already == 2
        assert "2 send(s) were moved in before and were not copied again." in again.text()
        assert len(team.list_submissions(limit=100)) == before
    finally:
        local.close()
        team.close()


def test_drafts_stay_local_with_a_team_history(tmp_path: Path, team_url: str) -> None:
    team = open_team(team_url, CLERK_PASSWORD)
    try:
        drafts = DraftStore(tmp_path / "data" / "drafts")
        drafts.save("form", {"key": "INV-1"})
        assert (tmp_path / "data" / "drafts" / "form.json").exists()
        tables = {r[0] for r in team.connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = "
            "current_schema()")}
        assert not any("draft" in t for t in tables), tables
    finally:
        team.close()


def test_team_settings_keep_no_password_and_the_keyring_does(tmp_path: Path) -> None:
    with pytest.raises(TeamSettingsError, match="Leave the password out"):
        check_url("postgresql://anna:secret@db.example.com/pacspace")
    with pytest.raises(TeamSettingsError, match="postgresql://"):
        check_url("db.example.com/pacspace")
    settings = TeamSettings("postgresql://anna@db.example.com:5433/pacspace", "/etc/ca.pem",
                            "Anna (PC-FIN-02)")
    save(tmp_path, settings)
    assert load(tmp_path) == settings
    saved = json.loads((tmp_path / "team_history.json").read_text())
    assert "password" not in json.dumps(saved)
    assert settings.connection_url().endswith("sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem")
    ring = MemoryKeyring()
    keys = KeyStore(ring)
    keys.set_team_password(settings.keyring_account(), "s3cret")
    assert ring.items == {("PacSpace Desktop", "team-history:anna@db.example.com:5433/pacspace"):
                          "s3cret"}
    assert KeyStore(ring).team_password(settings.keyring_account()) == "s3cret"
    keys.set_team_password(settings.keyring_account(), None)
    assert ring.items == {} and keys.team_password(settings.keyring_account()) is None
    assert "s3cret" not in (tmp_path / "team_history.json").read_text()


def test_a_run_recorded_by_the_worker_connection_counts_as_running(team_url: str) -> None:
    """The app records a run on a second connection (a worker thread) and closes it; the run
    belongs to the main connection, so another clerk neither settles it nor takes its keys."""
    from pacspace_desktop.storage.claims import ConflictReason

    ben = open_team(team_url, CLERK_PASSWORD)
    anna = open_team(team_url, CLERK_PASSWORD)
    try:
        opener = ben.opener()
        assert opener is not None
        worker = opener()
        try:
            worker.record_run(RUN, [_items("W1", "W2")])
        finally:
            worker.close()
        assert anna.recover_interrupted() == []
        assert all(s.state.value == "queued" for s in anna.list_submissions())
        with pytest.raises(KeysClaimed) as caught:
            anna.record_run(RUN, [_items("W1")])
        assert caught.value.conflicts[0].reason is ConflictReason.IN_FLIGHT
        ben.close()  # Ben's app is gone: now the claims are found as interrupted
        with pytest.raises(KeysClaimed) as caught:
            anna.record_run(RUN, [_items("W1")])
        assert caught.value.conflicts[0].reason is ConflictReason.INTERRUPTED
    finally:
        anna.close()
