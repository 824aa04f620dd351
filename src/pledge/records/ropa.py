"""The GDPR Art. 30(1) record of processing: one row per activity of the declaration.

Each row answers the article's points for one purpose: who the controller is (a), why (b),
about whom and what (c), to whom it goes (d), which transfers leave the home region and under
which safeguard (e), when it is erased (f) and how it is protected (g). It adds the legal
basis, the source of the data and the systems that hold it, which an auditor asks for next.
The spreadsheet and CSV writers only lay these rows out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass

from babel import Locale

from pledge.declaration.jurisdictions import (
    ADEQUACY_SCOPE,
    ADEQUATE_COUNTRIES,
    EEA_COUNTRIES,
    UnknownJurisdiction,
    jurisdiction,
)
from pledge.declaration.model import Activity, Contact, Declaration, Recipient, text
from pledge.declaration.taxonomy import builtin_categories
from pledge.declaration.vocabulary import basis_with_article, capitalised, known, label
from pledge.records.wording import PHRASES, labelled, retention_words, words

GDPR_REGIMES = ("gdpr", "uk_gdpr")
MULTI_VALUE_SEPARATOR = "; "


@dataclass(frozen=True)
class Column:
    key: str
    en: str
    fr: str

    def header(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en


# Stable order and English headers: people filter and link on these, so never rename one.
COLUMNS: tuple[Column, ...] = (
    Column("reference", "Reference", "Référence"),
    Column("activity", "Processing activity", "Traitement"),
    Column("purpose", "Purposes", "Finalités"),
    Column("controller", "Controller", "Responsable du traitement"),
    Column("joint_controllers", "Joint controllers", "Responsables conjoints"),
    Column("representatives", "Representatives", "Représentants"),
    Column("dpo", "Data protection officer", "Délégué à la protection des données"),
    Column("legal_basis", "Legal basis", "Base légale"),
    Column("subjects", "Categories of data subjects", "Catégories de personnes concernées"),
    Column("categories", "Categories of personal data", "Catégories de données personnelles"),
    Column("sources", "Source of the data", "Source des données"),
    Column("recipients", "Recipients", "Destinataires"),
    Column(
        "transfers",
        "Transfers to third countries and safeguards",
        "Transferts vers des pays tiers et garanties",
    ),
    Column("retention", "Retention and erasure", "Durées de conservation et effacement"),
    Column("security", "Security measures", "Mesures de sécurité"),
    Column("systems", "Systems holding the data", "Systèmes contenant les données"),
)


@dataclass(frozen=True)
class RopaRow:
    """One activity as the record of processing states it; tuples hold several values."""

    reference: str
    activity: str
    purpose: str
    controller: tuple[str, ...]
    joint_controllers: tuple[str, ...]
    representatives: tuple[str, ...]
    dpo: str
    legal_basis: tuple[str, ...]
    subjects: tuple[str, ...]
    categories: tuple[str, ...]
    sources: tuple[str, ...]
    recipients: tuple[str, ...]
    transfers: tuple[str, ...]
    retention: tuple[str, ...]
    security: tuple[str, ...]
    systems: tuple[str, ...]

    def cells(self, separator: str = MULTI_VALUE_SEPARATOR) -> list[str]:
        """The row's values in column order, several values joined by `separator`."""
        return [v if isinstance(v, str) else separator.join(v) for v in astuple(self)]


def headers(lang: str = "en") -> list[str]:
    return [column.header(lang) for column in COLUMNS]


def ropa_rows(declaration: Declaration, lang: str = "en") -> list[RopaRow]:
    """One row per activity, in the declaration's order, worded in `lang` ("en" or "fr")."""
    d = declaration
    controller = _controller(d, lang)
    representatives = tuple(
        labelled(jurisdiction_name(code, lang), _contact(contact, lang), lang)
        for code, contact in d.organisation.representatives.items()
    )
    dpo = _contact(d.organisation.dpo, lang) if d.organisation.dpo else ""
    rows = []
    for key, activity in d.activities.items():
        recipients = [(rid, d.recipients[rid]) for rid in activity.recipients]
        rows.append(
            RopaRow(
                reference=key,
                activity=text(activity.name, lang),
                purpose=text(activity.description, lang) or text(activity.name, lang),
                controller=controller,
                joint_controllers=tuple(
                    _joined(text(r.name, lang), text(r.address, lang))
                    for _, r in recipients
                    if r.kind == "joint_controller"
                ),
                representatives=representatives,
                dpo=dpo,
                legal_basis=_legal_basis(d, activity, lang),
                subjects=tuple(_subject(d, sid, lang) for sid in activity.subjects),
                categories=tuple(_category(d, cid, lang) for cid in activity.categories),
                sources=tuple(_origin(d, oid, lang) for oid in activity.collected_from),
                recipients=tuple(_recipient(r, lang) for _, r in recipients),
                transfers=_transfers(d, [r for _, r in recipients], lang),
                retention=tuple(
                    labelled(
                        text(d.retention[rid].name, lang),
                        retention_words(d.retention[rid], lang),
                        lang,
                    )
                    for rid in activity.retention
                ),
                security=tuple(text(m, lang) for m in activity_security(d, activity)),
                systems=activity_systems(d, key),
            )
        )
    return rows


# Facts about an activity that the DPV export needs as well.


def category_name(declaration: Declaration, category: str, lang: str) -> str:
    declared = declaration.categories.get(category)
    if declared is not None:
        return text(declared.name, lang)
    builtin = builtin_categories().get(category)
    return builtin.name.get(lang, builtin.name["en"]) if builtin else category


def category_is_special(declaration: Declaration, category: str) -> bool:
    declared = declaration.categories.get(category)
    builtin = builtin_categories().get(category)
    return bool((declared and declared.special) or (builtin and builtin.special))


def activity_security(declaration: Declaration, activity: Activity) -> list[dict[str, str]]:
    """The activity's own measures, or the organisation-wide ones when it states none."""
    return list(activity.security or declaration.security)


def activity_systems(declaration: Declaration, activity: str) -> tuple[str, ...]:
    """`source.table` for every declared table that says it serves `activity`."""
    return tuple(
        f"{source_name}.{table_name}"
        for source_name, source in declaration.sources.items()
        for table_name, table in source.tables.items()
        if activity in table.activities
    )


def is_third_country(home: str, country: str) -> bool:
    """Whether sending data from `home` to `country` is a transfer Art. 30(1)(e) records.

    Inside the EEA data moves freely; the UK recognises the EEA states as adequate, so for a
    UK controller only countries outside the UK and the EEA count.
    """
    return not (country == home or country in EEA_COUNTRIES)


def adequacy_regime(home: str) -> str | None:
    """Whose adequacy decisions apply to the controller: "eu", "uk", or None elsewhere."""
    if home in EEA_COUNTRIES:
        return "eu"
    return "uk" if home == "GB" else None


def jurisdiction_name(code: str, lang: str) -> str:
    try:
        names = jurisdiction(code).name
    except UnknownJurisdiction:
        return code.upper()
    return names.get(lang, names["en"])


def country_name(code: str, lang: str) -> str:
    territories = Locale(lang if lang in ("en", "fr") else "en").territories
    return str(territories.get(code, code))


def is_gdpr(code: str) -> bool:
    try:
        return jurisdiction(code).regime in GDPR_REGIMES
    except UnknownJurisdiction:
        return False


# Cell builders.


def _joined(*parts: str | None) -> str:
    return ", ".join(part for part in parts if part)


def _contact(contact: Contact | None, lang: str) -> str:
    if contact is None:
        return ""
    address = text(contact.address, lang)
    return _joined(contact.name, address, contact.email, contact.phone, contact.web_form)


def _controller(d: Declaration, lang: str) -> tuple[str, ...]:
    org = d.organisation
    name = org.legal_name or org.name
    if org.legal_name and org.legal_name != org.name:
        name = f"{org.legal_name} ({org.name})"
    lines = (name, text(org.address, lang), org.email, org.phone)
    return tuple(line for line in lines if line)


def _legal_basis(d: Declaration, activity: Activity, lang: str) -> tuple[str, ...]:
    lines: list[str] = []
    groups: dict[tuple[str, ...], list[str]] = {}
    order = ["*", *d.organisation.jurisdictions]
    for code in sorted(activity.legal_basis, key=lambda c: order.index(c) if c in order else 99):
        groups.setdefault(tuple(activity.legal_basis[code]), []).append(code)
    for group, codes in groups.items():
        if codes == ["*"]:
            gdpr = any(is_gdpr(code) for code in d.organisation.jurisdictions)
        else:
            gdpr = any(is_gdpr(code) for code in codes)
        said = ", ".join(basis_with_article(b, lang, gdpr=gdpr) for b in group)
        where = ", ".join(jurisdiction_name(code, lang) for code in codes if code != "*")
        lines.append(labelled(where, said, lang) if where else said)
    used = {basis for bases in activity.legal_basis.values() for basis in bases}
    interests = text(activity.legitimate_interests, lang)
    if interests and "legitimate_interests" in used:
        pursued = "Intérêts poursuivis" if lang == "fr" else "Interests pursued"
        lines.append(labelled(pursued, interests, lang))
    obligation = text(activity.legal_obligation, lang)
    if obligation and "legal_obligation" in used:
        lines.append(labelled("Obligation", obligation, lang))
    return tuple(lines)


def _subject(d: Declaration, subject: str, lang: str) -> str:
    declared = d.subjects[subject]
    name = text(declared.name, lang)
    return f"{name} ({words(PHRASES, 'children', lang)})" if declared.children else name


def _category(d: Declaration, category: str, lang: str) -> str:
    name = category_name(d, category, lang)
    if category_is_special(d, category):
        return f"{name} ({words(PHRASES, 'special', lang)})"
    return name


def _origin(d: Declaration, origin: str, lang: str) -> str:
    if known("origin", origin):
        return capitalised(label("origin", origin, lang))
    return text(d.origins[origin].name, lang)


def _recipient(recipient: Recipient, lang: str) -> str:
    kind = label("recipient_kind", recipient.kind, lang)
    country = country_name(recipient.country, lang) if recipient.country else ""
    return f"{text(recipient.name, lang)} ({_joined(kind, country)})"


def _transfers(d: Declaration, recipients: Sequence[Recipient], lang: str) -> tuple[str, ...]:
    home = d.organisation.country
    lines = []
    for recipient in recipients:
        country = recipient.country
        if country is None or not is_third_country(home, country):
            continue
        where = f"{text(recipient.name, lang)} ({country_name(country, lang)})"
        lines.append(labelled(where, _safeguard(recipient, home, country, lang), lang))
    return tuple(lines) or (words(PHRASES, "no_transfer", lang),)


def _safeguard(recipient: Recipient, home: str, country: str, lang: str) -> str:
    if recipient.safeguards:
        return ", ".join(_safeguard_name(s, lang) for s in recipient.safeguards)
    regime = adequacy_regime(home)
    if regime is not None and country in ADEQUATE_COUNTRIES.get(regime, frozenset()):
        said = _safeguard_name("adequacy", lang)
        scope = ADEQUACY_SCOPE.get(country)
        # The scope note exists in English only; a French record shows it as written.
        only = words(PHRASES, "adequate_only", lang)
        return f"{said} ({only} {scope})" if scope else said
    return words(PHRASES, "no_safeguard", lang)


def _safeguard_name(safeguard: str, lang: str) -> str:
    return capitalised(label("safeguard", safeguard, lang))
