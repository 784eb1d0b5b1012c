"""Leaked credentials in Secrets (`secret.leak`): detection, allow-listing, wiring into validation."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import textwrap
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from mkdocs_appreg.cli.commands import main
from mkdocs_appreg.engine.documents import parse_documents
from mkdocs_appreg.engine.leaks import MIN_LENGTH, RULE, Allowlist, credential_kind, find_leaks
from mkdocs_appreg.engine.schemas import SchemaRegistry
from mkdocs_appreg.engine.validate import validate_text

# Built at run time so no scanner (or push protection) mistakes this file for a leak.
GITHUB = "ghp_" + "".join(
    secrets.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(36)
)
AWS = "AKIA" + "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
SLACK = "xoxb-" + "1234567890" + "12-1234567890123-" + secrets.token_hex(12)
PRIVATE_KEY = (
    "-----BEGIN RSA "
    + "PRIVATE KEY-----\n"
    + base64.b64encode(secrets.token_bytes(96)).decode()
    + "\n-----END RSA "
    + "PRIVATE KEY-----\n"
)
JWT = ".".join(
    base64.urlsafe_b64encode(part).decode().rstrip("=")
    for part in (
        b'{"alg":"HS256","typ":"JWT"}',
        b'{"sub":"1234567890","name":"docs"}',
        secrets.token_bytes(32),
    )
)
# A fixed 44-character random string (generated once): a per-run `secrets.token_urlsafe` value
# made the test flaky, since a few draws split on `-`/`_` into pieces below the entropy limit.
RANDOM = "q9Zk3LwT0bXe7RfVn2MhYs8GdPjU5cAo1KxEiB4tWlN6"
BASIC_AUTH_URL = "https://deploy:" + secrets.token_hex(8) + "@git.internal.io/repo.git"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (GITHUB, "GitHub Token"),
        (AWS, "AWS Access Key"),
        (SLACK, "Slack Token"),
        (PRIVATE_KEY, "Private Key"),
        (JWT, "JSON Web Token"),
        (BASIC_AUTH_URL, "Basic Auth Credentials"),
        (secrets.token_hex(32), "Hex High Entropy String"),
    ],
    ids=["github", "aws", "slack", "private-key", "jwt", "basic-auth-url", "hex"],
)
def test_real_looking_credentials_are_recognised(value: str, kind: str) -> None:
    assert credential_kind(value) == kind


def test_a_random_token_is_high_entropy() -> None:
    assert credential_kind(RANDOM) in ("Base64 High Entropy String", "Hex High Entropy String")


@pytest.mark.parametrize(
    "value",
    [
        "your-username",
        "your-password-or-token",
        "admin",
        "s3cret",
        "https://registry.example.com",
        "https://git.example.com/your-catalog.git",
        "<base64 of your token>",
        "${REGISTRY_TOKEN}",
        "{{ token }}",
        "changeme-please",
        "xxxxxxxxxxxxxxxxxxxxxxxx",
        "correct horse battery staple",
        "this-is-not-a-real-token",
        "123e4567-e89b-12d3-a456-426614174000",
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUEXAMPLE\n-----END CERTIFICATE-----\n",
        "kubernetes.io/basic-auth",
    ],
)
def test_placeholders_and_plain_words_are_not_credentials(value: str) -> None:
    assert credential_kind(value) is None


def test_short_values_are_never_scanned() -> None:
    assert credential_kind(GITHUB[: MIN_LENGTH - 1]) is None


def secret(data: dict[str, str] | None = None, string_data: dict[str, str] | None = None) -> str:
    body: dict[str, object] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s", "namespace": "n"},
    }
    if data is not None:
        body["data"] = {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}
    if string_data is not None:
        body["stringData"] = string_data
    return yaml.safe_dump(body, sort_keys=False, width=1 << 20)


def leaks(text: str, allowlist: Allowlist | None = None) -> list[tuple[int, str, str]]:
    findings, _ = validate_text(text, "s.yaml", SchemaRegistry.builtin(), allowlist=allowlist)
    return [(f.line, f.rule, f.path) for f in findings]


def test_decoded_data_and_string_data_leaks_are_errors_at_their_key() -> None:
    text = secret(data={"token": GITHUB, "user": "your-username"}, string_data={"key": PRIVATE_KEY})
    assert leaks(text) == [(7, RULE, "/data/token"), (10, RULE, "/stringData/key")]
    (document,) = parse_documents(text, "s.yaml").documents
    (first, _) = find_leaks(document)
    assert first.severity == "error"
    assert first.message == (
        "data.token looks like a real credential (GitHub Token); docs are public: use a placeholder, "
        "or add the value (or its sha256) to secrets_allowlist"
    )


def test_allowlist_takes_exact_values_and_sha256_digests() -> None:
    text = secret(string_data={"a": GITHUB, "b": AWS})
    digest = hashlib.sha256(AWS.encode()).hexdigest()
    assert leaks(text, Allowlist([GITHUB, digest])) == []
    assert leaks(text, Allowlist([GITHUB])) == [(8, RULE, "/stringData/b")]


def test_only_core_secrets_are_scanned() -> None:
    text = textwrap.dedent(
        f"""\
        apiVersion: v1
        kind: ConfigMap
        metadata: {{name: c}}
        data:
          token: {GITHUB}
        """
    )
    assert RULE not in {rule for _, rule, _ in leaks(text)}


def test_undecodable_and_binary_data_are_left_to_other_rules() -> None:
    binary = base64.b64encode(secrets.token_bytes(64) + b"\xff").decode()
    text = secret() + f"data:\n  blob: {binary}\n  broken: not*base64\n"
    assert [rule for _, rule, _ in leaks(text)] == ["secret.base64"]


def test_the_projects_own_examples_are_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--format", "json", "--config-file", str(REPO / "mkdocs.yml")])
    report = json.loads(capsys.readouterr().out)
    findings = report["findings"] if isinstance(report, dict) else report
    assert RULE not in {f["rule"] for f in findings}
    assert code in (0, 1)


def test_check_reads_the_allowlist_from_mkdocs_yml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = secret(string_data={"token": GITHUB})
    config = {
        "site_name": "leak",
        "markdown_extensions": ["pymdownx.superfences", "pymdownx.snippets"],
        "plugins": [{"appreg": {}}],
    }
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "s.yaml.j2").write_text(template)
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config))
    assert main(["check", "--config-file", str(tmp_path / "mkdocs.yml")]) == 1
    out = capsys.readouterr().out
    assert "templates/s.yaml.j2:7:3: error [secret.leak]" in out

    config["plugins"] = [{"appreg": {"secrets_allowlist": [hashlib.sha256(GITHUB.encode()).hexdigest()]}}]
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config))
    assert main(["check", "--config-file", str(tmp_path / "mkdocs.yml")]) == 0
    assert "secret.leak" not in capsys.readouterr().out
