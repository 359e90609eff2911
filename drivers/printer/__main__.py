"""``python -m drivers.printer test|status|preview`` — try a printer from the command line."""

from __future__ import annotations

import argparse
import logging
import sys

from drivers.cliargs import output_file
from drivers.printer.errors import PrinterError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m drivers.printer", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", required=True)
    test = commands.add_parser("test", help="print a sample ticket")
    test.add_argument("--printer", required=True, help="printer spec, e.g. tcp:192.168.1.50:9100")
    status = commands.add_parser("status", help="ask the printer for its status (DLE EOT)")
    status.add_argument("--printer", required=True, help="printer spec")
    preview = commands.add_parser("preview", help="write the sample ticket as a PNG")
    preview.add_argument("--out", required=True, type=output_file, help="PNG file to write")
    preview.add_argument("--printer", help="printer spec whose options (paper_mm …) apply")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the exit status (1 when the printer failed)."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    try:
        # Loads python-escpos and Pillow: a missing one raises PrinterDependencyError.
        from drivers.printer import RecordingPrinter, open_printer, sample_ticket

        if args.command == "preview":
            printer = open_printer(args.printer) if args.printer else RecordingPrinter()
            printer.preview(sample_ticket()).save(args.out)
            print(f"wrote {args.out}")
        elif args.command == "status":
            printer = open_printer(args.printer)
            state = printer.status()
            note = "" if printer.can_read_status else " (this transport cannot read status)"
            print(f"{state.value}{note}")
            return 0 if state.can_print else 1
        else:
            result = open_printer(args.printer).print_ticket(sample_ticket())
            checked = result.status.value if result.status else "not readable"
            print(f"printed {result.number}: {result.size} bytes, status {checked}")
    except PrinterError as exc:
        print(f"{exc.message_zh} / {exc.message_en}", file=sys.stderr)
        if exc.detail:
            print(exc.detail, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
