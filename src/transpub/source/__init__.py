"""Reading source releases: front matter, Markdown blocks and typed tokens."""
