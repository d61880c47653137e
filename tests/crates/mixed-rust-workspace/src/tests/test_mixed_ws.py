import mixed_ws


def test_answer() -> None:
    assert mixed_ws.answer() == 42
