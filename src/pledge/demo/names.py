"""Small built-in word lists the demo data is drawn from: names, streets, cities, products.

The names come from several languages on purpose, with accents, apostrophes, gendered
surnames and a non-Latin script, because real customer tables hold them and tools that
export or erase rows must keep them intact. Email addresses use domains reserved for
examples, so that no message sent while trying Pledge can reach anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pledge.demo.dice import Weighted


@dataclass(frozen=True)
class Culture:
    """How people of one naming tradition are called, and where they tend to live.

    A surname written `masc|fem` takes the form that agrees with the first name (Polish
    -ski/-ska). `family_first` names are written surname then given name with no space
    (李雷); `romanised` gives the Latin spelling of each such name for email addresses.
    """

    name: str
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]
    countries: Weighted[str]
    family_first: bool = False
    second_surname: bool = False
    romanised: tuple[tuple[str, str], ...] = ()


# fmt: off
CULTURES: Weighted[Culture] = Weighted(
    (Culture(
        "english",
        ("Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Chloe", "Lucy", "Hannah"),
        ("Oliver", "George", "Harry", "Jack", "Charlie", "Thomas", "James", "William"),
        ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Davies", "Evans", "Roberts",
         "Walker", "Wright", "Hughes", "Green", "O'Connor", "Clarke"),
        Weighted(("GB", 65), ("US", 25), ("IE", 10)),
    ), 38),
    (Culture(
        "irish",
        ("Siobhán", "Aoife", "Niamh", "Róisín", "Caoimhe", "Sinéad"),
        ("Seán", "Ciarán", "Pádraig", "Eoin", "Oisín", "Darragh"),
        ("O'Sullivan", "Ó Súilleabháin|Ní Shúilleabháin", "Murphy", "Kelly", "Byrne", "Ryan",
         "Mac Cárthaigh", "Ó Briain|Ní Bhriain"),
        Weighted(("IE", 80), ("GB", 20)),
    ), 6),
    (Culture(
        "french",
        ("Renée", "Zoé", "Hélène", "Chloé", "Léa", "Gaëlle", "Inès", "Cécile", "Maëlys"),
        ("Jérôme", "François", "Théo", "Noël", "Benoît", "Mathéo", "Loïc", "Hervé"),
        ("Faure", "Lefèvre", "Dubois", "Moreau", "Girard", "Bérard", "Rousseau", "Mercier",
         "Lemaître", "Chevalier", "Fournier", "Dupré", "Féraud"),
        Weighted(("FR", 90), ("GB", 10)),
    ), 12),
    (Culture(
        "german",
        ("Zoë", "Käthe", "Lena", "Marie", "Anna", "Jördis", "Sünje"),
        ("Jürgen", "Jörg", "Björn", "Lukas", "Felix", "Sören", "Günther", "Jonas"),
        ("Müller", "Schäfer", "Weiß", "Groß", "Köhler", "Schröder", "Becker", "Hoffmann", "Krüger",
         "Wagner", "Jäger", "Vogel"),
        Weighted(("DE", 90), ("GB", 10)),
    ), 12),
    (Culture(
        "polish",
        ("Małgorzata", "Agnieszka", "Zofia", "Katarzyna", "Ewa", "Jadwiga"),
        ("Łukasz", "Paweł", "Wojciech", "Krzysztof", "Michał", "Bartłomiej"),
        ("Nowak", "Wiśniewski|Wiśniewska", "Wójcik", "Kowalczyk", "Kamiński|Kamińska",
         "Lewandowski|Lewandowska", "Zieliński|Zielińska", "Woźniak", "Dąbrowski|Dąbrowska",
         "Kozłowski|Kozłowska", "Mazur"),
        Weighted(("PL", 70), ("GB", 30)),
    ), 8),
    (Culture(
        "spanish",
        ("María", "Lucía", "Sofía", "Begoña", "Inés", "Ángela", "Nuria"),
        ("José", "Álvaro", "Iñigo", "Rubén", "Martín", "Raúl", "Joaquín"),
        ("Álvarez", "García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez",
         "Núñez", "Muñoz", "Jiménez", "Ibáñez"),
        Weighted(("ES", 85), ("US", 15)),
        second_surname=True,
    ), 10),
    (Culture(
        "chinese",
        ("芳", "梅梅", "娜", "静", "婷", "秀英"),
        ("雷", "伟", "磊", "洋", "杰", "建国"),
        ("李", "王", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"),
        Weighted(("GB", 55), ("US", 45)),
        family_first=True,
        romanised=(
            ("芳", "fang"), ("梅梅", "meimei"), ("娜", "na"), ("静", "jing"), ("婷", "ting"),
            ("秀英", "xiuying"), ("雷", "lei"), ("伟", "wei"), ("磊", "lei"), ("洋", "yang"),
            ("杰", "jie"), ("建国", "jianguo"), ("李", "li"), ("王", "wang"), ("张", "zhang"),
            ("刘", "liu"), ("陈", "chen"), ("杨", "yang"), ("赵", "zhao"), ("黄", "huang"),
            ("周", "zhou"), ("吴", "wu"),
        ),
    ), 14),
)
# fmt: on

CULTURE_BY_NAME = {culture.name: culture for culture in CULTURES.values}


@dataclass(frozen=True)
class City:
    name: str
    postcode: str  # a pattern: # is a digit, @ a capital letter, anything else as written


@dataclass(frozen=True)
class Country:
    """Streets and cities of one country; `number_first` writes "12 High Street"."""

    code: str
    streets: tuple[str, ...]
    cities: tuple[City, ...]
    number_first: bool
    flats: tuple[str, ...]
    phone: str  # the prefix of a mobile number, before its `phone_digits` digits
    phone_digits: int = 8


# fmt: off
COUNTRIES: dict[str, Country] = {
    "GB": Country(
        "GB",
        ("High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane", "Park Avenue",
         "Queen's Parade", "St Mary's Walk", "Harbour View"),
        (City("Bristol", "BS# #@@"), City("London", "SE# #@@"), City("Manchester", "M## #@@"),
         City("Leeds", "LS# #@@"), City("Bath", "BA# #@@"), City("Cardiff", "CF## #@@"),
         City("Edinburgh", "EH# #@@"), City("Glasgow", "G## #@@")),
        True,
        ("Flat 1", "Flat 4B", "Apartment 12", "The Old Rectory", "Unit 3"),
        "+44 75",
    ),
    "IE": Country(
        "IE",
        ("Main Street", "Bóthar na Trá", "Grafton Street", "Sráid an Mhuilinn", "Quay Road"),
        (City("Dublin", "D0# @#@#"), City("Cork", "T12 @#@#"), City("Galway", "H91 @#@#"),
         City("Dún Laoghaire", "A96 @#@#")),
        True,
        ("Apartment 2", "Flat 7", "Teach na Coille"),
        "+353 85",
    ),
    "FR": Country(
        "FR",
        ("rue de la République", "avenue Jean-Jaurès", "boulevard Voltaire", "rue des Écoles",
         "place du Marché", "impasse des Lilas", "allée des Peupliers"),
        (City("Paris", "750##"), City("Lyon", "6900#"), City("Marseille", "130##"),
         City("Nantes", "44000"), City("Besançon", "25000"), City("Nîmes", "30000"),
         City("Saint-Étienne", "42000")),
        True,
        ("Bâtiment B", "Appartement 12", "Résidence Les Érables", "3e étage"),
        "+33 6",
    ),
    "DE": Country(
        "DE",
        ("Hauptstraße", "Schillerstraße", "Goethestraße", "Bahnhofstraße", "Gartenweg",
         "Lindenallee", "Mühlweg"),
        (City("Berlin", "10###"), City("München", "80###"), City("Köln", "50###"),
         City("Düsseldorf", "40###"), City("Nürnberg", "90###"), City("Hamburg", "20###")),
        False,
        ("Hinterhaus", "2. OG links", "c/o Schäfer"),
        "+49 151",
    ),
    "ES": Country(
        "ES",
        ("Calle Mayor", "Avenida de la Constitución", "Calle de Alcalá", "Plaza de España",
         "Calle del Carmen", "Paseo de la Castellana"),
        (City("Madrid", "280##"), City("Barcelona", "080##"), City("Sevilla", "410##"),
         City("Málaga", "290##"), City("A Coruña", "150##")),
        False,
        ("3º B", "1º izquierda", "Bajo", "Ático"),
        "+34 6",
    ),
    "PL": Country(
        "PL",
        ("ul. Marszałkowska", "ul. Długa", "ul. Świętokrzyska", "ul. Kościuszki", "ul. Piękna",
         "al. Jerozolimskie"),
        (City("Warszawa", "00-###"), City("Kraków", "30-###"), City("Łódź", "90-###"),
         City("Gdańsk", "80-###"), City("Wrocław", "50-###")),
        False,
        ("m. 4", "m. 17", "lok. 2"),
        "+48 5",
    ),
    "US": Country(
        "US",
        ("Main Street", "Oak Avenue", "Mission Street", "Sunset Boulevard", "Elm Street",
         "Calle Real", "Valencia Street"),
        (City("San Francisco, CA", "941##"), City("Los Angeles, CA", "900##"),
         City("San Diego, CA", "921##"), City("Oakland, CA", "946##"),
         City("San José, CA", "951##"), City("Sacramento, CA", "958##")),
        True,
        ("Apt 3", "Suite 200", "Unit B"),
        "+1 415 ",
        phone_digits=7,
    ),
}
# fmt: on

# Domains reserved for examples (RFC 2606 and RFC 6761): no real mailbox can be hit.
EMAIL_DOMAINS = (
    "example.com",
    "example.org",
    "example.net",
    "mail.example",
    "post.example",
    "inbox.example",
)

# (product, unit price in pounds). × and the en dash are here for the same reason as the names.
PRODUCTS: tuple[tuple[str, Decimal], ...] = (
    ("Photo book A4, 40 pages", Decimal("34.99")),
    ("Photo book A5, 24 pages", Decimal("19.99")),
    ("Poster 50×70 cm", Decimal("14.50")),
    ("Poster 30×40 cm", Decimal("9.90")),
    ("Canvas print 40×60 cm", Decimal("49.00")),
    ("Greeting cards, pack of 10", Decimal("12.00")),
    ("Wedding invitations, pack of 50", Decimal("79.00")),
    ("Wall calendar – 12 months", Decimal("17.95")),
    ("Business cards, 250", Decimal("24.00")),
    ("Framed print 20×30 cm", Decimal("29.00")),
)

CARD_BRANDS = Weighted(("visa", 55), ("mastercard", 35), ("amex", 10))

USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/130.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko)"
    " Version/18.0 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/130.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/130.0 Safari/537.36 Edg/130.0",
)

# A support ticket's subject, and its body with {name}, {order} and {product} to fill in.
TICKETS: tuple[tuple[str, str], ...] = (
    (
        "Where is my order?",
        "Hello, I ordered on your site (order #{order}) and nothing has arrived yet. "
        "Could you tell me where it is? Thanks, {name}",
    ),
    (
        "Colours look different from the screen",
        "The {product} I received is much darker than the preview. Can it be reprinted? {name}",
    ),
    (
        "Wrong delivery address",
        "I made a typo in the address for order #{order}. Can you change it before it ships? "
        "Regards, {name}",
    ),
    ("Damaged in transit", "My {product} arrived with a bent corner. Photos attached. {name}"),
    (
        "Question about my invoice",
        "Could you send the invoice for order #{order} with my company's VAT number? {name}",
    ),
    ("Cannot log in", "The password reset email never arrives. My name is {name}."),
)

COMPANIES = (
    "Harbourside Events Ltd",
    "Atelier Lumière SARL",
    "Clifton Camera Club",
    "Bäckerei Groß GmbH",
    "Estudio Núñez S.L.",
    "Northgate Primary School PTA",
    "Wiśniewski & Syn",
    "Bright Day Weddings",
    "Seaview Holiday Lets",
    "Dún Laoghaire Rowing Club",
)

CRM_NOTES = (
    "Orders stationery for {company} every spring; prefers matte paper.",
    "Asked for a volume discount on {product}. Follow up before the season.",
    "Prefers phone calls to email. Decision maker for {company}.",
    "Complained once about colours; happy since the reprint.",
)

INTERACTIONS = (
    ("call", "Discussed a bulk order of {product}."),
    ("email", "Sent a quote for {product}."),
    ("meeting", "Met at the trade fair; interested in {product}."),
    ("email", "Followed up on an unpaid invoice."),
    ("call", "Confirmed the delivery date for a large order."),
)
