"""The providers' test users: the same people as e2e/oidc/provider.mjs, each logging in at a
fixed SPID level, with the attributes a SPID or CIE provider releases.

The package's provider asserts as `acr` the last of the levels the relying party asked for; a
test user's own level replaces it here (harness.op_views.LevelledAuthzRequestView), so that the
relying party can be tested against a login below the level it asked for.
"""

FISCAL_NUMBER = "https://attributes.eid.gov.it/fiscal_number"
PASSWORD = "password"


def level(n: int) -> str:
    return f"https://www.spid.gov.it/SpidL{n}"


#: username -> (level, codice fiscale, given name, family name, birth date, birth place code)
PEOPLE = {
    "mario.rossi": (2, "RSSMRA85T14H501W", "Mario", "Rossi", "1985-12-14", "H501"),
    "anna.bianchi": (1, "BNCNNA90C43F205H", "Anna", "Bianchi", "1990-03-03", "F205"),
    "lucia.verdi": (3, "VRDLCU80A41H501K", "Lucia", "Verdi", "1980-01-01", "H501"),
    # The "non sono stato io" e2e spec revokes PIN requests in his name.
    "giorgio.bruno": (2, "BRNGRG80C10H501Z", "Giorgio", "Bruno", "1980-03-10", "H501"),
}

#: username -> the acr their login asserts.
LEVELS = {username: level(person[0]) for username, person in PEOPLE.items()}


def attributes(username: str) -> dict:
    """The user's attributes as the provider stores them (accounts.User.attributes): UserInfo
    and, for CIE, the ID token release a requested claim under exactly these names."""
    _, cf, given_name, family_name, birthdate, birthplace = PEOPLE[username]
    return {
        "given_name": given_name,
        "family_name": family_name,
        "email": f"{username}@example.org",
        "birthdate": birthdate,
        "place_of_birth": {"locality": birthplace},
        FISCAL_NUMBER: f"TINIT-{cf}",
        # CIE's own name for it (spid_cie_oidc.provider.settings.OIDCFED_PROVIDER_ATTRIBUTES_CIE_MAP).
        "fiscal_number": f"TINIT-{cf}",
        "https://attributes.eid.gov.it/spid_code": f"TEST{cf[:10]}",
    }
