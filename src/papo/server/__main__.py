"""``papo-server`` / ``python servidor.py``: options, logging, the event loop, signals."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial

from papo import __version__
from papo.cli import (
    format_address,
    read_again_signal,
    show_what_the_encoding_can,
    speaking,
    stop_signals,
)
from papo.hub.backplane import Backplane
from papo.hub.memory import MemoryHub
from papo.hub.redis_url import shown_url
from papo.hub.store import LogStore, StoreError
from papo.protocol.i18n import translation
from papo.python310 import LoopFactory, run
from papo.server import notify
from papo.server.app import ChatServer
from papo.server.config import ServerConfig, chat_wide, parse_config
from papo.server.fdlimit import fit_client_limit
from papo.server.listen import cannot_listen
from papo.server.metrics import Metric, chat_metrics, process_metrics, render
from papo.server.metrics_http import MetricsServer
from papo.server.reach import say_how_to_join
from papo.server.replica import Replica
from papo.server.workers import READY_LINE, run_workers

log = logging.getLogger("papo.server")


async def serve(config: ServerConfig, hub: MemoryHub | None) -> None:
    """Run until SIGINT, SIGTERM or SIGHUP, then shut down gracefully. Without a hub of this
    process, the chat is shared through Redis (``--redis``)."""
    config = replace(config, max_clients=fit_client_limit(config.max_clients))
    backplane = None
    if hub is None:
        backplane = await shared_hub(config)
        server = ChatServer(config, backplane, backplane)
        backplane.follow(Replica(server))
    else:
        server = ChatServer(config, hub)  # the hub is handed to the server
    try:
        await run_until_stopped(config, server)
    finally:
        if backplane is not None:
            await backplane.close()
    if server.evicted:  # a supervisor (--workers, systemd) starts it again, as a new server
        _ = translation(config.language).gettext
        raise SystemExit(_("papo-server: the other servers took this one for dead: stopped"))


async def shared_hub(config: ServerConfig) -> Backplane:
    """The Redis hub, started (imported only here: without --redis, no extra is needed)."""
    _ = translation(config.language).gettext
    try:
        from papo.hub.redis_hub import OLDEST_REDIS, RedisHub, RedisTooOld, SettingsDiffer
    except ImportError:
        raise SystemExit(
            _("papo-server: --redis needs the redis extra: pip install 'papo[redis]'")
        ) from None
    from redis.exceptions import AuthenticationError, RedisError
    from redis.exceptions import ConnectionError as RedisUnreachable

    assert config.redis is not None
    shown = shown_url(config.redis)
    ours = chat_wide(config)
    try:
        hub = RedisHub(config.redis, config.log_size, lease=config.lease, settings=ours)
        await hub.start()
    except RedisTooOld as error:
        old = _(
            "papo-server: --redis {url} runs Redis {version}; papo needs Redis {oldest} or later"
        )
        oldest = ".".join(map(str, OLDEST_REDIS))
        raise SystemExit(old.format(url=shown, version=error.version, oldest=oldest)) from None
    except SettingsDiffer as error:
        theirs = ", ".join(f"{option} {value}" for option, value in error.differ.items())
        mine = ", ".join(f"{option} {ours[option]}" for option in error.differ)
        differ = _(
            "papo-server: the servers of this chat run with {theirs}; this one has {mine}: "
            "start every server of one chat with the same (a server stopped less than "
            "--lease seconds ago still counts)"
        )
        raise SystemExit(differ.format(theirs=theirs, mine=mine)) from None
    except AuthenticationError as error:
        refused = _(
            "papo-server: --redis {url}: Redis asks for a password, or refused this one; "
            "it goes in the URL: redis://:PASSWORD@HOST:6379/0 (Redis said: {said})"
        )
        raise SystemExit(refused.format(url=shown, said=error)) from None
    except RedisUnreachable as error:
        unreachable = _(
            "papo-server: --redis {url}: no Redis answers there; is redis-server running, on "
            "that host and port? ({said})"
        )
        raise SystemExit(unreachable.format(url=shown, said=error)) from None
    except (RedisError, OSError, ValueError) as error:
        raise SystemExit(f"papo-server: --redis {shown}: {error}") from None
    return hub


async def run_until_stopped(config: ServerConfig, server: ChatServer) -> None:
    loop_name = type(asyncio.get_running_loop()).__module__.split(".")[0]
    metrics = MetricsServer(partial(metrics_text, server, loop_name, time.time()))
    try:
        addresses = await server.start()
        scraped = await metrics.start(*config.metrics) if config.metrics else []
    except BaseException:
        server.give_back_holds()
        raise
    # The signals are taken before anybody is told the server is up: a SIGUSR1 or SIGTERM
    # sent on seeing it must not find them ignored, or their default (the end) in place.
    stop_on_signals(asyncio.get_running_loop(), server.stop_requested.set)
    manager = notify.ServiceManager()
    reload_signal = read_again_signal()
    if reload_signal is not None:
        asyncio.get_running_loop().add_signal_handler(reload_signal, read_again, server, manager)
    scheme = "tls" if config.tls_cert else "tcp"
    for host, port in addresses:
        # Tests and scripts read this line to learn the port when started with --port 0.
        print(f"papo listening on {scheme}://{format_address(host, port)}", flush=True)
    for host, port, irc_tls in server.doors.irc_addresses:  # after the papo ones, read first
        irc_scheme = "ircs" if irc_tls else "irc"  # as IRC clients write an address (RFC 7194)
        print(f"papo listening on {irc_scheme}://{format_address(host, port)}", flush=True)
    for host, port in scraped:
        print(f"papo listening on http://{format_address(host, port)}/metrics", flush=True)
        log.info("metrics at http://%s/metrics", format_address(host, port))
    if os.environ.get("PAPO_WORKER"):  # its parent waits for this, and says the rest
        print(READY_LINE, flush=True)
    else:
        hosts, irc = [host for host, _ in addresses], server.doors.irc_ports
        say_how_to_join(config, hosts, addresses[0][1], irc.get(False), irc.get(True))
    log.info("papo %s ready, language %s, event loop %s", __version__, config.language, loop_name)
    manager.ready(f"listening on port {addresses[0][1]}")
    await server.stop_requested.wait()
    told = len(server.fanout.outlets)
    log.info("stopping; connections to tell: %d", told)
    manager.stopping(f"stopping: telling {told} connections")
    metrics.close()
    await server.shutdown()


def metrics_text(server: ChatServer, loop_name: str, started: float) -> str:
    """What ``/metrics`` answers, made when it is asked."""
    info = Metric("papo_info", "gauge", "This server's papo and event loop",
                  (({"version": __version__, "loop": loop_name}, 1.0),))  # fmt: skip
    chat = chat_metrics(server.counters, server.census())
    return render([info, *chat, *process_metrics(started)])


def read_again(server: ChatServer, manager: notify.ServiceManager) -> None:
    """SIGUSR1, with the service manager told (``ExecReload=kill -USR1 $MAINPID``)."""
    with manager.reloading():
        server.read_files_again()


def stop_on_signals(loop: asyncio.AbstractEventLoop, stop: Callable[[], object]) -> None:
    """``stop`` on SIGINT, SIGTERM or SIGHUP, called in the event loop. Windows's event loop
    takes no signal handlers: a plain one hands the call to the loop there (the manual's
    reader may run the server from the Windows command prompt)."""
    for signum in (signal.SIGINT, *stop_signals()):
        try:
            loop.add_signal_handler(signum, stop)
        except NotImplementedError:
            signal.signal(signum, lambda number, frame: loop.call_soon_threadsafe(stop))


def loop_factory(choice: str) -> LoopFactory | None:
    """uvloop when installed (the ``fast`` extra) or asked for; the standard loop otherwise."""
    if choice == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise SystemExit("papo-server: --loop uvloop, but uvloop is not installed") from None
        return None
    factory: LoopFactory = uvloop.new_event_loop
    return factory


def main(argv: Sequence[str] | None = None) -> int:
    show_what_the_encoding_can()
    reload_signal = read_again_signal()
    if reload_signal is not None:  # until the server can, rather than die of it (the default)
        signal.signal(reload_signal, signal.SIG_IGN)
    config = parse_config(argv, os.environ)
    worker = os.environ.get("PAPO_WORKER")  # the workers share their parent's log
    logging.basicConfig(
        level=config.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s"
        + (f" (worker {worker})" if worker else "")
        + ": %(message)s",
        stream=sys.stderr,
    )
    if config.workers > 1:
        return run_workers(config, sys.argv[1:] if argv is None else list(argv))
    try:
        with speaking(translation(config.language)):  # what stops the start, in its language
            store = None
            if config.store is not None:
                store = LogStore(config.store, config.history_days)
    except StoreError as error:
        print(f"papo-server: --store {error}", file=sys.stderr)
        return 1
    hub = MemoryHub(config.log_size, store=store) if config.redis is None else None
    try:
        run(serve(config, hub), loop_factory(config.loop))
    except OSError as error:
        print(cannot_listen(error, config.language), file=sys.stderr)
        return 1
    finally:
        if hub is not None:
            hub.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
