"""The command line's frame: version, info, error handling."""

import json

from click.testing import CliRunner

from citydiplomacy import __version__
from citydiplomacy.cli import cli


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_info_json_counts():
    result = CliRunner().invoke(cli, ["info", "--format", "json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["ontology"] == "https://w3id.org/citydiplomacy/ontology"
    assert summary["versionInfo"] == __version__
    assert summary["classes"] > 0
    assert summary["labels_per_language"]["en"] == summary["labels_per_language"]["fa"]


def test_info_table():
    result = CliRunner().invoke(cli, ["info"])
    assert result.exit_code == 0
    assert "classes" in result.output


def test_unknown_command_is_usage_error():
    result = CliRunner().invoke(cli, ["no-such-command"])
    assert result.exit_code == 2
