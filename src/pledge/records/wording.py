"""Plain words, in English and French, for the coded values of a declaration.

The record of processing is read by people (a DPO, an auditor, a supervisory authority), so
every code in the declaration (`legal_obligation`, `last_contact`, `scc`) is written out in
words here, once, for both languages.
"""

from __future__ import annotations

from pledge.declaration.durations import Duration
from pledge.declaration.model import RetentionRule, text

# basis -> (English, French, GDPR Art. 6(1) point or "" when the GDPR has no such basis)
BASES: dict[str, tuple[str, str, str]] = {
    "consent": ("Consent", "Consentement", "a"),
    "express_consent": ("Express consent", "Consentement exprès", "a"),
    "implied_consent": ("Implied consent", "Consentement tacite", ""),
    "contract": ("Contract", "Contrat", "b"),
    "pre_contract": (
        "Steps before entering into a contract",
        "Mesures précontractuelles",
        "b",
    ),
    "legal_obligation": ("Legal obligation", "Obligation légale", "c"),
    "vital_interests": ("Vital interests", "Intérêts vitaux", "d"),
    "public_task": ("Public task", "Mission d'intérêt public", "e"),
    "legitimate_interests": ("Legitimate interests", "Intérêts légitimes", "f"),
}

# trigger -> (English "from ..." phrase, French noun phrase with its article)
TRIGGERS: dict[str, tuple[str, str]] = {
    "collected": ("collection", "la collecte"),
    "last_contact": ("last contact", "le dernier contact"),
    "application": ("the application", "la candidature"),
    "recorded": ("recording", "l'enregistrement"),
    "issued": ("the date of issue", "la date d'émission"),
    "contract_end": ("the end of the contract", "la fin du contrat"),
    "relationship_end": ("the end of the relationship", "la fin de la relation"),
    "account_closed": ("account closure", "la clôture du compte"),
    "request_resolved": ("resolution of the request", "la clôture de la demande"),
    "consent_withdrawn": ("consent withdrawal", "le retrait du consentement"),
    "objection": ("an objection", "l'opposition"),
}

ACTIONS: dict[str, tuple[str, str]] = {
    "delete": ("deleted", "supprimées"),
    "anonymise": ("anonymised", "anonymisées"),
}

RECIPIENT_KINDS: dict[str, tuple[str, str]] = {
    "processor": ("processor", "sous-traitant"),
    "third_party": ("third party", "tiers"),
    "authority": ("authority", "autorité"),
    "joint_controller": ("joint controller", "responsable conjoint"),
    "staff": ("staff", "personnel"),
    "advisers": ("professional advisers", "conseils professionnels"),
}

SAFEGUARDS: dict[str, tuple[str, str]] = {
    "adequacy": ("Adequacy decision", "Décision d'adéquation"),
    "scc": ("Standard contractual clauses", "Clauses contractuelles types"),
    "uk_idta": (
        "UK International Data Transfer Agreement (IDTA)",
        "Accord britannique de transfert international de données (IDTA)",
    ),
    "uk_addendum": (
        "UK Addendum to the EU standard contractual clauses",
        "Avenant britannique aux clauses contractuelles types de l'UE",
    ),
    "dpf": ("EU-US Data Privacy Framework", "Cadre de protection des données UE-États-Unis"),
    "bcr": ("Binding corporate rules", "Règles d'entreprise contraignantes"),
    "consent": ("Explicit consent (Art. 49(1)(a))", "Consentement explicite (art. 49(1)(a))"),
    "derogation": ("Derogation for a specific situation (Art. 49)", "Dérogation (art. 49)"),
}

BUILTIN_ORIGINS: dict[str, tuple[str, str]] = {
    "subject": ("The data subject", "La personne concernée"),
    "automatic": (
        "Collected automatically (cookies, logs, devices)",
        "Collectées automatiquement (cookies, journaux, appareils)",
    ),
}

PHRASES: dict[str, tuple[str, str]] = {
    "special": ("special category", "catégorie particulière"),
    "children": ("may include children", "peut inclure des enfants"),
    "no_transfer": ("None", "Aucun"),
    "no_safeguard": ("no safeguard declared", "aucune garantie déclarée"),
    "adequate_only": ("only for", "uniquement pour"),
    "ends_on_objection": ("ends early on objection", "prend fin en cas d'opposition"),
    "required_by": ("required by", "exigé par"),
    "then": ("then", "puis"),
}


def words(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    """The English or French words for `key`; the key itself if the table lacks it."""
    pair = table.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "fr" else pair[0]


def label(name: str, value: str, lang: str) -> str:
    """`name: value`; French typography puts a space before the colon."""
    return f"{name} : {value}" if lang == "fr" else f"{name}: {value}"


def basis_words(basis: str, lang: str, *, gdpr: bool) -> str:
    """`Contract (Art. 6(1)(b))`: the basis in words, with its GDPR article when one applies."""
    english, french, point = BASES[basis]
    name = french if lang == "fr" else english
    if gdpr and point:
        article = "art." if lang == "fr" else "Art."
        return f"{name} ({article} 6(1)({point}))"
    return name


def _from(phrase_fr: str) -> str:
    # "à compter de" + article: de le -> du; de la / de l' stay.
    if phrase_fr.startswith("le "):
        return "à compter du " + phrase_fr[3:]
    return "à compter de " + phrase_fr


def trigger_words(trigger: str, lang: str) -> str:
    """The event a retention period is counted from: "from last contact"."""
    english, french = TRIGGERS[trigger]
    return _from(french) if lang == "fr" else f"from {english}"


def period_words(duration: Duration | None, trigger: str | None, lang: str) -> str:
    """How long, counted from what: "3 years from last contact", "on consent withdrawal"."""
    if duration is not None and duration.amount == 0 and trigger is not None:
        english, french = TRIGGERS[trigger]
        return f"dès {french}" if lang == "fr" else f"on {english}"
    parts = []
    if duration is not None:
        parts.append(duration.describe(lang))
    if trigger is not None:
        parts.append(trigger_words(trigger, lang))
    return " ".join(parts)


def retention_words(rule: RetentionRule, lang: str) -> str:
    """A rule in one sentence: "6 years from the date of issue, then deleted (Companies Act...)"."""
    period = period_words(rule.duration, rule.trigger, lang)
    criteria = text(rule.criteria, lang)
    if not period:
        period = criteria
    elif criteria:
        period = f"{period} ({criteria})"
    action = words(ACTIONS, rule.action, lang)
    if not period or (rule.duration is not None and rule.duration.amount == 0):
        sentence = f"{action} {period}".strip()
    else:
        sentence = f"{period}, {words(PHRASES, 'then', lang)} {action}"
    if rule.ends_on_objection and rule.trigger != "objection":
        semicolon = " ; " if lang == "fr" else "; "
        sentence += semicolon + words(PHRASES, "ends_on_objection", lang)
    required_by = text(rule.required_by, lang)
    if required_by:
        sentence += f" ({required_by})"
    return sentence
