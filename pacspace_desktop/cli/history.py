"""`pacspace-desktop history`: past submissions with their items' states and Request IDs."""

from __future__ import annotations

import argparse
import json
from typing import Any

from pacspace_desktop.cli.history_location import TeamSettingsError, locate, open_location
from pacspace_desktop.cli.main import EXIT_BAD_INPUT, EXIT_OK
from pacspace_desktop.cli.output import err, out
from pacspace_desktop.storage import verification
from pacspace_desktop.storage.db import StorageError
from pacspace_desktop.storage.paths import resolve_paths


def run_history(args: argparse.Namespace) -> int:
    """Print past submissions, newest first (or, with `verify`, check the history's seals)."""
    if getattr(args, "action", None) == "verify":
        from pacspace_desktop.cli.history_verify import run_verify

        return run_verify(args)
    if getattr(args, "action", None) == "audit":
        from pacspace_desktop.cli.history_verify import run_audit

        return run_audit(args)
    paths = resolve_paths(args.data_dir)
    try:
        where = locate(args, paths)
    except TeamSettingsError as exc:
        err(str(exc))
        return EXIT_BAD_INPUT
    if not where.is_team and not where.path.exists():
        if args.json:
            out("[]")
        else:
            out("No submissions yet.")
        return EXIT_OK
    try:
        store = open_location(where)
    except StorageError as exc:
        err(str(exc))
        return EXIT_BAD_INPUT
    try:
        store.recover_interrupted()
        rows = store.list_submissions(limit=max(0, args.limit))
        counts = verification.counts(store.connection, [r.id for r in rows])
        entries: list[dict[str, Any]] = []
        for row in rows:
            items = store.items_of(row.id)
            count = counts.get(row.id)
            entries.append({
                "submission": row.id,
                "run": row.run_id,
                "time": row.created_at.isoformat(),
                "source": row.source,
                "profile": row.profile,
                "environment": row.environment,
                "state": row.state.cli_word,
                "outcome": row.outcome_kind.value if row.outcome_kind else None,
                "status": row.status_code,
                "requestId": row.request_id,
                "sentBy": row.sent_by,
                "message": row.server_message,
                "verification": count.text() if count else "",
                "items": [{"key": it.key, "accountId": it.account_id, "bits": it.bits,
                           "state": it.state.cli_word, "requestId": row.request_id,
                           "verification": it.verification or None,
                           "verifiedAt": it.verified_at.isoformat() if it.verified_at else None,
                           "verificationReason": it.verification_reason or None,
                           "warning": it.verification_warning or None}
                          for it in items],
            })
    finally:
        store.close()
    if args.json:
        out(json.dumps(entries, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not entries:
        out("No submissions yet.")
    for e in entries:
        rid = e["requestId"] or "—"
        by = f"  by {e['sentBy']}" if e["sentBy"] else ""
        out(f"{e['time'][:19].replace('T', ' ')} UTC  {e['state']:<9} {len(e['items']):>4} items  "
            f"{e['environment']:<7} {rid}  {e['source']}{by}")
        if e["message"] and e["state"] != "accepted":
            out(f"    {e['message']}")
        if e["verification"]:
            out(f"    Verification: {e['verification']}")
    return EXIT_OK
