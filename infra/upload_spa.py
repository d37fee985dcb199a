"""Uploads the built SPA (dist/) to its S3 bucket with the headers the local server sends
(api/src/spa/, ADR 0019), so that CloudFront and browsers cache it the same way:

- files with a content hash in their name (NAME.0123456789abcdef.EXT: the wasm, js and css)
  ``Cache-Control: public, max-age=31536000, immutable``: a new build gives new names;
- the HTML pages ``Cache-Control: no-cache``: revalidated on every visit (S3 gives them an ETag),
  so a deploy is seen at once.

Hashed files go first and the pages last, so that no page is ever served that names a file not
yet uploaded; files of earlier builds are kept (a browser holding an old page still finds what it
names) unless --prune-older-than-days removes those not part of this build and older than that.
The compressed copies (FILE.br, FILE.gz) are not uploaded: CloudFront compresses (Compress: true
in infra/template.yaml) and negotiates Accept-Encoding itself.

Usage: python3 infra/upload_spa.py BUCKET [--dist dist] [--endpoint-url URL] [--prune-older-than-days N]
(credentials and region as for the AWS CLI; after it, invalidate /*.html in CloudFront)
"""

from __future__ import annotations

import argparse
import datetime as dt
import mimetypes
import pathlib
import re
import sys

import boto3

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HASHED = re.compile(r"\.[0-9a-f]{16}\.[A-Za-z0-9]+$")
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".wasm": "application/wasm",
}


def headers(name: str) -> dict[str, str]:
    """The Content-Type and Cache-Control of the object for file `name`."""
    suffix = pathlib.PurePosixPath(name).suffix
    content_type = TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    cache = IMMUTABLE if HASHED.search(name) else REVALIDATE
    return {"ContentType": content_type, "CacheControl": cache}


def plan(dist: pathlib.Path) -> list[str]:
    """The files to upload, by key, hashed ones first and the pages last."""
    keys = [
        p.relative_to(dist).as_posix()
        for p in sorted(dist.rglob("*"))
        if p.is_file() and p.suffix not in (".br", ".gz")
    ]
    if "index.html" not in keys:
        raise SystemExit(f"{dist} has no index.html: run scripts/build-spa.sh first")
    return sorted(keys, key=lambda k: (not HASHED.search(k), k.endswith(".html"), k))


def upload(bucket: str, dist: pathlib.Path, s3, prune_days: int | None = None) -> list[str]:
    keys = plan(dist)
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=(dist / key).read_bytes(), **headers(key))
        print(f"    {key:<44} {headers(key)['CacheControl']}")
    if prune_days is not None:
        cutoff = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=prune_days)
        current = set(keys)
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for obj in page.get("Contents", []):
                if obj["Key"] not in current and HASHED.search(obj["Key"]) and obj["LastModified"] < cutoff:
                    s3.delete_object(Bucket=bucket, Key=obj["Key"])
                    print(f"    removed {obj['Key']} (an earlier build's, older than {prune_days} days)")
    return keys


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bucket")
    parser.add_argument("--dist", default="dist", type=pathlib.Path)
    parser.add_argument("--endpoint-url", default=None)
    parser.add_argument("--prune-older-than-days", type=int, default=None)
    args = parser.parse_args(argv)
    s3 = boto3.client("s3", endpoint_url=args.endpoint_url)
    upload(args.bucket, args.dist, s3, args.prune_older_than_days)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
