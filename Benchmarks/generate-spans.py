#!/usr/bin/env python3
"""Generate a realistic OpenTelemetry Collector `file` exporter dump (OTLP/JSON lines) for benchmarking Triage.

Python 3 standard library only. Output is deterministic for a given --seed/--size
(byte-identical across runs and machines), written in large chunks with bounded
memory, and fast enough to produce hundreds of megabytes in about a minute.

Shape (one export batch per line, as the Collector's `file` exporter writes
with `format: json`):

    {"resourceSpans":[{"resource":{"attributes":[...]},"scopeSpans":[{"scope":{"name":..,"version":..},"spans":[...]}]}, ...]}

* 1-3 resourceSpans per line (one per service instance; 11 instances of the
  services gateway, api, worker, billing), each with 1+ scopeSpans (grouped by
  instrumentation scope), 20-200 spans per line.
* Spans: lowercase hex traceId (32) / spanId (16), parentSpanId "" for roots,
  int `kind` (1-5), `flags` (256, or 768 when the parent is remote),
  start/endTimeUnixNano as decimal strings (ns, > 2^53), attributes with
  stringValue / intValue (decimal string) / boolValue / doubleValue (HTTP,
  db.*, messaging.*, code.*), status {} or {"code":2,"message":...} (~2% of
  spans; a failed server call also fails its client span), exception events
  with exception.type / message / stacktrace on about half of the failed spans
  (~1% of spans).
* Traces have 3-30 spans: gateway SERVER roots -> CLIENT/SERVER hops to api
  and billing, api PRODUCER -> worker CONSUMER (asynchronous: the consumer can
  outlive the producer's trace root), db/cache CLIENT leaves (postgresql,
  redis; their servers are not traced), INTERNAL spans. Some roots are api
  SERVER spans or worker INTERNAL scheduled jobs. ~1% of trace ids have a zero
  high half (64-bit B3 propagation upstream).
* Export order = end order: every instance has its own batch queue (fed in
  span end order, as a BatchSpanProcessor is), so children are usually
  exported before their parents and a trace is spread over many lines.
* ~2% of traces are incomplete: one span that has children was never exported
  (its process died), so its children are orphans (when it is a root, the
  trace has no root). When the missing span is a SERVER/CONSUMER its caller
  CLIENT/PRODUCER still ends; a CLIENT caller fails with a timeout.
* The file ends at the first line end at or after --size, so the last few
  hundred traces are cut off (some of their spans were "not yet exported");
  the summary reports those separately.

Summary on stderr: lines, spans, traces, incomplete traces, ...

Usage:
    generate-spans.py --size 500M --out Benchmarks/data/spans-500M.jsonl [--seed 42]
"""

import argparse
import heapq
import json
import os
import random
import sys
import time

# The same size syntax as the log generator beside this file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate import parse_size  # noqa: E402

START_NS = 1762164000 * 10**9  # 2025-11-03 10:00:00 UTC (same clock start as generate.py)

# --------------------------------------------------------------------------------------
# JSON fragments
# --------------------------------------------------------------------------------------


def js(s):
    """JSON string literal body (without quotes)."""
    return json.dumps(s)[1:-1]


def S(k, v):
    return '{"key":"%s","value":{"stringValue":"%s"}}' % (k, js(v))


def I(k, v):
    return '{"key":"%s","value":{"intValue":"%d"}}' % (k, v)


def B(k, v):
    return '{"key":"%s","value":{"boolValue":%s}}' % (k, "true" if v else "false")


def D(k, v):
    return '{"key":"%s","value":{"doubleValue":%s}}' % (k, repr(float(v)))


KIND_INTERNAL, KIND_SERVER, KIND_CLIENT, KIND_PRODUCER, KIND_CONSUMER = 1, 2, 3, 4, 5

# op types
HTTP_SERVER, HTTP_CLIENT, DB_PG, DB_REDIS, PRODUCER, CONSUMER, INTERNAL = range(7)
OP_KIND = (KIND_SERVER, KIND_CLIENT, KIND_CLIENT, KIND_CLIENT, KIND_PRODUCER, KIND_CONSUMER, KIND_INTERNAL)

GATEWAY, API, WORKER, BILLING = range(4)
SERVICE_NAMES = ("gateway", "api", "worker", "billing")
INSTANCES = (2, 3, 4, 2)
LANG = ("go", "python", "python", "java")
SDK_VERSION = {"go": "1.28.0", "python": "1.27.0", "java": "1.42.1"}

# scopes per service: op type -> (name, version)
SCOPES = {
    GATEWAY: {
        HTTP_SERVER: ("go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp", "0.53.0"),
        HTTP_CLIENT: ("go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp", "0.53.0"),
        DB_REDIS: ("github.com/redis/go-redis/extra/redisotel", "9.5.1"),
        INTERNAL: ("gateway/auth", ""),
    },
    API: {
        HTTP_SERVER: ("opentelemetry.instrumentation.flask", "0.48b0"),
        HTTP_CLIENT: ("opentelemetry.instrumentation.requests", "0.48b0"),
        DB_PG: ("opentelemetry.instrumentation.psycopg2", "0.48b0"),
        DB_REDIS: ("opentelemetry.instrumentation.redis", "0.48b0"),
        PRODUCER: ("opentelemetry.instrumentation.confluent_kafka", "0.48b0"),
        INTERNAL: ("api.orders", "2.14.0"),
    },
    WORKER: {
        HTTP_CLIENT: ("opentelemetry.instrumentation.requests", "0.48b0"),
        DB_PG: ("opentelemetry.instrumentation.psycopg2", "0.48b0"),
        DB_REDIS: ("opentelemetry.instrumentation.redis", "0.48b0"),
        CONSUMER: ("opentelemetry.instrumentation.confluent_kafka", "0.48b0"),
        INTERNAL: ("worker.tasks", "2.14.0"),
    },
    BILLING: {
        HTTP_SERVER: ("io.opentelemetry.spring-webmvc-6.0", "2.6.0-alpha"),
        DB_PG: ("io.opentelemetry.jdbc", "2.6.0-alpha"),
        INTERNAL: ("com.acme.billing", "1.9.3"),
    },
}

# HTTP routes served by each service: (method, route, target format or None, request-body?)
ROUTES = {
    GATEWAY: (
        ("GET", "/api/v1/orders/{id}", "/api/v1/orders/%d"),
        ("POST", "/api/v1/orders", None),
        ("GET", "/api/v1/cart", None),
        ("POST", "/api/v1/checkout", None),
        ("GET", "/api/v1/products/{id}", "/api/v1/products/%d"),
        ("GET", "/api/v1/invoices/{id}", "/api/v1/invoices/%d"),
    ),
    API: (
        ("GET", "/orders/{id}", "/orders/%d"),
        ("POST", "/orders", None),
        ("GET", "/users/{id}/cart", "/users/%d/cart"),
        ("POST", "/checkout", None),
        ("GET", "/products/{id}", "/products/%d"),
        ("PUT", "/orders/{id}/status", "/orders/%d/status"),
    ),
    BILLING: (
        ("POST", "/invoices", None),
        ("GET", "/invoices/{id}", "/invoices/%d"),
        ("POST", "/payments/authorize", None),
        ("POST", "/refunds", None),
    ),
}
HOST_PORT = {API: ("api", 8080), BILLING: ("billing", 8080), GATEWAY: ("gateway", 8000)}

PG_OPS = (
    ("SELECT", "orders", "SELECT id, user_id, status, total FROM orders WHERE id = %s"),
    ("SELECT", "order_items", "SELECT sku, qty, price FROM order_items WHERE order_id = %s"),
    ("INSERT", "orders", "INSERT INTO orders (user_id, status, total) VALUES (%s, %s, %s) RETURNING id"),
    ("UPDATE", "orders", "UPDATE orders SET status = %s, updated_at = now() WHERE id = %s"),
    ("SELECT", "products", "SELECT id, name, price FROM products WHERE id = ANY(%s)"),
    ("INSERT", "invoices", "INSERT INTO invoices (order_id, amount, currency) VALUES (?, ?, ?)"),
    ("SELECT", "invoices", "SELECT * FROM invoices WHERE order_id = ?"),
    ("UPDATE", "payments", "UPDATE payments SET state = ? WHERE id = ?"),
)
PG_DB = {GATEWAY: "shop", API: "shop", WORKER: "shop", BILLING: "billing"}
REDIS_OPS = ("GET", "SET", "HGETALL", "EXPIRE", "INCR", "MGET")
INTERNAL_OPS = {
    GATEWAY: ("auth.verify_jwt", "ratelimit.check"),
    API: ("validate_cart", "price_order", "serialize_response", "load_user"),
    WORKER: ("charge_card", "render_invoice", "send_email", "update_inventory", "reconcile_payment"),
    BILLING: ("InvoiceService.create", "TaxCalculator.compute", "PaymentGateway.authorize"),
}
WORKER_ROOT_JOBS = ("cleanup_expired_carts", "reconcile_payments", "rebuild_search_index")
TOPICS = ("orders", "payments", "emails", "inventory")

# (service op type -> what it can add under an expandable span): weights
EXPAND = {
    GATEWAY: ((HTTP_CLIENT, API, 8), (INTERNAL, GATEWAY, 2), (DB_REDIS, GATEWAY, 1)),
    API: ((DB_PG, API, 5), (DB_REDIS, API, 2), (HTTP_CLIENT, BILLING, 2), (PRODUCER, WORKER, 2), (INTERNAL, API, 2)),
    WORKER: ((DB_PG, WORKER, 5), (HTTP_CLIENT, BILLING, 2), (INTERNAL, WORKER, 3), (DB_REDIS, WORKER, 1), (HTTP_CLIENT, API, 1)),
    BILLING: ((DB_PG, BILLING, 6), (INTERNAL, BILLING, 3)),
}
EXPAND_CUM = {}
for _svc, _opts in EXPAND.items():
    _acc, _cum = 0, []
    for _o in _opts:
        _acc += _o[2]
        _cum.append(_acc)
    EXPAND_CUM[_svc] = (tuple(o[:2] for o in _opts), tuple(_cum))
TWO_SPAN_OPS = (HTTP_CLIENT, PRODUCER)

# errors: (exception.type, message, stacktrace), by language and kind of span
PY_TB = 'Traceback (most recent call last):\n  File "%s", line %d, in %s\n    %s\n'
EXC = {
    ("python", DB_PG): (
        ("psycopg2.errors.DeadlockDetected", "deadlock detected",
         PY_TB % ("/app/shop/repo.py", 88, "update_status", "cur.execute(sql, params)")
         + "psycopg2.errors.DeadlockDetected: deadlock detected\nDETAIL:  Process 4412 waits for ShareLock on transaction 918273; blocked by process 4419.\n"),
        ("psycopg2.OperationalError", "server closed the connection unexpectedly",
         PY_TB % ("/app/shop/repo.py", 41, "fetch_order", "cur.execute(sql, (order_id,))")
         + "psycopg2.OperationalError: server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.\n"),
        ("psycopg2.errors.UniqueViolation", "duplicate key value violates unique constraint \"orders_pkey\"",
         PY_TB % ("/app/shop/repo.py", 63, "insert_order", "cur.execute(sql, params)")
         + "psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint \"orders_pkey\"\nDETAIL:  Key (id)=(48213) already exists.\n"),
    ),
    ("python", DB_REDIS): (
        ("redis.exceptions.TimeoutError", "Timeout reading from socket",
         PY_TB % ("/usr/local/lib/python3.12/site-packages/redis/connection.py", 512, "read_response", "response = self._parser.read_response()")
         + "redis.exceptions.TimeoutError: Timeout reading from socket\n"),
        ("redis.exceptions.ConnectionError", "Error 111 connecting to redis:6379. Connection refused.",
         PY_TB % ("/usr/local/lib/python3.12/site-packages/redis/connection.py", 277, "connect", "sock = self.retry.call_with_retry(")
         + "ConnectionRefusedError: [Errno 111] Connection refused\n\nDuring handling of the above exception, another exception occurred:\n\n"
         + "redis.exceptions.ConnectionError: Error 111 connecting to redis:6379. Connection refused.\n"),
    ),
    ("python", HTTP_CLIENT): (
        ("requests.exceptions.ConnectionError", "HTTPConnectionPool(host='billing', port=8080): Max retries exceeded with url: /invoices",
         PY_TB % ("/usr/local/lib/python3.12/site-packages/urllib3/connection.py", 198, "_new_conn", "sock = connection.create_connection(")
         + "ConnectionRefusedError: [Errno 111] Connection refused\n\nDuring handling of the above exception, another exception occurred:\n\n"
         + PY_TB % ("/app/shop/billing_client.py", 41, "create_invoice", "r = session.post(url, json=body, timeout=5)")
         + "requests.exceptions.ConnectionError: HTTPConnectionPool(host='billing', port=8080): Max retries exceeded with url: /invoices\n"),
        ("requests.exceptions.ReadTimeout", "HTTPConnectionPool(host='billing', port=8080): Read timed out. (read timeout=5)",
         PY_TB % ("/app/shop/billing_client.py", 41, "create_invoice", "r = session.post(url, json=body, timeout=5)")
         + "requests.exceptions.ReadTimeout: HTTPConnectionPool(host='billing', port=8080): Read timed out. (read timeout=5)\n"),
    ),
    ("python", HTTP_SERVER): (
        ("KeyError", "'sku'",
         PY_TB % ("/app/api/orders/views.py", 57, "create_order", 'items = [(i["sku"], i["qty"]) for i in payload["items"]]') + "KeyError: 'sku'\n"),
        ("ValueError", "invalid literal for int() with base 10: 'undefined'",
         PY_TB % ("/app/api/orders/views.py", 31, "get_order", "order_id = int(order_id)")
         + "ValueError: invalid literal for int() with base 10: 'undefined'\n"),
    ),
    ("python", INTERNAL): (
        ("stripe.error.CardError", "card declined",
         PY_TB % ("/app/worker/tasks.py", 132, "charge_card", 'stripe.Charge.create(amount=amount, currency="eur", source=token)')
         + '  File "/usr/local/lib/python3.12/site-packages/stripe/api_requestor.py", line 399, in handle_error_response\n    raise err\n'
         + "stripe.error.CardError: card declined\n"),
        ("smtplib.SMTPServerDisconnected", "Connection unexpectedly closed",
         PY_TB % ("/app/worker/tasks.py", 201, "send_email", "smtp.send_message(msg)")
         + "smtplib.SMTPServerDisconnected: Connection unexpectedly closed\n"),
        ("decimal.InvalidOperation", "[<class 'decimal.ConversionSyntax'>]",
         PY_TB % ("/app/api/pricing.py", 74, "price_order", "total += Decimal(item.price) * item.qty")
         + "decimal.InvalidOperation: [<class 'decimal.ConversionSyntax'>]\n"),
    ),
    ("python", PRODUCER): (
        ("confluent_kafka.KafkaException", "KafkaError{code=_MSG_TIMED_OUT,val=-192,str=\"Local: Message timed out\"}",
         PY_TB % ("/app/api/events.py", 22, "publish", "producer.flush(5)")
         + "confluent_kafka.KafkaException: KafkaError{code=_MSG_TIMED_OUT,val=-192,str=\"Local: Message timed out\"}\n"),
    ),
    ("java", DB_PG): (
        ("org.springframework.dao.DataIntegrityViolationException",
         "could not execute statement; SQL [n/a]; constraint [invoices_order_id_key]",
         "org.springframework.dao.DataIntegrityViolationException: could not execute statement; SQL [n/a]; constraint [invoices_order_id_key]\n"
         "\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException(HibernateJpaDialect.java:290)\n"
         "\tat com.acme.billing.InvoiceService.create(InvoiceService.java:77)\n"
         "\tat com.acme.billing.web.InvoiceController.create(InvoiceController.java:41)\n"
         "Caused by: org.postgresql.util.PSQLException: ERROR: duplicate key value violates unique constraint \"invoices_order_id_key\"\n"
         "\tat org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2725)\n\t... 112 more\n"),
        ("org.postgresql.util.PSQLException", "This connection has been closed.",
         "org.postgresql.util.PSQLException: This connection has been closed.\n"
         "\tat org.postgresql.jdbc.PgConnection.checkClosed(PgConnection.java:917)\n"
         "\tat com.zaxxer.hikari.pool.ProxyConnection.prepareStatement(ProxyConnection.java:337)\n"
         "\tat com.acme.billing.InvoiceRepository.findByOrderId(InvoiceRepository.java:52)\n"),
    ),
    ("java", HTTP_SERVER): (
        ("java.lang.IllegalStateException", "invoice already finalized",
         "java.lang.IllegalStateException: invoice already finalized\n\tat com.acme.billing.Invoice.addLine(Invoice.java:112)\n"
         "\tat com.acme.billing.InvoiceService.create(InvoiceService.java:81)\n"
         "\tat com.acme.billing.web.InvoiceController.create(InvoiceController.java:41)\n"),
        ("java.lang.NullPointerException", "Cannot invoke \"com.acme.billing.Customer.getTaxId()\" because \"customer\" is null",
         "java.lang.NullPointerException: Cannot invoke \"com.acme.billing.Customer.getTaxId()\" because \"customer\" is null\n"
         "\tat com.acme.billing.TaxCalculator.compute(TaxCalculator.java:58)\n\tat com.acme.billing.InvoiceService.create(InvoiceService.java:70)\n"),
    ),
    ("java", INTERNAL): (
        ("java.net.SocketTimeoutException", "Read timed out",
         "java.net.SocketTimeoutException: Read timed out\n\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)\n"
         "\tat com.acme.billing.PaymentGateway.authorize(PaymentGateway.java:63)\n\tat com.acme.billing.web.PaymentController.authorize(PaymentController.java:29)\n"),
        ("java.lang.ArithmeticException", "Non-terminating decimal expansion; no exact representable decimal result.",
         "java.lang.ArithmeticException: Non-terminating decimal expansion; no exact representable decimal result.\n"
         "\tat java.base/java.math.BigDecimal.divide(BigDecimal.java:1780)\n\tat com.acme.billing.TaxCalculator.compute(TaxCalculator.java:44)\n"),
    ),
    ("go", HTTP_CLIENT): (
        ("*net.OpError", "dial tcp 10.0.3.17:8080: connect: connection refused",
         "goroutine 4187 [running]:\nmain.(*proxy).forward(0xc0001a2000, {0x1a2e880, 0xc0004a6f00})\n\t/src/gateway/proxy.go:201 +0x1c4\n"
         "main.(*proxy).ServeHTTP(0xc0001a2000, {0x1a2b3c0, 0xc000512380}, 0xc000618100)\n\t/src/gateway/proxy.go:142 +0x3a5\n"),
        ("context.deadlineExceededError", "context deadline exceeded",
         "goroutine 5521 [running]:\nmain.(*proxy).forward(0xc0001a2000, {0x1a2e880, 0xc0004a6f00})\n\t/src/gateway/proxy.go:201 +0x1c4\n"),
    ),
    ("go", HTTP_SERVER): (
        ("*errors.errorString", "upstream connect error or disconnect/reset before headers",
         "goroutine 3310 [running]:\nmain.(*proxy).ServeHTTP(0xc0001a2000, {0x1a2b3c0, 0xc000512380}, 0xc000618100)\n\t/src/gateway/proxy.go:156 +0x4d1\n"),
    ),
    ("go", DB_REDIS): (
        ("*errors.errorString", "redis: connection pool timeout",
         "goroutine 2051 [running]:\nmain.(*limiter).Allow(0xc000132f00, {0x1a2e880, 0xc0004a6f00}, {0xc0003c8a40, 0x24})\n\t/src/gateway/ratelimit.go:77 +0x2b1\n"),
    ),
    ("go", INTERNAL): (
        ("*jwt.ValidationError", "token is expired",
         "goroutine 1873 [running]:\nmain.verifyJWT({0xc0003c8a40, 0x1e2})\n\t/src/gateway/auth.go:64 +0x19f\n"),
    ),
}
EXC[("python", CONSUMER)] = EXC[("python", INTERNAL)]


def exc_event_fragments(table):
    out = []
    for typ, msg, st in table:
        attrs = ",".join((S("exception.type", typ), S("exception.message", msg), S("exception.stacktrace", st),
                          B("exception.escaped", False)))
        out.append((msg, attrs))
    return tuple(out)


EXC_FRAG = {}
for _svc in range(4):
    for _op in range(7):
        _t = EXC.get((LANG[_svc], _op))
        if _t:
            EXC_FRAG[(_svc, _op)] = exc_event_fragments(_t)

HTTP_ERR = ((500, "Internal Server Error"), (502, "Bad Gateway"), (503, "Service Unavailable"), (504, "Gateway Timeout"))
USER_AGENTS = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
               "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36",
               "okhttp/4.12.0", "Acme-iOS/5.3.1 (iPhone; iOS 17.6)", "curl/8.5.0")

SPAN_FMT = ('{"traceId":"%s","spanId":"%016x","parentSpanId":"%s","flags":%d,"name":"%s","kind":%d,'
            '"startTimeUnixNano":"%d","endTimeUnixNano":"%d","attributes":[%s]%s,"status":%s}')


# --------------------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------------------

class Generator:
    def __init__(self, seed):
        self.rng = rng = random.Random(seed)
        # resources: (service, resource prefix)
        self.resources = []
        self.instances = []  # per service: list of resource indexes
        for svc, n in enumerate(INSTANCES):
            idx = []
            name = SERVICE_NAMES[svc]
            safe = "bcdfghjklmnpqrstvwxz2456789"  # k8s name suffix alphabet
            replicaset = "".join(rng.choice(safe) for _ in range(10))
            for i in range(n):
                pod = "%s-%s-%s" % (name, replicaset, "".join(rng.choice(safe) for _ in range(5)))
                inst = "%08x-%04x-4%03x-%x%03x-%012x" % (rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(12),
                                                         8 + rng.getrandbits(2), rng.getrandbits(12), rng.getrandbits(48))
                host = "ip-10-0-%d-%d.eu-west-1.compute.internal" % (rng.randrange(1, 4), rng.randrange(2, 250))
                lang = LANG[svc]
                attrs = [S("service.name", name), S("service.version", "2.14.%d" % (svc + 1)), S("service.instance.id", inst),
                         S("host.name", host), S("k8s.pod.name", pod), S("k8s.namespace.name", "shop"),
                         I("process.pid", 1 if lang != "python" else rng.randrange(7, 40)),
                         S("telemetry.sdk.language", lang), S("telemetry.sdk.name", "opentelemetry"),
                         S("telemetry.sdk.version", SDK_VERSION[lang])]
                schema = ',"schemaUrl":"https://opentelemetry.io/schemas/1.26.0"' if lang == "go" else ""
                prefix = '{"resource":{"attributes":[%s]},"scopeSpans":[' % ",".join(attrs)
                idx.append(len(self.resources))
                self.resources.append((svc, prefix, ']%s}' % schema))
            self.instances.append(tuple(idx))
        # scopes: global list of scopeSpans prefixes; (svc, op) -> scope index
        self.scope_prefix = []
        self.scope_of = {}
        seen = {}
        for svc in range(4):
            for op, (name, ver) in SCOPES[svc].items():
                key = (name, ver)
                if key not in seen:
                    seen[key] = len(self.scope_prefix)
                    if ver:
                        self.scope_prefix.append('{"scope":{"name":"%s","version":"%s"},"spans":[' % (name, ver))
                    else:
                        self.scope_prefix.append('{"scope":{"name":"%s"},"spans":[' % name)
                self.scope_of[(svc, op)] = seen[key]
        self.scope_of[(WORKER, HTTP_SERVER)] = self.scope_of[(API, HTTP_SERVER)]
        self.t = START_NS
        self.seq = 0
        # stats
        self.traces_generated = 0
        self.incomplete_generated = 0

    # ---------------------------------------------------------------- trace structure
    def build_trace(self):
        """Returns list of nodes; node = [svc, op, parent, children, dur, start, res, detail, async]."""
        rng = self.rng
        rnd = rng.random
        r = rnd()
        n_target = 3 + int(27 * rnd() ** 1.6)
        if r < 0.75:
            root = [GATEWAY, HTTP_SERVER, -1, [], 0, 0, rng.choice(self.instances[GATEWAY]), rng.randrange(len(ROUTES[GATEWAY])), False]
        elif r < 0.9:
            root = [API, HTTP_SERVER, -1, [], 0, 0, rng.choice(self.instances[API]), rng.randrange(len(ROUTES[API])), False]
        else:
            root = [WORKER, INTERNAL, -1, [], 0, 0, rng.choice(self.instances[WORKER]), -1 - rng.randrange(len(WORKER_ROOT_JOBS)), False]
        nodes = [root]
        expandable = [0]
        if root[0] == GATEWAY:
            # a gateway root always forwards to api first
            self._add_hop(nodes, expandable, 0, HTTP_CLIENT, API)
        while len(nodes) < n_target:
            e = expandable[int(rnd() * len(expandable))]
            svc = nodes[e][0]
            opts, cum = EXPAND_CUM[svc]
            op, target = rng.choices(opts, cum_weights=cum)[0]
            if op in TWO_SPAN_OPS:
                if len(nodes) + 2 > n_target:
                    op, target = (DB_PG, svc) if svc != GATEWAY else (INTERNAL, svc)
                else:
                    self._add_hop(nodes, expandable, e, op, target)
                    continue
            res = nodes[e][6]
            if op == INTERNAL:
                det = rng.randrange(len(INTERNAL_OPS[svc]))
            elif op == DB_PG:
                det = rng.randrange(len(PG_OPS))
            else:
                det = rng.randrange(len(REDIS_OPS))
            i = len(nodes)
            nodes.append([svc, op, e, [], 0, 0, res, det, False])
            nodes[e][3].append(i)
            if op == INTERNAL and rnd() < 0.5:
                expandable.append(i)
        return nodes

    def _add_hop(self, nodes, expandable, e, op, target):
        rng = self.rng
        svc = nodes[e][0]
        res = nodes[e][6]
        i = len(nodes)
        if op == HTTP_CLIENT:
            route = rng.randrange(len(ROUTES[target]))
            nodes.append([svc, HTTP_CLIENT, e, [i + 1], 0, 0, res, (target, route), False])
            nodes.append([target, HTTP_SERVER, i, [], 0, 0, rng.choice(self.instances[target]), route, False])
        else:
            topic = rng.randrange(len(TOPICS))
            nodes.append([svc, PRODUCER, e, [i + 1], 0, 0, res, topic, False])
            nodes.append([target, CONSUMER, i, [], 0, 0, rng.choice(self.instances[target]), topic, True])
        nodes[e][3].append(i)
        expandable.append(i + 1)

    def time_trace(self, nodes, t0):
        rng = self.rng
        rnd = rng.random
        expo = rng.expovariate
        # Durations bottom-up (children always have larger indexes than their parent).
        # Slot 5 first holds the start relative to the parent's start.
        for i in range(len(nodes) - 1, -1, -1):
            nd = nodes[i]
            op = nd[1]
            if op == PRODUCER:
                d = int(150_000 + expo(1 / 800_000))
                for c in nd[3]:  # async consumer: starts after the producer ended, after queueing
                    nodes[c][5] = d + int(500_000 + expo(1 / 25_000_000))
            elif op == DB_PG:
                d = int(250_000 + expo(1 / 3_000_000))
                if rnd() < 0.01:
                    d *= 60
            elif op == DB_REDIS:
                d = int(80_000 + expo(1 / 400_000))
            elif not nd[3]:
                d = int(30_000 + expo(1 / 2_500_000))
            else:
                # sequential children between some self time before and after
                if op == HTTP_CLIENT:
                    cur = int(150_000 + rnd() * 300_000)
                else:
                    cur = int(50_000 + rnd() * 400_000)
                for c in nd[3]:
                    ch = nodes[c]
                    cur += int(20_000 + rnd() * 250_000)
                    ch[5] = cur
                    cur += ch[4]
                if op == HTTP_CLIENT:
                    d = cur + int(150_000 + expo(1 / 600_000))
                else:
                    d = cur + int(50_000 + expo(1 / 1_200_000))
            nd[4] = d
        # absolute starts top-down
        nodes[0][5] = t0
        for nd in nodes[1:]:
            nd[5] += nodes[nd[2]][5]

    # ---------------------------------------------------------------- rendering
    def render_trace(self, nodes, push):
        rng = self.rng
        rnd = rng.random
        getrandbits = rng.getrandbits
        n = len(nodes)
        if rnd() < 0.01:
            tid = "%032x" % getrandbits(64)  # 64-bit id upstream (B3): zero high half
        else:
            tid = "%032x" % getrandbits(128)
        sids = [getrandbits(64) or 1 for _ in range(n)]
        # incompleteness: a span with children is never exported
        missing = -1
        if rnd() < 0.02:
            cands = [i for i in range(n) if nodes[i][3]]
            missing = cands[int(rnd() * len(cands))]
            self.incomplete_generated += 1
        # errors: status per span (None or (message, exception fragment or None, http status))
        err = [None] * n
        for i in range(n - 1, -1, -1):
            nd = nodes[i]
            if err[i] is None and rnd() < 0.0165:
                svc = nd[0]
                op = nd[1]
                pool = EXC_FRAG[(svc, op)]
                exc = pool[int(rnd() * len(pool))]
                if op == HTTP_SERVER or op == HTTP_CLIENT:
                    code, text = HTTP_ERR[int(rnd() * 4)]
                    err[i] = (text if op == HTTP_SERVER else "HTTP %d" % code, exc if rnd() < 0.7 else None, code)
                else:
                    err[i] = (exc[0], exc if rnd() < 0.7 else None, 0)
            e = err[i]
            if e is not None and nd[1] == HTTP_SERVER and nd[2] >= 0 and e[2]:
                p = nd[2]
                if err[p] is None and nodes[p][1] == HTTP_CLIENT:
                    err[p] = ("HTTP %d" % e[2], None, e[2])
        if missing >= 0:
            p = nodes[missing][2]
            if p >= 0 and nodes[p][1] == HTTP_CLIENT:
                err[p] = ("context deadline exceeded", None, 0)
        state = [n - (1 if missing >= 0 else 0), 0, 1 if missing >= 0 else 0]
        seq = self.seq
        scope_of = self.scope_of
        for i in range(n):
            if i == missing:
                continue
            nd = nodes[i]
            svc, op, parent, children, dur, start, res, det, _ = nd
            end = start + dur
            attrs, name = self.attributes(svc, op, det, err[i])
            e = err[i]
            flag = 0
            if e is None:
                status = "{}"
                events = ""
            else:
                flag = 1
                status = '{"code":2,"message":"%s"}' % js(e[0]) if e[0] else '{"code":2}'
                if e[1] is not None:
                    flag = 2
                    events = ',"events":[{"timeUnixNano":"%d","name":"exception","attributes":[%s]}]' % (
                        end - int(rnd() * min(dur, 200_000)), e[1][1])
                else:
                    events = ""
            if parent < 0:
                pid = ""
                flags = 256
            else:
                pid = "%016x" % sids[parent]
                flags = 768 if op == HTTP_SERVER or op == CONSUMER else 256
            text = SPAN_FMT % (tid, sids[i], pid, flags, name, OP_KIND[op], start, end, attrs, events, status)
            seq += 1
            push((end, seq, res, scope_of[(svc, op)], text, state, flag))
        self.seq = seq
        self.traces_generated += 1

    def attributes(self, svc, op, det, e):
        rng = self.rng
        rnd = rng.random
        if op == HTTP_SERVER:
            method, route, tfmt = ROUTES[svc][det]
            target = tfmt % rng.randrange(1000, 9_999_999) if tfmt else route
            code = e[2] if e is not None and e[2] else (201 if method == "POST" and rnd() < 0.7 else 200)
            a = [S("http.method", method), S("http.route", route), S("http.target", target), S("http.scheme", "http"),
                 I("http.status_code", code), S("net.host.name", HOST_PORT[svc][0]), I("net.host.port", HOST_PORT[svc][1])]
            if svc == GATEWAY:
                a.append(S("user_agent.original", USER_AGENTS[int(rnd() * len(USER_AGENTS))]))
                a.append(S("client.address", "203.0.113.%d" % rng.randrange(1, 255)))
            return ",".join(a), "%s %s" % (method, route)
        if op == HTTP_CLIENT:
            target, route_i = det
            method, route, tfmt = ROUTES[target][route_i]
            path = tfmt % rng.randrange(1000, 9_999_999) if tfmt else route
            host, port = HOST_PORT[target]
            a = [S("http.method", method), S("http.url", "http://%s:%d%s" % (host, port, path)),
                 S("net.peer.name", host), I("net.peer.port", port)]
            if e is None or e[2]:
                code = e[2] if e is not None and e[2] else (201 if method == "POST" and rnd() < 0.7 else 200)
                a.append(I("http.status_code", code))
            return ",".join(a), "%s %s" % (method, route)
        if op == DB_PG:
            operation, table, stmt = PG_OPS[det]
            a = [S("db.system", "postgresql"), S("db.name", PG_DB[svc]), S("db.user", "app"), S("db.statement", stmt),
                 S("db.operation", operation), S("db.sql.table", table), S("net.peer.name", "postgres"), I("net.peer.port", 5432)]
            if svc == BILLING:
                a.append(S("db.connection_string", "postgresql://postgres:5432"))
            return ",".join(a), "%s %s" % (operation, table)
        if op == DB_REDIS:
            cmd = REDIS_OPS[det]
            a = [S("db.system", "redis"), S("db.statement", "%s cart:%d" % (cmd, rng.randrange(1, 500_000))),
                 I("db.redis.database_index", 0), S("net.peer.name", "redis"), I("net.peer.port", 6379)]
            return ",".join(a), cmd
        if op == PRODUCER or op == CONSUMER:
            topic = TOPICS[det]
            a = [S("messaging.system", "kafka"), S("messaging.destination.name", topic),
                 S("messaging.operation", "publish" if op == PRODUCER else "process"),
                 S("messaging.message.id", "%08x-%04x" % (rng.getrandbits(32), rng.getrandbits(16))),
                 I("messaging.kafka.destination.partition", rng.randrange(12))]
            if op == CONSUMER:
                a.append(S("messaging.kafka.consumer.group", "worker-%s" % topic))
                a.append(I("messaging.kafka.message.offset", rng.randrange(1_000_000, 90_000_000)))
                a.append(I("messaging.batch.message_count", 1))
            return ",".join(a), "%s %s" % (topic, "publish" if op == PRODUCER else "process")
        # INTERNAL
        if det < 0:
            name = WORKER_ROOT_JOBS[-1 - det]
            a = [S("code.function", name), S("code.namespace", "worker.schedules"), S("job.trigger", "cron"),
                 I("job.batch_size", rng.randrange(50, 5000))]
            return ",".join(a), name
        name = INTERNAL_OPS[svc][det]
        a = [S("code.function", name.rsplit(".", 1)[-1]), S("code.namespace", SCOPES[svc][INTERNAL][0])]
        x = rnd()
        if x < 0.3:
            a.append(D("order.amount", round(5 + rnd() * 495, 2)))
            a.append(S("order.currency", "EUR"))
        elif x < 0.5:
            a.append(B("cache.hit", x < 0.42))
        elif x < 0.7:
            a.append(I("items.count", rng.randrange(1, 40)))
        return ",".join(a), name


# --------------------------------------------------------------------------------------
# Export: per-instance batch queues -> Collector file exporter lines
# --------------------------------------------------------------------------------------

def run(gen, target, out_write):
    rng = gen.rng
    rnd = rng.random
    resources = gen.resources
    scope_prefix = gen.scope_prefix
    nres = len(resources)
    queues = [[] for _ in range(nres)]
    targets = [rng.randrange(20, 150) for _ in range(nres)]
    heap = []
    push = heap.append  # collect a trace's spans, then heappush them
    hpush = heapq.heappush
    hpop = heapq.heappop
    written = 0
    lines = spans = traces = incomplete = errors = exceptions = 0
    chunk = []
    chunk_len = 0
    CHUNK = 4 << 20
    validate_every = 997
    done = False
    t = START_NS
    expo = rng.expovariate
    pending = []

    def make_line(parts):
        blocks = []
        for r, items in parts:
            by_scope = {}
            for it in items:
                s = it[3]
                lst = by_scope.get(s)
                if lst is None:
                    by_scope[s] = [it[4]]
                else:
                    lst.append(it[4])
            res = resources[r]
            blocks.append(res[1] + ",".join([scope_prefix[s] + ",".join(txts) + "]}" for s, txts in by_scope.items()]) + res[2])
        return '{"resourceSpans":[' + ",".join(blocks) + "]}\n"

    while not done:
        # next trace
        t += int(expo(1 / 900_000))  # ~1100 traces/s of simulated time
        nodes = gen.build_trace()
        gen.time_trace(nodes, t)
        gen.render_trace(nodes, pending.append)
        for it in pending:
            hpush(heap, it)
        pending.clear()
        # everything that ended before now is handed to its instance's batch queue
        while heap and heap[0][0] <= t:
            it = hpop(heap)
            r = it[2]
            q = queues[r]
            q.append(it)
            if len(q) < targets[r]:
                continue
            # flush: this instance's batch, sometimes merged with 1-2 others (collector batch processor)
            parts = [(r, q)]
            total = len(q)
            queues[r] = []
            targets[r] = rng.randrange(20, 150)
            x = rnd()
            extra = 0 if x < 0.5 else (1 if x < 0.82 else 2)
            for _ in range(extra):
                o = int(rnd() * nres)
                room = 200 - total
                if room <= 0 or not queues[o] or o == r or any(p[0] == o for p in parts):
                    continue
                oq = queues[o]
                take = oq[:room]
                del oq[:room]
                parts.append((o, take))
                total += len(take)
            line = make_line(parts)
            if lines % validate_every == 0:
                json.loads(line)
            chunk.append(line)
            chunk_len += len(line)
            lines += 1
            for _, items in parts:
                for it2 in items:
                    st = it2[5]
                    st[0] -= 1
                    if it2[6]:
                        errors += 1
                        exceptions += it2[6] - 1
                    if not st[1]:
                        st[1] = 1
                        traces += 1
                        incomplete += st[2]
                spans += len(items)
            if written + chunk_len >= target:
                done = True
                break
            if chunk_len >= CHUNK:
                out_write("".join(chunk))
                written += chunk_len
                chunk = []
                chunk_len = 0
    if chunk:
        out_write("".join(chunk))
        written += chunk_len
    # traces cut off by the end of the file: some spans written, some still queued/in flight
    cut = 0
    seen = set()
    for src in [heap] + queues:
        for it in src:
            st = it[5]
            if st[1] and st[0] > 0 and id(st) not in seen:
                seen.add(id(st))
                cut += 1
    return dict(bytes=written, lines=lines, spans=spans, traces=traces, incomplete=incomplete, cut=cut,
                errors=errors, exceptions=exceptions)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="10M", help="target size, e.g. 10M, 500M, 1G (binary units; bytes if no suffix)")
    ap.add_argument("--out", required=True, help="output path ('-' for stdout)")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args(argv)
    target = parse_size(args.size)
    gen = Generator(args.seed)
    t0 = time.perf_counter()
    if args.out == "-":
        f = sys.stdout
        tmp = None
        write = f.write
    else:
        d = os.path.dirname(os.path.abspath(args.out))
        os.makedirs(d, exist_ok=True)
        tmp = args.out + ".part"
        f = open(tmp, "w", encoding="ascii", newline="\n", buffering=1 << 20)
        write = f.write
    try:
        st = run(gen, target, write)
    except BrokenPipeError:  # `--out - | head`
        try:
            sys.stdout = None
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        except OSError:
            pass
        return 0
    if tmp:
        f.close()
        os.replace(tmp, args.out)
    else:
        f.flush()
    dt = time.perf_counter() - t0
    print("generate-spans: %d bytes, %d lines, %d spans, %d traces, %d incomplete traces (missing parent span), "
          "%d traces cut off at end of file, %d error spans, %d exception events; seed %d; %.1fs (%.1f MB/s)"
          % (st["bytes"], st["lines"], st["spans"], st["traces"], st["incomplete"], st["cut"], st["errors"],
             st["exceptions"], args.seed, dt, st["bytes"] / 1e6 / dt if dt else 0), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
