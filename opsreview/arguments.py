"""Command-line arguments shared by the project's management commands."""

from __future__ import annotations

import argparse
import datetime as dt

from django.core.management.base import CommandParser


def iso_date(value: str) -> dt.date:
    """An argparse type: a calendar day written like 2026-11-30."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{value}” is not a date like 2026-11-30.") from None


def add_date_argument(parser: CommandParser) -> None:
    """`--date YYYY-MM-DD`: run as if today were that day (the daily tasks' commands)."""
    parser.add_argument("--date", type=iso_date, default=None, metavar="YYYY-MM-DD",
                        help="run as if today were this day (default: today)")
