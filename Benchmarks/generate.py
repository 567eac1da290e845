#!/usr/bin/env python3
"""Generate a realistic, mixed `docker compose logs` capture for benchmarking Triage.

Python 3 standard library only. Output is deterministic for a given
--seed/--size/--format (byte-identical across runs and machines), is written in
large batches with bounded memory, and is fast enough to produce gigabytes in
well under a minute.

What the output looks like (compose format):

    worker-1   | 2025-11-03 10:00:00,123 INFO celery.app.trace: Task tasks.process[<uuid>] succeeded in 0.12s: None
    api-1      | {"time":"2025-11-03T10:00:00.125Z","level":"info","msg":"request completed",...}
    ingest-1   | time=2025-11-03T10:00:00.127Z level=warn msg="slow batch flush" trace_id=<32 hex> ...
    redis-1    | 1:M 03 Nov 2025 10:00:00.130 * Background saving started by pid 4171
    postgres-1 | 2025-11-03 10:00:00.131 UTC [4412] ERROR:  duplicate key value violates unique constraint "orders_pkey"
    billing-1  | 2025-11-03T10:00:00.133Z  INFO 1 --- [billing] [nio-8080-exec-3] c.a.billing.web.InvoiceController        : ...

Prefixes are `name.ljust(width) + " | "` with width = the longest service name,
exactly as `docker compose logs` (v2, no TTY, no colours) pads them.  Empty lines
inside a multi-line event keep the trailing space (`"api-1      | "`), as compose
prints them.

Mix (by event): ~55% Python logging (two celery workers), ~30% JSON (api),
~7% logfmt (ingest), ~3% postgres, ~2.5% redis, ~2.5% Spring Boot (billing).
About 1% of events are multi-line: Python tracebacks (some chained), Java stack
traces with `Caused by:`, Go panics with goroutine dumps, postgres
ERROR/DETAIL/STATEMENT groups.  About 3-4% of lines are error-ish (connection
refused, OOMKilled, timeouts, SIGKILL, ...).  A few lines carry UTF-8 text and a
few are very long (2-8 KB).  In compose format, some multi-line events have a
line from another container interleaved in the middle, as happens when compose
merges container streams; in plain format that line follows the event instead
(so both formats contain the same lines).

Timestamps increase monotonically across the whole file (one global clock; each
service renders it in its own format).

Usage:
    generate.py --size 1G --out Benchmarks/data/compose-1G-seed42.log [--seed 42] [--gzip] [--format compose|plain]
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
import zlib

# --------------------------------------------------------------------------------------
# Static vocabulary
# --------------------------------------------------------------------------------------

START_EPOCH = 1762164000  # 2025-11-03 10:00:00 UTC
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MS3 = tuple("%03d" % i for i in range(1000))
# RFC 4122 variant nibble for a random hex digit (8, 9, a or b)
UUID_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}

SERVICES = ("worker-1", "worker-2", "api-1", "ingest-1", "redis-1", "postgres-1", "billing-1")
W1, W2, API, ING, RED, PG, BIL = range(7)
# Event weights per service, in 1/1000 (sum 1000).
SERVICE_WEIGHTS = (275, 275, 300, 70, 25, 30, 25)

TASKS = (
    "tasks.process", "tasks.process", "tasks.process", "tasks.send_email",
    "tasks.resize_image", "tasks.sync_inventory", "reports.generate_daily",
    "billing.charge_invoice", "tasks.webhook_deliver", "tasks.index_document",
)

CUSTOMERS = ("cus_9f2k1", "cus_a81zq", "cus_0xk7m", "cus_ll3p0", "cus_77abd", "cus_q0w9e", "cus_m2n3b", "cus_zz81p")
UTF8_NAMES = ("Zoë Müller", "José Álvarez", "Łukasz Wójcik", "渡辺 健", "Ørjan Søreide", "Ana Ćosić", "Дмитрий Иванов", "Émilie Brontë")

HTTP_PATHS = (
    "/v1/orders", "/v1/orders/{id}", "/v1/orders/{id}/items", "/v1/customers/{id}",
    "/v1/invoices/{id}", "/v1/search", "/healthz", "/v1/webhooks/stripe",
    "/v1/products/{id}", "/v1/cart", "/metrics", "/v1/auth/token",
)
METHODS = ("GET", "GET", "GET", "GET", "POST", "POST", "PUT", "DELETE")


def _dur_table(rng, n, lo, hi_tail):
    """n pre-rendered, skewed durations in seconds (mostly small, long tail)."""
    out = []
    for _ in range(n):
        x = rng.random()
        if x < 0.7:
            v = lo + rng.random() * 0.2
        elif x < 0.95:
            v = 0.2 + rng.random() * 1.8
        else:
            v = 2.0 + rng.random() * hi_tail
        out.append(v)
    return out


# --------------------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------------------

class Generator:
    BATCH = 8192  # events per batch

    def __init__(self, seed, compose=True):
        self.rng = random.Random(seed)
        self.compose = compose
        width = max(len(s) for s in SERVICES)
        if compose:
            self.prefix = tuple(s.ljust(width) + " | " for s in SERVICES)
        else:
            self.prefix = ("",) * len(SERVICES)
        # Pre-rendered pools (built from a separate RNG so they don't depend on the stream).
        prng = random.Random(seed * 7919 + 1)
        self.dur_s = tuple("%.2f" % v for v in _dur_table(prng, 256, 0.01, 28.0))
        self.dur_ms = tuple(str(max(1, int(v * 1000))) for v in _dur_table(prng, 256, 0.001, 5.0))
        self.ids = tuple(str(prng.randint(1000, 999999)) for _ in range(256))
        self.ips = tuple("172.18.0.%d:%d" % (prng.randint(2, 14), prng.randint(32768, 60999)) for _ in range(256))
        self.pids = tuple(str(prng.randint(60, 9999)) for _ in range(64))
        self.paths = tuple(p.replace("{id}", self.ids[i * 7 % 256]) for i, p in enumerate(HTTP_PATHS * 22))[:256]
        self.sec = -1
        self.t_ms = START_EPOCH * 1000
        self.lines = 0
        self.events = 0
        self.multiline_events = 0
        self._set_second(START_EPOCH)

    # ---- time ------------------------------------------------------------------------
    def _set_second(self, sec):
        self.sec = sec
        tm = time.gmtime(sec)
        d_iso = "%04d-%02d-%02d" % (tm.tm_year, tm.tm_mon, tm.tm_mday)
        hms = "%02d:%02d:%02d" % (tm.tm_hour, tm.tm_min, tm.tm_sec)
        self.ts_py = "%s %s," % (d_iso, hms)          # 2025-11-03 10:00:00,123
        self.ts_iso = "%sT%s." % (d_iso, hms)          # 2025-11-03T10:00:00.123Z
        self.ts_redis = "%02d %s %04d %s." % (tm.tm_mday, MONTHS[tm.tm_mon - 1], tm.tm_year, hms)
        self.ts_pg = "%s %s." % (d_iso, hms)           # 2025-11-03 10:00:00.123 UTC

    # ---- helpers for multi-line events (rare; clarity over speed) ----------------------
    def _uuid(self):
        h = "%032x" % self.rng.getrandbits(128)
        return "%s-%s-4%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], UUID_VARIANT[h[16]], h[17:20], h[20:32])

    def _hex(self, n):
        return "%0*x" % (n, self.rng.getrandbits(4 * n))

    # ---- single-line generators per service -------------------------------------------
    # Each takes (ms, H, o, R, b): ms = "123" millisecond string, H = hex blob and
    # o = offset of this event's 80 hex chars, R = random bytes and b = offset of this
    # event's 16 random bytes.  Returns a list of payload lines (without prefix).

    def worker_line(self, ms, H, o, R, b, wid):
        ts = self.ts_py + ms
        k = R[b]
        uuid = "%s-%s-4%s-%s%s-%s" % (H[o:o + 8], H[o + 8:o + 12], H[o + 13:o + 16], UUID_VARIANT[H[o + 16]], H[o + 17:o + 20], H[o + 20:o + 32])
        task = TASKS[R[b + 1] % 10]
        if k < 70:
            return "%s INFO celery.app.trace: Task %s[%s] succeeded in %ss: None" % (ts, task, uuid, self.dur_s[R[b + 2]])
        if k < 130:
            return "%s INFO celery.worker.strategy: Task %s[%s] received" % (ts, task, uuid)
        if k < 160:
            return "%s INFO app.%s: processing order_id=%s customer=%s items=%d attempt=%d" % (
                ts, task, self.ids[R[b + 3]], CUSTOMERS[R[b + 4] & 7], 1 + (R[b + 5] & 15), 1 + (R[b + 6] > 240))
        if k < 185:
            return '%s INFO httpx: HTTP Request: %s http://api:8080%s "HTTP/1.1 %s"' % (
                ts, METHODS[R[b + 3] & 7], self.paths[R[b + 4]], "200 OK" if R[b + 5] < 245 else "404 Not Found")
        if k < 200:
            return "%s DEBUG sqlalchemy.engine.Engine: [cached since %ss ago] SELECT orders.id, orders.status, orders.customer_id FROM orders WHERE orders.id = %%(pk_1)s {'pk_1': %s}" % (
                ts, self.dur_s[R[b + 2]], self.ids[R[b + 3]])
        if k < 212:
            # celery's own bracketed format
            return "[%s: INFO/ForkPoolWorker-%d] Task %s[%s] succeeded in %ss: {'status': 'ok', 'order_id': %s}" % (
                ts, 1 + (R[b + 3] & 7), task, uuid, self.dur_s[R[b + 2]], self.ids[R[b + 4]])
        if k < 222:
            return "%s INFO app.metrics: queue depth celery=%d default=%d priority=%d prefetch=%d" % (
                ts, R[b + 3] * 3, R[b + 4], R[b + 5] & 31, 4 * (1 + (R[b + 6] & 3)))
        if k < 242:
            return "%s WARNING app.%s: retrying order_id=%s in %ss (attempt %d/5): upstream returned 503" % (
                ts, task, self.ids[R[b + 3]], self.dur_s[R[b + 2]], 1 + (R[b + 4] % 5))
        if k < 248:
            return "%s WARNING celery.worker.consumer.gossip: Substantial drift from celery@worker-%d may mean clocks are out of sync.  Current drift is %d seconds." % (
                ts, 2 - wid, 1 + (R[b + 3] & 31))
        # ~3% of worker lines: errors (~1.7% of all lines)
        e = R[b + 7] % 6
        if e == 0:
            return "%s ERROR celery.worker.consumer.consumer: consumer: Cannot connect to redis://redis:6379/0: Error 111 connecting to redis:6379. Connection refused.." % ts
        if e == 1:
            return "%s ERROR app.%s: timed out waiting for lock orders:%s after 30.0s" % (ts, task, self.ids[R[b + 3]])
        if e == 2:
            return "%s ERROR celery.concurrency.asynpool: Process 'ForkPoolWorker-%d' pid:%s exited with 'signal 9 (SIGKILL)'" % (
                ts, 1 + (R[b + 3] & 7), self.pids[R[b + 4] & 63])
        if e == 3:
            return "%s ERROR celery.app.trace: Task handler raised error: WorkerLostError('Worker exited prematurely: signal 9 (SIGKILL) Job: %s.')" % (
                ts, self.ids[R[b + 3]])
        if e == 4:
            return "%s ERROR app.clients.http: POST http://api:8080%s failed: httpx.ConnectTimeout: timed out" % (ts, self.paths[R[b + 4]])
        return "%s ERROR psycopg.pool: error connecting in 'pool-1': connection failed: connection to server at \"postgres\" (172.18.0.3), port 5432 failed: Connection refused" % ts

    def api_line(self, ms, H, o, R, b):
        ts = self.ts_iso + ms
        k = R[b]
        trace = H[o:o + 32]
        span = H[o + 32:o + 48]
        dur = self.dur_ms[R[b + 2]]
        if k < 150:
            st = 200 if R[b + 5] < 230 else (201 if R[b + 5] < 240 else (404 if R[b + 5] < 250 else 422))
            return '{"time":"%sZ","level":"info","msg":"request completed","service":"api","trace_id":"%s","span_id":"%s","method":"%s","path":"%s","status":%d,"remote_addr":"%s","duration_ms":%s}' % (
                ts, trace, span, METHODS[R[b + 3] & 7], self.paths[R[b + 4]], st, self.ips[R[b + 6]], dur)
        if k < 180:
            return '{"time":"%sZ","level":"debug","msg":"cache lookup","service":"api","trace_id":"%s","span_id":"%s","key":"order:%s","hit":%s,"duration_ms":%d}' % (
                ts, trace, span, self.ids[R[b + 3]], "true" if R[b + 4] < 200 else "false", R[b + 2] & 3)
        if k < 205:
            return '{"time":"%sZ","level":"info","msg":"enqueued task","service":"api","trace_id":"%s","span_id":"%s","task":"%s","task_id":"%s-%s-4%s-%s%s-%s","duration_ms":%s}' % (
                ts, trace, span, TASKS[R[b + 3] % 10], H[o + 48:o + 56], H[o + 56:o + 60], H[o + 61:o + 64], UUID_VARIANT[H[o + 64]], H[o + 65:o + 68], H[o + 68:o + 80], dur)
        if k < 215:
            name = UTF8_NAMES[R[b + 3] & 7] if R[b + 4] < 128 else CUSTOMERS[R[b + 3] & 7]
            return '{"time":"%sZ","level":"info","msg":"customer profile updated","service":"api","trace_id":"%s","span_id":"%s","customer":"%s","display_name":"%s","duration_ms":%s}' % (
                ts, trace, span, CUSTOMERS[R[b + 3] & 7], name, dur)
        if k < 232:
            return '{"time":"%sZ","level":"warn","msg":"slow query","service":"api","trace_id":"%s","span_id":"%s","query":"SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 50","rows":%d,"duration_ms":%d}' % (
                ts, trace, span, R[b + 3], 500 + R[b + 4] * 17)
        if k < 237:
            return '{"time":"%sZ","level":"warn","msg":"rate limit exceeded","service":"api","trace_id":"%s","span_id":"%s","client_ip":"%s","limit":100,"window":"1m","duration_ms":0}' % (
                ts, trace, span, self.ips[R[b + 6]].split(":")[0])
        if k == 237 and R[b + 8] < 16:
            # rare, very long line (bulk payload echoed at debug level) ~2-8 KB
            n = 2048 + (R[b + 9] << 4) + R[b + 10] * 8
            blob = (H * (n // len(H) + 1))[:n]
            return '{"time":"%sZ","level":"debug","msg":"webhook payload","service":"api","trace_id":"%s","span_id":"%s","body":"%s","duration_ms":%s}' % (
                ts, trace, span, blob, dur)
        if k < 248:
            return '{"time":"%sZ","level":"info","msg":"health check","service":"api","trace_id":"%s","span_id":"%s","db":"ok","redis":"ok","duration_ms":%s}' % (
                ts, trace, span, dur)
        # ~3% errors (~0.9% of all lines)
        e = R[b + 7] % 6
        if e == 0:
            msg = "upstream connect error: dial tcp 172.18.0.5:6379: connect: connection refused"
        elif e == 1:
            msg = "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
        elif e == 2:
            msg = "worker container OOMKilled (exit code 137), task requeued"
        elif e == 3:
            msg = "pq: canceling statement due to statement timeout"
        elif e == 4:
            msg = "failed to publish task: read tcp 172.18.0.4:%d->172.18.0.5:6379: i/o timeout" % (40000 + R[b + 8] * 80)
        else:
            msg = "request failed: internal server error"
        return '{"time":"%sZ","level":"error","msg":"%s","service":"api","trace_id":"%s","span_id":"%s","method":"%s","path":"%s","status":%d,"duration_ms":%s}' % (
            ts, msg, trace, span, METHODS[R[b + 3] & 7], self.paths[R[b + 4]], 500 + (R[b + 5] & 3), dur)

    def ingest_line(self, ms, H, o, R, b):
        ts = self.ts_iso + ms
        k = R[b]
        trace = H[o:o + 32]
        if k < 120:
            return 'time=%sZ level=info msg="batch flushed" trace_id=%s rows=%d bytes=%d duration=%sms' % (
                ts, trace, 100 + R[b + 3] * 4, 4096 + R[b + 4] * 997, self.dur_ms[R[b + 2]])
        if k < 180:
            return 'time=%sZ level=debug msg="consumed message" trace_id=%s topic=orders partition=%d offset=%d' % (
                ts, trace, R[b + 3] & 7, 1000000 + self.lines)
        if k < 215:
            return 'time=%sZ level=info msg="checkpoint committed" trace_id=%s partition=%d lag=%d' % (
                ts, trace, R[b + 3] & 7, R[b + 4] * 3)
        if k < 240:
            return 'time=%sZ level=warn msg="slow batch flush" trace_id=%s rows=%d duration=%sms threshold=500ms' % (
                ts, trace, 100 + R[b + 3] * 4, 500 + R[b + 4] * 31)
        e = R[b + 7] % 4
        if e == 0:
            return 'time=%sZ level=error msg="flush failed" trace_id=%s err="dial tcp 172.18.0.3:5432: connect: connection refused" retry_in=5s' % (ts, trace)
        if e == 1:
            return 'time=%sZ level=error msg="consumer group rebalance timed out" trace_id=%s err="context deadline exceeded" group=ingest' % (ts, trace)
        if e == 2:
            return 'time=%sZ level=warn msg="memory high watermark" trace_id=%s rss_mb=%d limit_mb=512 note="container may be OOMKilled"' % (ts, trace, 400 + (R[b + 3] >> 1))
        return 'time=%sZ level=error msg="write failed" trace_id=%s err="pq: could not extend file \\"base/16384/24576\\": No space left on device"' % (ts, trace)

    def redis_line(self, ms, H, o, R, b):
        ts = self.ts_redis + ms
        k = R[b]
        if k < 60:
            return "1:M %s * %d changes in 60 seconds. Saving..." % (ts, 10000 + R[b + 3] * 40)
        if k < 120:
            return "1:M %s * Background saving started by pid %s" % (ts, self.pids[R[b + 4] & 63])
        if k < 170:
            return "%s:C %s * DB saved on disk" % (self.pids[R[b + 4] & 63], ts)
        if k < 200:
            return "%s:C %s * Fork CoW for RDB: current %d MB, peak %d MB, average %d MB" % (
                self.pids[R[b + 4] & 63], ts, R[b + 3] & 15, (R[b + 3] & 15) + 2, (R[b + 3] & 15) + 1)
        if k < 235:
            return "1:M %s * Background saving terminated with success" % ts
        if k < 245:
            return "1:M %s - Accepted %s" % (ts, self.ips[R[b + 5]])
        if k < 248:
            return "1:M %s # WARNING Memory overcommit must be enabled! Without it, a background save or replication may fail under low memory condition. To fix this issue add 'vm.overcommit_memory = 1' to /etc/sysctl.conf and then reboot or run the command 'sysctl vm.overcommit_memory=1' for this to take effect." % ts
        if k < 250:
            return "1:M %s # Connection with replica 172.18.0.9:6379 lost." % ts
        return "1:M %s # Error accepting a client connection: Connection reset by peer (conn: fd=%d)" % (ts, 10 + R[b + 3])

    def pg_lines(self, ms, H, o, R, b):
        ts = self.ts_pg + ms + " UTC"
        pid = self.pids[R[b + 4] & 63]
        k = R[b]
        if k < 40:
            return ["%s [63] LOG:  checkpoint starting: time" % ts]
        if k < 80:
            return ["%s [63] LOG:  checkpoint complete: wrote %d buffers (%.1f%%); 0 WAL file(s) added, 0 removed, 1 recycled; write=%d.%03d s, sync=0.0%02d s, total=%d.%03d s; sync files=%d, longest=0.003 s, average=0.001 s; distance=%d kB, estimate=%d kB" % (
                ts, R[b + 3] * 9, R[b + 3] / 32.0, R[b + 5] & 31, R[b + 6] * 3, R[b + 7] & 63, (R[b + 5] & 31) + 1, R[b + 6] * 3, R[b + 8], R[b + 9] * 61, R[b + 9] * 64)]
        if k < 170:
            return ["%s [%s] LOG:  duration: %s.%03d ms  statement: SELECT o.id, o.status, c.email FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = %s" % (
                ts, pid, self.dur_ms[R[b + 2]], R[b + 3] * 3, self.ids[R[b + 5]])]
        if k < 195:
            return ["%s [%s] LOG:  could not receive data from client: Connection reset by peer" % (ts, pid)]
        if k < 215:
            return ["%s [%s] LOG:  connection received: host=172.18.0.%d port=%d" % (ts, pid, 2 + (R[b + 3] & 7), 32768 + R[b + 5] * 100)]
        if k < 235:
            # grouped, multi-line-ish: ERROR + DETAIL + STATEMENT, each with its own header
            oid = self.ids[R[b + 5]]
            return ['%s [%s] ERROR:  duplicate key value violates unique constraint "orders_pkey"' % (ts, pid),
                    "%s [%s] DETAIL:  Key (id)=(%s) already exists." % (ts, pid, oid),
                    "%s [%s] STATEMENT:  INSERT INTO orders (id, customer_id, status) VALUES (%s, '%s', 'new')" % (ts, pid, oid, CUSTOMERS[R[b + 6] & 7])]
        if k < 245:
            return ["%s [%s] ERROR:  canceling statement due to statement timeout" % (ts, pid),
                    "%s [%s] STATEMENT:  UPDATE inventory SET reserved = reserved + 1 WHERE sku = 'SKU-%s'" % (ts, pid, self.ids[R[b + 5]])]
        if k < 250:
            return ['%s [%s] FATAL:  password authentication failed for user "report"' % (ts, pid),
                    '%s [%s] DETAIL:  Connection matched pg_hba.conf line 100: "host all all all scram-sha-256"' % (ts, pid)]
        return ["%s [%s] FATAL:  terminating connection due to administrator command" % (ts, pid)]

    def billing_line(self, ms, H, o, R, b):
        ts = self.ts_iso + ms + "Z"
        k = R[b]
        th = "nio-8080-exec-%d" % (1 + (R[b + 3] % 10))
        if k < 150:
            return "%s  INFO 1 --- [billing] [%s] c.a.billing.web.InvoiceController        : Created invoice INV-%s for customer %s amount=%d.%02d EUR" % (
                ts, th.rjust(15), self.ids[R[b + 4]], CUSTOMERS[R[b + 5] & 7], R[b + 6] * 3, R[b + 7] % 100)
        if k < 200:
            return "%s DEBUG 1 --- [billing] [%s] o.h.SQL                                  : select i1_0.id,i1_0.amount,i1_0.status from invoice i1_0 where i1_0.id=?" % (ts, th.rjust(15))
        if k < 230:
            return "%s  INFO 1 --- [billing] [   scheduling-1] c.a.billing.jobs.DunningJob              : Dunning run finished: %d reminders sent in %s ms" % (
                ts, R[b + 4], self.dur_ms[R[b + 2]])
        if k < 245:
            return "%s  WARN 1 --- [billing] [%s] com.zaxxer.hikari.pool.HikariPool        : HikariPool-1 - Connection is not available, request timed out after 30000ms (total=10, active=10, idle=0, waiting=%d)" % (
                ts, th.rjust(15), R[b + 4] & 15)
        return "%s ERROR 1 --- [billing] [%s] c.a.billing.client.PaymentClient         : Payment provider call failed: I/O error on POST request for \"https://payments.internal/v2/charges\": Connection refused" % (
            ts, th.rjust(15))

    # ---- multi-line events -------------------------------------------------------------

    def python_traceback(self, ms, task):
        rng = self.rng
        ts = self.ts_py + ms
        uuid = self._uuid()
        oid = self.ids[rng.getrandbits(8)]
        SP = "/usr/local/lib/python3.11/site-packages"
        celery_frames = [
            '  File "%s/celery/app/trace.py", line 477, in trace_task' % SP,
            "    R = retval = fun(*args, **kwargs)",
            "                 ^^^^^^^^^^^^^^^^^^^^",
            '  File "%s/celery/app/trace.py", line 760, in __protected_call__' % SP,
            "    return self.run(*args, **kwargs)",
            "           ^^^^^^^^^^^^^^^^^^^^^^^^^",
            '  File "/app/app/%s.py", line %d, in %s' % (task.split(".")[0], 40 + rng.getrandbits(7), task.split(".")[1]),
            "    result = handler.run(order_id=order_id)",
        ]
        kind = rng.getrandbits(3)
        out = []
        if kind <= 2:
            exc = "redis.exceptions.ConnectionError: Error 111 connecting to redis:6379. Connection refused."
            head = "%s ERROR celery.app.trace: Task %s[%s] raised unexpected: ConnectionError('Error 111 connecting to redis:6379. Connection refused.')" % (ts, task, uuid)
            inner = [
                '  File "/app/app/handlers.py", line %d, in run' % (100 + rng.getrandbits(6)),
                "    self.cache.set(key, payload, ex=3600)",
                '  File "%s/redis/commands/core.py", line 2341, in set' % SP,
                "    return self.execute_command(\"SET\", *pieces, **options)",
                "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
                '  File "%s/redis/client.py", line 545, in execute_command' % SP,
                "    conn = self.connection or pool.get_connection(command_name, **options)",
                "                              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
                '  File "%s/redis/connection.py", line 1074, in get_connection' % SP,
                "    connection.connect()",
                '  File "%s/redis/connection.py", line 283, in connect' % SP,
                "    raise ConnectionError(self._error_message(e))",
            ]
            out = [head, "Traceback (most recent call last):"] + celery_frames + inner + [exc]
        elif kind <= 4:
            # chained: KeyError during handling -> ValueError
            head = "%s ERROR celery.app.trace: Task %s[%s] raised unexpected: ValueError('invalid order payload for order_id=%s')" % (ts, task, uuid, oid)
            first = [
                "Traceback (most recent call last):",
                '  File "/app/app/schemas.py", line %d, in parse_order' % (20 + rng.getrandbits(5)),
                "    customer = data[\"customer_id\"]",
                "               ~~~~^^^^^^^^^^^^^^^",
                "KeyError: 'customer_id'",
                "",
                "During handling of the above exception, another exception occurred:" if kind == 3 else
                "The above exception was the direct cause of the following exception:",
                "",
                "Traceback (most recent call last):",
            ]
            tail = [
                '  File "/app/app/handlers.py", line %d, in run' % (100 + rng.getrandbits(6)),
                "    order = parse_order(payload)",
                "            ^^^^^^^^^^^^^^^^^^^^",
                '  File "/app/app/schemas.py", line %d, in parse_order' % (60 + rng.getrandbits(5)),
                "    raise ValueError(f\"invalid order payload for order_id={order_id}\")" + (" from exc" if kind == 4 else ""),
                "ValueError: invalid order payload for order_id=%s" % oid,
            ]
            out = [head] + first + celery_frames + tail
        elif kind == 5:
            head = "%s ERROR celery.app.trace: Task %s[%s] raised unexpected: TimeoutError('timed out')" % (ts, task, uuid)
            inner = [
                '  File "/app/app/clients/payments.py", line %d, in charge' % (30 + rng.getrandbits(6)),
                "    resp = self.session.post(url, json=body, timeout=10)",
                "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
                '  File "%s/httpx/_client.py", line 1146, in post' % SP,
                "    return self.request(",
                "           ^^^^^^^^^^^^^",
                '  File "%s/httpx/_transports/default.py", line 232, in handle_request' % SP,
                "    with map_httpcore_exceptions():",
                '  File "/usr/local/lib/python3.11/contextlib.py", line 155, in __exit__',
                "    self.gen.throw(typ, value, traceback)",
                '  File "%s/httpx/_transports/default.py", line 86, in map_httpcore_exceptions' % SP,
                "    raise mapped_exc(message) from exc",
            ]
            out = [head, "Traceback (most recent call last):"] + celery_frames + inner + ["httpx.ReadTimeout: timed out"]
        elif kind == 6:
            head = "%s ERROR app.tasks: unhandled exception in %s order_id=%s" % (ts, task, oid)
            out = [head, "Traceback (most recent call last):",
                   '  File "/app/app/tasks.py", line %d, in %s' % (50 + rng.getrandbits(6), task.split(".")[1]),
                   "    db.session.commit()",
                   '  File "%s/sqlalchemy/orm/session.py", line 1969, in commit' % SP,
                   "    trans.commit(_to_root=True)",
                   '  File "%s/sqlalchemy/engine/base.py", line 1967, in _exec_single_context' % SP,
                   "    self.dialect.do_execute(",
                   '  File "%s/sqlalchemy/engine/default.py", line 924, in do_execute' % SP,
                   "    cursor.execute(statement, parameters)",
                   "psycopg.errors.UniqueViolation: duplicate key value violates unique constraint \"orders_pkey\"",
                   "DETAIL:  Key (id)=(%s) already exists." % oid,
                   "",
                   "The above exception was the direct cause of the following exception:",
                   "",
                   "Traceback (most recent call last):",
                   '  File "/app/app/tasks.py", line %d, in %s' % (50 + rng.getrandbits(6), task.split(".")[1]),
                   "    db.session.commit()",
                   "sqlalchemy.exc.IntegrityError: (psycopg.errors.UniqueViolation) duplicate key value violates unique constraint \"orders_pkey\"",
                   "DETAIL:  Key (id)=(%s) already exists." % oid,
                   "[SQL: INSERT INTO orders (id, customer_id, status) VALUES (%(id)s, %(customer_id)s, %(status)s)]",
                   "[parameters: {'id': %s, 'customer_id': '%s', 'status': 'new'}]" % (oid, CUSTOMERS[rng.getrandbits(3)]),
                   "(Background on this error at: https://sqlalche.me/e/20/gkpj)"]
        else:
            head = "%s CRITICAL celery.worker: Unrecoverable error: MemoryError()" % ts
            out = [head, "Traceback (most recent call last):",
                   '  File "%s/celery/worker/worker.py", line 202, in start' % SP,
                   "    self.blueprint.start(self)",
                   '  File "%s/celery/bootsteps.py", line 116, in start' % SP,
                   "    step.start(parent)",
                   '  File "/app/app/images.py", line %d, in resize' % (10 + rng.getrandbits(6)),
                   "    buf = bytearray(width * height * 4)",
                   "          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
                   "MemoryError",
                   "%s WARNING celery.worker: worker lost: container was likely OOMKilled (exit code 137)" % ts]
        return out

    def java_trace(self, ms):
        rng = self.rng
        ts = self.ts_iso + ms + "Z"
        th = ("nio-8080-exec-%d" % (1 + rng.getrandbits(3))).rjust(15)
        n_common = 40 + rng.getrandbits(5)
        out = [
            "%s ERROR 1 --- [billing] [%s] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed: org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC Connection] with root cause" % (ts, th),
            "",
            "org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC Connection [HikariPool-1 - Connection is not available, request timed out after 30000ms (total=10, active=10, idle=0, waiting=%d)]" % rng.getrandbits(4),
            "\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException(HibernateJpaDialect.java:277)",
            "\tat org.springframework.orm.jpa.vendor.HibernateJpaDialect.translateExceptionIfPossible(HibernateJpaDialect.java:241)",
            "\tat org.springframework.orm.jpa.JpaTransactionManager.doBegin(JpaTransactionManager.java:466)",
            "\tat org.springframework.transaction.support.AbstractPlatformTransactionManager.startTransaction(AbstractPlatformTransactionManager.java:531)",
            "\tat com.acme.billing.service.InvoiceService$$SpringCGLIB$$0.createInvoice(<generated>)",
            "\tat com.acme.billing.web.InvoiceController.create(InvoiceController.java:%d)" % (40 + rng.getrandbits(6)),
            "\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)",
            "\tat org.apache.tomcat.util.threads.TaskThread$WrappingRunnable.run(TaskThread.java:61)",
            "\tat java.base/java.lang.Thread.run(Thread.java:1583)",
            "Caused by: org.hibernate.exception.JDBCConnectionException: Unable to acquire JDBC Connection [HikariPool-1 - Connection is not available, request timed out after 30000ms]",
            "\tat org.hibernate.exception.internal.SQLStateConversionDelegate.convert(SQLStateConversionDelegate.java:100)",
            "\tat org.hibernate.exception.internal.StandardSQLExceptionConverter.convert(StandardSQLExceptionConverter.java:58)",
            "\tat org.hibernate.engine.jdbc.spi.SqlExceptionHelper.convert(SqlExceptionHelper.java:108)",
            "\tat org.hibernate.resource.jdbc.internal.LogicalConnectionManagedImpl.acquireConnectionIfNeeded(LogicalConnectionManagedImpl.java:113)",
            "\t... %d common frames omitted" % n_common,
            "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms (total=10, active=10, idle=0, waiting=3)",
            "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686)",
            "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:179)",
            "\tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:100)",
            "\t... %d common frames omitted" % (n_common + 6),
        ]
        if rng.getrandbits(1):
            out += [
                "Caused by: org.postgresql.util.PSQLException: Connection to postgres:5432 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.",
                "\tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:352)",
                "\tat org.postgresql.core.ConnectionFactory.openConnection(ConnectionFactory.java:54)",
                "\t... 12 more",
                "Caused by: java.net.ConnectException: Connection refused",
                "\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)",
                "\tat java.base/sun.nio.ch.Net.pollConnectNow(Net.java:682)",
                "\tat java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:542)",
                "\tat java.base/java.net.Socket.connect(Socket.java:751)",
                "\t... 16 more",
            ]
        return out

    def go_panic(self, ms, svc):
        rng = self.rng
        g = 1000 + rng.getrandbits(14)
        pc = "0x%x" % (0x6b0000 + rng.getrandbits(16))

        def ptr():
            return "0xc%09x" % rng.getrandbits(32)

        app = "github.com/acme/api" if svc == API else "github.com/acme/ingest"
        if rng.getrandbits(1):
            out = ["panic: runtime error: invalid memory address or nil pointer dereference",
                   "[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=%s]" % pc]
        else:
            out = ["panic: runtime error: index out of range [%d] with length %d" % (rng.getrandbits(4) + 3, rng.getrandbits(2))]
        out += ["", "goroutine %d [running]:" % g,
                "%s/internal/orders.(*Service).Get(%s, {0xa1b2c0, %s}, 0x%x)" % (app, ptr(), ptr(), rng.getrandbits(20)),
                "\t/src/internal/orders/service.go:%d +0x%x" % (80 + rng.getrandbits(6), rng.getrandbits(8)),
                "%s/internal/http.(*Handler).getOrder(%s, {0xa1c3e0, %s}, %s)" % (app, ptr(), ptr(), ptr()),
                "\t/src/internal/http/orders.go:%d +0x%x" % (40 + rng.getrandbits(6), rng.getrandbits(8)),
                "net/http.HandlerFunc.ServeHTTP(0x%x?, {0xa1c3e0?, %s?}, 0x%x?)" % (rng.getrandbits(24), ptr(), rng.getrandbits(12)),
                "\t/usr/local/go/src/net/http/server.go:2220 +0x29",
                "net/http.serverHandler.ServeHTTP({%s?}, {0xa1c3e0?, %s?}, %s)" % (ptr(), ptr(), ptr()),
                "\t/usr/local/go/src/net/http/server.go:3210 +0x8e",
                "net/http.(*conn).serve(%s, {0xa1d4f0, %s})" % (ptr(), ptr()),
                "\t/usr/local/go/src/net/http/server.go:2092 +0x5d0",
                "created by net/http.(*Server).Serve in goroutine 1",
                "\t/usr/local/go/src/net/http/server.go:3360 +0x485",
                ""]
        for extra in range(2 + rng.getrandbits(2)):
            gid = 1 + extra * 7 + rng.getrandbits(3)
            state = ("IO wait", "select", "chan receive", "sync.Cond.Wait")[rng.getrandbits(2)]
            out += ["goroutine %d [%s%s]:" % (gid, state, ", %d minutes" % (1 + rng.getrandbits(5)) if rng.getrandbits(1) else ""),
                    "runtime.gopark(0x%x?, 0x0?, 0x0?, 0x0?, 0x0?)" % rng.getrandbits(24),
                    "\t/usr/local/go/src/runtime/proc.go:424 +0xce",
                    "internal/poll.runtime_pollWait(0x7f%x, 0x72)" % rng.getrandbits(28),
                    "\t/usr/local/go/src/runtime/netpoll.go:351 +0x85",
                    "net.(*netFD).accept(%s)" % ptr(),
                    "\t/usr/local/go/src/net/fd_unix.go:172 +0x29",
                    "net/http.(*Server).Serve(%s, {0xa1c6b0, %s})" % (ptr(), ptr()),
                    "\t/usr/local/go/src/net/http/server.go:3330 +0x30c",
                    ""]
        out += ["exit status 2"]
        # container restarts (restart: unless-stopped) and logs its startup
        t = self.ts_iso + ms + "Z"
        if svc == API:
            out.append('{"time":"%s","level":"info","msg":"starting api","service":"api","version":"1.14.2","addr":":8080","trace_id":"","span_id":"","duration_ms":0}' % t)
        else:
            out.append('time=%s level=info msg="starting ingest" version=0.9.7 partitions=8' % t)
        return out

    # ---- main loop ---------------------------------------------------------------------

    def batches(self):
        """Yields str batches (~1 MB each), forever."""
        rng = self.rng
        B = self.BATCH
        prefix = self.prefix
        compose = self.compose
        svc_ids = tuple(range(len(SERVICES)))
        cum = []
        acc = 0
        for w in SERVICE_WEIGHTS:
            acc += w
            cum.append(acc)
        # inter-event gap in ms: bursty, ~3 ms mean
        gaps = (0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 8, 12, 40)
        worker_line = self.worker_line
        api_line = self.api_line
        ingest_line = self.ingest_line
        redis_line = self.redis_line
        pg_lines = self.pg_lines
        billing_line = self.billing_line
        p_w1, p_w2, p_api, p_ing, p_red, p_pg, p_bil = prefix
        while True:
            svcs = rng.choices(svc_ids, cum_weights=cum, k=B)
            dts = rng.choices(gaps, k=B)
            H = rng.randbytes(B * 40).hex()  # 80 hex chars per event
            R = rng.randbytes(B * 16)         # 16 random bytes per event
            out = []
            app = out.append
            ext = out.extend
            t = self.t_ms
            sec = self.sec
            nlines = 0
            for i in range(B):
                t += dts[i]
                s, m = divmod(t, 1000)
                if s != sec:
                    self._set_second(s)
                    sec = s
                ms = MS3[m]
                o = i * 80
                b = i * 16
                s_id = svcs[i]
                r15 = R[b + 15]
                if s_id <= 1:
                    # worker-1 / worker-2: Python logging; ~1.5% tracebacks
                    p = p_w1 if s_id == 0 else p_w2
                    if r15 < 4:
                        self.t_ms = t
                        ev = self.python_traceback(ms, TASKS[R[b + 1] % 10])
                        self._emit_multi(out, p, ev, s_id)
                        nlines += len(ev)
                        continue
                    app(p + worker_line(ms, H, o, R, b, s_id))
                elif s_id == 2:
                    if r15 == 0 and R[b + 14] < 4:
                        self.t_ms = t
                        ev = self.go_panic(ms, API)
                        self._emit_multi(out, p_api, ev, s_id)
                        nlines += len(ev)
                        continue
                    app(p_api + api_line(ms, H, o, R, b))
                elif s_id == 3:
                    if r15 == 0 and R[b + 14] < 8:
                        self.t_ms = t
                        ev = self.go_panic(ms, ING)
                        self._emit_multi(out, p_ing, ev, s_id)
                        nlines += len(ev)
                        continue
                    app(p_ing + ingest_line(ms, H, o, R, b))
                elif s_id == 4:
                    app(p_red + redis_line(ms, H, o, R, b))
                elif s_id == 5:
                    ev = pg_lines(ms, H, o, R, b)
                    if len(ev) == 1:
                        app(p_pg + ev[0])
                    else:
                        ext([p_pg + x for x in ev])
                        nlines += len(ev) - 1
                else:
                    if r15 < 4:
                        self.t_ms = t
                        ev = self.java_trace(ms)
                        self._emit_multi(out, p_bil, ev, s_id)
                        nlines += len(ev)
                        continue
                    app(p_bil + billing_line(ms, H, o, R, b))
                nlines += 1
            self.t_ms = t
            self.lines += nlines
            self.events += B
            out.append("")
            yield "\n".join(out)

    def _emit_multi(self, out, p, ev, s_id):
        """Append a multi-line event; sometimes with another container's line interleaved."""
        self.multiline_events += 1
        rng = self.rng
        if rng.getrandbits(2) == 0:
            # another container logged a line while this event was being written
            other = (s_id + 1 + rng.getrandbits(1)) % 4  # worker/api/ingest, never self
            if other == s_id:
                other = (other + 1) % 4
            hx = "%080x" % rng.getrandbits(320)
            rb = rng.randbytes(16)
            ms = MS3[self.t_ms % 1000]
            if other <= 1:
                line = self.worker_line(ms, hx, 0, rb, 0, other)
            elif other == 2:
                line = self.api_line(ms, hx, 0, rb, 0)
            else:
                line = self.ingest_line(ms, hx, 0, rb, 0)
            cut = 1 + rng.randrange(len(ev) - 1) if len(ev) > 2 else len(ev)
            op = self.prefix[other]
            if self.compose:
                out.extend([p + x for x in ev[:cut]])
                out.append(op + line)
                out.extend([p + x for x in ev[cut:]])
            else:
                out.extend([p + x for x in ev])
                out.append(op + line)
            self.lines += 1
        else:
            out.extend([p + x for x in ev])


# --------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------

def parse_size(s):
    s = s.strip().upper()
    if s.endswith("B") and len(s) > 1 and s[-2] in "KMGT":
        s = s[:-1]
    if s.endswith("IB"):
        s = s[:-2]
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}.get(s[-1:], None)
    if mult is None:
        return int(s)
    return int(float(s[:-1]) * mult)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", default="10M", help="target size, e.g. 10M, 200M, 1G, 2G (binary units; bytes if no suffix)")
    ap.add_argument("--out", required=True, help="output path ('-' for stdout)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--format", choices=("compose", "plain"), default="compose")
    ap.add_argument("--gzip", action="store_true", help="also write OUT.gz (gzip -6 -n, compressed concurrently)")
    args = ap.parse_args(argv)

    target = parse_size(args.size)
    gen = Generator(args.seed, compose=(args.format == "compose"))

    t0 = time.perf_counter()
    if args.out == "-":
        f = sys.stdout.buffer
        tmp = None
    else:
        d = os.path.dirname(os.path.abspath(args.out))
        os.makedirs(d, exist_ok=True)
        tmp = args.out + ".part"
        f = open(tmp, "wb", buffering=0)

    gz_proc = gz_file = gz_obj = None
    gz_tmp = None
    if args.gzip:
        if args.out == "-":
            ap.error("--gzip needs --out PATH")
        gz_tmp = args.out + ".gz.part"
        gz_file = open(gz_tmp, "wb")
        if shutil.which("gzip"):
            # compress on the other core while we generate
            gz_proc = subprocess.Popen(["gzip", "-6", "-n", "-c"], stdin=subprocess.PIPE, stdout=gz_file)
        else:
            gz_obj = zlib.compressobj(6, zlib.DEFLATED, 31)

    written = 0
    lines_trimmed = 0
    for batch in gen.batches():
        data = batch.encode("utf-8")
        if written + len(data) >= target:
            need = target - written
            cut = data.find(b"\n", max(0, need - 1))
            if cut >= 0:
                lines_trimmed = data.count(b"\n", cut + 1)
                data = data[:cut + 1]
        try:
            f.write(data)
        except BrokenPipeError:  # `--out - | head`
            try:
                sys.stdout = None
                os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
            except OSError:
                pass
            return 0
        if gz_proc:
            gz_proc.stdin.write(data)
        elif gz_obj:
            gz_file.write(gz_obj.compress(data))
        written += len(data)
        if written >= target:
            break
    t_gen = time.perf_counter() - t0
    if tmp:
        f.close()
        os.replace(tmp, args.out)
    else:
        f.flush()

    t_gz = 0.0
    if args.gzip:
        t1 = time.perf_counter()
        if gz_proc:
            gz_proc.stdin.close()
            rc = gz_proc.wait()
            if rc != 0:
                sys.exit("gzip failed with exit code %d" % rc)
        else:
            gz_file.write(gz_obj.flush())
        gz_file.close()
        os.replace(gz_tmp, args.out + ".gz")
        t_gz = time.perf_counter() - t1
    total = time.perf_counter() - t0

    nlines = gen.lines - lines_trimmed
    mb = written / 1e6
    msg = "generate.py: wrote %d lines, %d bytes (%.1f MB) to %s in %.2fs (%.1f MB/s); seed=%d format=%s; %d events, %d multi-line" % (
        nlines, written, mb, args.out, t_gen, mb / t_gen if t_gen else 0.0, args.seed, args.format, gen.events, gen.multiline_events)
    print(msg, file=sys.stderr)
    if args.gzip:
        gz_size = os.path.getsize(args.out + ".gz")
        how = ("gzip -6 -n ran concurrently (so generation above was paced by it)" if gz_proc else
               "compressed in-process with zlib level 6 (no gzip binary)")
        print("generate.py: wrote %s.gz, %d bytes (ratio %.1fx); %s, finished %.2fs after the last write; total %.2fs" % (
            args.out, gz_size, written / gz_size if gz_size else 0.0, how, t_gz, total), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
