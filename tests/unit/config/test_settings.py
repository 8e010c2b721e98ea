import pytest

from config.settings import SettingsError, load_settings
from tests.helpers import TEST_AUDIT_KEY, TEST_DATA_KEY

KEYS = {"MRVRS_SECRET_KEY": "s", "MRVRS_DATA_KEY": TEST_DATA_KEY,
        "MRVRS_AUDIT_KEY": TEST_AUDIT_KEY}


def test_defaults__no_variables__embedded_store_and_eager_tasks_with_generated_keys():
    settings = load_settings({})
    assert settings.embedded and settings.eager_tasks
    assert settings.secret_key and settings.data_key
    assert settings.audit_keys and len(settings.audit_keys[0]) >= 32
    assert set(settings.generated_keys) == {"MRVRS_SECRET_KEY", "MRVRS_DATA_KEY",
                                            "MRVRS_AUDIT_KEY"}


def test_values__read_and_typed():
    settings = load_settings({
        "MRVRS_MONGO_URI": "mongodb://db.internal:27017/", "MRVRS_DB_NAME": "network",
        "MRVRS_BROKER_URL": "redis://127.0.0.1:6379/0", "MRVRS_UPLOAD_MAX_BYTES": "2048",
        "MRVRS_DEFAULT_LANGUAGE": "ar", **KEYS,
    })
    assert settings.mongo_uri == "mongodb://db.internal:27017/"
    assert settings.db_name == "network"
    assert settings.upload_max_bytes == 2048
    assert settings.default_language == "ar"
    assert not settings.embedded and not settings.eager_tasks
    assert settings.generated_keys == ()


@pytest.mark.parametrize(("name", "value"), [
    ("MRVRS_MONGO_URI", "nonsense"),
    ("MRVRS_MONGO_URI", "mongodb://"),
    ("MRVRS_BROKER_URL", "localhost:6379"),
    ("MRVRS_UPLOAD_MAX_BYTES", "ten"),
    ("MRVRS_UPLOAD_MAX_FILES", "0"),
    ("MRVRS_RATE_LIMIT_LOGIN", "often"),
    ("MRVRS_DEFAULT_LANGUAGE", "klingon"),
    ("MRVRS_ENV", "staging"),
    ("MRVRS_DATA_KEY", "not-a-key"),
    ("MRVRS_DB_NAME", "  "),
    ("MRVRS_AUDIT_KEY", "too-short"),
    ("MRVRS_AUDIT_KEY", TEST_AUDIT_KEY + ","),
    ("MRVRS_AUDIT_KEY", f"{TEST_AUDIT_KEY},{TEST_AUDIT_KEY}"),
])
def test_bad_value__one_clear_error_naming_the_variable(name, value):
    with pytest.raises(SettingsError) as error:
        load_settings({name: value})
    message = str(error.value)
    assert message.startswith(name)
    assert "\n" not in message


@pytest.mark.parametrize("missing", ["MRVRS_SECRET_KEY", "MRVRS_DATA_KEY", "MRVRS_AUDIT_KEY"])
def test_production__missing_key__is_an_error(missing):
    environ = {"MRVRS_ENV": "production", **KEYS}
    del environ[missing]
    with pytest.raises(SettingsError, match=missing):
        load_settings(environ)


def test_production__keys_given__starts():
    settings = load_settings({"MRVRS_ENV": "production", **KEYS})
    assert settings.production and settings.generated_keys == ()


def test_audit_key__rotated__new_key_first_then_the_old_ones():
    old, new = TEST_AUDIT_KEY, "n" * 40
    settings = load_settings({**KEYS, "MRVRS_AUDIT_KEY": f" {new} , {old} "})
    assert settings.audit_keys == (new, old)


def test_every_variable__documented_in_the_readme():
    """README promises every MRVRS_* variable; test-only hooks (MRVRS_TEST_*) excepted."""
    from pathlib import Path

    from config.settings import variable_names

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    missing = [name for name in variable_names()
               if not name.startswith("MRVRS_TEST_") and f"`{name}`" not in readme]
    assert missing == []


@pytest.mark.parametrize("raw", ["0", "61", "soon", "-5"])
def test_routing_refresh__outside_1_to_60__clear_error(raw):
    with pytest.raises(SettingsError, match="MRVRS_ROUTING_REFRESH_SECONDS must be .*1 to 60"):
        load_settings({**KEYS, "MRVRS_ROUTING_REFRESH_SECONDS": raw})


def test_routing_refresh__default_30_and_read():
    assert load_settings(KEYS).routing_refresh_seconds == 30
    assert load_settings({**KEYS, "MRVRS_ROUTING_REFRESH_SECONDS": "5"}
                         ).routing_refresh_seconds == 5
