"""Names for the declaration's sections and fields, in English and French.

A field missing here reads as its key with spaces ("legal_name" -> "legal name").
"""

from __future__ import annotations

SECTIONS: dict[str, dict[str, str]] = {
    "en": {
        "pledge": "Format", "organisation": "Organisation", "transfers": "Transfers",
        "rights": "Rights", "children": "Children", "signals": "Browser signals",
        "california": "California", "security": "Security", "notice": "Notice",
    },
    "fr": {
        "pledge": "Format", "organisation": "Organisation", "transfers": "Transferts",
        "rights": "Droits", "children": "Enfants", "signals": "Signaux du navigateur",
        "california": "Californie", "security": "Sécurité", "notice": "Avis",
    },
}

# Fields the organisation section names on their own, as its contact details.
ORGANISATION: dict[str, dict[str, str]] = {
    "en": {
        "name": "Company name", "legal_name": "Legal name", "email": "Contact email",
        "phone": "Contact phone", "address": "Postal address", "website": "Website",
        "country": "Country", "dpo": "Data protection officer",
    },
    "fr": {
        "name": "Nom de l'entreprise", "legal_name": "Raison sociale",
        "email": "E-mail de contact", "phone": "Téléphone de contact",
        "address": "Adresse postale", "website": "Site web", "country": "Pays",
        "dpo": "Délégué à la protection des données",
    },
}

FIELDS: dict[str, dict[str, str]] = {
    "en": {
        "ccpa": "CCPA category", "kind": "type", "legal_basis": "legal basis",
        "collected_from": "sources",
        "legitimate_interests": "legitimate interests",
        "withdraw": "ways to withdraw consent", "opt_out": "ways to object",
        "retention": "retention rules", "sale": "sale", "share": "sharing",
        "automated_decisions": "automated decisions", "direct_marketing": "direct marketing",
        "ends_on_objection": "ends on objection", "required_by": "required by",
        "third_party_marketing": "their own marketing", "webhook_env": "webhook variable",
        "notify": "notification", "web_form": "web form", "processor_requests":
        "requests to us as a processor", "dpo": "data protection officer",
        "minimum_age": "minimum age", "age_from": "categories revealing age",
        "on_discovery": "when a child is found", "gpc": "Global Privacy Control",
        "dnt": "Do Not Track", "access_match": "details matched for access",
        "verification": "identity checks", "agents": "authorised agents",
        "approval": "approval before answering", "shine_the_light": "Shine the Light",
        "financial_incentives": "financial incentives",
        "notice_at_collection": "notice at collection", "first_party": "first party",
        "personal_data": "personal data", "url_env": "URL variable", "url": "address",
        "last_updated": "last updated", "maximum_retention": "longest retention",
        "changes": "changes to this notice", "extra_sections": "sections",
        "tables": "table", "columns": "column", "timestamps": "date column",
        "on": "joined on", "links": "links", "erase": "erasure", "offered": "right",
        "measure": "measures",
    },
    "fr": {
        "name": "nom", "legal_name": "raison sociale", "description": "description",
        "country": "pays", "address": "adresse", "email": "e-mail", "phone": "téléphone",
        "website": "site web", "registrations": "immatriculations", "registry": "registre",
        "number": "numéro", "dpo": "délégué à la protection des données",
        "representatives": "représentants", "jurisdictions": "juridictions",
        "authorities": "autorités", "languages": "langues", "roles": "rôles",
        "processor_requests": "demandes adressées en tant que sous-traitant",
        "ccpa": "catégorie CCPA", "special": "catégorie particulière", "sensitive": "sensible",
        "children": "enfants", "subjects": "personnes concernées", "categories": "catégories",
        "collected_from": "sources", "legal_basis": "base légale",
        "legitimate_interests": "intérêts légitimes", "legal_obligation": "obligation légale",
        "direct_marketing": "prospection", "withdraw": "moyens de retirer le consentement",
        "opt_out": "moyens de s'opposer", "recipients": "destinataires",
        "retention": "règles de conservation", "sale": "vente", "share": "partage",
        "automated_decisions": "décisions automatisées", "requirement": "obligation de fournir",
        "consequences": "conséquences", "security": "sécurité", "duration": "durée",
        "trigger": "point de départ", "criteria": "critères", "action": "action",
        "ends_on_objection": "fin en cas d'opposition", "required_by": "imposée par",
        "kind": "type", "purpose": "finalité", "safeguards": "garanties",
        "condition": "condition", "third_party_marketing": "leur propre prospection",
        "notify": "notification", "webhook_env": "variable du webhook", "storage": "stockage",
        "allowed": "autorisés", "statement": "déclaration", "note": "note",
        "channels": "canaux", "deadline": "délai", "verification": "vérification d'identité",
        "method": "méthode", "access_match": "éléments vérifiés pour l'accès",
        "agents": "mandataires", "proof": "preuve", "fee": "frais",
        "approval": "validation avant réponse", "minimum_age": "âge minimum",
        "age_from": "catégories révélant l'âge", "on_discovery": "si un enfant est découvert",
        "gpc": "Global Privacy Control", "dnt": "Do Not Track",
        "shine_the_light": "Shine the Light", "financial_incentives": "incitations financières",
        "notice_at_collection": "information lors de la collecte", "provider": "fournisseur",
        "lifetime": "durée de vie", "personal_data": "données personnelles",
        "first_party": "propriétaire", "url_env": "variable de l'URL", "tables": "table",
        "columns": "colonne", "links": "liens", "timestamps": "colonne de date",
        "erase": "effacement", "placeholder": "valeur de remplacement", "identity": "identité",
        "table": "table", "on": "jointure", "category": "catégorie", "shared": "partagée",
        "title": "titre",
        "url": "adresse", "introduction": "introduction", "last_updated": "dernière mise à jour",
        "maximum_retention": "conservation la plus longue", "changes": "modifications de l'avis",
        "extra_sections": "sections", "body": "texte", "subject": "personne concernée",
        "activities": "finalités", "web_form": "formulaire en ligne",
        "offered": "droit", "measure": "les mesures",
    },
}

# Little words: how nothing, yes and no, quotes and lists read.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "none": "none", "yes": "yes", "no": "no", "open": "“", "close": "”", "and": ", ",
        "colon": ": ",
        "legal_deadline": "the legal deadline", "no_period": "no fixed period",
        "everywhere": "everywhere", "session": "session",
    },
    "fr": {
        "none": "(aucun)", "yes": "oui", "no": "non", "open": "« ", "close": " »", "and": ", ",
        "colon": " : ",
        "legal_deadline": "le délai légal", "no_period": "sans durée fixe",
        "everywhere": "partout", "session": "session",
    },
}
