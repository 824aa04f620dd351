"""How the demo writes a person's name into an email address, and their phone number."""

from __future__ import annotations

import unicodedata

from pledge.demo.names import COUNTRIES, Culture

# Letters that Unicode does not decompose into a base letter plus an accent.
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ß": "ss", "ø": "o", "æ": "ae", "đ": "d"})


def gendered(surname: str, female: bool) -> str:
    """`masc|fem` surnames agree with the first name (Wiśniewski, Wiśniewska)."""
    if "|" not in surname:
        return surname
    masculine, feminine = surname.split("|")
    return feminine if female else masculine


def email_letters(culture: Culture, name: str) -> str:
    """A name as the letters a-z of an email address: Łukasz -> lukasz, 李 -> li."""
    for written, latin in culture.romanised:
        if written == name:
            return latin
    plain = unicodedata.normalize("NFKD", name.translate(_FOLD))
    return "".join(c for c in plain.lower() if "a" <= c <= "z")


def phone_number(country_code: str, n: int) -> str:
    """A mobile number in the country's format; distinct `n` give distinct numbers."""
    # Multiplying by a number prime to 10 permutes the residues modulo a power of ten.
    country = COUNTRIES[country_code]
    digits = (n * 48_271 + 1_234_567) % 10**country.phone_digits
    return f"{country.phone}{digits:0{country.phone_digits}d}"
