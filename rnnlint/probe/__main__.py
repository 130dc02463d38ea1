"""`python -m rnnlint.probe SCRIPT ...`: the probe command on its own."""

import argparse
import sys

from rnnlint.probe.command import add_arguments, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rnnlint probe", description=__doc__)
    add_arguments(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
