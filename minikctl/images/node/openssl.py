"""`openssl x509` on a node: the certificate's text as OpenSSL 3's X509_print_ex lays it out, read
with the cryptography library from the node's files (the real openssl prints the same; the tests
compare). Other openssl subcommands answer `minikctl: openssl SUB is not simulated`.
"""
from __future__ import annotations

import datetime
import hashlib
from minikctl import lazy

fs = lazy.function("minikctl.images.applets.common", "fs")
path = lazy.function("minikctl.images.applets.common", "path")
rsa = lazy.module("cryptography.hazmat.primitives.asymmetric.rsa")
x509 = lazy.module("cryptography.x509")

SIG_NAMES = {"sha256WithRSAEncryption": "sha256WithRSAEncryption", "ecdsa-with-SHA256": "ecdsa-with-SHA256"}
NAME_ORDER_SHORT = {"commonName": "CN", "organizationName": "O", "organizationalUnitName": "OU",
                    "countryName": "C", "stateOrProvinceName": "ST", "localityName": "L"}
EKU_NAMES = {"serverAuth": "TLS Web Server Authentication", "clientAuth": "TLS Web Client Authentication",
             "codeSigning": "Code Signing", "emailProtection": "E-mail Protection",
             "timeStamping": "Time Stamping", "OCSPSigning": "OCSP Signing"}
KU_FIELDS = (("digital_signature", "Digital Signature"), ("content_commitment", "Non Repudiation"),
             ("key_encipherment", "Key Encipherment"), ("data_encipherment", "Data Encipherment"),
             ("key_agreement", "Key Agreement"), ("key_cert_sign", "Certificate Sign"),
             ("crl_sign", "CRL Sign"))


def _name(n) -> str:
    parts = []
    for rdn in n.rdns:
        for a in rdn:
            parts.append(f"{NAME_ORDER_SHORT.get(a.oid._name, a.oid._name)} = {a.value}")
    return ", ".join(parts)


def _date(d: datetime.datetime) -> str:
    return d.strftime("%b ") + f"{d.day:2d}" + d.strftime(" %H:%M:%S %Y GMT")


def _hexbytes(b: bytes, per_line: int, indent: int) -> str:
    pairs = [f"{x:02x}" for x in b]
    lines = [":".join(pairs[i:i + per_line]) for i in range(0, len(pairs), per_line)]
    pad = " " * indent
    return "".join(pad + ln + (":" if i < len(lines) - 1 else "") + "\n" for i, ln in enumerate(lines))


def _int_bytes(n: int) -> bytes:
    b = n.to_bytes((n.bit_length() + 7) // 8 or 1, "big")
    return b"\x00" + b if b[0] & 0x80 else b


def _ext_text(ext) -> tuple[str, list[str]]:
    v = ext.value
    if isinstance(v, x509.KeyUsage):
        names = [label for attr, label in KU_FIELDS if getattr(v, attr)]
        return "X509v3 Key Usage", [", ".join(names)]
    if isinstance(v, x509.ExtendedKeyUsage):
        return "X509v3 Extended Key Usage", [", ".join(EKU_NAMES.get(o._name, o.dotted_string) for o in v)]
    if isinstance(v, x509.BasicConstraints):
        s = "CA:TRUE" if v.ca else "CA:FALSE"
        if v.ca and v.path_length is not None:
            s += f", pathlen:{v.path_length}"
        return "X509v3 Basic Constraints", [s]
    if isinstance(v, x509.SubjectKeyIdentifier):
        return "X509v3 Subject Key Identifier", [":".join(f"{x:02X}" for x in v.digest)]
    if isinstance(v, x509.AuthorityKeyIdentifier):
        return "X509v3 Authority Key Identifier", [":".join(f"{x:02X}" for x in v.key_identifier or b"")]
    if isinstance(v, x509.SubjectAlternativeName):
        items = []
        for g in v:
            if isinstance(g, x509.DNSName):
                items.append(f"DNS:{g.value}")
            elif isinstance(g, x509.IPAddress):
                ip = g.value
                items.append(f"IP Address:{ip}" if ip.version == 4 else "IP Address:" + ":".join(
                    f"{int.from_bytes(ip.packed[i:i + 2], 'big'):X}" for i in range(0, 16, 2)))
            else:
                items.append(str(g.value))
        return "X509v3 Subject Alternative Name", [", ".join(items)]
    return ext.oid.dotted_string, ["<not simulated>"]


def text(cert) -> str:
    """OpenSSL 3's `x509 -noout -text` of one certificate."""
    o = ["Certificate:\n", "    Data:\n", f"        Version: {cert.version.value + 1} (0x{cert.version.value:x})\n"]
    serial = cert.serial_number
    if serial.bit_length() <= 63:
        o.append(f"        Serial Number: {serial} (0x{serial:x})\n")
    else:
        o.append("        Serial Number:\n" + _hexbytes(_int_bytes(serial), 10 ** 6, 12))
    sig = cert.signature_algorithm_oid._name
    o += [f"        Signature Algorithm: {sig}\n", f"        Issuer: {_name(cert.issuer)}\n", "        Validity\n",
          f"            Not Before: {_date(cert.not_valid_before_utc)}\n",
          f"            Not After : {_date(cert.not_valid_after_utc)}\n", f"        Subject: {_name(cert.subject)}\n",
          "        Subject Public Key Info:\n"]
    pub = cert.public_key()
    if isinstance(pub, rsa.RSAPublicKey):
        nums = pub.public_numbers()
        o += ["            Public Key Algorithm: rsaEncryption\n",
              f"                Public-Key: ({pub.key_size} bit)\n", "                Modulus:\n",
              _hexbytes(_int_bytes(nums.n), 15, 20), f"                Exponent: {nums.e} (0x{nums.e:x})\n"]
    else:
        o.append("                minikctl: this key type's text is not simulated\n")
    if len(cert.extensions):
        o.append("        X509v3 extensions:\n")
        for ext in cert.extensions:
            title, lines = _ext_text(ext)
            o.append(f"            {title}: {'critical' if ext.critical else ''}\n")
            o += [f"                {ln}\n" for ln in lines]
    o += [f"    Signature Algorithm: {sig}\n", "    Signature Value:\n", _hexbytes(cert.signature, 18, 8)]
    return "".join(o)


USAGE = "x509: Use -help for summary.\n"


def openssl(ctx, argv):
    if len(argv) < 2:
        return "", "minikctl: openssl's interactive mode is not simulated\n", 126
    if argv[1] != "x509":
        return "", f"minikctl: openssl {argv[1]} is not simulated\n", 126
    return _x509(ctx, argv[2:])


def _x509(ctx, args):
    src, noout, prints, i = None, False, [], 0
    while i < len(args):
        a = args[i]
        if a in ("-in", "--in") and i + 1 < len(args):
            src, i = args[i + 1], i + 2
            continue
        if a == "-noout":
            noout = True
        elif a in ("-text", "-subject", "-issuer", "-dates", "-enddate", "-startdate", "-serial"):
            prints.append(a)
        elif a == "-ext" and i + 1 < len(args):
            prints.append(("-ext", args[i + 1]))
            i += 1
        elif a in ("-nameopt", "-certopt", "-inform") and i + 1 < len(args):
            i += 1
        else:
            return "", f"x509: Unknown option or cipher: {a.lstrip('-')}\n" + USAGE, 1
        i += 1
    if src is None:
        data = ctx.stdin or ""
    else:
        f = fs(ctx)
        p = path(ctx, src)
        data = f.read(p) if f is not None else None
        if data is None:
            tid = "40" + hashlib.sha256((ctx.node or "").encode()).hexdigest()[:10].upper() + "0000"
            return "", (f"Could not open file or uri for loading certificate from {src}\n"
                        f"{tid}:error:16000069:STORE routines:ossl_store_get0_loader_int:unregistered scheme:"
                        f"../crypto/store/store_register.c:237:scheme=file\n"
                        f"{tid}:error:80000002:system library:file_open:No such file or directory:"
                        f"../providers/implementations/storemgmt/file_store.c:268:calling stat({src})\n"
                        "Unable to load certificate\n"), 1
    try:
        cert = x509.load_pem_x509_certificate(data.encode())
    except ValueError:
        return "", "Could not read certificate from " + (src or "<stdin>") + "\nUnable to load certificate\n", 1
    out = []
    for p in prints:
        if p == "-text":
            out.append(text(cert))
        elif p == "-subject":
            out.append(f"subject={_name(cert.subject)}\n")
        elif p == "-issuer":
            out.append(f"issuer={_name(cert.issuer)}\n")
        elif p == "-serial":
            hx = f"{cert.serial_number:X}"
            out.append(f"serial={'0' * (len(hx) % 2)}{hx}\n")
        elif p == "-startdate":
            out.append(f"notBefore={_date(cert.not_valid_before_utc)}\n")
        elif p == "-enddate":
            out.append(f"notAfter={_date(cert.not_valid_after_utc)}\n")
        elif p == "-dates":
            out.append(f"notBefore={_date(cert.not_valid_before_utc)}\nnotAfter={_date(cert.not_valid_after_utc)}\n")
        elif isinstance(p, tuple):
            want = {"subjectAltName": "X509v3 Subject Alternative Name", "keyUsage": "X509v3 Key Usage",
                    "extendedKeyUsage": "X509v3 Extended Key Usage", "basicConstraints": "X509v3 Basic Constraints"}
            for e in cert.extensions:
                title, lines = _ext_text(e)
                if title in [want.get(w.strip(), w.strip()) for w in p[1].split(",")]:
                    out.append(f"{title}: {'critical' if e.critical else ''}\n" + "".join(f"    {ln}\n" for ln in lines))
    if not noout:
        out.append(data[data.index("-----BEGIN CERTIFICATE-----"):data.index("-----END CERTIFICATE-----") + 26])
    return "".join(out), "", 0
