"""Packaging beyond what pyproject.toml can say: the reference solutions stay at the top of the
repository (the design card's layout) and are installed inside the package as
``grader.solutions``, so a wheel or a non-editable install can grade code exercises."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["grader", "grader.*"]), "grader.solutions"],
    package_dir={"grader.solutions": "solutions"},
)
