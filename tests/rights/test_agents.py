"""A request made by an authorised agent: no code to the person, a proof staff review, and
every mail to the agent."""

from __future__ import annotations

import pytest

from pledge.demo.people import JANE_EMAIL
from pledge.rights.verification import CodeRefused
from pledge.rights.workflow import (
    attach_agent_proof,
    resend_code,
    review_agent_proof,
    submit_request,
)
from tests.rights.demo import demo
from tests.rights.pipeline import Company, company

__all__ = ["company"]

AGENT = "agent@rights-helpers.example"
PDF = b"%PDF-1.4 signed permission of Jane Doe"


def file_as_agent(company: Company) -> str:
    with company.store.session(write=True) as session:
        ref = submit_request(
            session,
            demo(),
            type="know",
            email=JANE_EMAIL,
            jurisdiction="us-ca",
            agent_name="Rights Helpers LLC",
            agent_email=AGENT,
            # The second check of a copy applies whoever asks for it.
            identity={"contact.postal_address": "BS1 6DG"},
            now=company.clock(),
        ).id
        attach_agent_proof(
            session,
            ref,
            filename="permission.pdf",
            content_type="application/pdf",
            content=PDF,
            key=company.services.keys.package,
            now=company.clock(),
        )
    return ref


def test_an_accepted_proof_runs_the_request_and_the_agent_gets_the_answer(
    company: Company,
) -> None:
    ref = file_as_agent(company)
    company.run_jobs()
    assert company.request(ref).state == "identity_pending"
    assert company.mails_to(JANE_EMAIL) == []  # no code: the proof stands for identity
    assert len(company.mails_to(AGENT)) == 1  # the acknowledgement
    with company.store.session(write=True) as session:
        review_agent_proof(session, ref, accepted=True, actor="staff:ann", now=company.clock())
    company.run_jobs()
    assert company.request(ref).state == "completed"
    assert len(company.mails_to(AGENT)) == 2  # and the copy is ready
    assert company.mails_to(JANE_EMAIL) == []


def test_a_refused_proof_denies_the_request_with_the_reason(company: Company) -> None:
    ref = file_as_agent(company)
    company.run_jobs()
    with company.store.session(write=True) as session:
        review_agent_proof(
            session,
            ref,
            accepted=False,
            actor="staff:ann",
            reason="the permission is not signed",
            now=company.clock(),
        )
    company.run_jobs()
    row = company.request(ref)
    assert row.state == "denied"
    assert row.outcome is not None and "not signed" in row.outcome
    assert len(company.mails_to(AGENT)) == 2


def test_no_code_is_mailed_to_an_agent_however_the_request_was_filed(company: Company) -> None:
    with_proof = file_as_agent(company)
    with company.store.session(write=True) as session:
        # As the API files it: an agent named, no proof to review.
        without = submit_request(
            session,
            demo(),
            type="delete",
            email=JANE_EMAIL,
            jurisdiction="us-ca",
            agent_name="Rights Helpers LLC",
            agent_email=AGENT,
            now=company.clock(),
        ).id
    company.run_jobs()
    for ref in (with_proof, without):
        with pytest.raises(CodeRefused), company.store.session(write=True) as session:
            resend_code(session, company.services, ref, now=company.clock())
        assert company.request(ref).state == "identity_pending"
    assert len(company.mails_to(AGENT)) == 2  # the two acknowledgements, and no code
    assert company.mails_to(JANE_EMAIL) == []
