"""The declaration as W3C Data Privacy Vocabulary (DPV 2.x) JSON-LD, for other tools to read.

The controller is a `dpv:DataController`; each activity a `dpv:Process` with its purpose,
legal bases (DPV concepts, plus the EU GDPR article where the GDPR applies), personal data
(dpv-pd concepts where one means the same), data subjects, sources, recipients, third-country
transfers (a nested cross-border transfer process with its safeguards), storage conditions and
security measures. What DPV has no term for is a `pledge:` concept in the company's own
namespace (its notice URL or website), labelled in the declaration's languages.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urldefrag

from pledge.declaration.durations import Duration
from pledge.declaration.jurisdictions import UnknownJurisdiction, jurisdiction
from pledge.declaration.model import Activity, Declaration, RetentionRule, text
from pledge.declaration.vocabulary import capitalised, label, period
from pledge.records import dpv_terms as terms
from pledge.records.ropa import (
    activity_security,
    activity_systems,
    category_is_special,
    category_name,
    country_name,
    is_third_country,
)
from pledge.records.wording import retention_words

Node = dict[str, Any]
Texts = dict[str, str]


def dpv_document(declaration: Declaration) -> Node:
    """A JSON-LD document (a dict ready for `json.dumps`) describing the declaration in DPV."""
    return _Export(declaration).document()


def dpv_json(declaration: Declaration) -> str:
    return json.dumps(dpv_document(declaration), indent=2, ensure_ascii=False) + "\n"


def _ref(iri: str) -> Node:
    return {"@id": iri}


def _namespace(declaration: Declaration) -> str:
    home = declaration.notice.url or declaration.organisation.website
    if home:
        return urldefrag(home).url + "#"
    slug = "".join(c if c.isalnum() else "-" for c in declaration.organisation.name.lower())
    return f"urn:pledge:{slug.strip('-')}:"


class _Export:
    def __init__(self, declaration: Declaration) -> None:
        self.d = declaration
        self.languages: list[str] = list(declaration.organisation.languages)
        codes = declaration.organisation.jurisdictions
        self.gdpr = any(_regime(code) == "gdpr" for code in codes)
        self.concepts: dict[str, Node] = {}  # pledge: concepts, made once, listed at the end

    def document(self) -> Node:
        d = self.d
        graph = [self._controller(), *self._people()]
        graph += [self._activity(key, activity) for key, activity in d.activities.items()]
        graph += [self._recipient(key) for key in d.recipients]
        graph += [self._retention(key, rule) for key, rule in d.retention.items()]
        graph += [
            self._measure(f"pledge:security/{n}", measure)
            for n, measure in enumerate(d.security, start=1)
        ]
        if d.transfers and d.transfers.storage:
            graph.append(self._storage_location(d.transfers.storage))
        graph += self.concepts.values()
        return {"@context": self._context(), "@graph": graph}

    def _context(self) -> Node:
        return {
            "dpv": terms.DPV,
            "pd": terms.PD,
            "eu-gdpr": terms.EU_GDPR,
            "loc": terms.LOC,
            "dct": terms.DCT,
            "rdf": terms.RDF,
            "rdfs": terms.RDFS,
            "xsd": "http://www.w3.org/2001/XMLSchema#",
            "pledge": _namespace(self.d),
        }

    # Literals: a text written once is language-neutral; a translated one is tagged.

    def _text(self, value: Texts | None) -> Any:
        if not value:
            return None
        if set(value) == {"*"}:
            return value["*"]
        return [{"@value": v, "@language": lang} for lang, v in value.items()]

    def _said(self, say: Any) -> Any:
        """The same sentence generated in each of the declaration's languages."""
        return self._text({lang: say(lang) for lang in self.languages})

    # The controller and the people around it.

    def _controller(self) -> Node:
        org = self.d.organisation
        node: Node = {
            "@id": "pledge:controller",
            "@type": "dpv:DataController",
            "dpv:hasName": org.legal_name or org.name,
            "rdfs:label": org.name,
            "dpv:hasAddress": self._text(org.address),
            "dpv:hasContact": [c for c in (org.email, org.phone, org.website) if c],
            "dpv:hasCountry": _ref(f"loc:{org.country}"),
            "dpv:hasJurisdiction": [_ref(_location(code)) for code in org.jurisdictions],
        }
        if org.dpo:
            node["dpv:hasDataProtectionOfficer"] = _ref("pledge:dpo")
        node["dpv:hasRepresentative"] = [
            _ref(f"pledge:representative/{code}") for code in org.representatives
        ]
        return _clean(node)

    def _people(self) -> list[Node]:
        org = self.d.organisation
        nodes = []
        if org.dpo:
            nodes.append(self._contact("pledge:dpo", "dpv:DataProtectionOfficer", org.dpo))
        for code, contact in org.representatives.items():
            node = self._contact(f"pledge:representative/{code}", "dpv:Representative", contact)
            node["dpv:hasJurisdiction"] = _ref(_location(code))
            nodes.append(node)
        for code, authority in org.authorities.items():
            node = {
                "@id": f"pledge:authority/{code}",
                "@type": "dpv:DataProtectionAuthority",
                "dpv:hasName": self._text(authority.name),
                "dpv:hasAddress": self._text(authority.address),
                "dpv:hasContact": [c for c in (authority.website, authority.email) if c],
                "dpv:isAuthorityFor": _ref(_location(code)),
            }
            nodes.append(_clean(node))
        return nodes

    def _contact(self, iri: str, kind: str, contact: Any) -> Node:
        node = {
            "@id": iri,
            "@type": kind,
            "dpv:hasName": contact.name,
            "dpv:hasAddress": self._text(contact.address),
            "dpv:hasContact": [c for c in (contact.email, contact.phone, contact.web_form) if c],
        }
        return _clean(node)

    # Activities.

    def _activity(self, key: str, activity: Activity) -> Node:
        d = self.d
        at = f"pledge:activity/{key}"
        recipients = [(rid, d.recipients[rid]) for rid in activity.recipients]
        transfers = [
            (rid, r.country, r.safeguards)
            for rid, r in recipients
            if r.country and is_third_country(d.organisation.country, r.country)
        ]
        storage = [_ref(f"pledge:retention/{rid}") for rid in activity.retention]
        if d.transfers and d.transfers.storage:
            storage.append(_ref("pledge:storage-location"))
        node: Node = {
            "@id": at,
            "@type": "dpv:Process",
            "dct:identifier": key,
            "dct:title": self._text(activity.name),
            "dct:description": self._text(activity.description),
            "dpv:hasDataController": _ref("pledge:controller"),
            "dpv:hasPurpose": self._purpose(at, activity),
            "dpv:hasLegalBasis": self._legal_bases(at, activity),
            "dpv:hasPersonalData": [
                ref for category in activity.categories for ref in self._personal_data(category)
            ],
            "dpv:hasDataSubject": [self._subject(s) for s in activity.subjects],
            "dpv:hasDataSource": [self._origin(o) for o in activity.collected_from],
            "dpv:hasRecipient": [_ref(f"pledge:recipient/{rid}") for rid, _ in recipients],
            "dpv:hasDataProcessor": [
                _ref(f"pledge:recipient/{rid}") for rid, r in recipients if r.kind == "processor"
            ],
            "dpv:hasRecipientThirdParty": [
                _ref(f"pledge:recipient/{rid}") for rid, r in recipients if r.kind == "third_party"
            ],
            "dpv:hasRecipientDataController": [
                _ref(f"pledge:recipient/{rid}")
                for rid, r in recipients
                if r.kind == "joint_controller"
            ],
            "dpv:hasThirdCountry": [_ref(f"loc:{country}") for _, country, _ in transfers],
            "dpv:hasProcess": [self._transfer(at, *transfer) for transfer in transfers],
            "dpv:hasStorageCondition": storage,
            "dpv:hasTechnicalOrganisationalMeasure": self._security(at, activity),
            "dpv:isImplementedUsingTechnology": [
                {"@id": f"pledge:system/{name}", "@type": "dpv:Technology", "rdfs:label": name}
                for name in activity_systems(d, key)
            ],
        }
        return _clean(node)

    def _purpose(self, at: str, activity: Activity) -> Node:
        kinds = ["dpv:Purpose"]
        if activity.direct_marketing:
            kinds.append("dpv:DirectMarketing")
        if any("legal_obligation" in bases for bases in activity.legal_basis.values()):
            kinds.append("dpv:LegalCompliance")
        node = {
            "@id": f"{at}/purpose",
            "@type": kinds,
            "dct:title": self._text(activity.name),
            "dct:description": self._text(activity.description),
        }
        return _clean(node)

    def _legal_bases(self, at: str, activity: Activity) -> list[Node]:
        found: list[str] = []
        for code, bases in activity.legal_basis.items():
            gdpr = self.gdpr if code == "*" else _regime(code) == "gdpr"
            for basis in bases:
                concept, article = terms.BASES[basis]
                found += [concept, article] if gdpr and article else [concept]
        values = [_ref(iri) for iri in dict.fromkeys(found)]
        explained = (
            ("legitimate_interests", activity.legitimate_interests, "dpv:LegitimateInterest"),
            ("legal_obligation", activity.legal_obligation, "dpv:LegalObligation"),
        )
        used = {basis for bases in activity.legal_basis.values() for basis in bases}
        for name, said, kind in explained:
            if said and name in used:
                iri = f"{at}/{name.replace('_', '-')}"
                values.append({"@id": iri, "@type": kind, "dct:description": self._text(said)})
        return values

    def _personal_data(self, category: str) -> list[Node]:
        mapped = terms.PERSONAL_DATA.get(category)
        if mapped:
            return [_ref(iri) for iri in mapped]
        iri = f"pledge:category/{category}"
        kinds = ["dpv:PersonalData"]
        if category_is_special(self.d, category):
            kinds.append("dpv:SpecialCategoryPersonalData")
        declared = self.d.categories.get(category)
        names = (
            declared.name
            if declared
            else {lang: category_name(self.d, category, lang) for lang in self.languages}
        )
        node = {"@id": iri, "@type": kinds, "rdfs:label": self._text(names)}
        self.concepts.setdefault(iri, node)
        return [_ref(iri)]

    def _subject(self, subject: str) -> Node:
        declared = self.d.subjects[subject]
        mapped = terms.subject_term(subject, text(declared.name, "en"))
        if mapped:
            return _ref(mapped)
        iri = f"pledge:subject/{subject}"
        node = {"@id": iri, "@type": "dpv:DataSubject", "rdfs:label": self._text(declared.name)}
        self.concepts.setdefault(iri, node)
        return _ref(iri)

    def _origin(self, origin: str) -> Node:
        if origin in terms.ORIGINS:
            return _ref(terms.ORIGINS[origin])
        iri = f"pledge:origin/{origin}"
        node = {
            "@id": iri,
            "@type": "dpv:ThirdPartyDataSource",
            "rdfs:label": self._text(self.d.origins[origin].name),
        }
        self.concepts.setdefault(iri, node)
        return _ref(iri)

    def _transfer(self, at: str, rid: str, country: str, safeguards: Sequence[str]) -> Node:
        bases, measures = [], []
        for safeguard in safeguards:
            basis, measure = terms.SAFEGUARDS.get(safeguard, ("", ""))
            if basis and self.gdpr:
                bases.append(_ref(basis))
            measures.append(_ref(measure or self._safeguard_concept(safeguard)))
        node = {
            "@id": f"{at}/transfer/{rid}",
            "@type": "dpv:Process",
            "dpv:hasProcessing": _ref("dpv:CrossBorderTransfer"),
            "dpv:hasDataExporter": _ref("pledge:controller"),
            "dpv:hasDataImporter": _ref(f"pledge:recipient/{rid}"),
            "dpv:hasThirdCountry": _ref(f"loc:{country}"),
            "dpv:hasLegalBasis": bases,
            "dpv:hasTechnicalOrganisationalMeasure": measures,
            "dct:description": self._said(lambda lang: country_name(country, lang)),
        }
        return _clean(node)

    def _safeguard_concept(self, safeguard: str) -> str:
        iri = f"pledge:safeguard/{safeguard}"
        names = {lang: capitalised(label("safeguard", safeguard, lang)) for lang in self.languages}
        node = {"@id": iri, "@type": "dpv:LegalMeasure", "rdfs:label": self._text(names)}
        self.concepts.setdefault(iri, node)
        return iri

    def _security(self, at: str, activity: Activity) -> list[Node]:
        if not activity.security:
            return [_ref(f"pledge:security/{n}") for n in range(1, len(self.d.security) + 1)]
        measures = activity_security(self.d, activity)
        return [self._measure(f"{at}/security/{n}", m) for n, m in enumerate(measures, 1)]

    def _measure(self, iri: str, measure: Texts) -> Node:
        return {
            "@id": iri,
            "@type": "dpv:TechnicalOrganisationalMeasure",
            "dct:description": self._text(measure),
        }

    # Shared nodes.

    def _recipient(self, key: str) -> Node:
        recipient = self.d.recipients[key]
        node = {
            "@id": f"pledge:recipient/{key}",
            "@type": terms.RECIPIENT_CLASSES[recipient.kind],
            "dpv:hasName": self._text(recipient.name),
            "dct:description": self._text(recipient.purpose),
            "dpv:hasAddress": self._text(recipient.address),
            "dpv:hasCountry": _ref(f"loc:{recipient.country}") if recipient.country else None,
        }
        return _clean(node)

    def _retention(self, key: str, rule: RetentionRule) -> Node:
        kinds = ["dpv:StorageDuration"]
        if rule.action == "delete":
            kinds.append("dpv:StorageDeletion")
        node: Node = {
            "@id": f"pledge:retention/{key}",
            "@type": kinds,
            "dct:title": self._text(rule.name),
            "dct:description": self._said(lambda lang: retention_words(rule, lang)),
            "dpv:hasDuration": self._duration(rule),
        }
        if rule.required_by:
            law = {"@type": "dpv:Law", "dct:title": self._text(rule.required_by)}
            node["dpv:hasApplicableLaw"] = law
        return _clean(node)

    def _duration(self, rule: RetentionRule) -> Node:
        duration, trigger = rule.duration, rule.trigger
        if duration is None:
            kind = "dpv:Duration"
        elif duration.amount == 0 and trigger:
            kind = "dpv:UntilEventDuration"
        else:
            kind = "dpv:TemporalDuration"
        node: Node = {
            "@type": kind,
            "dct:description": self._said(
                lambda lang: period(duration, trigger, lang) or text(rule.criteria, lang)
            ),
        }
        iso = _iso_duration(duration)
        if iso and kind == "dpv:TemporalDuration":
            node["rdf:value"] = {"@value": iso, "@type": "xsd:duration"}
        return _clean(node)

    def _storage_location(self, countries: list[str]) -> Node:
        return {
            "@id": "pledge:storage-location",
            "@type": "dpv:StorageLocation",
            "dpv:hasLocation": [_ref(f"loc:{country}") for country in countries],
        }


def _iso_duration(duration: Duration | None) -> str | None:
    # Business days have no ISO 8601 form; their words stay in the description.
    if duration is None or duration.unit not in terms.ISO_DURATION_UNITS:
        return None
    return f"P{duration.amount}{terms.ISO_DURATION_UNITS[duration.unit]}"


def _regime(code: str) -> str | None:
    try:
        return jurisdiction(code).regime
    except UnknownJurisdiction:
        return None


def _location(code: str) -> str:
    return terms.JURISDICTIONS.get(code, f"loc:{code.upper()}")


def _clean(node: Node) -> Node:
    """Drop keys without a value, so the document states nothing it does not know."""
    return {k: v for k, v in node.items() if v not in (None, "", [])}
