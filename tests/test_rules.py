"""The rules file loads into typed objects; a bad file is a clear error naming the key."""

from pathlib import Path

import pytest
import yaml
from customer_plans.rules import RulesError, load_rules
from customer_plans.settings import DEFAULT_RULES_PATH


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def raw():
    return yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))


def test_shipped_rules_load_and_are_hashed():
    rules = load_rules()
    assert rules.version
    assert len(rules.content_hash) == 64
    assert rules.tiers.codes_top_first[0] == "private"


def test_hash_changes_with_content(tmp_path, raw):
    raw["tiers"]["adb_window_days"] = 31
    assert load_rules(_write(tmp_path, raw)).content_hash != load_rules().content_hash


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: r["tiers"].pop("adb_window_days"), "tiers.adb_window_days: Field required"),
        (lambda r: r["tiers"]["levels"][1].update(min_adb_cny=-5), "tiers.levels.1.min_adb_cny"),
        (lambda r: r["tiers"]["levels"].reverse(), "lowest first"),
        (lambda r: r["man"]["difficulty"].pop("MAN"), "all eight groups"),
        (lambda r: r["tiers"].update(adb_windw_days=3), "tiers.adb_windw_days: Extra inputs"),
        (lambda r: r["assignment"]["cadence_days"].pop("gold"), "cadence for every tier"),
    ],
)
def test_bad_rules_name_the_key(tmp_path, raw, mutate, message):
    mutate(raw)
    with pytest.raises(RulesError, match="rules file .* is invalid") as excinfo:
        load_rules(_write(tmp_path, raw))
    assert message in str(excinfo.value)


def test_not_yaml_is_a_clear_error(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("tiers: [unclosed", encoding="utf-8")
    with pytest.raises(RulesError, match="not valid YAML"):
        load_rules(path)


def test_the_reporting_currency_is_cny_unless_the_file_names_another(tmp_path, raw):
    assert load_rules().currency == "CNY"
    raw["currency"] = "HKD"
    assert load_rules(_write(tmp_path, raw)).currency == "HKD"
    del raw["currency"]  # an older rules file: the embedded default
    assert load_rules(_write(tmp_path, raw)).currency == "CNY"


@pytest.mark.parametrize("code", ["hkd", "HK$", "XYZ", ""])
def test_an_unknown_currency_is_refused_naming_the_key(tmp_path, raw, code):
    raw["currency"] = code
    with pytest.raises(RulesError, match="currency: .*not an ISO 4217 currency code"):
        load_rules(_write(tmp_path, raw))
