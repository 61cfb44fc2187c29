"""Scenario files: extends, --set, strict validation, and clear errors with exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from model import ScenarioError, load_scenario
from model.cli import main
from model.scenario.loading import parse_set

ROOT = Path(__file__).resolve().parents[2]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_every_scenario_file_in_the_repo_loads():
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    assert files
    for path in files:
        scenario = load_scenario(path)
        assert scenario.name == path.stem


def test_extends_overrides_key_by_key(tmp_path):
    write(tmp_path / "parent.yaml", "name: parent\nmonths: 12\nworkers: {count: 100, age_mean: 40}\n")
    child = write(tmp_path / "child.yaml", "extends: parent.yaml\nname: child\nworkers: {count: 50}\n")
    scenario = load_scenario(child)
    assert (scenario.name, scenario.months, scenario.workers.count, scenario.workers.age_mean) == ("child", 12, 50, 40)


def test_set_overrides_win_and_are_typed():
    overrides = parse_set(["policies.contract_mandate.enforcement=0.5", "policies.contract_mandate.enabled=true"])
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml", overrides)
    assert scenario.policies.contract_mandate.enforcement == 0.5
    assert scenario.policies.contract_mandate.enabled is True


@pytest.mark.parametrize(("text", "expected"), [
    ("workers:\n  cont: 5\n", ["workers.cont", "did you mean 'count'"]),
    ("policies:\n  minimum_wage:\n    enabled: 'yes'\n", ["policies.minimum_wage.enabled", "boolean"]),
    ("workers:\n  count: '400'\n", ["workers.count", "integer"]),
    ("workers:\n  count: -5\n", ["workers.count", "greater than or equal to 1"]),
    ("workers:\n  count: 0\n", ["workers.count", "greater than or equal to 1"]),
    ("households:\n  count: 0\n", ["households.count", "greater than or equal to 1"]),
    ("policies:\n  worker_fee_cap:\n    enforcement: 1.5\n", ["policies.worker_fee_cap.enforcement", "less than or equal to 1"]),
    ("months: 0\n", ["months", "greater than or equal to 1"]),
    ("name: ../escape\n", ["name", "pattern"]),
    ("- a\n- b\n", ["top level is a list"]),
    ("workers: [1, 2\n", ["not valid YAML", "line"]),
    ("seed: !!python/object/apply:os.system ['true']\n", ["tag not allowed"]),
    ("", ["empty"]),
])
def test_bad_scenarios_name_the_file_and_key(tmp_path, text, expected):
    path = write(tmp_path / "bad.yaml", text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert str(path) in message
    for fragment in expected:
        assert fragment in message


def test_extends_cycle_and_missing_parent(tmp_path):
    write(tmp_path / "a.yaml", "extends: b.yaml\n")
    write(tmp_path / "b.yaml", "extends: a.yaml\n")
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "a.yaml")
    write(tmp_path / "c.yaml", "extends: nowhere.yaml\n")
    with pytest.raises(ScenarioError, match=r"nowhere\.yaml.*does not exist"):
        load_scenario(tmp_path / "c.yaml")


def test_type_error_in_a_parent_names_the_parent(tmp_path):
    write(tmp_path / "parent.yaml", "workers:\n  age_mean: old\n")
    child = write(tmp_path / "child.yaml", "extends: parent.yaml\nname: child\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert "parent.yaml: workers.age_mean" in str(err.value)


@pytest.mark.parametrize(("args", "fragment"), [
    (["run", "missing.yaml"], "file not found"),
    (["run", "--set", "policies.fee_cap.max_share=0"], "did you mean 'worker_fee_cap'"),
    (["run", "--set", "months"], "expected dotted.key=VALUE"),
    (["run", "--months", "0"], "months"),
    (["run", "--set", "workers.count=lots"], "workers.count"),
])
def test_cli_bad_input_exits_2_with_a_message_and_writes_nothing(tmp_path, capsys, args, fragment):
    out = tmp_path / "out"
    status = main([*args, "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 2
    assert fragment in captured.err
    assert "Traceback" not in captured.err
    assert not out.exists()


def test_cli_refuses_a_folder_as_scenario(tmp_path, capsys):
    assert main(["run", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_schema_prints_every_key_with_unit_and_default(capsys):
    assert main(["schema"]) == 0
    text = capsys.readouterr().out
    for key in ("workers.count", "households.count", "agencies.count", "market.separation_rate",
                "policies.minimum_wage.hourly", "policies.worker_fee_cap.max_share",
                "shocks.spring_festival.share_leaving", "policies.employee_based_support.subsidy_per_worker"):
        assert f"\n{key}  [" in text, key
    assert "yuan/hour" in text


def test_resolved_scenario_round_trips(tmp_path):
    from model.scenario.loading import to_yaml

    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml", {"policies.training.enabled": True})
    path = write(tmp_path / "resolved.yaml", to_yaml(scenario))
    assert load_scenario(path) == scenario
    assert "extends" not in yaml.safe_load(path.read_text())


def test_the_scenario_reference_in_docs_is_up_to_date():
    from model.scenario import reference

    assert (ROOT / "docs" / "scenario-reference.md").read_text(encoding="utf-8") == reference.as_markdown(), (
        "regenerate it: domwork schema --markdown > docs/scenario-reference.md")


def test_every_source_the_model_cites_is_in_the_repository():
    """A default whose source cites FACTS names a section of docs/facts.md that holds its row."""
    import re

    from model.scenario import reference

    facts = (ROOT / "docs" / "facts.md").read_text(encoding="utf-8")
    where = {"market": "## The market", "wages": "## Wages and hours", "hours": "## Wages and hours",
             "spells": "| average job spell |", "contracts": "## Contracts, insurance and the law",
             "policy": "## Policy levers"}
    documented = reference.keys()  # the module's list of scenario keys
    cited = {m.group(1) for k in documented for m in [re.match(r"FACTS (\w+)", k.source or "")] if m}
    assert cited, "no default cites FACTS"
    for word in cited:
        assert word in where and where[word] in facts, f"FACTS {word}: no such section in docs/facts.md"
    assert (ROOT / "docs" / "evidence.md").exists()
    assert "`docs/facts.md`" in (ROOT / "docs" / "scenario-reference.md").read_text(encoding="utf-8")
