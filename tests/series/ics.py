#!/usr/bin/python3
"""Expand an iCalendar feed with recurring_ical_events, as a calendar
client would (tests/api/series.test.mjs).

    ics.py FROM TO < feed.ics

FROM and TO are RFC 3339 instants.  Writes a JSON array, in start order,
of every event occurrence that starts in [FROM, TO): {uid, starts_at,
ends_at (UTC, "YYYY-MM-DDTHH:MM:SSZ"), status, summary, url}."""

import json
import sys
from datetime import datetime, timezone

import icalendar
import recurring_ical_events


def utc(value):
    return value.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def main():
    lo = datetime.fromisoformat(sys.argv[1].replace('Z', '+00:00'))
    hi = datetime.fromisoformat(sys.argv[2].replace('Z', '+00:00'))
    cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
    out = []
    for ev in recurring_ical_events.of(cal).between(lo, hi):
        start = ev['DTSTART'].dt
        if start < lo:
            continue
        out.append({'uid': str(ev['UID']), 'starts_at': utc(start),
                    'ends_at': utc(ev['DTEND'].dt if 'DTEND' in ev
                                   else start + ev['DURATION'].dt),
                    'status': str(ev.get('STATUS', '')),
                    'summary': str(ev.get('SUMMARY', '')),
                    'url': str(ev.get('URL', ''))})
    out.sort(key=lambda e: (e['starts_at'], e['uid']))
    print(json.dumps(out))


main()
