from __future__ import annotations

from dataclasses import dataclass

import pytest

from pledge.errors import PledgeError
from pledge.notice_versions import describe_changes, meaning_digest
from tests.notice_versions.demo import declaration, demo, demo_text, edit

Edit = tuple[str, str]


@dataclass(frozen=True)
class Case:
    edits: tuple[Edit, ...]
    en: list[str]
    fr: list[str]


NEWSLETTER_BASIS = "    legal_basis: consent\n    direct_marketing: true\n"
RECRUITMENT = (
    "  recruitment:\n    name: { en: Recruitment, fr: Recrutement }\n    subjects: [candidate]\n"
    "    categories: [identity.name, contact.email, contact.phone, professional.cv]\n"
    "    legal_basis: pre_contract\n    retention: [candidates]\n"
)
ADS = (
    "  ads:\n    name: { en: Showing you our ads elsewhere,"
    " fr: Vous montrer nos publicités ailleurs }\n"
    "    subjects: [visitor]\n    categories: [online.cookie_id]\n    legal_basis: consent\n"
)
MATOMO = (
    "  matomo:\n    name: Matomo Cloud\n    kind: processor\n    categories: [online.usage]\n"
    "    country: NZ\n"
)
GA = (
    "  _ga:\n    provider: Google\n    category: analytics\n    purpose: Counts visits\n"
    "    lifetime: 2 years\n"
)
PLAUSIBLE = (
    "  plausible:\n    name: Plausible Analytics\n    kind: processor\n"
    "    purpose: { en: Privacy-friendly audience measurement, fr: Mesure d'audience respectueuse"
    " de la vie privée }\n    categories: [online.usage, online.device]\n    country: EE\n"
)
NEWSLETTER_CATEGORIES = "    categories: [contact.email, preferences.marketing]\n"

CASES: dict[str, Case] = {
    "retention duration": Case(
        (("    duration: 3 years\n", "    duration: 2 years\n"),),
        ["Retention of Customer accounts: 3 years from last contact -> 2 years from last contact"],
        [
            "Conservation de « Comptes clients » : 3 ans à compter du dernier contact"
            " -> 2 ans à compter du dernier contact"
        ],
    ),
    "retention trigger": Case(
        (("    trigger: last_contact\n", "    trigger: account_closed\n"),),
        [
            "Retention of Customer accounts: 3 years from last contact"
            " -> 3 years from account closure"
        ],
        [
            "Conservation de « Comptes clients » : 3 ans à compter du dernier contact"
            " -> 3 ans à compter de la clôture du compte"
        ],
    ),
    "retention action": Case(
        (("    action: anonymise\n", "    action: delete\n"),),
        ["Retention of Audience measurement: at the end, anonymised -> deleted"],
        ["Conservation de « Mesure d'audience » : à l'échéance, anonymisées -> supprimées"],
    ),
    "retention at the moment of an event": Case(
        (("    trigger: consent_withdrawn\n", "    trigger: objection\n"),),
        ["Retention of Newsletter subscriptions: on consent withdrawal -> on an objection"],
        [
            "Conservation de « Abonnements à la lettre d'information » :"
            " dès le retrait du consentement -> dès l'opposition"
        ],
    ),
    "new retention rule": Case(
        (
            (
                "retention:\n  customer_account:",
                "retention:\n  prospects:\n    name: { en: Prospects, fr: Prospects }\n"
                "    duration: 3 years\n    trigger: last_contact\n  customer_account:",
            ),
        ),
        ["New retention rule: Prospects (3 years from last contact)"],
        ["Nouvelle règle de conservation : Prospects (3 ans à compter du dernier contact)"],
    ),
    "new purpose": Case(
        (("activities:\n", "activities:\n" + ADS),),
        ["New purpose: Showing you our ads elsewhere (consent)"],
        ["Nouvelle finalité : Vous montrer nos publicités ailleurs (consentement)"],
    ),
    "purpose removed": Case(
        ((RECRUITMENT, ""),),
        ["Purpose 'Recruitment' removed"],
        ["Finalité « Recrutement » supprimée"],
    ),
    "legal basis": Case(
        ((NEWSLETTER_BASIS, NEWSLETTER_BASIS.replace("consent", "legitimate_interests")),),
        ["Our newsletter: legal basis consent -> legitimate interests"],
        ["Notre lettre d'information : base légale consentement -> intérêts légitimes"],
    ),
    "legal basis per jurisdiction": Case(
        (
            (
                NEWSLETTER_BASIS,
                NEWSLETTER_BASIS.replace("consent", "{ uk: legitimate_interests, eu: consent }"),
            ),
        ),
        [
            "Our newsletter: legal basis consent"
            " -> United Kingdom: legitimate interests; European Union: consent"
        ],
        [
            "Notre lettre d'information : base légale consentement"
            " -> Royaume-Uni : intérêts légitimes; Union européenne : consentement"
        ],
    ),
    "categories of a purpose": Case(
        ((NEWSLETTER_CATEGORIES, "    categories: [contact.email, identity.name]\n"),),
        [
            "Our newsletter now collects: Name",
            "Our newsletter no longer collects: Marketing preferences",
        ],
        [
            "Notre lettre d'information : collecte désormais Nom et prénom",
            "Notre lettre d'information : ne collecte plus Préférences marketing",
        ],
    ),
    "people a purpose concerns": Case(
        (("    subjects: [newsletter_reader, customer]\n", "    subjects: [newsletter_reader]\n"),),
        ["Our newsletter no longer concerns: Customers"],
        ["Notre lettre d'information : ne concerne plus Clients"],
    ),
    "recipients of a purpose": Case(
        (
            (
                "    recipients: [accountants, hmrc]\n",
                "    recipients: [accountants, hmrc, stripe]\n",
            ),
        ),
        ["Accounting and tax: now shared with Stripe Payments Europe"],
        ["Comptabilité et fiscalité : données désormais communiquées à Stripe Payments Europe"],
    ),
    "ways to withdraw consent": Case(
        (
            (
                "    withdraw: [unsubscribe, account]\n",
                "    withdraw: [unsubscribe, account, privacy_email]\n",
            ),
        ),
        ["Our newsletter: consent can now be withdrawn through email (privacy@maplefinch.example)"],
        [
            "Notre lettre d'information : retrait du consentement désormais possible via"
            " e-mail (privacy@maplefinch.example)"
        ],
    ),
    "ways to object": Case(
        (("    opt_out: [privacy_email]\n", "    opt_out: [privacy_email, account]\n"),),
        ["Answering your questions: you can now object through Your account settings"],
        [
            "Répondre à vos questions : opposition désormais possible via"
            " Les paramètres de votre compte"
        ],
    ),
    "sale": Case(
        (("    direct_marketing: true\n", "    direct_marketing: true\n    sale: true\n"),),
        ["Our newsletter: personal information is now sold"],
        ["Notre lettre d'information : les informations personnelles sont désormais vendues"],
    ),
    "share": Case(
        (("    direct_marketing: true\n", "    direct_marketing: true\n    share: true\n"),),
        ["Our newsletter: personal information is now shared for cross-context advertising"],
        [
            "Notre lettre d'information : les informations personnelles sont désormais partagées"
            " à des fins de publicité ciblée"
        ],
    ),
    "new recipient": Case(
        (("recipients:\n  stripe:", "recipients:\n" + MATOMO + "  stripe:"),),
        ["New recipient: Matomo Cloud (processor, New Zealand)"],
        ["Nouveau destinataire : Matomo Cloud (sous-traitant, Nouvelle-Zélande)"],
    ),
    "recipient removed": Case(
        (("    recipients: [plausible]\n", ""), (PLAUSIBLE, "")),
        [
            "Measuring how our website is used: no longer shared with Plausible Analytics",
            "Recipient 'Plausible Analytics' removed",
        ],
        [
            "Mesure d'audience du site : données plus communiquées à Plausible Analytics",
            "Destinataire « Plausible Analytics » supprimé",
        ],
    ),
    "categories a recipient receives": Case(
        (
            (
                "    categories: [contact.email]\n    country: FR\n",
                "    categories: [contact.email, identity.name]\n    country: FR\n",
            ),
        ),
        ["Recipient Brevo now receives: Name"],
        ["Destinataire Brevo reçoit désormais : Nom et prénom"],
    ),
    "recipient country": Case(
        (("    country: FR\n", "    country: DE\n"),),
        ["Recipient Brevo: country France -> Germany"],
        ["Destinataire Brevo : pays France -> Allemagne"],
    ),
    "recipient kind": Case(
        (("    kind: advisers\n", "    kind: third_party\n"),),
        ["Recipient Our chartered accountants: type professional advisers -> third party"],
        [
            "Destinataire Notre cabinet d'expertise comptable :"
            " type conseils professionnels -> tiers"
        ],
    ),
    "transfer safeguards": Case(
        (("    country: EE\n", "    country: EE\n    safeguards: [scc]\n"),),
        ["Recipient Plausible Analytics: safeguards, added: standard contractual clauses"],
        ["Destinataire Plausible Analytics : garanties, ajout : clauses contractuelles types"],
    ),
    "recipient renamed": Case(
        (("  mailer:\n    name: Brevo\n", "  mailer:\n    name: Sendinblue\n"),),
        ["Recipient Brevo: now called 'Sendinblue'"],
        ["Destinataire Brevo : nouveau nom « Sendinblue »"],
    ),
    "storage countries": Case(
        (("storage: [GB, IE]", "storage: [GB, DE]"),),
        ["Data now stored in: Germany", "Data no longer stored in: Ireland"],
        [
            "Données désormais stockées aussi dans : Allemagne",
            "Données plus stockées dans : Irlande",
        ],
    ),
    "transfers allowed": Case(
        (("allowed: [home, eea, adequate]", "allowed: [home, eea, adequate, US]"),),
        ["Transfers now allowed to: United States"],
        ["Transferts désormais autorisés vers : États-Unis"],
    ),
    "new cookie": Case(
        (("cookies:\n", "cookies:\n" + GA),),
        ["New cookie: _ga (Google, analytics, 2 years)"],
        ["Nouveau cookie : _ga (Google, mesure d'audience, 2 ans)"],
    ),
    "cookie lifetime": Case(
        (("    lifetime: 13 months\n", "    lifetime: 2 years\n"),),
        ["Cookie plausible_id: lifetime 13 months -> 2 years"],
        ["Cookie plausible_id : durée de vie 13 mois -> 2 ans"],
    ),
    "cookie category": Case(
        (("    category: analytics\n", "    category: advertising\n"),),
        ["Cookie plausible_id: category analytics -> advertising"],
        ["Cookie plausible_id : catégorie mesure d'audience -> publicité"],
    ),
    "contact email": Case(
        (("  email: privacy@maplefinch.example\n", "  email: hello@maplefinch.example\n"),),
        ["Contact email: privacy@maplefinch.example -> hello@maplefinch.example"],
        ["E-mail de contact : privacy@maplefinch.example -> hello@maplefinch.example"],
    ),
    "data protection officer": Case(
        (("    email: dpo@maplefinch.example\n", "    email: dpo@finch.example\n"),),
        ["Data protection officer: email dpo@maplefinch.example -> dpo@finch.example"],
        [
            "Délégué à la protection des données : e-mail"
            " dpo@maplefinch.example -> dpo@finch.example"
        ],
    ),
    "representative": Case(
        (("      email: eu-rep@maplefinch.example\n", "      email: rep@finch.example\n"),),
        ["Representative (European Union): email eu-rep@maplefinch.example -> rep@finch.example"],
        ["Représentant (Union européenne) : e-mail eu-rep@maplefinch.example -> rep@finch.example"],
    ),
    "jurisdictions": Case(
        (("jurisdictions: [uk, eu, us-ca]", "jurisdictions: [uk, eu]"),),
        ["No longer applies in: California"],
        ["Ne s'applique plus en : Californie"],
    ),
    "new right with a deadline": Case(
        (("    know:\n", "    access:\n      deadline: 1 month\n    know:\n"),),
        ["New right: access (1 month)"],
        ["Nouveau droit : accès (1 mois)"],
    ),
    "channels of a right": Case(
        (
            (
                "    opt_out_sale_share:\n      channels: [privacy_center, toll_free]\n",
                "    opt_out_sale_share:\n      channels: [privacy_center]\n",
            ),
        ),
        [
            "Rights: requests for opting out of sale and sharing no longer accepted through"
            " toll-free number (+1 888 555 0142)"
        ],
        [
            "Droits (refus de la vente et du partage) : demandes plus acceptées via"
            " numéro gratuit (+1 888 555 0142)"
        ],
    ),
    "channels for every right": Case(
        (
            (
                "  channels: [privacy_center, privacy_email, postal]\n",
                "  channels: [privacy_center, privacy_email]\n",
            ),
        ),
        [
            "Rights: requests no longer accepted through post (Maple & Finch Ltd, Privacy,"
            " 12 Quayside Lane, Bristol BS1 4QA, United Kingdom)"
        ],
        [
            "Droits : demandes plus acceptées via courrier (Maple & Finch Ltd, Privacy,"
            " 12 Quayside Lane, Bristol BS1 4QA, United Kingdom)"
        ],
    ),
    "children": Case(
        (("minimum_age: 16", "minimum_age: 13"),),
        ["Children: minimum age 16 -> 13"],
        ["Enfants : âge minimum 16 -> 13"],
    ),
    "what happens when a child is found": Case(
        (("minimum_age: 16", "minimum_age: 16\n  on_discovery: parental_consent"),),
        [
            "Children: when a child is found changed from delete the child's data"
            " to ask for parental consent"
        ],
        [
            "Enfants : si un enfant est découvert passe de supprimer les données de l'enfant"
            " à demander le consentement parental"
        ],
    ),
    "global privacy control": Case(
        (("gpc: honour", "gpc: ignore"),),
        ["Browser signals: Global Privacy Control honoured -> ignored"],
        ["Signaux du navigateur : Global Privacy Control respecté -> ignoré"],
    ),
    "only the French text": Case(
        (
            (
                "fr: Notre lettre d'information }\n    description",
                "fr: Notre lettre mensuelle }\n    description",
            ),
        ),
        ["Our newsletter: name changed in the French text"],
        ["Notre lettre d'information : nouveau nom « Notre lettre mensuelle »"],
    ),
    "only the order of a list": Case(
        ((NEWSLETTER_CATEGORIES, "    categories: [preferences.marketing, contact.email]\n"),),
        ["Our newsletter: order of categories changed"],
        ["Notre lettre d'information : nouvel ordre pour catégories"],
    ),
    "fallback for a text field": Case(
        (
            (
                "purpose: { en: Sending the newsletter, fr: Envoi de la lettre d'information }",
                "purpose: { en: Sending our emails, fr: Envoi de nos e-mails }",
            ),
        ),
        ["Recipient Brevo: purpose changed from “Sending the newsletter” to “Sending our emails”"],
        [
            "Destinataire Brevo : finalité passe de « Envoi de la lettre d'information »"
            " à « Envoi de nos e-mails »"
        ],
    ),
    "fallback deep in a database mapping": Case(
        (('erase: "null" }\n          birth_date', "erase: mask }\n          birth_date"),),
        [
            "Database shop, table customers, column phone: erasure changed from"
            " empty the value to mask"
        ],
        [
            "Base de données shop, table customers, colonne phone : effacement passe de"
            " vider la valeur à masquer"
        ],
    ),
    "fallback for an empty field filled": Case(
        (
            (
                "california:\n  shine_the_light:\n",
                "california:\n  financial_incentives: None offered.\n  shine_the_light:\n",
            ),
        ),
        ["California: financial incentives changed from none to “None offered.”"],
        ["Californie : incitations financières passe de (aucun) à « None offered. »"],
    ),
    "security measures": Case(
        (
            (
                "  - { en: All traffic",
                "  - { en: Backups are encrypted., fr: Les sauvegardes sont chiffrées. }\n"
                "  - { en: All traffic",
            ),
        ),
        ["Security: measures, added: Backups are encrypted."],
        ["Sécurité : les mesures, ajout : Les sauvegardes sont chiffrées."],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_kind_of_change_is_phrased_in_english_and_french(name: str) -> None:
    case = CASES[name]
    old, new = demo(), demo(*case.edits)
    assert describe_changes(old, new, "en") == case.en
    assert describe_changes(old, new, "fr") == case.fr


@pytest.mark.parametrize("name", list(CASES))
def test_going_back_is_described_too(name: str) -> None:
    old, new = demo(), demo(*CASES[name].edits)
    # The database mapping is internal: described for admins, but not a new notice meaning.
    internal_only = old.model_copy(update={"sources": new.sources}) == new
    assert (meaning_digest(old) == meaning_digest(new)) is internal_only
    assert describe_changes(new, old, "en")
    assert describe_changes(new, old, "fr")


def test_several_changes_come_in_the_models_order_whatever_the_files_order() -> None:
    edits = (
        CASES["new cookie"].edits[0],
        CASES["recipient country"].edits[0],
        CASES["contact email"].edits[0],
        CASES["retention duration"].edits[0],
    )
    expected = [
        "Contact email: privacy@maplefinch.example -> hello@maplefinch.example",
        "Retention of Customer accounts: 3 years from last contact -> 2 years from last contact",
        "Recipient Brevo: country France -> Germany",
        "New cookie: _ga (Google, analytics, 2 years)",
    ]
    assert describe_changes(demo(), demo(*edits)) == expected
    # The same two meanings written with sections in another order say the same.
    text = edit(demo_text(), *edits)
    start, end = text.index("cookies:\n"), text.index("security:\n")
    moved = text[start:end] + text[:start] + text[end:]
    assert describe_changes(demo(), declaration(moved)) == expected


def test_the_same_meaning_has_no_changes() -> None:
    assert describe_changes(demo(), demo()) == []


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(PledgeError, match="cannot be described in 'de'"):
        describe_changes(demo(), demo(), "de")


def test_a_regional_language_tag_uses_its_language() -> None:
    edits = CASES["children"].edits
    assert describe_changes(demo(), demo(*edits), "fr-CA") == CASES["children"].fr
