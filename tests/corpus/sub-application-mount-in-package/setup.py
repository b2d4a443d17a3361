from setuptools import find_packages, setup

setup(name="incidents", packages=find_packages("src"), package_dir={"": "src"})
