#!/usr/bin/env python3
"""Writes N realistic user pattern files (app-specific crash signatures) for the benchmark
condition "500 additional user patterns loaded". Deterministic; stdlib only.

Usage: Benchmarks/user-patterns.py [--count 500] [--out Benchmarks/data/user-patterns]
"""
import argparse
import os
import random

SUBJECTS = ["invoice", "ledger", "tenant", "webhook", "payout", "shipment", "catalog", "session", "quota",
            "thumbnail", "transcode", "ocr", "embedding", "billing", "refund", "export", "import", "sync",
            "notification", "scheduler"]
FAILURES = ["checksum mismatch", "state corrupted", "lease lost", "schema drift", "cursor expired",
            "shard unavailable", "budget exhausted", "lock stolen", "manifest missing", "quorum lost"]
CATEGORIES = ["traceback", "timeout", "config", "deadlock", "heartbeat", "connection-refused"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--out", default="Benchmarks/data/user-patterns")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    per_file = 50
    for file_index in range(0, args.count, per_file):
        lines = [f"family: user-{file_index // per_file}", "patterns:"]
        for index in range(file_index, min(file_index + per_file, args.count)):
            subject = rng.choice(SUBJECTS)
            failure = rng.choice(FAILURES)
            code = f"E{subject[:3].upper()}{index:04d}"
            literal = f"{code} {subject} {failure}"
            lines += [
                f"  - id: user.{subject}-{index}",
                f"    category: {rng.choice(CATEGORIES)}",
                f"    title: {subject.capitalize()} {failure} ({code})",
                "    confidence: strong",
                f"    literals: ['{literal}']",
                f"    regex: '{code} {subject} {failure}(?: for (?<task_id>[-0-9a-f]+))?'",
                f"    explanation: The {subject} service reported {failure}.",
                f"    remediation: See the {subject} runbook for {code}.",
                "    samples:",
                f"      - text: 'ERROR app: {literal} for 4242-abcd'",
                "        captures: {task_id: 4242-abcd}",
                "    negative:",
                f"      - 'INFO app: {subject} processed'",
            ]
        with open(os.path.join(args.out, f"user-{file_index // per_file:02d}.yaml"), "w") as handle:
            handle.write("\n".join(lines) + "\n")
    print(f"wrote {args.count} patterns to {args.out}")


if __name__ == "__main__":
    main()
