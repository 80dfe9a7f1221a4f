"""Maps the repository's top folders under the one installed package `golive`; every subpackage is found."""

from setuptools import find_packages, setup

FOLDERS = ["console", "checks", "screens", "themes", "examples", "sandbox"]

packages: list[str] = []
package_dir: dict[str, str] = {}
for folder in FOLDERS:
    for name in ["", *find_packages(folder)]:
        dotted = f"golive.{folder}" + (f".{name}" if name else "")
        packages.append(dotted)
        package_dir[dotted] = folder + (f"/{name.replace('.', '/')}" if name else "")

setup(packages=packages, package_dir=package_dir)
