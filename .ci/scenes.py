"""The states the screenshot script walks through (see screenshots.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

Step = tuple[str, Callable[[], None]]


def scenes(parts: Any, app: Any, out_dir: str, _tmp: Path) -> list[Step]:
    from pacspace_desktop.domain.metadata import MetaField, MetaType
    from pacspace_desktop.ui.main_window import HISTORY, NEW_RECORD, SETTINGS

    w = parts.window
    session = parts.session
    page = w._pages.new_record
    sandbox_url: list[str] = []

    def sandbox() -> None:
        session.start_sandbox_profile()
        handle = session.ensure_sandbox()
        sandbox_url.append(handle.base_url)

    def form_errors() -> None:
        w.show_page(NEW_RECORD)
        page.form.key.setText(" invoice-2025-001")
        page.form.account.setText("")
        page.form.bits.setText("12.5")
        page.form.metadata.set_fields([MetaField("amount", MetaType.NUMBER, "250.00"),
                                       MetaField("currency", MetaType.TEXT, "EUR"),
                                       MetaField("due", MetaType.DATE, "31/03/2025")])
        page.form.entry(show_all=True)

    def fill_batch() -> None:
        page.form.metadata.set_fields([MetaField("amount", MetaType.NUMBER, "250.00"),
                                       MetaField("currency", MetaType.TEXT, "EUR")])
        for i, (acct, bits) in enumerate([("customer-001", "3"), ("customer-002", "1,250"),
                                          ("customer-001", "-2")]):
            page.form.key.setText(f"invoice-2025-{i + 1:03d}")
            page.form.account.setText(acct)
            page.form.bits.setText(bits)
            page.add_to_batch()

    def review() -> None:
        page.review()

    def shoot_dialog(name: str) -> Callable[[], None]:
        def grab() -> None:
            app.processEvents()
            if page._review is not None:
                page._review.grab().save(f"{out_dir}/{name}.png")
        return grab

    def send() -> None:
        page._review.send.click()

    def faults(queue: list[dict[str, Any]]) -> Callable[[], None]:
        def apply() -> None:
            import httpx

            httpx.post(f"{sandbox_url[0]}/_sandbox/faults", json={"queue": queue})
        return apply

    def batch_and_send(prefix: str) -> Callable[[], None]:
        def go() -> None:
            for i in range(2):
                page.form.key.setText(f"{prefix}-{i}")
                page.form.account.setText("customer-009")
                page.form.bits.setText(str(i + 1))
                page.add_to_batch()
            page.review()
            page._review.send.click()
        return go

    return [
        ("01-welcome", lambda: None),
        ("", sandbox),
        ("02-new-record-empty", lambda: w.show_page(NEW_RECORD)),
        ("03-form-with-errors", form_errors),
        ("", fill_batch),
        ("04-batch", lambda: None),
        ("", review),
        ("", shoot_dialog("05-review-dialog")),
        ("", lambda: page._review.close()),
        ("", review),
        ("06-accepted", send),
        ("", faults([{"status": 400, "body": '{"statusCode":400,"error":"Bad Request",'
                      '"message":"Validation failed: items[1].bits must be an integer."}'}])),
        ("07-rejected-400", batch_and_send("bad")),
        ("", faults([{"drop": True}])),
        ("08-unknown", batch_and_send("drop")),
        ("", faults([{"status": 429, "retryAfter": 30}])),
        ("09-waiting-429", batch_and_send("slow")),
        ("10-history", lambda: w.show_page(HISTORY)),
        ("11-settings-sandbox", lambda: w.show_page(SETTINGS)),
        ("", lambda: session.add_profile("Company test", "https://balance-api.pacspace.io",
                                         30, 100)),
        ("", lambda: session.store_key("pk_test_demo42.sk_not_a_real_secret")),
        ("12-shell-test", lambda: w.show_page(NEW_RECORD)),
        ("", lambda: session.add_profile("Company live", "https://balance-api.pacspace.io",
                                         30, 100)),
        ("", lambda: session.store_key("pk_live_demo42.sk_not_a_real_secret")),
        ("13-shell-live", lambda: w.show_page(NEW_RECORD)),
        ("14-settings-live", lambda: w.show_page(SETTINGS)),
    ]
