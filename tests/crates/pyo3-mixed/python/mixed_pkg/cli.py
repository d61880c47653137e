from mixed_pkg import double, sum_as_string


def main():
    print("mixed-cli: " + sum_as_string(double(20), 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
