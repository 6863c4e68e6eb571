"""Reading a PDF back with poppler's tools, as an archivist or a court would, never with the code that made it
(and its structure tree with pyHanko's reader, where poppler prints too little of it)."""

import io
import json
import re
import subprocess
import tempfile
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

from pyhanko.pdf_utils.generic import ArrayObject, DictionaryObject, IndirectObject
from pyhanko.pdf_utils.reader import PdfFileReader

BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")


def _run(*args: str, pdf: bytes, after: tuple[str, ...] = ()) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "minutes.pdf"
        path.write_bytes(pdf)
        command = [*args, str(path), *after]
        done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
        return done.stdout


# pdftotext places sentence punctuation next to Latin digits on the wrong side («.2026»); the page is
# right, the extraction is not, so punctuation is left out of comparisons.
SENTENCE_PUNCTUATION = re.compile(r"[.,،:؛;!?]")


def normalized(text: str) -> str:
    """NFKC (Arabic presentation forms to letters), without bidi controls, whitespace or punctuation."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", SENTENCE_PUNCTUATION.sub("", BIDI_CONTROLS.sub("", text)))


def text(pdf: bytes, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return _run("pdftotext", *pages, "-enc", "UTF-8", pdf=pdf, after=("-",))


def page_texts(pdf: bytes) -> list[str]:
    return [normalized(page) for page in text(pdf).split("\f")[: page_count(pdf)]]


def fonts(pdf: bytes) -> list[dict]:
    """pdffonts' table as rows: name, emb (yes/no)."""
    lines = _run("pdffonts", pdf=pdf).splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name type... encoding emb sub uni object ID: read emb/sub/uni from the right.
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def info(pdf: bytes) -> dict:
    rows = (line.split(":", 1) for line in _run("pdfinfo", pdf=pdf).splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in rows}


def page_count(pdf: bytes) -> int:
    return int(info(pdf)["Pages"])


def xmp(pdf: bytes) -> str:
    return _run("pdfinfo", "-meta", pdf=pdf)


def tagged(pdf: bytes) -> bool:
    return info(pdf)["Tagged"] == "yes"


def structure_types(pdf: bytes) -> list[str]:
    """The types of the structure tree's elements, depth first, as poppler's `pdfinfo -struct` lists them
    («Document», «H1», «Table», «TH»…)."""
    return [
        line.split()[0].rstrip(":")
        for line in _run("pdfinfo", "-struct", pdf=pdf).splitlines()
        if line.strip() and not line.lstrip().startswith(("/", '"'))
    ]


@dataclass
class Element:
    """One element of the structure tree: its type, its ancestors' types, the entries a reader uses."""

    type: str
    ancestors: tuple[str, ...]
    id: str | None = None
    lang: str | None = None
    alt: str | None = None
    actual_text: str | None = None
    attributes: dict | None = None


def catalog(pdf: bytes) -> DictionaryObject:
    return PdfFileReader(io.BytesIO(pdf)).root


def structure(pdf: bytes) -> list[Element]:
    """The structure tree, depth first, in the order assistive technology reads it."""
    found: list[Element] = []

    def entry(node: DictionaryObject, key: str):
        value = node.get(key)
        return value.get_object() if isinstance(value, IndirectObject) else value

    def walk(node: DictionaryObject, ancestors: tuple[str, ...]) -> None:
        kind = str(node["/S"])[1:]
        attributes = entry(node, "/A")
        found.append(
            Element(
                kind,
                ancestors,
                id=entry(node, "/ID"),
                lang=entry(node, "/Lang"),
                alt=entry(node, "/Alt"),
                actual_text=entry(node, "/ActualText"),
                attributes=dict(attributes) if isinstance(attributes, DictionaryObject) else None,
            )
        )
        kids = entry(node, "/K")
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            kid = kid.get_object() if isinstance(kid, IndirectObject) else kid
            if isinstance(kid, DictionaryObject) and "/S" in kid:
                walk(kid, (*ancestors, kind))

    root = entry(catalog(pdf), "/StructTreeRoot")
    for top in entry(root, "/K") if root is not None else []:
        walk(top.get_object(), ())
    return found


def read_aloud(pdf: bytes) -> str:
    """The text a screen reader speaks, run after run (each run's /ActualText: the characters in their
    reading order, where the page shows Arabic glyphs right to left), normalized as `normalized`."""
    return normalized("".join(e.actual_text or "" for e in structure(pdf)))


def attachment(pdf: bytes, name: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "minutes.pdf"
        path.write_bytes(pdf)
        listing = subprocess.run(
            ["pdfdetach", "-list", str(path)], capture_output=True, text=True, check=True
        )
        index = next(
            line.split(":", 1)[0].strip()
            for line in listing.stdout.splitlines()
            if line.strip().endswith(name)
        )
        out = Path(folder) / name
        subprocess.run(["pdfdetach", "-save", index, "-o", str(out), str(path)], check=True, timeout=60)
        return json.loads(out.read_text(encoding="utf-8"))


def _catalog_entry(pdf: bytes, pattern: bytes) -> str | None:
    """An entry of the catalog, looked up in plain and compressed object streams."""
    bodies = [pdf]
    for stream in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            bodies.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue
    for body in bodies:
        found = re.search(rb"/Type\s*/Catalog.*?" + pattern, body, re.S)
        if found:
            return found.group(1).decode()
    return None


def catalog_language(pdf: bytes) -> str | None:
    """The document language (/Lang of the catalog)."""
    return _catalog_entry(pdf, rb"/Lang\s*\((.*?)\)")


def associated_files(pdf: bytes) -> list[str]:
    """The catalog's /AF: the references of the files associated with the document (PDF/A-3)."""
    found = _catalog_entry(pdf, rb"/AF\s*\[([^\]]*)\]")
    return re.findall(r"\d+ \d+ R", found or "")


def images(pdf: bytes) -> list[dict]:
    """pdfimages' list: one row per image with its page, width and height."""
    rows = _run("pdfimages", "-list", pdf=pdf).splitlines()[2:]
    return [
        {"page": int(r.split()[0]), "width": int(r.split()[3]), "height": int(r.split()[4])} for r in rows
    ]


VALIDATORS = Path(__file__).resolve().parent / "validators" / "target"


def _validator(program: str, pdf: bytes, *arguments: Path | str, exits: tuple[int, ...] = (0,)) -> str:
    """The standard output of one of the reference validators (tests/validators, built by `make test`)
    run on `pdf`, which ends with one of the exit statuses `exits`."""
    classpath = f"{VALIDATORS / 'classes'}:{(VALIDATORS / 'classpath.txt').read_text().strip()}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "minutes.pdf"
        path.write_bytes(pdf)
        command = [
            "java",
            "-cp",
            classpath,
            f"ma.entraide.validators.{program}",
            str(path),
            *map(str, arguments),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode in exits and done.stdout, done.stderr
    return done.stdout


# veraPDF's names of the profiles the minutes meet (and PDF/A-3B, which every PDF/A-3A meets too).
PDF_A_3B, PDF_A_3A, PDF_UA_1 = "3b", "3a", "ua1"


def pdfa_verdict(pdf: bytes, profile: str = PDF_A_3B) -> list[str]:
    """veraPDF's verdict on one profile (PDF/A-3B unless told): the failed rules, then «COMPLIANT» or
    «NOT COMPLIANT»."""
    return _validator("PdfA", pdf, profile, exits=(0, 1)).strip().splitlines()


def dss_report(pdf: bytes, trust_anchor: Path) -> dict:
    """The EU Commission's DSS on every signature of `pdf`, offline (only what the file holds), with
    `trust_anchor` (PEM) as the only trusted certificate: its simple report, as JSON."""
    return json.loads(_validator("Pades", pdf, trust_anchor))


def nss_database(folder: Path, trusted: Path) -> Path:
    """An NSS database in `folder` trusting the CA certificate of `trusted` (PEM) for e-mail (S/MIME), the
    usage poppler asks NSS to check of a PDF signer."""
    folder.mkdir()
    subprocess.run(["certutil", "-N", "--empty-password", "-d", f"sql:{folder}"], check=True, timeout=60)
    add = ["certutil", "-A", "-n", "ca", "-t", ",C,", "-i", str(trusted), "-d", f"sql:{folder}"]
    subprocess.run(add, check=True, timeout=60)
    return folder


def pdfsig(data: bytes, folder: Path, trusted: Path | None = None) -> str:
    """poppler's report on every signature of `data` (written in `folder`), trusting `trusted`'s CA when
    given, revocation asked by pdfsig itself (OCSP). pdfsig exits 0 whatever it finds: its text is the
    verdict."""
    path = folder / "signed.pdf"
    path.write_bytes(data)
    options = ["-nssdir", f"sql:{nss_database(folder / 'nss', trusted)}"] if trusted else []
    done = subprocess.run(["pdfsig", *options, str(path)], capture_output=True, text=True, timeout=60)
    return done.stdout
