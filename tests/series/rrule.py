#!/usr/bin/python3
"""Expand recurrence rules with python-dateutil, a second implementation
the API's (libical) is compared with (tests/api/series.test.mjs).

Reads a JSON array of {rule, dtstart, timezone} from stdin (dtstart a
local time "YYYY-MM-DDTHH:MM:SS" in the IANA zone timezone; rule an RRULE
value, UNTIL a date or a UTC date-time) and writes a JSON array of
{starts_at, occurrences}: the instant of dtstart and of every occurrence,
as "YYYY-MM-DDTHH:MM:SSZ".  Local times are read as RFC 5545 says: one
that occurs twice is the first, one that does not occur is moved forward
by the gap.  A date UNTIL takes in every occurrence on that local day."""

import json
import re
import sys
from datetime import datetime, timezone

from dateutil import rrule, tz


def instant(dt):
    if not tz.datetime_exists(dt):
        dt = tz.resolve_imaginary(dt)
    return dt.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def expand(case):
    zone = tz.gettz(case['timezone'])
    if zone is None:
        raise SystemExit('unknown time zone ' + case['timezone'])
    start = datetime.fromisoformat(case['dtstart']).replace(tzinfo=zone)
    rule = re.sub(r'^RRULE:', '', case['rule'], flags=re.I).upper()
    m = re.search(r'UNTIL=(\d{8})(?=;|$)', rule)
    if m:
        day_end = datetime.strptime(m.group(1), '%Y%m%d').replace(
            hour=23, minute=59, second=59, tzinfo=zone)
        rule = rule.replace(m.group(0), 'UNTIL=' + day_end.astimezone(
            timezone.utc).strftime('%Y%m%dT%H%M%SZ'))
    got = rrule.rrulestr(rule, dtstart=start)
    return {'starts_at': instant(start),
            'occurrences': [instant(dt) for dt in got[:1000]]}


print(json.dumps([expand(c) for c in json.load(sys.stdin)]))
