"""The privacy center's own sentences, in English and French.

A small table rather than a gettext catalogue: these pages have a few dozen sentences, all
here, and a test checks that every one has both languages. Names the notice already gives
(rights, categories, places) come from the notice's catalogue and the taxonomy, so the
center and the notice call a thing by the same name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

LANGUAGES = ("en", "fr")
# Each language named in itself, for the link that switches to it.
LANGUAGE_NAMES = MappingProxyType({"en": "English", "fr": "Français"})

_TWO_PART_PUNCTUATION = re.compile(r" ([?:;!])")


def _french_spacing(table: Mapping[str, tuple[str, str]]) -> MappingProxyType[str, tuple[str, str]]:
    """French sets a no-break space before ? : ; and !, so they never start a line."""
    return MappingProxyType(
        {
            key: (english, _TWO_PART_PUNCTUATION.sub("\u00a0\\1", french))
            for key, (english, french) in table.items()
        }
    )


# key -> (English, French); `{name}` fields are filled in with str.format.
TEXTS: MappingProxyType[str, tuple[str, str]] = _french_spacing(
    {
        "title": ("Your privacy requests", "Vos demandes sur vos données"),
        "intro": (
            "Ask {company} what it holds about you, or to correct, erase or stop using it. "
            "It is free, and we answer within the time the law gives us.",
            "Demandez à {company} ce qu'elle détient sur vous, ou de le corriger, de l'effacer "
            "ou de cesser de l'utiliser. C'est gratuit, et nous répondons dans le délai que la "
            "loi nous donne.",
        ),
        "notice_link": ("Read our privacy notice", "Lire notre politique de confidentialité"),
        "step_where": ("Where do you live?", "Où vivez-vous ?"),
        "where_help": (
            "The law of the place where you live decides which requests you can make and how "
            "long we have to answer.",
            "La loi du lieu où vous vivez détermine les demandes que vous pouvez faire et le "
            "délai dont nous disposons pour répondre.",
        ),
        "you_live_in": ("You live in: {place}", "Vous vivez ici : {place}"),
        "step_what": ("What would you like to ask?", "Que souhaitez-vous demander ?"),
        "you_ask": ("Your request: {kind}", "Votre demande : {kind}"),
        "change": ("Change", "Modifier"),
        "step_details": ("Your details", "Vos coordonnées"),
        "email_label": ("Your email address", "Votre adresse e-mail"),
        "email_help": (
            "We send a one-time code to this address to check that it is yours, and we answer "
            "there.",
            "Nous envoyons un code à usage unique à cette adresse pour vérifier qu'elle est "
            "bien la vôtre, et nous y répondons.",
        ),
        "email_help_no_code": (
            "We answer at this address.",
            "Nous répondons à cette adresse.",
        ),
        "second_check": ("A second check", "Une seconde vérification"),
        "second_check_help": (
            "For a copy of your data we also ask for a detail we hold about you, and check that "
            "it matches.",
            "Pour une copie de vos données, nous demandons aussi une information que nous "
            "détenons sur vous, et vérifions qu'elle correspond.",
        ),
        "corrections": ("What should we correct?", "Que devons-nous corriger ?"),
        "corrections_help": (
            "Choose what is wrong and type the right value. Leave the rows you do not need empty.",
            "Choisissez ce qui est inexact et saisissez la bonne valeur. Laissez vides les "
            "lignes inutiles.",
        ),
        "correction_what": ("What is wrong", "Ce qui est inexact"),
        "correction_value": ("The right value", "La bonne valeur"),
        "choose": ("Choose…", "Choisir…"),
        "activities_objection": (
            "Which uses of your data do you object to?",
            "À quelles utilisations de vos données vous opposez-vous ?",
        ),
        "activities_withdraw": (
            "For which uses do you withdraw your consent?",
            "Pour quelles utilisations retirez-vous votre consentement ?",
        ),
        "grounds_label": ("Your grounds", "Vos motifs"),
        "grounds_help": (
            "The law asks you to object on grounds relating to your particular situation: tell "
            "us why we should stop these uses of your data. Our privacy team weighs them before "
            "answering. At most {limit} characters.",
            "La loi vous demande de vous opposer pour des raisons tenant à votre situation "
            "particulière : dites-nous pourquoi nous devrions cesser ces utilisations de vos "
            "données. Notre équipe vie privée les examine avant de répondre. {limit} caractères "
            "au plus.",
        ),
        "grounds_help_marketing": (
            "To object to a use other than direct marketing, the law asks you for grounds "
            "relating to your particular situation: tell us why we should stop it. Our privacy "
            "team weighs them before answering. Direct marketing needs no reason: it stops as "
            "soon as you confirm it is you. At most {limit} characters.",
            "Pour vous opposer à une utilisation autre que la prospection commerciale, la loi "
            "vous demande des raisons tenant à votre situation particulière : dites-nous "
            "pourquoi nous devrions la cesser. Notre équipe vie privée les examine avant de "
            "répondre. La prospection n'a besoin d'aucune raison : elle cesse dès que vous "
            "confirmez votre identité. {limit} caractères au plus.",
        ),
        "agent_legend": (
            "Are you acting for someone else?",
            "Agissez-vous pour quelqu'un d'autre ?",
        ),
        "agent_check": (
            "I am an authorised agent, making this request for the person whose address is above",
            "Je suis un mandataire et je fais cette demande pour la personne dont l'adresse "
            "figure ci-dessus",
        ),
        "agent_name": ("Your name", "Votre nom"),
        "agent_email": ("Your email address, as the agent", "Votre adresse e-mail de mandataire"),
        "agent_proof": (
            "Their signed permission (PDF, PNG or JPEG, at most 5 MB)",
            "Son autorisation signée (PDF, PNG ou JPEG, 5 Mo au plus)",
        ),
        "submit": ("Send my request", "Envoyer ma demande"),
        "errors_heading": ("Please check the form", "Veuillez vérifier le formulaire"),
        "error_email": (
            "Give a valid email address, such as jane@example.com.",
            "Indiquez une adresse e-mail valide, par exemple jeanne@example.com.",
        ),
        "error_missing": ("Fill in: {field}.", "Veuillez remplir : {field}."),
        "error_corrections": (
            "Say what to correct and give the right value.",
            "Indiquez ce qu'il faut corriger et la bonne valeur.",
        ),
        "error_activities": ("Choose at least one use.", "Choisissez au moins une utilisation."),
        "error_grounds": (
            "Give your grounds: why, in your particular situation, we should stop the uses you "
            "ticked that are not direct marketing.",
            "Indiquez vos motifs : pourquoi, dans votre situation particulière, nous devrions "
            "cesser les utilisations cochées autres que la prospection commerciale.",
        ),
        "error_grounds_long": (
            "Your grounds are {length} characters long: shorten them to at most {limit}.",
            "Vos motifs font {length} caractères : raccourcissez-les à {limit} au plus.",
        ),
        "error_agent": (
            "As an agent, give your name, your email address and the person's signed permission.",
            "En tant que mandataire, indiquez votre nom, votre adresse e-mail et l'autorisation "
            "signée de la personne.",
        ),
        "error_proof": (
            "The permission must be a PDF, PNG or JPEG file of at most 5 MB.",
            "L'autorisation doit être un fichier PDF, PNG ou JPEG de 5 Mo au plus.",
        ),
        "error_filing": (
            "We could not file this request. Check the details and try again.",
            "Nous n'avons pas pu enregistrer cette demande. Vérifiez les informations et "
            "réessayez.",
        ),
        "status_title": ("Your request {reference}", "Votre demande {reference}"),
        "code_on_its_way": (
            "If the address you gave is right, a code is on its way to it. Type it below to "
            "confirm that the request comes from you.",
            "Si l'adresse que vous avez donnée est correcte, un code vous y a été envoyé. "
            "Saisissez-le ci-dessous pour confirmer que la demande vient de vous.",
        ),
        "keep_link": (
            "Keep the address of this page: it lets you follow your request.",
            "Conservez l'adresse de cette page : elle vous permet de suivre votre demande.",
        ),
        "kind_label": ("Request", "Demande"),
        "state_label": ("Where it stands", "Où elle en est"),
        "received_label": ("Received", "Reçue le"),
        "due_label": ("We answer by", "Nous répondons au plus tard le"),
        "due_waiting": (
            "The time we have to answer starts when you confirm it is you.",
            "Le délai de réponse court à partir du moment où vous confirmez votre identité.",
        ),
        "agent_review": (
            "Waiting for us to check the agent's permission",
            "En attente de notre vérification de l'autorisation du mandataire",
        ),
        "reason_label": ("Why", "Pourquoi"),
        "extension_label": ("Why it takes longer", "Pourquoi cela prend plus de temps"),
        "timeline": ("What happened so far", "Ce qui s'est passé jusqu'ici"),
        "code_label": ("Your code", "Votre code"),
        "code_submit": ("Confirm", "Confirmer"),
        "resend": ("Send me a new code", "M'envoyer un nouveau code"),
        "resent": (
            "If a new code can be sent, it is on its way.",
            "Si un nouveau code peut être envoyé, il est en route.",
        ),
        "code_wrong": (
            "That code did not work. Check it, or ask for a new one.",
            "Ce code n'a pas fonctionné. Vérifiez-le, ou demandez-en un nouveau.",
        ),
        "code_right": (
            "Thank you: you confirmed that the request comes from you.",
            "Merci : vous avez confirmé que la demande vient de vous.",
        ),
        "download_ready": ("Your data is ready.", "Vos données sont prêtes."),
        "download_link": ("Download your data", "Télécharger vos données"),
        "download_until": (
            "You can download it until {date}.",
            "Vous pouvez les télécharger jusqu'au {date}.",
        ),
        "copy_deleted": (
            "Your copy expired on {date} and was deleted.",
            "Votre copie a expiré le {date} et a été supprimée.",
        ),
        "download_title": ("Download your data", "Télécharger vos données"),
        "download_intro": (
            "To make sure it is still you, we send a code to your email address before the "
            "download.",
            "Pour nous assurer qu'il s'agit toujours de vous, nous envoyons un code à votre "
            "adresse e-mail avant le téléchargement.",
        ),
        "download_send": ("Send me a code", "M'envoyer un code"),
        "download_sent": (
            "We sent a code to your address to confirm it is you. Type it below to download "
            "your data.",
            "Nous avons envoyé un code à votre adresse pour confirmer qu'il s'agit de vous. "
            "Saisissez-le ci-dessous pour télécharger vos données.",
        ),
        "download_submit": ("Download", "Télécharger"),
        "bad_link_title": ("This link does not work", "Ce lien ne fonctionne pas"),
        "bad_link_text": (
            "It may be mistyped or out of date. Use the link in our latest email, or make a new "
            "request.",
            "Il est peut-être mal recopié ou périmé. Utilisez le lien de notre dernier e-mail, "
            "ou faites une nouvelle demande.",
        ),
        "new_request": ("Make a request", "Faire une demande"),
        "too_many_title": ("Too many tries", "Trop de tentatives"),
        "too_many_text": (
            "There were many tries in a short time. Please wait {minutes} minutes and try again.",
            "Il y a eu beaucoup de tentatives en peu de temps. Veuillez attendre {minutes} "
            "minutes et réessayer.",
        ),
        "form_expired_title": ("Please try again", "Veuillez réessayer"),
        "form_expired_text": (
            "For your safety, our forms only work from our own pages, in the browser that "
            "opened them. Go back, reload the page and send the form again.",
            "Pour votre sécurité, nos formulaires ne fonctionnent que depuis nos propres pages, "
            "dans le navigateur qui les a ouvertes. Revenez en arrière, rechargez la page et "
            "renvoyez le formulaire.",
        ),
    }
)

STATES: MappingProxyType[str, tuple[str, str]] = _french_spacing(
    {
        "received": ("Received", "Reçue"),
        "identity_pending": (
            "Waiting for you to confirm it is you",
            "En attente de la confirmation de votre identité",
        ),
        "verified": ("Confirmed: we are about to start", "Confirmée : nous allons commencer"),
        "awaiting_approval": (
            "Being reviewed by our privacy team",
            "En cours d'examen par notre équipe vie privée",
        ),
        "running": ("We are working on it", "Nous y travaillons"),
        "completed": ("Done", "Terminée"),
        "partially_completed": ("Partly done", "Partiellement traitée"),
        "denied": ("Refused", "Refusée"),
    }
)

# What a change of state meant for the person, as a line of their request's history.
MOVES: MappingProxyType[str, tuple[str, str]] = _french_spacing(
    {
        "received": ("We received your request.", "Nous avons reçu votre demande."),
        "identity_pending": (
            "We asked you to confirm that the request comes from you.",
            "Nous vous avons demandé de confirmer que la demande vient de vous.",
        ),
        "verified": ("You confirmed it is you.", "Vous avez confirmé votre identité."),
        "awaiting_approval": (
            "Our privacy team started reviewing your request.",
            "Notre équipe vie privée a commencé à examiner votre demande.",
        ),
        "running": ("We started working on it.", "Nous avons commencé à la traiter."),
        "completed": ("We completed your request.", "Nous avons traité votre demande."),
        "partially_completed": (
            "We completed part of your request.",
            "Nous avons traité une partie de votre demande.",
        ),
        "denied": ("We refused your request.", "Nous avons refusé votre demande."),
        "acknowledged": (
            "We confirmed that we received it.",
            "Nous avons confirmé sa réception.",
        ),
        "extended": (
            "We extended the time to answer.",
            "Nous avons prolongé le délai de réponse.",
        ),
    }
)


@dataclass(frozen=True)
class Words:
    """The center's sentences in one language."""

    lang: str

    @property
    def _index(self) -> int:
        return LANGUAGES.index(self.lang) if self.lang in LANGUAGES else 0

    def __call__(self, key: str, **fields: object) -> str:
        text = TEXTS[key][self._index]
        return text.format(**fields) if fields else text

    def state(self, state: str) -> str:
        pair = STATES.get(state)
        return pair[self._index] if pair else state

    def move(self, what: str) -> str | None:
        pair = MOVES.get(what)
        return pair[self._index] if pair else None
