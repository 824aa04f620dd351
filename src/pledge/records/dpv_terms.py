"""Which W3C Data Privacy Vocabulary (DPV 2.x) term stands for each declaration value.

Every term below was checked against the DPV 2.0 release files (w3c/dpv, 2.0/dpv/modules,
2.0/pd, 2.0/legal/eu/gdpr, 2.0/loc). Where DPV has no term that means the same thing, the
value is left out of these tables and the export names it with a `pledge:` concept instead;
a close-but-different DPV term would state something the declaration does not.
"""

from __future__ import annotations

import re

DPV = "https://w3id.org/dpv#"
PD = "https://w3id.org/dpv/pd#"
EU_GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"
LOC = "https://w3id.org/dpv/loc#"
DCT = "http://purl.org/dc/terms/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

# basis -> (DPV legal basis, EU GDPR article concept or "" when the GDPR has none)
BASES: dict[str, tuple[str, str]] = {
    "consent": ("dpv:Consent", "eu-gdpr:A6-1-a"),
    "express_consent": ("dpv:ExpressedConsent", "eu-gdpr:A6-1-a"),
    "implied_consent": ("dpv:ImpliedConsent", ""),
    "contract": ("dpv:Contract", "eu-gdpr:A6-1-b"),
    "pre_contract": ("dpv:EnterIntoContract", "eu-gdpr:A6-1-b-enter-into-contract"),
    "legal_obligation": ("dpv:LegalObligation", "eu-gdpr:A6-1-c"),
    "vital_interests": ("dpv:VitalInterest", "eu-gdpr:A6-1-d"),
    # DPV has no "public task": Art. 6(1)(e) is public interest or official authority.
    "public_task": ("dpv:PublicInterest", "eu-gdpr:A6-1-e"),
    "legitimate_interests": ("dpv:LegitimateInterest", "eu-gdpr:A6-1-f"),
}

# Built-in taxonomy id -> dpv-pd concepts. Unlisted ids (invoices, loyalty, marketing
# preferences, ...) have no PD equivalent.
PERSONAL_DATA: dict[str, tuple[str, ...]] = {
    "identity.name": ("pd:Name",),
    "identity.date_of_birth": ("pd:BirthDate",),
    "identity.government_id": ("pd:OfficialID",),
    "identity.gender": ("pd:Gender",),
    "identity.nationality": ("pd:Nationality",),
    "identity.identifier": ("pd:UID",),
    "contact.email": ("pd:EmailAddress",),
    "contact.phone": ("pd:TelephoneNumber",),
    "contact.postal_address": ("pd:PhysicalAddress",),
    "financial.payment_card": ("pd:PaymentCard",),
    "financial.bank_account": ("pd:BankAccount",),
    "financial.transaction": ("pd:Transaction",),
    "commercial.purchase_history": ("pd:Purchase",),
    "account.credentials": ("pd:Authenticating",),
    "preferences.privacy": ("pd:PrivacyPreference",),
    "online.ip_address": ("pd:IPAddress",),
    "online.device": ("pd:DeviceBased",),
    "online.usage": ("pd:ServiceConsumptionBehavior",),
    "online.cookie_id": ("pd:Identifier",),
    "online.social_profile": ("pd:SocialMedia",),
    "location.precise": ("pd:Location",),
    "location.approximate": ("pd:Location",),
    "communications.email": ("pd:EmailContent",),
    "communications.chat": ("pd:Communication",),
    "communications.call_recording": ("pd:VoiceCommunicationRecording",),
    "communications.call_record": ("pd:CallLog",),
    "communications.letter": ("pd:Communication",),
    "communications.social_media": ("pd:SocialMediaCommunication",),
    "communications.sms_fax": ("pd:Communication",),
    "communications.support_ticket": ("pd:Communication",),
    "professional.cv": ("pd:Professional",),
    "professional.employment": ("pd:Job",),
    "professional.situation": ("pd:Professional",),
    "education.history": ("pd:Education",),
    "audiovisual.cctv": ("pd:Picture",),
    "audiovisual.photo": ("pd:Picture",),
    "personal_life.family": ("pd:Family",),
    "personal_life.habits": ("pd:Behavioral",),
    "inference.profile": ("pd:Profile",),
    "special.health": ("pd:Health",),
    "special.biometric": ("pd:Biometric",),
    "special.ethnic_origin": ("pd:EthnicOrigin", "pd:Race"),
    "special.political": ("pd:PoliticalOpinion",),
    "special.religion": ("pd:Religion", "pd:PhilosophicalBelief"),
    "special.trade_union": ("pd:TradeUnionMembership",),
    "special.sex_life": ("pd:Sexual",),
    "special.genetic": ("pd:Genetic",),
    "criminal.offences": ("pd:Criminal",),
    "children.age": ("pd:Age",),
}

# A word in a subject's id or English name -> DPV data subject. Prospects, suppliers and
# others have no DPV class and get a pledge: concept.
SUBJECT_WORDS: dict[str, str] = {
    "customer": "dpv:Customer",
    "client": "dpv:Customer",
    "buyer": "dpv:Customer",
    "candidate": "dpv:JobApplicant",
    "applicant": "dpv:JobApplicant",
    "visitor": "dpv:Visitor",
    "subscriber": "dpv:Subscriber",
    "newsletter": "dpv:Subscriber",
    "employee": "dpv:Employee",
    "staff": "dpv:Employee",
    "patient": "dpv:Patient",
    "student": "dpv:Student",
    "member": "dpv:Member",
    "user": "dpv:User",
    "child": "dpv:Child",
    "children": "dpv:Child",
}

RECIPIENT_CLASSES: dict[str, str] = {
    "processor": "dpv:DataProcessor",
    "third_party": "dpv:ThirdParty",
    "authority": "dpv:Authority",
    "joint_controller": "dpv:DataController",
    "staff": "dpv:Recipient",
    "advisers": "dpv:Recipient",
}

# Transfer safeguard -> (GDPR transfer legal basis, DPV measure); "" where none exists.
SAFEGUARDS: dict[str, tuple[str, str]] = {
    "adequacy": ("eu-gdpr:A45-3", ""),
    "scc": ("eu-gdpr:A46-2-c", "eu-gdpr:SCCByCommission"),
    "bcr": ("eu-gdpr:A46-2-b", "eu-gdpr:BindingCorporateRules"),
    "dpf": ("eu-gdpr:A45-3", ""),
    "consent": ("eu-gdpr:A49-1-a", ""),
    "uk_idta": ("", ""),
    "uk_addendum": ("", ""),
    "derogation": ("", ""),
}

ORIGINS: dict[str, str] = {
    "subject": "dpv:DataSubjectDataSource",
    "automatic": "dpv:DataSubjectDataSource",
}

# Jurisdiction code -> DPV location concept (LOC uses ISO 3166 codes and EU/EEA unions).
JURISDICTIONS: dict[str, str] = {
    "uk": "loc:GB",
    "eu": "loc:EU",
    "fr": "loc:FR",
    "us-ca": "loc:US-CA",
    "ca": "loc:CA",
    "ch": "loc:CH",
}

ISO_DURATION_UNITS = {"day": "D", "week": "W", "month": "M", "year": "Y"}


def subject_term(subject_id: str, english_name: str) -> str | None:
    """The DPV data subject class a subject's id or name names, if one fits."""
    for word in re.split(r"[^a-z]+", f"{subject_id} {english_name}".lower()):
        for candidate in (word, word.removesuffix("s")):
            if candidate in SUBJECT_WORDS:
                return SUBJECT_WORDS[candidate]
    return None
