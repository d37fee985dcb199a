"""infra/upload_spa.py against S3 on moto_server (127.0.0.1): every object gets the local server's
caching headers, the pages are uploaded after the files they name, and an earlier build's hashed
files stay unless pruned. Run by scripts/check-infra.sh."""

import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import boto3

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import upload_spa  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class UploadSpa(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        port = free_port()
        cls.moto = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.environ.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="eu-south-1")
        cls.s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}")
        for _ in range(100):
            try:
                cls.s3.list_buckets()
                break
            except Exception:
                time.sleep(0.1)
        cls.s3.create_bucket(Bucket="spa", CreateBucketConfiguration={"LocationConstraint": "eu-south-1"})

    @classmethod
    def tearDownClass(cls):
        cls.moto.terminate()
        cls.moto.wait()

    def dist(self, files: dict[str, str]) -> pathlib.Path:
        root = pathlib.Path(tempfile.mkdtemp())
        for name, text in files.items():
            (root / name).write_text(text)
        return root

    def test_hashed_files_are_immutable_pages_revalidated_and_copies_left_out(self):
        dist = self.dist(
            {
                "index.html": "<script src=/boot.0123456789abcdef.js>",
                "index.html.br": "br",
                "boot.0123456789abcdef.js": "import",
                "frontend_bg.fedcba9876543210.wasm": "\0asm",
                "style.00112233445566ff.css": "body{}",
            }
        )
        keys = upload_spa.upload("spa", dist, self.s3)
        self.assertEqual(keys[-1], "index.html", "the page goes last")
        self.assertNotIn("index.html.br", keys)
        expect = {
            "index.html": ("text/html; charset=utf-8", "no-cache"),
            "boot.0123456789abcdef.js": ("text/javascript; charset=utf-8", upload_spa.IMMUTABLE),
            "frontend_bg.fedcba9876543210.wasm": ("application/wasm", upload_spa.IMMUTABLE),
            "style.00112233445566ff.css": ("text/css; charset=utf-8", upload_spa.IMMUTABLE),
        }
        for key, (content_type, cache) in expect.items():
            head = self.s3.head_object(Bucket="spa", Key=key)
            self.assertEqual((head["ContentType"], head["CacheControl"]), (content_type, cache), key)

    def test_an_earlier_builds_files_stay_until_pruned(self):
        old = self.dist({"index.html": "old", "app.1111111111111111.js": "old"})
        upload_spa.upload("spa", old, self.s3)
        new = self.dist({"index.html": "new", "app.2222222222222222.js": "new"})
        upload_spa.upload("spa", new, self.s3)
        listed = {o["Key"] for o in self.s3.list_objects_v2(Bucket="spa")["Contents"]}
        self.assertIn("app.1111111111111111.js", listed, "a browser with the old page still finds it")
        upload_spa.upload("spa", new, self.s3, prune_days=0)
        listed = {o["Key"] for o in self.s3.list_objects_v2(Bucket="spa")["Contents"]}
        self.assertNotIn("app.1111111111111111.js", listed)
        self.assertIn("app.2222222222222222.js", listed)
        self.assertEqual(self.s3.get_object(Bucket="spa", Key="index.html")["Body"].read(), b"new")


if __name__ == "__main__":
    unittest.main()
