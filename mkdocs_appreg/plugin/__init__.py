"""The MkDocs layer: the plugin, its typed config, the build record. The only layer importing MkDocs.

The entry point `mkdocs.plugins: appreg` names `mkdocs_appreg.plugin.plugin.plugin:AppregPlugin`, so
reading this package's config module (as `appreg check` does) does not import the plugin.
"""
