"""A contact's phone number: checked by python-phonenumbers, stored exactly as sent.

Imported only by the function that creates contacts, so no other function's cold start loads the
library's metadata.
"""

import phonenumbers

from clarity.core.errors import InvalidRequest
from clarity.core.settings import MissingSetting

PHONE_REGION_VARIABLE = "PHONE_DEFAULT_REGION"


def checked_phone_number(text: str, default_region: str) -> str:
    """`text` itself, if it is a possible phone number (one without `+` read in `default_region`);
    otherwise a 400 naming phone_number."""
    if default_region not in phonenumbers.SUPPORTED_REGIONS:
        raise MissingSetting(PHONE_REGION_VARIABLE, f"must be a region phonenumbers knows, not {default_region!r}")
    shown = text[:64]
    try:
        parsed = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as error:
        raise InvalidRequest(f"phone_number '{shown}' is not a phone number", "phone_number") from error
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidRequest(
            f"phone_number '{shown}' is not a possible phone number for its region; start it with + and the country"
            " code if it is not in " + default_region,
            "phone_number",
        )
    return text
