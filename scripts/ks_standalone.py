"""The entry point of the standalone build (make standalone): PyInstaller freezes this script
with every keystore_tool module, so the target needs no Python."""

from keystore_tool.cli.main import run

if __name__ == "__main__":
    run()
