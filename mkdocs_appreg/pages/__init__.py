"""How pymdown-extensions reads a page: code fences, `--8<--` snippet lines, the examples a page shows.

Pure text processing shared by the directive (markdown layer) and the site check; imports no
Markdown, MkDocs or Jinja.
"""
