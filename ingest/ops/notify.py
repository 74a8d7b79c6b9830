"""Tell on-call when a run fails: zonewatch builds the message (task, run, the gate's
summary and report path, the log URL) and Airflow's own notifiers send it where the
``zonewatch_notify`` connection points.

``ZonewatchNotifier`` is the DAG's ``on_failure_callback``. The connection (Airflow
connection id ``zonewatch_notify``; ``AIRFLOW_CONN_ZONEWATCH_NOTIFY`` works) decides the
notifier, and the provider's hook reads the connection in its own terms:

* ``http`` / ``https``: ``HttpNotifier`` (``apache-airflow-providers-http``) POSTs the JSON
  payload through ``HttpHook``. Put the whole webhook URL in ``host``, e.g.
  ``AIRFLOW_CONN_ZONEWATCH_NOTIFY='{"conn_type": "http",
  "host": "https://hooks.local:8443/zonewatch"}'``. (In the URI form HttpHook reads the
  path as the URL *scheme*, so ``http://hooks.local/zonewatch`` is refused with a hint.)
  login/password are basic auth; other extras are HttpHook's (``timeout``, ``verify``,
  ``proxies``; anything else becomes a request header).
* ``smtp``: ``SmtpNotifier`` (``apache-airflow-providers-smtp``) sends one mail through
  ``SmtpHook``. zonewatch's extra ``to`` (comma-separated) names the recipients; the sender
  is extra ``from_email`` (or ``from``, else the login, else ``zonewatch@localhost``).
  SmtpHook connects with SSL and STARTTLS unless extras ``disable_ssl`` / ``disable_tls``
  say otherwise; ``timeout`` and ``retry_limit`` are its extras too, e.g.
  ``AIRFLOW_CONN_ZONEWATCH_NOTIFY='smtp://mail.local:465?to=oncall%40example.com'``.

No connection: the message is only logged. A failed send is one logged error line; it
never raises into the task, which has already failed.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from airflow.sdk import BaseNotifier

if TYPE_CHECKING:
    from airflow.sdk import Context

__all__ = [
    "CONN_ID", "TaskFailure", "ZonewatchNotifier", "notify_failure", "failure_from_context",
    "gate_details", "provider_notifier",
]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

CONN_ID = "zonewatch_notify"
SUMMARY_FILE = "summary.txt"
MAX_SUMMARY_CHARS = 20_000
TIMEOUT_S = 10.0
HTTP_SCHEMES = {"", "http", "https"}


@dataclass(frozen=True)
class TaskFailure:
    """What on-call needs to know about one failed task."""

    dag_id: str
    task_id: str
    run_id: str
    try_number: int | None
    error: str
    summary: str | None
    report_dir: str | None
    log_url: str | None

    @property
    def subject(self) -> str:
        what = "quality gate blocked publication" if self.task_id == "gate" else "task failed"
        return f"[zonewatch] {self.dag_id}.{self.task_id} {what} ({self.run_id})"

    @property
    def body(self) -> str:
        lines = [self.subject, "", f"error: {self.error}"]
        if self.report_dir:
            lines.append(f"report: {self.report_dir}")
        if self.log_url:
            lines.append(f"log: {self.log_url}")
        lines.append("run `zonewatch failures` for the failing expectations and pages")
        if self.summary:
            lines += ["", self.summary]
        return "\n".join(lines) + "\n"

    @property
    def html(self) -> str:
        """The body as HTML for SmtpHook (it sends text/html): escaped, layout kept."""
        return f"<pre>{html.escape(self.body)}</pre>"

    def to_payload(self) -> dict[str, Any]:
        return {
            "text": self.subject, "dag_id": self.dag_id, "task_id": self.task_id,
            "run_id": self.run_id, "try_number": self.try_number, "error": self.error,
            "summary": self.summary, "report_dir": self.report_dir, "log_url": self.log_url,
        }


# --- reading the failure ----------------------------------------------------------------

def gate_details(exc: BaseException | None) -> tuple[str | None, str | None]:
    """(summary_text, report_dir) carried by ``GateBlocked(summary_text, report_dir)``,
    by attribute or by position; (None, None) for any other exception."""
    if exc is None:
        return None, None
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()) or ())
    summary = next((getattr(exc, a) for a in ("summary_text", "summary")
                    if isinstance(getattr(exc, a, None), str)), None)
    if summary is None and args and isinstance(args[0], str) and len(args) >= 2:
        summary = args[0]
    report = getattr(exc, "report_dir", None)
    if report is None and len(args) >= 2 and isinstance(args[1], (str, Path)):
        report = args[1]
    return summary, (str(report) if report else None)


def _report_dir_from_xcom(ti: Any) -> str | None:
    """The run's report dir from an upstream task's XCom ``{"cfg": RunConfig dict}``."""
    upstream = sorted(getattr(getattr(ti, "task", None), "upstream_task_ids", ()) or ())
    for task_id in upstream:
        try:
            value = ti.xcom_pull(task_ids=task_id)
        except Exception:  # noqa: BLE001 - notification must not mask the real failure
            logger.warning("could not read XCom of %s", task_id, exc_info=True)
            continue
        cfg = value.get("cfg") if isinstance(value, Mapping) else None
        if isinstance(cfg, Mapping) and cfg.get("workdir") and cfg.get("run_id"):
            return str(Path(str(cfg["workdir"])) / "reports" / str(cfg["run_id"]))
    return None


def _read_summary(report_dir: str | None) -> str | None:
    if not report_dir:
        return None
    path = Path(report_dir) / SUMMARY_FILE
    try:
        return path.read_text(encoding="utf-8")[:MAX_SUMMARY_CHARS]
    except OSError:
        return None


def failure_from_context(context: Mapping[str, Any]) -> TaskFailure:
    """Build the ``TaskFailure`` from an Airflow callback context (exception, ti, XCom,
    report dir); every piece is optional."""
    exc = context.get("exception")
    ti = context.get("ti") or context.get("task_instance")
    summary, report_dir = gate_details(exc if isinstance(exc, BaseException) else None)
    gated = summary is not None
    if report_dir is None and ti is not None:
        report_dir = _report_dir_from_xcom(ti)
    if summary is None:
        summary = _read_summary(report_dir)
    dag_run = context.get("dag_run")
    if exc is None:
        error = "unknown error"
    elif gated:  # GateBlocked's args are (summary, report_dir): name it, the summary follows
        error = f"{type(exc).__name__}: the quality gate blocked publication"
    else:
        error = f"{type(exc).__name__}: {exc}"[:2000]
    return TaskFailure(
        dag_id=str(getattr(ti, "dag_id", None) or getattr(dag_run, "dag_id", "") or "?"),
        task_id=str(getattr(ti, "task_id", None) or "?"),
        run_id=str(context.get("run_id") or getattr(ti, "run_id", None) or "?"),
        try_number=getattr(ti, "try_number", None),
        error=error,
        summary=summary[:MAX_SUMMARY_CHARS] if summary else None,
        report_dir=report_dir,
        log_url=getattr(ti, "log_url", None),
    )


# --- the connection ------------------------------------------------------------------

def _load_connection(conn_id: str) -> Any | None:
    """The Airflow connection, or None when it is not configured."""
    try:
        from airflow.sdk import Connection
        from airflow.sdk.exceptions import AirflowNotFoundException
    except ImportError:
        logger.info("Airflow not importable: no %s connection, logging only", conn_id)
        return None
    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        logger.info("no %s connection configured: logging only", conn_id)
    except Exception:  # noqa: BLE001 - a broken secrets backend must not hide the failure
        logger.exception("could not read connection %s: logging only", conn_id)
    return None


# --- where to send: the provider's notifier for the connection's type -------------------

def _recipients(extra: Mapping[str, Any]) -> list[str]:
    to = extra.get("to") or extra.get("to_address") or ""
    parts = to if isinstance(to, list) else str(to).split(",")
    return [a.strip() for a in parts if str(a).strip()]


def _http_notifier(conn: Any, failure: TaskFailure, conn_id: str) -> BaseNotifier:
    from airflow.providers.http.notifications import HttpNotifier

    host = getattr(conn, "host", None) or ""
    schema = getattr(conn, "schema", None) or ""
    if "://" not in host and schema.lower() not in HTTP_SCHEMES:
        port = getattr(conn, "port", None)
        where = (host or "hooks.local") + (f":{port}" if port else "")
        raise ValueError(
            f"connection {conn_id}: HttpHook reads the URI path {schema!r} as the URL scheme; "
            f"put the whole webhook URL in host, e.g. "
            f'{{"conn_type": "http", "host": "http://{where}/{schema}"}}')
    extra = getattr(conn, "extra_dejson", None) or {}
    options = {} if "timeout" in extra else {"timeout": TIMEOUT_S}
    return HttpNotifier(http_conn_id=conn_id, json=failure.to_payload(),
                        extra_options=options)


def _smtp_notifier(conn: Any, failure: TaskFailure, conn_id: str) -> BaseNotifier:
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    extra = getattr(conn, "extra_dejson", None) or {}
    to = _recipients(extra)
    if not to:
        raise ValueError(f"connection {conn_id}: smtp needs extra 'to'")
    if "starttls" in extra:
        logger.warning("connection %s: extra 'starttls' is ignored; SmtpHook uses SSL and "
                       "STARTTLS unless extras disable_ssl / disable_tls are true", conn_id)
    sender = (extra.get("from_email") or extra.get("from") or getattr(conn, "login", None)
              or "zonewatch@localhost")
    return SmtpNotifier(smtp_conn_id=conn_id, to=to, from_email=str(sender),
                        subject=failure.subject, html_content=failure.html)


def provider_notifier(conn: Any, failure: TaskFailure, conn_id: str = CONN_ID) -> BaseNotifier:
    """The Airflow provider notifier that sends ``failure`` for this connection:
    ``HttpNotifier`` for http/https, ``SmtpNotifier`` for smtp; anything else raises."""
    conn_type = (getattr(conn, "conn_type", None) or "").lower()
    if conn_type in {"http", "https"}:
        return _http_notifier(conn, failure, conn_id)
    if conn_type in {"smtp", "email"}:
        return _smtp_notifier(conn, failure, conn_id)
    raise ValueError(f"connection {conn_id}: conn_type {conn_type!r} is not http or smtp")


def notify_failure(context: Mapping[str, Any], conn_id: str = CONN_ID) -> TaskFailure:
    """Log the failure and its gate summary, then send them with the provider notifier the
    connection picks. Never raises: a failed send is one logged error line."""
    failure = failure_from_context(context)
    logger.error("%s", failure.body)
    conn = _load_connection(conn_id)
    if conn is None:
        return failure
    try:
        # notify(), not __call__: the provider would render the payload as a Jinja
        # template, and a summary may contain "{{".
        provider_notifier(conn, failure, conn_id).notify(cast("Context", dict(context)))
        logger.info("failure notification sent via %s (%s)", conn_id, conn.conn_type)
    except Exception as e:  # noqa: BLE001 - the task already failed; say why the alert did not go
        logger.error("could not send the failure notification via %s: %s: %s",
                     conn_id, type(e).__name__, " ".join(str(e).split()))  # one line
    return failure


class ZonewatchNotifier(BaseNotifier):
    """The DAG's ``on_failure_callback``: an Airflow notifier that builds zonewatch's
    failure message and hands it to the provider notifier for ``conn_id``."""

    template_fields = ()  # nothing to render; the message is built from the context

    def __init__(self, conn_id: str = CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.conn_id = conn_id

    def notify(self, context: Any) -> None:
        notify_failure(context, self.conn_id)
