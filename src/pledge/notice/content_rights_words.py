"""What each right means, in one plain sentence the reader can act on."""

from __future__ import annotations

from pledge.notice.i18n import N_

# right id -> (its name, what it lets you do)
RIGHTS = {
    "access": (
        N_("Access"),
        N_(
            "Ask whether we hold information about you, and get a copy of it with details of how "
            "we use it."
        ),
    ),
    "rectification": (
        N_("Rectification"),
        N_(
            "Have inaccurate information about you corrected, and incomplete information completed."
        ),
    ),
    "erasure": (
        N_("Erasure"),
        N_(
            "Have your information deleted when we no longer need it, when you withdraw your "
            "consent or when you object, unless the law requires us to keep it."
        ),
    ),
    "restriction": (
        N_("Restriction"),
        N_(
            "Ask us to keep your information but stop using it, for example while we check "
            "whether it is accurate."
        ),
    ),
    "objection": (
        N_("Objection"),
        N_(
            "Object to our use of your information for our legitimate interests; if you object "
            "to direct marketing, we always stop."
        ),
    ),
    "portability": (
        N_("Portability"),
        N_(
            "Receive the information you gave us, when we use it on the basis of your consent or "
            "a contract, in a machine-readable format, or have us send it to another organisation."
        ),
    ),
    "withdraw_consent": (
        N_("Withdrawing consent"),
        N_(
            "Withdraw your consent at any time, as easily as you gave it; this does not affect "
            "what we did before."
        ),
    ),
    "complain": (
        N_("Complaint"),
        N_("Complain to a data protection authority, as described in “How to complain” below."),
    ),
    "automated_decision": (
        N_("Human review of automated decisions"),
        N_(
            "Not be subject to a decision made solely by automated means that significantly "
            "affects you, and have a person review such a decision."
        ),
    ),
    "correction": (
        N_("Correction"),
        N_("Challenge the accuracy or completeness of your information and have it amended."),
    ),
    "know": (
        N_("Right to know"),
        N_(
            "Ask what personal information we have collected about you, where it came from, why "
            "we use it and who we disclose it to, and get a copy of it."
        ),
    ),
    "delete": (
        N_("Right to delete"),
        N_(
            "Ask us to delete the personal information we collected from you, subject to the "
            "exceptions the law allows."
        ),
    ),
    "correct": (
        N_("Right to correct"),
        N_("Ask us to correct inaccurate personal information about you."),
    ),
    "opt_out_sale_share": (
        N_("Right to opt out of sale or sharing"),
        N_(
            "Tell us not to sell your personal information or share it for cross-context "
            "behavioural advertising."
        ),
    ),
    "limit_sensitive": (
        N_("Right to limit the use of sensitive personal information"),
        N_(
            "Ask us to use your sensitive personal information only as needed to provide the "
            "services you ask for."
        ),
    ),
    "non_discrimination": (
        N_("Right to non-discrimination"),
        N_(
            "We will not treat you differently, for example by charging more or offering a lower "
            "quality of service, because you used these rights."
        ),
    ),
    "shine_the_light": (
        N_("Shine the Light"),
        N_(
            "Once a year, ask which personal information we disclosed to third parties for their "
            "own direct marketing, and the names and addresses of those third parties."
        ),
    ),
    "minors_removal": (
        N_("Removal of content posted by minors"),
        N_("If you are under 18, ask us to remove content you posted publicly on our services."),
    ),
}
NO_VERIFICATION = ("opt_out_sale_share", "limit_sensitive")
