from keystore_tool.cli.main import run

run()
