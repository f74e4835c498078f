"""Independent ARC verifier for the tests: dkimpy's dkim.arc_verify (Debian python3-dkim), with DNS
answered from a JSON zone instead of the network.

    /usr/bin/python3 arc_verify.py MESSAGE_FILE ZONE_FILE
    ZONE_FILE: {"selector._domainkey.example": "v=DKIM1; k=rsa; p=..."}

Prints {"cv": "pass"|"fail"|"none", "comment": ..., "results": [...]} on stdout.
"""
import json
import sys

import dkim


def main():
    message = open(sys.argv[1], "rb").read()
    zone = json.load(open(sys.argv[2]))

    def dnsfunc(name, timeout=5):
        key = name.decode() if isinstance(name, bytes) else name
        value = zone.get(key.rstrip("."))
        return value.encode() if value is not None else None

    cv, results, comment = dkim.arc_verify(message, dnsfunc=dnsfunc)
    printable = [{k.decode() if isinstance(k, bytes) else k: (v.decode() if isinstance(v, bytes) else v)
                  for k, v in r.items()} for r in results]
    print(json.dumps({"cv": cv.decode() if isinstance(cv, bytes) else cv, "comment": comment,
                      "results": printable}, default=str))


main()
