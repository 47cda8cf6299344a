"""Test doubles shared by several test modules."""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """A keyring in a dict that counts its calls. Never chosen by keyring's autodetection."""

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("a test double; set it explicitly")

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}
        self.calls: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.calls.append("get")
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append("set")
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.calls.append("delete")
        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError("No such password!")


class FailingKeyring(MemoryKeyring):
    """Raises `error` on every call while it is set (a locked or broken keyring)."""

    def __init__(self, error: BaseException | None) -> None:
        super().__init__()
        self.error = error

    def _maybe_fail(self) -> None:
        if self.error is not None:
            raise self.error

    def get_password(self, service: str, username: str) -> str | None:
        self._maybe_fail()
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._maybe_fail()
        super().set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self._maybe_fail()
        super().delete_password(service, username)
