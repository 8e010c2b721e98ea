"""MRVRS_DATA_KEY: one key, or several newest first while a rotation is under way."""

import pytest
from cryptography.fernet import Fernet

from config.settings import SettingsError, load_settings

NEW, OLD = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_several_keys__newest_first__the_oldest_roots_the_derived_secrets():
    settings = load_settings({"MRVRS_DATA_KEY": f" {NEW} , {OLD} "})
    assert settings.data_keys == (NEW, OLD)
    assert settings.oldest_data_key == OLD


def test_one_key__as_before():
    settings = load_settings({"MRVRS_DATA_KEY": OLD})
    assert settings.data_keys == (OLD,) and settings.oldest_data_key == OLD


@pytest.mark.parametrize(("value", "words"), [
    ("not-a-key", "the value is not a Fernet key"),
    (f"{NEW},not-a-key", "key 2 of 2 is not a Fernet key"),
    (f"{NEW},", "key 2 of 2 is not a Fernet key"),
    (f"{NEW},{NEW}", "lists the same key twice"),
    (" , ", "is set but empty"),
])
def test_bad_data_key__clear_error_naming_the_variable(value, words):
    with pytest.raises(SettingsError) as error:
        load_settings({"MRVRS_DATA_KEY": value})
    message = str(error.value)
    assert message.startswith("MRVRS_DATA_KEY") and words in message
    assert NEW not in message  # a key never ends up in a log line


def test_adding_a_key_in_front__duplicate_detection_secret_unchanged():
    from workflows.assembly import identity_secret

    before = identity_secret(load_settings({"MRVRS_DATA_KEY": OLD}))
    after = identity_secret(load_settings({"MRVRS_DATA_KEY": f"{NEW},{OLD}"}))
    assert before == after
