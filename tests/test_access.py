"""geo.access: the editor credential, who may edit, and bounded attempts (no Streamlit)."""

from __future__ import annotations

import io
import logging
import threading
from dataclasses import replace

import pytest

from geo import access
from geo.access import Mode, Policy, Throttle
from geo.config import Settings, load_settings
from geo.errors import ConfigError

PASSWORD = "correct horse battery staple"
FAST = 1_000  # iterations for tests that make many hashes; the default is checked once


def _hashed(password: str = PASSWORD) -> Settings:
    return Settings(editor_password_hash=access.hash_password(password, iterations=FAST))


# -- the credential ------------------------------------------------------------------


def test_a_hash_made_with_the_defaults_verifies_only_its_password() -> None:
    line = access.hash_password(PASSWORD)
    scheme, iterations, _salt, _digest = line.split("$")
    assert (scheme, int(iterations)) == ("pbkdf2_sha256", access.HASH_ITERATIONS)
    assert PASSWORD not in line
    settings = Settings(editor_password_hash=line)
    assert access.verify_password(PASSWORD, settings)
    for wrong in ("", "correct horse battery stapl", PASSWORD + " ", PASSWORD.upper()):
        assert not access.verify_password(wrong, settings)


def test_hashes_are_salted() -> None:
    first, second = (access.hash_password(PASSWORD, iterations=FAST) for _ in range(2))
    assert first != second
    assert access.verify_password(PASSWORD, Settings(editor_password_hash=second))


def test_a_plain_password_setting_verifies_too() -> None:
    settings = Settings(editor_password=PASSWORD)
    assert access.verify_password(PASSWORD, settings)
    assert not access.verify_password("something else entirely", settings)


def test_the_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[bytes, bytes]] = []
    real = access.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(access.hmac, "compare_digest", spy)
    assert access.verify_password(PASSWORD, _hashed())
    assert not access.verify_password("wrong password", Settings(editor_password=PASSWORD))
    # Both kinds go through compare_digest, on digests of equal length.
    assert len(seen) == 2 and all(len(a) == len(b) == 32 for a, b in seen)


def test_nothing_configured_verifies_nothing() -> None:
    assert not access.verify_password(PASSWORD, Settings())
    assert not access.verify_password("", Settings())


def test_an_overlong_submission_is_refused_without_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _hashed()

    def fail(*_a: object) -> bytes:
        raise AssertionError("hashed an overlong password")

    monkeypatch.setattr(access.hashlib, "pbkdf2_hmac", fail)
    assert not access.verify_password("x" * (access.MAX_PASSWORD_LENGTH + 1), settings)


@pytest.mark.parametrize("bad", [
    "plain-text-not-a-hash",
    "pbkdf2_sha256$600000$c2FsdA$",  # no digest
    "pbkdf2_sha1$600000$c2FsdHNhbHQ$" + "A" * 43,  # another scheme
    "pbkdf2_sha256$ten$c2FsdHNhbHQ$" + "A" * 43,
    "pbkdf2_sha256$10$c2FsdHNhbHQ$" + "A" * 43,  # too few iterations
    "pbkdf2_sha256$600000$!!!!$" + "A" * 43,  # not base64
])
def test_a_malformed_hash_is_a_config_error_that_does_not_echo_it(bad: str) -> None:
    with pytest.raises(ConfigError) as caught:
        access.parse_password_hash(bad)
    assert bad not in str(caught.value) and "python -m geo.access" in str(caught.value)


def test_credential_settings_are_checked() -> None:
    good = access.hash_password(PASSWORD, iterations=FAST)
    access.check_credential_settings(good, "")
    access.check_credential_settings("", PASSWORD)
    access.check_credential_settings("", "")
    with pytest.raises(ConfigError, match="not both"):
        access.check_credential_settings(good, PASSWORD)
    with pytest.raises(ConfigError, match="8 to 256 characters") as caught:
        access.check_credential_settings("", "tiny1")
    assert "tiny1" not in str(caught.value)
    with pytest.raises(ConfigError):
        access.hash_password("short")


def test_a_grant_tag_follows_the_credential() -> None:
    first = _hashed()
    tag = access.credential_tag(first)
    assert tag and access.grant_is_current(tag, first)
    assert first.editor_password_hash not in tag and PASSWORD not in tag
    assert not access.grant_is_current(tag, _hashed("another password here"))  # a new password
    assert not access.grant_is_current(tag, Settings())
    assert not access.grant_is_current(None, first)
    assert not access.grant_is_current(123, first)
    assert access.credential_tag(Settings()) == ""


# -- the decision --------------------------------------------------------------------


def test_nothing_configured_is_open() -> None:
    rules = access.policy(Settings(), login_configured=False)
    assert rules.mode is Mode.OPEN
    assert access.may_edit(rules)


def test_read_only_wins_over_everything() -> None:
    settings = replace(_hashed(), read_only=True, editors=("*",))
    rules = access.policy(settings, login_configured=True)
    assert rules.mode is Mode.LOCKED
    assert not access.may_edit(rules, password_granted=True, email="ana@example.org", email_verified=True)
    assert not access.may_edit(access.policy(Settings(read_only=True), login_configured=False))


def test_a_password_restricts_editing() -> None:
    rules = access.policy(_hashed(), login_configured=False)
    assert (rules.mode, rules.password, rules.login) == (Mode.RESTRICTED, True, False)
    assert not access.may_edit(rules)
    assert access.may_edit(rules, password_granted=True)
    # Without [auth], a signed-in identity counts for nothing.
    assert not access.may_edit(replace(rules, editors=("*",)), email="ana@example.org")


def test_sign_in_alone_restricts_editing() -> None:
    settings = Settings(editors=("ana@example.org",), login_provider="corp")
    rules = access.policy(settings, login_configured=True)
    assert (rules.mode, rules.password, rules.login, rules.provider) == (Mode.RESTRICTED, False, True, "corp")
    assert access.may_edit(rules, email="ana@example.org", email_verified=True)
    assert not access.may_edit(rules, email="bob@example.org", email_verified=True)
    assert not access.may_edit(rules, password_granted=True)  # no password is configured


@pytest.mark.parametrize(("editors", "email", "allowed"), [
    (("ana@example.org",), "ana@example.org", True),
    (("ana@example.org",), "  Ana@Example.ORG ", True),
    (("ana@example.org",), "bob@example.org", False),
    (("@example.org",), "bob@example.org", True),
    (("@example.org",), "bob@example.org.evil.test", False),
    (("@example.org",), "bob@sub.example.org", False),
    (("@example.org",), "bob@evil.test@example.org", True),  # the part after the last @ is the domain
    (("*",), "anyone@anywhere.test", True),
    ((), "ana@example.org", False),  # an empty list lets nobody in
    (("ana@example.org",), "", False),
    (("ana@example.org",), "not-an-address", False),
])
def test_who_is_an_editor_after_sign_in(editors: tuple[str, ...], email: str, allowed: bool) -> None:
    rules = Policy(Mode.RESTRICTED, login=True, editors=editors)
    assert access.login_allowed(rules, email=email) is allowed


@pytest.mark.parametrize("verified", [False, "false", "False"])
def test_an_unverified_address_is_refused(verified: object) -> None:
    rules = Policy(Mode.RESTRICTED, login=True, editors=("*",))
    assert not access.login_allowed(rules, email="ana@example.org", email_verified=verified)
    assert access.login_allowed(rules, email="ana@example.org", email_verified=None)  # not said


# -- bounded attempts ----------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_few_tries_are_free_then_the_wait_doubles_up_to_a_cap() -> None:
    clock = Clock()
    throttle = Throttle(free=3, base_delay=10, max_delay=35, clock=clock)
    assert [throttle.failed("a") for _ in range(2)] == [0.0, 0.0]
    assert throttle.wait("a") == 0.0
    assert throttle.failed("a") == 10.0
    assert throttle.wait("a") == 10.0
    clock.now += 4
    assert throttle.wait("a") == 6.0
    assert throttle.wait("b") == 0.0  # another client is not held up
    clock.now += 6
    assert throttle.wait("a") == 0.0
    assert throttle.failed("a") == 20.0
    clock.now += 20
    assert throttle.failed("a") == 35.0  # 40, capped


def test_success_and_time_forget_the_failures() -> None:
    clock = Clock()
    throttle = Throttle(free=2, base_delay=10, forget_after=100, clock=clock)
    throttle.failed("a")
    throttle.succeeded("a")
    assert throttle.failed("a") == 0.0  # counting starts again
    throttle.failed("b")
    clock.now += 101
    assert throttle.failed("b") == 0.0  # the old failure is forgotten
    assert throttle.failed("b") == 10.0
    throttle.reset()
    assert throttle.wait("b") == 0.0


def test_the_table_of_clients_is_bounded() -> None:
    clock = Clock()
    throttle = Throttle(free=1, base_delay=10, max_keys=3, clock=clock)
    for i in range(5):
        clock.now += 1
        throttle.failed(f"client{i}")
    assert len(throttle._records) == 3
    assert throttle.wait("client4") > 0 and throttle.wait("client0") == 0.0


def test_concurrent_failures_are_all_counted() -> None:
    throttle = Throttle(free=1000, base_delay=1)
    threads = [threading.Thread(target=lambda: [throttle.failed("x") for _ in range(100)]) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert throttle._records["x"].failures == 800


def test_failures_are_logged_without_the_attempt(caplog: pytest.LogCaptureFixture) -> None:
    settings = _hashed()
    throttle = Throttle()
    with caplog.at_level(logging.DEBUG):
        assert not access.verify_password("my-guess-1234", settings)
        throttle.failed("203.0.113.9")
    text = " ".join(r.getMessage() for r in caplog.records)
    assert "203.0.113.9" in text and "wrong editor password" in text
    for secret in ("my-guess-1234", PASSWORD, settings.editor_password_hash):
        assert secret not in text


# -- `python -m geo.access` ----------------------------------------------------------


class _Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


def test_the_hash_command_reads_stdin_and_prints_a_working_hash(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", _Pipe(PASSWORD + "\n"))
    assert access.main([]) == 0
    out, err = capsys.readouterr()
    line = out.strip()
    assert PASSWORD not in out and PASSWORD not in err
    settings = load_settings(env={"GEOSTORY_EDITOR_PASSWORD_HASH": line})
    assert access.verify_password(PASSWORD, settings)


def test_the_hash_command_refuses_a_short_password_and_arguments(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", _Pipe("short\n"))
    assert access.main([]) == 1
    assert capsys.readouterr().out == ""
    assert access.main(["hunter2"]) == 2  # a password on the command line would land in shell history


# -- forged forwarding headers and per-session counts (issue 10, item 8) -------------

XFF = "X-Forwarded-For"


@pytest.mark.parametrize(("address", "headers", "trusted", "keys"), [
    (None, [], False, ("local",)),  # loopback, no claim
    ("198.51.100.7", [], False, ("198.51.100.7",)),  # a direct client
    # From loopback, uvicorn swapped the claimed address in: one shared bucket, and this machine.
    ("203.0.113.5", [(XFF, "203.0.113.5")], False, (access.UNVERIFIED_CLIENT, "local")),
    ("203.0.113.5", [("x-forwarded-for", "10.0.0.1, 203.0.113.5:4000")], False,
     (access.UNVERIFIED_CLIENT, "local")),
    (None, [(XFF, "127.0.0.1")], False, (access.UNVERIFIED_CLIENT, "local")),
    # From elsewhere, uvicorn ignored the header: the real peer, and the shared bucket.
    ("198.51.100.7", [(XFF, "203.0.113.5")], False, (access.UNVERIFIED_CLIENT, "198.51.100.7")),
    ("198.51.100.7", [("Forwarded", "for=203.0.113.5")], False, (access.UNVERIFIED_CLIENT, "198.51.100.7")),
    ("198.51.100.7", [("X-Real-IP", "203.0.113.5")], False, (access.UNVERIFIED_CLIENT, "198.51.100.7")),
    # A trusted proxy: the address it names is the client's.
    ("203.0.113.5", [(XFF, "203.0.113.5")], True, ("203.0.113.5",)),
    (None, [(XFF, "127.0.0.1")], True, ("local",)),
])
def test_a_claimed_address_is_believed_only_behind_a_trusted_proxy(
        address: str | None, headers: list[tuple[str, str]], trusted: bool, keys: tuple[str, ...]) -> None:
    assert access.address_keys(address, headers, trusted_proxy=trusted) == keys


def _forged(i: int, *, trusted: bool = False) -> access.Attempt:
    """The i-th try from loopback with a fresh forged X-Forwarded-For, in a fresh browser session."""
    claimed = f"203.0.113.{i}"
    return access.Attempt(access.address_keys(claimed, [(XFF, claimed)], trusted_proxy=trusted),
                          session=f"session-{i}")


def test_forged_addresses_in_new_sessions_share_one_count() -> None:
    throttle = Throttle(free=3, base_delay=10, clock=Clock())
    for i in range(3):
        assert throttle.wait(*_forged(i).keys) == 0.0
        throttle.failed(*_forged(i).keys)
    # A fourth address, a fourth session: still held.
    assert throttle.wait(*_forged(99).keys) == 10.0


def test_a_forged_address_does_not_escape_the_real_clients_lockout() -> None:
    """The issue's case: the real client (loopback, no header) is locked out; a forged header
    names a new address; its try is still held (counted under this machine too)."""
    throttle = Throttle(free=3, base_delay=10, clock=Clock())
    real = access.Attempt(access.address_keys(None, [], trusted_proxy=False), session="real")
    for _ in range(3):
        throttle.failed(*real.keys)
    assert throttle.wait(*real.keys) == 10.0
    assert throttle.wait(*_forged(1).keys) == 10.0


def test_behind_a_trusted_proxy_each_address_has_its_own_count() -> None:
    throttle = Throttle(free=3, base_delay=10, clock=Clock())
    for _ in range(3):
        throttle.failed(*_forged(1, trusted=True).keys)
    assert throttle.wait(*_forged(1, trusted=True).keys) == 10.0
    assert throttle.wait(*_forged(2, trusted=True).keys) == 0.0  # another client is not held up


def test_a_session_is_counted_as_well_as_its_address() -> None:
    """A session over the limit is held even when its address is not (a shared address that
    succeeded in between, or addresses a trusted proxy reports changing)."""
    throttle = Throttle(free=3, base_delay=10, clock=Clock())
    for i in range(3):
        throttle.failed(*access.Attempt((f"198.51.100.{i}",), session="tab").keys)
    assert throttle.wait(*access.Attempt(("198.51.100.9",), session="tab").keys) == 10.0
    assert throttle.wait(*access.Attempt(("198.51.100.9",), session="other tab").keys) == 0.0
    # Either key over the limit holds the try; success clears both.
    both = access.Attempt(("198.51.100.0",), session="tab")
    assert throttle.wait(*both.keys) == 10.0
    throttle.succeeded(*both.keys)
    assert throttle.wait(*both.keys) == 0.0


def test_a_try_waits_for_the_longest_of_its_lockouts() -> None:
    clock = Clock()
    throttle = Throttle(free=1, base_delay=10, max_delay=1000, clock=clock)
    throttle.failed("a")
    throttle.failed("a")  # "a": 20 s
    assert throttle.failed("b", "c") == 10.0
    assert throttle.wait("a", "b") == 20.0 and throttle.wait("b", "c") == 10.0
    assert throttle.failed("a", "b") == 40.0  # each doubles on its own count
    assert throttle.wait("b") == 20.0
