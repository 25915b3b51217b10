"""A delaying TCP proxy on loopback, for measuring clients at real-world latency.

    python3 bench/lib/delayproxy.py --target 127.0.0.1:PORT --delay-ms 25 [--lifetime 1800]

Listens on 127.0.0.1 (a free port, printed as "listening on 127.0.0.1:PORT") and forwards every
connection to --target, holding every chunk for --delay-ms in each direction (so a round trip costs
twice the delay), in order. It connects only to a loopback target and exits after --lifetime seconds.
TLS passes through untouched: the client talks to the target's certificate.
"""
import argparse
import asyncio
import ipaddress
import sys
import time


async def pump(reader, writer, delay):
    """Copies reader to writer, each chunk delivered `delay` seconds after it arrived."""
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, chunk = await queue.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if chunk is None:
                try:
                    writer.write_eof()
                except (OSError, RuntimeError):
                    pass
                return
            writer.write(chunk)
            await writer.drain()

    sender = asyncio.ensure_future(deliver())
    try:
        while True:
            chunk = await reader.read(65536)
            queue.put_nowait((time.monotonic() + delay, chunk or None))
            if not chunk:
                break
        await sender
    except (ConnectionError, OSError):
        sender.cancel()


async def handle(client_reader, client_writer, target, delay):
    host, port = target
    try:
        upstream_reader, upstream_writer = await asyncio.open_connection(host, port)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(
        pump(client_reader, upstream_writer, delay),
        pump(upstream_reader, client_writer, delay),
        return_exceptions=True,
    )
    for writer in (client_writer, upstream_writer):
        writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--delay-ms", type=float, default=25.0)
    parser.add_argument("--lifetime", type=float, default=1800.0)
    args = parser.parse_args()
    host, _, port = args.target.rpartition(":")
    if not ipaddress.ip_address(host.strip("[]")).is_loopback:
        sys.exit("delayproxy: the target must be a loopback address")
    target = (host.strip("[]"), int(port))
    delay = args.delay_ms / 1000.0
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, target, delay), "127.0.0.1", 0, limit=1 << 20)
    print(f"listening on 127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await asyncio.sleep(args.lifetime)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
