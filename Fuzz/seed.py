#!/usr/bin/env python3
"""Seeds each fuzz target's corpus from Samples/, Patterns/ and ../shared/corpus/.

    python3 Fuzz/seed.py OUT_DIR TARGET...

Seeds are small (at most 64 KiB, libFuzzer's -max_len in Fuzz/run.sh): logs are cut into
line-aligned pieces, span dumps into the units each decoder reads (a Jaeger trace, an OTLP
resourceSpans element, a Zipkin span, a Tempo batch), archives rebuilt from sample files.
"""
import glob, gzip, io, json, os, re, sys, tarfile

LIMIT = 65536
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
shared = os.path.join(root, "..", "shared", "corpus")
out, targets = sys.argv[1], sys.argv[2:]


def files(*patterns):
    found = []
    for pattern in patterns:
        found += [p for p in glob.glob(os.path.join(root, pattern), recursive=True) if os.path.isfile(p)]
        found += [p for p in glob.glob(os.path.join(shared, pattern), recursive=True) if os.path.isfile(p)]
    return sorted(set(found))


def plain(path):
    data = open(path, "rb").read()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except Exception:
            pass
    return data


def pieces(data):
    """Line-aligned pieces of at most LIMIT bytes."""
    start = 0
    while start < len(data):
        end = min(start + LIMIT, len(data))
        cut = data.rfind(b"\n", start, end)
        if end < len(data) and cut > start:
            end = cut + 1
        yield data[start:end]
        start = end


def write(target, name, data):
    directory = os.path.join(out, target)
    os.makedirs(directory, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)[-80:]
    open(os.path.join(directory, safe), "wb").write(data[:LIMIT])


logs = [p for p in files("Samples/**/*", "detect-exceptions/*") if not p.endswith(".md")]
dumps = files("spans/**/*.json", "Samples/**/*.json", "spans/**/*.jsonl")


def json_documents(path):
    text = plain(path).decode("utf-8", "replace")
    try:
        yield json.loads(text)
    except ValueError:
        for line in text.splitlines():
            try:
                yield json.loads(line)
            except ValueError:
                pass


def units(key_path):
    for path in dumps:
        for document in json_documents(path):
            value = document
            for key in key_path:
                value = value.get(key) if isinstance(value, dict) else None
            if isinstance(value, list):
                for index, unit in enumerate(value[:50]):
                    yield f"{os.path.basename(path)}-{index}", json.dumps(unit).encode()


for target in targets:
    if target == "assembly":
        for path in logs:
            for index, piece in enumerate(pieces(plain(path))):
                write(target, f"{os.path.basename(path)}-{index}", piece)
    elif target == "gzip":
        for path in logs[:40]:
            data = open(path, "rb").read()
            write(target, os.path.basename(path), data if data[:2] == b"\x1f\x8b" else gzip.compress(plain(path)[:8192], mtime=0))
    elif target == "tar":
        for index in range(0, min(len(logs), 40), 4):
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT if index % 8 else tarfile.GNU_FORMAT) as archive:
                for path in logs[index:index + 4]:
                    data = plain(path)[:4096]
                    info = tarfile.TarInfo("bundle/" + os.path.relpath(path, root).replace("..", "up")[-90:])
                    info.size = len(data)
                    archive.addfile(info, io.BytesIO(data))
            write(target, f"bundle-{index}.tar", buffer.getvalue())
    elif target == "spans-jaeger":
        for name, unit in units(["data"]):
            write(target, name, unit)
    elif target == "spans-otlp":
        for name, unit in units(["resourceSpans"]):
            write(target, name, unit)
        for name, unit in units(["resourceLogs"]):
            write(target, "logs-" + name, unit)
    elif target == "spans-zipkin":
        for path in dumps:
            for document in json_documents(path):
                if isinstance(document, list):
                    for index, span in enumerate(document[:50]):
                        write(target, f"{os.path.basename(path)}-{index}", json.dumps(span).encode())
    elif target == "spans-tempo":
        for name, unit in units(["batches"]):
            write(target, name, unit)
        for name, unit in units(["resourceSpans"]):
            write(target, "rs-" + name, unit)
    elif target == "patterns":
        for path in files("Patterns/*.yaml"):
            write(target, os.path.basename(path), open(path, "rb").read())
    elif target == "trace-ids":
        count = 0
        for path in logs:
            for line in plain(path).splitlines():
                if re.search(rb"(?i)trace|[0-9a-f]{32}", line) and count < 400:
                    write(target, f"line-{count}", line)
                    count += 1
    else:
        sys.exit(f"seed.py: unknown target {target}")
    made = len(os.listdir(os.path.join(out, target))) if os.path.isdir(os.path.join(out, target)) else 0
    print(f"seeds: {target}: {made}")
