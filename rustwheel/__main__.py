from rustwheel.cli import run

run()
