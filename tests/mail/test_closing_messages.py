"""The mails that close a request (done, refused, extended) and the download code, in English
and French, built from requests filed and moved in a real store."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Mapping
from email.message import EmailMessage

import pytest

from pledge.errors import PledgeError
from pledge.mail import MailSettings, acknowledgement_message, code_message, send_mail
from pledge.mail.messages import (
    completion_message,
    denial_message,
    download_code_message,
    extension_message,
)
from pledge.rights import create_request, extend, transition
from pledge.rights.types import needs_identity
from pledge.store import Store, open_store
from pledge.store.tables import RequestRow
from tests.mail.smtp_server import SmtpServer
from tests.rights.demo import at, demo

SENDER = "Maple & Finch <privacy@maplefinch.example>"
STATUS_URL = "https://privacy.maplefinch.example/requests/status?t=abc&v=1"
AGENT = "agent@proxies.example"
KEPT = [
    {
        "table_label": "Orders",
        "rule": "Accounting records",
        "required_by": "Code de commerce L123-22",
        "until": "2035-03-31",
    },
    {"table_label": "Support tickets", "rule": "Legal claims", "required_by": None, "until": None},
]


@pytest.fixture
def store() -> Iterator[Store]:
    with open_store("sqlite://") as opened:
        yield opened


def filed(
    store: Store,
    type: str = "access",
    jurisdiction: str = "uk",
    *,
    agent: bool = False,
    language: str = "en",
) -> RequestRow:
    """A request received on 3 September 2025 and verified the next day."""
    with store.session(write=True) as session:
        row = create_request(
            session,
            demo(),
            type=type,
            email="jane@example.com",
            jurisdiction=jurisdiction,
            language=language,
            agent_name="Proxies Ltd" if agent else None,
            agent_email=AGENT if agent else None,
            now=at(2025, 9, 3),
        )
        if needs_identity(row.type):
            row = transition(
                session, row.id, "identity_pending", actor="system", now=at(2025, 9, 3)
            )
            row = transition(session, row.id, "verified", actor="subject", now=at(2025, 9, 4))
        return row


def moved(store: Store, row: RequestRow, *states: str, note: str | None = None) -> RequestRow:
    with store.session(write=True) as session:
        for state in states:
            row = transition(session, row.id, state, actor="admin", note=note, now=at(2025, 9, 20))
        return row


def closed(
    store: Store, row: RequestRow, state: str = "completed", note: str | None = None
) -> RequestRow:
    if row.state != "running":
        row = moved(store, row, "running")
    return moved(store, row, state, note=note)


def extended(store: Store, row: RequestRow, reason: str) -> RequestRow:
    with store.session(write=True) as session:
        return extend(session, row.id, reason=reason, actor="admin", now=at(2025, 9, 10))


def parts(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert isinstance(plain, EmailMessage) and isinstance(html, EmailMessage)
    return plain.get_content(), html.get_content()


def completion(row: RequestRow, summary: Mapping[str, object], lang: str = "en") -> EmailMessage:
    return completion_message(
        demo(), row, lang=lang, sender=SENDER, status_url=STATUS_URL, summary=summary
    )


# --- completion -----------------------------------------------------------------------------


def test_a_copy_is_ready_with_its_link_and_until_when(store: Store) -> None:
    row = closed(store, filed(store))
    message = completion(row, {"found": True, "download_until": "2025-10-20"})
    assert message["Subject"] == f"Maple & Finch: your copy is ready ({row.id})"
    assert message["To"] == "jane@example.com"
    plain, html = parts(message)
    assert STATUS_URL in plain
    assert "we will email you a new one-time code" in plain
    assert "The link works until 20 October 2025." in plain
    assert f'<a href="{STATUS_URL.replace("&", "&amp;")}">' in html
    assert "<strong>20 October 2025</strong>" in html
    assert "Information Commissioner" in plain  # how to complain, as in every mail

    french = completion(row, {"download_until": "2025-10-20"}, lang="fr")
    assert french["Subject"] == f"Maple & Finch : votre copie est prête ({row.id})"
    assert french["Content-Language"] == "fr"
    plain, html = parts(french)
    assert STATUS_URL in plain and "Le lien fonctionne jusqu'au 20 octobre 2025." in plain
    assert "nouveau code à usage unique" in plain and 'lang="fr"' in html


def test_a_portable_copy_without_an_end_date_gives_the_link_only(store: Store) -> None:
    row = closed(store, filed(store, "portability"))
    plain, _ = parts(completion(row, {}))
    assert STATUS_URL in plain and "The link works until" not in plain


@pytest.mark.parametrize(
    ("type", "english", "french"),
    [
        ("access", "so there is no copy to send", "il n'y a donc rien à vous transmettre"),
        ("erasure", "so there was nothing to erase", "il n'y avait donc rien à effacer"),
    ],
)
def test_nothing_found_says_we_hold_no_data(
    store: Store, type: str, english: str, french: str
) -> None:
    row = closed(store, filed(store, type))
    message = completion(row, {"found": False, "download_until": "2025-10-20"})
    assert "your copy is ready" not in message["Subject"]
    plain, html = parts(message)
    assert f"We searched our systems and hold no data about you, {english}." in plain
    assert STATUS_URL not in plain and "hold no data about you" in html
    plain, _ = parts(completion(row, {"found": False}, lang="fr"))
    assert "ne détenons aucune donnée vous concernant" in plain and french in plain


def test_an_erasure_lists_what_was_kept_why_and_until_when(store: Store) -> None:
    row = closed(store, filed(store, "erasure"))
    summary = {"found": True, "kept": KEPT, "recipients": ["Mailjet", "Stripe"]}
    message = completion(row, summary)
    assert message["Subject"] == f"Maple & Finch: we have completed your erasure request ({row.id})"
    plain, html = parts(message)
    assert "except what a legal obligation or one of our retention rules requires" in plain
    assert (
        '- Orders: kept under the rule "Accounting records", required by'
        " Code de commerce L123-22, until 31 March 2035" in plain
    )
    assert '- Support tickets: kept under the rule "Legal claims", for as long as' in plain
    assert "to erase it too: Mailjet, Stripe." in plain
    assert "<li>Orders: kept under the rule “Accounting records”" in html
    assert "until 31 March 2035</li>" in html

    plain, html = parts(completion(row, summary, lang="fr"))
    assert (
        "- Orders : règle « Accounting records » (exigence : Code de commerce L123-22),"
        " jusqu'au 31 mars 2035" in plain
    )
    assert "- Support tickets : règle « Legal claims », tant que cette règle s'applique" in plain
    assert "de les effacer aussi : Mailjet, Stripe." in plain
    assert "jusqu'au 31 mars 2035</li>" in html


def test_kept_dates_are_written_as_californians_read_them(store: Store) -> None:
    row = closed(store, filed(store, "delete", "us-ca"))
    plain, _ = parts(completion(row, {"kept": KEPT[:1]}))
    assert "until March 31, 2035" in plain
    assert "request to delete" in plain


def test_an_erasure_that_kept_nothing_says_so_plainly(store: Store) -> None:
    row = closed(store, filed(store, "erasure"))
    plain, _ = parts(completion(row, {"found": True, "kept": [], "recipients": []}))
    assert "We have erased the data we held about you.\n" in plain
    assert "What we kept" not in plain and "erase it too" not in plain


def test_a_rectification_lists_the_corrections(store: Store) -> None:
    row = closed(store, filed(store, "rectification"))
    summary = {"corrections": {"Name": "Jane Doe", "Postcode": "SW1A 1AA"}, "recipients": ["CRM"]}
    plain, html = parts(completion(row, summary))
    assert (
        "We have made the corrections you asked for:\n- Name: Jane Doe\n- Postcode: SW1A 1AA"
        in plain
    )
    assert "about the corrections: CRM." in plain
    assert "<li>Postcode: SW1A 1AA</li>" in html
    plain, _ = parts(completion(row, summary, lang="fr"))
    assert "Nous avons apporté les corrections demandées :\n- Name : Jane Doe" in plain


@pytest.mark.parametrize(
    ("type", "listed", "for_all"),
    [
        ("restriction", "for these activities:", "we keep it stored, but no longer use it"),
        ("objection", "We no longer use your data for:", "those based on our legitimate"),
        ("withdraw_consent", "withdrew your consent for:", "every activity that relied on it"),
    ],
)
def test_a_standing_choice_says_what_is_now_recorded(
    store: Store, type: str, listed: str, for_all: str
) -> None:
    row = closed(store, filed(store, type))
    plain, html = parts(completion(row, {"activities": ["Newsletter", "Product analytics"]}))
    assert f"{listed}\n- Newsletter\n- Product analytics" in plain
    assert "<li>Product analytics</li>" in html
    plain, _ = parts(completion(row, {"activities": []}))
    assert for_all in plain and "- Newsletter" not in plain


def test_a_restriction_promises_notice_before_it_is_lifted(store: Store) -> None:
    row = closed(store, filed(store, "restriction"))
    plain, _ = parts(completion(row, {"recipients": ["Mailjet"]}))
    assert "We will tell you before we lift the restriction." in plain
    assert "about the restriction: Mailjet." in plain
    plain, _ = parts(completion(row, {}, lang="fr"))
    assert "Nous vous préviendrons avant de lever cette limitation." in plain


def test_a_withdrawal_of_consent_is_not_an_erasure(store: Store) -> None:
    row = closed(store, filed(store, "withdraw_consent"))
    plain, _ = parts(completion(row, {}))
    assert "does not affect what we did with your consent before" in plain
    assert "does not erase your data" in plain


def test_an_opt_out_of_sale_is_recorded(store: Store) -> None:
    row = closed(store, filed(store, "opt_out_sale_share", "us-ca"))
    message = completion(row, {"activities": []})
    assert "request to opt out of sale and sharing" in message["Subject"]
    plain, _ = parts(message)
    assert "we no longer sell or share your personal information." in plain
    plain, _ = parts(completion(row, {"activities": ["Ad partners"]}, lang="fr"))
    assert (
        "ne partageons plus vos informations personnelles dans le cadre de :\n- Ad partners"
        in plain
    )


def test_a_partial_completion_says_what_could_not_be_done_and_how_to_challenge_it(
    store: Store,
) -> None:
    reason = "The archive server was unreachable; its rows remain."
    row = closed(store, filed(store, "erasure"), "partially_completed", note=reason)
    message = completion(row, {"kept": []})
    assert (
        message["Subject"] == f"Maple & Finch: we have done part of your erasure request ({row.id})"
    )
    plain, html = parts(message)
    assert f"What we could not do\n{reason}" in plain
    assert "lodge a complaint with Information Commissioner" in plain
    assert "seek a judicial remedy" in plain
    assert "How to complain" not in plain  # the rights block replaces it
    assert "<h2>What we could not do</h2>" in html

    french = completion(row, {}, lang="fr")
    assert "nous avons traité en partie votre demande d'effacement" in french["Subject"]
    plain, _ = parts(french)
    assert f"Ce que nous n'avons pas pu faire\n{reason}" in plain
    assert "former un recours juridictionnel" in plain


# --- denial ---------------------------------------------------------------------------------


def test_a_uk_denial_gives_the_reason_the_ico_and_the_courts(store: Store) -> None:
    reason = "The request is manifestly unfounded: it repeats PLG-1 of last week."
    row = moved(store, filed(store), "denied", note=reason)
    message = denial_message(demo(), row, lang="en", sender=SENDER)
    assert message["Subject"] == f"Maple & Finch: we cannot act on your access request ({row.id})"
    plain, html = parts(message)
    assert f"Why\n{reason}" in plain
    assert "You have the right to lodge a complaint with Information Commissioner's Office" in plain
    assert "https://ico.org.uk" in plain
    assert "You also have the right to seek a judicial remedy" in plain
    assert "seek a judicial remedy" in html and '<a href="https://ico.org.uk">' in html


def test_an_eu_denial_in_french_names_the_declared_authority(store: Store) -> None:
    row = moved(store, filed(store, "erasure", "eu", language="fr"), "denied", note="Motif.")
    message = denial_message(demo(), row, lang="fr", sender=SENDER)
    assert message["Subject"] == (
        f"Maple & Finch : nous ne pouvons pas donner suite à votre demande d'effacement ({row.id})"
    )
    plain, _ = parts(message)
    assert "Pourquoi\nMotif." in plain
    assert "d'introduire une réclamation auprès de CNIL (Commission nationale" in plain
    assert "https://www.cnil.fr" in plain
    assert "former un recours juridictionnel, c'est-à-dire de saisir la justice" in plain


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_california_denial_uses_the_ccpas_remedies(store: Store, lang: str) -> None:
    row = moved(store, filed(store, "know", "us-ca"), "denied", note="We could not verify you.")
    plain, html = parts(denial_message(demo(), row, lang=lang, sender=SENDER))
    for body in (plain, html):
        assert "California Privacy Protection Agency" in body and "https://cppa.ca.gov" in body
        assert "https://oag.ca.gov" in body
        assert "judicial remedy" not in body and "recours juridictionnel" not in body
    if lang == "en":
        assert "as the California Consumer Privacy Act requires" in plain
        assert "California Attorney General" in plain
        assert "on September 3, 2025" in plain
    else:
        assert "procureur général de Californie" in plain
        assert "comme le prévoit le California Consumer Privacy Act (CCPA)" in plain


def test_html_escapes_a_reason_and_text_keeps_it(store: Store) -> None:
    reason = "<script>alert('x')</script> & more"
    row = moved(store, filed(store), "denied", note=reason)
    for lang in ("en", "fr"):
        plain, html = parts(denial_message(demo(), row, lang=lang, sender=SENDER))
        assert reason in plain
        assert "<script>" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more" in html
    partial = closed(store, filed(store, "erasure"), "partially_completed", note=reason)
    _, html = parts(completion(partial, {}))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_denial_without_a_reason_is_refused(store: Store) -> None:
    row = filed(store)
    row.outcome = None
    with pytest.raises(PledgeError, match="no reason recorded for a denial"):
        denial_message(demo(), row, lang="en", sender=SENDER)


# --- extension ------------------------------------------------------------------------------


def test_an_extension_gives_the_new_date_and_the_reason(store: Store) -> None:
    row = extended(store, filed(store), "We received 40 requests this week.")
    message = extension_message(demo(), row, lang="en", sender=SENDER)
    assert (
        message["Subject"] == f"Maple & Finch: we need more time for your access request ({row.id})"
    )
    plain, html = parts(message)
    # Verified on 4 September: due 6 October (4 October is a Saturday); three months: 4 December.
    assert "We will answer by 4 December 2025 at the latest, instead of 6 October 2025." in plain
    assert "Why\nWe received 40 requests this week." in plain
    assert "<strong>4 December 2025</strong>" in html
    assert "Information Commissioner" in plain

    plain, _ = parts(extension_message(demo(), row, lang="fr", sender=SENDER))
    assert "au plus tard le 4 décembre 2025, au lieu du 6 octobre 2025." in plain
    assert "Pourquoi\nWe received 40 requests this week." in plain


def test_a_californian_extension_is_dated_the_american_way(store: Store) -> None:
    row = extended(store, filed(store, "know", "us-ca"), "Complex request.")
    plain, _ = parts(extension_message(demo(), row, lang="en", sender=SENDER))
    assert "by December 2, 2025 at the latest, instead of October 18, 2025" in plain


def test_an_extension_mail_needs_an_extension(store: Store) -> None:
    with pytest.raises(PledgeError, match="was not extended"):
        extension_message(demo(), filed(store), lang="en", sender=SENDER)


# --- download code --------------------------------------------------------------------------


def test_the_download_code_is_in_the_body_only(store: Store) -> None:
    row = closed(store, filed(store))
    for lang, sentence in (
        ("en", "Your code to download your copy is 482913. It is valid for 10 minutes."),
        ("fr", "Votre code pour télécharger votre copie est 482913. Il est valable 10 minutes."),
    ):
        message = download_code_message(
            demo(), row, "482913", lang=lang, sender=SENDER, valid_minutes=10
        )
        assert "482913" not in message["Subject"] and row.id in message["Subject"]
        plain, html = parts(message)
        assert sentence in plain
        assert "482913" in html
    plain, _ = parts(download_code_message(demo(), row, "111222", lang="en", sender=SENDER))
    assert "valid for 15 minutes" in plain
    assert "nobody can download it without this code" in plain


# --- authorised agents ----------------------------------------------------------------------


def test_every_mail_about_an_agents_request_goes_to_the_agent(store: Store) -> None:
    row = filed(store, "erasure", agent=True)
    delayed = extended(store, row, "Many requests.")
    done = closed(store, delayed)
    refused = moved(store, filed(store, "access", agent=True), "denied", note="Unfounded.")
    messages = [
        acknowledgement_message(demo(), row, lang="en", sender=SENDER),
        code_message(demo(), row, "123456", lang="en", sender=SENDER),
        extension_message(demo(), delayed, lang="en", sender=SENDER),
        completion(done, {"kept": KEPT}),
        denial_message(demo(), refused, lang="fr", sender=SENDER),
        download_code_message(demo(), done, "123456", lang="en", sender=SENDER),
    ]
    for message in messages:
        assert message["To"] == AGENT
    for message in messages[:1] + messages[2:4]:
        plain, html = parts(message)
        assert "as the authorised agent who made this request for jane@example.com" in plain
        assert "authorised agent" in html
    plain, _ = parts(messages[4])
    assert "mandataire ayant fait cette demande pour le compte de jane@example.com" in plain


def test_a_persons_own_request_has_no_agent_line(store: Store) -> None:
    plain, html = parts(acknowledgement_message(demo(), filed(store), lang="en", sender=SENDER))
    assert "authorised agent" not in plain and "authorised agent" not in html


# --- the summary's shape --------------------------------------------------------------------


def test_a_summary_of_the_wrong_shape_fails_by_name(store: Store) -> None:
    row = closed(store, filed(store, "erasure"))
    with pytest.raises(ValueError, match="summary 'kept' is a list"):
        completion(row, {"kept": "Orders"})
    with pytest.raises(ValueError, match="has no 'rule'"):
        completion(row, {"kept": [{"table_label": "Orders"}]})
    with pytest.raises(ValueError, match="not an ISO date"):
        completion(row, {"download_until": "next week"})


def test_a_kept_until_may_be_a_moment(store: Store) -> None:
    row = closed(store, filed(store, "erasure"))
    # 23:30 UTC on 30 March is already 31 March in London (BST).
    kept = [{"table_label": "Orders", "rule": "Accounts", "until": "2035-03-30T23:30:00+00:00"}]
    plain, _ = parts(completion(row, {"kept": kept}))
    assert "until 31 March 2035" in plain


# --- delivery -------------------------------------------------------------------------------


def test_a_closing_mail_arrives_through_a_real_smtp_server(
    store: Store, smtp_server: SmtpServer
) -> None:
    row = closed(store, filed(store, "erasure", agent=True, language="fr"))
    relay = MailSettings(host=smtp_server.host, port=smtp_server.port, sender=SENDER, timeout=5)
    send_mail(relay, completion(row, {"kept": KEPT, "recipients": ["Mailjet"]}, lang="fr"))
    (received,) = smtp_server.received
    assert received.recipients == [AGENT]
    message = received.message
    assert (
        message["Subject"]
        == f"Maple & Finch : nous avons traité votre demande d'effacement ({row.id})"
    )
    assert message.get_content_type() == "multipart/alternative"
    plain, html = parts(message)
    assert "jusqu'au 31 mars 2035" in plain and "Mailjet" in plain
    assert "<li>Orders : règle « Accounting records »" in html


def test_pledge_mail_can_be_imported_before_pledge_rights() -> None:
    # pledge.rights imports pledge.mail to send its mails. If importing pledge.mail pulled in
    # pledge.rights, whichever came first would find the other half-initialised.
    script = (
        "import sys, pledge.mail\n"
        "assert 'pledge.rights' not in sys.modules, 'pledge.mail imported pledge.rights'\n"
        "import pledge.rights\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
