"""Editing access: who may change data, and the sign-in or password form that grants it.

Viewing is open. Add articles and Review places call ``editor_gate`` before any widget that
writes, and every write calls ``require_editor`` again: a widget callback runs before the page's
own gate, with the settings of the moment. Rules: geo/access.py.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAuthError
from streamlit.runtime.scriptrunner import get_script_run_ctx

from geo import access
from geo.cards import md_escape
from geo.config import Settings, load_settings
from geo.errors import ConfigError
from ui.data import get_store
from ui.page import Context

logger = logging.getLogger(__name__)

EDITOR_GRANT = "geostory_editor_grant"  # session_state: the credential tag a password unlocked


@st.cache_resource(show_spinner=False)
def editor_throttle() -> access.Throttle:
    """Wrong-password counts for the whole process, so a new tab does not reset them."""
    return access.Throttle()


def _login_configured() -> bool:
    try:
        return bool(st.secrets.get("auth"))
    except FileNotFoundError:  # no secrets file at all
        return False


def _signed_in() -> tuple[str | None, object]:
    """(e-mail, email_verified) of the st.login user; (None, None) when nobody is signed in."""
    if st.user.get("is_logged_in") is not True:
        return None, None
    email = st.user.get("email")
    return (email if isinstance(email, str) else None), st.user.get("email_verified")


def _client_key(config: Settings) -> access.Attempt:
    """Who the wrong-password count is kept for: the address (unless only claimed) and the session."""
    try:
        address, sent = st.context.ip_address, st.context.headers
        headers = [(name, value) for name in sent for value in sent.get_all(name)]
    except (AttributeError, RuntimeError):  # no browser context
        address, headers = None, []
    ctx = get_script_run_ctx()
    return access.Attempt(
        access.address_keys(address if isinstance(address, str) else None, headers,
                            trusted_proxy=config.trusted_proxy),
        session=ctx.session_id if ctx is not None else "")


def editing_allowed(config: Settings) -> bool:
    """Whether this session may change data under ``config`` (no drawing)."""
    rules = access.policy(config, login_configured=_login_configured())
    email, verified = _signed_in() if rules.login else (None, None)
    granted = access.grant_is_current(st.session_state.get(EDITOR_GRANT), config)
    return access.may_edit(rules, password_granted=granted, email=email, email_verified=verified)


def editor_name() -> str:
    """Who is editing, as the curation log records it: a signed-in editor's e-mail, else how the
    right was granted ("editor password", "open editing"). Never a credential."""
    try:
        config = load_settings(secrets=st.secrets)
    except ConfigError:
        return "unknown"
    rules = access.policy(config, login_configured=_login_configured())
    if rules.mode is access.Mode.OPEN:
        return "open editing"
    email, _verified = _signed_in() if rules.login else (None, None)
    if email and access.login_allowed(rules, email=email):
        return email
    return "editor password"


def require_editor() -> None:
    """Raise ``access.AccessDenied`` unless this session may change data now; call before each write."""
    try:
        config = load_settings(secrets=st.secrets)
    except ConfigError as err:
        raise access.AccessDenied("editing is off while the settings cannot be read") from err
    if get_store(config.db_url).read_only:
        raise access.AccessDenied("the event store is on a read-only disk; nothing was changed")
    if not editing_allowed(config):
        raise access.AccessDenied("changing data needs an editor sign-in; nothing was changed")


def _sign_out(email: str | None) -> None:
    st.session_state.pop(EDITOR_GRANT, None)
    if email:
        st.logout()  # ends the provider's session cookie too, and reruns
    st.rerun()


def _password_form(box: Any, config: Settings) -> None:
    throttle, client = editor_throttle(), _client_key(config)
    wait = throttle.wait(*client.keys)  # the address's count or this session's, whichever is longer
    # clear_on_submit: the typed password does not stay in the widget.
    with box.form("editor_sign_in", clear_on_submit=True, border=False):
        typed = st.text_input("Editor password", type="password", max_chars=access.MAX_PASSWORD_LENGTH,
                              autocomplete="current-password")
        unlock = st.form_submit_button("Unlock editing", icon=":material/key:", disabled=wait > 0)
    if wait > 0:
        box.warning(f"Too many wrong passwords. Try again in {math.ceil(wait)} s.", icon=":material/timer:")
        return
    if not unlock:
        return
    if access.verify_password(typed, config):
        throttle.succeeded(*client.keys)
        st.session_state[EDITOR_GRANT] = access.credential_tag(config)
        logger.info("editing unlocked by password for a session from %s", " / ".join(client.addresses))
        st.rerun()
    delay = throttle.failed(*client.keys)
    later = f" Too many tries: wait {math.ceil(delay)} s." if delay else ""
    box.error(f"Wrong password; nothing was unlocked.{later}", icon=":material/error:")


def _login_button(box: Any, rules: access.Policy) -> None:
    email, verified = _signed_in()
    if email:  # signed in, but not (or not verifiably) an editor
        why = "is not verified" if verified is False else "is not on the editors list"
        box.warning(f"Signed in as {md_escape(email)}, which {why}.", icon=":material/person_off:")
        if box.button("Sign out", key="editor_sign_out_denied", icon=":material/logout:"):
            _sign_out(email)
        return
    if box.button("Sign in as an editor", key="editor_login", icon=":material/login:"):
        try:
            st.login(rules.provider or None)
        except StreamlitAuthError as err:
            logger.warning("st.login could not start: %s", err)
            box.error("Sign-in is configured, but this server cannot start it (the server log says why).",
                      icon=":material/error:")


def editor_gate(ctx: Context) -> bool:
    """Draw the editor sign-in where needed; True when this session may change data now."""
    rules = access.policy(ctx.settings, login_configured=_login_configured())
    if rules.mode is access.Mode.OPEN:
        st.caption(":material/lock_open: Editing is open to anyone who can open this page. To restrict it, "
                   "set an editor password or `GEOSTORY_READ_ONLY=true` (README: Editing access).")
        return True
    if rules.mode is access.Mode.LOCKED:
        why = " (its event store is on a read-only disk)" if ctx.store.read_only else ""
        st.info(f"This Geostory is read-only{why}: nothing can be added or changed here.",
                icon=":material/lock:")
        return False
    if editing_allowed(ctx.settings):
        email, _verified = _signed_in() if rules.login else (None, None)
        who = md_escape(email) if email and access.login_allowed(rules, email=email) else "this session"
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.caption(f":material/lock_person: Editing unlocked for {who}.")
        if right.button("Sign out", key="editor_sign_out", icon=":material/logout:"):
            _sign_out(email)
        return True
    box = st.container(border=True)
    box.markdown(":material/lock: **Editors only.** Viewing is open to all; changing data needs an editor "
                 "sign-in.")
    if rules.login:
        _login_button(box, rules)
    if rules.password:
        _password_form(box, ctx.settings)
    return False
