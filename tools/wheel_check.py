"""Checks the file list of the addon's wheel (used by ``tools/dev.sh wheel-check``).

wheel_check.py WHEEL   fail if development files are inside, or if the addon's own files
                       (the manifest, its code, views, translations, assets and every data or
                       demo file the manifest names) are missing
"""

import ast
import sys
import zipfile

ADDON = "customer_relationship"
ROOT = f"odoo/addons/{ADDON}/"
# Left out by .gitattributes (export-ignore): the developers' tooling, not the addon.
EXCLUDED = ("tools/", "bench/", "Makefile", ".ci/", ".pre-commit-config.yaml", ".pylintrc", ".gitattributes")
REQUIRED = ("__manifest__.py", "__init__.py", "models/", "views/", "security/", "i18n/", "static/", "tests/")


def main(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    files = {name[len(ROOT) :] for name in names if name.startswith(ROOT)}
    stray = sorted(name for name in names if not name.startswith(ROOT) and ".dist-info/" not in name)
    problems = [f"outside the addon: {name}" for name in stray]
    problems += [f"development file: {file}" for file in sorted(files) if file.startswith(EXCLUDED)]
    problems += [f"missing: {required}" for required in REQUIRED if not any(f.startswith(required) for f in files)]
    if "__manifest__.py" in files:
        manifest = ast.literal_eval(zipfile.ZipFile(wheel).read(ROOT + "__manifest__.py").decode())
        listed = manifest.get("data", []) + manifest.get("demo", [])
        problems += [f"the manifest names {file}, not in the wheel" for file in listed if file not in files]
    if problems:
        sys.exit(f"{wheel}:\n  " + "\n  ".join(problems))
    print(f"{wheel}: {len(files)} files of the addon, no development file")


if __name__ == "__main__":
    main(sys.argv[1])
