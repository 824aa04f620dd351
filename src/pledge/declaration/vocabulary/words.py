"""The English and French words for every code of every kind, as they read mid-sentence.

Words start in lower case unless they are a name ("UK International Data Transfer
Agreement"); `capitalised` makes a table cell or a list item of them. French noun phrases
for triggers carry their article ("le dernier contact"), so that "à compter de" and "dès"
can be put in front of them.
"""

from __future__ import annotations

from pledge.declaration.vocabulary.kinds import VocabularyKind

Words = tuple[str, str]  # (English, French)

WORDS: dict[VocabularyKind, dict[str, Words]] = {
    "basis": {
        "consent": ("consent", "consentement"),
        "contract": ("contract", "contrat"),
        "pre_contract": ("steps before entering into a contract", "mesures précontractuelles"),
        "legal_obligation": ("legal obligation", "obligation légale"),
        "vital_interests": ("vital interests", "intérêts vitaux"),
        "public_task": ("public task", "mission d'intérêt public"),
        "legitimate_interests": ("legitimate interests", "intérêts légitimes"),
        "express_consent": ("express consent", "consentement exprès"),
        "implied_consent": ("implied consent", "consentement implicite"),
    },
    # The event a retention period is counted from, as a noun phrase.
    "trigger": {
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
    },
    # What happens to the data at the end of the period ("données" is feminine plural).
    "retention_action": {
        "delete": ("deleted", "supprimées"),
        "anonymise": ("anonymised", "anonymisées"),
    },
    "recipient_kind": {
        "processor": ("processor", "sous-traitant"),
        "third_party": ("third party", "tiers"),
        "authority": ("authority", "autorité"),
        "joint_controller": ("joint controller", "responsable conjoint"),
        "staff": ("staff", "personnel"),
        "advisers": ("professional advisers", "conseils professionnels"),
    },
    "safeguard": {
        "adequacy": ("adequacy decision", "décision d'adéquation"),
        "scc": ("standard contractual clauses", "clauses contractuelles types"),
        "uk_idta": (
            "UK International Data Transfer Agreement (IDTA)",
            "accord britannique de transfert international de données (IDTA)",
        ),
        "uk_addendum": (
            "UK Addendum to the EU standard contractual clauses",
            "avenant britannique aux clauses contractuelles types de l'UE",
        ),
        "dpf": ("EU-US Data Privacy Framework", "cadre de protection des données UE-États-Unis"),
        "bcr": ("binding corporate rules", "règles d'entreprise contraignantes"),
        "consent": ("explicit consent (Art. 49(1)(a))", "consentement explicite (art. 49(1)(a))"),
        "derogation": (
            "derogation for a specific situation (Art. 49)",
            "dérogation pour une situation particulière (art. 49)",
        ),
    },
    "channel_kind": {
        "email": ("email", "e-mail"),
        "web_form": ("web form", "formulaire en ligne"),
        "postal": ("post", "courrier"),
        "phone": ("phone", "téléphone"),
        "toll_free": ("toll-free number", "numéro gratuit"),
        "account_settings": ("account settings", "paramètres du compte"),
        "unsubscribe_link": ("unsubscribe link", "lien de désinscription"),
        "privacy_center": ("privacy center", "espace vie privée"),
        "in_person": ("in person", "en personne"),
    },
    # What a request under the right is about: "requests for access", "New right: erasure".
    "right": {
        "access": ("access", "accès"),
        "rectification": ("rectification", "rectification"),
        "erasure": ("erasure", "effacement"),
        "restriction": ("restriction", "limitation"),
        "objection": ("objection", "opposition"),
        "portability": ("portability", "portabilité"),
        "withdraw_consent": ("withdrawing consent", "retrait du consentement"),
        "complain": ("complaints", "réclamation"),
        "automated_decision": ("automated decisions", "décisions automatisées"),
        "know": ("right to know", "droit de savoir"),
        "delete": ("deletion", "suppression"),
        "correct": ("correction", "correction"),
        "opt_out_sale_share": ("opting out of sale and sharing", "refus de la vente et du partage"),
        "limit_sensitive": (
            "limiting use of sensitive information",
            "limitation des données sensibles",
        ),
        "non_discrimination": ("non-discrimination", "non-discrimination"),
        "shine_the_light": ("Shine the Light", "Shine the Light"),
        "correction": ("correction", "correction"),
        "minors_removal": ("removal of minors' posts", "retrait des publications de mineurs"),
    },
    "cookie_category": {
        "strictly_necessary": ("strictly necessary", "strictement nécessaire"),
        "functional": ("functional", "fonctionnel"),
        "analytics": ("analytics", "mesure d'audience"),
        "advertising": ("advertising", "publicité"),
    },
    # How a person's data is erased from a table or a column.
    "erasure": {
        "delete_row": ("delete the row", "supprimer la ligne"),
        "columns": ("column by column", "colonne par colonne"),
        "null": ("empty the value", "vider la valeur"),
        "mask": ("mask", "masquer"),
        "hash": ("hash", "hacher"),
        "placeholder": ("replace with a placeholder", "remplacer par une valeur fictive"),
        "keep": ("keep", "conserver"),
    },
    "requirement": {
        "contractual": ("contractual", "contractuelle"),
        "statutory": ("statutory", "légale"),
        "contract_precondition": (
            "needed to enter a contract",
            "nécessaire pour conclure un contrat",
        ),
    },
    # What is done with a browser's Global Privacy Control or Do Not Track signal.
    "signal_response": {
        "honour": ("honoured", "respecté"),
        "ignore": ("ignored", "ignoré"),
    },
    # What is done when a child below the minimum age is found.
    "on_discovery": {
        "delete": ("delete the child's data", "supprimer les données de l'enfant"),
        "parental_consent": ("ask for parental consent", "demander le consentement parental"),
    },
    "verification_method": {
        "email_code": ("a code sent by email", "un code envoyé par e-mail"),
    },
    "role": {
        "controller": ("controller", "responsable du traitement"),
        "processor": ("processor", "sous-traitant"),
    },
    # How people are told that the notice changed.
    "change_notice": {
        "email": ("email", "e-mail"),
        "website": ("website", "site web"),
        "account": ("account", "compte"),
        "in_app": ("in the app", "dans l'application"),
    },
    "source_kind": {
        "sql": ("SQL database", "base de données SQL"),
    },
    # Where data comes from when the declaration names no origin of its own.
    "origin": {
        "subject": ("the data subject", "la personne concernée"),
        "automatic": (
            "collected automatically (cookies, logs, devices)",
            "collectées automatiquement (cookies, journaux, appareils)",
        ),
    },
    # Where transfers may go, besides countries named by their ISO code.
    "region": {
        "home": ("our home country", "notre pays"),
        "eea": ("the EEA", "l'EEE"),
        "uk": ("the UK", "le Royaume-Uni"),
        "adequate": ("countries with an adequacy decision", "les pays jugés adéquats"),
    },
}

# basis -> its point of GDPR Art. 6(1); bases the GDPR does not know have none.
GDPR_POINTS: dict[str, str] = {
    "consent": "a",
    "express_consent": "a",
    "contract": "b",
    "pre_contract": "b",
    "legal_obligation": "c",
    "vital_interests": "d",
    "public_task": "e",
    "legitimate_interests": "f",
}
