"""Packaging beyond pyproject.toml: the top-level templates/ folder (Jinja2, CSS, JS, fonts) ships inside
the wheel as the package data ``generator/templates``, so an installed mockexam needs no checkout."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["generator", "generator.*"]), "generator.templates"],
    package_dir={"generator.templates": "templates"},
    package_data={"generator.templates": ["**/*"]},
    exclude_package_data={"generator.templates": ["**/__pycache__/*"]},
)
