"""Gettext catalogs: reading, writing and creating the PO files that hold every translation."""
