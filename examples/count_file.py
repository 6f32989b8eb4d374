"""count_file.py: counts the tokens of a file with tokwise's Python package.

    python3 count_file.py [--model MODEL | --encoding NAME] FILE

Prints "<tokens> tokens (<encoding>)". The default model is gpt-4o.
"""

import argparse
import sys

import tokwise


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--model", default="gpt-4o")
    group.add_argument("--encoding")
    parser.add_argument("file")
    args = parser.parse_args()

    try:
        if args.encoding:
            enc = tokwise.get_encoding(args.encoding)
        else:
            enc = tokwise.encoding_for_model(args.model)
    except tokwise.NotFoundError as e:
        print(e, file=sys.stderr)
        return 1

    with open(args.file, "rb") as f:
        data = f.read()
    try:
        # Bytes are counted in place, without decoding to str; special-token strings count as
        # text; invalid UTF-8 raises InvalidUtf8Error naming the byte offset.
        n = enc.count(data)
    except tokwise.InvalidUtf8Error as e:
        print(f"{args.file}: {e}", file=sys.stderr)
        return 2
    print(f"{n} tokens ({enc.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
