#!/usr/bin/env bash
# The floor under `pigeon list`'s fixed cost: how long a fresh process takes
# that only starts, and one that only starts, builds OpenSSL's first TLS
# client context and loads the lab's CA file (what any one-shot TLS client
# written against Debian's OpenSSL 3 pays before its first byte). Best of 50
# runs each, spawn to exit, three rounds.
#
#   PIGEON_LAB_DIR=/work/labrun bash bench/mail/process_floor.sh
set -euo pipefail
lab=${PIGEON_LAB_DIR:?set PIGEON_LAB_DIR to the lab directory}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/empty.c" <<'C'
int main(void) { return 0; }
C
cat > "$dir/tls_context.c" <<'C'
#include <openssl/ssl.h>
int main(int argc, char** argv) {
    SSL_CTX* c = SSL_CTX_new(TLS_client_method());
    if (!c || argc < 2 || SSL_CTX_load_verify_locations(c, argv[1], 0) != 1) return 1;
    SSL_CTX_free(c);
    return 0;
}
C
cc -O2 "$dir/empty.c" -o "$dir/empty"
cc -O2 "$dir/tls_context.c" -o "$dir/tls_context" -lssl -lcrypto
env -u SSL_CERT_FILE -u SSL_CERT_DIR python3 - "$dir" "$lab/certs/ca.pem" <<'PY'
import subprocess, sys, time
d, ca = sys.argv[1], sys.argv[2]
def best(cmd, n=50):
    b = None
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True)
        t = time.perf_counter() - t0
        b = t if b is None else min(b, t)
    return b * 1000
for _ in range(3):
    e = best([d + "/empty"])
    t = best([d + "/tls_context", ca])
    print(f"empty process {e:.2f} ms   + OpenSSL's first TLS context and the CA file {t:.2f} ms   (difference {t - e:.2f} ms)")
PY
