"""The catalog's index and schema files: valid, complete, and cheap to import."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest

from runtime import catalog

CREDENTIAL_FIELDS = {
    ("github", "token"),
    ("jira", "API_Token"),
    ("slack", "Webhook_URL"),
    ("google-spreadsheet", "ServiceAccount"),
}


@pytest.mark.parametrize("name", sorted(catalog.BUILTIN))
def test_every_schema_is_valid_draft_07_with_descriptions(name: str) -> None:
    assert catalog.endpoints(name), name
    for key, text in catalog.schemas(name).items():
        schema = json.loads(text)
        jsonschema.Draft7Validator.check_schema(schema)
        assert schema["$schema"] == "http://json-schema.org/draft-07/schema#", key
        assert schema.get("description") or key.endswith("returns.json"), key
        for field, sub in schema.get("properties", {}).items():
            assert sub.get("description"), f"{name} {key} {field}"


@pytest.mark.parametrize("name", sorted(catalog.BUILTIN))
def test_the_service_serves_exactly_its_schema_files(name: str) -> None:
    service = catalog.load_service(name)
    assert service.version == catalog.BUILTIN[name]
    served = {key: json.loads(text) for key, text in service.json_schemas().items()}
    files = {key: json.loads(text) for key, text in catalog.schemas(name).items()}
    assert served == files


def test_credentials_are_marked_secret() -> None:
    for name, field in CREDENTIAL_FIELDS:
        for endpoint in catalog.endpoints(name):
            arguments = json.loads(catalog.schemas(name)[f"{endpoint}/arguments.json"])
            assert arguments["properties"][field]["writeOnly"] is True, (name, endpoint, field)
    for endpoint in catalog.endpoints("trello"):
        arguments = json.loads(catalog.schemas("trello")[f"{endpoint}/arguments.json"])
        assert arguments["properties"]["Auth"]["properties"]["Token"]["writeOnly"] is True


def test_unknown_names_are_refused_with_the_list() -> None:
    with pytest.raises(catalog.UnknownBuiltinService, match="built-in services: exec, github"):
        catalog.schema_dir("trelo")


def test_importing_the_index_imports_no_service() -> None:
    probe = (
        "import sys, runtime.catalog\n"
        "print(sorted(m for m in sys.modules if m.startswith(('grpc', 'runtime.'))))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "grpc" not in loaded and "runtime.sdk" not in loaded and "runtime.catalog.trello" not in loaded
