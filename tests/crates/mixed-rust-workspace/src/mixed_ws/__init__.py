from mixed_ws._native import answer
from mixed_ws.helpers.double import double

__all__ = ["answer", "double", "main"]


def main() -> None:
    print(f"mixed-ws-answer: {double(answer()) // 2}")
