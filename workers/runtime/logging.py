"""structlog, configured once per process.

JSON lines when the output is not a terminal (a log store reads them), a coloured console on a
terminal. Standard-library loggers (temporalio, aiokafka, faststream) go through the same
processors, so their lines are formatted and redacted the same way.
"""

import logging
import sys

import structlog

from workers.runtime.redaction import redact_personal_data
from workers.runtime.settings import LogFormat, Settings


class _Sortie(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler whose errors never print the record: the standard `handleError` writes
    the raw message and its arguments to stderr, before any redaction."""

    def emit(self, record: logging.LogRecord) -> None:
        # a stream closed since logging was configured (the stderr a test captured, then
        # closed): write to the stderr of now instead
        # (not `setStream`: it flushes the closed stream first, which fails; `handle` holds
        # the handler's lock here)
        if getattr(self.stream, "closed", False) and sys.stderr is not self.stream:
            self.stream = sys.stderr
        super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        if logging.raiseExceptions and sys.stderr:
            kind = type(sys.exc_info()[1]).__name__
            sys.stderr.write(f"journalisation en échec ({kind}) pour {record.name}\n")


def configure_logging(settings: Settings) -> None:
    use_json = settings.log_format is LogFormat.JSON or (
        settings.log_format is LogFormat.AUTO and not sys.stderr.isatty()
    )
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if use_json
        else structlog.dev.ConsoleRenderer()
    )
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_personal_data,
            renderer,
        ],
    )
    handler = _Sortie(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    # FastStream logs two INFO lines per record (DESIGN.md, "Known pitfalls"): warnings only.
    logging.getLogger("faststream").setLevel(max(root.level, logging.WARNING))
    logging.getLogger("aiokafka").setLevel(max(root.level, logging.WARNING))
    logging.getLogger("alembic").setLevel(max(root.level, logging.WARNING))
