"""A clean site never imports the heavy libraries only a failing or suspicious document needs.

jsonschema (with referencing), detect-secrets (with requests), kubernetes-validate and the CEL
engines cost a `mkdocs build` ~0.2 s to import (bench/README.md). They are imported lazily: this
checks `sys.modules` in a fresh interpreter after importing the plugin and building a clean site
in-process, and that a site with a schema error does import jsonschema (so the check can fail).
No timing is measured.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

from mkdocs_appreg.engine import cel
from mkdocs_appreg.engine.schema_extensions import ExtensionOptions

HEAVY = ("jsonschema", "jsonschema_rs", "referencing", "kubernetes_validate", "cel", "celpy")

SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: {{ secret }}
  namespace: eda-system
  labels:
    eda.nokia.com/backup: "true"
type: Opaque
data:
  username: {{ "your-username" | b64encode }}
  password: {{ "your-password-or-token" | b64encode }}
"""

REGISTRY = """\
apiVersion: appstore.eda.nokia.com/v1
kind: Registry
metadata:
  name: my-registry
  namespace: eda-system
spec:
  remoteURL: https://registry.example.com
  authSecretRef: {{ secret }}
  skipTLSVerify: {{ skip }}
"""

PAGE = """\
# Registry

/// resource | docs/resources/secret.yaml
///

/// resource | docs/resources/registry.yaml
///

```yaml
apiVersion: appstore.eda.nokia.com/v1
kind: Catalog
metadata:
  name: my-catalog
  namespace: eda-system
spec:
  title: My catalog
  remoteURL: https://github.com/example/catalog.git
```
"""

# Builds the site in this interpreter and reports which of HEAVY got imported.
BUILD = textwrap.dedent(
    """
    import json, sys
    import mkdocs_appreg.plugin.plugin
    after_import = [m for m in {heavy!r} if m in sys.modules]
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    config = load_config({config!r}, site_dir={site!r})
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    plugin = config.plugins["appreg"]
    print(json.dumps({{
        "after_import": after_import,
        "after_build": [m for m in {heavy!r} if m in sys.modules],
        "rules": sorted(f.rule for f in plugin.findings),
    }}))
    """
)


def make_site(root: Path, skip: str) -> Path:
    """A small site like this project's: a Secret and a Registry template, and a page example."""
    config = {
        "site_name": "lazy",
        "markdown_extensions": [
            "pymdownx.superfences",
            "pymdownx.snippets",
            {"pymdownx.blocks.tab": {"alternate_style": True}},
        ],
        "plugins": [{"appreg": {"vars": {"secret": "my-creds", "skip": skip}}}],
    }
    (root / "docs").mkdir(parents=True)
    (root / "templates" / "resources").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    (root / "docs" / "index.md").write_text(PAGE)
    (root / "templates" / "resources" / "secret.yaml.j2").write_text(SECRET)
    (root / "templates" / "resources" / "registry.yaml.j2").write_text(REGISTRY)
    return root


def build_in_fresh_interpreter(root: Path) -> dict[str, list[str]]:
    script = BUILD.format(heavy=HEAVY, config=str(root / "mkdocs.yml"), site=str(root / "site"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MKDOCS")}
    env["NO_MKDOCS_2_WARNING"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_importing_the_plugin_and_building_a_clean_site_imports_no_heavy_library(tmp_path: Path) -> None:
    report = build_in_fresh_interpreter(make_site(tmp_path / "clean", skip="false"))
    assert report["rules"] == []
    assert report["after_import"] == []
    assert report["after_build"] == []


def test_a_schema_error_brings_in_jsonschema_for_its_message(tmp_path: Path) -> None:
    report = build_in_fresh_interpreter(make_site(tmp_path / "dirty", skip="maybe"))
    assert report["rules"] == ["schema.type"]
    assert "jsonschema" in report["after_build"]


def test_cost_budget_defaults_are_the_cel_modules() -> None:
    # schema_extensions repeats the two budgets so that its defaults do not import the CEL engines.
    options = ExtensionOptions()
    assert options.per_rule_cost_budget == cel.PER_CALL_LIMIT
    assert options.per_object_cost_budget == cel.RUNTIME_CEL_COST_BUDGET
