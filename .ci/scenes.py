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
                                       MetaField("due", MetaType.DATE, "03/04/2025")])
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

    def batch_and_send(prefix: str, fast: bool = False) -> Callable[[], None]:
        def go() -> None:
            page.model.set_rows([])  # one scene, one batch: the card is about these items
            fast_retries[0] = fast
            for i in range(2):
                page.form.key.setText(f"{prefix}-{i}")
                page.form.account.setText("customer-009")
                page.form.bits.setText(str(i + 1))
                page.add_to_batch()
            page.review()
            if page._review is not None:  # None: the last scene's run has not ended
                page._review.send.click()
        return go

    # Scenes of outcomes that are retried on their own cut the waits short, so that the final
    # card is on screen when the picture is taken.
    fast_retries = [False]
    service = page._service
    service.waiting.connect(lambda _e: service.retry_now() if fast_retries[0] else None)

    def card(name: str, fault: list[dict[str, Any]], fast: bool = False) -> list[Step]:
        if not fast:
            return [("", faults(fault)), (name, batch_and_send(name[4:]))]
        return [("", faults(fault)), ("", batch_and_send(name[4:], fast)),
                *[("", lambda: None)] * 5, (name, lambda: None)]

    outcome_cards = [
        *card("c01-accepted-after-retries", [{"status": 500}, {"status": 503}], fast=True),
        *card("c02-401-key", [{"status": 401}]),
        *card("c03-402-plan", [{"status": 402}]),
        *card("c04-403-forbidden", [{"status": 403}]),
        *card("c05-404-address", [{"status": 404}]),
        *card("c06-409-conflict", [{"status": 409}]),
        *card("c07-422-unprocessable", [{"status": 422}]),
        *card("c08-429-final", [{"status": 429, "retryAfter": 900}]),
        *card("c09-500-retry-now", [{"status": 500}] * 4, fast=True),
        *card("c10-502-html", [{"status": 502, "body": "<html>bad gateway</html>"}] * 4,
              fast=True),
        *card("c11-503-unavailable", [{"status": 503}] * 4, fast=True),
        *card("c12-504-gateway", [{"status": 504}] * 4, fast=True),
        *card("c13-unreadable-200", [{"status": 200, "body": "<html>proxy login</html>"}]),
    ]

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
        *outcome_cards,
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
        ("", service.abort),  # the 429 run still waits: end it, or closing would wait for it
    ]


def no_keyring_scenes(parts: Any, app: Any, out_dir: str, _tmp: Path) -> list[Step]:
    """A first start on a computer with no system keyring: the key is for this session only."""
    from pacspace_desktop.ui.main_window import SETTINGS

    w = parts.window
    welcome = w._pages.welcome

    def paste() -> None:
        welcome.key.edit.setText("pk_test_demo42.sk_not_a_real_secret")

    return [
        ("n01-welcome-no-keyring", lambda: None),
        ("n02-welcome-key-pasted", paste),
        ("", lambda: welcome.session_only.click()),
        ("n03-new-record-session-key", lambda: None),
        ("n04-settings-no-keyring", lambda: w.show_page(SETTINGS)),
    ]
