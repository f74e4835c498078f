#!/bin/sh
# TEST-ONLY certificates for the loopback SMTP sink (test/servers/smtp-sink.mjs). Never use them for
# anything else: the private keys are committed on purpose. Re-run this script to regenerate them.
set -eu
cd "$(dirname "$0")"
DAYS=9999
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout ca.key -out ca.pem -days "$DAYS" -subj "/CN=Facteur TEST-ONLY CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout server.key -out server.csr -subj "/CN=localhost"
cat > server.ext <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EXT
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
  -days "$DAYS" -extfile server.ext
rm -f server.csr server.ext ca.srl
# A certificate from a CA that no test trusts (its key is thrown away): the "untrusted" listener
# uses it to prove that workerd really verifies certificates (the handshake fails: UnknownIssuer).
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout untrusted-ca.key -out untrusted-ca.pem -days "$DAYS" -subj "/CN=Facteur TEST-ONLY untrusted CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout untrusted.key -out untrusted.csr -subj "/CN=localhost"
cat > server.ext <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EXT
openssl x509 -req -in untrusted.csr -CA untrusted-ca.pem -CAkey untrusted-ca.key -CAcreateserial \
  -out untrusted.pem -days "$DAYS" -extfile server.ext
rm -f untrusted.csr untrusted-ca.key untrusted-ca.pem untrusted-ca.srl server.ext
