"""The privacy center: the public pages where a person makes a rights request and follows it.

    GET  /privacy/requests                     where they live, what they ask, then the form
    POST /privacy/requests                     file it -> 303 to its status page
    GET  /privacy/requests/status/{token}      type, state, due date, history, the code form
    POST /privacy/requests/status/{token}/code     the identity code
    POST /privacy/requests/status/{token}/resend   a new identity code
    GET  /privacy/requests/download/{token}    before a download: a fresh code by mail
    POST /privacy/requests/download/{token}/send   mail that code
    POST /privacy/requests/download/{token}    the code -> the zip

Nothing here tells whether a person is in the company's databases: filing answers alike for
everyone, a code goes to whatever address was given, and every link that does not work
gives the same page. Posts are guarded by `pledge.web.form_guard` and counted per IP address
and per email address by `pledge.web.rate_limit`, in the store: every server process counts
them together, and a restart forgets none. The database work runs in a worker thread;
after a transaction that queued jobs commits, the server's job runner is woken.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from pledge.errors import PledgeError
from pledge.rights.delivery import (
    LinkRefused,
    download_link_token,
    package_deleted_at,
    result_of,
    status_from_token,
)
from pledge.rights.events import timeline
from pledge.rights.lifecycle import CLOSED
from pledge.rights.requests import get_request
from pledge.rights.types import HANDLING, needs_identity
from pledge.web import privacy_center_work as work
from pledge.web.form_guard import FIELD, is_genuine
from pledge.web.language import choose_language
from pledge.web.privacy_center_form import (
    CORRECTION_ROWS,
    FormValues,
    chosen_step,
    grounds_field,
    read_filing,
    read_proof,
)
from pledge.web.privacy_center_pages import CENTER_PATH, Pages, center_url
from pledge.web.privacy_center_view import (
    activity_choices,
    agent_help,
    agents_allowed,
    center_languages,
    correction_categories,
    day_in_words,
    jurisdictions,
    request_types,
    second_check_help,
    second_checks,
    status_view,
    type_name,
)
from pledge.web.rate_limit import Limit, SlidingWindow
from pledge.web.state import DeclarationHolder

HOUR = 3600.0
# The proof upload (5 MB) and the form around it; a bigger body is refused unread.
MAX_BODY_BYTES = 6 * 1024 * 1024

FILINGS_PER_IP = Limit(20, HOUR)
FILINGS_PER_EMAIL = Limit(5, HOUR)
# Typing a code, asking for a new one, starting a download: each is one try.
CODE_TRIES_PER_IP = Limit(60, HOUR)

LangQuery = Annotated[str | None, Query(max_length=35)]
# What the page says after a post redirected to it: a fixed word, never text from the URL.
SAID = {
    "confirmed": ("code_right", "good"),
    "wrong": ("code_wrong", "bad"),
    "resent": ("resent", ""),
}


@dataclass(frozen=True)
class Limits:
    """How often one IP address or one email address may use the public forms, all server
    processes together (counted in the store, see pledge.web.rate_limit)."""

    filings_per_ip: Limit = FILINGS_PER_IP
    filings_per_email: Limit = FILINGS_PER_EMAIL
    code_tries_per_ip: Limit = CODE_TRIES_PER_IP


class _Counters:
    def __init__(self, limits: Limits, holder: DeclarationHolder) -> None:
        def window(scope: str, limit: Limit) -> SlidingWindow:
            # The store and the keys exist once the app has started, after this is made.
            return SlidingWindow(
                scope,
                limit,
                store=lambda: holder.store,
                secret=lambda: holder.services.keys.links,
            )

        self.filings_by_ip = window("center filing address", limits.filings_per_ip)
        self.filings_by_email = window("center filing email", limits.filings_per_email)
        self.codes_by_ip = window("center code address", limits.code_tries_per_ip)


def privacy_center_routes(holder: DeclarationHolder, limits: Limits | None = None) -> APIRouter:
    router = APIRouter(prefix=CENTER_PATH, include_in_schema=False)
    counters = _Counters(limits or Limits(), holder)

    def pages(request: Request, asked: str | None) -> Pages:
        languages = center_languages(holder.current.declaration)
        lang = choose_language(asked, request.headers.get("accept-language"), languages)
        return Pages(holder, request, lang, languages)

    @router.get("")
    def start(
        request: Request,
        lang: LangQuery = None,
        jurisdiction: Annotated[str | None, Query(max_length=16)] = None,
        type: Annotated[str | None, Query(max_length=32)] = None,
    ) -> Response:
        page = pages(request, lang)
        return _start_page(holder, page, jurisdiction, type, FormValues(), [], 200)

    @router.post("")
    async def file_request(request: Request, lang: LangQuery = None) -> Response:
        page = pages(request, lang)
        if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
            return page.message(413, "errors_heading", "error_proof")
        # Closed on the way out: an uploaded proof waits in a temporary file.
        async with request.form(max_files=1, max_fields=64) as form:
            refused = await _refuse(page, form, counters.filings_by_ip, _client(request))
            if refused is not None:
                return refused
            proof = await read_proof(form)
            declaration = holder.current.declaration
            values, filing, problems = read_filing(form, proof, declaration, page.lang)
            jurisdiction, kind = str(form.get("jurisdiction", "")), str(form.get("type", ""))
        if filing is None:
            return _start_page(holder, page, jurisdiction, kind, values, problems, 400)
        refused = await _spend(page, counters.filings_by_email, filing.email.casefold())
        if refused is not None:
            return refused
        try:
            token = await run_in_threadpool(work.file_request, holder, filing, page.lang)
        except PledgeError:
            problems = [page.words("error_filing")]
            return _start_page(holder, page, jurisdiction, kind, values, problems, 400)
        holder.wake_jobs()
        return page.redirect(center_url(f"/status/{token}", page.lang))

    @router.get("/status/{token}")
    def status(
        request: Request,
        token: str,
        lang: LangQuery = None,
        said: Annotated[str | None, Query(max_length=16)] = None,
    ) -> Response:
        page = pages(request, lang)
        return _status_page(holder, page, token, said)

    @router.post("/status/{token}/code")
    async def check_code(request: Request, token: str, lang: LangQuery = None) -> Response:
        page = pages(request, lang)
        form = await _code_form(page, request, counters.codes_by_ip)
        if isinstance(form, Response):
            return form
        code = str(form.get("code", ""))[:32]
        try:
            confirmed = await run_in_threadpool(work.confirm_code, holder, token, code)
        except PledgeError:
            return page.bad_link()
        holder.wake_jobs()
        said = "confirmed" if confirmed else "wrong"
        return page.redirect(center_url(f"/status/{token}", page.lang, said=said))

    @router.post("/status/{token}/resend")
    async def resend(request: Request, token: str, lang: LangQuery = None) -> Response:
        page = pages(request, lang)
        form = await _code_form(page, request, counters.codes_by_ip)
        if isinstance(form, Response):
            return form
        try:
            await run_in_threadpool(work.send_new_code, holder, token)
        except LinkRefused:
            return page.bad_link()
        holder.wake_jobs()
        return page.redirect(center_url(f"/status/{token}", page.lang, said="resent"))

    @router.get("/download/{token}")
    def download_page(
        request: Request,
        token: str,
        lang: LangQuery = None,
        sent: Annotated[str | None, Query(max_length=4)] = None,
        said: Annotated[str | None, Query(max_length=16)] = None,
    ) -> Response:
        page = pages(request, lang)
        if not work.download_link_works(holder, token):
            return page.bad_link()
        return _download_page(page, token, sent == "1", said)

    @router.post("/download/{token}/send")
    async def send_download_code(request: Request, token: str, lang: LangQuery = None) -> Response:
        page = pages(request, lang)
        form = await _code_form(page, request, counters.codes_by_ip)
        if isinstance(form, Response):
            return form
        try:
            await run_in_threadpool(work.send_download_code, holder, token)
        except LinkRefused:
            return page.bad_link()
        return page.redirect(center_url(f"/download/{token}", page.lang, sent="1"))

    @router.post("/download/{token}")
    async def download(request: Request, token: str, lang: LangQuery = None) -> Response:
        page = pages(request, lang)
        form = await _code_form(page, request, counters.codes_by_ip)
        if isinstance(form, Response):
            return form
        code = str(form.get("code", ""))[:32]
        try:
            package = await run_in_threadpool(work.open_download, holder, token, code)
        except PledgeError:
            return page.bad_link()
        if package is None:
            return page.redirect(
                center_url(f"/download/{token}", page.lang, sent="1", said="wrong")
            )
        filename, content = package
        return Response(
            content,
            media_type="application/zip",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )

    return router


async def _code_form(page: Pages, request: Request, counter: SlidingWindow) -> FormData | Response:
    """A short form that spends one try (a code, a new code, a download): its fields, or
    the answer refusing it."""
    form = await request.form(max_files=0, max_fields=8)
    refused = await _refuse(page, form, counter, _client(request))
    return form if refused is None else refused


async def _refuse(
    page: Pages, form: FormData, counter: SlidingWindow, client: str
) -> Response | None:
    """The answer to a post that must go no further: not from our page, or one too many."""
    if not is_genuine(page.form_key, page.request, form.get(FIELD)):
        return page.stale_form()
    return await _spend(page, counter, client)


async def _spend(page: Pages, counter: SlidingWindow, key: str) -> Response | None:
    """Count one try of `key`; the 429 page when it has none left."""
    if await run_in_threadpool(counter.allow, key):
        return None
    return page.too_many(await run_in_threadpool(counter.retry_after, key))


def _client(request: Request) -> str:
    # Behind a proxy, uvicorn's --proxy-headers (with --forwarded-allow-ips) puts the
    # person's address here; without it, every person would share the proxy's budget.
    return request.client.host if request.client else "unknown"


def _start_page(
    holder: DeclarationHolder,
    page: Pages,
    jurisdiction: str | None,
    kind: str | None,
    values: FormValues,
    errors: list[str],
    status: int,
) -> Response:
    declaration = holder.current.declaration
    lang = page.lang
    code, chosen = chosen_step(declaration, jurisdiction, kind)
    places = jurisdictions(declaration, lang)
    context: dict[str, object] = {
        "title": page.words("title"),
        "place_links": [(c.name, center_url(lang=lang, jurisdiction=c.value)) for c in places],
        "place": next((c.name for c in places if c.value == code), None),
        "change_place_href": center_url(lang=lang),
        "kind": type_name(chosen, lang) if chosen else None,
    }
    if code is not None:
        context["kind_links"] = [
            (c, center_url(lang=lang, jurisdiction=code, type=c.value))
            for c in request_types(code, declaration, lang)
        ]
        context["change_kind_href"] = center_url(lang=lang, jurisdiction=code)
    if code is not None and chosen is not None:
        if len(values.corrections) != CORRECTION_ROWS:
            values.corrections = [("", "")] * CORRECTION_ROWS
        activity_list = activity_choices(declaration, chosen, code, lang)
        context.update(
            action=center_url(lang=lang),
            jurisdiction=code,
            kind_value=chosen,
            values=values,
            errors=errors,
            email_help=page.words("email_help" if needs_identity(chosen) else "email_help_no_code"),
            checks=second_checks(declaration, chosen, lang),
            check_help=second_check_help(declaration, lang),
            correction_choices=(
                correction_categories(declaration, lang)
                if HANDLING[chosen] == "rectification"
                else []
            ),
            correction_rows=values.corrections,
            activity_list=activity_list,
            grounds=grounds_field(declaration, chosen, activity_list, page.words),
            activities_legend=page.words(
                "activities_withdraw" if chosen == "withdraw_consent" else "activities_objection"
            ),
            agents=agents_allowed(declaration),
            agent_help=agent_help(declaration, lang),
        )
    return page.render("start.html.j2", status=status, **context)


def _status_page(holder: DeclarationHolder, page: Pages, token: str, said: str | None) -> Response:
    keys = holder.services.keys
    try:
        ref = status_from_token(token, key=keys.links)
    except PledgeError:
        return page.bad_link()
    now = dt.datetime.now(dt.UTC)
    with holder.store.session() as session:
        try:
            row = get_request(session, ref)
        except PledgeError:
            return page.bad_link()
        view = status_view(row, timeline(session, row.id), page.words)
        result = result_of(session, row.id) if row.state in CLOSED else None
        download = None
        if result is not None and result.package_expires_at and result.package_expires_at > now:
            download = download_link_token(result, key=keys.links)
        until = (
            day_in_words(result.package_expires_at.date(), page.lang, row.jurisdiction)
            if download and result and result.package_expires_at
            else None
        )
        # Said rather than left out: the person knows their copy is not kept anywhere.
        ended = package_deleted_at(result)
        deleted = day_in_words(ended.date(), page.lang, row.jurisdiction) if ended else None
    message_key, tone = SAID.get(said or "", (None, ""))
    return page.render(
        "status.html.j2",
        title=page.words("status_title", reference=view.reference),
        view=view,
        said=page.words(message_key) if message_key else None,
        said_tone=tone,
        code_action=center_url(f"/status/{token}/code", page.lang),
        resend_action=center_url(f"/status/{token}/resend", page.lang),
        download_href=center_url(f"/download/{download}", page.lang) if download else None,
        download_until=until,
        copy_deleted=deleted,
    )


def _download_page(page: Pages, token: str, sent: bool, said: str | None) -> Response:
    message_key, tone = SAID.get(said or "", (None, ""))
    return page.render(
        "download.html.j2",
        title=page.words("download_title"),
        sent=sent,
        said=page.words(message_key) if message_key else None,
        said_tone=tone,
        send_action=center_url(f"/download/{token}/send", page.lang),
        download_action=center_url(f"/download/{token}", page.lang),
    )
