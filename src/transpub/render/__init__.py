"""Rendering: a release, its translation and CLDR data -> localized HTML pages and Word documents."""
