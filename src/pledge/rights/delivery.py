"""What a request produced, kept for the proof, and the person's copy handed over safely.

The package is sealed at rest (pledge.rights.package_crypto) and offered for
`DOWNLOAD_DAYS` days through a signed link that expires with it. Following the link is not
enough: the person confirms a fresh code sent to their address first (re-verification), so a
forwarded or leaked link alone opens nothing. Once the link has expired, or the person's
data was erased since, the package is deleted from the store (pledge.rights.package_expiry);
the summary stays.

The status page has its own signed link, without expiry: it shows the request's progress,
never its data.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping

from sqlalchemy.orm import Session

from pledge.errors import PledgeError
from pledge.mail.messages import download_code_message
from pledge.rights.events import record_event
from pledge.rights.package_crypto import (
    download_token,
    seal,
    unseal,
    verify_download_token,
)
from pledge.rights.reference import normalise_reference
from pledge.rights.requests import get_request, utc_moment
from pledge.rights.verification import check_code, issue_code, refuse_code
from pledge.services import Services
from pledge.store.tables import RequestResultRow

DOWNLOAD_DAYS = 30
_STATUS = b"pledge status page\n"


class LinkRefused(PledgeError):
    """A link that is not ours, altered, or expired: one message for all."""

    status_code = 404


def status_token(ref: str, *, key: bytes) -> str:
    """The token of a request's status page link: its reference and a signature."""
    reference = normalise_reference(ref)
    return f"{reference}.{_signature(reference, key)}"


def status_from_token(token: str, *, key: bytes) -> str:
    """The reference a status token names; LinkRefused if the token is not a valid one."""
    reference, _, signature = token.partition(".")
    try:
        reference = normalise_reference(reference)
    except PledgeError:
        raise _refused() from None
    if not hmac.compare_digest(signature.encode(), _signature(reference, key).encode()):
        raise _refused()
    return reference


def store_result(
    session: Session,
    ref: str,
    *,
    summary: Mapping[str, object],
    package: bytes | None,
    key: bytes,
    now: dt.datetime | None = None,
) -> RequestResultRow:
    """Keep what a request produced; a package is sealed and offered for DOWNLOAD_DAYS."""
    moment = utc_moment(now)
    reference = normalise_reference(ref)
    result = session.get(RequestResultRow, reference)
    if result is None:
        result = RequestResultRow(request_id=reference, created_at=moment, summary={})
        session.add(result)
    result.summary = dict(summary)
    if package is not None:
        result.package = seal(package, key, ref=reference)
        result.package_expires_at = moment + dt.timedelta(days=DOWNLOAD_DAYS)
    session.flush()
    return result


def result_of(session: Session, ref: str) -> RequestResultRow | None:
    return session.get(RequestResultRow, normalise_reference(ref))


def package_deleted_at(result: RequestResultRow | None) -> dt.datetime | None:
    """When the copy's offer ended, once the package was deleted (its link expired, or the
    person's data was erased since); None while it is offered, or when there was none."""
    if result is None or result.package is not None:
        return None
    return result.package_expires_at


def download_link_token(result: RequestResultRow, *, key: bytes) -> str | None:
    """The token of the package's download link, valid as long as the package is offered."""
    if result.package is None or result.package_expires_at is None:
        return None
    return download_token(result.request_id, key=key, expires_at=result.package_expires_at)


def start_download(
    session: Session, services: Services, token: str, *, now: dt.datetime | None = None
) -> None:
    """Mail the person a code that confirms it is them before the package is handed over."""
    moment = utc_moment(now)
    ref = verify_download_token(token, key=services.keys.links, now=moment)
    result = _offered(session, ref, moment)
    request = get_request(session, result.request_id)
    code = issue_code(
        session, request.id, key=services.keys.verification, now=moment, purpose="download"
    )
    message = download_code_message(
        services.declaration, request, code, lang=request.language, sender=services.sender
    )
    where = services.send(message)
    record_event(
        session, request.id, moment, "mail", None, None, "system", f"download code: {where}"
    )


def finish_download(
    session: Session,
    services: Services,
    token: str,
    code: str,
    *,
    now: dt.datetime | None = None,
) -> tuple[str, bytes]:
    """The package's file name and bytes, once the download code is confirmed."""
    moment = utc_moment(now)
    ref = verify_download_token(token, key=services.keys.links, now=moment)
    result = _offered(session, ref, moment)
    if not check_code(
        session,
        result.request_id,
        code,
        key=services.keys.verification,
        now=moment,
        purpose="download",
    ):
        refuse_code(
            session, "that code did not work", "check the latest code we sent, or ask for a new one"
        )
    assert result.package is not None  # _offered checked it
    package = unseal(result.package, services.keys.package, ref=result.request_id)
    result.downloaded_at = moment
    record_event(
        session, result.request_id, moment, "note", None, None, "subject", "package downloaded"
    )
    return f"{result.request_id}-data.zip", package


def _offered(session: Session, ref: str, moment: dt.datetime) -> RequestResultRow:
    result = session.get(RequestResultRow, ref)
    if (
        result is None
        or result.package is None
        or result.package_expires_at is None
        or result.package_expires_at <= moment
    ):
        raise _refused()
    return result


def _signature(reference: str, key: bytes) -> str:
    digest = hmac.new(key, _STATUS + reference.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode()


def _refused() -> LinkRefused:
    return LinkRefused("this link is not valid, or no longer", "ask for a new one")
