"""Lint rules on how people reach the company and control their data.

Consent that cannot be withdrawn, marketing that cannot be stopped, no channel for requests,
no contact, sales that the notice denies, cookies set without consent.
"""

from __future__ import annotations

from collections.abc import Iterator

from pledge.declaration.lint.base import LintContext, rule
from pledge.declaration.lint.facts import (
    CONSENT_BASES,
    EPRIVACY,
    all_bases,
    bases_by_jurisdiction,
    basis_path,
    first_basis_path,
    sells_or_shares,
    warn_in_section,
)
from pledge.errors import Problem

COOKIE_CATEGORY = "online.cookie_id"


@rule("CONSENT-NO-WITHDRAW")
def consent_no_withdraw(ctx: LintContext) -> Iterator[Problem]:
    for name, activity in ctx.declaration.activities.items():
        consent = sorted(all_bases(activity) & CONSENT_BASES)
        if consent and not activity.withdraw:
            yield ctx.warn(
                "CONSENT-NO-WITHDRAW",
                first_basis_path(name, activity, CONSENT_BASES),
                f"activity '{name}' relies on {consent[0]} but gives no way to withdraw it",
                "list the channels that withdraw it, e.g. 'withdraw: [unsubscribe]': "
                "withdrawing must be as easy as giving consent (GDPR Art. 7(3))",
            )


@rule("MARKETING-NO-OPTOUT")
def marketing_no_opt_out(ctx: LintContext) -> Iterator[Problem]:
    for name, activity in ctx.declaration.activities.items():
        if activity.direct_marketing and not activity.opt_out:
            yield ctx.warn(
                "MARKETING-NO-OPTOUT",
                ("activities", name, "direct_marketing"),
                f"activity '{name}' is direct marketing but gives no way to opt out",
                "list the channels that stop it, e.g. 'opt_out: [unsubscribe]': the right to "
                "object to direct marketing is absolute (GDPR Art. 21(2)-(3))",
            )


@rule("MKT-LI-ECOMMS")
def marketing_on_legitimate_interests(ctx: LintContext) -> Iterator[Problem]:
    d = ctx.declaration
    for name, activity in d.activities.items():
        # The soft opt-in lets existing customers be emailed about similar products.
        if not activity.direct_marketing or activity.soft_opt_in:
            continue
        by_code = bases_by_jurisdiction(d, activity)
        codes = [c for c in EPRIVACY if "legitimate_interests" in by_code.get(c, [])]
        if not codes:
            continue
        yield ctx.warn(
            "MKT-LI-ECOMMS",
            basis_path(name, activity, codes[0]),
            f"activity '{name}' is direct marketing on legitimate interests in "
            f"{', '.join(codes)}: marketing by email, text or phone to individuals needs "
            "consent there (PECR reg. 22 in the UK, CPCE L.34-5 in France)",
            "use 'consent' as the basis; legitimate interests fits only the soft opt-in "
            "(existing customers, similar products, an opt-out in every message) or "
            "marketing by post",
        )


@rule("RIGHTS-CHANNEL-MISSING")
def rights_channel_missing(ctx: LintContext) -> Iterator[Problem]:
    rights = ctx.declaration.rights
    if rights.channels or any(offered.channels for offered in rights.offered.values()):
        return
    yield warn_in_section(
        ctx,
        "RIGHTS-CHANNEL-MISSING",
        ("rights", "channels"),
        "no channel is declared for exercising rights",
        "declare a channel under 'channels' (an email address, a web form) and list it in "
        "rights.channels: people need a way to make requests (GDPR Art. 12(2))",
    )


@rule("CONTACT-MISSING")
def contact_missing(ctx: LintContext) -> Iterator[Problem]:
    organisation = ctx.declaration.organisation
    dpo = organisation.dpo
    dpo_reachable = dpo is not None and any((dpo.email, dpo.phone, dpo.address, dpo.web_form))
    if organisation.email or organisation.phone or organisation.address or dpo_reachable:
        return
    yield ctx.warn(
        "CONTACT-MISSING",
        ("organisation",),
        f"organisation '{organisation.name}' gives no email, phone or address, and no DPO",
        "add organisation.email, phone or address: the notice must say how to reach the "
        "controller (GDPR Art. 13(1)(a))",
    )


@rule("VERSION-DATE-MISSING")
def version_date_missing(ctx: LintContext) -> Iterator[Problem]:
    if ctx.declaration.notice.last_updated is not None:
        return
    yield warn_in_section(
        ctx,
        "VERSION-DATE-MISSING",
        ("notice", "last_updated"),
        "the notice has no 'last updated' date",
        "add 'notice: {last_updated: YYYY-MM-DD}' so readers know which version applies; "
        "until then the store dates the notice when its first version is published",
    )


@rule("NO-SALE-CONSISTENCY")
def no_sale_consistency(ctx: LintContext) -> Iterator[Problem]:
    d = ctx.declaration
    activities = d.activities.values()
    any_sale_or_share = any(a.sale or a.share for a in activities)
    for name, cookie in d.cookies.items():
        if cookie.category == "advertising" and not any_sale_or_share:
            yield ctx.warn(
                "NO-SALE-CONSISTENCY",
                ("cookies", name),
                f"cookie '{name}' is for advertising, but no activity declares a sale or "
                "share of personal information",
                "advertising cookies usually 'share' data for cross-context advertising "
                "(CPRA): set 'share: true' on the activity they serve, or remove the cookie",
            )
    for name, recipient in d.recipients.items():
        users = [a for a in activities if name in a.recipients] or list(activities)
        for flag in ("sale", "share"):
            if getattr(recipient, flag) and not any(getattr(a, flag) for a in users):
                yield ctx.warn(
                    "NO-SALE-CONSISTENCY",
                    ("recipients", name, flag),
                    f"recipient '{name}' is marked '{flag}: true', but no activity that "
                    f"discloses to it declares '{flag}: true'",
                    f"set '{flag}: true' on the activity that gives data to '{name}', so the "
                    "notice and the opt-out say so; or correct the recipient",
                )


@rule("GPC-REQUIRED")
def gpc_required(ctx: LintContext) -> Iterator[Problem]:
    d = ctx.declaration
    gpc = d.signals.gpc
    if "us-ca" not in d.organisation.jurisdictions or gpc == "honour":
        return
    if not sells_or_shares(d):
        return
    # Not saying is not honouring: the notice prints no GPC promise the declaration lacks.
    state = "are ignored" if gpc == "ignore" else "are not declared as honoured"
    yield warn_in_section(
        ctx,
        "GPC-REQUIRED",
        ("signals", "gpc"),
        "personal information is sold or shared under the CCPA, but Global Privacy Control "
        f"signals {state}",
        "set 'gpc: honour': a business that sells or shares must treat an opt-out preference "
        "signal as a request to opt out (11 CCR § 7025)",
    )


@rule("DNT-UNDECLARED")
def dnt_undeclared(ctx: LintContext) -> Iterator[Problem]:
    # CalOPPA makes a website's notice say how it responds to Do Not Track; Pledge prints no
    # DNT sentence the declaration does not make, so an unstated answer would go missing.
    d = ctx.declaration
    if "us-ca" not in d.organisation.jurisdictions or d.signals.dnt or d.signals.statement:
        return
    yield warn_in_section(
        ctx,
        "DNT-UNDECLARED",
        ("signals", "dnt"),
        "the notice does not say how you respond to Do Not Track signals",
        "set 'dnt: honour' or 'dnt: ignore' under signals: a notice for California must "
        "say it (Cal. Bus. & Prof. Code § 22575(b)(5))",
    )


@rule("COOKIE-CONSENT")
def cookie_consent(ctx: LintContext) -> Iterator[Problem]:
    d = ctx.declaration
    if not set(EPRIVACY) & set(d.organisation.jurisdictions):
        return
    covered = any(
        COOKIE_CATEGORY in a.categories and all_bases(a) & CONSENT_BASES
        for a in d.activities.values()
    )
    if covered:
        return
    for name, cookie in d.cookies.items():
        if cookie.category == "strictly_necessary":
            continue
        yield ctx.warn(
            "COOKIE-CONSENT",
            ("cookies", name),
            f"cookie '{name}' ({cookie.category}) needs consent, but no consent-based "
            f"activity covers '{COOKIE_CATEGORY}'",
            f"declare the activity that uses it with 'legal_basis: consent' and "
            f"'{COOKIE_CATEGORY}' in its categories (PECR reg. 6, ePrivacy Art. 5(3)); "
            "browser settings are not consent",
        )
