import pytest

from vies.matching import compare, is_no_data, normalize
from vies.splitting import split_address
from vies.standin import load_companies

KOVACS = "Kovács és Társa Autójavító Kft."
KOVACS_ADDR = "Váci út 22.\n1132 Budapest"
ROME = "VIA NAZIONALE 91 \n00184 ROMA RM\n"
SZOKE = "FŐ UTCA 12.\n6720 SZEGED"

# (country, typed name, VIES name, matches)
NAME_CASES = [
    ("HU", KOVACS, KOVACS, True),
    ("HU", KOVACS, "KOVÁCS ÉS TÁRSA AUTÓJAVÍTÓ KFT.", True),  # VIES in capitals
    ("HU", "kovács és társa autójavító kft.", KOVACS, True),
    ("HU", "Kovács  és Társa Autójavító Kft.", KOVACS, True),  # double space
    ("HU", " Kovács\tés Társa Autójavító Kft. ", KOVACS, True),  # tab, trimmed
    ("HU", KOVACS, "Kovács és\nTársa Autójavító Kft.", True),  # line break
    ("HU", "Kovács\u00a0és Társa Autójavító Kft.", KOVACS, True),  # NBSP
    ("HU", "Szőke Bt.", "SZŐKE BT.", True),
    ("HU", "Szo\u030bke Bt.", "SZŐKE BT.", True),  # decomposed ő (NFD)
    ("HU", "Szöke Bt.", "SZŐKE BT.", False),  # ő, ö and o are different letters
    ("HU", "Szoke Bt.", "SZŐKE BT.", False),
    ("HU", "Műszaki Zrt.", "MŰSZAKI ZRT.", True),
    ("HU", "Müszaki Zrt.", "MŰSZAKI ZRT.", False),  # ű, ü and u too
    ("HU", "Muszaki Zrt.", "MŰSZAKI ZRT.", False),
    ("HU", "Kovács és Társa Autójavító Kft", KOVACS, False),  # "Kft" != "Kft."
    ("HU", "Öböl Motor Kft.", "ÖBÖL-MOTOR KFT.", False),  # punctuation counts
    ("HU", "Kovács & Társa Autójavító Kft.", KOVACS, False),
    ("HU", "KovácsésTársa Autójavító Kft.", KOVACS, False),  # a missing space counts
    ("GR", "Παπαδόπουλος Α.Ε.", "ΠΑΠΑΔΌΠΟΥΛΟΣ Α.Ε.", True),  # final sigma casefolds
    ("IT", "Officina Rossi Srl", "OFFICINA ROSSI S.R.L.", False),
]

# (country, street, postcode, city, VIES address, the fields that differ)
ADDRESS_CASES = [
    ("HU", "Váci út 22.", "1132", "Budapest", KOVACS_ADDR, []),
    ("HU", "Váci út 22.", "1132", "Budapest", "VÁCI ÚT 22.\n1132 BUDAPEST", []),
    ("HU", " Váci út  22. ", "1132 ", " Budapest", KOVACS_ADDR, []),
    ("HU", "Váci út 22.", "1132", "Budapest", "Váci út 22. \r\n 1132  Budapest\n", []),
    ("HU", "Váci\u00a0út 22.", "1132", "Budapest", KOVACS_ADDR, []),
    ("HU", "Váci út 22", "1132", "Budapest", KOVACS_ADDR, ["street"]),  # "22" != "22."
    ("HU", "Váci út", "1132", "Budapest", KOVACS_ADDR, ["street"]),  # house number missing
    ("HU", "Váci út 2", "1132", "Budapest", KOVACS_ADDR, ["street"]),  # not inside "22."
    ("HU", "Váci út 22.", "1133", "Budapest", KOVACS_ADDR, ["postcode"]),
    ("HU", "Váci út 22.", "132", "Budapest", KOVACS_ADDR, ["postcode"]),
    ("HU", "Váci út 22.", "1132", "Bp.", KOVACS_ADDR, ["city"]),
    ("HU", "Váci út 22.", "1132", "Buda", KOVACS_ADDR, ["city"]),  # not a part of a word
    ("HU", "Váci út 23.", "1133", "Budapest", KOVACS_ADDR, ["street", "postcode"]),
    ("HU", "Fő utca 12.", "6720", "Szeged", SZOKE, []),
    ("HU", "Fo\u030b utca 12.", "6720", "Szeged", SZOKE, []),  # NFD
    ("HU", "Fö utca 12.", "6720", "Szeged", SZOKE, ["street"]),
    ("HU", "Fo utca 12.", "6720", "Szeged", SZOKE, ["street"]),
    ("HU", "Üllői út 120.", "1101", "Budapest", "ÜLLŐI ÚT 120.\n1101 BUDAPEST", []),
    ("HU", "Üllöi út 120.", "1101", "Budapest", "ÜLLŐI ÚT 120.\n1101 BUDAPEST", ["street"]),
    # any order, with or without commas
    ("HU", "Váci út 22.", "1132", "Budapest", "1132 BUDAPEST, VÁCI ÚT 22.", []),
    ("HU", "Váci út 22.", "1132", "Budapest", "1132 BUDAPEST VÁCI ÚT 22.", []),
    ("HU", "Váci út 22.", "1132", "Budapest", "VÁCI ÚT 22., 1132 BUDAPEST", []),
    ("HU", "Váci út 22.", "1132", "Budapest", "Magyarország\n1132 Budapest\nVáci út 22.", []),
    # what is left over must be allowed for the member state: a Budapest district is not
    ("HU", "Váci út 22.", "1132", "Budapest", "Váci út 22.\n1132 Budapest XI", ["city"]),
    ("HU", "Váci út 22.", "1132", "Budapest", "AT-1132 Budapest, Váci út 22.", ["postcode"]),
    ("AT", "Mariahilfer Straße 120", "1070", "Wien", "Mariahilfer Straße 120, 1070 Wien", []),
    # in capitals ß is written SS; casefold makes them equal, as case-insensitive demands
    ("AT", "Mariahilfer Straße 120", "1070", "Wien", "MARIAHILFER STRASSE 120\n1070 WIEN", []),
    ("AT", "Hauptplatz 7", "AT-9182", "Maria Elend", "Hauptplatz 7\nAT-9182 Maria Elend", []),
    ("AT", "Hauptplatz 7", "9182", "Maria", "Hauptplatz 7\nAT-9182 Maria Elend", ["city"]),
    ("SK", "Hlavná 12", "811 01", "Bratislava", "Hlavná 12\n811 01 Bratislava", []),
    ("SK", "Hlavná 12", "81101", "Bratislava", "Hlavná 12\n811 01 Bratislava", ["postcode"]),
    ("FR", "12 rue de la Paix", "75002", "Paris", "12 RUE DE LA PAIX 75002 PARIS", []),
    ("FR", "12 rue de la Paix", "75002", "Paris", "75002 PARIS 12 RUE DE LA PAIX", []),
    ("GR", "Λεωφόρος Συγγρού 100", "117 41", "Αθήνα", "ΛΕΩΦΌΡΟΣ ΣΥΓΓΡΟΎ 100\n117 41 ΑΘΉΝΑ", []),
    # accents count in Greek too: VIES without them, the applicant with them
    (
        "GR",
        "Λεωφόρος Συγγρού 100",
        "117 41",
        "Αθήνα",
        "ΛΕΩΦΟΡΟΣ ΣΥΓΓΡΟΥ 100\n117 41 ΑΘΗΝΑ",
        ["street", "city"],
    ),
    # Italy: trailing space and line break, province after the city
    ("IT", "Via Nazionale 91", "00184", "Roma", ROME, []),
    ("IT", "Via Nazionale 91", "00184", "Roma RM", ROME, []),
    ("IT", "Via Nazionale 91", "00184", "Milano", ROME, ["city"]),
    ("IT", "Via Nazionale 19", "00184", "Roma", ROME, ["street"]),
    ("IT", "Via Nazionale 91", "00185", "Roma", ROME, ["postcode"]),
    # no postcode in VIES: the typed one is not compared
    (
        "RO",
        "STR. FABRICII NR.93",
        "400632",
        "Cluj-Napoca",
        "MUN. CLUJ-NAPOCA\nSTR. FABRICII NR.93",
        [],
    ),
    (
        "IE",
        "Unit 4, Ballymount Road",
        "D12 X9Y8",
        "Dublin 12",
        "UNIT 4, BALLYMOUNT ROAD, DUBLIN 12",
        [],
    ),
    (
        "IE",
        "Unit 4 Ballymount Road",
        "D12 X9Y8",
        "Dublin 12",
        "UNIT 4, BALLYMOUNT ROAD, DUBLIN 12",
        ["street"],
    ),
    # Portugal's locality line may be left over, but not in place of the street
    ("PT", "BRAGA", "4700-320", "BRAGA", "LG DO PACO\nBRAGA\n4700-320 BRAGA", ["street"]),
]

# (country, VIES name, VIES address, typed address matches VIES's, expected matches)
NO_DATA_CASES = [
    ("DE", "---", "---", False, True),
    ("DE", "", "", False, True),
    ("ES", None, None, False, True),
    ("HU", "---", KOVACS_ADDR, True, True),
    ("HU", KOVACS, " --- ", True, True),
    ("HU", "---", KOVACS_ADDR, False, False),  # no name data excuses no wrong address
]


@pytest.mark.parametrize(("country", "typed", "vies_name", "matches"), NAME_CASES)
def test_name_table(country: str, typed: str, vies_name: str, matches: bool) -> None:
    outcome = compare(country, typed, "Váci út 22.", "1132", "Budapest", vies_name, KOVACS_ADDR)
    assert outcome.fields[0].field == "name"
    assert outcome.fields[0].matches is matches
    assert outcome.no_data is False


@pytest.mark.parametrize(
    ("country", "street", "postcode", "city", "vies_address", "differ"), ADDRESS_CASES
)
def test_address_table(
    country: str, street: str, postcode: str, city: str, vies_address: str, differ: list[str]
) -> None:
    outcome = compare(country, "X Kft.", street, postcode, city, "X KFT.", vies_address)
    assert [f.field for f in outcome.fields] == ["name", "street", "postcode", "city"]
    assert outcome.mismatched == differ
    assert outcome.matches is (not differ)
    assert outcome.no_data is False


@pytest.mark.parametrize(
    ("country", "vies_name", "vies_address", "address_ok", "matches"), NO_DATA_CASES
)
def test_no_data_table(
    country: str, vies_name: str | None, vies_address: str | None, address_ok: bool, matches: bool
) -> None:
    street = "Váci út 22." if address_ok else "Fő utca 1."
    outcome = compare(country, KOVACS, street, "1132", "Budapest", vies_name, vies_address)
    assert outcome.no_data is True
    assert outcome.matches is matches


def test_enough_cases() -> None:
    assert len(NAME_CASES) + len(ADDRESS_CASES) + len(NO_DATA_CASES) >= 30


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Kovács   és\n\nTársa\tKft. ", "kovács és társa kft."),
        ("ŐRÜLT ŰRHAJÓ", "őrült űrhajó"),
        ("O\u0308bo\u0308l", "öböl"),  # NFD in, NFC out
        ("Kft.", "kft."),
        ("", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, True),
        ("", True),
        ("   ", True),
        ("---", True),
        (" --- \n", True),
        ("-", False),
        ("TEST", False),
        ("----", False),
    ],
)
def test_is_no_data(value: str | None, expected: bool) -> None:
    assert is_no_data(value) is expected


def test_field_details_show_vies_spelling_and_what_was_typed() -> None:
    outcome = compare(
        "HU",
        "Kovács Kft",
        "Váci út 23.",
        "1132",
        "Budapest",
        "KOVÁCS  KFT.",
        "1132 BUDAPEST,\nVÁCI ÚT 22.",
    )
    name, street, postcode, city = outcome.fields
    assert (name.registered, name.typed, name.matches) == ("KOVÁCS KFT.", "Kovács Kft", False)
    assert (street.registered, street.typed) == ("1132 BUDAPEST, VÁCI ÚT 22.", "Váci út 23.")
    assert (street.matches, postcode.matches, city.matches) == (False, True, True)
    assert outcome.mismatched == ["name", "street"]


def test_postcode_not_in_vies_is_noted_not_compared() -> None:
    outcome = compare(
        "IE",
        "A Ltd",
        "12 Main Street",
        "W91 ABC1",
        "Naas",
        "A LTD",
        "12 MAIN STREET, NAAS, CO. KILDARE",
    )
    postcode = outcome.fields[2]
    assert (postcode.matches, postcode.note, postcode.typed) == (True, "not_in_vies", "W91 ABC1")
    assert outcome.matches


def test_adopted_address_matches_only_vies_own_text() -> None:
    text = "SOMEWHERE WITHOUT ANY STRUCTURE"
    typed = ("Typo street 1", "1132", "Budapest")
    assert compare("HU", "A", *typed, "A", text, adopted_address=text).matches
    assert compare(
        "HU", "A", *typed, "A", text, adopted_address=" somewhere without\nany structure"
    )
    assert not compare("HU", "A", *typed, "A", text, adopted_address="SOMEWHERE ELSE").matches
    assert compare("HU", "A", *typed, "A", text, adopted_address=text).fields[1].note == "adopted"


def test_no_data_fields_are_blank_and_pass() -> None:
    outcome = compare(
        "DE", "Autohaus Schmidt GmbH", "Hauptstraße 1", "10115", "Berlin", "---", "---"
    )
    assert [(f.registered, f.matches) for f in outcome.fields] == [("", True)] * 4
    assert outcome.fields[1].typed == "Hauptstraße 1"


@pytest.mark.parametrize(
    ("country", "address", "expected"),
    [
        ("HU", "Váci út 22.\n1132 Budapest", ("Váci út 22.", "1132", "Budapest")),
        ("HU", "FŐ UTCA 12. \n6720 SZEGED", ("FŐ UTCA 12.", "6720", "SZEGED")),
        ("HU", "1132 BUDAPEST, VÁCI ÚT 22.", ("VÁCI ÚT 22.", "1132", "BUDAPEST")),
        ("HU", "  VÁCI  ÚT 22.\r\n\n1132   BUDAPEST \n", ("VÁCI ÚT 22.", "1132", "BUDAPEST")),
        ("IT", ROME, ("VIA NAZIONALE 91", "00184", "ROMA")),
        ("IT", "VIA EMILIA 5\n42121 REGGIO EMILIA RE", ("VIA EMILIA 5", "42121", "REGGIO EMILIA")),
        ("IT", "VIA ROMA 1\n00100 ROMA", ("VIA ROMA 1", "00100", "ROMA")),
        ("SK", "Hlavná 12\n811 01 Bratislava", ("Hlavná 12", "811 01", "Bratislava")),
        ("GR", "ΛΕΩΦΟΡΟΣ ΣΥΓΓΡΟΥ 100\n117 41 ΑΘΗΝΑ", ("ΛΕΩΦΟΡΟΣ ΣΥΓΓΡΟΥ 100", "117 41", "ΑΘΗΝΑ")),
        ("AT", "Mariahilfer Straße 120, 1070 Wien", ("Mariahilfer Straße 120", "1070", "Wien")),
        ("PL", "UL. DŁUGA 5\n00-950 WARSZAWA", ("UL. DŁUGA 5", "00-950", "WARSZAWA")),
        ("NL", "Damrak 1\n1012 LG Amsterdam", ("Damrak 1", "1012 LG", "Amsterdam")),
        # cannot be split confidently
        ("HU", "---", None),
        ("DE", "---", None),
        ("HU", "", None),
        ("HU", "VÁCI ÚT 22. 1132 BUDAPEST", ("VÁCI ÚT 22.", "1132", "BUDAPEST")),
        ("HU", "VÁCI ÚT 22., 1132 BUDAPEST", ("VÁCI ÚT 22.", "1132", "BUDAPEST")),
        ("HU", "BUDAPEST\nVÁCI ÚT 22.\n1132", ("VÁCI ÚT 22.", "1132", "BUDAPEST")),
        ("HU", "Váci út 22.\nBudapest", ("Váci út 22.", "", "Budapest")),  # no postcode
        (
            "XI",
            "12 DONEGALL SQUARE NORTH\nBELFAST\nBT1 5GB",
            ("12 DONEGALL SQUARE NORTH", "BT1 5GB", "BELFAST"),
        ),
        ("HU", "1132", None),  # nothing but a postcode
        ("US", "1 Main St\n10001 New York", None),
    ],
)
def test_split_address(country: str, address: str, expected: tuple[str, str, str] | None) -> None:
    assert split_address(country, address) == expected


SAMPLES = sorted(load_companies().items())


@pytest.mark.parametrize(("key", "company"), SAMPLES, ids=[f"{cc}{n}" for (cc, n), _ in SAMPLES])
def test_every_sample_company_matches_itself(key: tuple[str, str], company: dict[str, str]) -> None:
    country = key[0]
    name, address = company["name"], company["address"]
    parts = split_address(country, address)
    if parts is None and is_no_data(address):
        # No name or address at all: goes on flagged.
        outcome = compare(
            country, "Any Name GmbH", "Any Street 1", "12345", "Any City", name, address
        )
        assert (outcome.matches, outcome.no_data) == (True, True)
        return
    if parts is None:
        # Cannot be split: "Use the registered data" keeps the address verbatim.
        typed = ("Any Street 1", "12345", "Any City")
        assert compare(country, name, *typed, name, address, adopted_address=address).matches
        return
    outcome = compare(country, name, *parts, name, address)
    assert (outcome.matches, outcome.no_data) == (True, False)
