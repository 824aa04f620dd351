"""The store work behind the privacy center's posts, each in its own transaction.

The routes run these in a worker thread. A wrong code is caught inside the transaction, so
the try it spent is committed: rolled back, it would give a guesser unlimited tries. Every
other refusal is rolled back and told apart only as "the link is not valid" (LinkRefused)
or "that did not work", never by why.
"""

from __future__ import annotations

import datetime as dt

from pledge.errors import PledgeError
from pledge.rights.delivery import (
    LinkRefused,
    finish_download,
    start_download,
    status_from_token,
    status_token,
)
from pledge.rights.package_crypto import verify_download_token
from pledge.rights.verification import CodeRejected
from pledge.rights.workflow import (
    attach_agent_proof,
    confirm_identity,
    resend_code,
    submit_request,
)
from pledge.web.privacy_center_form import Filing
from pledge.web.state import DeclarationHolder


def file_request(holder: DeclarationHolder, filing: Filing, lang: str) -> str:
    """File the request (and keep an agent's proof); the token of its status page."""
    keys = holder.services.keys
    with holder.store.session(write=True) as session:
        row = submit_request(
            session,
            holder.current.declaration,
            type=filing.type,
            email=filing.email,
            jurisdiction=filing.jurisdiction,
            identity=filing.identity or None,
            details=filing.details or None,
            language=lang,
            agent_name=filing.agent_name,
            agent_email=filing.agent_email,
        )
        if filing.proof is not None:
            attach_agent_proof(
                session,
                row.id,
                filename=filing.proof.filename,
                content_type=filing.proof.content_type,
                content=filing.proof.content,
                key=keys.package,
            )
        reference = row.id
    return status_token(reference, key=keys.links)


def confirm_code(holder: DeclarationHolder, token: str, code: str) -> bool:
    """Whether the identity code confirmed the request; LinkRefused for a bad link."""
    keys = holder.services.keys
    ref = status_from_token(token, key=keys.links)
    try:
        with holder.store.session(write=True) as session:
            try:
                confirm_identity(session, ref, code, key=keys.verification)
            except CodeRejected:
                return False
    except PledgeError:
        return False  # moved on meanwhile (another tab): nothing to confirm any more
    return True


def send_new_code(holder: DeclarationHolder, token: str) -> None:
    """Mail a new identity code if one may be sent; LinkRefused for a bad link."""
    ref = status_from_token(token, key=holder.services.keys.links)
    try:
        with holder.store.session(write=True) as session:
            resend_code(session, holder.services, ref)
    except PledgeError:
        pass  # too many codes, a closed request, mail down: the page says the same to all


def download_link_works(holder: DeclarationHolder, token: str) -> bool:
    """Whether a download link is ours and not expired (the package is checked later)."""
    try:
        verify_download_token(token, key=holder.services.keys.links, now=dt.datetime.now(dt.UTC))
    except PledgeError:
        return False
    return True


def send_download_code(holder: DeclarationHolder, token: str) -> None:
    """Mail a code that opens the download; LinkRefused when there is nothing to download."""
    if not download_link_works(holder, token):
        raise LinkRefused("this link is not valid, or no longer")
    try:
        with holder.store.session(write=True) as session:
            start_download(session, holder.services, token)
    except LinkRefused:
        raise
    except PledgeError:
        pass  # too many codes or mail down: the page says "if a code can be sent, it is"


def open_download(holder: DeclarationHolder, token: str, code: str) -> tuple[str, bytes] | None:
    """The package's file name and bytes, or None for a wrong code; PledgeError for a bad link."""
    with holder.store.session(write=True) as session:
        try:
            return finish_download(session, holder.services, token, code)
        except CodeRejected:
            return None
