"""Phone numbers: how they are read, and which of them get SMS (issues 12, 13).

A number written in national form (``0692 12 34 56``) is read in the region
of the place of the appointment (the place's ``phone_region``, empty = the
site's ``phone_region`` setting, ``FR`` out of the box), then in the site's
region: a citizen of metropolitan France booking in La Réunion may still
write ``06 12 34 56 78``. Any space or dot between the digits is accepted,
the narrow no-break space (U+202F) and the no-break space of copied numbers
included. Numbers are stored in E.164 (``+262692123456``).

Every valid number is accepted for a booking, but an SMS goes only to a
mobile number of one of the ``sms_countries`` of the settings (France and
its overseas departments and territories out of the box): nothing is sent,
and nothing paid, for a number elsewhere (SMS pumping) or for a landline.
"""

import phonenumbers
import unicodedata


# Where a French town hall sends SMS out of the box: metropolitan France and
# the overseas departments, regions and territories (phonenumbers regions).
FRENCH_REGIONS = (
    "FR",  # France, +33
    "GP",  # Guadeloupe, +590
    "BL",  # Saint-Barthélemy, +590
    "MF",  # Saint-Martin, +590
    "MQ",  # Martinique, +596
    "GF",  # Guyane, +594
    "RE",  # La Réunion, +262
    "YT",  # Mayotte, +262 (269, 639)
    "PM",  # Saint-Pierre-et-Miquelon, +508
    "NC",  # Nouvelle-Calédonie, +687
    "PF",  # Polynésie française, +689
    "WF",  # Wallis-et-Futuna, +681
)

DEFAULT_REGION = "FR"

# Number types that receive SMS (US-like plans do not tell the two apart).
MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


def regions() -> list[str]:
    """Every region phonenumbers knows, e.g. ``FR``, ``RE``, ``US``."""
    return sorted(phonenumbers.SUPPORTED_REGIONS)


def normalise(value: str) -> str:
    """Separators of any kind (U+202F, U+00A0, tabs...) become plain spaces."""
    return "".join(
        " " if unicodedata.category(char) in ("Zs", "Zl", "Zp", "Cf") else char
        for char in value or ""
    ).strip()


def site_region() -> str:
    """The site's region for national numbers (``FR`` when not set)."""
    from collective.rendezvous.controlpanels.settings import get_settings

    try:
        region = get_settings().phone_region
    except (LookupError, AttributeError):
        region = None
    return region if region in phonenumbers.SUPPORTED_REGIONS else DEFAULT_REGION


def place_region(place) -> str:
    """The region of a place's numbers: its own, else the site's."""
    region = getattr(place, "phone_region", None) if place is not None else None
    return region if region in phonenumbers.SUPPORTED_REGIONS else site_region()


def parse(value: str, region: str | None = None):
    """The valid ``PhoneNumber`` written in ``value``, or None.

    Read in ``region`` first, then in the site's region.
    """
    text = normalise(value)
    if not text:
        return None
    tried = []
    for candidate in (region, site_region()):
        if candidate and candidate not in tried:
            tried.append(candidate)
    for candidate in tried:
        try:
            number = phonenumbers.parse(text, candidate)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return number
    return None


def e164(number) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def sms_countries() -> tuple[str, ...]:
    """The regions whose mobile numbers get SMS (the settings)."""
    from collective.rendezvous.controlpanels.settings import get_settings

    try:
        value = get_settings().sms_countries
    except (LookupError, AttributeError):
        value = None
    return tuple(FRENCH_REGIONS if value is None else value)


def sms_refusal(phone: str, countries=None) -> str | None:
    """Why a stored number gets no SMS (a short English text), or None.

    For the booking's notification log, read by agents; never the number.
    """
    try:
        number = phonenumbers.parse(phone or "", None)
    except phonenumbers.NumberParseException:
        return "not sent: not a phone number in international form"
    region = phonenumbers.region_code_for_number(number)
    countries = sms_countries() if countries is None else countries
    if region not in countries:
        return (
            f"not sent: {region or 'unknown'} (+{number.country_code}) is not "
            "among the SMS countries of the settings"
        )
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        return "not sent: not a mobile number"
    return None


def gets_sms(phone: str) -> bool:
    return bool(phone) and sms_refusal(phone) is None
