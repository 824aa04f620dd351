"""The console's follow-up actions: what Pledge could not finish by itself, done again.

A recipient that could not be told of an erasure, rectification or restriction (its notice
failed) is tried again, or recorded as told by hand; a mail to the person whose job gave up
is queued again. Each goes through pledge.rights, recorded on the timeline as the member of
staff who acted (pledge.web.admin_console_actions runs them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from pledge.errors import NotFound, PledgeError
from pledge.rights.mail_again import resend_mails
from pledge.rights.recipients import record_told_by_hand, retry_notice
from pledge.store.tables import RecipientNoticeRow, RequestRow

if TYPE_CHECKING:  # it imports this module to list these actions with its own
    from pledge.web.admin_console_actions import ActionInput


def _retry_notice(session: Session, row: RequestRow, given: ActionInput) -> str:
    notice = _on_notice(
        row,
        given.recipient,
        lambda: retry_notice(session, row.id, given.recipient, actor=given.actor, now=given.now),
    )
    return f"The notice to {notice.recipient} will be tried again."


def _told_by_hand(session: Session, row: RequestRow, given: ActionInput) -> str:
    notice = _on_notice(
        row,
        given.recipient,
        lambda: record_told_by_hand(
            session, row.id, given.recipient, how=given.reason, actor=given.actor, now=given.now
        ),
    )
    return f"{notice.recipient} is recorded as told by hand."


def _resend_mail(session: Session, row: RequestRow, given: ActionInput) -> str:
    sentence = " and ".join(resend_mails(session, row.id, actor=given.actor, now=given.now))
    return f"{sentence[:1].upper()}{sentence[1:]} will be sent again."


def _on_notice(
    row: RequestRow, recipient: str, action: Callable[[], RecipientNoticeRow]
) -> RecipientNoticeRow:
    # A recipient with no notice is said on the request's page: the console answers an
    # unknown request with a 404 page, which would not say which recipient was asked for.
    if not recipient.strip():
        raise PledgeError(
            f"request {row.id} has no notice to an unnamed recipient",
            "press the button on the recipient's line",
        )
    try:
        return action()
    except NotFound as exc:
        raise PledgeError(exc.message, "the recipients told are listed on the page") from exc


FOLLOW_UP_ACTIONS: Mapping[str, Callable[[Session, RequestRow, ActionInput], str]] = {
    "retry-notice": _retry_notice,
    "told-by-hand": _told_by_hand,
    "resend-mail": _resend_mail,
}
