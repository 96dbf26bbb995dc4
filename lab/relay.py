#!/usr/bin/env python3
"""TCP relay for the lab's clear-text IMAP and POP3 ports.

Dovecot 2.3 treats a connection whose remote address equals its local
address (127.0.0.1 -> 127.0.0.1) as "secured", so disable_plaintext_auth
never applies on loopback: AUTH=PLAIN and LOGIN would be offered before
STARTTLS. This relay listens on the public port and connects to Dovecot's
internal port from another loopback address (--source, 127.0.0.2), so
Dovecot sees an ordinary, unsecured client. Bytes pass through unchanged,
STARTTLS included; half-closes are forwarded.

usage: relay.py --source 127.0.0.2 --pidfile F LISTEN_PORT=TARGET_PORT...
(both on 127.0.0.1)
"""
import argparse
import asyncio
import os
import signal
import socket
import sys

HOST = "127.0.0.1"
CHUNK = 256 * 1024


async def pump(reader, writer):
    try:
        while True:
            data = await reader.read(CHUNK)
            if not data:
                break
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError):
        writer.transport.abort()


async def serve(client_reader, client_writer, target, source):
    try:
        up_reader, up_writer = await asyncio.open_connection(
            HOST, target, local_addr=(source, 0))
    except OSError as e:
        print(f"relay: connect to {HOST}:{target} failed: {e}", file=sys.stderr, flush=True)
        client_writer.transport.abort()
        return
    for w in (client_writer, up_writer):
        sock = w.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    await asyncio.gather(pump(client_reader, up_writer), pump(up_reader, client_writer))
    for w in (client_writer, up_writer):
        w.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("pairs", nargs="+")
    args = ap.parse_args()
    servers = []
    for pair in args.pairs:
        listen, target = (int(x) for x in pair.split("="))
        servers.append(await asyncio.start_server(
            lambda r, w, t=target: serve(r, w, t, args.source),
            HOST, listen, reuse_address=True, backlog=256))
    with open(args.pidfile + ".tmp", "w") as f:
        f.write(f"{os.getpid()}\n")
    os.replace(args.pidfile + ".tmp", args.pidfile)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for s in servers:
        s.close()
    try:
        os.unlink(args.pidfile)
    except OSError:
        pass


if __name__ == "__main__":
    asyncio.run(main())
