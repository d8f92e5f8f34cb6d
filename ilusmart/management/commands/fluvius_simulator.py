"""``manage.py fluvius_simulator``: run the local Fluvius simulator (development and tests only)."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ilusmart.fluvius.simulator.app import build_server
from ilusmart.fluvius.simulator.config import SimulatorConfig
from ilusmart.fluvius.simulator.state import SimulatorState


class Command(BaseCommand):
    help = "Run the local Fluvius API simulator (refuses unless FLUVIUS_SIMULATOR_ENABLED)."
    # It needs no database and must start even while other apps' checks would complain.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8099)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--state", default=None, help="JSON file that keeps the state across restarts")
        parser.add_argument(
            "--rate-limit", type=int, default=60, help="requests per minute per key (0 = off)"
        )
        parser.add_argument("--verbose-requests", action="store_true", help="log every request to stderr")

    def handle(self, *args, **options):
        if not settings.FLUVIUS_SIMULATOR_ENABLED:
            raise CommandError(
                "The Fluvius simulator is a development tool: set FLUVIUS_SIMULATOR_ENABLED=true."
            )
        config = SimulatorConfig.from_settings(settings, rate_limit_per_minute=options["rate_limit"])
        state = SimulatorState(options["state"])
        try:
            server, app = build_server(
                options["host"], options["port"], state, config, quiet=not options["verbose_requests"]
            )
        except OSError as exc:
            raise CommandError(f"cannot listen on {options['host']}:{options['port']}: {exc}") from exc
        host, port = server.server_address[:2]
        self.stdout.write(f"Fluvius simulator listening on http://{host}:{port}")
        self.stdout.flush()
        sys.stdout.flush()
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            app.stopping.set()
            server.server_close()
