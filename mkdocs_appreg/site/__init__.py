"""A docs site as a whole: project settings, the site check, references, policies, placeholders,
prose drift. Imports the engine, pages and rendering layers; never the plugin or the CLI.
"""
