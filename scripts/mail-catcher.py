#!/usr/bin/python3
"""A local SMTP server that keeps every message it is given as a file.

`make run` starts it (when SMTP_URL is not set) so a newcomer reads the
demo's mail in $INTERLIBRARY_STATE/mail/ (one .eml file a message, any
mail client or text editor opens it); `make test` starts it for the mail
tests.  It listens on 127.0.0.1 only and never relays anything.

    mail-catcher.py --port 2525 --dir /path/to/mail [--delay-ms N]

Test hooks, by the recipient's local part: bounce...@ is refused for good
at RCPT (550 5.1.1), busy...@ for now (451 4.2.1).  --delay-ms slows each
DATA (the tests kill the sender while it is draining).

Debian's python3-aiosmtpd (scripts/install-deps.sh installs it).
"""

import argparse
import asyncio
import email.parser
import email.policy
import itertools
import os
import signal
import sys
import time

from aiosmtpd.controller import Controller


class Keeper:
    def __init__(self, folder, delay_ms, quiet):
        self.folder = folder
        self.delay = delay_ms / 1000.0
        self.quiet = quiet
        self.seq = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, options):
        local = address.split('@', 1)[0].lower()
        if local.startswith('bounce'):
            return '550 5.1.1 mailbox unavailable'
        if local.startswith('busy'):
            return '451 4.2.1 mailbox busy, try again later'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        name = '%d-%06d.eml' % (time.time_ns(), next(self.seq))
        tmp = os.path.join(self.folder, '.' + name + '.tmp')
        with open(tmp, 'wb') as f:
            f.write(b'X-Envelope-From: ' + envelope.mail_from.encode() +
                    b'\r\nX-Envelope-To: ' +
                    ', '.join(envelope.rcpt_tos).encode() + b'\r\n')
            f.write(envelope.original_content)
        # Readers never see half a message.
        os.rename(tmp, os.path.join(self.folder, name))
        if not self.quiet:
            head = email.parser.BytesHeaderParser(
                policy=email.policy.default).parsebytes(
                    envelope.original_content)
            print('mail: %s to %s: %s' % (name, ', '.join(envelope.rcpt_tos),
                  head.get('Subject', '')), flush=True)
        return '250 2.0.0 kept'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--dir', required=True)
    ap.add_argument('--delay-ms', type=int, default=0)
    ap.add_argument('--quiet', action='store_true')
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    controller = Controller(Keeper(args.dir, args.delay_ms, args.quiet),
                            hostname='127.0.0.1', port=args.port,
                            data_size_limit=10 * 1024 * 1024)
    try:
        controller.start()
    except (OSError, RuntimeError) as e:
        print('mail-catcher: cannot listen on 127.0.0.1:%d: %s' %
              (args.port, e), file=sys.stderr)
        sys.exit(1)
    print('mail-catcher: listening on 127.0.0.1:%d, keeping mail in %s' %
          (args.port, args.dir), flush=True)
    stop = []
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, lambda *_: stop.append(1))
    while not stop:
        signal.pause()
    controller.stop()


if __name__ == '__main__':
    main()
