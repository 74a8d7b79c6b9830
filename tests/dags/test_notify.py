"""Failure notifications through Airflow's HttpNotifier / SmtpNotifier: webhook to a local
HTTP server, mail to a local SMTP sink, the connection from AIRFLOW_CONN_ZONEWATCH_NOTIFY.

Both servers bind 127.0.0.1 on a free port, run in a daemon thread and are shut down when
the test ends. No network, no sleeps: each test waits on the server's own event.
"""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from airflow.providers.http.hooks.http import HttpHook
from airflow.providers.http.notifications import HttpNotifier
from airflow.providers.smtp.hooks.smtp import SmtpHook
from airflow.providers.smtp.notifications.smtp import SmtpNotifier
from airflow.sdk import BaseNotifier

from ingest.ops import notify
from ingest.ops.notify import (
    ZonewatchNotifier,
    failure_from_context,
    gate_details,
    notify_failure,
    provider_notifier,
)

HOST = "127.0.0.1"
WAIT_S = 10.0


# --- a webhook receiver -----------------------------------------------------------------

@dataclass
class Hook:
    url: str
    requests: list[tuple[str, dict, dict]] = field(default_factory=list)
    got: threading.Event = field(default_factory=threading.Event)
    status: int = 204


@pytest.fixture
def webhook() -> Iterator[Hook]:
    hook = Hook(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hook.requests.append((self.path, dict(self.headers), json.loads(body)))
            self.send_response(hook.status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            hook.got.set()

    httpd = ThreadingHTTPServer((HOST, 0), Handler)
    httpd.daemon_threads = True
    hook.url = f"http://{HOST}:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield hook
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(WAIT_S)


# --- a tiny SMTP sink (aiosmtpd is not a dependency) -------------------------------------

@dataclass
class Mail:
    sender: str
    rcpts: list[str]
    data: bytes

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class SmtpSink:
    host: str
    port: int
    mails: list[Mail] = field(default_factory=list)
    got: threading.Event = field(default_factory=threading.Event)


def _smtp_handler(sink: SmtpSink) -> type[socketserver.StreamRequestHandler]:
    class Handler(socketserver.StreamRequestHandler):
        timeout = WAIT_S

        def reply(self, line: str) -> None:
            self.wfile.write(line.encode() + b"\r\n")

        def handle(self) -> None:
            self.reply("220 sink ESMTP")
            sender, rcpts = "", []
            while line := self.rfile.readline():
                cmd = line.decode("utf-8", "replace").strip()
                verb = cmd.split(" ", 1)[0].upper()
                if verb in {"EHLO", "HELO"}:
                    self.reply("250 sink")
                elif verb == "MAIL":
                    sender, rcpts = cmd.split(":", 1)[1].strip().split()[0].strip("<>"), []
                    self.reply("250 OK")
                elif verb == "RCPT":
                    rcpts.append(cmd.split(":", 1)[1].strip().strip("<>"))
                    self.reply("250 OK")
                elif verb == "DATA":
                    self.reply("354 end with <CRLF>.<CRLF>")
                    chunks = []
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        chunks.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                    sink.mails.append(Mail(sender, rcpts, b"".join(chunks)))
                    self.reply("250 queued")
                    sink.got.set()
                elif verb in {"RSET", "NOOP"}:
                    self.reply("250 OK")
                elif verb == "QUIT":
                    self.reply("221 bye")
                    return
                else:
                    self.reply("502 not implemented")

    return Handler


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink(HOST, 0)
    server = socketserver.ThreadingTCPServer((HOST, 0), _smtp_handler(sink))
    sink.port = server.server_address[1]
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()
        thread.join(WAIT_S)


# --- a gate failure as Airflow hands it to the callback ---------------------------------

class GateBlocked(Exception):
    """Shaped like ingest.pipeline.GateBlocked(summary_text, report_dir)."""

    def __init__(self, summary_text: str, report_dir: str) -> None:
        super().__init__(summary_text, report_dir)


SUMMARY = "质量闸门: 2 项阻断性检查未通过\nfct_investment.value not null: 3 rows\n"


def _ti(xcom: dict | None = None, task_id: str = "gate"):
    return SimpleNamespace(
        dag_id="zonewatch_pipeline", task_id=task_id, run_id="manual__2025-06-01",
        try_number=1, log_url="http://airflow.local/log",
        task=SimpleNamespace(upstream_task_ids={"dbt_build"}),
        xcom_pull=lambda task_ids=None: xcom,
    )


# --- reading the failure ----------------------------------------------------------------

def test_gate_details_positional_and_attributes():
    assert gate_details(GateBlocked("s", "/r")) == ("s", "/r")
    e = RuntimeError("boom")
    assert gate_details(e) == (None, None)
    e2 = Exception()
    e2.summary_text, e2.report_dir = "t", "/q"  # type: ignore[attr-defined]
    assert gate_details(e2) == ("t", "/q")


def test_failure_from_exception(tmp_path):
    f = failure_from_context({"exception": GateBlocked(SUMMARY, str(tmp_path)), "ti": _ti(),
                              "run_id": "manual__2025-06-01"})
    assert f.summary == SUMMARY and f.report_dir == str(tmp_path)
    assert f.task_id == "gate" and "gate blocked" in f.subject
    assert SUMMARY in f.body and str(tmp_path) in f.body and "zonewatch failures" in f.body


def test_failure_summary_from_report_dir_via_xcom(tmp_path):
    report = tmp_path / "reports" / "run1"
    report.mkdir(parents=True)
    (report / "summary.txt").write_text(SUMMARY, encoding="utf-8")
    xcom = {"cfg": {"workdir": str(tmp_path), "run_id": "run1"}, "result": {}}
    f = failure_from_context({"exception": RuntimeError("GX crashed"), "ti": _ti(xcom)})
    assert f.report_dir == str(report)
    assert f.summary == SUMMARY
    assert f.error == "RuntimeError: GX crashed"


def test_failure_without_anything():
    f = failure_from_context({})
    assert f.summary is None and f.error == "unknown error"


# --- which provider notifier the connection picks ---------------------------------------

def _conn(**kw):
    base = {"conn_type": "http", "host": None, "port": None, "schema": None, "login": None,
            "password": None, "extra_dejson": {}}
    return SimpleNamespace(**{**base, **kw})


FAILURE = failure_from_context({"exception": GateBlocked(SUMMARY, "/r"), "ti": _ti()})


def test_http_connection_picks_the_http_providers_notifier():
    n = provider_notifier(_conn(host="https://hooks.local/zw"), FAILURE)
    assert isinstance(n, HttpNotifier)
    assert n.http_conn_id == "zonewatch_notify" and n.method == "POST"
    assert n.json == FAILURE.to_payload()
    assert n.extra_options == {"timeout": notify.TIMEOUT_S}  # never wait forever
    n = provider_notifier(_conn(conn_type="https", host="hooks.local", schema="https",
                                extra_dejson={"timeout": 3}), FAILURE)
    assert isinstance(n, HttpNotifier) and n.extra_options == {}  # the connection's timeout


def test_http_uri_path_is_refused_with_a_hint():
    # HttpHook reads the URI path as the URL scheme: say so instead of posting to nowhere
    with pytest.raises(ValueError, match="whole webhook URL in host"):
        provider_notifier(_conn(host="hooks.local", port=8080, schema="zonewatch/alert"),
                          FAILURE)


def test_smtp_connection_picks_the_smtp_providers_notifier():
    n = provider_notifier(_conn(conn_type="smtp", host="mail", port=2525,
                                extra_dejson={"to": "a@x.org, b@x.org", "from": "z@x.org"}),
                          FAILURE)
    assert isinstance(n, SmtpNotifier)
    assert (n.smtp_conn_id, n.to, n.from_email) == ("zonewatch_notify", ["a@x.org", "b@x.org"],
                                                    "z@x.org")
    assert n.subject == FAILURE.subject and "质量闸门" in n.html_content
    with pytest.raises(ValueError, match="to"):
        provider_notifier(_conn(conn_type="smtp", host="mail"), FAILURE)
    with pytest.raises(ValueError, match="conn_type"):
        provider_notifier(_conn(conn_type="postgres", host="db"), FAILURE)


def test_mail_body_is_escaped_html_that_keeps_the_layout():
    f = failure_from_context({"exception": GateBlocked("a < b & c\nline 2\n", "/r"), "ti": _ti()})
    assert f.html.startswith("<pre>") and "a &lt; b &amp; c\nline 2" in f.html


# --- the callback end to end, connection from the environment ---------------------------

def _spy(monkeypatch, cls, name):
    calls = []
    real = getattr(cls, name)

    def spy(self, *a, **kw):
        calls.append(kw)
        return real(self, *a, **kw)

    monkeypatch.setattr(cls, name, spy)
    return calls


def _http_conn(url: str) -> str:
    return json.dumps({"conn_type": "http", "host": url})


def test_notify_failure_webhook_from_env_connection(webhook, monkeypatch, tmp_path):
    runs = _spy(monkeypatch, HttpHook, "run")
    monkeypatch.setenv("AIRFLOW_CONN_ZONEWATCH_NOTIFY",
                       _http_conn(webhook.url + "/hooks/zonewatch"))
    notify_failure({"exception": GateBlocked(SUMMARY, str(tmp_path)), "ti": _ti()})
    assert webhook.got.wait(WAIT_S)
    assert len(runs) == 1  # the http provider's hook posted it
    path, headers, payload = webhook.requests[0]
    assert path == "/hooks/zonewatch"
    assert headers["Content-Type"].startswith("application/json")
    assert payload["summary"] == SUMMARY
    assert payload["report_dir"] == str(tmp_path)
    assert payload["dag_id"] == "zonewatch_pipeline" and payload["task_id"] == "gate"


def test_the_callback_is_an_airflow_notifier_that_posts(webhook, monkeypatch):
    # Airflow calls on_failure_callback(context): BaseNotifier.__call__ -> notify()
    monkeypatch.setenv("AIRFLOW_CONN_ZONEWATCH_NOTIFY", _http_conn(webhook.url + "/zw"))
    callback = ZonewatchNotifier()
    assert isinstance(callback, BaseNotifier)
    templated = "质量闸门 {{ ti.task_id }} {% raw %}\n"  # a summary is text, not a template
    callback({"exception": GateBlocked(templated, "/r"), "ti": _ti()})
    assert webhook.got.wait(WAIT_S)
    assert webhook.requests[0][2]["summary"] == templated


def test_notify_failure_email_from_env_connection(smtp_sink, monkeypatch, tmp_path):
    sends = _spy(monkeypatch, SmtpHook, "send_email_smtp")
    monkeypatch.setenv("AIRFLOW_CONN_ZONEWATCH_NOTIFY", json.dumps({
        "conn_type": "smtp", "host": smtp_sink.host, "port": smtp_sink.port,
        "extra": {"to": "oncall@example.org, data@example.org", "from": "zonewatch@example.org",
                  "disable_ssl": True, "disable_tls": True}}))  # the sink speaks plain SMTP
    notify_failure({"exception": GateBlocked(SUMMARY, str(tmp_path)), "ti": _ti()})
    assert smtp_sink.got.wait(WAIT_S)
    assert len(sends) == 1  # the smtp provider's hook sent it
    mail = smtp_sink.mails[0]
    assert mail.sender == "zonewatch@example.org"
    assert mail.rcpts == ["oncall@example.org", "data@example.org"]
    msg = mail.message
    assert "gate blocked" in msg["Subject"]
    body = msg.get_body(("html", "plain")).get_content()  # SmtpHook sends text/html
    assert "质量闸门" in body and str(tmp_path) in body and "zonewatch failures" in body


def test_notify_failure_without_connection_only_logs(monkeypatch, caplog):
    monkeypatch.delenv("AIRFLOW_CONN_ZONEWATCH_NOTIFY", raising=False)
    built = []
    monkeypatch.setattr(notify, "provider_notifier", lambda *a: built.append(a))
    with caplog.at_level("INFO", logger="ingest.ops.notify"):
        f = notify_failure({"exception": GateBlocked(SUMMARY, "/r"), "ti": _ti()})
    assert built == [] and f.summary == SUMMARY
    assert "质量闸门" in caplog.text


def _send_errors(caplog) -> list[str]:
    """Our 'could not send' records; each one line, without a traceback."""
    records = [r for r in caplog.records
               if r.name == "ingest.ops.notify" and "could not send" in r.getMessage()]
    assert all(r.exc_info is None and "\n" not in r.getMessage() for r in records)
    return [r.getMessage() for r in records]


def test_notify_failure_never_raises_when_the_notifier_is_down(monkeypatch, caplog):
    # a port nobody listens on: bind, note the port, close
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("AIRFLOW_CONN_ZONEWATCH_NOTIFY", _http_conn(f"http://{HOST}:{port}/x"))
    f = notify_failure({"exception": GateBlocked(SUMMARY, "/r"), "ti": _ti()})
    assert f.summary == SUMMARY
    [line] = _send_errors(caplog)  # one line, no traceback
    assert "could not send the failure notification via zonewatch_notify: ConnectionError" in line


def test_notify_failure_logs_a_server_error_once(webhook, monkeypatch, caplog):
    webhook.status = 500
    monkeypatch.setenv("AIRFLOW_CONN_ZONEWATCH_NOTIFY", _http_conn(webhook.url + "/x"))
    notify_failure({"exception": GateBlocked(SUMMARY, "/r"), "ti": _ti()})
    assert webhook.got.wait(WAIT_S)
    [line] = _send_errors(caplog)
    assert "500" in line


def test_notify_failure_logs_the_uri_path_hint(webhook, monkeypatch, caplog):
    monkeypatch.setenv("AIRFLOW_CONN_ZONEWATCH_NOTIFY", webhook.url + "/hooks/zonewatch")
    notify_failure({"exception": GateBlocked(SUMMARY, "/r"), "ti": _ti()})
    [line] = _send_errors(caplog)
    assert "whole webhook URL in host" in line and webhook.requests == []


def test_a_multiline_send_error_is_still_one_line(monkeypatch, caplog):
    class Broken:
        def notify(self, context):
            raise RuntimeError("550 mailbox unavailable\n  retry later")

    monkeypatch.setenv("AIRFLOW_CONN_ZONEWATCH_NOTIFY", _http_conn("http://127.0.0.1:9/x"))
    monkeypatch.setattr(notify, "provider_notifier", lambda *a: Broken())
    notify_failure({"exception": GateBlocked(SUMMARY, "/r"), "ti": _ti()})
    [line] = _send_errors(caplog)
    assert line.endswith("RuntimeError: 550 mailbox unavailable retry later")
