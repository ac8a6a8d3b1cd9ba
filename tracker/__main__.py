"""Allows ``python -m tracker``."""

try:
    from tracker.cli.main import main
except KeyboardInterrupt:  # Ctrl-C while Python loads the CLI: no traceback either
    import sys

    sys.stderr.write("tracker: interrupted\n")
    raise SystemExit(130) from None

raise SystemExit(main())
