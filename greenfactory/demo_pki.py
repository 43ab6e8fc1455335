"""Demo key material: a demo root CA, one certificate per issuing organ, and a seal image marked 样章.

Demo only. A real organ's key and certificate are put in ``SIGNING_DIR`` by the operator (README, "Signed
documents"); nothing here overwrites a file that exists. The seal image never imitates an official seal: it
is a blue-grey rectangle reading 样章 · 演示用 and DEMO, not a round red seal with a star.
"""

import datetime
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID, ObjectIdentifier

from greenfactory import signing

CA_NAME = "绿色制造梯度培育管理平台 演示根证书 (DEMO)"
PLATFORM = "绿色制造梯度培育管理平台 (DEMO)"
DEMO_SUFFIX = " (演示)"
CA_YEARS = 20
ORGAN_YEARS = 10
SEAL_PIXELS = (800, 500)
# id-kp-documentSigning (RFC 9336)
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
SEAL_COLOUR = (47, 84, 122, 255)  # steel blue: never the red of an official seal


@dataclass
class PkiReport:
    created: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    skipped: list = field(default_factory=list)


def new_key(bits=2048):
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _name(common_name, organisation):
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "DEMO"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_ca(key, *, common_name=CA_NAME, now=None):
    now = now or datetime.datetime.now(datetime.UTC)
    name = _name(common_name, PLATFORM)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def make_signing_certificate(key, *, common_name, organisation, ca_cert, ca_key, now=None):
    """A document-signing certificate (digitalSignature + nonRepudiation, as PAdES validators expect)."""
    now = now or datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * ORGAN_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


def _key_pem(key):
    password = signing.key_password()
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def _write(path, data, *, private=False):
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    if private:
        os.chmod(tmp, 0o600)
    tmp.replace(path)


def _issued_by(cert_path, ca_cert):
    """The certificate on disk was issued by this CA (so a new demo CA re-issues the organs' certificates)."""
    try:
        cert = x509.load_pem_x509_certificate(Path(cert_path).read_bytes())
        cert.verify_directly_issued_by(ca_cert)
    except (OSError, ValueError, TypeError, x509.InvalidSignature):
        return False
    return True


def ensure_demo_pki(organs, directory=None):
    """Create what is missing: the CA, each organ's key and certificate, each organ's demo seal. Idempotent."""
    directory = Path(directory or signing.signing_dir())
    directory.mkdir(parents=True, exist_ok=True)
    report = PkiReport()
    ca_cert_path, ca_key_path = directory / "ca.cert.pem", directory / "ca.key.pem"
    if ca_cert_path.exists():
        ca_cert = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
        ca_key = _load_key(ca_key_path) if ca_key_path.exists() else None
        report.kept.append("ca")
    else:
        ca_key = new_key(3072)
        ca_cert = make_ca(ca_key)
        _write(ca_key_path, _key_pem(ca_key), private=True)
        _write(ca_cert_path, ca_cert.public_bytes(serialization.Encoding.PEM))
        report.created.append("ca")
    for organ in organs:
        paths = signing.organ_paths(organ, directory)
        if paths.key.exists() and paths.cert.exists() and _issued_by(paths.cert, ca_cert):
            report.kept.append(organ.code)
        elif paths.key.exists() and paths.cert.exists() and ca_key is None:
            report.kept.append(organ.code)  # the operator's own material: never touched
        elif ca_key is None:
            report.skipped.append(organ.code)  # an operator's CA without its key cannot issue demo certificates
        else:
            key = new_key()
            cert = make_signing_certificate(
                key, common_name=organ.name + DEMO_SUFFIX, organisation=organ.name, ca_cert=ca_cert, ca_key=ca_key
            )
            _write(paths.key, _key_pem(key), private=True)
            _write(paths.cert, cert.public_bytes(serialization.Encoding.PEM))
            report.created.append(organ.code)
        if not paths.seal.exists():
            draw_demo_seal(organ.name).save(paths.seal, format="PNG")
    return report


def _load_key(path):
    return serialization.load_pem_private_key(Path(path).read_bytes(), password=signing.key_password())


NOTO_CJK_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
SEAL_FAMILY = "Noto Sans CJK SC"


def cjk_font_file():
    """(file, index) of Noto Sans CJK SC (Debian's fonts-noto-cjk): the seal must never show empty boxes."""
    from PIL import ImageFont

    candidates = []
    if shutil.which("fc-match"):
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", SEAL_FAMILY + ":bold"], capture_output=True, text=True, check=False
        ).stdout.strip()
        candidates.append(out)
    candidates += NOTO_CJK_FILES
    for path in candidates:
        if not path or not Path(path).is_file():
            continue
        for index in range(8):
            try:
                face = ImageFont.truetype(path, 12, index=index)
            except OSError:
                break
            if face.getname()[0] == SEAL_FAMILY:
                return path, index
    raise RuntimeError("The demo seal needs the font Noto Sans CJK SC (Debian package fonts-noto-cjk).")


def draw_demo_seal(organ_name):
    """A blue rectangular stamp: 样章 · 演示用, the organ's name, DEMO. Transparent outside the lines."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = SEAL_PIXELS
    image = Image.new("RGBA", SEAL_PIXELS, (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    path, index = cjk_font_file()

    def font(size):
        return ImageFont.truetype(path, size, index=index)

    draw.rounded_rectangle((8, 8, width - 9, height - 9), radius=28, outline=SEAL_COLOUR, width=12)
    draw.rounded_rectangle((30, 30, width - 31, height - 31), radius=16, outline=SEAL_COLOUR, width=4)

    def centred(text, y, size, max_width):
        while size > 12 and draw.textlength(text, font=font(size)) > max_width:
            size -= 2
        draw.text((width / 2, y), text, font=font(size), fill=SEAL_COLOUR, anchor="mm")

    centred("样章 · 演示用", 120, 92, width - 120)
    centred(organ_name, 260, 60, width - 110)
    draw.line((70, 330, width - 70, 330), fill=SEAL_COLOUR, width=4)
    centred("DEMO · 非真实印章 · 仅供演示", 400, 48, width - 120)
    return image
