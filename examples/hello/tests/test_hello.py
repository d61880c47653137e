"""The example's tests, run against the installed wheel (``python tests/test_hello.py`` or
pytest)."""

import hello_rustwheel


def test_hello() -> None:
    assert hello_rustwheel.hello("world") == "Hello, world, from Rust!"


if __name__ == "__main__":
    test_hello()
    print("examples/hello: tests passed")
