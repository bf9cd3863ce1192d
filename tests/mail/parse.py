#!/usr/bin/python3
"""Read mail the way mail clients do, for the mail tests.

    parse.py FILE...    one JSON object per file, as a JSON array

Each message is parsed by Python's email package (the strict default
policy: a header it cannot read is an error, not a guess) and its
calendar part by the icalendar package (Debian python3-icalendar).  The
tests compare what comes out, never the raw bytes.
"""

import email
import email.policy
import json
import sys

import icalendar


def calendar(part):
    cal = icalendar.Calendar.from_ical(part.get_content())
    events = []
    for ev in cal.walk('VEVENT'):
        events.append({
            'uid': str(ev.get('UID')),
            'summary': str(ev.get('SUMMARY')),
            'dtstart': ev.decoded('DTSTART').isoformat(),
            'dtend': ev.decoded('DTEND').isoformat(),
            'status': str(ev.get('STATUS', '')),
            'sequence': int(ev.get('SEQUENCE', 0)),
            'location': str(ev.get('LOCATION', '')),
            'url': str(ev.get('URL', '')),
        })
    return {'method': str(cal.get('METHOD', '')), 'events': events,
            'content_type': part.get_content_type(),
            'params': dict(part.get_params()[1:]),
            'filename': part.get_filename()}


def parse(path):
    with open(path, 'rb') as f:
        msg = email.message_from_binary_file(f, policy=email.policy.strict)
    out = {'file': path, 'headers': {}, 'content_type': msg.get_content_type(),
           'defects': [str(d) for d in msg.defects]}
    for name in ('From', 'To', 'Subject', 'Message-ID', 'Date',
                 'List-Unsubscribe', 'List-Unsubscribe-Post',
                 'Auto-Submitted', 'X-Envelope-To'):
        if msg[name] is not None:
            out['headers'][name] = str(msg[name])
    out['to'] = [a.addr_spec for a in msg['To'].addresses]
    plain = msg.get_body(('plain',))
    html = msg.get_body(('html',))
    out['text'] = plain.get_content() if plain is not None else None
    out['html'] = html.get_content() if html is not None else None
    out['parts'] = [p.get_content_type() for p in msg.walk()]
    out['calendar'] = None
    for part in msg.walk():
        out['defects'] += [str(d) for d in part.defects]
        if part.get_content_type() == 'text/calendar':
            out['calendar'] = calendar(part)
    return out


if __name__ == '__main__':
    json.dump([parse(p) for p in sys.argv[1:]], sys.stdout)
