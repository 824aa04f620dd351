"""The DPV JSON-LD export, parsed as RDF with rdflib and queried triple by triple."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from pledge.records.dpv import dpv_document, dpv_json
from tests.records.demo import demo, variant, with_archive, with_us_analytics

DPV = Namespace("https://w3id.org/dpv#")
PD = Namespace("https://w3id.org/dpv/pd#")
GDPR = Namespace("https://w3id.org/dpv/legal/eu/gdpr#")
LOC = Namespace("https://w3id.org/dpv/loc#")
DCT = Namespace("http://purl.org/dc/terms/")
HOME = Namespace("https://maplefinch.example/privacy#")

# rdflib's own JSON-LD parser still builds a ConjunctiveGraph internally (rdflib 7.x); the
# warning is about rdflib's code, not ours, and the suite turns warnings into errors.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

# Terms copied from the DPV 2.0 release tables (w3c/dpv 2.0/dpv/modules/*.csv, 2.0/pd/pd.csv,
# 2.0/legal/eu/gdpr/modules/*.csv), not from Pledge's code: a misspelt term in the export
# fails here instead of silently meaning nothing.
DPV_TERMS = """
Authority Consent Contract CrossBorderTransfer Customer DataController DataProcessor
DataProtectionAuthority DataProtectionOfficer DataSubject DataSubjectDataSource
DirectMarketing Duration EnterIntoContract ExpressedConsent ImpliedConsent JobApplicant
Law LegalCompliance LegalMeasure LegalObligation LegitimateInterest Member Patient
PersonalData Process PublicInterest Purpose Recipient Representative
SpecialCategoryPersonalData StorageDeletion StorageDuration StorageLocation Student
Subscriber Technology TechnicalOrganisationalMeasure TemporalDuration ThirdParty
ThirdPartyDataSource UntilEventDuration User Visitor VitalInterest Employee Child
hasAddress hasApplicableLaw hasContact hasCountry hasDataController hasDataExporter
hasDataImporter hasDataProcessor hasDataProtectionOfficer hasDataSource hasDataSubject
hasDuration hasJurisdiction hasLegalBasis hasLocation hasName hasPersonalData hasProcess
hasProcessing hasPurpose hasRecipient hasRecipientDataController hasRecipientThirdParty
hasRepresentative hasStorageCondition hasTechnicalOrganisationalMeasure hasThirdCountry
isAuthorityFor isImplementedUsingTechnology
"""
PD_TERMS = """
Age Authenticating BankAccount Behavioral Biometric BirthDate CallLog Communication
Criminal DeviceBased Education EmailAddress EmailContent EthnicOrigin Family Gender
Genetic Health IPAddress Identifier Job Location Name Nationality OfficialID PaymentCard
PhilosophicalBelief PhysicalAddress Picture PoliticalOpinion PrivacyPreference
Professional Profile Purchase Race Religion ServiceConsumptionBehavior Sexual
SocialMedia SocialMediaCommunication TelephoneNumber TradeUnionMembership Transaction
UID VoiceCommunicationRecording
"""
GDPR_TERMS = """
A6-1-a A6-1-b A6-1-b-enter-into-contract A6-1-c A6-1-d A6-1-e A6-1-f A45-3 A46-2-b
A46-2-c A49-1-a BindingCorporateRules SCCByCommission
"""
KNOWN = {DPV: DPV_TERMS.split(), PD: PD_TERMS.split(), GDPR: GDPR_TERMS.split()}


def parse(document: dict[str, Any]) -> Graph:
    graph = Graph()
    graph.parse(data=json.dumps(document), format="json-ld")
    return graph


@pytest.fixture(scope="module")
def graph() -> Graph:
    return parse(dpv_document(demo()))


def activity(name: str) -> URIRef:
    return HOME[f"activity/{name}"]


def test_every_activity_is_a_process_of_the_controller(graph: Graph) -> None:
    activities = set(graph.subjects(DPV.hasDataController, HOME.controller))
    assert activities == {activity(key) for key in demo().activities}
    assert len(activities) == 7
    assert all((a, RDF.type, DPV.Process) in graph for a in activities)
    assert (activity("orders"), DCT.identifier, Literal("orders")) in graph
    assert (
        activity("orders"),
        DCT.title,
        Literal("Prise et livraison de vos commandes", lang="fr"),
    ) in graph


def test_the_controller_its_dpo_and_its_representative(graph: Graph) -> None:
    controller = HOME.controller
    assert (controller, RDF.type, DPV.DataController) in graph
    assert (controller, DPV.hasName, Literal("Maple & Finch Ltd")) in graph
    assert (controller, DPV.hasContact, Literal("privacy@maplefinch.example")) in graph
    assert (controller, DPV.hasCountry, LOC.GB) in graph
    assert (controller, DPV.hasJurisdiction, LOC.EU) in graph
    assert (controller, DPV.hasDataProtectionOfficer, HOME.dpo) in graph
    assert (HOME.dpo, RDF.type, DPV.DataProtectionOfficer) in graph
    assert (HOME.dpo, DPV.hasContact, Literal("dpo@maplefinch.example")) in graph
    representative = HOME["representative/eu"]
    assert (controller, DPV.hasRepresentative, representative) in graph
    assert (representative, DPV.hasName, Literal("Finch Representation SARL")) in graph
    assert (HOME["authority/eu"], RDF.type, DPV.DataProtectionAuthority) in graph


def test_legal_bases_are_dpv_concepts_with_their_gdpr_article(graph: Graph) -> None:
    bases = {a: set(graph.objects(activity(a), DPV.hasLegalBasis)) for a in demo().activities}
    assert {DPV.Consent, GDPR["A6-1-a"]} == bases["newsletter"]
    assert {DPV.Contract, GDPR["A6-1-b"]} == bases["orders"]
    assert {DPV.EnterIntoContract, GDPR["A6-1-b-enter-into-contract"]} == bases["recruitment"]
    assert {DPV.LegalObligation, GDPR["A6-1-c"]} <= bases["accounting"]
    explained = HOME["activity/accounting/legal-obligation"]
    assert explained in bases["accounting"]
    assert (explained, RDF.type, DPV.LegalObligation) in graph
    description = Literal(
        "UK company law and HMRC rules require us to keep accounting records for six years.",
        lang="en",
    )
    assert (explained, DCT.description, description) in graph
    assert {DPV.LegitimateInterest, GDPR["A6-1-f"]} <= bases["fraud"]


def test_without_the_eu_gdpr_no_eu_gdpr_article_is_claimed() -> None:
    def uk_only(data: dict[str, Any]) -> None:
        data["organisation"]["jurisdictions"] = ["uk"]
        del data["organisation"]["representatives"]
        del data["organisation"]["authorities"]

    graph = parse(dpv_document(variant(uk_only)))
    assert set(graph.objects(activity("newsletter"), DPV.hasLegalBasis)) == {DPV.Consent}


def test_personal_data_uses_dpv_pd_where_it_exists_and_pledge_concepts_elsewhere(
    graph: Graph,
) -> None:
    orders = set(graph.objects(activity("orders"), DPV.hasPersonalData))
    assert {PD.Name, PD.EmailAddress, PD.TelephoneNumber, PD.PhysicalAddress} <= orders
    assert {PD.PaymentCard, PD.Purchase, PD.BirthDate} <= orders
    assert set(graph.objects(activity("fraud"), DPV.hasPersonalData)) == {
        PD.IPAddress,
        PD.Transaction,
    }
    marketing = HOME["category/preferences.marketing"]
    assert marketing in set(graph.objects(activity("newsletter"), DPV.hasPersonalData))
    assert (marketing, RDF.type, DPV.PersonalData) in graph
    assert (marketing, RDFS.label, Literal("Préférences marketing", lang="fr")) in graph


def test_special_categories_map_to_special_concepts() -> None:
    def health(data: dict[str, Any]) -> None:
        data["categories"] = {"health.allergies": {"name": "Allergies", "special": True}}
        data["activities"]["orders"]["categories"] += ["special.health", "health.allergies"]

    graph = parse(dpv_document(variant(health)))
    orders = set(graph.objects(activity("orders"), DPV.hasPersonalData))
    allergies = HOME["category/health.allergies"]
    assert {PD.Health, allergies} <= orders
    assert (allergies, RDF.type, DPV.SpecialCategoryPersonalData) in graph
    assert (allergies, RDFS.label, Literal("Allergies")) in graph


def test_data_subjects_sources_and_recipients(graph: Graph) -> None:
    subjects = set(graph.objects(activity("newsletter"), DPV.hasDataSubject))
    assert subjects == {DPV.Subscriber, DPV.Customer}
    assert set(graph.objects(activity("recruitment"), DPV.hasDataSubject)) == {DPV.JobApplicant}
    assert set(graph.objects(activity("analytics"), DPV.hasDataSubject)) == {
        DPV.Visitor,
        DPV.Customer,
    }
    origins = set(graph.objects(activity("fraud"), DPV.hasDataSource))
    assert origins == {DPV.DataSubjectDataSource, HOME["origin/payment_provider"]}
    stripe = HOME["recipient/stripe"]
    assert (activity("orders"), DPV.hasRecipient, stripe) in graph
    assert (activity("orders"), DPV.hasDataProcessor, stripe) in graph
    assert (stripe, RDF.type, DPV.DataProcessor) in graph
    assert (stripe, DPV.hasName, Literal("Stripe Payments Europe")) in graph
    assert (stripe, DPV.hasCountry, LOC.IE) in graph
    couriers = HOME["recipient/couriers"]
    assert (couriers, RDF.type, DPV.ThirdParty) in graph
    assert (activity("orders"), DPV.hasRecipientThirdParty, couriers) in graph
    assert (HOME["recipient/hmrc"], RDF.type, DPV.Authority) in graph


def test_retention_is_a_storage_condition_with_a_duration(graph: Graph) -> None:
    invoices = HOME["retention/invoices"]
    assert (activity("accounting"), DPV.hasStorageCondition, invoices) in graph
    assert (invoices, RDF.type, DPV.StorageDuration) in graph
    assert (invoices, RDF.type, DPV.StorageDeletion) in graph
    duration = graph.value(invoices, DPV.hasDuration)
    assert (duration, RDF.type, DPV.TemporalDuration) in graph
    assert (duration, RDF.value, Literal("P6Y", datatype=XSD.duration)) in graph
    law = graph.value(invoices, DPV.hasApplicableLaw)
    assert (law, DCT.title, Literal("Companies Act 2006, s. 388", lang="en")) in graph
    sentence = "6 years from the date of issue, then deleted (Companies Act 2006, s. 388)"
    assert (invoices, DCT.description, Literal(sentence, lang="en")) in graph
    newsletter = graph.value(HOME["retention/newsletter"], DPV.hasDuration)
    assert (newsletter, RDF.type, DPV.UntilEventDuration) in graph
    location = HOME["storage-location"]
    assert (activity("orders"), DPV.hasStorageCondition, location) in graph
    assert set(graph.objects(location, DPV.hasLocation)) == {LOC.GB, LOC.IE}


def test_an_archive_is_said_in_the_retention_description() -> None:
    # DPV 2.0's storage conditions (duration, deletion, location, restoration) have no
    # archive phase: the words say it, and the duration stays the active period's.
    graph = parse(dpv_document(variant(with_archive)))
    accounts = HOME["retention/customer_account"]
    english = (
        "3 years from last contact, then archived (restricted access) for 2 years, then deleted"
    )
    french = (
        "3 ans à compter du dernier contact, puis archivées (accès restreint) pendant 2 ans, "
        "puis supprimées"
    )
    assert (accounts, DCT.description, Literal(english, lang="en")) in graph
    assert (accounts, DCT.description, Literal(french, lang="fr")) in graph
    duration = graph.value(accounts, DPV.hasDuration)
    assert (duration, RDF.value, Literal("P3Y", datatype=XSD.duration)) in graph


def test_security_measures_are_technical_and_organisational_measures(graph: Graph) -> None:
    measures = set(graph.objects(activity("orders"), DPV.hasTechnicalOrganisationalMeasure))
    assert measures == {HOME["security/1"], HOME["security/2"]}
    assert (HOME["security/1"], RDF.type, DPV.TechnicalOrganisationalMeasure) in graph
    text = Literal("All traffic is encrypted with TLS; data at rest is encrypted.", lang="en")
    assert (HOME["security/1"], DCT.description, text) in graph


def test_no_transfer_in_the_demo(graph: Graph) -> None:
    assert not set(graph.triples((None, DPV.hasThirdCountry, None)))


def test_a_transfer_outside_the_home_region_names_country_and_safeguards() -> None:
    graph = parse(dpv_document(variant(with_us_analytics)))
    analytics = activity("analytics")
    assert set(graph.objects(analytics, DPV.hasThirdCountry)) == {LOC.US, LOC.IN}
    transfer = HOME["activity/analytics/transfer/acme"]
    assert (analytics, DPV.hasProcess, transfer) in graph
    assert (transfer, DPV.hasProcessing, DPV.CrossBorderTransfer) in graph
    assert (transfer, DPV.hasDataImporter, HOME["recipient/acme"]) in graph
    assert (transfer, DPV.hasDataExporter, HOME.controller) in graph
    assert (transfer, DPV.hasThirdCountry, LOC.US) in graph
    assert (transfer, DPV.hasLegalBasis, GDPR["A46-2-c"]) in graph
    assert (transfer, DPV.hasTechnicalOrganisationalMeasure, GDPR.SCCByCommission) in graph
    bare = HOME["activity/analytics/transfer/bharat"]
    assert not set(graph.objects(bare, DPV.hasLegalBasis))


def test_every_vocabulary_term_used_exists_in_dpv() -> None:
    def everything(data: dict[str, Any]) -> None:
        with_us_analytics(data)
        data["recipients"]["bharat"]["safeguards"] = ["bcr", "uk_idta"]
        data["activities"]["support"]["categories"] += ["special.religion", "criminal.offences"]

    graph = parse(dpv_document(variant(everything)))
    used = {term for triple in graph for term in triple if isinstance(term, URIRef)}
    for namespace, names in KNOWN.items():
        unknown = {t for t in used if t.startswith(namespace)} - {namespace[n] for n in names}
        assert not unknown, f"not in DPV: {sorted(unknown)}"


def test_the_json_is_stable_and_declares_its_prefixes() -> None:
    declaration = demo()
    text = dpv_json(declaration)
    assert text == dpv_json(declaration)
    context = json.loads(text)["@context"]
    assert context["dpv"] == "https://w3id.org/dpv#"
    assert context["pd"] == "https://w3id.org/dpv/pd#"
    assert context["eu-gdpr"] == "https://w3id.org/dpv/legal/eu/gdpr#"
    assert context["pledge"] == "https://maplefinch.example/privacy#"


def test_without_a_website_the_namespace_is_a_urn() -> None:
    def no_site(data: dict[str, Any]) -> None:
        del data["notice"]["url"]
        del data["organisation"]["website"]

    document = dpv_document(variant(no_site))
    assert document["@context"]["pledge"] == "urn:pledge:maple---finch:"
    graph = parse(document)
    assert (URIRef("urn:pledge:maple---finch:controller"), RDF.type, DPV.DataController) in graph


def test_purposes_carry_the_activity_text_and_a_dpv_purpose_where_one_is_certain(
    graph: Graph,
) -> None:
    newsletter = graph.value(activity("newsletter"), DPV.hasPurpose)
    assert (newsletter, RDF.type, DPV.Purpose) in graph
    assert (newsletter, RDF.type, DPV.DirectMarketing) in graph
    assert (newsletter, DCT.title, Literal("Our newsletter", lang="en")) in graph
    accounting = graph.value(activity("accounting"), DPV.hasPurpose)
    assert (accounting, RDF.type, DPV.LegalCompliance) in graph
    orders = graph.value(activity("orders"), DPV.hasPurpose)
    assert set(graph.objects(orders, RDF.type)) == {DPV.Purpose}
