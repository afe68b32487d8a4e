"""ERRORS_DOCUMENTATION_URL and PHONE_DEFAULT_REGION: read once with the other settings, with
defaults that work."""

import pytest

from clarity.contacts.phone_numbers import checked_phone_number
from clarity.core.settings import (
    ERRORS_DOCUMENTATION_URL_DEFAULT,
    MissingSetting,
    Settings,
    errors_documentation_url,
    use_settings,
)


def test_the_errors_page_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ERRORS_DOCUMENTATION_URL", "https://docs.example.com/clarity/errors")

    settings = Settings.from_environment()

    assert settings.errors_documentation_url == "https://docs.example.com/clarity/errors"


@pytest.mark.parametrize("unset", [None, ""])
def test_unset_it_is_the_page_make_run_serves(monkeypatch: pytest.MonkeyPatch, unset: str | None) -> None:
    if unset is None:
        monkeypatch.delenv("ERRORS_DOCUMENTATION_URL", raising=False)
    else:
        monkeypatch.setenv("ERRORS_DOCUMENTATION_URL", unset)

    assert Settings.from_environment().errors_documentation_url == "http://127.0.0.1:3000/docs/errors"
    assert ERRORS_DOCUMENTATION_URL_DEFAULT == "http://127.0.0.1:3000/docs/errors"


@pytest.mark.parametrize("value", ["docs/errors.md", "/docs/errors", "ftp://docs.example.com/errors", "https://"])
def test_anything_but_an_absolute_http_url_fails_loudly_naming_it(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ERRORS_DOCUMENTATION_URL", value)

    with pytest.raises(MissingSetting, match="ERRORS_DOCUMENTATION_URL must be an absolute http or https URL"):
        Settings.from_environment()


def test_installed_settings_are_what_error_bodies_link(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ERRORS_DOCUMENTATION_URL", "https://from-the-environment.example.com/errors")
    installed = Settings.for_table("t")
    use_settings(installed)
    try:
        assert errors_documentation_url() == ERRORS_DOCUMENTATION_URL_DEFAULT
    finally:
        use_settings(None)


def test_when_the_settings_cannot_load_the_variable_is_read_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TABLE_NAME")
    use_settings(None)
    monkeypatch.setenv("ERRORS_DOCUMENTATION_URL", "https://docs.example.com/errors")
    assert errors_documentation_url() == "https://docs.example.com/errors"

    monkeypatch.setenv("ERRORS_DOCUMENTATION_URL", "docs/errors.md")
    assert errors_documentation_url() == ERRORS_DOCUMENTATION_URL_DEFAULT


def test_the_phone_region_is_us_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PHONE_DEFAULT_REGION", raising=False)
    assert Settings.from_environment().phone_default_region == "US"

    monkeypatch.setenv("PHONE_DEFAULT_REGION", "GB")
    assert Settings.from_environment().phone_default_region == "GB"


@pytest.mark.parametrize("region", ["gb", "GBR", "G", "1A"])
def test_a_phone_region_that_is_no_region_code_fails_loudly_naming_it(
    monkeypatch: pytest.MonkeyPatch, region: str
) -> None:
    monkeypatch.setenv("PHONE_DEFAULT_REGION", region)

    with pytest.raises(MissingSetting, match="PHONE_DEFAULT_REGION"):
        Settings.from_environment()


def test_a_region_code_the_phone_library_does_not_know_fails_loudly_naming_it() -> None:
    with pytest.raises(MissingSetting, match="PHONE_DEFAULT_REGION"):
        checked_phone_number("1-800-759-3000", "ZZ")
