"""Runs OCA's addon checker (oca-checks-odoo-module) on this addon, for pre-commit.

The checker finds an addon by its manifest below the top of a git work tree, and names it after
its folder. Here the addon is the repository's root, in a checkout of any name (CI clones it
elsewhere), so the checker runs on a copy of the addon's files in a folder named
customer_relationship inside a scratch work tree; the paths it prints are the repository's.

    python tools/oca_checks.py [oca-checks-odoo-module options]
"""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ADDON = "customer_relationship"
ROOT = Path(__file__).resolve().parent.parent


def main(options):
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / ".git").mkdir()  # the top of the work tree, for the checker
        addon = Path(scratch) / ADDON
        for name in files:
            if name and (ROOT / name).is_file():
                (addon / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, addon / name)
        checker = Path(sys.executable).with_name("oca-checks-odoo-module")
        result = subprocess.run([checker, *options, str(addon)], cwd=ROOT, capture_output=True, text=True)
        for stream, out in ((result.stdout, sys.stdout), (result.stderr, sys.stderr)):
            out.write(stream.replace(f"{addon}/", "").replace(str(addon), "."))
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
