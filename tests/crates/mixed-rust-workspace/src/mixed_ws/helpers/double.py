from mixed_ws._native import twice


def double(value: int) -> int:
    return twice(value)
