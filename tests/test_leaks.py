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
        "metadata": {"name": "s", "namespace": "ns"},  # `n` would be false for kubectl (YAML 1.1),
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
        "or list the value (or its sha256) in the site's secrets_allowlist option"
    )
    # The site's: `appreg validate` has no allowlist of its own, no flag to name.


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


def test_validate_honours_an_ignore_comment_in_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `appreg validate` has no allowlist: a known fake credential in a manifest is allowed the way
    # a page example allows it, with `# appreg: ignore=secret.leak` in the YAML (the whole file).
    leaked = secret(string_data={"token": GITHUB})
    (tmp_path / "allowed.yaml").write_text("# appreg: ignore=secret.leak\n" + leaked)
    (tmp_path / "other-rule.yaml").write_text("# appreg: ignore=schema.type\n" + leaked)
    (tmp_path / "plain.yaml").write_text(leaked)
    (tmp_path / "all.yaml").write_text(leaked + "data: [1]  # appreg: ignore\n")
    assert (
        main(["validate", "--format", "json", str(tmp_path / "allowed.yaml"), str(tmp_path / "all.yaml")])
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    # A bare `# appreg: ignore` opts the file out, as a page example: neither validated nor counted.
    assert (report["findings"], report["documents"]) == ([], 1)
    assert (
        main(
            [
                "validate",
                "--format",
                "json",
                *(str(tmp_path / n) for n in ("allowed.yaml", "other-rule.yaml", "plain.yaml")),
            ]
        )
        == 1
    )
    found = {(Path(f["file"]).name, f["rule"]) for f in json.loads(capsys.readouterr().out)["findings"]}
    assert found == {("other-rule.yaml", RULE), ("plain.yaml", RULE)}


# --- the detector's own cases (it replaced detect-secrets) -------------------------------------


def pem(label: str, body: str) -> str:
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"


def base64_lines(size: int) -> str:
    encoded = base64.b64encode(secrets.token_bytes(size)).decode()
    return "\n".join(encoded[i : i + 64] for i in range(0, len(encoded), 64))


GITLAB = "glpat-" + secrets.token_urlsafe(15).replace("-", "a").replace("_", "b")[:20]
NPM = "npm_" + "".join(
    secrets.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(36)
)
PYPI = "pypi-AgEIcHlwaS5vcmc" + "".join(
    secrets.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(80)
)
OPENAI = "sk-proj-" + "".join(
    secrets.choice("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(48)
)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (GITLAB, "GitLab Token"),
        (NPM, "NPM tokens"),
        (f"//registry.npmjs.org/:_authToken={NPM}\n", "NPM tokens"),
        (PYPI, "PyPI Token"),
        (OPENAI, "OpenAI Token"),
        (f"https://user:{GITHUB}@host", "GitHub Token"),
        (f"https://x-access-token:{GITHUB}@github.example.com/org/repo.git", "GitHub Token"),
        (pem("OPENSSH PRIVATE KEY", base64_lines(300)), "Private Key"),
        (
            pem(
                "EC PRIVATE KEY", "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0A1B\n\n" + base64_lines(120)
            ),
            "Private Key",
        ),
        # A certificate and its key in one value (a `tls.pem` bundle): the key is still found.
        (pem("CERTIFICATE", base64_lines(600)) + pem("PRIVATE KEY", base64_lines(48)), "Private Key"),
    ],
    ids=[
        "gitlab",
        "npm",
        "npmrc",
        "pypi",
        "openai",
        "url-token",
        "url-token-example-host",
        "openssh",
        "encrypted-ec",
        "bundle",
    ],
)
def test_token_formats_and_keys(value: str, kind: str) -> None:
    assert credential_kind(value) == kind


@pytest.mark.parametrize(
    "body",
    [
        "...",
        "…",
        "<your private key here>",
        "",
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIB...\n...",
        "[snip]\n...\n",
    ],
    ids=["dots", "ellipsis", "angle", "empty", "cut-short", "snip"],
)
def test_a_private_key_whose_body_is_an_elision_is_a_placeholder(body: str) -> None:
    assert credential_kind(pem("RSA PRIVATE KEY", body)) is None
    assert credential_kind("-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----") is None


@pytest.mark.parametrize(
    "value",
    [
        pem("CERTIFICATE", base64_lines(900)),
        pem("CERTIFICATE", base64_lines(900)) + pem("CERTIFICATE", base64_lines(700)),
        pem("PUBLIC KEY", base64_lines(294)),
        pem("RSA PUBLIC KEY", base64_lines(270)),
        pem("CERTIFICATE REQUEST", base64_lines(500)),
        pem("PGP PUBLIC KEY BLOCK", "Comment: docs\n\n" + base64_lines(400)),
        "ssh-ed25519 " + base64.b64encode(secrets.token_bytes(51)).decode() + " deploy@ci",
        "github.com ssh-rsa " + base64.b64encode(secrets.token_bytes(279)).decode(),
    ],
    ids=[
        "certificate",
        "chain",
        "public-key",
        "rsa-public-key",
        "csr",
        "pgp-public",
        "ssh-public",
        "known-hosts",
    ],
)
def test_certificates_and_public_keys_are_not_credentials(value: str) -> None:
    assert credential_kind(value) is None


def kubeconfig(user: str, server: str = "https://k8s.example.com:6443") -> str:
    return textwrap.dedent(
        f"""\
        apiVersion: v1
        kind: Config
        clusters:
        - name: docs
          cluster:
            server: {server}
            certificate-authority-data: {base64.b64encode(pem("CERTIFICATE", base64_lines(700)).encode()).decode()}
        users:
        - name: docs
          user:
        {textwrap.indent(user, "    ")}
        contexts:
        - name: docs
          context: {{cluster: docs, user: docs}}
        current-context: docs
        """
    )


def test_a_kubeconfig_naming_example_com_is_still_scanned() -> None:
    assert credential_kind(kubeconfig(f"token: {JWT}")) == "JSON Web Token"
    assert credential_kind(kubeconfig(f"token: {RANDOM}")) == "Base64 High Entropy String"
    client_key = base64.b64encode(pem("RSA PRIVATE KEY", base64_lines(600)).encode()).decode()
    assert credential_kind(kubeconfig(f"client-key-data: {client_key}")) == "Private Key"


def test_a_kubeconfig_with_placeholders_and_a_ca_is_clean() -> None:
    assert credential_kind(kubeconfig("token: <your-token>")) is None
    assert credential_kind(kubeconfig("token: ${KUBE_TOKEN}", server="https://10.0.0.1:6443")) is None
    elided = base64.b64encode(pem("RSA PRIVATE KEY", "...").encode()).decode()
    assert credential_kind(kubeconfig(f"client-key-data: {elided}")) is None


def dockerconfig(auth: str, **extra: str) -> str:
    entry = {"auth": base64.b64encode(auth.encode()).decode(), **extra}
    return json.dumps({"auths": {"ghcr.io": entry}})


def test_a_dockerconfigjson_auth_is_decoded_and_scanned() -> None:
    assert credential_kind(dockerconfig(f"bot:{GITHUB}")) == "GitHub Token"
    assert credential_kind(dockerconfig(f"bot:{RANDOM}")) == "Base64 High Entropy String"
    assert credential_kind(dockerconfig("bot:x", password=RANDOM)) == "Base64 High Entropy String"
    assert credential_kind(dockerconfig("your-user:your-password")) is None
    assert credential_kind(dockerconfig("bot:changeme-please", username="bot")) is None


def test_a_dockerconfigjson_secret_is_an_error_at_its_key() -> None:
    text = textwrap.dedent(
        f"""\
        apiVersion: v1
        kind: Secret
        metadata: {{name: pull, namespace: ns}}
        type: kubernetes.io/dockerconfigjson
        data:
          .dockerconfigjson: {base64.b64encode(dockerconfig(f"bot:{GITHUB}").encode()).decode()}
        """
    )
    assert leaks(text) == [(6, RULE, "/data/.dockerconfigjson")]


@pytest.mark.parametrize(
    "value",
    [
        "ghp_" + "x" * 36,
        "AKIAIOSFODNN7EXAMPLE",
        "https://user:password@git.internal.io/repo.git",
        "https://deploy:s3cretPassw0rd@registry.example.com/v2/",
        "https://user:${GIT_TOKEN}@github.com/org/repo.git",
        '{"auths": {"registry.example.com": {"username": "your-user", "password": "your-password"}}}',
        "sha256:" + "a" * 64,
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123",
    ],
    ids=[
        "filler-token",
        "aws-docs-example",
        "url-word",
        "url-example-host",
        "url-variable",
        "docker-placeholders",
        "digest",
        "sequence",
    ],
)
def test_made_up_values_are_not_credentials(value: str) -> None:
    assert credential_kind(value) is None


def test_a_hostile_value_costs_time_in_proportion_to_its_size() -> None:
    # Many `://` with no `@`, many `//` before `_authToken`, a long token: linear regexes only,
    # so this returns at once (a quadratic pattern would take minutes).
    value = ("://a:" * 20_000) + ("//x/" * 20_000) + "_authToken=" + "Z" * 50_000
    assert credential_kind(value) in (None, "Base64 High Entropy String")


def test_the_detector_needs_no_scanner_package() -> None:
    source = (REPO / "mkdocs_appreg" / "engine" / "leaks.py").read_text()
    assert "import detect_secrets" not in source and "from detect_secrets" not in source


def test_a_tls_secret_reports_its_key_not_its_certificates() -> None:
    certificate = pem("CERTIFICATE", base64_lines(900))
    body = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "tls", "namespace": "docs"},
        "type": "kubernetes.io/tls",
        "data": {
            "ca.crt": base64.b64encode(certificate.encode()).decode(),
            "tls.crt": base64.b64encode(
                (certificate + pem("CERTIFICATE", base64_lines(800))).encode()
            ).decode(),
            "tls.key": base64.b64encode(pem("PRIVATE KEY", "...").encode()).decode(),
        },
    }
    assert leaks(yaml.safe_dump(body, sort_keys=False, width=1 << 20)) == []
    body["data"]["tls.key"] = base64.b64encode(pem("PRIVATE KEY", base64_lines(1200)).encode()).decode()  # type: ignore[index]
    assert leaks(yaml.safe_dump(body, sort_keys=False, width=1 << 20)) == [(10, RULE, "/data/tls.key")]
